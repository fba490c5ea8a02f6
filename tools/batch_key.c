/* batch_key.c - a run's cache key: a 128-bit hash of everything its
 * results depend on. Content, not times or sizes: a recording copied
 * elsewhere keeps its results, one rewritten in place does not. The
 * running executable is part of it, so a rebuilt wasmperf redoes every run. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"

#define KEY_FORMAT "wasmperf-batch key 1"

struct hasher {
	uint64_t a, b;
};

static void feed(struct hasher *h, const void *p, size_t n)
{
	h->a = wp_hash_bytes(p, n, h->a);
	h->b = wp_hash_bytes(p, n, h->b ^ 0x9e3779b97f4a7c15ULL);
}

/* A string with its length, so that ("ab","c") and ("a","bc") differ. */
static void feed_str(struct hasher *h, const char *s)
{
	uint64_t n = s ? strlen(s) : UINT64_MAX;
	feed(h, &n, sizeof n);
	if (s)
		feed(h, s, (size_t)n);
}

/* A file's name and bytes; an unreadable one hashes as such (the worker
 * reports it). */
static void feed_file(struct hasher *h, const char *path, const char *name)
{
	feed_str(h, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		feed_str(h, "(unreadable)");
		return;
	}
	static const size_t chunk = 1u << 16;
	unsigned char *buf = malloc(chunk);
	ssize_t got;
	while (buf && (got = read(fd, buf, chunk)) > 0)
		feed(h, buf, (size_t)got);
	free(buf);
	close(fd);
}

/* The files of a run directory or bundle that a run reads. */
static int relevant(const struct dirent *d)
{
	const char *s = d->d_name;
	size_t n = strlen(s);
	return strncmp(s, "perf.data", 9) == 0 || strcmp(s, "meta.json") == 0 ||
	       (wp_has_prefix(s, n, "perf-") && wp_has_suffix(s, n, ".map")) ||
	       (wp_has_prefix(s, n, "jit-") && wp_has_suffix(s, n, ".dump")) ||
	       wp_has_suffix(s, n, ".wasm");
}

static void feed_input(struct hasher *h, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		feed_file(h, path, "input");
		return;
	}
	struct dirent **list;
	int n = scandir(path, &list, relevant, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(list[i]->d_name) + 2;
		char *p = malloc(len);
		if (p) {
			snprintf(p, len, "%s/%s", path, list[i]->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				feed_file(h, p, list[i]->d_name);
			free(p);
		}
		free(list[i]);
	}
	free(n >= 0 ? list : NULL);
}

/* The executable, hashed once per process. */
static void feed_self(struct hasher *h)
{
	static struct hasher self; /* written once, before any worker exists */
	static bool done;
	if (!done) {
		self = (struct hasher){1, 2};
		feed_file(&self, "/proc/self/exe", "exe");
		done = true;
	}
	feed(h, &self, sizeof self);
}

int batch_key(const struct batch_options *o, struct batch_run *r)
{
	struct hasher h = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL};
	feed_str(&h, KEY_FORMAT);
	feed_str(&h, WASMPERF_VERSION);
	feed_self(&h);
	feed_str(&h, r->name);
	feed_str(&h, r->runtime);
	feed_str(&h, r->bench);
	feed_input(&h, r->input);
	size_t blen = strlen(r->bench);
	for (size_t i = 0; i < o->nwasm; i++) {
		const char *eq = strchr(o->wasm[i], '=');
		if (eq && (size_t)(eq - o->wasm[i]) == blen && strncmp(o->wasm[i], r->bench, blen) == 0)
			feed_file(&h, eq + 1, "wasm");
	}
	free(r->key);
	r->key = malloc(33);
	if (!r->key)
		return -1;
	snprintf(r->key, 33, "%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b);
	return 0;
}
