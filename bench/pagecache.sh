#!/usr/bin/env bash
# bench/pagecache.sh: the page-cache memory attack. It builds simklink,
# starts it in demo mode on a free loopback port, warms one title, then
# sends N (default 2048) requests for /t/imdb/tt1375666?n=<i>&p=<60 KB>,
# each a distinct URL, and prints the app's resident memory (VmRSS) before,
# right after, and 5 s after the requests. Everything stays on 127.0.0.1.
#
#   bench/pagecache.sh          # 2,048 requests
#   bench/pagecache.sh 512      # fewer
set -euo pipefail

cd "$(dirname "$0")/.."
n="${1:-2048}"
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

port=""
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[[ -n "$port" ]] || { echo "pagecache.sh: no free port found" >&2; exit 1; }
base="http://127.0.0.1:$port"

env -u SIMKL_CLIENT_ID METRICS_ADDR=off "$tmp/simklink" -addr "127.0.0.1:$port" -base-url "$base" >"$tmp/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
	sleep 0.1
done
rss() { awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }

curl -fsS -o /dev/null "$base/t/imdb/tt1375666"
echo "RSS before:      $(rss)"
pad="$(head -c 61440 /dev/zero | tr '\0' 'x')"
seq 1 "$n" | sed "s|.*|url = \"$base/t/imdb/tt1375666?n=&\&p=$pad\"\noutput = /dev/null|" >"$tmp/urls"
start=$(date +%s.%N)
curl -sS --no-progress-meter --parallel --parallel-max 8 -H 'Accept-Encoding: gzip' -w '%{http_code}\n' -K "$tmp/urls" | sort | uniq -c | sed 's/^/  status /'
end=$(date +%s.%N)
echo "RSS after $n:  $(rss) ($(echo "$end - $start" | bc) s)"
sleep 5
echo "RSS 5 s later:   $(rss)"
