#!/usr/bin/env bash
# The 2,000-method benchmark of issue 18: generates the API (gen_api.py) in a temp dir, runs the
# vendored protoc once with protoc-gen-prost and protoc-gen-kratos-http (release builds), each
# plugin under `/usr/bin/time -v` (wall time, user+sys CPU, peak RSS of the plugin alone), counts
# the generated lines per RPC, then compiles prost's and our output in a scratch crate against the
# runtime (debug, non-incremental) and reports the CPU time and peak RSS of that build.
#
#   bench/codegen/run.sh   # KEEP=1 keeps the temp dir, COMPILE=0 skips the compile,
#                          # PROTOC_GEN_PROST=path picks that plugin, KRATOS_PLUGIN=path a
#                          # prebuilt protoc-gen-kratos-http (no build), RUNS=n the timed runs
#                          # on the captured request (20)
#
# protoc-gen-prost comes from .ci/tools (as .ci/buf-e2e installs it) or is installed there.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d /tmp/kratos-codegen-bench.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

prost_plugin=${PROTOC_GEN_PROST:-$root/.ci/tools/bin/protoc-gen-prost}
if [ ! -x "$prost_plugin" ]; then
  echo "==> installing protoc-gen-prost 0.5.0 into .ci/tools"
  cargo install --quiet --locked --root .ci/tools --version 0.5.0 protoc-gen-prost
fi
# CARGO_TARGET_DIR may name another tree's target directory, to reuse its built dependencies.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
kratos_plugin=${KRATOS_PLUGIN:-}
if [ -z "$kratos_plugin" ]; then
  echo "==> building protoc-gen-kratos-http (release)"
  cargo build --quiet --release -p protoc-gen-kratos-http
  kratos_plugin=$CARGO_TARGET_DIR/release/protoc-gen-kratos-http
fi

python3 bench/codegen/gen_api.py "$work/proto"
mkdir -p "$work/out"

# Each plugin runs under its own `time -v`, so the figures are the plugin's, not protoc's; the
# CodeGeneratorRequest protoc sends it is kept, to time the plugin alone on it below.
wrap() { # name plugin
  cat >"$work/$1.sh" <<WRAP
#!/bin/sh
tee "$work/$1.request" | /usr/bin/time -v -o "$work/$1.time" "$2"
WRAP
  chmod +x "$work/$1.sh"
}
wrap prost "$prost_plugin"
wrap kratos "$kratos_plugin"

echo "==> protoc: protoc-gen-prost, then protoc-gen-kratos-http (inserting into prost's file)"
tools/protoc -I "$work/proto" -I proto \
  --plugin=protoc-gen-prost="$work/prost.sh" --prost_out="$work/out" \
  --plugin=protoc-gen-kratos-http="$work/kratos.sh" --kratos-http_out="$work/out" \
  "$work/proto/bigapi/v1/bigapi.proto"

figure() { # file field
  grep -F "$2" "$1" | head -1 | sed 's/.*: //'
}
report() { # name
  local t="$work/$1.time"
  local user sys
  user=$(figure "$t" "User time (seconds)")
  sys=$(figure "$t" "System time (seconds)")
  printf '%-24s wall %8s s   user+sys %6.2f s   peak RSS %7.1f MB\n' "$1" \
    "$(figure "$t" "Elapsed (wall clock) time" | sed 's/^0://')" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $(figure "$t" "Maximum resident set size") / 1024" | bc)"
}
echo
report prost
report kratos

rpcs=2000
kratos_lines=$(wc -l <"$work/out/bigapi/v1/bigapi.v1.kratos_http.rs")
prost_lines=$(wc -l <"$work/out/bigapi/v1/bigapi.v1.rs")
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/out/bigapi/v1/bigapi.v1.kratos_http.rs")
echo "generated lines: kratos_http $kratos_lines ($((kratos_lines / rpcs)) per RPC, longest line $longest chars), prost $prost_lines"

# One protoc run is too short to time prost (0.00 s at `time`'s resolution): each plugin again on
# its captured request, RUNS times, each run's CPU time (perf's task-clock of the plugin process
# alone; one perf per run, since the request is read from stdin), averaged.
runs=${RUNS:-20}
cpu_ms() { # plugin request
  local i
  for ((i = 0; i < runs; i++)); do
    perf stat -x, -e task-clock -o "$work/perf.csv" "$1" <"$2" >/dev/null
    grep task-clock "$work/perf.csv" | cut -d, -f1
  done | awk -v n="$runs" '{ sum += $1 } END { printf "%.2f", sum / n }'
}
prost_ms=$(cpu_ms "$prost_plugin" "$work/prost.request")
kratos_ms=$(cpu_ms "$kratos_plugin" "$work/kratos.request")
echo
printf 'mean CPU per run, %s runs on the captured request: prost %.2f ms, kratos %.2f ms, kratos/prost %.2fx\n' \
  "$runs" "$prost_ms" "$kratos_ms" "$(echo "scale=4; $kratos_ms / $prost_ms" | bc)"

[ "${COMPILE:-1}" = 1 ] || exit 0
echo "==> compiling the output in a scratch crate (debug, non-incremental)"
crate=$work/crate
mkdir -p "$crate/src"
cat >"$crate/Cargo.toml" <<TOML
[package]
name = "kratos-codegen-bench-api"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
kratos = { package = "kratos-rs", path = "$root/runtime" }
prost = "0.14"
prost-types = "0.14"
TOML
echo '//! Placeholder while the dependencies build.' >"$crate/src/lib.rs"
cp Cargo.lock "$crate/Cargo.lock"
export CARGO_INCREMENTAL=0 KRATOS_BENCH_OUT=$work/out
# Dependencies first (already built for the workspace: at most a relink), then our crate alone.
(cd "$crate" && cargo build --quiet --lib)
cat >"$crate/src/lib.rs" <<'RS'
#![allow(missing_docs, clippy::all)]
pub mod bigapi {
    pub mod v1 {
        include!(concat!(env!("KRATOS_BENCH_OUT"), "/bigapi/v1/bigapi.v1.rs"));
    }
}
RS
(cd "$crate" && /usr/bin/time -v -o "$work/rustc.time" cargo build --quiet --lib)
report rustc
