/* phases_choose.c - the preset of each process (see phases_choose.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "phases_choose.h"

#define MAX_LIBS 8      /* libraries a preset names, per process */
#define MAX_PATH 4096

struct mapped {
	uint64_t addr, time;
	char *path;
};

struct proc_choice {
	bool chosen;
	bool awaiting_binary;   /* the next file mapping of code is the binary */
	bool has_binary;
	struct mapped binary;   /* its mapping: where its symbols are asked */
	char *exe;              /* exec filename (sched_process_exec), for select exe */
	char *comm;             /* the name of the image, when nothing better is known */
	struct mapped libs[MAX_LIBS];
	size_t nlibs;
};

struct phases_choose {
	const struct ph_catalog *catalog;
	struct ph_model *model;
	struct sym_native *sym;
	const char *const *probes;
	size_t nprobes;
	struct wp_intern *pids;        /* pid -> slot */
	struct proc_choice *procs;
	size_t cap;
};

struct phases_choose *phases_choose_new(const struct ph_catalog *catalog, struct ph_model *model)
{
	struct phases_choose *c = calloc(1, sizeof *c);
	if (!c || !(c->pids = wp_intern_new())) {
		free(c);
		return NULL;
	}
	c->catalog = catalog;
	c->model = model;
	return c;
}

static void forget_mappings(struct proc_choice *p)
{
	free(p->binary.path);
	p->binary.path = NULL;
	p->has_binary = false;
	for (size_t i = 0; i < p->nlibs; i++)
		free(p->libs[i].path);
	p->nlibs = 0;
}

void phases_choose_free(struct phases_choose *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < wp_intern_count(c->pids); i++) {
		forget_mappings(&c->procs[i]);
		free(c->procs[i].exe);
		free(c->procs[i].comm);
	}
	free(c->procs);
	wp_intern_free(c->pids);
	free(c);
}

void phases_choose_sources(struct phases_choose *c, struct sym_native *sym,
			   const char *const *probes, size_t nprobes)
{
	c->sym = sym;
	c->probes = probes;
	c->nprobes = nprobes;
}

static struct proc_choice *proc_of(struct phases_choose *c, int32_t pid)
{
	uint32_t slot, n = wp_intern_count(c->pids);
	if (wp_intern_get(c->pids, (const char *)&pid, sizeof pid, &slot))
		return NULL;
	if (slot == n) {
		if (wp_grow((void **)&c->procs, &c->cap, (size_t)slot + 1, sizeof *c->procs))
			return NULL;
		/* a process running before the recording: its first mapping of
		 * code (perf synthesizes them in address order) is its binary */
		c->procs[slot] = (struct proc_choice){.awaiting_binary = true};
	}
	return &c->procs[slot];
}

/* ---- the symbols a preset asks about ---- */
struct ask {
	struct phases_choose *c;
	int32_t pid;
	const struct proc_choice *p;
	int err;
};

static bool defines(struct ask *a, const struct mapped *m, const char *name)
{
	if (!a->c->sym)
		return false;
	int rc = sym_native_defines(a->c->sym, a->pid, m->time, m->addr, name);
	if (rc < 0)
		a->err = rc;
	return rc == 1;
}

static bool has_symbol(void *ctx, const char *name, const char *lib)
{
	struct ask *a = ctx;
	const struct proc_choice *p = a->p;
	if (!lib)
		return p->has_binary && defines(a, &p->binary, name);
	for (size_t i = 0; i < p->nlibs; i++) {
		const char *slash = strrchr(p->libs[i].path, '/');
		const char *base = slash ? slash + 1 : p->libs[i].path;
		if (!strncmp(base, lib, strlen(lib)) && defines(a, &p->libs[i], name))
			return true;
	}
	return false;
}

static int try_choose(struct phases_choose *c, int32_t pid, struct proc_choice *p)
{
	if (p->chosen)
		return 0;
	struct ask a = {c, pid, p, 0};
	struct ph_target t = {
		.binary = p->exe ? p->exe : p->has_binary ? p->binary.path : p->comm,
		.has_symbol = has_symbol, .symbol_ctx = &a, .probes = c->probes, .nprobes = c->nprobes,
	};
	int score;
	struct ph_rules *r = ph_catalog_choose(c->catalog, &t, &score);
	if (a.err || !r)
		return a.err;
	char why[512];
	ph_rules_explain(r, &t, why, sizeof why);
	p->chosen = true;
	return ph_model_set_rules(c->model, pid, r, why);
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strndup(s, MAX_PATH) : NULL;
	return s && !*dst ? WP_E_NOMEM : 0;
}

int phases_choose_exec(struct phases_choose *c, int32_t pid, const char *binary, const char *comm)
{
	struct proc_choice *p = proc_of(c, pid);
	if (!p)
		return WP_E_NOMEM;
	if (p->chosen)
		return 0;
	if (!binary) { /* COMM(exec): a new image, whose binary is mapped next */
		forget_mappings(p);
		p->awaiting_binary = true;
		int rc = set_str(&p->exe, NULL);
		return rc ? rc : set_str(&p->comm, comm);
	}
	int rc = set_str(&p->exe, binary[0] ? binary : NULL);
	return rc ? rc : try_choose(c, pid, p);
}

/* A file mapping of code: not anonymous memory, a jitdump's marker or a
 * special file. MMAP (not MMAP2) records carry no prot: perf treats them
 * as code. */
static bool maps_code(const struct pp_mmap *m)
{
	const char *f = m->filename;
	if (!f || f[0] != '/' || !strncmp(f, "//anon", 6) || !strncmp(f, "/memfd:", 7) ||
	    !strncmp(f, "/dev/", 5))
		return false;
	const char *slash = strrchr(f, '/');
	size_t n = strlen(slash + 1);
	if (!strncmp(slash + 1, "jit-", 4) && n > 5 && !strcmp(slash + 1 + n - 5, ".dump"))
		return false;
	return !m->is_mmap2 || (m->prot & PROT_EXEC);
}

int phases_choose_mmap(struct phases_choose *c, const struct pp_mmap *m, uint64_t time)
{
	if (!maps_code(m) || (int32_t)m->pid < 0)
		return 0;
	int32_t pid = (int32_t)m->pid;
	struct proc_choice *p = proc_of(c, pid);
	if (!p)
		return WP_E_NOMEM;
	if (p->chosen)
		return 0;
	struct mapped *slot = NULL;
	if (p->awaiting_binary) {
		p->awaiting_binary = false;
		p->has_binary = true;
		slot = &p->binary;
	} else if (p->nlibs < MAX_LIBS && ph_catalog_wants_library(c->catalog, m->filename)) {
		slot = &p->libs[p->nlibs++];
		slot->path = NULL;
	}
	if (!slot)
		return 0;
	slot->addr = m->addr;
	slot->time = time;
	int rc = set_str(&slot->path, m->filename);
	return rc ? rc : try_choose(c, pid, p);
}

int phases_choose_retry(struct phases_choose *c, int32_t pid)
{
	struct proc_choice *p = proc_of(c, pid);
	return p ? try_choose(c, pid, p) : WP_E_NOMEM;
}

int phases_choose_finish(struct phases_choose *c)
{
	int chosen = 0;
	for (uint32_t i = 0; i < wp_intern_count(c->pids); i++) {
		const struct proc_choice *p = &c->procs[i];
		if (p->chosen) {
			chosen++;
			continue;
		}
		int32_t pid;
		memcpy(&pid, wp_intern_str(c->pids, i, NULL), sizeof pid);
		const char *bin = p->exe ? p->exe : p->has_binary ? p->binary.path : p->comm ? p->comm : "?";
		char why[MAX_PATH + 200];
		snprintf(why, sizeof why, "no preset fits %s (none names it, nor a symbol it defines, "
			 "nor a probed function)", bin);
		int rc = ph_model_set_rules(c->model, pid, NULL, why);
		if (rc)
			return rc;
	}
	return chosen;
}
