/* fold_filter.c - which samples wasmperf-fold keeps, the same for perf
 * script text and perf.data: one event (the one asked for, else on
 * perf.data the first of the file's event list, on text the first seen, as
 * stackcollapse-perf.pl), the --time window (perf's forms) and the --comm
 * names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "perfparse.h"

#define MAX_EVENTS 4096

int fold_events_init(struct fold_events *e, const char *filter)
{
	memset(e, 0, sizeof *e);
	e->filter = filter;
	e->chosen = filter != NULL;
	return 0;
}

static bool filter_matches(const struct fold_events *e, const char *name, size_t len)
{
	return pp_event_matches((struct pp_str){name, len},
				(struct pp_str){e->filter, strlen(e->filter)});
}

static struct fold_event_slot *add_slot(struct fold_events *e, const char *name, size_t len)
{
	if (e->n == MAX_EVENTS || wp_grow((void **)&e->slots, &e->cap, e->n + 1, sizeof *e->slots))
		return NULL;
	/* all len bytes: a NUL inside the name (hostile text) must not end the
	 * copy short of the base_n bytes compared later */
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, name, len);
	copy[len] = '\0';
	struct fold_event_slot *slot = &e->slots[e->n++];
	*slot = (struct fold_event_slot){copy, pp_event_base_name((struct pp_str){name, len}).n, 0,
					 e->filter && filter_matches(e, name, len)};
	return slot;
}

bool fold_events_keep(struct fold_events *e, const char *name, size_t len, bool count)
{
	struct fold_event_slot *slot = NULL;
	/* Samples come in runs of one event: the same text as the last sample's
	 * is the same slot, without working out its base name again. */
	if (e->last < e->n && len == e->last_raw_n && memcmp(e->last_raw, name, len) == 0)
		slot = &e->slots[e->last];
	struct pp_str base = {name, len};
	if (!slot) {
		base = pp_event_base_name(base);
		if (e->last < e->n && e->slots[e->last].base_n == base.n &&
		    memcmp(e->slots[e->last].name, base.p, base.n) == 0)
			slot = &e->slots[e->last];
	}
	for (size_t i = 0; !slot && i < e->n; i++) {
		if (e->slots[i].base_n == base.n && memcmp(e->slots[i].name, base.p, base.n) == 0) {
			slot = &e->slots[i];
			e->last = i;
		}
	}
	if (!slot) {
		slot = add_slot(e, name, len);
		if (!slot)
			return false; /* past the cap: dropped */
		e->last = e->n - 1;
	}
	if (len <= sizeof e->last_raw)
		memcpy(e->last_raw, name, len);
	e->last_raw_n = len <= sizeof e->last_raw ? len : SIZE_MAX; /* too long: never matches */
	if (!count)
		return false;
	slot->samples++;
	if (!e->chosen) {
		/* perl's rule for text: the first event seen (inside --time) */
		slot->kept = e->chosen = true;
	}
	return slot->kept;
}

int fold_events_data(struct fold_events *e, const struct pp_data *d)
{
	e->data = true;
	size_t n = pp_data_nevents(d);
	while (e->n < n && e->n < MAX_EVENTS) {
		const struct pp_event *ev = pp_data_event(d, e->n);
		struct fold_event_slot *slot = add_slot(e, ev->name, strlen(ev->name));
		if (!slot)
			return WP_E_NOMEM;
		/* the first event of the file's list (the user's first -e); perf's
		 * added dummy event (software, config 9) never samples */
		if (!e->chosen && !(ev->type == 1 && ev->config == 9))
			slot->kept = e->chosen = true;
	}
	if (!e->filter)
		return 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->slots[i].kept)
			return 0;
	return WP_E_NOTFOUND;
}

bool fold_events_keep_index(struct fold_events *e, const struct pp_data *d, size_t event,
			    bool count)
{
	if (event != PP_NO_EVENT && event >= e->n)
		fold_events_data(e, d); /* pipe mode: an attr added later */
	if (event == PP_NO_EVENT || event >= e->n) {
		e->unknown += count;
		return false;
	}
	e->slots[event].samples += count;
	return count && e->slots[event].kept;
}

/* Whether every event not folded marks a phase: a uprobe of a probe_*
 * group or the exec/exit tracepoints (and one event was folded). */
static bool only_phase_markers(const struct fold_events *e)
{
	size_t nkept = 0;
	for (size_t i = 0; i < e->n; i++) {
		const char *name = e->slots[i].name;
		nkept += e->slots[i].kept;
		if (e->slots[i].kept || !e->slots[i].samples)
			continue;
		if (!(strncmp(name, "probe_", 6) == 0 && strchr(name, ':')) &&
		    strcmp(name, "sched:sched_process_exec") != 0 &&
		    strcmp(name, "sched:sched_process_exit") != 0)
			return false;
	}
	return nkept == 1 && !e->unknown;
}

static const char *first_kept(const struct fold_events *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->slots[i].kept)
			return e->slots[i].name;
	return "";
}

void fold_events_report(const struct fold_events *e, const struct fold_config *cfg)
{
	if (cfg->quiet)
		return;
	uint64_t kept = 0, dropped = e->unknown;
	size_t nkept = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (e->slots[i].kept) {
			kept += e->slots[i].samples;
			nkept++;
		} else {
			dropped += e->slots[i].samples;
		}
	}
	if (!dropped || !nkept)
		return;
	if (only_phase_markers(e)) {
		/* a recording made for wasmperf phases (wasmperf record's): its
		 * probe and exec/exit hits are expected, not a choice to make */
		fprintf(stderr, "%s: folded '%s' (%llu sample%s), not the %llu probe and exec/exit "
			"hit%s (wasmperf phases reads those)\n", cfg->prog, first_kept(e),
			(unsigned long long)kept, kept == 1 ? "" : "s", (unsigned long long)dropped,
			dropped == 1 ? "" : "s");
		return;
	}
	fprintf(stderr, "%s: folded event%s ", cfg->prog, nkept > 1 ? "s" : "");
	const char *sep = "";
	for (size_t i = 0; i < e->n; i++)
		if (e->slots[i].kept) {
			fprintf(stderr, "%s'%s'", sep, e->slots[i].name);
			sep = ", ";
		}
	fprintf(stderr, " (%llu sample%s); not folded: ", (unsigned long long)kept, kept == 1 ? "" : "s");
	sep = "";
	for (size_t i = 0; i < e->n; i++)
		if (!e->slots[i].kept && e->slots[i].samples) {
			fprintf(stderr, "%s%s (%llu)", sep, e->slots[i].name,
				(unsigned long long)e->slots[i].samples);
			sep = ", ";
		}
	if (e->unknown)
		fprintf(stderr, "%s[unknown] (%llu)", sep, (unsigned long long)e->unknown);
	fprintf(stderr, "; choose with --event-filter\n");
}

int fold_events_check(const struct fold_events *e, const struct fold_config *cfg, const char *file)
{
	if (!e->filter)
		return 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->slots[i].kept)
			return 0;
	fprintf(stderr, "%s: --event-filter '%s' matches no event %s '%s'", cfg->prog, e->filter,
		e->data ? "of" : "seen in", file);
	if (!e->n) {
		fprintf(stderr, "; it has no %s\n", e->data ? "events" : "samples");
		return 2;
	}
	fprintf(stderr, "; its events:");
	for (size_t i = 0; i < e->n; i++) {
		/* perf.data: known from the header before any sample is read */
		fprintf(stderr, "%s %s", i ? "," : "", e->slots[i].name);
		if (!e->data)
			fprintf(stderr, " (%llu)", (unsigned long long)e->slots[i].samples);
	}
	fprintf(stderr, "\n");
	return 2;
}

void fold_events_release(struct fold_events *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->slots[i].name);
	free(e->slots);
	memset(e, 0, sizeof *e);
}

/* ---- --time ---- */

/* perf's parse_nsec_time(): "SEC[.FRACTION]", at most 9 decimals. */
static int parse_seconds(const char *p, size_t n, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	size_t k = 0, digits = 0;
	for (; k < n && p[k] >= '0' && p[k] <= '9'; k++) {
		if (sec > 1000000000ull * 1000)
			return -1;
		sec = sec * 10 + (uint64_t)(p[k] - '0');
	}
	if (k == 0 && !(k < n && p[k] == '.'))
		return -1;
	if (k < n && p[k] == '.')
		for (k++; k < n && p[k] >= '0' && p[k] <= '9'; k++, digits++) {
			if (digits == 9)
				return -1;
			frac = frac * 10 + (uint64_t)(p[k] - '0');
		}
	if (k != n)
		return -1;
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	return 0;
}

/* "START,END" with either side empty. */
static int parse_range(struct fold_time *t, const char *p, size_t n)
{
	const char *comma = memchr(p, ',', n);
	if (!comma || t->n == FOLD_TIME_MAX)
		return -1;
	size_t a = (size_t)(comma - p), b = n - a - 1;
	uint64_t start = 0, end = 0;
	if ((a && parse_seconds(p, a, &start)) || (b && parse_seconds(comma + 1, b, &end)))
		return -1;
	if (end && end < start)
		return -1;
	t->start[t->n] = start;
	t->end[t->n] = end;
	t->n++;
	return 0;
}

/* "P%": the fraction P/100. */
static int parse_percent(const char *p, size_t n, double *out)
{
	if (n < 2 || p[n - 1] != '%')
		return -1;
	char buf[64];
	if (n - 1 >= sizeof buf)
		return -1;
	memcpy(buf, p, n - 1);
	buf[n - 1] = 0;
	char *stop;
	double d = strtod(buf, &stop);
	if (stop == buf || *stop || d != d)
		return -1;
	*out = d / 100.0;
	return 0;
}

/* One piece of a percentage list: "P%/N" (the N-th slice of P%) or
 * "A%-B%" (slash decides for the whole list, as in perf). */
static int parse_percent_piece(struct fold_time *t, const char *p, size_t n, bool slash)
{
	double a, b;
	if (t->n == FOLD_TIME_MAX)
		return -1;
	if (slash) {
		const char *s = memchr(p, '/', n);
		if (!s || parse_percent(p, (size_t)(s - p), &a) || a <= 0)
			return -1;
		char buf[32], *stop;
		size_t k = n - (size_t)(s - p) - 1;
		if (k == 0 || k >= sizeof buf)
			return -1;
		memcpy(buf, s + 1, k);
		buf[k] = 0;
		errno = 0;
		long i = strtol(buf, &stop, 10);
		/* slices count from 1; a huge N must not wrap in i - 1 */
		if (*stop || errno || i < 1)
			return -1;
		b = a * (double)i;
		a = a * (double)(i - 1);
	} else {
		const char *d = memchr(p, '-', n);
		if (!d || parse_percent(p, (size_t)(d - p), &a) ||
		    parse_percent(d + 1, n - (size_t)(d - p) - 1, &b))
			return -1;
	}
	if (a < 0 || a > 1 || b < 0 || b > 1)
		return -1;
	t->pstart[t->n] = a;
	t->pend[t->n] = b;
	t->n++;
	return 0;
}

int fold_time_parse(struct fold_time *t, const char *arg)
{
	memset(t, 0, sizeof *t);
	t->arg = arg;
	size_t len = strlen(arg);
	if (strchr(arg, '%')) {
		t->percent = true;
		bool slash = strchr(arg, '/') != NULL;
		if (!slash && !strchr(arg, '-')) {
			/* "P%" is "P%/1" */
			char buf[80];
			if (len + 3 > sizeof buf)
				return -1;
			snprintf(buf, sizeof buf, "%s/1", arg);
			return parse_percent_piece(t, buf, strlen(buf), true);
		}
		for (const char *p = arg; *p;) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			if (parse_percent_piece(t, p, n, slash))
				return -1;
			if (!comma)
				break;
			p = comma + 1;
		}
		return t->n ? 0 : -1;
	}
	/* Ranges "START,END" separated by blanks: a range is up to the first
	 * blank after its comma (perf_time__parse_strs). */
	const char *p = arg, *end = arg + len;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		const char *comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			return -1;
		const char *q = comma + 1;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		while (q < end && *q != ' ' && *q != '\t') {
			if (*q == ',')
				return -1;
			q++;
		}
		/* the blanks perf skips after the comma */
		char piece[160];
		size_t a = (size_t)(comma - p), n = 0;
		if ((size_t)(q - p) >= sizeof piece)
			return -1;
		memcpy(piece, p, a + 1);
		n = a + 1;
		for (const char *r = comma + 1; r < q; r++)
			if (*r != ' ' && *r != '\t')
				piece[n++] = *r;
		if (parse_range(t, piece, n))
			return -1;
		p = q;
	}
	if (!t->n)
		return -1;
	for (size_t i = 0; i + 1 < t->n; i++)
		if (t->end[i] >= t->start[i + 1])
			return -1; /* overlapping or unordered, as perf refuses */
	t->resolved = true;
	return 0;
}

/* round(fraction * total) as perf's set_percent_time() computes it, kept
 * within total: near 2^64 the double rounds up past what a uint64_t holds
 * (converting that would be undefined). */
static uint64_t percent_offset(double fraction, uint64_t total)
{
	double v = fraction * (double)total + 0.5;
	if (!(v < (double)total)) /* also NaN */
		return total;
	uint64_t off = v > 0 ? (uint64_t)v : 0;
	return off < total ? off : total; /* (double)total may have rounded up */
}

void fold_time_resolve(struct fold_time *t, uint64_t first, uint64_t last)
{
	/* perf's set_percent_time() (round() of non-negative values) */
	uint64_t total = last > first ? last - first : 0;
	for (size_t i = 0; t->percent && i < t->n; i++) {
		t->start[i] = first + percent_offset(t->pstart[i], total);
		t->end[i] = first + percent_offset(t->pend[i], total);
		if (t->end[i] > t->start[i] && t->end[i] != last)
			t->end[i]--;
	}
	t->resolved = true;
}

bool fold_time_keep(struct fold_time *t, bool has_time, uint64_t time)
{
	if (!has_time || time == 0) {
		t->untimed++;
		return true; /* perf keeps samples without a time */
	}
	if (!t->seen || time < t->first)
		t->first = time;
	if (!t->seen || time > t->last)
		t->last = time;
	t->seen = true;
	if (t->n == 1) /* perf_time__skip_sample() */
		return !((t->start[0] && time < t->start[0]) || (t->end[0] && time > t->end[0]));
	for (size_t i = 0; i < t->n; i++)
		if (time >= t->start[i] && (time <= t->end[i] || !t->end[i]))
			return true;
	return false;
}

void fold_time_format(uint64_t ns, char out[32])
{
	snprintf(out, 32, "%llu.%06llu", (unsigned long long)(ns / 1000000000u),
		 (unsigned long long)(ns % 1000000000u / 1000u));
}

void fold_time_report(const struct fold_time *t, uint64_t kept, const struct fold_config *cfg)
{
	if (!t || !t->arg || kept || cfg->quiet)
		return;
	char a[32], b[32];
	if (!t->seen) {
		fprintf(stderr, "%s: warning: --time '%s' keeps no sample: the input has no sample times\n",
			cfg->prog, t->arg);
		return;
	}
	fold_time_format(t->first, a);
	fold_time_format(t->last, b);
	fprintf(stderr, "%s: warning: --time '%s' keeps no sample: the recording's samples span %s to %s\n",
		cfg->prog, t->arg, a, b);
}

bool fold_keep_comm(const struct fold_config *cfg, const char *comm, size_t len)
{
	if (!cfg->ncomms)
		return true;
	for (size_t i = 0; i < cfg->ncomms; i++)
		if (strlen(cfg->comms[i]) == len && memcmp(cfg->comms[i], comm, len) == 0)
			return true;
	return false;
}
