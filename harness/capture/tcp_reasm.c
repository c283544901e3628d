/* tcp_reasm.c — one direction of a TCP connection back into a byte stream:
 * retransmissions, overlaps, reordering, holes and FIN (see tcp_reasm.h). */
#include "harness/capture/tcp_reasm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One buffered out-of-order segment (data follows the struct). */
struct tcp_reasm_seg {
	struct tcp_reasm_seg *prev, *next;
	uint64_t off;
	size_t len;
	uint8_t data[];
};

static void note(struct tcp_reasm *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct tcp_reasm *r, const char *fmt, ...)
{
	if (r->notes >= TCP_REASM_MAX_NOTES) {
		r->notes_suppressed++;
		return;
	}
	r->notes++;
	if (!r->out.note)
		return;
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	r->out.note(r->out.ctx, text);
}

void tcp_reasm_init(struct tcp_reasm *r, const struct tcp_reasm_cfg *cfg,
		    const struct tcp_reasm_out *out)
{
	memset(r, 0, sizeof *r);
	if (out)
		r->out = *out;
	r->cap = cfg && cfg->cap ? cfg->cap : TCP_REASM_DEFAULT_CAP;
	r->history = cfg && cfg->history ? cfg->history : TCP_REASM_DEFAULT_HISTORY;
	if (r->history == SIZE_MAX)
		r->history = 0;
	r->pool = cfg ? cfg->pool : NULL;
}

void tcp_hist_pool_free(struct tcp_hist_pool *pool)
{
	while (pool->n)
		free(pool->spare[--pool->n]);
}

static uint8_t *hist_take(struct tcp_reasm *r)
{
	struct tcp_hist_pool *pool = r->pool;
	if (pool && pool->n && pool->size == r->history)
		return pool->spare[--pool->n];
	return malloc(r->history);
}

static void hist_give_back(struct tcp_reasm *r)
{
	struct tcp_hist_pool *pool = r->pool;
	if (r->hist && pool && pool->n < TCP_HIST_POOL_MAX &&
	    (pool->n == 0 || pool->size == r->history)) {
		pool->size = r->history;
		pool->spare[pool->n++] = r->hist;
	} else {
		free(r->hist);
	}
	r->hist = NULL;
}

void tcp_reasm_start(struct tcp_reasm *r, uint32_t seq0)
{
	if (r->started)
		return;
	r->started = true;
	r->base_seq = seq0;
}

/* The stream offset of sequence number seq, taken as the nearest one to
 * the next expected byte (within 2^31 either way). May be negative: before
 * the start of the stream. */
static int64_t offset_of(const struct tcp_reasm *r, uint32_t seq)
{
	uint32_t expect = r->base_seq + (uint32_t)r->next;
	uint32_t d = seq - expect;
	int64_t delta = d < 0x80000000u ? (int64_t)d : (int64_t)d - INT64_C(0x100000000);
	return (int64_t)r->next + delta;
}

/* ---- history of delivered bytes ---- */

static void hist_add(struct tcp_reasm *r, const uint8_t *p, size_t n)
{
	if (r->history == 0 || n == 0)
		return;
	if (!r->hist) {
		r->hist = hist_take(r);
		if (!r->hist) {
			r->history = 0;
			return;
		}
		r->hist_from = r->next;
	}
	uint64_t off = r->next;
	if (n > r->history) {
		p += n - r->history;
		off += n - r->history;
		n = r->history;
	}
	size_t pos = (size_t)(off % r->history);
	size_t first = r->history - pos < n ? r->history - pos : n;
	memcpy(r->hist + pos, p, first);
	memcpy(r->hist, p + first, n - first);
	uint64_t end = r->next + n;
	if (r->hist_from + r->history < end)
		r->hist_from = end - r->history;
}

/* Compare retransmitted bytes p[0..n) at offset off (all before next) with
 * the ones delivered, as far as the history reaches. True when they differ. */
static bool hist_differs(const struct tcp_reasm *r, uint64_t off, const uint8_t *p, size_t n)
{
	if (!r->hist)
		return false;
	if (off < r->hist_from) {
		uint64_t skip = r->hist_from - off;
		if (skip >= n)
			return false;
		p += skip;
		off += skip;
		n -= (size_t)skip;
	}
	if (off + n > r->next)
		n = (size_t)(r->next - off);
	while (n) {
		size_t pos = (size_t)(off % r->history);
		size_t k = r->history - pos < n ? r->history - pos : n;
		if (memcmp(r->hist + pos, p, k) != 0)
			return true;
		p += k;
		off += k;
		n -= k;
	}
	return false;
}

/* ---- delivery ---- */

static void deliver(struct tcp_reasm *r, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	hist_add(r, p, n);
	uint64_t off = r->next;
	r->next += n;
	r->st.delivered += n;
	if (r->out.data)
		r->out.data(r->out.ctx, off, p, n);
}

static void declare_gap(struct tcp_reasm *r, uint64_t n, const char *why)
{
	if (n == 0)
		return;
	uint64_t off = r->next;
	r->next += n;
	r->hist_from = r->next; /* the history is no longer contiguous */
	r->st.gaps++;
	r->st.gap_bytes += n;
	if (r->out.gap)
		r->out.gap(r->out.ctx, off, n, why);
}

static void unlink_seg(struct tcp_reasm *r, struct tcp_reasm_seg *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		r->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		r->tail = s->prev;
	r->buffered -= s->len + TCP_REASM_SEG_OVERHEAD;
	free(s);
}

/* Deliver buffered segments that the stream has reached. */
static void drain(struct tcp_reasm *r)
{
	while (r->head && r->head->off <= r->next) {
		struct tcp_reasm_seg *s = r->head;
		uint64_t end = s->off + s->len;
		if (end > r->next) {
			size_t skip = (size_t)(r->next - s->off);
			deliver(r, s->data + skip, s->len - skip);
		}
		unlink_seg(r, s);
	}
}

static void check_fin(struct tcp_reasm *r)
{
	if (r->fin_seen && !r->fin_done && r->next >= r->fin_off) {
		r->fin_done = true;
		if (r->out.fin)
			r->out.fin(r->out.ctx, r->fin_off, r->fin_frame, r->fin_ts);
	}
}

/* Every byte before limit is known to be gone or buffered: holes become
 * gaps, buffered bytes are delivered. */
static void prove(struct tcp_reasm *r, uint64_t limit, const char *why)
{
	if (r->fin_seen && limit > r->fin_off)
		limit = r->fin_off;
	while (r->next < limit) {
		drain(r);
		if (r->next >= limit)
			break;
		uint64_t to = r->head && r->head->off < limit ? r->head->off : limit;
		declare_gap(r, to - r->next, why);
	}
	drain(r);
}

/* ---- buffering out of order ---- */

static struct tcp_reasm_seg *new_seg(struct tcp_reasm *r, uint64_t off,
				     const uint8_t *p, size_t n)
{
	struct tcp_reasm_seg *s = malloc(sizeof *s + n);
	if (!s) {
		r->st.dropped++;
		note(r, "out of memory buffering %zu bytes at stream offset %llu: "
		     "they will be reported missing", n, (unsigned long long)off);
		return NULL;
	}
	s->off = off;
	s->len = n;
	memcpy(s->data, p, n);
	r->buffered += n + TCP_REASM_SEG_OVERHEAD;
	return s;
}

/* Link s before `at` (NULL: at the tail). */
static void link_before(struct tcp_reasm *r, struct tcp_reasm_seg *s,
			struct tcp_reasm_seg *at)
{
	s->next = at;
	s->prev = at ? at->prev : r->tail;
	if (s->prev)
		s->prev->next = s;
	else
		r->head = s;
	if (at)
		at->prev = s;
	else
		r->tail = s;
}

static void overlap_seen(struct tcp_reasm *r, uint64_t off, size_t n, bool differs)
{
	r->st.retransmitted += n;
	if (differs) {
		r->st.differing++;
		note(r, "retransmitted bytes at stream offset %llu (%zu bytes) differ "
		     "from the first copy, which is kept", (unsigned long long)off, n);
	}
}

/* Buffer p[0..n) at off (off > next): only the bytes no buffered segment
 * holds yet; overlaps are compared. */
static void insert(struct tcp_reasm *r, uint64_t off, const uint8_t *p, size_t n)
{
	uint64_t cur = off, end = off + n;
	/* The first buffered segment that ends after cur, searched from the
	 * tail (segments mostly arrive in ascending order). */
	struct tcp_reasm_seg *s = r->tail;
	while (s && s->off + s->len > cur) {
		if (!s->prev || s->prev->off + s->prev->len <= cur)
			break;
		s = s->prev;
	}
	if (s && s->off + s->len <= cur)
		s = s->next;
	while (cur < end) {
		if (!s || s->off >= end) {
			struct tcp_reasm_seg *n2 = new_seg(r, cur, p + (cur - off), (size_t)(end - cur));
			if (n2)
				link_before(r, n2, s);
			break;
		}
		if (s->off > cur) {
			struct tcp_reasm_seg *n2 = new_seg(r, cur, p + (cur - off),
							   (size_t)(s->off - cur));
			if (n2)
				link_before(r, n2, s);
			cur = s->off;
		}
		uint64_t oend = s->off + s->len < end ? s->off + s->len : end;
		size_t k = (size_t)(oend - cur);
		bool differs = memcmp(s->data + (cur - s->off), p + (cur - off), k) != 0;
		overlap_seen(r, cur, k, differs);
		cur = oend;
		s = s->next;
	}
}

static void enforce_cap(struct tcp_reasm *r)
{
	while (r->buffered > r->cap && r->head) {
		char why[96];
		snprintf(why, sizeof why,
			 "more than %zu bytes waited for the hole before them to fill", r->cap);
		declare_gap(r, r->head->off - r->next, why);
		drain(r);
	}
}

void tcp_reasm_segment(struct tcp_reasm *r, uint32_t seq, const uint8_t *p,
		       size_t len, size_t wire_len, bool fin, uint64_t frame,
		       int64_t ts_ns)
{
	if (wire_len < len)
		wire_len = len;
	if (!p)
		len = 0;
	if (!r->started)
		tcp_reasm_start(r, seq);
	int64_t soff = offset_of(r, seq);
	if (soff > (int64_t)(r->next + TCP_REASM_MAX_AHEAD)) {
		r->st.dropped++;
		note(r, "segment in frame %llu starts %llu bytes ahead of the stream, "
		     "beyond any TCP window: ignored", (unsigned long long)frame,
		     (unsigned long long)(soff - (int64_t)r->next));
		return;
	}
	int64_t send = soff + (int64_t)wire_len;
	if (fin && send >= 0) {
		if (!r->fin_seen) {
			r->fin_seen = true;
			r->fin_off = (uint64_t)send;
			r->fin_frame = frame;
			r->fin_ts = ts_ns;
			if (r->fin_off < r->next) {
				/* data went past where this FIN says the stream ends */
				note(r, "FIN in frame %llu at stream offset %llu, before bytes "
				     "already delivered: it takes effect now",
				     (unsigned long long)frame, (unsigned long long)r->fin_off);
				r->fin_off = r->next;
			}
		} else if ((uint64_t)send != r->fin_off) {
			note(r, "a second FIN in frame %llu at stream offset %llu, after one at "
			     "%llu: ignored", (unsigned long long)frame,
			     (unsigned long long)send, (unsigned long long)r->fin_off);
		}
	}
	if (r->fin_seen && send > (int64_t)r->fin_off) {
		int64_t keep = (int64_t)r->fin_off - soff;
		if (keep < 0)
			keep = 0;
		if ((size_t)keep < len) {
			r->st.dropped++;
			note(r, "%zu bytes after the FIN (frame %llu) ignored",
			     len - (size_t)keep, (unsigned long long)frame);
			len = (size_t)keep;
		}
	}
	/* bytes before the stream start, then bytes already delivered */
	if (soff < 0) {
		uint64_t skip = (uint64_t)-soff;
		if (skip >= len) {
			len = 0;
		} else {
			p += skip;
			len -= (size_t)skip;
		}
		soff = 0;
	}
	uint64_t off = (uint64_t)soff;
	if (len && off < r->next) {
		size_t old = r->next - off < len ? (size_t)(r->next - off) : len;
		overlap_seen(r, off, old, hist_differs(r, off, p, old));
		p += old;
		off += old;
		len -= old;
	}
	if (len) {
		if (off == r->next) {
			/* in order: deliver straight from the segment up to the
			 * first buffered byte, buffer (compare) the rest */
			size_t direct = len;
			if (r->head && r->head->off < off + len)
				direct = (size_t)(r->head->off - off);
			deliver(r, p, direct);
			if (direct < len)
				insert(r, off + direct, p + direct, len - direct);
		} else {
			r->st.out_of_order++;
			insert(r, off, p, len);
		}
		drain(r);
	}
	if (r->acked_valid && r->acked > r->next)
		prove(r, r->acked, "the receiver acknowledged bytes the capture does not have");
	enforce_cap(r);
	check_fin(r);
}

void tcp_reasm_ack(struct tcp_reasm *r, uint32_t ack)
{
	if (!r->started)
		return;
	int64_t a = offset_of(r, ack);
	if (a <= 0 || a > (int64_t)(r->next + TCP_REASM_MAX_AHEAD))
		return;
	if (!r->acked_valid || (uint64_t)a > r->acked) {
		r->acked_valid = true;
		r->acked = (uint64_t)a;
	}
	if (r->acked <= r->next)
		return;
	if (r->fin_seen && r->acked > r->fin_off)
		prove(r, r->fin_off, "the receiver acknowledged the FIN and bytes the "
		      "capture does not have");
	else if (r->head)
		prove(r, r->acked, "the receiver acknowledged bytes the capture does not have");
	check_fin(r);
}

void tcp_reasm_flush(struct tcp_reasm *r, const char *why)
{
	if (!r->started)
		return;
	uint64_t limit = r->next;
	if (r->tail && r->tail->off + r->tail->len > limit)
		limit = r->tail->off + r->tail->len;
	if (r->acked_valid && r->acked > limit)
		limit = r->acked;
	if (r->fin_seen)
		limit = r->fin_off;
	prove(r, limit, why ? why : "the stream ended");
	check_fin(r);
	if (r->notes_suppressed) {
		uint64_t n = r->notes_suppressed;
		r->notes_suppressed = 0;
		r->notes = 0;
		note(r, "%llu more reassembly notes of this kind were not reported",
		     (unsigned long long)n);
		r->notes = TCP_REASM_MAX_NOTES;
	}
}

void tcp_reasm_free(struct tcp_reasm *r)
{
	while (r->head) {
		struct tcp_reasm_seg *s = r->head;
		r->head = s->next;
		free(s);
	}
	r->tail = NULL;
	r->buffered = 0;
	hist_give_back(r);
}
