/* record_probes.c - the phase probes of a run, planned from the phases
 * preset of the runtime (phases/presets/NAME.rules, the same markers
 * wasmperf phases reads): every function symbol that one of its markers
 * names gets an entry probe, and a return probe unless the preset says
 * `probe MARKER entry`. The functions are looked for in the executable,
 * then in the libraries it loads in the loader's order (record_libs.c)
 * until every marker has one: WasmEdge's are in libwasmedge.so, and a
 * probe goes in the file that holds the code. Compiler-made copies
 * (NAME.cold, NAME.part.0, ...: a '.' in the symbol) are not the function's
 * entry and are skipped. A global C name is placed by name;
 * anything else (C++ and Rust names, local symbols) at its file offset,
 * NAME=0xOFFSET, since perf probe takes neither A::B::f nor %return on a
 * local symbol. The group is the run's own (probe_wasmperf_PID), so that removing
 * it never touches another run's or the user's probes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phases.h"
#include "record.h"
#include "symbolizer.h"

struct planner {
	struct record_probes *p;
	struct ph_rules *rules;
	const struct record_elf *elf;   /* the binary being read */
	const char *binary;
	size_t per_marker[PH_MAX_MARKERS];
	struct wp_buf demangled;
	size_t cap;
	bool too_many;
};

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool c_identifier(const char *s)
{
	if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (; *s; s++)
		if (!ident_char(*s))
			return false;
	return true;
}

static bool event_taken(const struct record_probes *p, const char *event)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].event, event) == 0)
			return true;
	return false;
}

/* perf's event name: the symbol when it is a short C name, global or not
 * (wasmperf phases can then tell the function from the event name alone,
 * should the binary be gone), else MARKER_LAST
 * from the demangled name's last component ("load_SyncCompile"). */
static void event_name(const struct record_probes *p, struct record_probe *pr)
{
	char base[48];
	if (c_identifier(pr->symbol) && !sym_looks_mangled(pr->symbol, strlen(pr->symbol)) &&
	    strlen(pr->symbol) < sizeof base) {
		snprintf(base, sizeof base, "%s", pr->symbol);
	} else {
		const char *f = pr->function, *paren = strchr(f, '(');
		size_t end = paren ? (size_t)(paren - f) : strlen(f), start = end;
		while (start > 0 && !(start >= 2 && f[start - 1] == ':' && f[start - 2] == ':'))
			start--;
		size_t k = (size_t)snprintf(base, sizeof base, "%s_", pr->marker);
		for (size_t i = start; i < end && k + 1 < sizeof base; i++)
			base[k++] = ident_char(f[i]) ? f[i] : '_';
		base[k] = '\0';
	}
	snprintf(pr->event, sizeof pr->event, "%s", base);
	for (int n = 2; event_taken(p, pr->event); n++)
		snprintf(pr->event, sizeof pr->event, "%s_%d", base, n);
}

static int add_probe(struct planner *pl, size_t marker, const char *symbol, const char *function,
		     uint64_t addr, bool global, bool is_return)
{
	struct record_probes *p = pl->p;
	if (p->n == RECORD_MAX_PROBES) {
		pl->too_many = true;
		return 0;
	}
	if (wp_grow((void **)&p->v, &pl->cap, p->n + 1, sizeof *p->v))
		return WP_E_NOMEM;
	struct record_probe *pr = &p->v[p->n];
	memset(pr, 0, sizeof *pr);
	pr->binary = pl->binary;
	pr->marker = strdup(ph_rules_marker_name(pl->rules, marker));
	pr->symbol = strdup(symbol);
	pr->function = strdup(function);
	pr->address = addr;
	pr->is_return = is_return;
	pr->by_name = global && c_identifier(symbol) && !sym_looks_mangled(symbol, strlen(symbol));
	if (!pr->marker || !pr->symbol || !pr->function) {
		free(pr->marker);
		free(pr->symbol);
		free(pr->function);
		return WP_E_NOMEM;
	}
	if (record_elf_file_offset(pl->elf, addr, &pr->offset) != 0) {
		free(pr->marker);
		free(pr->symbol);
		free(pr->function);
		return 0; /* not in a loaded segment: nothing to probe */
	}
	if (is_return) {
		snprintf(pr->event, sizeof pr->event, "%s", p->v[p->n - 1].event);
	} else {
		event_name(p, pr);
	}
	p->n++;
	return 0;
}

static int on_symbol(void *ctx, const char *name, uint64_t addr, bool global)
{
	struct planner *pl = ctx;
	size_t len = strlen(name);
	const char *function = name;
	if (strchr(name, '.'))
		return 0;
	if (sym_looks_mangled(name, len)) {
		wp_buf_reset(&pl->demangled);
		int rc = sym_demangle(name, len, &pl->demangled);
		if (rc < 0)
			return rc;
		if (rc == 1)
			function = pl->demangled.data;
	}
	for (size_t m = 0; m < ph_rules_marker_count(pl->rules) && m < PH_MAX_MARKERS; m++) {
		if (!ph_rules_marker_matches(pl->rules, m, name, len) &&
		    (function == name ||
		     !ph_rules_marker_matches(pl->rules, m, function, strlen(function))))
			continue;
		if (pl->per_marker[m]++ >= RECORD_PROBES_PER_FUNCTION_SET) {
			pl->too_many = true;
			continue;
		}
		int rc = add_probe(pl, m, name, function, addr, global, false);
		if (!rc && ph_rules_marker_wants_return(pl->rules, m) && pl->p->n &&
		    pl->p->v[pl->p->n - 1].address == addr)
			rc = add_probe(pl, m, name, function, addr, global, true);
		if (rc)
			return rc;
	}
	return 0;
}

static bool every_marker_found(const struct planner *pl)
{
	for (size_t m = 0; m < ph_rules_marker_count(pl->rules) && m < PH_MAX_MARKERS; m++)
		if (!pl->per_marker[m])
			return false;
	return true;
}

/* The markers no symbol matched: their phases will be absent. */
static void warn_missing(const struct planner *pl, const struct record_options *opts,
			 const struct record_runtime *rt)
{
	if (opts->quiet)
		return;
	for (size_t i = 0; i < rt->libs.nmissing; i++)
		fprintf(stderr, "%s: warning: '%s' needs '%s', found nowhere the dynamic loader "
			"looks (see wasmperf-record(1), LIBRARIES): not searched\n", opts->prog,
			rt->exe, rt->libs.missing[i]);
	if (rt->libs.too_many)
		fprintf(stderr, "%s: warning: '%s' loads more than %d libraries: the others are not "
			"searched\n", opts->prog, rt->exe, RECORD_MAX_LIBS);
	for (size_t m = 0; m < ph_rules_marker_count(pl->rules) && m < PH_MAX_MARKERS; m++)
		if (!pl->per_marker[m])
			fprintf(stderr, "%s: warning: neither '%s' nor a library it loads defines a "
				"function of the %s preset's marker '%s': no probe for it, its phases "
				"will be absent\n", opts->prog, rt->exe, ph_rules_name(pl->rules),
				ph_rules_marker_name(pl->rules, m));
}

/* The executable, then its libraries until every marker has a function. */
static int plan_binaries(struct planner *pl, const struct record_runtime *rt,
			 struct record_elf *exe)
{
	pl->elf = exe;
	pl->binary = rt->exe;
	int rc = record_elf_functions(exe, on_symbol, pl);
	for (size_t i = 0; !rc && i < rt->libs.n && !every_marker_found(pl); i++) {
		pl->elf = rt->libs.v[i].elf;
		pl->binary = rt->libs.v[i].file;
		rc = record_elf_functions(rt->libs.v[i].elf, on_symbol, pl);
	}
	return rc;
}

int record_probes_plan(struct record_probes *p, const struct record_options *opts,
		       const struct record_runtime *rt, struct record_elf *elf)
{
	memset(p, 0, sizeof *p);
	snprintf(p->group, sizeof p->group, "probe_wasmperf_%ld", (long)getpid());
	if (opts->no_probes || !rt->name)
		return 0;
	if (!elf) {
		if (!opts->quiet)
			fprintf(stderr, "%s: warning: '%s' is no ELF file: no phase probes\n", opts->prog,
				rt->exe);
		return 0;
	}
	struct planner pl = {.p = p, .elf = elf};
	if (ph_rules_load_preset(&pl.rules, rt->name)) {
		fprintf(stderr, "%s: %s\n", opts->prog,
			pl.rules ? ph_rules_errmsg(pl.rules) : "out of memory");
		ph_rules_free(pl.rules);
		return 1;
	}
	wp_buf_init(&pl.demangled, 1u << 16);
	int rc = plan_binaries(&pl, rt, elf);
	if (rc)
		fprintf(stderr, "%s: '%s': %s\n", opts->prog, pl.binary, wp_strerror(rc));
	else
		warn_missing(&pl, opts, rt);
	if (!rc && pl.too_many && !opts->quiet)
		fprintf(stderr, "%s: warning: more than %d functions match a marker: the first ones "
			"are probed\n", opts->prog, RECORD_PROBES_PER_FUNCTION_SET);
	wp_buf_release(&pl.demangled);
	ph_rules_free(pl.rules);
	return rc ? 1 : 0;
}

void record_probes_release(struct record_probes *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].marker);
		free(p->v[i].symbol);
		free(p->v[i].function);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

int record_probe_spec(const struct record_probes *p, size_t i, char *out, size_t size)
{
	const struct record_probe *pr = &p->v[i];
	char where[64];
	if (pr->by_name)
		snprintf(where, sizeof where, "%s", pr->symbol);
	else
		snprintf(where, sizeof where, "0x%llx", (unsigned long long)pr->offset);
	int n = snprintf(out, size, "%s:%s=%s%s", p->group, pr->event, where,
			 pr->is_return ? "%return" : "");
	return n > 0 && (size_t)n < size ? 0 : WP_E_TOOBIG;
}

size_t record_probes_binary_end(const struct record_probes *p, size_t first)
{
	size_t end = first + 1;
	while (end < p->n && !strcmp(p->v[end].binary, p->v[first].binary))
		end++;
	return end;
}

int record_probe_add_argv(const struct record_probes *p, size_t first, size_t end,
			  struct record_argv *a)
{
	/* -f: perf keeps event names unique across all groups; another run's
	 * probes of the same names (a run at the same time, or left behind)
	 * would fail ours, which -f renames NAME_1 instead. */
	int rc = record_argv_add(a, "perf") || record_argv_add(a, "probe") ||
		 record_argv_add(a, "-q") || record_argv_add(a, "-f") || record_argv_add(a, "-x") ||
		 record_argv_add(a, p->v[first].binary);
	for (size_t k = first; k < end && !rc; k++) {
		char spec[256];
		rc = record_probe_spec(p, k, spec, sizeof spec) || record_argv_add(a, "-a") ||
		     record_argv_add(a, spec);
	}
	return rc;
}

int record_probe_del_argv(const struct record_probes *p, struct record_argv *a)
{
	return record_argv_add(a, "perf") || record_argv_add(a, "probe") ||
	       record_argv_add(a, "-q") || record_argv_add(a, "-d") ||
	       record_argv_addf(a, "%s:*", p->group);
}
