/* test_export.c - the pieces of wasmperf-export's writers that see raw
 * bytes or write a wire format (flamegraph/export_*.c):
 * - fg_json_string: any bytes become a valid UTF-8 JSON string; invalid
 *   bytes, overlongs, surrogates, code points past U+10FFFF and truncated
 *   sequences become U+FFFD, one per maximal subpart (the WHATWG decoder's
 *   count), control bytes \u00XX; fg_json_ms writes exact milliseconds;
 * - the protobuf encoder: varints at every length boundary, tags of large
 *   field numbers, proto3's skipped zeros, negative int64 in ten bytes,
 *   packed fields (the encoding guide's own example), a capped buffer;
 * - the sample store: samples past the in-memory budget spill to a
 *   temporary file and come back per thread in time order (equal times in
 *   arrival order), whatever order they came in; a spill directory that
 *   does not exist is WP_E_IO with its errno;
 * - phases: a sample's phase is the deepest holding it, the process's end
 *   closes the last one. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "export_internal.h"

/* fg_json_string's output for n bytes, NUL-terminated (static buffer). */
static const char *json(const char *s, size_t n)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof out - 1, "w");
	struct fg_out o;
	fg_out_init(&o, f);
	fg_json_string(&o, s, n);
	fg_out_flush(&o);
	fg_out_release(&o);
	long len = ftell(f);
	fclose(f);
	out[len < 0 ? 0 : len] = '\0';
	return out;
}
#define JSON(lit) json(lit, sizeof lit - 1)
#define FFFD "\xef\xbf\xbd"

static const char *ms(uint64_t ns)
{
	static char out[64];
	FILE *f = fmemopen(out, sizeof out - 1, "w");
	struct fg_out o;
	fg_out_init(&o, f);
	fg_json_ms(&o, ns);
	fg_out_flush(&o);
	fg_out_release(&o);
	long len = ftell(f);
	fclose(f);
	out[len < 0 ? 0 : len] = '\0';
	return out;
}

static void test_json(void)
{
	CHECK_STR(JSON(""), "\"\"");
	CHECK_STR(JSON("plain name::f<T>"), "\"plain name::f<T>\"");
	CHECK_STR(JSON("a\"b\\c"), "\"a\\\"b\\\\c\"");
	/* control bytes, NUL included; DEL is a legal JSON character */
	CHECK_STR(JSON("\x01\n\t\x1f\x7f"), "\"\\u0001\\u000a\\u0009\\u001f\x7f\"");
	CHECK_STR(json("a\0b", 3), "\"a\\u0000b\"");
	/* valid sequences of each length pass through */
	CHECK_STR(JSON("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5\xf4\x8f\xbf\xbf"),
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5\xf4\x8f\xbf\xbf\"");
	/* lone bytes that cannot start a sequence */
	CHECK_STR(JSON("\xff\xfe"), "\"" FFFD FFFD "\"");
	CHECK_STR(JSON("\x80x"), "\"" FFFD "x\"");
	CHECK_STR(JSON("\xc0\xaf"), "\"" FFFD FFFD "\"");           /* overlong '/' */
	CHECK_STR(JSON("\xc1\xbf"), "\"" FFFD FFFD "\"");
	CHECK_STR(JSON("\xe0\x80\xaf"), "\"" FFFD FFFD FFFD "\""); /* overlong, 3 bytes */
	CHECK_STR(JSON("\xf0\x80\x80\xaf"), "\"" FFFD FFFD FFFD FFFD "\"");
	/* UTF-16 surrogates (CESU-8) */
	CHECK_STR(JSON("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JSON("\xed\xbf\xbf"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JSON("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");     /* U+D7FF is fine */
	/* past U+10FFFF, and lead bytes F5..FF */
	CHECK_STR(JSON("\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR(JSON("\xf5\x80"), "\"" FFFD FFFD "\"");
	/* a truncated sequence is one U+FFFD, at the end or before other bytes */
	CHECK_STR(JSON("\xe2\x82"), "\"" FFFD "\"");
	CHECK_STR(JSON("\xf0\x9f\x94"), "\"" FFFD "\"");
	CHECK_STR(JSON("\xe2\x82x\"\xc3"), "\"" FFFD "x\\\"" FFFD "\"");
	CHECK_STR(JSON("\xf0\x9f\x94\xe2\x82\xac"), "\"" FFFD "\xe2\x82\xac\"");

	CHECK_STR(ms(0), "0");
	CHECK_STR(ms(1000000), "1");
	CHECK_STR(ms(1000250), "1.00025");
	CHECK_STR(ms(1), "0.000001");
	CHECK_STR(ms(UINT64_MAX), "18446744073709.551615");
}

static bool bytes_are(const struct wp_buf *b, const char *want, size_t n)
{
	return b->len == n && memcmp(b->data, want, n) == 0;
}
#define BYTES(b, lit) bytes_are(b, lit, sizeof lit - 1)

static void test_protobuf(void)
{
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	static const struct {
		uint64_t v;
		const char *enc;
		size_t n;
	} varints[] = {
		{0, "\x00", 1}, {1, "\x01", 1}, {127, "\x7f", 1}, {128, "\x80\x01", 2},
		{300, "\xac\x02", 2}, {16383, "\xff\x7f", 2}, {16384, "\x80\x80\x01", 3},
		{UINT32_MAX, "\xff\xff\xff\xff\x0f", 5},
		{UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10},
	};
	for (size_t i = 0; i < sizeof varints / sizeof *varints; i++) {
		wp_buf_reset(&b);
		CHECK(fg_pb_varint(&b, varints[i].v) == 0);
		CHECK(bytes_are(&b, varints[i].enc, varints[i].n));
	}
	/* the encoding guide's examples: field 1 = 150; packed field 4 */
	wp_buf_reset(&b);
	CHECK(fg_pb_uint(&b, 1, 150) == 0 && BYTES(&b, "\x08\x96\x01"));
	wp_buf_reset(&b);
	uint64_t packed[] = {3, 270, 86942};
	CHECK(fg_pb_packed(&b, 4, packed, 3) == 0 && BYTES(&b, "\x22\x06\x03\x8e\x02\x9e\xa7\x05"));
	/* proto3: zero scalars and empty packed fields are left out */
	wp_buf_reset(&b);
	CHECK(fg_pb_uint(&b, 3, 0) == 0 && fg_pb_int(&b, 3, 0) == 0 && fg_pb_packed(&b, 2, packed, 0) == 0);
	CHECK(b.len == 0);
	/* strings and messages: length-delimited, also when empty */
	CHECK(fg_pb_bytes(&b, 6, "ab", 2) == 0 && BYTES(&b, "\x32\x02\x61\x62"));
	wp_buf_reset(&b);
	CHECK(fg_pb_bytes(&b, 6, "", 0) == 0 && BYTES(&b, "\x32\x00"));
	/* a field number past 15 takes a two-byte tag */
	wp_buf_reset(&b);
	CHECK(fg_pb_uint(&b, 19, 1) == 0 && BYTES(&b, "\x98\x01\x01"));
	/* int64 -1: two's complement, ten bytes */
	wp_buf_reset(&b);
	CHECK(fg_pb_int(&b, 2, -1) == 0 && BYTES(&b, "\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"));
	/* a length of 300 bytes takes two bytes */
	char big[300];
	memset(big, 'x', sizeof big);
	wp_buf_reset(&b);
	CHECK(fg_pb_bytes(&b, 1, big, sizeof big) == 0 && b.len == 303 &&
	      memcmp(b.data, "\x0a\xac\x02", 3) == 0);
	wp_buf_release(&b);
	/* a capped buffer: the error comes back */
	wp_buf_init(&b, 8);
	CHECK(fg_pb_bytes(&b, 1, big, 20) != 0);
	wp_buf_release(&b);
}

/* n samples over 3 threads, times going backwards every 1000 samples
 * (several recordings of one run concatenated), some times repeated. */
static uint64_t sample_time(uint64_t i) { return (i % 1000) / 2 * 10; }

static void test_store(void)
{
	struct fg_profile_info info = {.name = "t", .timed = true, .spill_dir = "/tmp"};
	struct fg_profile *p = fg_profile_new(&info);
	CHECK(p != NULL);
	if (!p)
		return;
	uint32_t frame, stack, th[3];
	struct fg_profile_frame f = {.name = "main", .name_len = 4};
	CHECK(fg_profile_frame(p, &f, &frame) == 0);
	CHECK(fg_profile_stack(p, &frame, 1, &stack) == 0);
	for (uint32_t t = 0; t < 3; t++)
		CHECK(fg_profile_thread(p, 1, 100 + t, "x", 1, &th[t]) == 0);
	uint64_t n = 3 * (uint64_t)FG_STORE_BUDGET + 123; /* 3 spilled runs + one in memory */
	bool ok = true;
	for (uint64_t i = 0; i < n && ok; i++) /* the weight is the arrival index */
		ok = fg_profile_sample(p, th[i % 3], stack, sample_time(i), i) == 0;
	CHECK(ok);
	CHECK(fg_profile_sample(p, th[0], stack, 0, n) == 0); /* time 0 again, arriving last */
	n++;
	CHECK(p->store.nruns == 3 && p->store.fd >= 0);
	struct fg_sample_iter it;
	CHECK(fg_sample_iter_open(&it, p, th[0]) == WP_E_USAGE); /* not finished */
	CHECK(fg_profile_finish(p) == 0);
	CHECK(fg_profile_sample(p, th[0], stack, 0, 1) == WP_E_USAGE);
	uint64_t total = 0;
	for (uint32_t t = 0; t < 3; t++) {
		CHECK(fg_sample_iter_open(&it, p, th[t]) == 0);
		struct fg_psample s, prev = {0};
		uint64_t count = 0;
		int rc;
		bool ordered = true, right_thread = true;
		while ((rc = fg_sample_iter_next(&it, &s)) == 1) {
			if (count && (s.time < prev.time || (s.time == prev.time && s.weight <= prev.weight)))
				ordered = false;
			right_thread = right_thread && s.thread == th[t] && s.stack == stack;
			prev = s;
			count++;
		}
		CHECK(rc == 0 && ordered && right_thread);
		CHECK(count == p->threads[th[t]].samples);
		total += count;
		fg_sample_iter_close(&it);
	}
	CHECK(total == n);
	fg_profile_free(p);
}

/* A temporary file that cannot be made: the sample past the budget fails
 * with WP_E_IO and the reason is kept. */
static void test_store_no_dir(void)
{
	struct fg_profile_info info = {.name = "t", .timed = true, .spill_dir = "/nonexistent/dir"};
	struct fg_profile *p = fg_profile_new(&info);
	uint32_t frame, stack, th;
	struct fg_profile_frame f = {.name = "main", .name_len = 4};
	CHECK(p && fg_profile_frame(p, &f, &frame) == 0 && fg_profile_stack(p, &frame, 1, &stack) == 0 &&
	      fg_profile_thread(p, 1, 1, "x", 1, &th) == 0);
	int rc = 0;
	uint64_t i = 0;
	while (p && !rc && i <= FG_STORE_BUDGET)
		rc = fg_profile_sample(p, th, stack, i++, 1);
	CHECK(rc == WP_E_IO && i == FG_STORE_BUDGET + 1);
	CHECK(p && fg_profile_spill_errno(p) == ENOENT);
	fg_profile_free(p);
}

static void test_phases(void)
{
	struct fg_profile_info info = {.name = "t", .timed = true, .aggregate = true};
	struct fg_profile *p = fg_profile_new(&info);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(fg_profile_phase(p, 7, "run", 3, 100, 200, 0) == 0);
	CHECK(fg_profile_phase(p, 7, "main", 4, 120, 180, 1) == 0);
	CHECK(fg_profile_phase(p, 7, "also-run", 8, 100, 200, 0) == 0);
	CHECK(fg_profile_phase(p, 7, "early", 5, 50, 100, 0) == 0);
	CHECK(fg_profile_phase(p, 8, "other", 5, 0, 1000, 0) == 0);
	CHECK(fg_profile_phase(p, 7, "bad", 3, 10, 5, 0) == WP_E_USAGE);
	CHECK(fg_profile_phase_at(p, 7, 99) == 4);   /* [50, 100) */
	CHECK(fg_profile_phase_at(p, 7, 100) == 1);  /* of equal ones, the first */
	CHECK(fg_profile_phase_at(p, 7, 150) == 2);  /* the deepest */
	CHECK(fg_profile_phase_at(p, 7, 180) == 1);  /* main ends at 180 */
	CHECK(fg_profile_phase_at(p, 7, 200) == 1);  /* the process's end: closed */
	CHECK(fg_profile_phase_at(p, 7, 201) == 0);
	CHECK(fg_profile_phase_at(p, 9, 150) == 0);  /* another process */
	CHECK(fg_profile_phase_at(p, 8, 1000) == 5);
	fg_profile_free(p);
}

int main(void)
{
	test_json();
	test_protobuf();
	test_store();
	test_store_no_dir();
	test_phases();
	return check_report();
}
