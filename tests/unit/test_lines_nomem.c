/* test_lines_nomem.c - wp_lines_open and wp_lines_open_mem when memory
 * runs out: *out is NULL, not left unset, and the message and free calls
 * every caller makes on the error path accept it. calloc is wrapped at link
 * time (-Wl,--wrap=calloc) to fail on demand. */
#include <stdlib.h>

#include "check.h"
#include "wpcommon.h"

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static int fail_callocs;

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_callocs > 0) {
		fail_callocs--;
		return NULL;
	}
	return __real_calloc(n, size);
}

int main(void)
{
	struct wp_lines *lines = (struct wp_lines *)&lines; /* garbage, as an unset local */
	fail_callocs = 1;
	CHECK(wp_lines_open(&lines, "/dev/null", 1024) == WP_E_NOMEM);
	CHECK(lines == NULL);
	CHECK_STR(wp_lines_errmsg(lines), "out of memory");
	wp_lines_free(lines);

	lines = (struct wp_lines *)&lines;
	fail_callocs = 1;
	CHECK(wp_lines_open_mem(&lines, "a\n", 2, "mem") == WP_E_NOMEM);
	CHECK(lines == NULL);
	wp_lines_free(lines);

	/* and with memory, the reader works */
	CHECK(wp_lines_open_mem(&lines, "a\nbc\n", 5, "mem") == 0 && lines != NULL);
	const char *line;
	size_t len;
	CHECK(wp_lines_next(lines, &line, &len) == 1 && len == 1 && line[0] == 'a');
	CHECK(wp_lines_next(lines, &line, &len) == 1 && len == 2);
	CHECK(wp_lines_next(lines, &line, &len) == 0);
	CHECK_STR(wp_lines_errmsg(lines), "no error");
	wp_lines_free(lines);
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
