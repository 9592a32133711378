/*
 * buf.h: packet buffers and bounds-checked cursors.
 *
 * A struct vpnc_buf is a window (off, len) into caller-owned memory (base, cap).
 * Whoever allocated base frees it; nothing in the core reallocates a buffer.
 * Headroom is the space before off: headers are prepended into it instead of
 * moving the payload.
 *
 * struct vpnc_rd reads peer bytes. Every read checks the remaining length first
 * and sets rd->err on a short read; after a parse, one check of rd->err (or the
 * return value of each call) tells whether the input was long enough. Reads
 * past the end never touch memory.
 *
 * struct vpnc_wr writes into a fixed buffer and likewise records overflow in
 * wr->err instead of writing past the end.
 */
#ifndef VPNC_BUF_H
#define VPNC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct vpnc_buf {
	uint8_t *base; /* start of the memory; owned by whoever made the buffer */
	size_t cap;    /* bytes at base */
	size_t off;    /* start of the data; bytes before it are headroom */
	size_t len;    /* bytes of data */
};

static inline void vpnc_buf_init(struct vpnc_buf *b, uint8_t *mem, size_t cap, size_t headroom)
{
	b->base = mem;
	b->cap = cap;
	b->off = headroom <= cap ? headroom : cap;
	b->len = 0;
}

static inline uint8_t *vpnc_buf_data(const struct vpnc_buf *b) { return b->base + b->off; }
static inline size_t vpnc_buf_tailroom(const struct vpnc_buf *b) { return b->cap - b->off - b->len; }

/* Grows the data by n bytes at the front; returns the new start or NULL if the headroom is short. */
static inline uint8_t *vpnc_buf_prepend(struct vpnc_buf *b, size_t n)
{
	if (n > b->off)
		return NULL;
	b->off -= n;
	b->len += n;
	return b->base + b->off;
}

/* Grows the data by n bytes at the end; returns where they go or NULL if the buffer is full. */
static inline uint8_t *vpnc_buf_append(struct vpnc_buf *b, size_t n)
{
	if (n > vpnc_buf_tailroom(b))
		return NULL;
	uint8_t *p = b->base + b->off + b->len;
	b->len += n;
	return p;
}

/* Drops n bytes from the front; returns false (and changes nothing) if there are fewer. */
static inline bool vpnc_buf_pull(struct vpnc_buf *b, size_t n)
{
	if (n > b->len)
		return false;
	b->off += n;
	b->len -= n;
	return true;
}

struct vpnc_rd {
	const uint8_t *p;
	size_t left;
	bool err;
};

static inline void vpnc_rd_init(struct vpnc_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->left = len;
	r->err = false;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL (and sets err) if fewer remain. */
static inline const uint8_t *vpnc_rd_take(struct vpnc_rd *r, size_t n)
{
	if (r->err || n > r->left) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static inline bool vpnc_rd_bytes(struct vpnc_rd *r, void *out, size_t n)
{
	const uint8_t *p = vpnc_rd_take(r, n);
	if (p == NULL)
		return false;
	memcpy(out, p, n);
	return true;
}

static inline bool vpnc_rd_u8(struct vpnc_rd *r, uint8_t *v)
{
	const uint8_t *p = vpnc_rd_take(r, 1);
	if (p == NULL)
		return false;
	*v = p[0];
	return true;
}

static inline bool vpnc_rd_u16(struct vpnc_rd *r, uint16_t *v)
{
	const uint8_t *p = vpnc_rd_take(r, 2);
	if (p == NULL)
		return false;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return true;
}

static inline bool vpnc_rd_u32(struct vpnc_rd *r, uint32_t *v)
{
	const uint8_t *p = vpnc_rd_take(r, 4);
	if (p == NULL)
		return false;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return true;
}

struct vpnc_wr {
	uint8_t *base;
	size_t cap;
	size_t len;
	bool err;
};

static inline void vpnc_wr_init(struct vpnc_wr *w, uint8_t *base, size_t cap)
{
	w->base = base;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

/* Reserves n bytes and returns where they go, or NULL (and sets err) if they do not fit. */
static inline uint8_t *vpnc_wr_reserve(struct vpnc_wr *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	uint8_t *p = w->base + w->len;
	w->len += n;
	return p;
}

static inline bool vpnc_wr_bytes(struct vpnc_wr *w, const void *src, size_t n)
{
	uint8_t *p = vpnc_wr_reserve(w, n);
	if (p == NULL)
		return false;
	if (n)
		memcpy(p, src, n);
	return true;
}

static inline bool vpnc_wr_u8(struct vpnc_wr *w, uint8_t v) { return vpnc_wr_bytes(w, &v, 1); }

static inline bool vpnc_wr_u16(struct vpnc_wr *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	return vpnc_wr_bytes(w, b, 2);
}

static inline bool vpnc_wr_u32(struct vpnc_wr *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	return vpnc_wr_bytes(w, b, 4);
}

static inline void vpnc_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t vpnc_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint16_t vpnc_get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static inline void vpnc_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
