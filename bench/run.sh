#!/usr/bin/env bash
# bench/run.sh: simklink's load benchmark, or with "faults" its
# fault run. It builds the app, starts it in demo mode on a free
# loopback port, runs bench/load against it (which sets the stand-in's
# latency to 40 ms through /_simkl/_faults), stops the app and prints the
# table. Everything stays on 127.0.0.1 and stops by itself.
#
#   bench/run.sh            # runs (a)-(e), about a minute
#   bench/run.sh faults     # fault run, about 70 s
#   bench/run.sh -- -duration 5s   # extra flags for bench/load (see go run ./bench/load -h)
#   bench/run.sh replicas   # 1 vs 3 replicas sharing Redis (BenchmarkReplicas), about 2 min
set -euo pipefail

cd "$(dirname "$0")/.."
mode="${1:-normal}"
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
if [[ "$mode" == "replicas" ]]; then
	# Three whole programs, one stand-in and a Redis (SIMKLINK_TEST_REDIS_URL,
	# else a private redis-server), all in one test process on loopback;
	# each figure is over COUNT views.
	count="${COUNT:-20000}"
	exec go test -run '^$' -bench 'BenchmarkReplicas' -benchtime "${count}x" -timeout 20m . "$@"
fi
case "$mode" in
normal | --) mode=normal; args=() ;;
faults) args=(-faults) ;;
*) echo "usage: bench/run.sh [normal|faults|replicas] [-- load flags]" >&2; exit 2 ;;
esac

tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$tmp/simklink" .
go build -o "$tmp/load" ./bench/load

# A free loopback port: nothing answers on it.
port=""
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[[ -n "$port" ]] || { echo "run.sh: no free port found" >&2; exit 1; }
base="http://127.0.0.1:$port"

# Demo mode (no SIMKL_CLIENT_ID); default log settings, as deployed, into a
# file that is thrown away.
# DEMO_FAULTS=1: the generator sets the stand-in's latency through
# /_simkl/_faults, which exists only then. /metrics is on its own
# listener (METRICS_ADDR), on the next port.
mport=$((port + 1))
env -u SIMKL_CLIENT_ID DEMO_FAULTS=1 METRICS_ADDR="127.0.0.1:$mport" "$tmp/simklink" -addr "127.0.0.1:$port" -base-url "$base" >"$tmp/app.log" 2>&1 &
pid=$!

status=0
"$tmp/load" -base "$base" -metrics "http://127.0.0.1:$mport/metrics" -pid "$pid" "${args[@]}" "$@" || status=$?
if [[ $status -ne 0 ]]; then
	echo "run.sh: load exited with $status; the app's last log lines:" >&2
	tail -n 20 "$tmp/app.log" >&2
fi
exit "$status"
