/* input_kind.c - tells perf.data, perf script text, folded stacks, perf
 * maps, jitdumps, Wasm modules and binary data apart by their first bytes
 * (gzip looked into), so that every tool reads each input as what it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fold.h"
#include "input.h"

#define SNIFF_BYTES 16384

const char *input_display(const char *path)
{
	return path && strcmp(path, "-") ? path : "<stdin>";
}

const char *input_kind_name(enum input_kind k)
{
	static const char *const names[] = {
		[INPUT_UNREADABLE] = "unreadable", [INPUT_DIRECTORY] = "a directory",
		[INPUT_PERFDATA] = "perf.data",    [INPUT_SCRIPT] = "perf script text",
		[INPUT_STREAM] = "a text stream",
		[INPUT_FOLDED] = "folded stacks",  [INPUT_PERF_MAP] = "a perf map",
		[INPUT_JITDUMP] = "a jitdump",     [INPUT_WASM] = "a Wasm module",
		[INPUT_BINARY] = "binary data",
	};
	return names[k];
}

/* Reads up to n bytes of the file's content, through gzip when it is
 * compressed (gzread passes plain files through). -1 on failure, with
 * *zmsg set when it is zlib's (a damaged gzip stream), else errno. */
static ssize_t read_head(const char *path, unsigned char *buf, size_t n, bool *gz,
			 char *zmsg, size_t zmsg_size)
{
	zmsg[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	unsigned char magic[2];
	ssize_t m = read(fd, magic, 2);
	*gz = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	gzFile z = gzdopen(fd, "rb");
	if (!z) {
		close(fd);
		return -1;
	}
	int got = gzread(z, buf, (unsigned)n);
	int zerr = Z_OK;
	const char *what = got < 0 ? gzerror(z, &zerr) : NULL;
	if (what && zerr != Z_ERRNO) {
		const char *colon = strstr(what, ": "); /* gzerror says "<fd:N>: what" */
		snprintf(zmsg, zmsg_size, "%s", what[0] == '<' && colon ? colon + 2 : what);
	}
	gzclose(z);
	return got;
}

/* START SIZE NAME, both hex (perf's map format). */
static bool is_map_line(const unsigned char *s, size_t n)
{
	size_t a = 0;
	while (a < n && s[a] != ' ')
		a++;
	size_t b = a + 1;
	while (b < n && s[b] != ' ')
		b++;
	return a < n && b + 1 < n && s[b + 1] != ' ' && wp_is_hex_number((const char *)s, a) &&
	       wp_is_hex_number((const char *)s + a + 1, b - a - 1);
}

/* perf script's event lines carry the time as "SECONDS.FRACTION:". */
static bool has_time_token(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '.' || i == 0 || !(s[i - 1] >= '0' && s[i - 1] <= '9'))
			continue;
		size_t k = i + 1;
		while (k < n && s[k] >= '0' && s[k] <= '9')
			k++;
		if (k > i + 1 && k < n && s[k] == ':')
			return true;
	}
	return false;
}

/* The first content line decides between folded stacks, a perf map and
 * perf script text (whose event lines and indented frames never parse as
 * "stack count"). */
static enum input_kind classify_text(const unsigned char *buf, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && buf[end] != '\n')
			end++;
		size_t len = end - i;
		if (len && buf[end - 1] == '\r')
			len--;
		const unsigned char *line = buf + i;
		i = end + 1;
		if (len == 0 || line[0] == '#')
			continue;
		if (end == n && n == SNIFF_BYTES)
			break; /* a line cut by the sniff window says nothing */
		if (has_time_token(line, len))
			return INPUT_SCRIPT;
		if (is_map_line(line, len))
			return INPUT_PERF_MAP;
		struct fg_folded_line fl;
		if (line[0] != ' ' && line[0] != '\t' &&
		    fg_folded_parse_line((const char *)line, len, &fl) == 0)
			return INPUT_FOLDED;
		return INPUT_SCRIPT;
	}
	return INPUT_SCRIPT;
}

static bool looks_binary(const unsigned char *buf, size_t n)
{
	size_t control = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t' && buf[i] != '\f')
			control++;
	}
	return control * 33 > n; /* over 3 %: not text a tool wrote (a hostile
				  * name's stray bytes stay below) */
}

static void describe_binary(const unsigned char *buf, size_t n, char *what, size_t size)
{
	if (n >= 4 && !memcmp(buf, "\x7f" "ELF", 4)) {
		snprintf(what, size, "an ELF file");
		return;
	}
	int len = snprintf(what, size, "binary data (first bytes");
	for (size_t i = 0; i < n && i < 8 && len > 0 && (size_t)len < size; i++)
		len += snprintf(what + len, size - (size_t)len, " %02x", buf[i]);
	if (len > 0 && (size_t)len < size)
		snprintf(what + len, size - (size_t)len, ")");
}

/* An empty file has no content to tell its kind by: only its name can say
 * it was to be a recording (perf.data, perf.data.old, NAME.data), which is
 * then an error; any other is empty text, as stackcollapse-perf.pl and
 * flamegraph.pl read it. */
static bool named_like_perfdata(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t n = strlen(base);
	return strncmp(base, "perf.data", 9) == 0 || (n > 5 && !strcmp(base + n - 5, ".data"));
}

enum input_kind input_sniff(const char *prog, const char *path, char *what, size_t whatsize)
{
	if (whatsize)
		what[0] = '\0';
	if (!path || !strcmp(path, "-")) {
		int p = fold_input_is_perfdata(prog, path);
		return p < 0 ? INPUT_UNREADABLE : p ? INPUT_PERFDATA : INPUT_STREAM;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: '%s': %s\n", prog, path, strerror(errno));
		return INPUT_UNREADABLE;
	}
	if (S_ISDIR(st.st_mode))
		return fold_input_is_perfdata(prog, path) == 1 ? INPUT_PERFDATA : INPUT_DIRECTORY;
	if (!S_ISREG(st.st_mode))
		return fold_input_is_perfdata(prog, path) == 1 ? INPUT_PERFDATA : INPUT_STREAM; /* a fifo */
	unsigned char buf[SNIFF_BYTES];
	bool gz;
	char zmsg[128];
	ssize_t n = read_head(path, buf, sizeof buf, &gz, zmsg, sizeof zmsg);
	if (n < 0 && zmsg[0]) {
		fprintf(stderr, "%s: '%s': corrupt gzip data (zlib: %s)\n", prog, path, zmsg);
		return INPUT_UNREADABLE;
	}
	if (n < 0) {
		fprintf(stderr, "%s: '%s': %s\n", prog, path, strerror(errno ? errno : EIO));
		return INPUT_UNREADABLE;
	}
	size_t len = (size_t)n;
	if (len == 0 && !gz && named_like_perfdata(path))
		return INPUT_PERFDATA; /* killed perf record: the reader says it is empty */
	if (len > 0 && len < 8 && !gz && !memcmp(buf, "PERFILE2", len))
		return INPUT_PERFDATA; /* cut inside the magic: the reader says so */
	if (len >= 8 && !memcmp(buf, "PERFILE2", 8)) {
		if (!gz)
			return INPUT_PERFDATA;
		snprintf(what, whatsize, "gzip-compressed perf.data (gunzip it first)");
		return INPUT_BINARY;
	}
	if (len >= 4 && (!memcmp(buf, "DTiJ", 4) || !memcmp(buf, "JiTD", 4)))
		return INPUT_JITDUMP;
	if (len >= 4 && !memcmp(buf, "\0asm", 4))
		return INPUT_WASM;
	if (looks_binary(buf, len)) {
		describe_binary(buf, len, what, whatsize);
		return INPUT_BINARY;
	}
	return classify_text(buf, len);
}

int input_refuse(const char *prog, const char *path, enum input_kind kind, const char *what,
		 unsigned accepted)
{
	const char *name = input_display(path);
	if (accepted & (1u << kind))
		return 0;
	switch (kind) {
	case INPUT_PERFDATA:
		fprintf(stderr, "%s: '%s': is perf.data, and %s reads text: fold it with wasmperf fold "
			"(--wasm M translates while folding)\n", prog, name, prog);
		return 1;
	case INPUT_SCRIPT:
	case INPUT_STREAM:
	case INPUT_FOLDED:
		fprintf(stderr, "%s: '%s': is %s, which %s does not read\n", prog, name,
			input_kind_name(kind), prog);
		return 1;
	case INPUT_UNREADABLE:
		return 1;
	case INPUT_DIRECTORY: {
		char data[4096];
		struct stat st;
		bool has = snprintf(data, sizeof data, "%s/perf.data", path) < (int)sizeof data &&
			   stat(data, &st) == 0;
		fprintf(stderr, "%s: '%s': is a directory%s%s%s\n", prog, name,
			has ? " (give the recording in it: '" : "", has ? data : "", has ? "')" : "");
		return 1;
	}
	case INPUT_JITDUMP:
		fprintf(stderr, "%s: '%s': is a jitdump, not a recording: fold the perf.data it belongs "
			"to (with --jitdump '%s' when it is not found), or print it as a perf map with "
			"wasmperf names '%s'\n", prog, name, name, name);
		return 1;
	case INPUT_WASM:
		fprintf(stderr, "%s: '%s': is a Wasm module, not a recording: give it with --wasm '%s'\n",
			prog, name, name);
		return 1;
	case INPUT_PERF_MAP:
		fprintf(stderr, "%s: '%s': is a perf map, not a recording: fold the perf.data it belongs "
			"to (with --perf-map-dir), or translate it with wasmperf names --wasm M '%s'\n",
			prog, name, name);
		return 1;
	case INPUT_BINARY:
		fprintf(stderr, "%s: '%s': is %s, not perf.data, perf script text or folded stacks\n",
			prog, name, what[0] ? what : "binary data");
		return 1;
	}
	return 1;
}

