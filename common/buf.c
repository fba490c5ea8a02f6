/* buf.c - growable byte buffer with a hard size cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

/* A shared empty string keeps data non-NULL without allocating. */
static char empty_string[1];

void wp_buf_init(struct wp_buf *b, size_t max)
{
	b->data = empty_string;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void wp_buf_release(struct wp_buf *b)
{
	if (b->cap)
		free(b->data);
	wp_buf_init(b, b->max);
}

int wp_buf_reserve(struct wp_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return WP_E_TOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* Never hold more than the cap allows: the inline append relies on it. */
	if (b->max != WP_BUF_UNLIMITED && cap > b->max + 1)
		cap = b->max + 1;
	char *p = b->cap ? realloc(b->data, cap) : malloc(cap);
	if (!p)
		return WP_E_NOMEM;
	if (!b->cap)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int wp_buf_append_slow(struct wp_buf *b, const void *p, size_t n)
{
	int rc = wp_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int wp_buf_putc_slow(struct wp_buf *b, char c)
{
	return wp_buf_append_slow(b, &c, 1);
}

int wp_buf_puts(struct wp_buf *b, const char *s)
{
	return wp_buf_append(b, s, strlen(s));
}

int wp_buf_vprintf(struct wp_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return WP_E_USAGE;
	int rc = wp_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int wp_buf_printf(struct wp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = wp_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int wp_grow_slow(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return WP_E_NOMEM;
		ncap *= 2;
	}
	void *nv = realloc(*v, ncap * elem);
	if (!nv)
		return WP_E_NOMEM;
	wp_advise_dense(nv, ncap * elem);
	*v = nv;
	*cap = ncap;
	return 0;
}

char *wp_buf_detach(struct wp_buf *b, size_t *len)
{
	char *p = b->cap ? b->data : calloc(1, 1);
	if (len)
		*len = b->len;
	wp_buf_init(b, b->max);
	return p;
}
