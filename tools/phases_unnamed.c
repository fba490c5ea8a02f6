/* phases_unnamed.c - tracepoint events a perf.data does not name (see
 * phases_unnamed.h). */
#include <stdlib.h>
#include <string.h>

#include "phases_unnamed.h"

#define MAX_EVENTS 256 /* unnamed events reported; more are counted together */

bool phases_unnamed_event(const char *name)
{
	return !strncmp(name, "tracepoint:", 11);
}

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v); /* the host's order: libperfparse reads only files
				  * whose magic reads right in it */
	return v;
}

bool phases_unnamed_uprobe(const struct pp_sample *s, uint64_t *addr, bool *is_return)
{
	const uint8_t *raw = s->raw;
	if (!(s->fields & PP_SAMPLE_RAW) || !(s->fields & PP_SAMPLE_IP) || !raw || s->raw_size < 16 ||
	    s->kernel_ip || !s->ip)
		return false;
	/* return: __probe_func, then __probe_ret_ip, the sampled ip */
	if (s->raw_size >= 24 && u64_at(raw + 16) == s->ip && u64_at(raw + 8)) {
		*addr = u64_at(raw + 8);
		*is_return = true;
		return true;
	}
	/* entry: __probe_ip, the sampled ip */
	if (u64_at(raw + 8) == s->ip) {
		*addr = s->ip;
		*is_return = false;
		return true;
	}
	return false;
}

struct unnamed_event {
	size_t event;
	char *name;
	char *function;       /* the first identification */
	uint64_t identified, unknown;
};

struct phases_unnamed {
	struct unnamed_event v[MAX_EVENTS];
	size_t n;
	uint64_t beyond;      /* samples of events past MAX_EVENTS */
};

struct phases_unnamed *phases_unnamed_new(void)
{
	return calloc(1, sizeof(struct phases_unnamed));
}

void phases_unnamed_free(struct phases_unnamed *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].name);
		free(u->v[i].function);
	}
	free(u);
}

int phases_unnamed_count(struct phases_unnamed *u, size_t event, const char *name,
			 const char *function)
{
	size_t i;
	for (i = 0; i < u->n && u->v[i].event != event; i++)
		;
	if (i == u->n) {
		if (u->n == MAX_EVENTS) {
			u->beyond++;
			return 0;
		}
		u->v[i] = (struct unnamed_event){.event = event, .name = strdup(name)};
		if (!u->v[i].name)
			return WP_E_NOMEM;
		u->n++;
	}
	struct unnamed_event *e = &u->v[i];
	if (!function) {
		e->unknown++;
		return 0;
	}
	e->identified++;
	if (!e->function && !(e->function = strdup(function)))
		return WP_E_NOMEM;
	return 0;
}

void phases_unnamed_report(const struct phases_unnamed *u, const char *file, wp_warn_fn warn,
			   void *ctx)
{
	for (size_t i = 0; i < u->n; i++) {
		const struct unnamed_event *e = &u->v[i];
		if (e->identified)
			wp_warnf(warn, ctx, "%s: event '%s' has no name in the file: %llu sample%s read "
				 "as a uprobe on %s (by its address)", file, e->name,
				 (unsigned long long)e->identified, e->identified == 1 ? "" : "s",
				 e->function);
		if (e->unknown)
			wp_warnf(warn, ctx, "%s: event '%s' has no name in the file: %llu sample%s not "
				 "identified (no uprobe's raw data, or no symbol at the probed address): "
				 "left out", file, e->name, (unsigned long long)e->unknown,
				 e->unknown == 1 ? "" : "s");
	}
	if (u->beyond)
		wp_warnf(warn, ctx, "%s: %llu samples of more than %d unnamed events left out", file,
			 (unsigned long long)u->beyond, MAX_EVENTS);
}
