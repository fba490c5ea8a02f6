#!/bin/sh
# Copies what tests/integration/test_record_e2e.sh runs under node from
# ../shared (a user's clone has no ../shared): node's WASI runner script.
# The module it runs is testdata/names-wamr-aot-compute/compute.wasm, the
# same bytes as ../shared/wamr/wasm/compute.wasm (checked here).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${WASMPERF_SHARED:-$here/../../../../shared}
cp "$shared/phases/tools/run-wasi.js" "$here/../../record-e2e/run-wasi.js"
cmp "$shared/wamr/wasm/compute.wasm" "$here/../../names-wamr-aot-compute/compute.wasm"
