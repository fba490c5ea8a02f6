#!/bin/sh
# phases-runtimes/gen.sh - records testdata/phases-runtimes/: wasm3, WAMR's
# classic and fast interpreters and WasmEdge's interpreter running the same
# WASI module (compute.wasm of ../shared/wamr/wasm, built from
# ../shared/wamr/src/compute.c), with uprobes on the phase functions of
# research/phases.md section 4, and each run's phase table computed from
# perf script text by expected.py, independently of wasmperf.
#
# The runtimes, from their public repositories (git archive of the commit,
# gcc 12.2, Debian 12), built in $B (default /tmp/h1s4):
#   wasm3 c9b579d8c048db71ce2322cf68a0d88ae81684d2 (its Linux app, WASI "simple"
#   so nothing is fetched; -O3 and -fomit-frame-pointer are forced by its
#   CMakeLists for Release, -g kept, not stripped):
#     cmake -S wasm3 -B $B/build-wasm3 -G Ninja -DCMAKE_BUILD_TYPE=Release \
#       -DCMAKE_C_FLAGS="-g -fno-omit-frame-pointer" -DBUILD_WASI=simple
#     ninja -C $B/build-wasm3
#   WAMR 646b5a9bc786bfdb69f01e136706d524d4466120 (WAMR-2.4.1-289, iwasm says
#   2.4.3), product-mini/platforms/linux, MODE classic (FI=0) or fast (FI=1):
#     cmake -S wamr/product-mini/platforms/linux -B $B/build-iwasm-MODE -G Ninja \
#       -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-g -fno-omit-frame-pointer" \
#       -DWAMR_BUILD_INTERP=1 -DWAMR_BUILD_FAST_INTERP=FI -DWAMR_BUILD_AOT=0 \
#       -DWAMR_BUILD_JIT=0 -DWAMR_BUILD_LIBC_WASI=1 -DWAMR_BUILD_SIMD=0
#     ninja -C $B/build-iwasm-MODE iwasm
#   WasmEdge d516c5d663de9cc275a284ffe4585526d164cca2, built in /tmp/wasmedge-build
#   as testdata/gen/wasmedge/gen.sh says (Release, LLVM 15; not stripped:
#   libwasmedge.so keeps its .symtab). Its default run mode is the interpreter.
#
# Recording (perf 6.1, as root), as ../shared/phases/runs were recorded but
# with the frequency on the sampling event only (a global -F would put the
# uprobes in frequency mode too):
#   perf record -k mono -e cpu-clock/freq=999/ -g -e sched:sched_process_exec \
#     -e sched:sched_process_exit -e 'probe_GROUP:*' -- RUNTIME compute.wasm ARG
# C functions are probed by name (perf names the event after the function);
# WasmEdge's C++ functions at file offsets found by funcoff.py, with
# names chosen here (we_*), so only their address says what they are. Its
# runFunction runs on the thread VM::asyncExecute starts.
#
# Kept per run (testdata/phases-runtimes/RUN/): perf.data.gz, events.txt.gz
# (the perf script text expected.py read), expected-phases.tsv, probes.txt
# (perf probe -l), and for each binary a probe or a sampled frame lies in, a
# symbol-only stub (NAME.stub.gz, its build-id in NAME.buildid): the .symtab
# entries perf script names in the recording, no sections' contents.
#
# Usage (from the top of the tree, as root; needs python3, objcopy, nm):
#   B=BUILDS WEB=WASMEDGE_BUILD testdata/gen/phases-runtimes/gen.sh [SHARED]
# then WASMPERF_UPDATE=1 on the phases-runtimes test (new pids and times).
set -euf
shared=$(cd "${1:-../shared}" && pwd)
top=$(pwd)
gen=$top/testdata/gen/phases-runtimes
out=$top/testdata/phases-runtimes
B=${B:-/tmp/h1s4}
WASM3=${WASM3:-$B/build-wasm3/wasm3}
WEB=${WEB:-/tmp/wasmedge-build}
WASMEDGE=$WEB/tools/wasmedge/wasmedge
LIBWE=$(readlink -f "$WEB/lib/api/libwasmedge.so")
module=$shared/wamr/wasm/compute.wasm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

probe_names() { # BIN FUNC... : entry and return probes by name
	bin=$1; shift
	for f in "$@"; do perf probe -q -x "$bin" "$f"; done
	for f in "$@"; do perf probe -q -x "$bin" "$f%return"; done
}

probe_at() { # BIN EVENT REGEX [return]: a probe at the function's file offset
	set -- "$1" "$2" "$(python3 "$gen/funcoff.py" "$1" "$3")" "${4:-}"
	echo "# $2 = ${3#* } (file offset ${3%% *})" >>"$work/probe-cmds"
	perf probe -q -x "$1" "$2=${3%% *}"
	[ -z "$4" ] || perf probe -q -x "$1" "$2=${3%% *}%return"
}

# A symbol stub of BIN naming what perf script names in it (gen/phases/runs.sh's
# method: --only-keep-debug, the PT_LOAD file offsets put back).
stub() { # RUN BIN NAME
	perf script -i "$work/perf.data" --no-demangle -F ip,sym,dso 2>/dev/null |
		awk -v dso="($2)" '$NF == dso && $2 != "[unknown]" { print $2 }' |
		sed 's/+0x[0-9a-f]*$//' | sort -u >"$work/names"
	objcopy --only-keep-debug "$2" "$work/dbg"
	objcopy --strip-all --keep-symbols="$work/names" "$work/dbg" "$work/stub"
	python3 - "$2" "$work/stub" <<'PY'
import struct, sys
src = open(sys.argv[1], 'rb').read()
dst = bytearray(open(sys.argv[2], 'rb').read())
phoff, = struct.unpack_from('<Q', src, 0x20)
ent, num = struct.unpack_from('<HH', src, 0x36)
assert struct.unpack_from('<Q', dst, 0x20)[0] == phoff
assert struct.unpack_from('<HH', dst, 0x36) == (ent, num)
dst[phoff:phoff + ent * num] = src[phoff:phoff + ent * num]
open(sys.argv[2], 'wb').write(dst)
PY
	gzip -9nc "$work/stub" >"$out/$1/$3.stub.gz"
	readelf -n "$2" | awk '/Build ID/ { print $3 }' >"$out/$1/$3.buildid"
	echo "$1: $3 stub keeps $(wc -l <"$work/names") symbols"
}

record() { # RUN GROUPS ROLES -- COMMAND...
	run=$1 groups=$2 roles=$3; shift 4
	mkdir -p "$out/$run"
	perf probe -l >"$out/$run/probes.txt" 2>&1
	evs=; for g in $groups; do evs="$evs -e $g:*"; done
	# shellcheck disable=SC2086
	perf record -q -k mono -e cpu-clock/freq=999/ -g -e sched:sched_process_exec \
		-e sched:sched_process_exit $evs -o "$work/perf.data" -- "$@" >"$work/stdout"
	for g in $groups; do perf probe -q -d "$g:*"; done
	perf script -i "$work/perf.data" -F comm,pid,tid,time,event --ns >"$work/events.txt"
	# shellcheck disable=SC2086
	python3 "$gen/expected.py" "$run" "$work/events.txt" $roles >"$out/$run/expected-phases.tsv"
	gzip -9nc "$work/perf.data" >"$out/$run/perf.data.gz"
	gzip -9nc "$work/events.txt" >"$out/$run/events.txt.gz"
	echo "$run: $(wc -c <"$work/perf.data") bytes, $(head -1 "$work/stdout")"
}

for g in probe_wasm3 probe_iwasm probe_wasmedge probe_libwasmedge; do
	if perf probe -l 2>/dev/null | grep -q "^ *$g:"; then
		echo "gen.sh: probes of $g exist already (perf probe -d '$g:*')" >&2
		exit 1
	fi
done

# wasm3: research 4.1. repl_load holds m3_ParseModule and m3_LoadModule, so
# load is m3_ParseModule; execute is repl_call (it compiles the entry
# function lazily, then m3_CallArgv).
probe_names "$WASM3" main repl_init repl_load m3_ParseModule m3_LoadModule m3_CompileModule \
	repl_call m3_CallArgv
record wasm3--compute probe_wasm3 \
	"load=probe_wasm3:m3_ParseModule instantiate=probe_wasm3:m3_LoadModule execute=probe_wasm3:repl_call" \
	-- "$WASM3" "$module" 1
stub wasm3--compute "$(readlink -f "$WASM3")" wasm3

# WAMR interpreters: research 4.2, the probes of ../shared/phases/runs/wamr-*.
for mode in classic fast; do
	iwasm=$(readlink -f "$B/build-iwasm-$mode/iwasm")
	probe_names "$iwasm" main wasm_runtime_full_init bh_read_file_to_buffer wasm_runtime_load \
		wasm_loader_load wasm_runtime_instantiate_ex2 wasm_instantiate \
		wasm_application_execute_main wasm_runtime_call_wasm
	record "wamr-$mode--compute" probe_iwasm \
		"load=probe_iwasm:wasm_runtime_load instantiate=probe_iwasm:wasm_runtime_instantiate_ex2 execute=probe_iwasm:wasm_application_execute_main" \
		-- "$iwasm" "$module" 1
	stub "wamr-$mode--compute" "$iwasm" iwasm
done

# WasmEdge: research 4.5. The CLI's VM::loadWasm parses through
# Loader::parseWasmUnit (parseModule, the research's choice, is not called
# on this path: probed to show it). validate runs between load and
# instantiate; runFunction runs on the asyncExecute thread.
: >"$work/probe-cmds"
perf probe -q -x "$WASMEDGE" main
probe_at "$LIBWE" we_UniTool '^WasmEdge_Driver_UniTool$'
probe_at "$LIBWE" we_parseWasmUnit '^WasmEdge::Loader::Loader::parseWasmUnit\(std::filesystem' return
probe_at "$LIBWE" we_parseModule '^WasmEdge::Loader::Loader::parseModule\(std::filesystem' return
probe_at "$LIBWE" we_validate '^WasmEdge::Validator::Validator::validate\(WasmEdge::AST::Module const&\)' return
probe_at "$LIBWE" we_instantiateModule '^WasmEdge::Executor::Executor::instantiateModule\(' return
probe_at "$LIBWE" we_asyncExecute '^WasmEdge::VM::VM::asyncExecute\(std::basic_string_view<char, std::char_traits<char> >, cxx20'
probe_at "$LIBWE" we_runFunction '^WasmEdge::Executor::Executor::runFunction\(' return
record wasmedge--compute "probe_wasmedge probe_libwasmedge" \
	"load=probe_libwasmedge:we_parseWasmUnit,probe_libwasmedge:we_parseModule instantiate=probe_libwasmedge:we_instantiateModule execute=probe_libwasmedge:we_runFunction" \
	-- "$WASMEDGE" "$module" 0
cat "$work/probe-cmds" >>"$out/wasmedge--compute/probes.txt"
stub wasmedge--compute "$(readlink -f "$WASMEDGE")" wasmedge
stub wasmedge--compute "$LIBWE" libwasmedge
