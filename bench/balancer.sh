#!/usr/bin/env bash
# What a `discovery:///` target adds to a call, in instructions (valgrind's callgrind counts the
# same for the same binary and input however loaded the machine is). For each target, fixed
# address and discovery, `balancer-calls count TARGET N` makes N calls one after another to a
# helloworld HTTP server (grpc-fixed, grpc-discovery: gRPC) in the same process; the instructions of N=LONG minus those of N=SHORT,
# over LONG-SHORT, are one call's (client and server; start-up cancels out).
#   bench/balancer.sh [SHORT] [LONG]      (default 1000 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
short=${1:-1000}
long=${2:-3000}
cargo build --quiet --release -p kratos-bench --bin balancer-calls
bin=target/release/balancer-calls

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" count "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

declare -A per_call
for target in fixed discovery grpc-fixed grpc-discovery; do
  a=$(instructions "$target" "$short")
  b=$(instructions "$target" "$long")
  per_call[$target]=$(( (b - a) / (long - short) ))
  echo "$target: $a instructions for $short calls, $b for $long: ${per_call[$target]} per call"
done
for transport in http grpc; do
  prefix=; [ "$transport" = grpc ] && prefix=grpc-
  awk -v t="$transport" -v d="${per_call[${prefix}discovery]}" -v f="${per_call[${prefix}fixed]}" \
    'BEGIN { printf "%s: discovery / fixed instructions per call: %.4f (%+.2f%%)\n", t, d / f, (d / f - 1) * 100 }'
done
