#!/usr/bin/awk -f
# cutjit.awk FOLDED: each stack cut at its leaf-most JIT frame (V8 perf map /
# jitdump names, [perf-PID.map], [unknown]), where perf's DWARF unwinders stop:
# wasmperf-fold goes on through the frame-pointer chain, this compares the rest.
{ c = $NF; s = substr($0, 1, length($0) - length(c) - 1); n = split(s, f, ";")
  for (i = n; i > 1; i--) if (f[i] ~ /^(JS|Eval|Builtin|Stub|BytecodeHandler|RegExp|Function|Script|LazyCompile|Handler):|^\[perf-|^\[unknown\]$/) break
  o = f[1]; if (i > 1) { for (k = i; k <= n; k++) o = o ";" f[k] } else { for (k = 2; k <= n; k++) o = o ";" f[k] }
  a[o] += c } END { for (k in a) print k, a[k] }
