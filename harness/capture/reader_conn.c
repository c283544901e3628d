/* reader_conn.c — the TCP connection tracker of the capture reader: the
 * connection table, iSCSI recognition, and the wiring of each direction's
 * reassembly into its framer (see reader_conn.h). */
#include "harness/capture/reader_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness/capture/tcp_reasm.h"

struct side {
	uint8_t addr[16];
	uint16_t port;
	bool syn;           /* sent a SYN (or SYN-ACK) */
	bool isn_known;
	uint32_t isn;
	bool fin;           /* sent a FIN (any state) */
};

enum cstate { C_NEW, C_PENDING, C_ISCSI, C_IGNORED, C_CLOSED };

struct rconn;

/* Callback context of one direction. */
struct dctx {
	struct rconn *c;
	int side;
};

/* What an iSCSI connection needs besides its identity. */
struct rx {
	struct tcp_reasm rs[2];     /* by side: the bytes that side sent */
	struct framer_conn fc;
	struct framer_dir fd[2];
	struct dctx ctx[2];
	bool ended[2];              /* the side's framer has ended */
	bool fin_done[2];
};

struct rconn {
	struct rconn *hnext, *lprev, *lnext;
	struct rc_tracker *t;
	uint32_t hash;
	int family;
	struct side s[2];           /* s[0]: source of the first segment seen */
	enum cstate state;
	int tgt;                    /* the target's side, -1 unknown */
	int syn_from;               /* the side that sent the SYN, -1 unknown */
	bool start_seen;            /* SYN or SYN-ACK in the capture */
	bool closing;               /* both FINs reached: close after this segment */
	uint32_t id;
	unsigned tries;
	int64_t last_ts;
	struct rx *x;
};

struct rc_tracker {
	struct rc_opts o;
	uint16_t *ports;
	struct framer_sink *sink;
	struct rconn **buckets;
	size_t nb, count;
	struct rconn *lru_head, *lru_tail;  /* head: most recently active */
	/* closed records (tombstones), apart: head most recently closed */
	struct rconn *closed_head, *closed_tail;
	size_t n_closed;
	uint32_t next_id;
	struct rc_stats st;
	struct tcp_hist_pool hist_pool;     /* every direction's history ring */
};

static const char *dir_name(enum ev_dir d)
{
	return d == EV_DIR_I2T ? "initiator->target" : "target->initiator";
}

static enum ev_dir dir_of(const struct rconn *c, int side)
{
	return side == c->tgt ? EV_DIR_T2I : EV_DIR_I2T;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* ---- table and LRU ------------------------------------------------------ */

static uint32_t hash_ep(const uint8_t *addr, size_t alen, uint16_t port)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < alen; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}
	h ^= port;
	h *= 16777619u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* Symmetric in the two endpoints, so both directions find the connection. */
static uint32_t hash_seg(const struct rd_segment *s)
{
	size_t alen = addr_len(s->family);
	return hash_ep(s->src, alen, s->sport) + hash_ep(s->dst, alen, s->dport) +
	       (uint32_t)s->family;
}

static bool side_is(const struct side *sd, const uint8_t *addr, size_t alen, uint16_t port)
{
	return sd->port == port && memcmp(sd->addr, addr, alen) == 0;
}

static struct rconn *find(struct rc_tracker *t, const struct rd_segment *s,
			  uint32_t h, int *side)
{
	size_t alen = addr_len(s->family);
	for (struct rconn *c = t->buckets[h & (t->nb - 1)]; c; c = c->hnext) {
		if (c->hash != h || c->family != s->family)
			continue;
		if (side_is(&c->s[0], s->src, alen, s->sport) &&
		    side_is(&c->s[1], s->dst, alen, s->dport)) {
			*side = 0;
			return c;
		}
		if (side_is(&c->s[1], s->src, alen, s->sport) &&
		    side_is(&c->s[0], s->dst, alen, s->dport)) {
			*side = 1;
			return c;
		}
	}
	return NULL;
}

static void grow(struct rc_tracker *t)
{
	size_t nb = t->nb * 2;
	struct rconn **b = calloc(nb, sizeof *b);
	if (!b)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < t->nb; i++) {
		struct rconn *c = t->buckets[i];
		while (c) {
			struct rconn *next = c->hnext;
			c->hnext = b[c->hash & (nb - 1)];
			b[c->hash & (nb - 1)] = c;
			c = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nb = nb;
}

/* The list a record is on: open ones by activity, closed ones by close. */
static struct rconn **list_head(struct rc_tracker *t, const struct rconn *c)
{
	return c->state == C_CLOSED ? &t->closed_head : &t->lru_head;
}

static struct rconn **list_tail(struct rc_tracker *t, const struct rconn *c)
{
	return c->state == C_CLOSED ? &t->closed_tail : &t->lru_tail;
}

static void lru_unlink(struct rc_tracker *t, struct rconn *c)
{
	if (c->lprev)
		c->lprev->lnext = c->lnext;
	else
		*list_head(t, c) = c->lnext;
	if (c->lnext)
		c->lnext->lprev = c->lprev;
	else
		*list_tail(t, c) = c->lprev;
	c->lprev = c->lnext = NULL;
}

static void lru_front(struct rc_tracker *t, struct rconn *c)
{
	struct rconn **head = list_head(t, c), **tail = list_tail(t, c);
	c->lprev = NULL;
	c->lnext = *head;
	if (*head)
		(*head)->lprev = c;
	*head = c;
	if (!*tail)
		*tail = c;
}

static void touch(struct rc_tracker *t, struct rconn *c)
{
	c->last_ts = t->sink->ts_ns;
	if (t->lru_head == c)
		return;
	lru_unlink(t, c);
	lru_front(t, c);
}

/* ---- iSCSI state -------------------------------------------------------- */

static void free_rx(struct rc_tracker *t, struct rconn *c)
{
	struct rx *x = c->x;
	if (!x)
		return;
	for (int k = 0; k < 2; k++) {
		t->st.retransmitted_bytes += x->rs[k].st.retransmitted;
		t->st.differing_overlaps += x->rs[k].st.differing;
		t->st.out_of_order_segments += x->rs[k].st.out_of_order;
		t->st.dropped_segments += x->rs[k].st.dropped;
		tcp_reasm_free(&x->rs[k]);
		framer_dir_free(&x->fd[k]);
	}
	framer_conn_free(&x->fc);
	free(x);
	c->x = NULL;
}

/* Forget the connection's buffers; a record stays to absorb late segments. */
static void close_conn(struct rc_tracker *t, struct rconn *c)
{
	if (c->state == C_CLOSED)
		return;
	if (c->state == C_PENDING)
		t->st.non_iscsi_conns++;
	free_rx(t, c);
	lru_unlink(t, c);
	c->state = C_CLOSED;
	c->closing = false;
	lru_front(t, c);
	t->n_closed++;
}

static void destroy(struct rc_tracker *t, struct rconn *c)
{
	struct rconn **pp = &t->buckets[c->hash & (t->nb - 1)];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	lru_unlink(t, c);
	if (c->state == C_CLOSED)
		t->n_closed--;
	if (c->state == C_PENDING)
		t->st.non_iscsi_conns++;
	free_rx(t, c);
	t->count--;
	free(c);
}

static void on_data(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct dctx *d = ctx;
	struct rconn *c = d->c;
	struct rc_tracker *t = c->t;
	if (t->o.wire_events) {
		struct event ev = { .kind = EV_WIRE, .conn = c->id,
				    .dir = dir_of(c, d->side), .bytes = p, .len = n,
				    .stream_offset = off };
		framer_emit(t->sink, &ev);
	}
	framer_data(&c->x->fd[d->side], off, p, n);
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, const char *why)
{
	struct dctx *d = ctx;
	struct rconn *c = d->c;
	char text[256];
	snprintf(text, sizeof text, "conn %u %s: %llu bytes missing at stream offset %llu: %s",
		 c->id, dir_name(dir_of(c, d->side)), (unsigned long long)n,
		 (unsigned long long)off, why);
	struct event ev = { .kind = EV_GAP, .conn = c->id, .dir = dir_of(c, d->side),
			    .len = (size_t)n, .stream_offset = off, .text = text };
	c->t->st.gap_bytes += n;
	framer_emit(c->t->sink, &ev);
	framer_gap(&c->x->fd[d->side], off, n);
}

static void on_fin(void *ctx, uint64_t off, uint64_t frame, int64_t ts_ns)
{
	struct dctx *d = ctx;
	struct rconn *c = d->c;
	struct rx *x = c->x;
	(void)off;
	if (!x->ended[d->side]) {
		framer_end(&x->fd[d->side], "the FIN");
		x->ended[d->side] = true;
	}
	struct event ev = { .kind = EV_CONN_FIN, .conn = c->id, .dir = dir_of(c, d->side),
			    .frame = frame, .ts_ns = ts_ns };
	framer_emit(c->t->sink, &ev);
	x->fin_done[d->side] = true;
	if (x->fin_done[0] && x->fin_done[1])
		c->closing = true;
}

static void on_note(void *ctx, const char *text)
{
	struct dctx *d = ctx;
	struct rconn *c = d->c;
	framer_note(c->t->sink, c->id, dir_of(c, d->side), "conn %u %s: %s", c->id,
		    dir_name(dir_of(c, d->side)), text);
}

/* The connection is iSCSI: set up its directions and announce it. */
static int start_iscsi(struct rc_tracker *t, struct rconn *c)
{
	struct rx *x = calloc(1, sizeof *x);
	if (!x) {
		framer_note(t->sink, 0, EV_DIR_I2T,
			    "out of memory: an iSCSI connection is not followed");
		c->state = C_IGNORED;
		t->st.non_iscsi_conns++;
		return -1;
	}
	c->x = x;
	c->state = C_ISCSI;
	c->id = t->next_id++;
	t->st.iscsi_conns++;
	framer_conn_init(&x->fc, t->sink, c->id,
			 c->start_seen ? FRAMER_DG_LOGIN : FRAMER_DG_INFER);
	struct tcp_reasm_cfg cfg = { .cap = t->o.reasm_cap, .history = t->o.history,
				     .pool = &t->hist_pool };
	for (int k = 0; k < 2; k++) {
		x->ctx[k] = (struct dctx){ c, k };
		struct tcp_reasm_out out = { on_data, on_gap, on_fin, on_note, &x->ctx[k] };
		tcp_reasm_init(&x->rs[k], &cfg, &out);
		if (c->s[k].isn_known)
			tcp_reasm_start(&x->rs[k], c->s[k].isn + 1);
		framer_dir_init(&x->fd[k], &x->fc, dir_of(c, k), c->s[k].isn_known);
	}
	struct ev_endpoints ep = { .family = c->family };
	int ini = 1 - c->tgt;
	size_t alen = addr_len(c->family);
	memcpy(ep.ini_addr, c->s[ini].addr, alen);
	memcpy(ep.tgt_addr, c->s[c->tgt].addr, alen);
	ep.ini_port = c->s[ini].port;
	ep.tgt_port = c->s[c->tgt].port;
	struct event ev = { .kind = EV_CONN_OPEN, .conn = c->id, .dir = EV_DIR_I2T, .ep = &ep };
	framer_emit(t->sink, &ev);
	if (!c->start_seen)
		framer_note(t->sink, c->id, EV_DIR_I2T,
			    "conn %u: its start (SYN) is not in the capture: it was already "
			    "open, and each direction is framed from its first plausible PDU",
			    c->id);
	return 0;
}

/* Flush and close an iSCSI connection the capture leaves open. */
static void end_open(struct rc_tracker *t, struct rconn *c, const char *why,
		     const char *what)
{
	struct rx *x = c->x;
	if (c->state != C_ISCSI || !x) {
		close_conn(t, c);
		return;
	}
	for (int k = 0; k < 2; k++)
		tcp_reasm_flush(&x->rs[k], why);
	for (int k = 0; k < 2; k++) {
		if (!x->ended[k]) {
			framer_end(&x->fd[k], why);
			x->ended[k] = true;
		}
	}
	const char *half = "no FIN or RST";
	if (x->fin_done[c->tgt] && !x->fin_done[1 - c->tgt])
		half = "FIN from the target only";
	else if (!x->fin_done[c->tgt] && x->fin_done[1 - c->tgt])
		half = "FIN from the initiator only";
	else if (x->fin_done[0] && x->fin_done[1])
		half = "both FINs seen";
	framer_note(t->sink, c->id, EV_DIR_I2T, "conn %u: %s (%s)", c->id, what, half);
	close_conn(t, c);
}

static void on_rst(struct rc_tracker *t, struct rconn *c, int side)
{
	struct rx *x = c->x;
	char why[64];
	snprintf(why, sizeof why, "the RST in frame %llu", (unsigned long long)t->sink->frame);
	for (int k = 0; k < 2; k++)
		tcp_reasm_flush(&x->rs[k], why);
	for (int k = 0; k < 2; k++) {
		if (!x->ended[k]) {
			framer_end(&x->fd[k], why);
			x->ended[k] = true;
		}
	}
	struct event ev = { .kind = EV_CONN_RST, .conn = c->id, .dir = dir_of(c, side) };
	framer_emit(t->sink, &ev);
	close_conn(t, c);
}

/* ---- recognition -------------------------------------------------------- */

static bool is_target_port(const struct rc_tracker *t, uint16_t port)
{
	if (port == RC_DEFAULT_TARGET_PORT)
		return true;
	for (size_t i = 0; i < t->o.n_ports; i++)
		if (t->ports[i] == port)
			return true;
	return false;
}

static void set_ignored(struct rc_tracker *t, struct rconn *c)
{
	c->state = C_IGNORED;
	t->st.non_iscsi_conns++;
}

/* By port: the target side, or -1. */
static int target_by_port(const struct rc_tracker *t, const struct rconn *c)
{
	bool p0 = is_target_port(t, c->s[0].port), p1 = is_target_port(t, c->s[1].port);
	if (p0 && !p1)
		return 0;
	if (p1 && !p0)
		return 1;
	if (p0 && p1)
		return c->syn_from >= 0 ? 1 - c->syn_from : 1;
	return -1;
}

static size_t be24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* A plausible BHS at p[0..len) that ends in the segment where the next one
 * starts (or exactly at its end), or runs past it, under some digest
 * setting. */
static bool bhs_chains_in(const uint8_t *p, size_t len, enum ev_dir dir)
{
	if (len < PDU_BHS_LEN || !framer_plausible_bhs(p, dir))
		return false;
	size_t dsl = be24(p + 5);
	for (int hd = 0; hd < 2; hd++) {
		for (int dd = 0; dd < 2; dd++) {
			size_t total = PDU_BHS_LEN + (size_t)p[4] * 4 + (hd ? 4 : 0);
			if (dsl)
				total += dsl + pdu_pad_len(dsl) + (dd ? 4 : 0);
			if (total >= len)
				return true;
			if (len - total >= PDU_BHS_LEN && framer_plausible_bhs(p + total, dir))
				return true;
		}
	}
	return false;
}

/* The heuristic, on a payload segment of a connection no port names. */
static void heuristic(struct rc_tracker *t, struct rconn *c, int k,
		      const struct rd_segment *seg, uint32_t data_seq)
{
	if (c->syn_from >= 0) {
		int ini = c->syn_from;
		const struct side *si = &c->s[ini];
		if (k == ini && si->isn_known && data_seq == si->isn + 1 &&
		    seg->len >= PDU_BHS_LEN && seg->payload[0] == 0x43 &&
		    framer_plausible_bhs(seg->payload, EV_DIR_I2T)) {
			c->tgt = 1 - ini;
			start_iscsi(t, c);
		} else {
			set_ignored(t, c);
		}
		return;
	}
	if (bhs_chains_in(seg->payload, seg->len, EV_DIR_I2T)) {
		c->tgt = 1 - k;
		start_iscsi(t, c);
	} else if (bhs_chains_in(seg->payload, seg->len, EV_DIR_T2I)) {
		c->tgt = k;
		start_iscsi(t, c);
	} else if (++c->tries >= RC_HEURISTIC_TRIES) {
		set_ignored(t, c);
	}
}

/* ---- segments ----------------------------------------------------------- */

static struct rconn *create(struct rc_tracker *t, const struct rd_segment *s, uint32_t h)
{
	int64_t now = t->sink->ts_ns;
	while (t->closed_tail &&
	       (t->n_closed > RC_MAX_TOMBSTONES ||
		(t->closed_tail->last_ts < now &&
		 (uint64_t)now - (uint64_t)t->closed_tail->last_ts >
		 (uint64_t)RC_TOMBSTONE_NS)))
		destroy(t, t->closed_tail);
	if (t->count >= t->o.max_conns && (t->lru_tail || t->closed_tail)) {
		/* the least recently active record, open or closed */
		struct rconn *v = t->lru_tail;
		if (!v || (t->closed_tail && t->closed_tail->last_ts <= v->last_ts))
			v = t->closed_tail;
		if (v->state == C_ISCSI) {
			char what[96];
			snprintf(what, sizeof what,
				 "no longer followed: more than %u connections at once",
				 t->o.max_conns);
			end_open(t, v, "the connection table being full", what);
		}
		t->st.evicted++;
		destroy(t, v);
	}
	struct rconn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->t = t;
	c->hash = h;
	c->family = s->family;
	size_t alen = addr_len(s->family);
	memcpy(c->s[0].addr, s->src, alen);
	memcpy(c->s[1].addr, s->dst, alen);
	c->s[0].port = s->sport;
	c->s[1].port = s->dport;
	c->state = C_NEW;
	c->tgt = -1;
	c->syn_from = -1;
	c->last_ts = now;
	c->hnext = t->buckets[h & (t->nb - 1)];
	t->buckets[h & (t->nb - 1)] = c;
	lru_front(t, c);
	if (++t->count > t->st.peak_tracked)
		t->st.peak_tracked = t->count;
	if (t->count > t->nb / 2)  /* short chains: each link is a cache miss */
		grow(t);
	return c;
}

void rc_segment(struct rc_tracker *t, const struct rd_segment *seg)
{
	bool syn = seg->flags & RD_TH_SYN, ack = seg->flags & RD_TH_ACK;
	bool rst = seg->flags & RD_TH_RST, fin = seg->flags & RD_TH_FIN;
	uint32_t h = hash_seg(seg);
	int k = 0;
	struct rconn *c = find(t, seg, h, &k);

	if (c && syn && !ack) {
		if (c->state != C_CLOSED && c->s[k].syn && c->s[k].isn_known &&
		    c->s[k].isn == seg->seq) {
			touch(t, c); /* a retransmitted SYN */
			return;
		}
		/* a new connection on a known 4-tuple */
		if (c->state == C_ISCSI) {
			char why[80];
			snprintf(why, sizeof why, "a new SYN on the same 4-tuple (frame %llu)",
				 (unsigned long long)t->sink->frame);
			end_open(t, c, why, "ends without FIN or RST in the capture: a new "
				 "SYN reuses its 4-tuple");
		}
		destroy(t, c);
		c = NULL;
	}
	if (c && c->state == C_CLOSED) {
		t->st.stray_segments++;
		return;
	}
	if (!c) {
		if ((!syn && seg->wire_len == 0) || rst) {
			t->st.stray_segments++;
			return;
		}
		c = create(t, seg, h);
		if (!c) {
			framer_note(t->sink, 0, EV_DIR_I2T,
				    "out of memory: a TCP connection is not followed");
			return;
		}
		k = 0;
	}
	touch(t, c);

	if (syn) {
		struct side *sd = &c->s[k];
		if (!sd->isn_known) {
			sd->isn = seg->seq;
			sd->isn_known = true;
		}
		sd->syn = true;
		c->start_seen = true;
		if (!ack) {
			if (c->syn_from < 0)
				c->syn_from = k;
		} else {
			if (c->syn_from < 0)
				c->syn_from = 1 - k;
			if (!c->s[1 - k].isn_known) {
				c->s[1 - k].isn = seg->ack - 1;
				c->s[1 - k].isn_known = true;
			}
		}
		if (c->x) {
			for (int j = 0; j < 2; j++) {
				if (c->s[j].isn_known && !c->x->rs[j].started) {
					tcp_reasm_start(&c->x->rs[j], c->s[j].isn + 1);
					if (!c->x->fd[j].started)
						c->x->fd[j].in_sync = true;
				}
			}
		}
	}
	if (fin)
		c->s[k].fin = true;

	if (c->state == C_NEW) {
		c->tgt = target_by_port(t, c);
		if (c->tgt >= 0)
			start_iscsi(t, c);
		else if (t->o.heuristic)
			c->state = C_PENDING;
		else
			set_ignored(t, c);
	}
	uint32_t data_seq = seg->seq + (syn ? 1u : 0u);
	if (c->state == C_PENDING && seg->len > 0)
		heuristic(t, c, k, seg, data_seq);
	if (c->state != C_ISCSI) {
		if (rst || (c->s[0].fin && c->s[1].fin))
			close_conn(t, c);
		return;
	}

	struct rx *x = c->x;
	if (seg->wire_len || fin)
		tcp_reasm_segment(&x->rs[k], data_seq, seg->payload, seg->len, seg->wire_len,
				  fin, t->sink->frame, t->sink->ts_ns);
	if (ack && !rst)
		tcp_reasm_ack(&x->rs[1 - k], seg->ack);
	if (rst)
		on_rst(t, c, k);
	else if (c->closing)
		close_conn(t, c);
}

/* ---- the tracker -------------------------------------------------------- */

int rc_new(struct rc_tracker **tp, const struct rc_opts *opts, struct framer_sink *sink)
{
	*tp = NULL;
	struct rc_tracker *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	if (opts)
		t->o = *opts;
	if (t->o.max_conns == 0)
		t->o.max_conns = RC_DEFAULT_MAX_CONNS;
	if (t->o.n_ports) {
		t->ports = malloc(t->o.n_ports * sizeof *t->ports);
		if (!t->ports) {
			free(t);
			return -1;
		}
		memcpy(t->ports, opts->ports, t->o.n_ports * sizeof *t->ports);
	}
	t->o.ports = NULL;
	t->sink = sink;
	t->nb = 64;
	t->buckets = calloc(t->nb, sizeof *t->buckets);
	if (!t->buckets) {
		free(t->ports);
		free(t);
		return -1;
	}
	t->next_id = t->o.first_conn_id ? t->o.first_conn_id : 1;
	*tp = t;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct rconn *x = *(const struct rconn *const *)a;
	const struct rconn *y = *(const struct rconn *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

void rc_finish(struct rc_tracker *t, const char *why)
{
	if (!t)
		return;
	size_t n = 0;
	for (struct rconn *c = t->lru_head; c; c = c->lnext)
		if (c->state == C_ISCSI)
			n++;
	struct rconn **open = n ? malloc(n * sizeof *open) : NULL;
	if (open) {
		size_t i = 0;
		for (struct rconn *c = t->lru_head; c; c = c->lnext)
			if (c->state == C_ISCSI)
				open[i++] = c;
		qsort(open, n, sizeof *open, by_id);
		for (i = 0; i < n; i++)
			end_open(t, open[i], why, "open at end of capture");
		free(open);
	} else {
		/* no memory to sort: in table order */
		struct rconn *next;
		for (struct rconn *c = t->lru_head; c; c = next) {
			next = c->lnext;  /* end_open() moves c to the closed */
			if (c->state == C_ISCSI)
				end_open(t, c, why, "open at end of capture");
		}
	}
	while (t->lru_head)
		destroy(t, t->lru_head);
	while (t->closed_head)
		destroy(t, t->closed_head);
}

const struct rc_stats *rc_stats(const struct rc_tracker *t)
{
	return &t->st;
}

size_t rc_tracked(const struct rc_tracker *t)
{
	return t->count;
}

void rc_free(struct rc_tracker *t)
{
	if (!t)
		return;
	while (t->lru_head)
		destroy(t, t->lru_head);
	while (t->closed_head)
		destroy(t, t->closed_head);
	tcp_hist_pool_free(&t->hist_pool);
	free(t->buckets);
	free(t->ports);
	free(t);
}
