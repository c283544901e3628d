/* mem_carrier.c — connections as in-memory byte queues and a clock the
 * caller advances (see mem_carrier.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/net/mem_carrier.h"

#define MEM_MAX_TIMERS_FIRED 100000   /* per advance: bounds a timer storm */

struct mem_out_pdu {
	struct mem_out_pdu *next;
	size_t len;
	struct pdu_digests dg;
	uint8_t bytes[];
};

struct mem_conn {
	struct mem_conn *next;
	uint32_t id;
	bool open;
	bool closed_by_engine, reset;
	bool close_reported;
	struct pdu_digests rx_dg;
	uint8_t *in;          /* initiator bytes not yet framed */
	size_t in_len, in_cap;
	uint64_t in_off, out_off;
	struct mem_out_pdu *out, **out_tail, *taken;
	size_t n_out;
	struct ev_endpoints ep;
};

struct mem_timer {
	uint64_t id;
	int64_t due;
	proto_timer_fn fn;
	void *arg;
};

struct mem_carrier {
	struct ev_bus *bus;
	bool log_to_stderr;
	struct proto_engine_ops engine;
	struct mem_conn *conns;
	uint32_t next_conn;
	int64_t now_ns;
	struct mem_timer *timers;
	size_t n_timers, cap_timers;
	uint64_t next_timer;
};

static struct mem_conn *find(const struct mem_carrier *m, uint32_t id)
{
	for (struct mem_conn *c = m->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void emit(struct mem_carrier *m, struct mem_conn *c, enum ev_kind kind,
		 enum ev_dir dir, const uint8_t *bytes, size_t len,
		 struct pdu_digests dg, uint64_t off)
{
	if (!m->bus)
		return;
	struct event ev = {
		.kind = kind, .conn = c->id, .dir = dir,
		.ts_ns = 1700000000000000000ll + m->now_ns,
		.ep = kind == EV_CONN_OPEN ? &c->ep : NULL,
		.bytes = bytes, .len = len, .digests = dg, .stream_offset = off,
	};
	ev_emit(m->bus, &ev);
}

/* ---- the io the engine acts through --------------------------------------- */

static int io_send(void *ctx, uint32_t conn, const uint8_t *pdu, size_t len,
		   struct pdu_digests dg)
{
	struct mem_carrier *m = ctx;
	struct mem_conn *c = find(m, conn);
	if (!c || !c->open || c->closed_by_engine)
		return -1;
	struct mem_out_pdu *p = malloc(sizeof *p + len);
	if (!p)
		return -1;
	p->next = NULL;
	p->len = len;
	p->dg = dg;
	memcpy(p->bytes, pdu, len);
	*c->out_tail = p;
	c->out_tail = &p->next;
	c->n_out++;
	emit(m, c, EV_PDU, EV_DIR_T2I, pdu, len, dg, c->out_off);
	emit(m, c, EV_WIRE, EV_DIR_T2I, pdu, len, dg, c->out_off);
	c->out_off += len;
	return 0;
}

static uint64_t io_timer_set(void *ctx, int64_t delay_ms, proto_timer_fn fn,
			     void *arg)
{
	struct mem_carrier *m = ctx;
	if (m->n_timers == m->cap_timers) {
		size_t cap = m->cap_timers ? 2 * m->cap_timers : 32;
		void *p = realloc(m->timers, cap * sizeof *m->timers);
		if (!p)
			return 0;
		m->timers = p;
		m->cap_timers = cap;
	}
	struct mem_timer *t = &m->timers[m->n_timers++];
	t->id = ++m->next_timer;
	t->due = m->now_ns + (delay_ms > 0 ? delay_ms : 0) * 1000000ll;
	t->fn = fn;
	t->arg = arg;
	return t->id;
}

static void io_timer_cancel(void *ctx, uint64_t id)
{
	struct mem_carrier *m = ctx;
	for (size_t i = 0; i < m->n_timers; i++)
		if (m->timers[i].id == id) {
			memmove(m->timers + i, m->timers + i + 1,
				(m->n_timers - i - 1) * sizeof *m->timers);
			m->n_timers--;
			return;
		}
}

static void io_close(void *ctx, uint32_t conn, bool reset)
{
	struct mem_carrier *m = ctx;
	struct mem_conn *c = find(m, conn);
	if (!c || !c->open || c->closed_by_engine)
		return;
	c->closed_by_engine = true;
	c->reset = reset;
	emit(m, c, reset ? EV_CONN_RST : EV_CONN_FIN, EV_DIR_T2I, NULL, 0,
	     (struct pdu_digests){ 0 }, c->out_off);
	/* the engine hears of it from settle(), not from inside this call */
}

static void io_set_rx_digests(void *ctx, uint32_t conn, struct pdu_digests dg)
{
	struct mem_conn *c = find(ctx, conn);
	if (c)
		c->rx_dg = dg;
}

static int64_t io_now_ns(void *ctx)
{
	return ((struct mem_carrier *)ctx)->now_ns;
}

static void io_log(void *ctx, enum proto_log_level level, uint32_t conn,
		   const char *fmt, va_list ap)
{
	struct mem_carrier *m = ctx;
	if (level == PROTO_LOG_DEBUG)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* the engine's decisions are events too (EV_NOTE), beside the PDUs */
	if (m->bus) {
		struct event ev = {
			.kind = EV_NOTE, .conn = conn,
			.ts_ns = 1700000000000000000ll + m->now_ns, .text = msg,
		};
		ev_emit(m->bus, &ev);
	}
	if (m->log_to_stderr)
		fprintf(stderr, "[mem conn %u] %s\n", conn, msg);
}

struct proto_io mem_carrier_io(struct mem_carrier *m)
{
	return (struct proto_io){
		.ctx = m,
		.send = io_send,
		.close = io_close,
		.set_rx_digests = io_set_rx_digests,
		.timer_set = io_timer_set,
		.timer_cancel = io_timer_cancel,
		.now_ns = io_now_ns,
		.log = io_log,
	};
}

/* ---- the loop ------------------------------------------------------------ */

/* Fire every timer due now (earliest first); returns how many fired. */
static int run_due(struct mem_carrier *m)
{
	int fired = 0;
	for (; fired < MEM_MAX_TIMERS_FIRED; fired++) {
		size_t best = m->n_timers;
		for (size_t i = 0; i < m->n_timers; i++)
			if (m->timers[i].due <= m->now_ns &&
			    (best == m->n_timers || m->timers[i].due < m->timers[best].due ||
			     (m->timers[i].due == m->timers[best].due &&
			      m->timers[i].id < m->timers[best].id)))
				best = i;
		if (best == m->n_timers)
			break;
		struct mem_timer t = m->timers[best];
		memmove(m->timers + best, m->timers + best + 1,
			(m->n_timers - best - 1) * sizeof *m->timers);
		m->n_timers--;
		t.fn(t.arg, t.id);
	}
	return fired;
}

static void conn_gone(struct mem_carrier *m, struct mem_conn *c,
		      enum proto_close_why why)
{
	if (c->close_reported)
		return;
	c->open = false;
	c->close_reported = true;
	if (m->engine.closed)
		m->engine.closed(m->engine.engine, c->id, why);
}

/* After every entry point: closes the engine asked for are reported to
 * it, and timers due now fire; until nothing is left (bounded). */
static void settle(struct mem_carrier *m)
{
	for (int round = 0; round < MEM_MAX_TIMERS_FIRED; round++) {
		bool any = false;
		for (struct mem_conn *c = m->conns; c; c = c->next)
			if (c->closed_by_engine && !c->close_reported) {
				conn_gone(m, c, PROTO_CLOSED_LOCAL);
				any = true;
				break;   /* the list may have changed */
			}
		if (!run_due(m) && !any)
			return;
	}
}

void mem_carrier_advance(struct mem_carrier *m, int64_t ms)
{
	m->now_ns += ms * 1000000ll;
	settle(m);
}

/* ---- connections --------------------------------------------------------- */

struct mem_carrier *mem_carrier_create(struct ev_bus *bus, bool log_to_stderr)
{
	struct mem_carrier *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->bus = bus;
	m->log_to_stderr = log_to_stderr;
	return m;
}

void mem_carrier_set_engine(struct mem_carrier *m, struct proto_engine_ops ops)
{
	m->engine = ops;
}

static void free_out(struct mem_out_pdu *p)
{
	while (p) {
		struct mem_out_pdu *next = p->next;
		free(p);
		p = next;
	}
}

void mem_carrier_free(struct mem_carrier *m)
{
	if (!m)
		return;
	for (struct mem_conn *c = m->conns; c; c = c->next)
		if (c->open)
			conn_gone(m, c, PROTO_CLOSED_LOCAL);
	while (m->conns) {
		struct mem_conn *c = m->conns;
		m->conns = c->next;
		free_out(c->out);
		free_out(c->taken);
		free(c->in);
		free(c);
	}
	free(m->timers);
	free(m);
}

uint32_t mem_carrier_open(struct mem_carrier *m)
{
	struct mem_conn *c = calloc(1, sizeof *c);
	if (!c)
		return 0;
	c->id = ++m->next_conn;
	c->open = true;
	c->out_tail = &c->out;
	c->ep.family = 2;   /* AF_INET, 127.0.0.1 */
	c->ep.ini_addr[0] = c->ep.tgt_addr[0] = 127;
	c->ep.ini_addr[3] = c->ep.tgt_addr[3] = 1;
	c->ep.ini_port = (uint16_t)(40000 + c->id % 20000);
	c->ep.tgt_port = 3260;
	c->next = m->conns;
	m->conns = c;
	emit(m, c, EV_CONN_OPEN, EV_DIR_I2T, NULL, 0, (struct pdu_digests){ 0 }, 0);
	if (m->engine.opened)
		m->engine.opened(m->engine.engine, c->id, &c->ep);
	settle(m);
	return c->id;
}

static int grow_in(struct mem_conn *c, size_t need)
{
	if (need <= c->in_cap)
		return 0;
	size_t cap = c->in_cap ? c->in_cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(c->in, cap);
	if (!p)
		return -1;
	c->in = p;
	c->in_cap = cap;
	return 0;
}

/* Frame and hand over every whole PDU buffered, one at a time, so that
 * digests the engine switches apply from the next PDU on. */
static void frame(struct mem_carrier *m, struct mem_conn *c)
{
	size_t pos = 0;
	while (c->open && !c->closed_by_engine) {
		size_t need;
		if (pdu_frame_len(c->in + pos, c->in_len - pos, c->rx_dg, &need) != PDU_OK)
			break;
		if (need - PDU_BHS_LEN > MEM_CARRIER_MAX_DSL + 1024) {
			io_close(m, c->id, true);
			break;
		}
		struct pdu_view v;
		int rc = pdu_parse(c->in + pos, need, c->rx_dg, &v, NULL);
		if (rc != PDU_E_HEADER_DIGEST && rc != PDU_E_DATA_DIGEST)
			rc = PDU_OK;
		emit(m, c, EV_PDU, EV_DIR_I2T, c->in + pos, need, c->rx_dg, c->in_off);
		c->in_off += need;
		if (m->engine.pdu)
			m->engine.pdu(m->engine.engine, c->id, c->in + pos, need,
				      c->rx_dg, rc);
		pos += need;
		settle(m);
	}
	memmove(c->in, c->in + pos, c->in_len - pos);
	c->in_len -= pos;
}

int mem_carrier_feed(struct mem_carrier *m, uint32_t conn, const uint8_t *bytes,
		     size_t len)
{
	struct mem_conn *c = find(m, conn);
	if (!c || !c->open || c->closed_by_engine)
		return -1;
	if (grow_in(c, c->in_len + len))
		return -1;
	emit(m, c, EV_WIRE, EV_DIR_I2T, bytes, len, c->rx_dg, c->in_off + c->in_len);
	memcpy(c->in + c->in_len, bytes, len);
	c->in_len += len;
	frame(m, c);
	settle(m);
	return 0;
}

void mem_carrier_peer_close(struct mem_carrier *m, uint32_t conn, bool reset)
{
	struct mem_conn *c = find(m, conn);
	if (!c || !c->open)
		return;
	emit(m, c, reset ? EV_CONN_RST : EV_CONN_FIN, EV_DIR_I2T, NULL, 0,
	     (struct pdu_digests){ 0 }, c->in_off);
	conn_gone(m, c, reset ? PROTO_CLOSED_RST : PROTO_CLOSED_FIN);
	settle(m);
}

bool mem_carrier_next(struct mem_carrier *m, uint32_t conn, const uint8_t **pdu,
		      size_t *len, struct pdu_digests *dg)
{
	struct mem_conn *c = find(m, conn);
	if (!c || !c->out)
		return false;
	free_out(c->taken);
	struct mem_out_pdu *p = c->out;
	c->out = p->next;
	if (!c->out)
		c->out_tail = &c->out;
	c->n_out--;
	p->next = NULL;
	c->taken = p;
	*pdu = p->bytes;
	*len = p->len;
	if (dg)
		*dg = p->dg;
	return true;
}

size_t mem_carrier_pending(const struct mem_carrier *m, uint32_t conn)
{
	struct mem_conn *c = find(m, conn);
	return c ? c->n_out : 0;
}

bool mem_carrier_is_open(const struct mem_carrier *m, uint32_t conn)
{
	struct mem_conn *c = find(m, conn);
	return c && c->open && !c->closed_by_engine;
}

bool mem_carrier_closed_by_engine(const struct mem_carrier *m, uint32_t conn,
				  bool *reset)
{
	struct mem_conn *c = find(m, conn);
	if (!c || !c->closed_by_engine)
		return false;
	if (reset)
		*reset = c->reset;
	return true;
}
