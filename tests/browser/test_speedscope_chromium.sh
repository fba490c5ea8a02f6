#!/bin/sh
# wasmperf-export's speedscope file opens in speedscope itself: the npm
# package's built page (dist/release/index.html) in headless Chromium,
# driven by speedscope_load.js (playwright-core), loads it through its own
# file input without a console or page error and shows the busiest thread.
# The files are node running Wasm (testdata/jit-node's perf script text, named
# with --wasm) and WAMR with phase markers (a profile per phase too).
#
# Environment: WASMPERF_BIN, WASMPERF_SRC (ctest sets them); SPEEDSCOPE: a
# node_modules directory holding speedscope and playwright-core (default:
# npm's global root), e.g. `npm install speedscope playwright-core` in DIR
# then SPEEDSCOPE=DIR/node_modules; CHROMIUM, NODE.
# Exit: 0 pass, 1 fail, 77 skipped.
set -u
skip() { echo "SKIP: $*"; exit 77; }
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$chromium" ] && [ -x "$chromium" ] || skip "Chromium not found (apt-get install -y chromium)"
node=${NODE:-$(command -v node)}
[ -n "$node" ] || skip "Node.js not found"
modules=${SPEEDSCOPE:-$(npm root -g 2>/dev/null)}
index=$modules/speedscope/dist/release/index.html
[ -f "$index" ] || skip "no speedscope in '$modules' (npm install speedscope playwright-core; SPEEDSCOPE=.../node_modules)"
[ -d "$modules/playwright-core" ] || skip "no playwright-core in '$modules'"
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
gzip -dc "$src/testdata/jit-node/script.txt.gz" >"$t/node.txt"
"$bin/wasmperf-export" -q -f speedscope --wasm "$src/testdata/fixtures/node-wasm.kern.wasm" \
	"$t/node.txt" -o "$t/node.speedscope.json" || { echo "FAIL: wasmperf-export"; exit 1; }
out=$(PLAYWRIGHT_CORE="$modules/playwright-core" timeout 120 "$node" "$src/tests/browser/speedscope_load.js" \
	"$chromium" "$index" "$t/node.speedscope.json")
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: speedscope did not load the file cleanly"; exit 1; }
echo "$out" | grep -q '^toolbar: node (pid 27692, tid 27692) (1/5)$' ||
	{ echo "FAIL: not the busiest of 5 threads first"; exit 1; }
# A recording with phase markers (WAMR with uprobes, testdata/phases-runs):
# its thread and then a profile per phase holding samples, 7 in all.
gzip -dc "$src/testdata/phases-runs/wamr-aot--compute/perf.data.gz" >"$t/wamr.data"
mkdir "$t/empty"
"$bin/wasmperf-export" -q -f speedscope --symfs "$t/empty" "$t/wamr.data" -o "$t/wamr.speedscope.json" ||
	{ echo "FAIL: wasmperf-export (phases)"; exit 1; }
out=$(PLAYWRIGHT_CORE="$modules/playwright-core" timeout 120 "$node" "$src/tests/browser/speedscope_load.js" \
	"$chromium" "$index" "$t/wamr.speedscope.json")
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: speedscope did not load the file with phases cleanly"; exit 1; }
echo "$out" | grep -q '^toolbar: iwasm-2.4.3 (pid 12480, tid 12480) (1/7)$' ||
	{ echo "FAIL: not the thread and 6 phase profiles"; exit 1; }
echo "pass"
