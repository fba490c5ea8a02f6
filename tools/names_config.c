/* names_config.c - the --wasm family of options and translator set-up,
 * shared by wasmperf-names and wasmperf-fold. */
#include <stdlib.h>
#include <string.h>

#include "names.h"

void names_config_init(struct names_config *c, const char *prog)
{
	memset(c, 0, sizeof *c);
	sym_names_options_init(&c->opt);
	c->warn.prog = prog;
}

static int too_many(const struct names_config *c, const char *what)
{
	fprintf(stderr, "%s: too many %s options\n", c->warn.prog, what);
	return -1;
}

int names_config_option(struct names_config *c, int key, const char *arg)
{
	switch (key) {
	case NAMES_OPT_WASM:
		if (c->nmodules == sizeof c->modules / sizeof c->modules[0])
			return too_many(c, "--wasm");
		c->modules[c->nmodules++] = arg;
		break;
	case NAMES_OPT_RUNTIME:
		c->opt.runtime = arg;
		break;
	case NAMES_OPT_PATTERN:
		if (c->npatterns == sizeof c->patterns / sizeof c->patterns[0])
			return too_many(c, "--pattern");
		c->patterns[c->npatterns++] = arg;
		break;
	case NAMES_OPT_INDEX:
		if (strcmp(arg, "defined") && strcmp(arg, "absolute")) {
			fprintf(stderr, "%s: --index takes 'defined' or 'absolute', not '%s'\n", c->warn.prog, arg);
			return -1;
		}
		c->absolute = strcmp(arg, "absolute") == 0;
		break;
	case NAMES_OPT_KEEP_TIERS:
		c->opt.keep_tiers = true;
		break;
	case NAMES_OPT_MARK:
		c->opt.mark = strcmp(arg, "none") == 0 ? "" : arg;
		break;
	case NAMES_OPT_NO_DEMANGLE:
		c->opt.demangle = false;
		break;
	default:
		return 1;
	}
	/* Only a module, a runtime or a pattern turns translation on. */
	c->given |= key == NAMES_OPT_WASM || key == NAMES_OPT_RUNTIME || key == NAMES_OPT_PATTERN;
	return 0;
}

/* "M=FILE" binds FILE to module M, unless the '=' belongs to the path. */
const char *names_split_binding(const char *arg, char *binding, size_t size)
{
	const char *eq = strchr(arg, '=');
	const char *slash = strchr(arg, '/');
	if (size)
		binding[0] = '\0';
	if (!eq || (slash && slash < eq) || (size_t)(eq - arg) >= size)
		return arg;
	memcpy(binding, arg, (size_t)(eq - arg));
	binding[eq - arg] = '\0';
	return eq + 1;
}

struct sym_names *names_build(const struct names_config *c, int *status)
{
	char err[600];
	struct sym_names *n = sym_names_new(&c->opt, tool_warn_fn, (void *)&c->warn, err, sizeof err);
	if (!n) {
		fprintf(stderr, "%s: %s\n", c->warn.prog, err);
		*status = 2;
		return NULL;
	}
	for (size_t i = 0; i < c->npatterns; i++) {
		if (sym_names_add_pattern(n, c->patterns[i], c->absolute, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", c->warn.prog, err);
			sym_names_free(n);
			*status = 2;
			return NULL;
		}
	}
	for (size_t i = 0; i < c->nmodules; i++) {
		char binding[256];
		binding[0] = '\0';
		const char *path = names_split_binding(c->modules[i], binding, sizeof binding);
		struct sym_wasm_module *m;
		int rc = sym_wasm_module_load(path, &m, err, sizeof err);
		if (rc) {
			/* A damaged module is unsafe to translate with. */
			fprintf(stderr, "%s: %s\n", c->warn.prog, err);
			sym_wasm_module_free(m);
			sym_names_free(n);
			*status = 1;
			return NULL;
		}
		if (sym_names_add_module(n, binding[0] ? binding : NULL, m)) {
			fprintf(stderr, "%s: too many modules\n", c->warn.prog);
			sym_wasm_module_free(m);
			sym_names_free(n);
			*status = 2;
			return NULL;
		}
	}
	*status = 0;
	return n;
}

int names_translate_stack(struct sym_names *n, const char *prog, const char *stack, size_t len,
			  struct wp_buf *out)
{
	wp_buf_reset(out);
	struct sym_names_origin prev = {-1, -1, false, false};
	size_t start = 0;
	bool first = true;
	while (start <= len) {
		const char *semi = memchr(stack + start, ';', len - start);
		size_t i = semi ? (size_t)(semi - stack) : len;
		const char *frame = stack + start, *t;
		size_t flen = i - start, tlen;
		struct sym_names_origin origin;
		int rc = sym_names_translate(n, frame, flen, false, &t, &tlen, &origin);
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, sym_names_errmsg(n));
			return rc;
		}
		start = i + 1;
		/* aot_func#N (a stack-check stub) calling aot_func_internal#N is one
		 * Wasm function: keep the stub's frame only. */
		if (rc == 1 && origin.wamr_body && prev.wamr_stub && prev.module == origin.module &&
		    prev.fi == origin.fi) {
			prev = origin;
			continue;
		}
		prev = rc == 1 ? origin : (struct sym_names_origin){-1, -1, false, false};
		if (!first && wp_buf_putc(out, ';'))
			return WP_E_NOMEM;
		first = false;
		if (wp_buf_append(out, rc == 1 ? t : frame, rc == 1 ? tlen : flen))
			return WP_E_NOMEM;
	}
	return 0;
}

int names_report(struct sym_names *n, const char *prog, bool quiet, bool named_otherwise)
{
	struct sym_names_stats st;
	sym_names_stats(n, &st);
	/* Frames that do not fit: outside the module, or named otherwise by
	 * the runtime than by the module. More of them than fitting ones is
	 * the wrong module, not a few stray frames. */
	uint64_t misfit = st.outside + st.mismatched, fit = st.translated - st.mismatched;
	if (misfit && misfit > fit) {
		const struct sym_wasm_module *m = sym_names_default_module(n);
		fprintf(stderr,
			"%s: %llu of %llu jitted frames do not fit '%s' (%llu outside its functions, "
			"%llu named otherwise%s%s): is it the module that ran? (the output shows them "
			"as they were or by their own names)\n",
			prog, (unsigned long long)misfit, (unsigned long long)(misfit + fit),
			st.outside_module ? st.outside_module : m ? sym_wasm_module_path(m) : "the module",
			(unsigned long long)st.outside, (unsigned long long)st.mismatched,
			st.outside_example ? ", e.g. " : "", st.outside_example ? st.outside_example : "");
		return 1;
	}
	if (quiet)
		return 0;
	if (st.outside)
		fprintf(stderr,
			"%s: warning: %llu frame%s left as %s: function index outside '%s' (e.g. %s)\n",
			prog, (unsigned long long)st.outside, st.outside == 1 ? "" : "s",
			st.outside == 1 ? "it was" : "they were", st.outside_module, st.outside_example);
	else if (!st.translated && st.modules && !named_otherwise)
		fprintf(stderr,
			"%s: warning: no frame could be translated with the Wasm modules (--wasm, or a "
			"bundle's): the frames carry no "
			"jitted Wasm names (interpreters such as wasm3 and WAMR's classic and fast "
			"interpreters run Wasm without them)\n",
			prog);
	return 0;
}

bool names_any_marked(const struct wp_intern *names, const struct sym_names_options *opt)
{
	const char *mark = opt && opt->mark ? opt->mark : WP_WASM_MARK;
	for (uint32_t id = 0, n = wp_intern_count(names); mark[0] && id < n; id++) {
		size_t len;
		const char *s = wp_intern_str(names, id, &len);
		if (wp_has_prefix(s, len, mark))
			return true;
	}
	return false;
}
