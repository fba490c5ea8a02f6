#!/bin/sh
# Renders tests/browser/flame_small.folded to an SVG and drives it in headless
# Chromium (cdp_flame.js, Node.js + DevTools protocol over a pipe, no npm):
# hover, click-to-zoom, Reset Zoom, Ctrl-F/F3 search, ignore-case, URL state,
# and that hostile frame names stay text. See tests/browser/README.md.
#
# Environment (ctest sets the first three):
#   WASMPERF_BIN   the build's tools dir (holds wasmperf-flame)
#   WASMPERF_SRC   repo root
#   FLAME_CMD      optional shell command, folded on stdin -> SVG on stdout,
#                  used instead of wasmperf-flame, e.g.
#                  FLAME_CMD='perl /tmp/ref/FlameGraph/flamegraph.pl'
#   CHROMIUM       Chromium binary (default: chromium / chromium-browser on PATH)
#   NODE           Node.js binary (default: node on PATH)
#   KEEP_TMP=1     keep the temp dir (SVG, Chromium log) for inspection
#   VERBOSE=1      log each dialog
# Exit: 0 pass, 1 fail, 77 skipped (no Chromium, no Node.js or no renderer).
set -u
here=$(cd "$(dirname "$0")" && pwd)
folded=$here/flame_small.folded

skip() { echo "SKIP: $*"; exit 77; }

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then chromium=$(command -v "$c"); break; fi
	done
fi
if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
	skip "Chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/chromium)"
fi
node=${NODE:-$(command -v node 2>/dev/null)}
if [ -z "$node" ] || [ ! -x "$node" ]; then skip "Node.js not found (needed to drive Chromium)"; fi
"$node" -e 'process.exit(parseInt(process.versions.node) >= 16 ? 0 : 1)' ||
	skip "Node.js $("$node" --version) is too old (need >= 16)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasmperf-browser.XXXXXX") || exit 1
pgid_file=$tmp/chromium.pgid
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	# cdp_flame.js kills Chromium itself; this covers it being killed first.
	if [ -s "$pgid_file" ]; then
		pg=$(cat "$pgid_file")
		kill -KILL -- "-$pg" 2>/dev/null
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

svg=$tmp/flame.svg
if [ -n "${FLAME_CMD:-}" ]; then
	echo "renderer: FLAME_CMD=$FLAME_CMD"
	sh -c "$FLAME_CMD" <"$folded" >"$svg" 2>"$tmp/render.err" || {
		echo "FAIL: FLAME_CMD failed:"; cat "$tmp/render.err"; exit 1; }
else
	flame=${WASMPERF_BIN:-}/wasmperf-flame
	if [ -z "${WASMPERF_BIN:-}" ] || [ ! -x "$flame" ]; then
		skip "wasmperf-flame not built (${flame}); set WASMPERF_BIN or FLAME_CMD"
	fi
	echo "renderer: $flame"
	"$flame" <"$folded" >"$svg" 2>"$tmp/render.err" || {
		echo "FAIL: wasmperf-flame failed:"; cat "$tmp/render.err"; exit 1; }
fi
[ -s "$svg" ] || { echo "FAIL: renderer produced an empty SVG"; cat "$tmp/render.err"; exit 1; }

mkdir "$tmp/profile" || exit 1
set -- --svg "$svg" --chromium "$chromium" --profile "$tmp/profile" \
	--pgid-file "$pgid_file" --timeout 45
if [ -z "${FLAME_CMD:-}" ]; then
	# wasmperf-flame: matches take the colour the SVG declares (which is not
	# flamegraph.pl's magenta), and a search matching nothing says so
	sc=$(grep -o 'fg:searchcolor="rgb([0-9]*,[0-9]*,[0-9]*)"' "$svg" | head -1 |
		sed 's/.*="//; s/"$//; s/,/, /g')
	[ -n "$sc" ] || { echo "FAIL: no fg:searchcolor=\"rgb(R,G,B)\" in the SVG"; exit 1; }
	[ "$sc" != "rgb(230, 0, 230)" ] || { echo "FAIL: the search colour is flamegraph.pl's magenta"; exit 1; }
	echo "search colour: $sc"
	set -- "$@" --search-fill "$sc" --no-matches
fi
[ "${VERBOSE:-0}" = 1 ] && set -- "$@" --verbose
# timeout(1) is a second line of defence behind the driver's own 45 s watchdog.
if command -v timeout >/dev/null 2>&1; then
	timeout -k 3 55 "$node" "$here/cdp_flame.js" "$@"
else
	"$node" "$here/cdp_flame.js" "$@"
fi
rc=$?
[ $rc -eq 124 ] && echo "FAIL: timed out after 55 s"
[ $rc -eq 0 ] || exit 1
exit 0
