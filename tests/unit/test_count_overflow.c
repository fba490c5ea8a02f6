/* test_count_overflow.c - folded counts are 64-bit: a count past 2^64 - 1,
 * or counts that add up past it, are errors (WP_E_TOOBIG with a message),
 * never clamped, in the folded parser, the flame graph and the diff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flamegraph.h"

#define L(s) s, sizeof s - 1

static void test_parse(void)
{
	struct fg_folded_line fl;
	char msg[128];
	CHECK(fg_folded_parse_line(L("a;b 18446744073709551615"), &fl) == 0);
	CHECK(fl.count == UINT64_MAX);
	CHECK(fg_folded_parse_line(L("a;b 12.75"), &fl) == 0 && fl.count == 12);
	CHECK(fl.count_nano == 750000000);
	/* fractions to 9 decimals, further digits dropped */
	CHECK(fg_folded_parse_line(L("a;b 0.0000000019 3."), &fl) == 0 && fl.count_nano == 1);
	CHECK(fl.count2 == 3 && fl.count2_nano == 0);
	CHECK(fg_folded_parse_line(L("a;b 18446744073709551616"), &fl) == WP_E_TOOBIG);
	CHECK(fl.stack_len == 3);
	fg_folded_count_error(&fl, msg, sizeof msg);
	CHECK_STR(msg, "count 18446744073709551616 does not fit in 64 bits");
	CHECK(fg_folded_parse_line(L("a;b 99999999999999999999.5"), &fl) == WP_E_TOOBIG);
	/* differential: either column */
	CHECK(fg_folded_parse_line(L("a;b 1 99999999999999999999"), &fl) == WP_E_TOOBIG);
	CHECK(fl.has_count2);
	CHECK(fg_folded_parse_line(L("a;b 99999999999999999999 1"), &fl) == WP_E_TOOBIG);
	fg_folded_count_error(&fl, msg, sizeof msg);
	CHECK_STR(msg, "count 99999999999999999999 does not fit in 64 bits");
	CHECK(fg_folded_parse_line(L("a 123456789012345678901234567890123456789012345678901234567890"),
				   &fl) == WP_E_TOOBIG);
	fg_folded_count_error(&fl, msg, sizeof msg);
	CHECK_STR(msg, "count 1234567890123456789012345678901234567... does not fit in 64 bits");
	/* the second count: a whole blank-separated word of digits (and a
	 * point) before the last, with a stack before it */
	CHECK(fg_folded_parse_line(L("a;b 1 2"), &fl) == 0 && fl.has_count2 && fl.stack_len == 3);
	CHECK(fg_folded_parse_line(L("a;b1 2"), &fl) == 0 && !fl.has_count2 && fl.stack_len == 4);
	CHECK(fg_folded_parse_line(L("a;x.1 2"), &fl) == 0 && !fl.has_count2 && fl.stack_len == 5);
	CHECK(fg_folded_parse_line(L("a;b 1.5\t2."), &fl) == 0 && fl.has_count2 && fl.count == 1);
	CHECK(fg_folded_parse_line(L("a;b 1.2.3 4"), &fl) == 0 && !fl.has_count2 && fl.stack_len == 9);
	CHECK(fg_folded_parse_line(L("1 2"), &fl) == 0 && !fl.has_count2 && fl.stack_len == 1);
	CHECK(fg_folded_parse_line(L("a;b . 4"), &fl) == 0 && !fl.has_count2 && fl.stack_len == 5);
}

static void test_flame(void)
{
	struct fg_flame_options o;
	fg_flame_options_init(&o);
	struct fg_flame *f = fg_flame_new(&o);
	CHECK(f != NULL);
	CHECK(fg_flame_add_line(f, L("a;b 1")) == 0);
	CHECK(fg_flame_add_line(f, L("a;b 99999999999999999999")) == WP_E_TOOBIG);
	CHECK_STR(fg_flame_errmsg(f), "count 99999999999999999999 does not fit in 64 bits");
	fg_flame_free(f);

	f = fg_flame_new(&o);
	CHECK(fg_flame_add_line(f, L("a;b 9223372036854775808")) == 0);
	CHECK(fg_flame_add_line(f, L("a;c 4611686018427387904")) == 0);
	CHECK(fg_flame_add_line(f, L("a;b 9223372036854775808")) == WP_E_TOOBIG);
	CHECK_STR(fg_flame_errmsg(f), "counts add up to more than 64 bits");
	struct fg_flame_stats st;
	fg_flame_get_stats(f, &st);
	CHECK(st.bad_lines == 0);
	fg_flame_free(f);
}

static void test_diff(void)
{
	struct fg_diff *d = fg_diff_new(false);
	CHECK(fg_diff_add_line(d, 0, L("a;b 5")) == 0);
	CHECK_STR(fg_diff_errmsg(d), "no error");
	CHECK(fg_diff_add_line(d, 1, L("a;b 99999999999999999999")) == WP_E_TOOBIG);
	CHECK_STR(fg_diff_errmsg(d), "count 99999999999999999999 does not fit in 64 bits");
	/* the same stack twice, and two stacks, past 64 bits on one side */
	CHECK(fg_diff_add_line(d, 1, L("a;b 9223372036854775808")) == 0);
	CHECK(fg_diff_add_line(d, 1, L("a;b 9223372036854775808")) == WP_E_TOOBIG);
	CHECK_STR(fg_diff_errmsg(d), "counts add up to more than 64 bits");
	CHECK(fg_diff_add_line(d, 1, L("a;c 9223372036854775808")) == WP_E_TOOBIG);
	/* the other side has its own total; the largest count is exact */
	CHECK(fg_diff_add_line(d, 0, L("a;c 18446744073709551610")) == 0);
	CHECK(fg_diff_stats(d)->bad_lines == 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	CHECK(fg_diff_write(d, out, false) == 0);
	fclose(out);
	CHECK_STR(buf, "a;b 5 9223372036854775808\na;c 18446744073709551610 0\n");
	free(buf);
	fg_diff_free(d);
}

int main(void)
{
	test_parse();
	test_flame();
	test_diff();
	return check_report();
}
