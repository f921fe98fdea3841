#!/usr/bin/env bash
# Generated kratos-rs routes vs the same endpoints hand-written in axum + serde,
# side by side in one run on this machine, driven by wrk over loopback.
#
#   bench/run.sh                      # 10 rounds x 5 s per endpoint and implementation
#   ROUNDS=3 DURATION=10 bench/run.sh
#   CANDIDATE=kratos-mw BASELINE=kratos bench/run.sh   # default middleware chain vs none
#   BASELINE_BIN=/tmp/bench-server-before CANDIDATE=kratos-mw BASELINE=kratos-mw bench/run.sh
#                                     # this tree vs a bench-server built before a change
#
# Knobs (environment): ROUNDS (10), DURATION seconds per wrk run (5), WARMUP
# seconds per server and endpoint in every round (2: each round starts fresh servers), THREADS wrk threads (2), CONNECTIONS (64),
# PIN (1 when the machine has 2+ cores: servers on core 0, wrk on core 1;
# 0 lets the scheduler place everything), BUSY_MIN (90, see below),
# KRATOS_PORT (18080, the candidate's), AXUM_PORT (18081, the baseline's), CANDIDATE
# (kratos) and BASELINE (axum), BASELINE_BIN (unset: a prebuilt bench-server, for example
# one built from the tree before a change, that serves the baseline; CANDIDATE and BASELINE
# may then name the same implementation, and the baseline is reported as BASELINE-before).
#
# Per endpoint it alternates the candidate and the baseline (which goes first flips every
# round) and prints the ratio candidate/baseline two ways: the median of the
# per-round ratios (in bold: the two runs of a round are adjacent in time, so a
# slow or fast spell of the host moves both), with the range of the rounds, and
# the ratio of the best (highest) req/s of each implementation. Best-of-N would
# be the steadiest estimate if outside load only ever slowed a run down, but on
# this shared VM single runs also come out fast (one baseline run 4% above the
# median of the other nine, 2026-12-01), and one such run moves best-of-N but
# not the median.
# It also reads each server's CPU time from /proc around every wrk run and
# reports CPU microseconds per request, which stays meaningful even if wrk
# rather than the server were the bottleneck (it is not when pinned: the
# server's CPU shows ~100%). A server that got less than BUSY_MIN% of its core
# during a run shared it with something else on this machine: that round is
# reported as disturbed, and its runs are left out of both estimates.
# Traffic goes to 127.0.0.1 only; the servers are stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-10}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
KRATOS_PORT=${KRATOS_PORT:-18080}
AXUM_PORT=${AXUM_PORT:-18081}
# What is compared: CANDIDATE / BASELINE, both bench-server implementations (kratos,
# kratos-mw, axum). Default: generated routes vs hand-written axum; CANDIDATE=kratos-mw
# BASELINE=kratos measures the example's default middleware chain against none.
CANDIDATE=${CANDIDATE:-kratos}
BASELINE=${BASELINE:-axum}
BASELINE_BIN=${BASELINE_BIN:-}
if [ -z "$BASELINE_BIN" ]; then
    [ "$CANDIDATE" != "$BASELINE" ] || { echo "run.sh: CANDIDATE and BASELINE must differ (or set BASELINE_BIN)" >&2; exit 2; }
fi
CORES=$(nproc)
PIN=${PIN:-$([ "$CORES" -ge 2 ] && echo 1 || echo 0)}
BUSY_MIN=${BUSY_MIN:-90}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export BENCH_ORDER_JSON="$root/bench/wrk/order.json"
ORDER_LUA="$root/bench/wrk/order.lua"
HELLO_PATH=/helloworld/kratos
ORDER_PATH=/v1/orders

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

# --- wrk -------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || die "wrk is not installed (apt-get install -y wrk needs root)"
    say "installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } \
        || die "cannot install wrk"
fi
command -v curl >/dev/null 2>&1 || die "curl is needed to check the servers"

# --- build -----------------------------------------------------------------
say "building bench-server (release)"
cargo build --release --quiet -p kratos-bench --bin bench-server
target_dir=$(cargo metadata --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
server_bin="$target_dir/release/bench-server"
[ -x "$server_bin" ] || die "no binary at $server_bin"
# Which binary and --impl serve each side; with BASELINE_BIN the baseline is that binary's,
# labelled apart from the candidate.
declare -A impl_of bin_of
impl_of[$CANDIDATE]=$CANDIDATE
bin_of[$CANDIDATE]=$server_bin
if [ -n "$BASELINE_BIN" ]; then
    [ -x "$BASELINE_BIN" ] || die "BASELINE_BIN=$BASELINE_BIN is not an executable"
    impl_of[$BASELINE-before]=$BASELINE
    bin_of[$BASELINE-before]=$BASELINE_BIN
    BASELINE=$BASELINE-before
else
    impl_of[$BASELINE]=$BASELINE
    bin_of[$BASELINE]=$server_bin
fi

# --- pinning ---------------------------------------------------------------
server_cpu=() wrk_cpu=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null 2>&1; then
    server_cpu=(taskset -c 0)
    wrk_cpu=(taskset -c 1)
    placement="servers pinned to core 0, wrk to core 1"
else
    placement="not pinned (scheduler places servers and wrk on all $CORES cores)"
fi

# --- servers ---------------------------------------------------------------
# Every round starts both servers afresh and stops them after it: one process can run 10-20%
# faster or slower than the next for its whole life (where its memory lands, how its threads
# were placed), so a single pair of processes would make that luck the result. The spread of
# req/s across rounds (reported) includes it.
logs=$(mktemp -d)
declare -A port=([$CANDIDATE]=$KRATOS_PORT [$BASELINE]=$AXUM_PORT)
declare -A pid_of
stop_servers() {
    local pid
    for pid in "${pid_of[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pid_of[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    pid_of=()
}
trap 'stop_servers; rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM

url() { printf 'http://127.0.0.1:%s%s' "${port[$1]}" "$2"; }
start_servers() {
    local impl
    for impl in "$CANDIDATE" "$BASELINE"; do
        "${server_cpu[@]}" "${bin_of[$impl]}" --impl "${impl_of[$impl]}" --addr "127.0.0.1:${port[$impl]}" \
            >"$logs/$impl.log" 2>&1 &
        pid_of[$impl]=$!
    done
    for impl in "$CANDIDATE" "$BASELINE"; do
        for _ in $(seq 100); do
            curl -fsS -o /dev/null "$(url "$impl" "$HELLO_PATH")" 2>/dev/null && break
            kill -0 "${pid_of[$impl]}" 2>/dev/null || die "$impl server exited: $(cat "$logs/$impl.log")"
            sleep 0.1
        done
    done
}

start_servers
# Both must give the same answers before their speed means anything
# (tests/same_json.rs checks this in depth).
post() { curl -fsS -H 'Content-Type: application/json' --data-binary "@$BENCH_ORDER_JSON" "$1"; }
hello_k=$(curl -fsS "$(url "$CANDIDATE" "$HELLO_PATH")") || die "$CANDIDATE: GET failed"
hello_a=$(curl -fsS "$(url "$BASELINE" "$HELLO_PATH")") || die "$BASELINE: GET failed"
order_k=$(post "$(url "$CANDIDATE" "$ORDER_PATH")") || die "$CANDIDATE: POST failed"
order_a=$(post "$(url "$BASELINE" "$ORDER_PATH")") || die "$BASELINE: POST failed"
[ "$hello_k" = "$hello_a" ] || die "GET bodies differ: $hello_k vs $hello_a"
[ "$order_k" = "$order_a" ] || die "POST bodies differ: $order_k vs $order_a"
stop_servers

# --- measuring -------------------------------------------------------------
clk_tck=$(getconf CLK_TCK)
# utime + stime of a process (all threads), in clock ticks.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $stat
    echo $(( ${12} + ${13} ))
}

# run_wrk IMPL ENDPOINT SECONDS -> "req_per_s requests cpu_seconds"
run_wrk() {
    local impl=$1 endpoint=$2 seconds=$3 out before after
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s")
    if [ "$endpoint" = order ]; then
        args+=(-s "$ORDER_LUA" "$(url "$impl" "$ORDER_PATH")")
    else
        args+=("$(url "$impl" "$HELLO_PATH")")
    fi
    before=$(cpu_ticks "${pid_of[$impl]}")
    out=$("${wrk_cpu[@]}" wrk "${args[@]}")
    after=$(cpu_ticks "${pid_of[$impl]}")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        die "$impl $endpoint: wrk saw errors:"$'\n'"$out"
    fi
    local rps requests
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    requests=$(awk '/ requests in / {print $1}' <<<"$out")
    echo "$rps $requests $(awk -v t=$((after - before)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", t / hz}')"
}

best() { printf '%s\n' "$@" | sort -g | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.4f\n", (v[NR/2]+v[NR/2+1])/2}'; }

declare -A rps_runs rps_quiet cpu_runs ratio_runs this_round disturbed_rounds
say "measuring: $ROUNDS rounds x ${DURATION}s, fresh servers each round (${WARMUP}s warm-up per server and endpoint), wrk -t$THREADS -c$CONNECTIONS, $placement"
for round in $(seq "$ROUNDS"); do
    if (( round % 2 )); then order=("$CANDIDATE" "$BASELINE"); else order=("$BASELINE" "$CANDIDATE"); fi
    start_servers
    for endpoint in hello order; do
        for impl in "${order[@]}"; do
            run_wrk "$impl" "$endpoint" "$WARMUP" >/dev/null
        done
    done
    for endpoint in hello order; do
        this_round[disturbed]=0
        for impl in "${order[@]}"; do
            result=$(run_wrk "$impl" "$endpoint" "$DURATION") || exit 1
            read -r rps requests cpu <<<"$result"
            us=$(awk -v c="$cpu" -v n="$requests" 'BEGIN {printf "%.2f", c * 1e6 / n}')
            util=$(awk -v c="$cpu" -v d="$DURATION" 'BEGIN {printf "%.0f", 100 * c / d}')
            this_round[$impl]=$rps
            if (( util < BUSY_MIN )); then this_round[disturbed]=1; else rps_quiet[$endpoint,$impl]+="$rps "; fi
            rps_runs[$endpoint,$impl]+="$rps "
            cpu_runs[$endpoint,$impl]+="$us "
            say "  round $round  $endpoint  $(printf '%-9s' "$impl")  $(printf '%8.0f' "$rps") req/s  ${us} us CPU/req  server CPU ${util}%"
        done
        ratio=$(awk -v k="${this_round[$CANDIDATE]}" -v a="${this_round[$BASELINE]}" 'BEGIN {printf "%.3f", k / a}')
        if [ "${this_round[disturbed]}" = 1 ]; then
            disturbed_rounds[$endpoint]+="$ratio "
            say "  round $round  $endpoint  ratio $ratio  (disturbed: a server had < ${BUSY_MIN}% of its core; left out of the median)"
        else
            ratio_runs[$endpoint]+="$ratio "
        fi
    done
    stop_servers
done

# --- report ----------------------------------------------------------------
label() { [ "$1" = hello ] && echo "GET /helloworld/{name}" || echo "POST /v1/orders (body \"*\", 10 fields)"; }
list() { local v; v="$*"; echo "${v// /, }"; }
echo
echo "$(date -u +%Y-%m-%d) | $(uname -m), $CORES cores | wrk -t$THREADS -c$CONNECTIONS | $ROUNDS rounds x ${DURATION}s per implementation and endpoint | $placement"
echo
echo "| endpoint | $CANDIDATE best req/s | $BASELINE best req/s | ratio of best | per-round ratio: median (min-max) | median req/s $CANDIDATE / $BASELINE | CPU us/req $CANDIDATE / $BASELINE |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for endpoint in hello order; do
    # shellcheck disable=SC2086
    {
        kb=$(best ${rps_quiet[$endpoint,$CANDIDATE]:-${rps_runs[$endpoint,$CANDIDATE]}})
        ab=$(best ${rps_quiet[$endpoint,$BASELINE]:-${rps_runs[$endpoint,$BASELINE]}})
        k=$(median ${rps_runs[$endpoint,$CANDIDATE]})
        a=$(median ${rps_runs[$endpoint,$BASELINE]})
        used=${ratio_runs[$endpoint]:-${disturbed_rounds[$endpoint]}}
        r=$(median $used)
        lo=$(printf '%s\n' $used | sort -g | head -1)
        hi=$(best $used)
        kc=$(median ${cpu_runs[$endpoint,$CANDIDATE]})
        ac=$(median ${cpu_runs[$endpoint,$BASELINE]})
    }
    awk -v l="$(label "$endpoint")" -v kb="$kb" -v ab="$ab" -v k="$k" -v a="$a" -v r="$r" \
        -v lo="$lo" -v hi="$hi" -v kc="$kc" -v ac="$ac" \
        'BEGIN {printf "| %s | %.0f | %.0f | %.3f | **%.3f** (%.3f-%.3f) | %.0f / %.0f | %.2f / %.2f |\n", l, kb, ab, kb / ab, r, lo, hi, k, a, kc, ac}'
done
echo
echo "ratio = $CANDIDATE / $BASELINE req/s (targets, on the per-round median: kratos/axum >= 0.95, kratos-mw/kratos >= 0.95). CPU us/req: server CPU time (/proc) per request, median of the rounds."
for endpoint in hello order; do
    # shellcheck disable=SC2086
    set -- ${disturbed_rounds[$endpoint]:-}
    if [ $# -gt 0 ]; then
        if [ -n "${ratio_runs[$endpoint]:-}" ]; then
            echo "$endpoint: $# of $ROUNDS rounds disturbed (a server had < ${BUSY_MIN}% of its core), left out."
        else
            echo "$endpoint: ALL $ROUNDS rounds disturbed (a server had < ${BUSY_MIN}% of its core): these figures are not reliable."
        fi
    fi
done
# The spread across rounds: each round is a fresh pair of processes.
spread() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.0f-%.0f req/s (%.1f%% of the median)", v[1], v[NR], 100 * (v[NR]-v[1]) / m}'; }
for endpoint in hello order; do
    for impl in "$CANDIDATE" "$BASELINE"; do
        # shellcheck disable=SC2086
        echo "$endpoint $impl across rounds (fresh processes): $(spread ${rps_runs[$endpoint,$impl]})"
    done
done
for endpoint in hello order; do
    undisturbed=${ratio_runs[$endpoint]:-}
    disturbed=${disturbed_rounds[$endpoint]:-}
    echo "$endpoint per round: $CANDIDATE req/s $(list "${rps_runs[$endpoint,$CANDIDATE]% }"); $BASELINE req/s $(list "${rps_runs[$endpoint,$BASELINE]% }"); ratios of undisturbed rounds $(list "${undisturbed% }")${disturbed:+; of disturbed rounds $(list "${disturbed% }")}"
done
