/* script_reader.c - reads `perf script` text into samples.
 *
 * The shape follows what perf prints and what stackcollapse-perf.pl and
 * inferno accept:
 *   COMM  [PID/]TID [CPU] TIME: [PERIOD] EVENT: [trace payload | one frame]
 *   \t    PC SYMBOL[+0xOFF] (MODULE)      <- zero or more frame lines
 *   \t    file.c:12                       <- optional (-F+srcline)
 *   <blank line>
 * Samples recorded without -g have no blank line between them: a line that
 * is not a frame but is an event header starts the next sample.
 *
 * Each sample's strings are copied into one arena, so the line window
 * underneath may move freely; memory is bounded by the largest sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfparse.h"

#define MAX_SAMPLE_BYTES (64u << 20)

struct pp_script_reader {
	struct wp_lines *lines;
	pp_script_warn_fn warn;
	void *warn_ctx;
	struct wp_buf arena;     /* the current sample's bytes */
	struct pp_script_frame *frames;
	size_t nframes, frames_cap;
	struct pp_script_sample sample;
	struct wp_buf pending;   /* an event line read ahead, or empty */
	bool has_pending;
	bool in_sample;
	bool skipping;           /* after a weird event line, until a blank line */
	bool times;              /* convert sample times (pp_script_want_times) */
	struct pp_script_stats stats;
	char err[600];
};

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static struct pp_str trim(const char *p, size_t n)
{
	while (n && is_space(*p))
		p++, n--;
	while (n && is_space(p[n - 1]))
		n--;
	return (struct pp_str){p, n};
}

void pp_script_want_times(struct pp_script_reader *r)
{
	r->times = true;
}

struct pp_script_reader *pp_script_new(struct wp_lines *lines, pp_script_warn_fn warn, void *ctx)
{
	struct pp_script_reader *r = calloc(1, sizeof *r);
	if (!r) {
		wp_lines_free(lines);
		return NULL;
	}
	r->lines = lines;
	r->warn = warn;
	r->warn_ctx = ctx;
	wp_buf_init(&r->arena, MAX_SAMPLE_BYTES);
	wp_buf_init(&r->pending, MAX_SAMPLE_BYTES);
	return r;
}

void pp_script_free(struct pp_script_reader *r)
{
	if (!r)
		return;
	wp_lines_free(r->lines);
	wp_buf_release(&r->arena);
	wp_buf_release(&r->pending);
	free(r->frames);
	free(r);
}

const struct pp_script_stats *pp_script_stats(const struct pp_script_reader *r) { return &r->stats; }
const char *pp_script_errmsg(const struct pp_script_reader *r) { return r->err; }

/* ---- line shapes ---- */

/* With -F+srcline perf prints an inlined frame without its module, the
 * "(inlined)" going to the source line under it: "ip sym+0xOFF". Only
 * that exact shape is taken (module "inlined", as perf prints it without
 * srcline). */
static bool inlined_frame(struct pp_str s, size_t i, struct pp_script_frame *out)
{
	struct pp_str sym = trim(s.p + i, s.n - i);
	size_t k = sym.n;
	while (k && wp_is_hex(sym.p[k - 1]))
		k--;
	if (k == sym.n || k < 4 || sym.p[k - 1] != 'x' || sym.p[k - 2] != '0' || sym.p[k - 3] != '+')
		return false;
	for (size_t j = 0; j < sym.n; j++)
		if (sym.p[j] == '(' || sym.p[j] == ')')
			return false;
	out->pc = (struct pp_str){s.p, i};
	out->sym = sym;
	out->module = (struct pp_str){"inlined", 7};
	out->srcline = (struct pp_str){NULL, 0};
	return true;
}

/* Blanks that indent a frame line: perf prints a tab, then pads the
 * address with spaces to 16 columns, so they are skipped 8 at a time. */
static size_t skip_indent(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] == '\t')
		i++;
	static const char eight[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	while (n - i >= 8 && memcmp(p + i, eight, 8) == 0)
		i += 8;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* The '(' that opens the module group ending s (s.p[s.n - 1] == ')'),
 * after position i; false when there is none. The module may itself hold
 * parentheses ("/tmp/x (deleted)") and spaces: the group is balanced.
 * Almost always the last '(' opens it and no ')' lies between (one
 * memrchr, one memchr); otherwise the balanced scan decides. */
static bool module_open(struct pp_str s, size_t i, size_t *open)
{
	const char *last = memrchr(s.p + i, '(', s.n - 1 - i);
	if (!last)
		return false;
	size_t at = (size_t)(last - s.p);
	if (!memchr(last + 1, ')', s.n - 2 - at)) {
		*open = at;
		return true;
	}
	size_t depth = 0;
	for (size_t k = s.n; k-- > i;) {
		if (s.p[k] == ')')
			depth++;
		else if (s.p[k] == '(' && --depth == 0) {
			*open = k;
			return true;
		}
	}
	return false;
}

/* pp_script_parse_frame for a line whose first `lead` bytes are known
 * blanks (the reader has looked at them already). */
static bool parse_frame_at(const char *line, size_t len, size_t lead, struct pp_script_frame *out)
{
	struct pp_str s = {line + lead, len - lead};
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	size_t i = 0;
	while (i < s.n && wp_is_hex(s.p[i]))
		i++;
	if (i == 0 || i == s.n || !is_space(s.p[i]))
		return false;
	if (s.p[s.n - 1] != ')')
		return inlined_frame(s, i, out);
	size_t open;
	if (!module_open(s, i, &open) || !is_space(s.p[open - 1]))
		return false;
	out->pc = (struct pp_str){s.p, i};
	out->sym = trim(s.p + i, open - i);
	out->module = (struct pp_str){s.p + open + 1, s.n - open - 2};
	out->srcline = (struct pp_str){NULL, 0};
	return true;
}

bool pp_script_parse_frame(const char *line, size_t len, struct pp_script_frame *out)
{
	return parse_frame_at(line, len, skip_indent(line, len), out);
}

/* A source line printed by -F+srcline under a frame: "file.c:12", "??:0",
 * "file.c:12 (inlined)" (the suffix is dropped from *s); taken as empty (no
 * file or line known): "MODULE[HEX]", which perf prints when it found no
 * line, e.g. "[kernel.kallsyms][ffffffff821cdf6c]" for kernel frames and
 * "prog[1040]" for PLT entries (module basename, offset), and ":0" (no file
 * name either, e.g. under ld.so's _start). */
static bool looks_like_srcline(struct pp_str *sp)
{
	static const char suffix[] = " (inlined)";
	struct pp_str s = *sp;
	/* "MODULE[HEX]" */
	if (s.n > 3 && s.p[s.n - 1] == ']') {
		size_t k = s.n - 1;
		while (k && wp_is_hex(s.p[k - 1]))
			k--;
		if (k < s.n - 1 && k >= 2 && s.p[k - 1] == '[') {
			*sp = (struct pp_str){s.p, 0};
			return true;
		}
	}
	if (s.n >= 2 && s.p[0] == ':') {
		size_t k = 1;
		while (k < s.n && is_digit(s.p[k]))
			k++;
		if (k == s.n) {
			*sp = (struct pp_str){s.p, 0};
			return true;
		}
	}
	if (s.n > sizeof suffix - 1 && wp_has_suffix(s.p, s.n, suffix))
		s.n -= sizeof suffix - 1;
	if (s.n < 3 || !is_digit(s.p[s.n - 1]))
		return false;
	size_t k = s.n;
	while (k && is_digit(s.p[k - 1]))
		k--;
	if (!(k > 1 && s.p[k - 1] == ':'))
		return false;
	*sp = s;
	return true;
}

static bool all_modifiers(const char *p, size_t n)
{
	/* perf's event modifiers: u k h H G I p P S D W e b */
	for (size_t k = 0; k < n; k++)
		if (!strchr("ukhHGIpPSDWeb", p[k]))
			return false;
	return true;
}

static bool str_eq(struct pp_str a, struct pp_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* A term of "EVENT/TERMS/" that only says how to sample (perf's
 * parse-events config terms), not which event. */
static bool sampling_term(const char *p, size_t n)
{
	static const char *const keys[] = {
		"freq", "period", "call-graph", "stack-size", "max-stack", "max-events", "name",
		"time", "inherit", "no-inherit", "overwrite", "no-overwrite", "percore",
		"aux-output", "aux-sample-size", "metric-id", "branch_type", "driver-config",
	};
	const char *eq = memchr(p, '=', n);
	size_t klen = eq ? (size_t)(eq - p) : n;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i]) == klen && memcmp(keys[i], p, klen) == 0)
			return true;
	return false;
}

struct pp_str pp_event_base_name(struct pp_str e)
{
	size_t colon = e.n;
	while (colon && e.p[colon - 1] != ':')
		colon--;
	if (colon && colon < e.n && !memchr(e.p + colon, '/', e.n - colon) &&
	    all_modifiers(e.p + colon, e.n - colon))
		e.n = colon - 1;
	/* "EVENT/TERMS/MODIFIERS" */
	const char *open = memchr(e.p, '/', e.n);
	if (!open || open == e.p)
		return e;
	size_t close = e.n;
	while (close && e.p[close - 1] != '/')
		close--;
	close--; /* index of the last '/' */
	size_t first = (size_t)(open - e.p);
	if (close <= first || !all_modifiers(e.p + close + 1, e.n - close - 1))
		return e;
	for (size_t k = first + 1; k < close;) {
		size_t end = k;
		while (end < close && e.p[end] != ',')
			end++;
		if (end > k && !sampling_term(e.p + k, end - k))
			return (struct pp_str){e.p, close + 1}; /* a PMU event: keep it whole */
		k = end + 1;
	}
	return (struct pp_str){e.p, first};
}

bool pp_event_matches(struct pp_str event, struct pp_str filter)
{
	struct pp_str b = pp_event_base_name(event), f = pp_event_base_name(filter);
	if (str_eq(b, f))
		return true;
	if (!f.n || memchr(f.p, ':', f.n) || memchr(f.p, '/', f.n))
		return false;
	const char *slash = memchr(b.p, '/', b.n);
	const char *colon = memchr(b.p, ':', b.n);
	if (colon && (!slash || colon < slash)) /* tracepoint: "sched:sched_switch" */
		return str_eq((struct pp_str){colon + 1, b.n - (size_t)(colon + 1 - b.p)}, f);
	if (slash) { /* PMU event: "cpu/cycles,period=1000/" */
		const char *t = slash + 1, *end = b.p + b.n;
		size_t n = 0;
		while (t + n < end && t[n] != ',' && t[n] != '/')
			n++;
		return !memchr(t, '=', n) && str_eq((struct pp_str){t, n}, f);
	}
	return false;
}

struct event_header {
	struct pp_str comm, pid, tid, event, rest;
	uint64_t period;
	bool has_period;
	struct pp_str time_text; /* "SECONDS.FRACTION", converted on demand */
};

/* "SECONDS.FRACTION" (the ':' already cut) -> ns; false when it does not fit. */
static bool parse_time(const char *w, size_t n, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	size_t k = 0, digits = 0;
	for (; k < n && is_digit(w[k]); k++) {
		if (sec > (UINT64_MAX / 1000000000u - 9) / 10)
			return false;
		sec = sec * 10 + (uint64_t)(w[k] - '0');
	}
	if (k == 0)
		return false;
	if (k < n && w[k] == '.')
		for (k++; k < n && is_digit(w[k]); k++)
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(w[k] - '0');
				digits++;
			}
	if (k != n)
		return false;
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

static bool all_digits(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (!is_digit(p[k]))
			return false;
	return true;
}

/* The next blank-separated word of s from *pos: its start in *start, *pos
 * past it; false at the end. */
static inline bool next_word(struct pp_str s, size_t *pos, size_t *start)
{
	size_t p = *pos;
	while (p < s.n && is_space(s.p[p]))
		p++;
	*start = p;
	while (p < s.n && !is_space(s.p[p]))
		p++;
	*pos = p;
	return p > *start;
}

/* COMM is everything before the first all-digit word (PID or PID/TID) that
 * is not the first word, so one-letter and spaced names both work. */
static bool parse_event_line(const char *line, size_t len, struct event_header *h)
{
	struct pp_str s = trim(line, len);
	size_t pos = 0, word = 0;
	bool found = false;
	size_t start;
	while (next_word(s, &pos, &start)) {
		if (word++ == 0)
			continue;
		const char *w = s.p + start;
		size_t n = pos - start;
		const char *slash = memchr(w, '/', n);
		if (slash ? all_digits(w, (size_t)(slash - w)) &&
				    all_digits(slash + 1, n - (size_t)(slash - w) - 1)
			  : all_digits(w, n)) {
			h->comm = trim(s.p, start);
			if (slash) {
				h->pid = (struct pp_str){w, (size_t)(slash - w)};
				h->tid = (struct pp_str){slash + 1, n - (size_t)(slash - w) - 1};
			} else {
				h->pid = (struct pp_str){NULL, 0};
				h->tid = (struct pp_str){w, n};
			}
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	h->event = (struct pp_str){NULL, 0};
	h->rest = (struct pp_str){NULL, 0};
	h->has_period = false;
	h->period = 1;
	h->time_text = (struct pp_str){NULL, 0};
	/* Then: [CPU] TIME: [PERIOD] EVENT: — the event is the first word
	 * ending in ':' that is not a timestamp. */
	uint64_t candidate = 0;
	bool have_candidate = false;
	while (next_word(s, &pos, &start)) {
		const char *w = s.p + start;
		size_t n = pos - start;
		if (w[n - 1] == ':') {
			bool timestamp = n > 1 && is_digit(w[0]);
			for (size_t k = 0; timestamp && k < n - 1; k++)
				timestamp = is_digit(w[k]) || w[k] == '.';
			if (timestamp) {
				have_candidate = false;
				h->time_text = (struct pp_str){w, n - 1};
				continue;
			}
			h->event = (struct pp_str){w, n - 1};
			h->rest = trim(s.p + pos, s.n - pos);
			if (have_candidate) {
				h->period = candidate;
				h->has_period = true;
			}
			break;
		}
		if (all_digits(w, n) && n < 20) {
			candidate = strtoull(w, NULL, 10);
			have_candidate = true;
		} else {
			have_candidate = false;
		}
	}
	return true;
}

/* ---- sample assembly ---- */

/* Offsets into the arena are kept in the pointers until the sample is
 * complete, because the arena may move while it grows. */
static int save(struct pp_script_reader *r, struct pp_str in, struct pp_str *out)
{
	size_t off = r->arena.len;
	int rc = wp_buf_append(&r->arena, in.p, in.n);
	*out = (struct pp_str){(const char *)(uintptr_t)off, in.n};
	return rc;
}

static void fix(struct pp_script_reader *r, struct pp_str *s)
{
	s->p = r->arena.data + (uintptr_t)s->p;
}

static int begin_sample(struct pp_script_reader *r, const struct event_header *h, uint64_t lineno)
{
	wp_buf_reset(&r->arena);
	r->nframes = 0;
	struct pp_script_sample *smp = &r->sample;
	memset(smp, 0, sizeof *smp);
	int rc = save(r, h->comm, &smp->comm);
	rc = rc ? rc : save(r, h->pid, &smp->pid);
	rc = rc ? rc : save(r, h->tid, &smp->tid);
	rc = rc ? rc : save(r, h->event, &smp->event);
	smp->period = h->period;
	smp->has_period = h->has_period;
	/* Converted only for readers that want times: most folds do not. */
	smp->has_time = r->times && h->time_text.n && parse_time(h->time_text.p, h->time_text.n, &smp->time);
	smp->lineno = lineno;
	r->in_sample = true;
	return rc;
}

/* Room for the sample's next frame, counted in; 0 or WP_E_*. */
static int next_frame(struct pp_script_reader *r, struct pp_script_frame **dst)
{
	if (r->nframes >= (1u << 20))
		return WP_E_TOOBIG;
	if (wp_grow((void **)&r->frames, &r->frames_cap, r->nframes + 1, sizeof *r->frames))
		return WP_E_NOMEM;
	*dst = &r->frames[r->nframes++];
	return 0;
}

static int add_frame(struct pp_script_reader *r, const struct pp_script_frame *f)
{
	struct pp_script_frame *dst;
	int rc = next_frame(r, &dst);
	if (rc)
		return rc;
	rc = save(r, f->pc, &dst->pc);
	rc = rc ? rc : save(r, f->sym, &dst->sym);
	rc = rc ? rc : save(r, f->module, &dst->module);
	dst->srcline = (struct pp_str){(const char *)(uintptr_t)r->arena.len, 0};
	return rc;
}

/* add_frame for a frame parsed from line: its pc, symbol and module lie
 * in the line in that order, so they are copied in one piece; only an
 * inlined frame's module ("inlined") is not in the line. */
static int add_frame_of_line(struct pp_script_reader *r, const struct pp_script_frame *f, const char *line,
			     size_t len)
{
	uintptr_t lo = (uintptr_t)line, module = (uintptr_t)f->module.p;
	if (module < lo || module - lo > len)
		return add_frame(r, f);
	struct pp_script_frame *dst;
	int rc = next_frame(r, &dst);
	if (rc)
		return rc;
	const char *from = f->pc.p;
	size_t base = r->arena.len, span = (size_t)(f->module.p + f->module.n - from);
	dst->pc = (struct pp_str){(const char *)(uintptr_t)base, f->pc.n};
	dst->sym = (struct pp_str){(const char *)(uintptr_t)(base + (size_t)(f->sym.p - from)), f->sym.n};
	dst->module = (struct pp_str){(const char *)(uintptr_t)(base + (size_t)(f->module.p - from)), f->module.n};
	dst->srcline = (struct pp_str){(const char *)(uintptr_t)(base + span), 0};
	return wp_buf_append(&r->arena, from, span);
}

static int add_srcline(struct pp_script_reader *r, struct pp_str src)
{
	return save(r, src, &r->frames[r->nframes - 1].srcline);
}

static const struct pp_script_sample *finish_sample(struct pp_script_reader *r)
{
	struct pp_script_sample *smp = &r->sample;
	fix(r, &smp->comm);
	fix(r, &smp->pid);
	fix(r, &smp->tid);
	fix(r, &smp->event);
	fix(r, &smp->trace);
	for (size_t k = 0; k < r->nframes; k++) {
		fix(r, &r->frames[k].pc);
		fix(r, &r->frames[k].sym);
		fix(r, &r->frames[k].module);
		fix(r, &r->frames[k].srcline);
	}
	smp->frames = r->frames;
	smp->nframes = r->nframes;
	r->in_sample = false;
	r->stats.samples++;
	return smp;
}

static void warn(struct pp_script_reader *r, enum pp_script_warning kind, const char *line,
		 size_t len)
{
	r->stats.weird[kind]++;
	r->stats.weird_bytes += len + 1;
	if (r->warn)
		r->warn(r->warn_ctx, kind, line, len, wp_lines_lineno(r->lines));
}

/* Handles a line outside a sample; returns 1 when a finished one-line
 * sample (event + frame on one line) is ready. */
static int on_header(struct pp_script_reader *r, const char *line, size_t len, uint64_t lineno)
{
	struct event_header h;
	if (!parse_event_line(line, len, &h)) {
		warn(r, PP_WEIRD_EVENT_LINE, line, len);
		r->skipping = true;
		return 0;
	}
	int rc = begin_sample(r, &h, lineno);
	if (rc)
		return rc;
	struct pp_script_frame f;
	if (h.rest.n && pp_script_parse_frame(h.rest.p, h.rest.n, &f)) {
		rc = add_frame(r, &f);
		return rc ? rc : 1;
	}
	if (h.rest.n)
		return save(r, h.rest, &r->sample.trace);
	return 0;
}

static int read_error(struct pp_script_reader *r, int rc)
{
	snprintf(r->err, sizeof r->err, "%s", wp_lines_errmsg(r->lines));
	return rc;
}

int pp_script_next(struct pp_script_reader *r, const struct pp_script_sample **out)
{
	for (;;) {
		const char *line;
		size_t len;
		uint64_t lineno;
		if (r->has_pending) {
			line = r->pending.data;
			len = r->pending.len;
			lineno = wp_lines_lineno(r->lines);
			r->has_pending = false;
		} else {
			int rc = wp_lines_next(r->lines, &line, &len);
			if (rc < 0)
				return read_error(r, rc);
			if (rc == 0) {
				if (!r->in_sample)
					return 0;
				*out = finish_sample(r);
				return 1;
			}
			lineno = wp_lines_lineno(r->lines);
			r->stats.lines++;
			r->stats.bytes += len + 1;
		}
		if (len && line[0] == '#')
			continue;
		size_t lead = skip_indent(line, len), blank = lead;
		while (blank < len && is_space(line[blank]))
			blank++;
		if (blank == len) {
			r->skipping = false;
			if (r->in_sample) {
				*out = finish_sample(r);
				return 1;
			}
			continue;
		}
		if (r->skipping) {
			r->stats.weird_bytes += len + 1;
			continue;
		}
		if (!r->in_sample) {
			int rc = on_header(r, line, len, lineno);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				*out = finish_sample(r);
				return 1;
			}
			continue;
		}
		struct pp_script_frame f;
		if (parse_frame_at(line, len, lead, &f)) {
			int rc = add_frame_of_line(r, &f, line, len);
			if (rc < 0)
				return rc;
			continue;
		}
		struct pp_str s = trim(line, len);
		if (r->nframes && looks_like_srcline(&s)) {
			int rc = add_srcline(r, s);
			if (rc < 0)
				return rc;
			continue;
		}
		/* No blank line between samples (perf script without -g): a new
		 * header ends the sample in progress. */
		struct event_header h;
		if (parse_event_line(line, len, &h) && h.event.n) {
			wp_buf_reset(&r->pending);
			if (wp_buf_append(&r->pending, line, len) < 0)
				return WP_E_NOMEM;
			r->has_pending = true;
			*out = finish_sample(r);
			return 1;
		}
		warn(r, PP_WEIRD_STACK_LINE, line, len);
	}
}
