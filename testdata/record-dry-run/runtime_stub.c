/* runtime_stub.c - stands in for a Wasm runtime in wasmperf-record's tests:
 * the functions the phases presets probe (WAMR's C names by default; with
 * -DNODE, node/V8's C++ names through their mangled symbols; with -DLOCAL,
 * static functions, which perf probe cannot place by name), the option
 * names the runtimes print in their help (how wasmperf record tells that a
 * flag is known), some work in each phase, and an exit status from argv. */
#include <stdio.h>
#include <stdlib.h>

#ifdef NODE
#define LOAD_NAME __asm__("_ZN2v88internal4wasm10WasmEngine11SyncCompileEPNS0_7IsolateERKNS1_12WasmFeaturesEPNS1_12ErrorThrowerENS1_15ModuleWireBytesE")
#define INST_NAME __asm__("_ZN2v88internal4wasm10WasmEngine15SyncInstantiateEPNS0_7IsolateEPNS1_12ErrorThrowerENS0_6HandleINS0_16WasmModuleObjectEEENS0_11MaybeHandleINS0_10JSReceiverEEENSA_INS0_13JSArrayBufferEEE")
#define EXEC_NAME __asm__("_ZN4node4wasi4WASI10_SetMemoryERKN2v820FunctionCallbackInfoINS2_5ValueEEE")
#else
#define LOAD_NAME
#define INST_NAME
#define EXEC_NAME
#endif
#ifdef LOCAL
#define SCOPE static
#else
#define SCOPE
#endif

const char *help_text = "--enable-linux-perf --perf-basic-prof --perf-prof --profile=perfmap|jitdump";

static volatile unsigned long sink;

static void work(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i ^ (sink >> 3);
}

SCOPE __attribute__((noinline, used)) void wasm_runtime_load(unsigned long n) LOAD_NAME;
SCOPE __attribute__((noinline, used)) void wasm_runtime_instantiate(unsigned long n) INST_NAME;
SCOPE __attribute__((noinline, used)) void wasm_application_execute_main(unsigned long n) EXEC_NAME;

SCOPE void wasm_runtime_load(unsigned long n) { work(n); }
SCOPE void wasm_runtime_instantiate(unsigned long n) { work(n); }
SCOPE void wasm_application_execute_main(unsigned long n) { work(n); }

int main(int argc, char **argv)
{
	/* runtime_stub [--version] [MODULE [SECONDS_TENTHS [EXIT]]] */
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] == 'v') {
			puts("runtime-stub 1.0");
			return 0;
		}
	int k = 1;
	while (k < argc && argv[k][0] == '-')
		k++; /* the runtime flags wasmperf record added */
	unsigned long tenths = k + 1 < argc ? strtoul(argv[k + 1], NULL, 10) : 1;
	wasm_runtime_load(2000000);
	wasm_runtime_instantiate(1000000);
	wasm_application_execute_main(tenths * 30000000ul);
	return k + 2 < argc ? atoi(argv[k + 2]) : 0;
}
