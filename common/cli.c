/* cli.c - option parsing shared by every tool: one table drives both
 * getopt_long_only (perl-style "-all", unique prefixes) and --help. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

enum { KEY_HELP = 0x7001, KEY_VERSION = 0x7002 };

static size_t count_options(const struct wp_option *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

void wp_cli_print_help(const struct wp_cli *cli, void *stream)
{
	FILE *f = stream;
	fprintf(f, "Usage: %s %s\n%s\n\nOptions:\n", cli->prog, cli->synopsis, cli->summary);
	for (const struct wp_option *o = cli->options; o && o->name; o++) {
		char left[96];
		const char *arg = o->arg_name ? o->arg_name : "ARG";
		int n;
		if (o->key > 0 && o->key < 128)
			n = snprintf(left, sizeof left, "  -%c, --%s", o->key, o->name);
		else
			n = snprintf(left, sizeof left, "      --%s", o->name);
		if (o->arg == WP_OPT_REQUIRED)
			snprintf(left + n, sizeof left - (size_t)n, " %s", arg);
		else if (o->arg == WP_OPT_OPTIONAL)
			snprintf(left + n, sizeof left - (size_t)n, "[=%s]", arg);
		fprintf(f, "%-30s %s\n", left, o->help);
	}
	fprintf(f, "%-30s %s\n%-30s %s\n", "  -h, --help", "show this help and exit",
		"  -V, --version", "show the version and exit");
}

void wp_cli_error(const struct wp_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", cli->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int wp_cli_parse(const struct wp_cli *cli, int argc, char **argv,
		 int (*on_option)(int key, const char *arg, void *ctx), void *ctx)
{
	size_t n = count_options(cli->options);
	struct option *longs = calloc(n + 3, sizeof *longs);
	char shorts[3 * 128 + 8];
	size_t sp = 0;
	if (!longs) {
		wp_cli_error(cli, "out of memory");
		return -1;
	}
	shorts[sp++] = ':';
	for (size_t i = 0; i < n; i++) {
		const struct wp_option *o = &cli->options[i];
		longs[i].name = o->name;
		longs[i].has_arg = o->arg == WP_OPT_NONE       ? no_argument
				   : o->arg == WP_OPT_REQUIRED ? required_argument
							       : optional_argument;
		longs[i].val = o->key;
		if (o->key > 0 && o->key < 128 && sp < sizeof shorts - 4) {
			shorts[sp++] = (char)o->key;
			if (o->arg == WP_OPT_REQUIRED)
				shorts[sp++] = ':';
			else if (o->arg == WP_OPT_OPTIONAL) {
				shorts[sp++] = ':';
				shorts[sp++] = ':';
			}
		}
	}
	longs[n] = (struct option){"help", no_argument, NULL, KEY_HELP};
	longs[n + 1] = (struct option){"version", no_argument, NULL, KEY_VERSION};
	shorts[sp++] = 'h';
	shorts[sp++] = 'V';
	shorts[sp] = '\0';

	int rc = 0, c;
	opterr = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long_only(argc, argv, shorts, longs, NULL)) != -1) {
		switch (c) {
		case 'h':
		case KEY_HELP:
			wp_cli_print_help(cli, stdout);
			rc = -2;
			break;
		case 'V':
		case KEY_VERSION:
			printf("%s %s\n", cli->prog, WASMPERF_VERSION);
			rc = -2;
			break;
		case ':':
			wp_cli_error(cli, "option '%s' needs a value (see --help)", argv[optind - 1]);
			rc = -1;
			break;
		case '?':
			wp_cli_error(cli, "unknown or ambiguous option '%s' (see --help)", argv[optind - 1]);
			rc = -1;
			break;
		default:
			if (on_option(c, optarg, ctx) != 0)
				rc = -1;
		}
	}
	free(longs);
	return rc ? rc : optind;
}

int wp_cli_parse_u64(const struct wp_cli *cli, const char *opt, const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-') {
		wp_cli_error(cli, "--%s wants a non-negative integer, not '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int wp_cli_parse_double(const struct wp_cli *cli, const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v)) {
		wp_cli_error(cli, "--%s wants a number, not '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}
