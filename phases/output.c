/* output.c - the phase rows as TSV, JSON and a text table, written to the
 * caller's stream (the formats are described in wasmperf-phases(1)). */
#include <stdio.h>
#include <string.h>

#include "phases_internal.h"

/* Names and comms go into tab/line separated text: control bytes would
 * break the columns, so they are written as \xNN (wp_visible). */
static void put_visible(FILE *f, const char *s)
{
	char vis[512];
	fputs(wp_visible(vis, sizeof vis, s, strlen(s)), f);
}

int ph_write_tsv(FILE *f, const struct ph_model *m)
{
	fputs("pid\tcomm\tphase\tstart_ns\tend_ns\tdur_ns\tsamples", f);
	for (int c = 0; c < PH_NCAT; c++)
		fprintf(f, "\t%s", ph_category_name(c));
	fputc('\n', f);
	const struct ph_row *rows;
	size_t n = ph_model_rows(m, &rows);
	for (size_t i = 0; i < n; i++) {
		const struct ph_row *r = &rows[i];
		if (!r->present)
			continue;
		fprintf(f, "%d\t", (int)r->pid);
		put_visible(f, r->comm);
		fputc('\t', f);
		put_visible(f, r->phase);
		fprintf(f, "\t%llu\t%llu\t%llu\t%llu", (unsigned long long)r->start_ns,
			(unsigned long long)r->end_ns, (unsigned long long)r->dur_ns,
			(unsigned long long)r->samples);
		for (int c = 0; c < PH_NCAT; c++)
			fprintf(f, "\t%llu", (unsigned long long)r->cat_samples[c]);
		fputc('\n', f);
	}
	return ferror(f) ? WP_E_IO : 0;
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated), or 0: no
 * overlong form, surrogate or code point past U+10FFFF (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* JSON text must be UTF-8 (RFC 8259 section 8.1), and comms and frame
 * names are bytes: a byte that starts no valid sequence becomes U+FFFD, as
 * the flame graph's JSON exports and the WHATWG decoder do. */
void ph_json_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t len = *p < 0x80 ? 1 : utf8_len(p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (len)
			fwrite(p, 1, len, f);
		else
			fputs("\xef\xbf\xbd", f);
		p += len ? len : 1;
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	ph_json_escape(f, s);
	fputc('"', f);
}

static void json_row(FILE *f, const struct ph_row *r)
{
	fputs("{\"name\":", f);
	json_str(f, r->kind == PH_ROW_STACK ? r->phase + 6 : r->phase);
	if (!r->present) {
		fputs(",\"missing\":", f);
		json_str(f, r->missing ? r->missing : "");
		fputc('}', f);
		return;
	}
	fprintf(f, ",\"depth\":%d,\"start_ns\":%llu,\"end_ns\":%llu,\"dur_ns\":%llu,"
		"\"samples\":%llu,\"period\":%llu", r->depth, (unsigned long long)r->start_ns,
		(unsigned long long)r->end_ns, (unsigned long long)r->dur_ns,
		(unsigned long long)r->samples, (unsigned long long)r->period);
	if (r->kind == PH_ROW_PHASE)
		fprintf(f, ",\"disagree\":%llu", (unsigned long long)r->disagree);
	fputs(",\"categories\":{", f);
	for (int c = 0; c < PH_NCAT; c++)
		fprintf(f, "%s\"%s\":{\"samples\":%llu,\"period\":%llu}", c ? "," : "",
			ph_category_name(c), (unsigned long long)r->cat_samples[c],
			(unsigned long long)r->cat_period[c]);
	fputs("}}", f);
}

int ph_write_json(FILE *f, const struct ph_model *m)
{
	const struct ph_process *procs;
	const struct ph_row *rows;
	size_t np = ph_model_processes(m, &procs);
	ph_model_rows(m, &rows);
	fputs("{\"processes\":[", f);
	for (size_t i = 0; i < np; i++) {
		const struct ph_process *p = &procs[i];
		fprintf(f, "%s\n{\"pid\":%d,\"comm\":", i ? "," : "", (int)p->pid);
		json_str(f, p->comm);
		fputs(",\"rules\":", f);
		if (p->rules)
			json_str(f, p->rules);
		else
			fputs("null", f);
		fputs(",\"rules_why\":", f);
		if (p->rules_why)
			json_str(f, p->rules_why);
		else
			fputs("null", f);
		fprintf(f, ",\"samples\":%llu,\"samples_outside\":%llu,\"disagree\":%llu",
			(unsigned long long)p->samples, (unsigned long long)p->samples_outside,
			(unsigned long long)p->disagree);
		static const char *const lists[3] = { "phases", "absent", "stacks" };
		for (int l = 0; l < 3; l++) {
			fprintf(f, ",\"%s\":[", lists[l]);
			bool first = true;
			for (size_t k = p->first_row; k < p->first_row + p->nrows; k++) {
				const struct ph_row *r = &rows[k];
				int which = r->kind == PH_ROW_STACK ? 2 : r->present ? 0 : 1;
				if (which != l)
					continue;
				if (!first)
					fputc(',', f);
				first = false;
				json_row(f, r);
			}
			fputc(']', f);
		}
		fputc('}', f);
	}
	fputs("]}\n", f);
	return ferror(f) ? WP_E_IO : 0;
}

static double ms(uint64_t ns) { return (double)ns / 1e6; }

int ph_write_text(FILE *f, const struct ph_model *m)
{
	const struct ph_process *procs;
	const struct ph_row *rows;
	size_t np = ph_model_processes(m, &procs);
	ph_model_rows(m, &rows);
	for (size_t i = 0; i < np; i++) {
		const struct ph_process *p = &procs[i];
		fprintf(f, "%spid %d (", i ? "\n" : "", (int)p->pid);
		put_visible(f, p->comm);
		/* "rules wamr (its binary defines ...)", or why there are none */
		if (p->rules || !p->rules_why)
			fprintf(f, "), rules %s", p->rules ? p->rules : "(none)");
		else
			fputs("), ", f);
		if (p->rules_why) {
			fputs(p->rules ? " (" : "", f);
			put_visible(f, p->rules_why);
			fputs(p->rules ? ")" : "", f);
		}
		fprintf(f, ": %llu samples", (unsigned long long)p->samples);
		if (p->samples_outside)
			fprintf(f, ", %llu before exec or after exit",
				(unsigned long long)p->samples_outside);
		if (p->disagree)
			fprintf(f, ", %llu whose stack disagrees", (unsigned long long)p->disagree);
		fputc('\n', f);
		uint64_t base = p->has_exec ? p->exec_ns : 0, total = 0;
		for (size_t k = p->first_row; k < p->first_row + p->nrows; k++)
			if (rows[k].present && rows[k].kind == PH_ROW_PHASE &&
			    rows[k].start_ns == p->exec_ns && rows[k].end_ns == p->exit_ns)
				total = rows[k].dur_ns;
		fprintf(f, "  %-26s %10s %10s %11s %6s %8s", "phase", "start(ms)", "end(ms)",
			"dur(ms)", "share", "samples");
		for (int c = 0; c < PH_NCAT; c++)
			fprintf(f, " %7s", ph_category_name(c));
		fputc('\n', f);
		for (size_t k = p->first_row; k < p->first_row + p->nrows; k++) {
			const struct ph_row *r = &rows[k];
			char name[64];
			snprintf(name, sizeof name, "%*s%s", 2 * r->depth, "", r->phase);
			fputs("  ", f);
			put_visible(f, name);
			fprintf(f, "%*s", (int)(26 - strlen(name) > 26 ? 0 : 26 - strlen(name)), "");
			if (!r->present) {
				fprintf(f, " absent (%s)\n", r->missing ? r->missing : "?");
				continue;
			}
			double start = r->start_ns >= base ? ms(r->start_ns - base) : -ms(base - r->start_ns);
			double end = r->end_ns >= base ? ms(r->end_ns - base) : -ms(base - r->end_ns);
			fprintf(f, " %10.3f %10.3f %11.3f", start, end, ms(r->dur_ns));
			if (total && r->kind == PH_ROW_PHASE)
				fprintf(f, " %5.1f%%", 100.0 * (double)r->dur_ns / (double)total);
			else
				fprintf(f, " %6s", "");
			fprintf(f, " %8llu", (unsigned long long)r->samples);
			for (int c = 0; c < PH_NCAT; c++) {
				if (r->samples)
					fprintf(f, " %6.1f%%",
						100.0 * (double)r->cat_samples[c] / (double)r->samples);
				else
					fprintf(f, " %7s", "-");
			}
			fputc('\n', f);
		}
	}
	return ferror(f) ? WP_E_IO : 0;
}
