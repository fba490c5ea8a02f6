/* output.c - -o FILE or standard output, opened and closed in one place. */
#include <errno.h>
#include <string.h>

#include "output.h"

FILE *tool_output_open(const struct wp_cli *cli, const char *path)
{
	if (!path)
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f)
		wp_cli_error(cli, "cannot write '%s': %s", path, strerror(errno));
	return f;
}

int tool_output_close(const struct wp_cli *cli, const char *path, FILE *f)
{
	bool bad = fflush(f) != 0;
	bad |= ferror(f) != 0;
	if (path)
		bad |= fclose(f) != 0;
	if (bad)
		wp_cli_error(cli, "cannot write '%s'", path ? path : "<stdout>");
	return bad ? 1 : 0;
}
