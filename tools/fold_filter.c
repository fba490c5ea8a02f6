/* fold_filter.c - which samples wasmperf-fold keeps, the same for perf
 * script text and perf.data: one event (the one asked for, else the first
 * seen, as stackcollapse-perf.pl), and the --comm names. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "perfparse.h"

int fold_events_init(struct fold_events *e, const char *filter)
{
	memset(e, 0, sizeof *e);
	if (!filter)
		return 0;
	/* Compared by base name on both sides ("cycles:u" == "cycles"). */
	struct pp_str base = pp_event_base_name((struct pp_str){filter, strlen(filter)});
	e->kept = strndup(base.p, base.n);
	return e->kept ? 0 : WP_E_NOMEM;
}

bool fold_events_keep(struct fold_events *e, const char *name, size_t len)
{
	if (len == 0)
		return true;
	struct pp_str base = pp_event_base_name((struct pp_str){name, len});
	if (!e->kept) {
		e->kept = strndup(base.p, base.n);
		return true;
	}
	if (strlen(e->kept) == base.n && memcmp(e->kept, base.p, base.n) == 0)
		return true;
	if (!e->example)
		e->example = strndup(base.p, base.n);
	e->dropped++;
	return false;
}

void fold_events_report(const struct fold_events *e, const struct fold_config *cfg)
{
	if (e->dropped && !cfg->quiet)
		fprintf(stderr, "%s: folded only event '%s'; dropped %llu samples of other events "
			"(e.g. '%s'); choose one with --event-filter\n", cfg->prog, e->kept,
			(unsigned long long)e->dropped, e->example ? e->example : "?");
}

void fold_events_release(struct fold_events *e)
{
	free(e->kept);
	free(e->example);
	memset(e, 0, sizeof *e);
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
