/* cfi_check.c - a JIT's unwinding info (a jitdump's .eh_frame then
 * .eh_frame_hdr) checked before libdw reads it.
 *
 * libdw trusts call frame information: a register number in a CFA
 * instruction sizes its register table, so "DW_CFA_same_value r0xfffff8f"
 * (133 bytes of jitdump, found by fuzz_jit_symbols) made it allocate and
 * clear 2 GiB per frame, for minutes. ELF files come from the machine; a
 * jitdump comes with the recording, so its CFI is parsed here first, the
 * way libdw will read it:
 *   - every CIE and FDE lies inside .eh_frame, every FDE names a CIE before
 *     it, and every instruction of both decodes with its operands inside
 *     the entry;
 *   - registers (CFA instructions, the return address column) are below
 *     CFI_MAX_REG, and DW_CFA_remember_state nests at most CFI_MAX_NESTED
 *     deep (libdw copies the state at each);
 *   - no DWARF expression (DW_CFA_*expression): libdw evaluates them at
 *     unwinding, branches included, and JIT compilers do not emit them;
 *   - .eh_frame_hdr's pointer to .eh_frame is its start, and each entry of
 *     its search table (the only kind libdw uses: datarel sdata4) is the
 *     start of an FDE, so libdw never parses from another offset.
 * Anything else (unknown instructions, encodings or augmentations, a
 * 64-bit length) is refused rather than guessed: the code then unwinds as
 * code without unwinding info. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "native_internal.h"

#define CFI_MAX_REG 128  /* x86-64's DWARF registers end at 125 (k7), AArch64's at 127 */
#define CFI_MAX_NESTED 64 /* DW_CFA_remember_state: each one is a copy of the state in libdw */

struct cursor {
	const uint8_t *base; /* offsets in messages count from here */
	size_t at, end;
	const char *why;     /* set at the first problem */
	size_t bad;
};

static bool fail(struct cursor *c, size_t at, const char *why)
{
	if (!c->why) {
		c->why = why;
		c->bad = at;
	}
	return false;
}

static bool take(struct cursor *c, size_t n, uint64_t *v)
{
	if (n > c->end - c->at)
		return fail(c, c->at, "truncated entry");
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x |= (uint64_t)c->base[c->at + i] << (8 * i); /* the image is little-endian */
	c->at += n;
	if (v)
		*v = x;
	return true;
}

static bool leb(struct cursor *c, bool is_signed, uint64_t *v)
{
	uint64_t x = 0;
	size_t start = c->at;
	for (unsigned shift = 0;; shift += 7) {
		if (c->at >= c->end)
			return fail(c, start, "truncated LEB128 number");
		uint8_t b = c->base[c->at++];
		if (shift >= 64 || (shift == 63 && (b & 0x7e)))
			return fail(c, start, "LEB128 number over 64 bits");
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (is_signed && shift + 7 < 64 && (b & 0x40))
				x |= ~(uint64_t)0 << (shift + 7);
			break;
		}
	}
	if (v)
		*v = x;
	return true;
}

static bool reg(struct cursor *c)
{
	size_t start = c->at;
	uint64_t r;
	if (!leb(c, false, &r))
		return false;
	return r < CFI_MAX_REG || fail(c, start, "register number over 127");
}

/* A pointer of encoding enc (DW_EH_PE_*), its value not needed. */
static bool skip_encoded(struct cursor *c, uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: return take(c, 8, NULL); /* absptr: the image is 64-bit */
	case 0x01: return leb(c, false, NULL);
	case 0x09: return leb(c, true, NULL);
	case 0x02: case 0x0a: return take(c, 2, NULL);
	case 0x03: case 0x0b: return take(c, 4, NULL);
	default: return fail(c, c->at, "unknown pointer encoding");
	}
}

/* Call frame instructions up to c->end; fde_enc sizes DW_CFA_set_loc.
 * libdw runs a CIE's instructions then an FDE's on one state stack, so
 * *nested carries the remember_state depth from one to the other. */
static bool check_instructions(struct cursor *c, uint8_t fde_enc, unsigned *nested)
{
	while (c->at < c->end) {
		size_t at = c->at;
		uint8_t op = c->base[c->at++];
		bool ok;
		switch (op >> 6) {
		case 1: ok = true; break;                    /* advance_loc */
		case 2: ok = leb(c, false, NULL); break;     /* offset: register in op */
		case 3: ok = true; break;                    /* restore */
		default:
			switch (op) {
			case 0x00: case 0x2d: ok = true; break;
			case 0x0a:
				ok = ++*nested <= CFI_MAX_NESTED ||
				     fail(c, at, "DW_CFA_remember_state nested over 64 deep");
				break;
			case 0x0b:
				*nested -= *nested > 0;
				ok = true;
				break;
			case 0x01: ok = skip_encoded(c, fde_enc); break;
			case 0x02: ok = take(c, 1, NULL); break;
			case 0x03: ok = take(c, 2, NULL); break;
			case 0x04: ok = take(c, 4, NULL); break;
			case 0x05: case 0x14: case 0x2f: case 0x0c:
				ok = reg(c) && leb(c, false, NULL); break;
			case 0x11: case 0x12: case 0x15:
				ok = reg(c) && leb(c, true, NULL); break;
			case 0x06: case 0x07: case 0x08: case 0x0d: ok = reg(c); break;
			case 0x09: ok = reg(c) && reg(c); break;
			case 0x0e: case 0x2e: ok = leb(c, false, NULL); break;
			case 0x13: ok = leb(c, true, NULL); break;
			case 0x0f: case 0x10: case 0x16:
				ok = fail(c, at, "DWARF expression (not accepted from a jitdump)"); break;
			default: ok = fail(c, at, "unknown call frame instruction"); break;
			}
		}
		if (!ok)
			return false;
	}
	return true;
}

/* The length of an entry's augmentation data ('z'), which must fit in the
 * entry: past says where it would run otherwise. */
static bool aug_length(struct cursor *c, const char *past, uint64_t *len)
{
	if (!leb(c, false, len))
		return false;
	return *len <= c->end - c->at || fail(c, c->at, past);
}

struct cie {
	size_t off;
	uint8_t fde_enc;
	bool z;
	unsigned nested; /* remember_state depth its instructions leave */
};

static bool parse_cie(struct cursor *c, struct cie *out)
{
	uint64_t version, ra;
	if (!take(c, 1, &version))
		return false;
	if (version != 1 && version != 3 && version != 4)
		return fail(c, c->at - 1, "unknown CIE version");
	size_t aug = c->at;
	const uint8_t *nul = memchr(c->base + c->at, 0, c->end - c->at);
	if (!nul)
		return fail(c, aug, "unterminated augmentation");
	c->at = (size_t)(nul - c->base) + 1;
	const char *a = (const char *)c->base + aug;
	if (a[0] && a[0] != 'z')
		return fail(c, aug, "unknown augmentation");
	if (version == 4) {
		uint64_t asz, ssz;
		if (!take(c, 1, &asz) || !take(c, 1, &ssz))
			return false;
		if (asz != 8 || ssz != 0)
			return fail(c, c->at - 2, "address or segment size not of a 64-bit image");
	}
	if (!leb(c, false, NULL) || !leb(c, true, NULL))
		return false;
	size_t ra_at = c->at;
	if (!(version == 1 ? take(c, 1, &ra) : leb(c, false, &ra)))
		return false;
	if (ra >= CFI_MAX_REG)
		return fail(c, ra_at, "return address register over 127");
	out->fde_enc = 0; /* absptr */
	out->z = a[0] == 'z';
	if (out->z) {
		uint64_t len;
		if (!aug_length(c, "augmentation data past its CIE", &len))
			return false;
		struct cursor d = {c->base, c->at, c->at + (size_t)len, NULL, 0};
		for (const char *p = a + 1; *p && d.at < d.end; p++) {
			uint64_t enc;
			if (*p == 'R' || *p == 'L') {
				if (!take(&d, 1, &enc))
					break;
				if (*p == 'R')
					out->fde_enc = (uint8_t)enc;
			} else if (*p == 'P') {
				if (!take(&d, 1, &enc) || !skip_encoded(&d, (uint8_t)enc))
					break;
			} else if (*p != 'S' && *p != 'B') {
				break; /* others are skipped with the length, as libdw does */
			}
		}
		if (d.why)
			return fail(c, d.bad, d.why);
		c->at += (size_t)len;
	}
	out->nested = 0;
	return check_instructions(c, out->fde_enc, &out->nested);
}

static bool parse_fde(struct cursor *c, const struct cie *cie)
{
	if (!skip_encoded(c, cie->fde_enc) || !skip_encoded(c, cie->fde_enc & 0x0f))
		return false;
	if (cie->z) {
		uint64_t len;
		if (!aug_length(c, "augmentation data past its FDE", &len))
			return false;
		c->at += (size_t)len;
	}
	unsigned nested = cie->nested;
	return check_instructions(c, cie->fde_enc, &nested);
}

static const struct cie *cie_at(const struct cie *v, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].off == off)
			return &v[i];
	return NULL;
}

static bool is_fde_start(const size_t *v, size_t n, size_t off)
{
	size_t lo = 0, hi = n; /* v grows */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == off;
}

/* .eh_frame_hdr at hdr (its offset in the blob), .eh_frame being
 * [0, eh_size) of the blob at image address eh_vaddr. */
static bool check_hdr(struct cursor *c, size_t eh_size, uint64_t eh_vaddr, const size_t *fdes,
		      size_t nfdes)
{
	size_t hdr = c->at;
	uint64_t hdr_vaddr = eh_vaddr + hdr, version, ptr_enc, count_enc, table_enc, ptr, count;
	if (!take(c, 1, &version) || !take(c, 1, &ptr_enc) || !take(c, 1, &count_enc) ||
	    !take(c, 1, &table_enc))
		return false;
	if (version != 1)
		return fail(c, hdr, "unknown .eh_frame_hdr version");
	size_t ptr_at = c->at;
	switch (ptr_enc) {
	case 0x1b: case 0x3b: case 0x03: case 0x0b:
		if (!take(c, 4, &ptr))
			return false;
		ptr = (uint64_t)(int64_t)(int32_t)(uint32_t)ptr;
		break;
	case 0x00: case 0x04:
		if (!take(c, 8, &ptr))
			return false;
		break;
	default:
		return fail(c, ptr_at, "unknown .eh_frame_hdr pointer encoding");
	}
	uint64_t base = ptr_enc == 0x1b ? eh_vaddr + ptr_at : ptr_enc == 0x3b ? hdr_vaddr : 0;
	if (base + ptr != eh_vaddr)
		return fail(c, ptr_at, ".eh_frame_hdr does not point at .eh_frame");
	if (count_enc == 0xff || table_enc != 0x3b)
		return true; /* no search table libdw would use */
	size_t count_at = c->at;
	if (count_enc != 0x03 && count_enc != 0x0b && count_enc != 0x04)
		return fail(c, count_at, "unknown .eh_frame_hdr count encoding");
	if (!take(c, count_enc == 0x04 ? 8 : 4, &count))
		return false;
	if (count > nfdes)
		return fail(c, count_at, "more search table entries than FDEs");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t loc, fde;
		if (!take(c, 4, &loc) || !take(c, 4, &fde))
			return false;
		uint64_t addr = hdr_vaddr + (uint64_t)(int64_t)(int32_t)(uint32_t)fde;
		if (addr < eh_vaddr || addr - eh_vaddr >= eh_size ||
		    !is_fde_start(fdes, nfdes, (size_t)(addr - eh_vaddr)))
			return fail(c, c->at - 4, "search table entry not at an FDE");
	}
	return true;
}

int native_cfi_check(const uint8_t *cfi, size_t size, size_t hdr_size, uint64_t eh_vaddr,
		     size_t *bad, const char **why)
{
	size_t eh_size = size - hdr_size;
	/* V8 writes a bare header (its pointer 0) for code without unwinding
	 * info: with no .eh_frame, unwind.c never hands it to libdw */
	if (eh_size == 0)
		return 0;
	struct cursor c = {cfi, 0, eh_size, NULL, 0};
	struct cie *cies = NULL;
	size_t *fdes = NULL, ncies = 0, nfdes = 0, cies_cap = 0, fdes_cap = 0;
	int rc = 0;
	while (!c.why && c.at < eh_size) {
		size_t off = c.at;
		uint64_t len, id;
		if (!take(&c, 4, &len))
			break;
		if (len == 0)
			break; /* the terminator */
		if (len == 0xffffffffu) {
			fail(&c, off, "64-bit entry length");
			break;
		}
		if (len > eh_size - c.at) {
			fail(&c, off, "entry longer than .eh_frame");
			break;
		}
		size_t id_at = c.at, end = c.at + (size_t)len;
		struct cursor e = {cfi, c.at, end, NULL, 0};
		if (!take(&e, 4, &id)) {
			/* e says why */
		} else if (id == 0) {
			struct cie cie = {off, 0, false, 0};
			if (parse_cie(&e, &cie)) {
				if (wp_grow((void **)&cies, &cies_cap, ncies + 1, sizeof *cies)) {
					rc = WP_E_NOMEM;
					break;
				}
				cies[ncies++] = cie;
			}
		} else {
			const struct cie *cie = id <= id_at ? cie_at(cies, ncies, id_at - (size_t)id) : NULL;
			if (!cie)
				fail(&e, id_at, "FDE without a CIE before it");
			else if (parse_fde(&e, cie)) {
				if (wp_grow((void **)&fdes, &fdes_cap, nfdes + 1, sizeof *fdes)) {
					rc = WP_E_NOMEM;
					break;
				}
				fdes[nfdes++] = off;
			}
		}
		if (e.why)
			fail(&c, e.bad, e.why);
		c.at = end;
	}
	if (!rc && !c.why && hdr_size) {
		c.at = eh_size;
		c.end = size;
		check_hdr(&c, eh_size, eh_vaddr, fdes, nfdes);
	}
	free(cies);
	free(fdes);
	if (rc)
		return rc;
	if (c.why) {
		*bad = c.bad;
		*why = c.why;
		return WP_E_FORMAT;
	}
	return 0;
}
