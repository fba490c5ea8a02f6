#!/bin/sh
# wasmedge: records testdata/wasmedge, WasmEdge running an AOT-compiled
# module (compute.c: two WASI imports, so WasmEdge's f<N> count them; fib,
# run, print_u64, _start and three kernels its optimiser inlines), with
# DWARF stacks, and keeps what perf 6.1 prints for it.
#
# Commands (run in /tmp/wasmperf-gen/wasmedge, as root; W = the wasmedge
# built below):
#   clang --target=wasm32 -O1 -nostdlib -Wl,--no-entry -Wl,--export=_start \
#         -o compute.wasm compute.c
#   $W compile compute.wasm compute.so
#   perf record -z --call-graph dwarf,16384 -F 999 -o perf.data -- \
#         $W run --run-mode aot compute.so
#   perf script -i perf.data --kallsyms kallsyms.txt > script.txt
#         (plain perf script: what `perf script | wasmperf-fold` reads)
# WasmEdge: its public repository at d516c5d663de9cc275a284ffe4585526d164cca2
# (0.17.0-330-gd516c5d66; `wasmedge --version` says 0.0.0-unreleased from a
# `git archive`), built in /tmp against Debian 12's LLVM 15.0.6 with gcc 12.2:
#   apt-get install llvm-15-dev liblld-15-dev libspdlog-dev libfmt-dev ninja-build
#   cmake -S src -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
#     -DWASMEDGE_BUILD_TESTS=OFF -DWASMEDGE_BUILD_PLUGINS=OFF \
#     -DWASMEDGE_USE_LLVM=ON -DWASMEDGE_FORCE_DISABLE_LTO=ON \
#     -DLLVM_DIR=/usr/lib/llvm-15/lib/cmake/llvm \
#     -DLLD_DIR=/usr/lib/llvm-15/lib/cmake/lld -DFETCHCONTENT_FULLY_DISCONNECTED=ON
#   (spdlog 1.10 and fmt 9.1 from Debian; lib/executor/coredump.cpp needs
#   -Wno-error with gcc 12: -Warray-bounds on a memcpy, added with
#   set_source_files_properties in lib/executor/CMakeLists.txt)
#   cmake --build build -j2; W=build/tools/wasmedge/wasmedge
# clang 14.0.6 and wasm-ld 14 (Debian 12) build compute.wasm; perf 6.1,
# kernel 6.18.
#
# Kept in testdata/wasmedge/:
#   perf.data        the recording (-z: zstd records, no build-ids)
#   compute.so       the AOT object WasmEdge wrote (ELF, 7 KB)
#   compute.wasm     the module, with its name section
#   script.txt.gz    plain perf script, printed with kallsyms.txt (gzip -9n)
#   kallsyms.txt     the /proc/kallsyms lines of the kernel symbols the text
#                    prints, their aliases, the symbol after each and
#                    _text/_stext (gen/jit-node's method)
#   buildids.txt     perf buildid-list (names only: -z records no build-ids)
#   facts.txt        compute.so's dynamic symbols, wasmperf-names --list of
#                    compute.wasm, sample counts
#
# Facts (the recording in the tree):
# - compute.so exports f2..f8 (the defined functions; FI = N: the imports
#   proc_exit = 0 and fd_write = 1 get internal thunks f0/f1, which are not
#   exported), t0..t8 (per-type wrappers), version, intrinsics, wasm.code
#   and wasm.size (`nm -D`); wasm.code is compute.wasm byte for byte,
#   name section included. It has .symtab, .eh_frame and .eh_frame_hdr.
# - lld lays compute.so out with the text at file offset 0xd60, vaddr
#   0x1d60, sharing its first page with the read-only segment at offset 0:
#   the r-xp mapping has pgoff 0 (the unwinder must take the executable
#   segment's bias, not the first segment's).
# - WasmEdge first maps the file r--s (reading it), then dlopen()s it;
#   the AOT code runs on a thread of its own (VM::asyncExecute), its stacks
#   reach clone3 with 16384 bytes (4096 stop in libwasmedge's executor).
# - perf script names the AOT frames f2, f3, f5 (compute.so) and unwinds
#   through them with their CFI: _start (f2) -> run (f3) -> fib (f5) ...
#   WasmEdge's optimiser inlined sieve, matmul_step and mix into run.
# - The default event is cpu-clock:ppp (no PMU in this VM).
#
# Needs (Debian 12, root): linux-perf clang lld binutils gzip, the wasmedge
# above (WASMEDGE=path, default: wasmedge on PATH)
# Regenerate: WASMEDGE=/tmp/wasmedge-build/tools/wasmedge/wasmedge sh testdata/gen/wasmedge/gen.sh
# (bytes differ every time: then WASMPERF_UPDATE=1 ctest -R case/wasmedge and
# check expected.stdout)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${OUT:-$top/testdata/wasmedge}
work=/tmp/wasmperf-gen/wasmedge
W=${WASMEDGE:-wasmedge}
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work"
cd "$work"
cp "$here/compute.c" .
clang --target=wasm32 -O1 -nostdlib -Wl,--no-entry -Wl,--export=_start -o compute.wasm compute.c
"$W" compile compute.wasm compute.so >/dev/null 2>&1
perf record -q -z --call-graph dwarf,16384 -F 999 -o perf.data -- "$W" run --run-mode aot compute.so >/dev/null

# the text: pass 1 with /proc/kallsyms, then the kernel symbols it prints ->
# kallsyms.txt, pass 2 (kept) with kallsyms.txt
perf script -i perf.data 2>/dev/null >script.raw.txt
grep -E '^\s+ffff[0-9a-f]+ ' script.raw.txt | awk '{print $2}' | sed 's/+0x[0-9a-f]*$//' | sort -u >ksyms.used
awk '$2 ~ /^[TtWwDdBb]$/' /proc/kallsyms | sort -s -k1,1 >kall.sorted
awk 'NR==FNR { used[$1] = 1; next }
     { addr[NR] = $1; line[NR] = $0; name[NR] = $3 }
     END {
       for (i = 1; i <= NR; i++) if (name[i] in used || name[i] == "_text" || name[i] == "_stext") {
         a = addr[i]; j = i; while (j > 1 && addr[j-1] == a) j--
         while (j <= NR && addr[j] == a) keep[j++] = 1
         if (j <= NR) { b = addr[j]; while (j <= NR && addr[j] == b) keep[j++] = 1 }
       }
       for (i = 1; i <= NR; i++) if (keep[i]) print line[i]
     }' ksyms.used kall.sorted >kallsyms.txt
perf script -i perf.data --kallsyms "$work/kallsyms.txt" 2>/dev/null >script.txt
cmp -s script.raw.txt script.txt ||
	echo "warning: kallsyms.txt names kernel frames otherwise than /proc/kallsyms" >&2
perf buildid-list -i perf.data 2>/dev/null >buildids.txt || true

{
	echo "# nm -D --defined-only compute.so"
	nm -D --defined-only compute.so
	echo "# wasmperf-names --list --wasm compute.wasm"
	if command -v wasmperf-names >/dev/null; then wasmperf-names --list --wasm compute.wasm; fi
	echo "# wasm.code == compute.wasm: $(python3 -c '
import sys
so = open("compute.so", "rb").read(); w = open("compute.wasm", "rb").read()
print("yes" if w in so else "no")' 2>/dev/null || echo unknown)"
	echo "# samples: $(grep -c '^[^[:space:]]' script.txt)," \
		"with a compute.so frame: $(awk 'BEGIN { RS = "" } /compute\.so/ { n++ } END { print n + 0 }' script.txt)"
} >facts.txt

mkdir -p "$out"
cp perf.data compute.so compute.wasm kallsyms.txt buildids.txt facts.txt "$out/"
chmod 644 "$out/perf.data"
gzip -9n <script.txt >"$out/script.txt.gz"
ls -l "$out"
