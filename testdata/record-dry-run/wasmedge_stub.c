/* wasmedge_stub.c - stands in for WasmEdge in wasmperf-record's tests: a
 * CLI that is a stub over a shared library, as WasmEdge's is over
 * libwasmedge.so. With -DLIB (built as libwasmedge.so.0) it defines
 * WasmEdge_Driver_UniTool, by which a renamed CLI is known, and the C++
 * functions the wasmedge preset's markers name, through their mangled
 * symbols as WasmEdge's build has them (plus a compiler-made .cold copy,
 * which is not a function's entry); runFunction runs on a second thread,
 * as WasmEdge's asyncExecute runs it. Without -DLIB it is the CLI: main
 * calls WasmEdge_Driver_UniTool. Arguments: [MODULE [TENTHS [EXIT]]]. */
#include <stdlib.h>

int WasmEdge_Driver_UniTool(int argc, const char *argv[]);

#ifndef LIB
int main(int argc, const char *argv[])
{
	return WasmEdge_Driver_UniTool(argc, argv);
}
#else
#include <pthread.h>
#include <stdio.h>

#define PARSE_MODULE "_ZN8WasmEdge6Loader6Loader11parseModuleERKNSt10filesystem7__cxx114pathE"
#define PARSE_UNIT "_ZN8WasmEdge6Loader6Loader13parseWasmUnitERKNSt10filesystem7__cxx114pathE"
#define INSTANTIATE \
	"_ZN8WasmEdge8Executor8Executor17instantiateModuleERNS_7Runtime12StoreManagerERKNS_3AST6ModuleE"
#define RUN_FUNCTION "_ZN8WasmEdge8Executor8Executor11runFunctionERNS_7Runtime12StackManagerE"

static volatile unsigned long sink;

static void work(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i ^ (sink >> 3);
}

__attribute__((noinline)) void parse_wasm_unit(unsigned long n) __asm__(PARSE_UNIT);
__attribute__((noinline)) void parse_module(unsigned long n) __asm__(PARSE_MODULE);
__attribute__((noinline)) void instantiate_module(unsigned long n) __asm__(INSTANTIATE);
__attribute__((noinline)) void run_function(unsigned long n) __asm__(RUN_FUNCTION);
__attribute__((noinline, used)) void parse_wasm_unit_cold(void) __asm__(PARSE_UNIT ".cold");

void parse_wasm_unit(unsigned long n) { work(n); }
void parse_module(unsigned long n) { parse_wasm_unit(n); }
void instantiate_module(unsigned long n) { work(n); }
void run_function(unsigned long n) { work(n); }
void parse_wasm_unit_cold(void) { puts("error"); }

static void *async_execute(void *arg)
{
	run_function(*(unsigned long *)arg);
	return NULL;
}

int WasmEdge_Driver_UniTool(int argc, const char *argv[])
{
	unsigned long tenths = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	unsigned long n = tenths * 30000000ul;
	parse_module(2000000);
	instantiate_module(1000000);
	pthread_t t;
	if (pthread_create(&t, NULL, async_execute, &n) != 0)
		return 1;
	pthread_join(t, NULL);
	return argc > 3 ? atoi(argv[3]) : 0;
}
#endif
