# Turns a text file into a C string constant `fg_flamegraph_js`.
file(READ ${IN} HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUT} "/* generated from flamegraph.js */\n#include <stddef.h>\nconst char fg_flamegraph_js[] = {${BYTES} 0};\nconst size_t fg_flamegraph_js_len = sizeof(fg_flamegraph_js) - 1;\n")
