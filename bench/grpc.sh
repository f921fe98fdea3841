#!/usr/bin/env bash
# gRPC: Greeter.SayHello through the kratos glue (generated register_greeter_grpc_server on
# kratos::transport::grpc::Server) vs a bare tonic implementation on tonic's own server, side by
# side in one run, driven by grpc-load (tonic client, N concurrent calls over a few HTTP/2
# connections) over loopback.
#
#   bench/grpc.sh                       # 10 rounds x 5 s per implementation
#   ROUNDS=5 SECONDS_PER_RUN=10 bench/grpc.sh
#
# Knobs: ROUNDS (10), SECONDS_PER_RUN (5), WARMUP seconds per server in every round (2: each
# round starts fresh servers), CONNECTIONS (4), CONCURRENCY
# (64), PIN (1 on 2+ cores: servers on core 0, the load client on core 1), BUSY_MIN (90: a
# run in which the server got less of its core shared it with something else; it is reported
# as disturbed and left out), KRATOS_PORT (19090), TONIC_PORT (19091).
# Rounds alternate which implementation goes first. Reported: the ratio of the best req/s of
# each, and the median of the per-round ratios. The servers are stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-10}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-4}
CONCURRENCY=${CONCURRENCY:-64}
KRATOS_PORT=${KRATOS_PORT:-19090}
TONIC_PORT=${TONIC_PORT:-19091}
PIN=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
BUSY_MIN=${BUSY_MIN:-90}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf '%s\n' "$*" >&2; }

say "building grpc-server and grpc-load (release)"
cargo build --release --quiet -p kratos-bench --bin grpc-server --bin grpc-load
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
server_bin="$target_dir/release/grpc-server"
load_bin="$target_dir/release/grpc-load"

server_cpu=() load_cpu=()
placement="not pinned"
if [ "$PIN" = 1 ] && command -v taskset >/dev/null 2>&1; then
    server_cpu=(taskset -c 0) load_cpu=(taskset -c 1)
    placement="servers pinned to core 0, grpc-load to core 1"
fi

# Every round starts both servers afresh and stops them after it: one process can run 10-20%
# faster or slower than the next for its whole life, so one pair of processes would make that
# luck the result. The spread across rounds (reported) includes it.
declare -A port pid_of
port[kratos]=$KRATOS_PORT
port[tonic]=$TONIC_PORT
stop_servers() {
    local pid
    for pid in "${pid_of[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pid_of[@]}"; do wait "$pid" 2>/dev/null || true; done
    pid_of=()
}
trap stop_servers EXIT
start_servers() {
    local impl
    for impl in kratos tonic; do
        "${server_cpu[@]}" "$server_bin" --impl "$impl" --addr "127.0.0.1:${port[$impl]}" >/dev/null &
        pid_of[$impl]=$!
    done
    sleep 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

run_load() { # impl seconds -> prints "rate busy%"
    local impl=$1 seconds=$2 before after out rate
    before=$(cpu_ticks "${pid_of[$impl]}")
    out=$("${load_cpu[@]}" "$load_bin" --addr "127.0.0.1:${port[$impl]}" \
        --connections "$CONNECTIONS" --concurrency "$CONCURRENCY" --seconds "$seconds")
    after=$(cpu_ticks "${pid_of[$impl]}")
    rate=$(sed -n 's/.* = \([0-9]*\) req\/s/\1/p' <<<"$out")
    echo "$rate $(( (after - before) * 100 / (hz * seconds) ))"
}

declare -A rates
ratios=()
for round in $(seq 1 "$ROUNDS"); do
    order=(kratos tonic)
    [ $((round % 2)) = 0 ] && order=(tonic kratos)
    start_servers
    for impl in "${order[@]}"; do run_load "$impl" "$WARMUP" >/dev/null; done
    disturbed=0
    for impl in "${order[@]}"; do
        read -r rate busy < <(run_load "$impl" "$SECONDS_PER_RUN")
        say "  round $round  $impl  $rate req/s  server CPU ${busy}%"
        [ "$busy" -lt "$BUSY_MIN" ] && [ "$PIN" = 1 ] && disturbed=1
        eval "r_$impl=$rate"
    done
    stop_servers
    if [ "$disturbed" = 1 ]; then
        say "  round $round disturbed (a server had less than ${BUSY_MIN}% of its core): left out"
        continue
    fi
    rates[kratos]+="$r_kratos "
    rates[tonic]+="$r_tonic "
    ratios+=("$(awk -v a="$r_kratos" -v b="$r_tonic" 'BEGIN{printf "%.3f", a/b}')")
done

[ "${#ratios[@]}" -gt 0 ] || { say "every round was disturbed"; exit 1; }
best() { tr ' ' '\n' <<<"$1" | sort -n | tail -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
bk=$(best "${rates[kratos]}") bt=$(best "${rates[tonic]}")
echo
echo "$(date +%F) | $(uname -m), $(nproc) cores | grpc-load ${CONNECTIONS} connections x ${CONCURRENCY} concurrent calls | ${#ratios[@]} undisturbed rounds x ${SECONDS_PER_RUN}s | $placement"
echo
echo "| call | kratos glue best req/s | bare tonic best req/s | ratio of best | per-round ratio: median (min-max) |"
echo "|---|---:|---:|---:|---:|"
sorted=$(printf '%s\n' "${ratios[@]}" | sort -n)
echo "| Greeter.SayHello (unary) | $bk | $bt | **$(awk -v a="$bk" -v b="$bt" 'BEGIN{printf "%.3f", a/b}')** | $(median "${ratios[@]}") ($(head -1 <<<"$sorted")-$(tail -1 <<<"$sorted")) |"
echo
spread() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%d-%d req/s (%.1f%% of the median)", v[1], v[NR], 100 * (v[NR]-v[1]) / m}'; }
echo "kratos across rounds (fresh processes): $(spread "${rates[kratos]}")"
echo "tonic across rounds (fresh processes): $(spread "${rates[tonic]}")"
echo "kratos per round: ${rates[kratos]}"
echo "tonic per round: ${rates[tonic]}"
echo "ratios: ${ratios[*]}"
