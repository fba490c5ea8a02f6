/* fold_inline.c - --inline: a frame becomes the calls DWARF says were
 * inlined at its address, as stackcollapse-perf.pl --inline does with one
 * addr2line process per address (here: libdw, cached); for text input from
 * the printed symbol+offset, for perf.data from the resolved symbol. Also
 * the source line of a perf.data frame for --srcline. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "symbolizer.h"
#include "tool_warn.h"

struct fold_inline {
	struct sym_inline *resolver;
	bool context;
	struct tool_warn warn;
	struct wp_buf name;
};

struct fold_inline *fold_inline_new(const struct fold_config *cfg)
{
	struct fold_inline *fi = calloc(1, sizeof *fi);
	if (!fi)
		return NULL;
	fi->resolver = sym_inline_new(cfg->symfs);
	if (!fi->resolver) {
		free(fi);
		return NULL;
	}
	fi->context = cfg->context;
	fi->warn = (struct tool_warn){cfg->prog, cfg->quiet};
	sym_inline_set_warn(fi->resolver, tool_warn_fn, &fi->warn);
	wp_buf_init(&fi->name, 1u << 20);
	return fi;
}

void fold_inline_free(struct fold_inline *fi)
{
	if (!fi)
		return;
	sym_inline_free(fi->resolver);
	wp_buf_release(&fi->name);
	free(fi);
}

static uint64_t parse_hex(const char *s, size_t n, bool *ok)
{
	uint64_t v = 0;
	*ok = n > 0 && n <= 16;
	for (size_t i = 0; i < n && *ok; i++) {
		int d = wp_hex_value(s[i]);
		*ok = d >= 0;
		v = v << 4 | (uint64_t)(d < 0 ? 0 : d);
	}
	return v;
}

/* Pushes the inline chain of one located frame, leaf first: the innermost
 * inlined callee, out to the real function, which ends up nearest the root.
 * 1 when pushed, 0 when the frame is to be folded as usual. */
static int push_chain(struct fold_inline *fi, struct fg_collapser *c, const char *module,
		      size_t module_len, const char *sym, size_t sym_len, uint64_t offset,
		      bool has_offset, uint64_t pc, size_t min_frames)
{
	const struct sym_inline_frame *frames;
	size_t n;
	int rc = sym_inline_lookup(fi->resolver, module, module_len, sym, sym_len, offset,
				   has_offset, pc, &frames, &n);
	if (rc == WP_E_NOTFOUND || (rc == 0 && n == 0))
		return 0;
	if (rc < 0)
		return rc;
	/* (min_frames 2: a lone function whose address DWARF gives no line for
	 * keeps its ELF name, as perf's addr2line then finds nothing) */
	if (n < min_frames && !(n == 1 && frames[0].line))
		return 0;
	for (size_t i = n; i-- > 0;) {
		struct wp_buf *b = &fi->name;
		wp_buf_reset(b);
		rc = wp_buf_puts(b, frames[i].function ? frames[i].function : "??");
		/* --context: ":file:line" as addr2line -s prints it, "??" and "?"
		 * standing for what DWARF does not say. */
		if (!rc && fi->context) {
			rc = wp_buf_printf(b, ":%s:", frames[i].file ? frames[i].file : "??");
			if (!rc)
				rc = frames[i].line ? wp_buf_printf(b, "%u", frames[i].line) : wp_buf_putc(b, '?');
		}
		/* all but the real function were inlined (an export tells them) */
		if (!rc)
			rc = i ? fg_collapser_inline_name(c, b->data, b->len)
			       : fg_collapser_frame_name(c, b->data, b->len);
		if (rc)
			return rc;
	}
	return 1;
}

int fold_inline_frame(struct fold_inline *fi, struct fg_collapser *c, const struct fg_raw_frame *f)
{
	/* symbol+0xOFF -> symbol, offset */
	size_t sym_len = f->sym_len;
	uint64_t offset = 0;
	bool has_offset = false;
	for (size_t i = f->sym_len; i-- > 0;) {
		if (i + 3 < f->sym_len && f->sym[i] == '+' && f->sym[i + 1] == '0' && f->sym[i + 2] == 'x') {
			offset = parse_hex(f->sym + i + 3, f->sym_len - i - 3, &has_offset);
			if (has_offset)
				sym_len = i;
			break;
		}
	}
	bool pc_ok;
	uint64_t pc = parse_hex(f->pc, f->pc_len, &pc_ok);
	return push_chain(fi, c, f->module, f->module_len, f->sym, sym_len, offset, has_offset,
			  pc_ok ? pc : 0, 1);
}

/* perf script replaces a frame by its DWARF chain (names included:
 * msort_with_tmp for msort_with_tmp.part.0) where addr2line resolves the
 * address; elsewhere the frame keeps its ELF symbol name. */
int fold_inline_symbol(struct fold_inline *fi, struct fg_collapser *c, const char *module,
		       const char *symbol, uint64_t offset, uint64_t pc)
{
	return push_chain(fi, c, module, strlen(module), symbol, strlen(symbol), offset, true,
			  pc, 2);
}

int fold_inline_srcline(struct fold_inline *fi, const char *module, const char *symbol,
			uint64_t offset, uint64_t pc, const char **file, unsigned *line)
{
	const struct sym_inline_frame *frames;
	size_t n;
	int rc = sym_inline_lookup(fi->resolver, module, strlen(module), symbol, strlen(symbol),
				   offset, true, pc, &frames, &n);
	if (rc || n == 0 || !frames[n - 1].file || !frames[n - 1].line)
		return rc < 0 && rc != WP_E_NOTFOUND ? rc : 0;
	*file = frames[n - 1].file;
	*line = frames[n - 1].line;
	return 1;
}
