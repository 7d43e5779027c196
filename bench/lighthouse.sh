#!/usr/bin/env bash
# bench/lighthouse.sh: Lighthouse's four mobile category scores for a title
# page. It builds simklink, starts it in demo mode on a random loopback port,
# runs the pinned lighthouse (package.json, `npm ci`) with the machine's
# Chromium against the page, prints the scores and stops the app.
#
#   bench/lighthouse.sh                      # /t/tvdb/153021, signed out
#   bench/lighthouse.sh /t/imdb/tt1375666    # another page
#   KEEP_REPORT=1 bench/lighthouse.sh        # also keep the HTML and JSON reports in bench/out/
#
# CHROME_PATH picks the browser (default /usr/bin/chromium). Lighthouse's
# default mobile run: a Moto G Power-sized screen with simulated slow 4G and
# a 4x CPU slowdown. Scores move by a point or two from run to run.
set -euo pipefail

cd "$(dirname "$0")/.."
path="${1:-/t/tvdb/153021}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

lighthouse=node_modules/.bin/lighthouse
[[ -x "$lighthouse" ]] || { echo "lighthouse.sh: $lighthouse is missing; run \`npm ci\` first" >&2; exit 1; }
[[ -x "$CHROME_PATH" ]] || { echo "lighthouse.sh: no browser at $CHROME_PATH; \`apt-get install -y chromium\` or set CHROME_PATH" >&2; exit 1; }

tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

go build -o "$tmp/simklink" .
# Demo mode (no SIMKL_CLIENT_ID) on a port the kernel picks; the app logs
# the URL to use (BASE_URL, http://localhost:<port>).
env -u SIMKL_CLIENT_ID METRICS_ADDR=off "$tmp/simklink" -addr 127.0.0.1:0 >"$tmp/app.log" 2>&1 &
pid=$!
base=""
for _ in $(seq 1 100); do
	base="$(sed -n 's/.*msg=listening url=[^ ]* base_url=\([^ ]*\).*/\1/p' "$tmp/app.log")"
	[[ -n "$base" ]] && break
	kill -0 "$pid" 2>/dev/null || { echo "lighthouse.sh: simklink exited:" >&2; cat "$tmp/app.log" >&2; exit 1; }
	sleep 0.1
done
[[ -n "$base" ]] || { echo "lighthouse.sh: simklink did not start" >&2; exit 1; }
url="$base$path"
# Warm the title cache, as on a server that has been up a while.
curl -fsS -o /dev/null "$url"

# The flags keep Chromium off the network (this machine has none) and out
# of the caller's profile.
flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
flags+=" --disable-background-networking --disable-component-update --disable-sync"
flags+=" --user-data-dir=$tmp/profile"
echo "lighthouse $("$lighthouse" --version) (mobile) on $url" >&2
"$lighthouse" "$url" \
	--only-categories=performance,accessibility,best-practices,seo \
	--output=json --output=html --output-path="$tmp/report" \
	--chrome-flags="$flags" --quiet

node -e '
const r = require(process.argv[1]);
if (r.runtimeError) { console.error("lighthouse:", r.runtimeError.code, r.runtimeError.message); process.exit(1); }
for (const id of ["performance", "accessibility", "best-practices", "seo"]) {
  console.log(id.padEnd(15), Math.round(r.categories[id].score * 100));
}
const failed = Object.values(r.audits).filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "manual");
if (failed.length) {
  console.log("\naudits below 100:");
  for (const a of failed) console.log("  " + a.id + ": " + Math.round(a.score * 100) + (a.displayValue ? " (" + a.displayValue + ")" : ""));
}
' "$tmp/report.report.json"

if [[ -n "${KEEP_REPORT:-}" ]]; then
	mkdir -p bench/out
	cp "$tmp/report.report.json" bench/out/lighthouse.json
	cp "$tmp/report.report.html" bench/out/lighthouse.html
	echo "reports: bench/out/lighthouse.html, bench/out/lighthouse.json" >&2
fi
