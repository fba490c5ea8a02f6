/* edge.c - a stand-in for WasmEdge's command line tool: a stub whose work
 * is in a library named like WasmEdge's (libwasmedge.so.0, edgelib.c),
 * as `wasmedge` calls WasmEdge_Driver_UniTool in libwasmedge.so. */
int WasmEdge_Driver_UniTool(int argc, const char *argv[]);

int main(int argc, const char *argv[])
{
	return WasmEdge_Driver_UniTool(argc, argv);
}
