/* test_cfi_check.c - a jitdump's unwinding info checked before libdw
 * (symbolizer/cfi_check.c): every record V8 wrote in the jit-node fixture
 * passes; a small CIE + FDE + header built here passes, and each way of
 * breaking it is refused with its offset; the fuzz finding (a register
 * number that made libdw clear 2 GiB) is refused. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "native_internal.h"

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t u32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks every unwinding record of a V8 jitdump in testdata/: they precede
 * the code loads they belong to (the code's size places .eh_frame). Counts
 * records with .eh_frame (*frames) and bare headers (*bare). */
static void check_v8_dump(const char *rel, size_t *frames, size_t *bare)
{
	const char *src = getenv("WASMPERF_SRC");
	char path[4096];
	snprintf(path, sizeof path, "%s/testdata/%s", src ? src : ".", rel);
	gzFile gz = gzopen(path, "rb");
	CHECK(gz != NULL);
	if (!gz)
		return;
	size_t cap = 64u << 20, len = 0;
	uint8_t *d = malloc(cap);
	int n;
	while (d && len < cap && (n = gzread(gz, d + len, (unsigned)(cap - len))) > 0)
		len += (size_t)n;
	gzclose(gz);
	CHECK(d && len > 40 && len < cap);
	size_t pos = d ? u32_at(d + 8) : len, refused = 0;
	const uint8_t *blob = NULL;
	uint64_t usz = 0, hsz = 0;
	while (pos + 16 <= len) {
		uint32_t id = u32_at(d + pos), size = u32_at(d + pos + 4);
		if (size < 16 || size > len - pos)
			break;
		if (id == 4 && size >= 40) {
			usz = u64_at(d + pos + 16);
			hsz = u64_at(d + pos + 24);
			blob = usz <= size - 40 && hsz <= usz ? d + pos + 40 : NULL;
		} else if (id == 0 && size >= 56 && blob) {
			uint64_t code_size = u64_at(d + pos + 40);
			size_t bad;
			const char *why;
			if (native_cfi_check(blob, (size_t)usz, (size_t)hsz, (code_size + 7) & ~7ull,
					     &bad, &why) != 0) {
				refused++;
				fprintf(stderr, "  %s: refused at %zu: %s\n", rel, bad, why);
			}
			*(usz > hsz ? frames : bare) += 1;
			blob = NULL;
		}
		pos += size;
	}
	CHECK(refused == 0);
	free(d);
}

/* node 20 writes real CFI for a few builtins, a bare header for the rest */
static void test_v8_records(void)
{
	size_t frames = 0, bare = 0;
	check_v8_dump("jit-node/dwarf/jit-27711.dump.gz", &frames, &bare);
	check_v8_dump("jit-node/jit-27692.dump.gz", &frames, &bare);
	check_v8_dump("cxx-names/jit-22907.dump.gz", &frames, &bare);
	CHECK(frames >= 7 && bare >= 6000);
}

/* A CIE, an FDE and a search table as V8 writes them (encodings 0x1b,
 * 0x03, 0x3b), .eh_frame at image address 0x100. */
struct blob {
	uint8_t b[128];
	size_t size, hdr, cie_insn, fde, table_fde;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct blob good_blob(void)
{
	struct blob x = {{0}, 0, 0, 0, 0, 0};
	static const uint8_t cie[] = {
		0x14, 0, 0, 0, 0, 0, 0, 0,   /* length 20, CIE id */
		1, 'z', 'R', 0, 1, 0x78, 16, /* version, "zR", code 1, data -8, RA 16 */
		1, 0x1b,                     /* augmentation: FDE pointers pcrel sdata4 */
		0x0c, 7, 8, 0x90, 1,         /* def_cfa r7+8; offset r16 */
		0, 0,                        /* nops */
	};
	memcpy(x.b, cie, sizeof cie);
	x.cie_insn = 17;
	x.fde = sizeof cie;                        /* 24 */
	uint8_t *f = x.b + x.fde;
	put32(f, 0x14);                            /* length 20 */
	put32(f + 4, (uint32_t)(x.fde + 4));       /* back to the CIE at 0 */
	put32(f + 8, (uint32_t)-(int32_t)(0x100 + x.fde + 8)); /* pc_begin: code at 0 */
	put32(f + 12, 0x40);                       /* range */
	f[16] = 0;                                 /* no augmentation data */
	f[17] = 0x41, f[18] = 0x0e, f[19] = 0x10;  /* advance 1; def_cfa_offset 16 */
	size_t eh = x.fde + 24;                    /* 48 */
	uint8_t *h = x.b + eh;
	h[0] = 1, h[1] = 0x1b, h[2] = 0x03, h[3] = 0x3b;
	put32(h + 4, (uint32_t)-(int32_t)(eh + 4));          /* pcrel: back to .eh_frame */
	put32(h + 8, 1);
	put32(h + 12, (uint32_t)-(int32_t)(0x100 + eh));     /* initial location: 0 */
	put32(h + 16, (uint32_t)((int32_t)x.fde - (int32_t)eh)); /* the FDE */
	x.table_fde = eh + 16;
	x.hdr = 20;
	x.size = eh + x.hdr;
	return x;
}

static void expect(const struct blob *x, int want_rc, size_t want_at, const char *want_why)
{
	size_t bad = 0;
	const char *why = NULL;
	int rc = native_cfi_check(x->b, x->size, x->hdr, 0x100, &bad, &why);
	CHECK(rc == want_rc);
	if (want_why) {
		CHECK(bad == want_at);
		CHECK(why && strstr(why, want_why));
		if (!why || !strstr(why, want_why) || bad != want_at)
			fprintf(stderr, "  got %zu '%s', want %zu '%s'\n", bad, why ? why : "",
				want_at, want_why);
	}
}

static void test_built_blob(void)
{
	struct blob x = good_blob();
	expect(&x, 0, 0, NULL);

	x = good_blob(); /* the return address column (version 3: a ULEB) */
	x.b[8] = 3, x.b[14] = 0x90, x.b[15] = 0x10;
	expect(&x, WP_E_FORMAT, 14, "return address register");

	x = good_blob(); /* a register number libdw would size its table by */
	x.b[x.cie_insn + 1] = 0xff, x.b[x.cie_insn + 2] = 0x7f; /* def_cfa r16383 */
	expect(&x, WP_E_FORMAT, x.cie_insn + 1, "register number");

	x = good_blob(); /* a DWARF expression */
	x.b[x.fde + 20] = 0x0f;
	expect(&x, WP_E_FORMAT, x.fde + 20, "DWARF expression");

	x = good_blob(); /* an FDE whose CIE pointer misses the CIE */
	put32(x.b + x.fde + 4, (uint32_t)(x.fde + 4 - 4));
	expect(&x, WP_E_FORMAT, x.fde + 4, "without a CIE");

	x = good_blob(); /* an entry longer than .eh_frame */
	put32(x.b + x.fde, 0x1000);
	expect(&x, WP_E_FORMAT, x.fde, "longer than");

	x = good_blob(); /* a search table entry inside the FDE */
	put32(x.b + x.table_fde, (uint32_t)((int32_t)x.fde + 4 - 48));
	expect(&x, WP_E_FORMAT, x.table_fde, "not at an FDE");

	x = good_blob(); /* the header pointing elsewhere */
	put32(x.b + 48 + 4, (uint32_t)-(int32_t)(48 + 4 - 8));
	expect(&x, WP_E_FORMAT, 52, "does not point at .eh_frame");

	x = good_blob(); /* an instruction cut by the end of its entry */
	x.b[x.fde + 21] = 0x05, x.b[x.fde + 22] = 0x80, x.b[x.fde + 23] = 0x80;
	expect(&x, WP_E_FORMAT, x.fde + 22, "truncated");

	/* V8's header alone (code without unwinding info): never given to libdw */
	static const uint8_t bare[20] = {1, 0x1b, 3, 0x3b};
	size_t bad;
	const char *why;
	CHECK(native_cfi_check(bare, sizeof bare, sizeof bare, 0x300, &bad, &why) == 0);
}

/* A CIE whose instructions are cie_n DW_CFA_remember_state, an FDE of
 * fde_n more (libdw copies its state at each), no header; its size. */
static size_t nested_blob(uint8_t *b, unsigned cie_n, unsigned fde_n)
{
	static const uint8_t head[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b};
	size_t cie_end = (sizeof head + cie_n + 3) & ~(size_t)3;
	memset(b, 0, 1024);
	memcpy(b, head, sizeof head);
	memset(b + sizeof head, 0x0a, cie_n);
	put32(b, (uint32_t)(cie_end - 4));
	size_t f = cie_end, fde_end = f + ((17 + fde_n + 3) & ~(size_t)3);
	put32(b + f, (uint32_t)(fde_end - f - 4));
	put32(b + f + 4, (uint32_t)(f + 4));
	memset(b + f + 17, 0x0a, fde_n);
	return fde_end;
}

static void test_nesting(void)
{
	uint8_t b[1024];
	size_t bad = 0, n;
	const char *why = NULL;
	n = nested_blob(b, 40, 24); /* 64 deep: fine */
	CHECK(native_cfi_check(b, n, 0, 0, &bad, &why) == 0);
	n = nested_blob(b, 40, 25); /* the 65th, in the FDE */
	CHECK(native_cfi_check(b, n, 0, 0, &bad, &why) == WP_E_FORMAT);
	CHECK(why && strstr(why, "nested") && bad == 60 + 17 + 24);
	n = nested_blob(b, 65, 0); /* in the CIE alone */
	CHECK(native_cfi_check(b, n, 0, 0, &bad, &why) == WP_E_FORMAT && bad == 17 + 64);
	n = nested_blob(b, 100, 0); /* remember, restore, ... 50 times: 1 deep */
	for (size_t i = 0; i < 100; i += 2)
		b[17 + i + 1] = 0x0b;
	CHECK(native_cfi_check(b, n, 0, 0, &bad, &why) == 0);
}

/* fuzz_jit_symbols' finding: DW_CFA_same_value of register 0xfffff8f
 * (its input's unwind operation: 76 bytes of .eh_frame, 20 of header). */
static void test_fuzz_finding(void)
{
	static const uint8_t blob[] = {
		0x18, 0, 0, 0, 0, 0, 0, 0, 3, 'z', 'L', 'R', 0, 1, 0x78, 0x10, 2, 0xff, 0x1b,
		0x0c, 0x07, 0x01, 0x08, 0x8f, 0xff, 0xff, 0xff, 0x00, 0x28, 0, 0, 0, 0x20, 0,
		0, 0, 0x84, 0xfb, 0xff, 0xff, 0x58, 0x04, 0, 0, 0, 0x4f, 0x0e, 0x10, 0x86,
		0x0d, 0x03, 0x06, 0x02, 0x43, 0x30, 0x03, 0x0d, 0x07, 0x41, 0x0e, 0x08, 0x52,
		0x0c, 0x06, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1b, 3, 0x3b, 0xb0, 0xff,
		0xff, 0xff, 1, 0, 0, 0, 0x5c, 0xfb, 0xff, 0x0e, 0x10, 0x04, 0, 0,
	};
	size_t bad;
	const char *why = NULL;
	CHECK(sizeof blob == 96);
	CHECK(native_cfi_check(blob, sizeof blob, 20, 0x400, &bad, &why) == WP_E_FORMAT);
	CHECK(bad == 23 && why && strstr(why, "register number"));
}

int main(void)
{
	test_v8_records();
	test_built_blob();
	test_nesting();
	test_fuzz_finding();
	return check_report();
}
