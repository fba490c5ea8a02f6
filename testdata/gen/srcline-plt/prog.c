/* srcline-plt: calls strlen and abs through the PLT in a loop, so that
 * samples land on the PLT stubs (strlen@plt), for which perf script
 * -F+srcline prints "prog[1040]" (module basename, offset) as the srcline. */
#include <stdlib.h>
#include <string.h>
int main(void)
{
	static char buf[256];
	unsigned long n = 0;
	memset(buf, 'x', sizeof buf - 1);
	for (long i = 0; i < 20000000; i++)
		n += strlen(buf + (i & 7)) + (unsigned long)abs((int)i);
	return (int)(n & 1);
}
