#!/usr/bin/env bash
# Instructions per request of `bench-server` (default `--impl kratos-mw`) under callgrind, for each
# bench-server binary given: (instructions at 12,000 requests - at 2,000) / 10,000, GET
# /helloworld/kratos and POST /v1/orders, 16 keep-alive connections driven by http-load.
# Counts do not depend on the machine's load, so binaries built before and after a change
# compare as is (bench/README.md, "Production serving").
#
#   bench/callgrind.sh target/release/http-load BIN...
#
# The environment reaches the servers (BENCH_OFF, BENCH_MIDDLEWARE); IMPL (kratos-mw) is the
# bench-server implementation; PORT (19300) is the first
# of the loopback ports used, one per server run.
set -eu
LOAD=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
body="$root/bench/wrk/order.json"
port=${PORT:-19300}
total() { grep -E "^(summary|totals):" "$1" | head -1 | awk '{print $2}'; }
for bin in "$@"; do
  for what in GET POST; do
    declare -A t
    for n in 2000 12000; do
      port=$((port+1)); out=$(mktemp)
      valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --impl "${IMPL:-kratos-mw}" --addr 127.0.0.1:$port >/dev/null 2>&1 &
      pid=$!
      for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
      if [ $what = GET ]; then "$LOAD" --addr 127.0.0.1:$port --connections 16 --requests $n >/dev/null
      else "$LOAD" --addr 127.0.0.1:$port --connections 16 --requests $n --path /v1/orders --body "$body" >/dev/null; fi
      kill -INT $pid; wait $pid || true
      t[$n]=$(total "$out"); rm -f "$out"
    done
    echo "$bin $what $(( (t[12000]-t[2000]) / 10000 ))"
  done
done
