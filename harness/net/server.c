/* server.c — the TCP carrier of server.h: accepting, each connection's
 * life (open, reading PDUs to the engine, writing what it sends, closing
 * on either side), the proto_io the engine acts through, and the log.
 *
 * A connection that ends, whatever the reason, has its socket closed at
 * once but stays in the table (state GONE) until a 0 ms timer tells the
 * engine; so engine.closed always comes from the loop, never from inside
 * send or close, and bytes handed to engine.pdu stay valid for the call.
 *
 * What the engine sends is queued and written once per loop round: the
 * first send of a round sets a 0 ms timer (it fires with the round's due
 * timers, or in the next round for a send made by a timer) that flushes
 * every connection sent to since, so the PDUs that answer one read leave
 * in one system call.
 */
#define _GNU_SOURCE /* accept4 */
#include "harness/net/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/net/conn.h"
#include "harness/net/conn_table.h"
#include "harness/net/emit.h"
#include "harness/net/listen.h"

#define ACCEPTS_PER_WAKE 64
#define ACCEPT_RETRY_MS 100
#define TX_QUEUE_LOG_BYTES (64u * 1024u * 1024u)

struct listener {
	struct net_server *srv;
	int fd;
	uint16_t port;
	uint64_t resume_timer;  /* set while accepting is paused */
};

struct net_server {
	struct net_loop *loop;
	struct proto_engine_ops engine;
	struct ev_bus *bus;
	size_t max_dsl, max_conns;
	bool log_debug;
	struct listener *listeners;
	size_t n_listeners;
	struct conn_table conns;
	uint32_t last_id;
	struct net_conn *pending;   /* sent to this round, not flushed yet */
	uint64_t flush_timer;       /* the 0 ms timer that flushes them */
};

/* ---- log ---------------------------------------------------------------- */

static void vlog_line(const struct net_server *s, enum proto_log_level level, uint32_t conn,
		      const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	if (level == PROTO_LOG_DEBUG && !s->log_debug)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	const char *name = (unsigned)level < 4 ? names[level] : "log";
	/* the engine's decisions are events too (EV_NOTE), beside the PDUs */
	net_emit(s->bus, (struct event){ .kind = EV_NOTE, .conn = conn, .text = msg });
	if (conn)
		fprintf(stderr, "iscsi-harness target: [conn %u] %s: %s\n", (unsigned)conn, name, msg);
	else
		fprintf(stderr, "iscsi-harness target: %s: %s\n", name, msg);
}

__attribute__((format(printf, 4, 5)))
static void log_line(const struct net_server *s, enum proto_log_level level, uint32_t conn,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_line(s, level, conn, fmt, ap);
	va_end(ap);
}

/* ---- a connection's end ------------------------------------------------- */

static void emit_close(struct net_conn *c, enum ev_kind kind, enum ev_dir dir)
{
	net_emit(c->srv->bus, (struct event){ .kind = kind, .conn = c->id, .dir = dir });
}

/* The deferred half of every end: tell the engine, forget the connection. */
static void report_closed(void *arg, uint64_t timer)
{
	(void)timer;
	struct net_conn *c = arg;
	struct net_server *s = c->srv;
	conn_table_del(&s->conns, c);
	if (s->engine.closed)
		s->engine.closed(s->engine.engine, c->id, c->why);
	conn_free_buffers(c);
	free(c);
}

/* Take c off the list of connections to flush this round. */
static void unpend(struct net_conn *c)
{
	if (!c->tx_pending)
		return;
	struct net_conn **pp = &c->srv->pending;
	while (*pp != c)
		pp = &(*pp)->next_pending;
	*pp = c->next_pending;
	c->tx_pending = false;
}

/* Close the socket now and report the end to the engine from the loop. */
static void conn_gone(struct net_conn *c, enum proto_close_why why)
{
	struct net_server *s = c->srv;
	unpend(c);
	net_loop_unwatch(s->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->state = NET_CONN_GONE;
	c->why = why;
	c->report_timer = net_loop_timer(s->loop, 0, report_closed, c);
	if (c->report_timer == 0) /* never re-entrantly: net_server_free reports it */
		log_line(s, PROTO_LOG_ERROR, c->id, "out of memory: the engine learns of the close at shutdown");
}

/* This side resets the connection (RST). */
static void reset_conn(struct net_conn *c, enum proto_close_why why)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	emit_close(c, EV_CONN_RST, EV_DIR_T2I);
	conn_gone(c, why);
}

/* This side resets the connection after writing what the socket takes of
 * what is queued (as the engine's sends so far would have been written
 * had they not waited for the end of the round). */
static void reset_after_queue(struct net_conn *c, enum proto_close_why why)
{
	if (c->tx_head && !(c->watched & NET_OUT))
		conn_tx_flush(c);
	reset_conn(c, why);
}

/* This side closes with a FIN (what is queued and not written is lost). */
static void fin_conn(struct net_conn *c, enum proto_close_why why)
{
	shutdown(c->fd, SHUT_WR);
	emit_close(c, EV_CONN_FIN, EV_DIR_T2I);
	conn_gone(c, why);
}

/* A read or write failed with errno. */
static void socket_failed(struct net_conn *c, const char *what)
{
	if (errno == ECONNRESET || errno == EPIPE) {
		emit_close(c, EV_CONN_RST, EV_DIR_I2T);
		conn_gone(c, PROTO_CLOSED_RST);
		return;
	}
	log_line(c->srv, PROTO_LOG_ERROR, c->id, "%s: %s", what, strerror(errno));
	reset_conn(c, PROTO_CLOSED_ERROR);
}

/* ---- reading and writing ------------------------------------------------ */

/* Watch what the connection's state and queue call for. */
static void update_watch(struct net_conn *c)
{
	unsigned want = (c->state == NET_CONN_OPEN ? NET_IN : 0) | (c->tx_head ? NET_OUT : 0);
	if (want == c->watched)
		return;
	if (net_loop_rewatch(c->srv->loop, c->fd, want) < 0) {
		socket_failed(c, "epoll");
		return;
	}
	c->watched = want;
}

/* Write what is queued; a draining connection closes once it is all out. */
static void flush(struct net_conn *c)
{
	int rc = conn_tx_flush(c);
	if (rc < 0) {
		socket_failed(c, "write");
		return;
	}
	if (c->tx_bytes <= TX_QUEUE_LOG_BYTES)
		c->tx_over_limit = false;
	if (rc == 0 && c->state == NET_CONN_DRAINING)
		fin_conn(c, c->why);
	else
		update_watch(c);
}

/* Hand every whole PDU buffered to the engine, one at a time (the engine
 * may change the rx digests or close the connection in between). */
static void deliver_pdus(struct net_conn *c)
{
	struct net_server *s = c->srv;
	while (c->state == NET_CONN_OPEN) {
		const uint8_t *pdu;
		size_t len;
		int parse_rc;
		enum conn_rx_result r = conn_rx_next(c, s->max_dsl, &pdu, &len, &parse_rc);
		if (r == CONN_RX_MORE)
			return;
		if (r == CONN_RX_TOO_BIG) {
			log_line(s, PROTO_LOG_ERROR, c->id,
				 "DataSegmentLength %zu exceeds the limit of %zu bytes: closing",
				 len, s->max_dsl);
			reset_after_queue(c, PROTO_CLOSED_ERROR);
			return;
		}
		struct pdu_digests dg = c->rx_dg;
		net_emit(s->bus, (struct event){ .kind = EV_PDU, .conn = c->id, .dir = EV_DIR_I2T,
						 .bytes = pdu, .len = len, .digests = dg,
						 .stream_offset = c->rx_offset - len });
		if (s->engine.pdu)
			s->engine.pdu(s->engine.engine, c->id, pdu, len, dg, parse_rc);
	}
}

static void on_readable(struct net_conn *c)
{
	long n = conn_rx_read(c);
	if (n > 0) {
		deliver_pdus(c);
	} else if (n == 0) {
		emit_close(c, EV_CONN_FIN, EV_DIR_I2T);
		if (conn_tx_flush(c) < 0)
			socket_failed(c, "write");
		else
			fin_conn(c, PROTO_CLOSED_FIN);
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		socket_failed(c, "read");
	}
}

static void on_conn_event(void *arg, int fd, unsigned events)
{
	(void)fd;
	struct net_conn *c = arg;
	if ((events & (NET_OUT | NET_HUP)) && c->tx_head)
		flush(c);
	if (c->state == NET_CONN_OPEN && (events & (NET_IN | NET_HUP)))
		on_readable(c);
}

/* ---- accepting ---------------------------------------------------------- */

static void open_conn(struct net_server *s, int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct net_conn *c = calloc(1, sizeof *c);
	if (c)
		c->id = ++s->last_id;
	if (!c || net_endpoints(fd, &c->ep) < 0 || conn_table_add(&s->conns, c) < 0) {
		log_line(s, PROTO_LOG_ERROR, 0, "new connection dropped: %s",
			 c ? strerror(errno) : "out of memory");
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->srv = s;
	c->shim = (struct net_shim){ .bus = s->bus, .conn = c->id };
	c->rx_need = PDU_BHS_LEN;
	c->watched = NET_IN;
	if (net_loop_watch(s->loop, fd, NET_IN, on_conn_event, c) < 0) {
		log_line(s, PROTO_LOG_ERROR, c->id, "new connection dropped: epoll: %s", strerror(errno));
		conn_table_del(&s->conns, c);
		free(c);
		close(fd);
		return;
	}
	net_emit(s->bus, (struct event){ .kind = EV_CONN_OPEN, .conn = c->id, .ep = &c->ep });
	if (s->engine.opened)
		s->engine.opened(s->engine.engine, c->id, &c->ep);
}

static void resume_accepting(void *arg, uint64_t timer)
{
	(void)timer;
	struct listener *li = arg;
	li->resume_timer = 0;
	net_loop_rewatch(li->srv->loop, li->fd, NET_IN);
}

/* accept failed (out of fds, say): stop watching the listener for a while
 * rather than spin on it. */
static void pause_accepting(struct listener *li)
{
	struct net_server *s = li->srv;
	log_line(s, PROTO_LOG_ERROR, 0, "accept on port %u: %s; retrying in %d ms",
		 (unsigned)li->port, strerror(errno), ACCEPT_RETRY_MS);
	if (net_loop_rewatch(s->loop, li->fd, 0) == 0)
		li->resume_timer = net_loop_timer(s->loop, ACCEPT_RETRY_MS, resume_accepting, li);
}

static void on_listener(void *arg, int fd, unsigned events)
{
	(void)events;
	struct listener *li = arg;
	struct net_server *s = li->srv;
	for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR)
				pause_accepting(li);
			return;
		}
		if (s->conns.n >= s->max_conns) {
			log_line(s, PROTO_LOG_WARN, 0, "%zu connections open: new one on port %u closed",
				 s->conns.n, (unsigned)li->port);
			close(cfd);
			continue;
		}
		open_conn(s, cfd);
	}
}

/* ---- the proto_io ------------------------------------------------------- */

/* Flush every connection sent to this round (the 0 ms timer's work). */
static void flush_pending(void *arg, uint64_t timer)
{
	(void)timer;
	struct net_server *s = arg;
	s->flush_timer = 0;
	for (struct net_conn *c; (c = s->pending);) {
		s->pending = c->next_pending;
		c->tx_pending = false;
		if (c->tx_head && !(c->watched & NET_OUT))
			flush(c);
	}
}

/* Flush c at the end of this round (at once when no timer can be set). */
static void schedule_flush(struct net_conn *c)
{
	struct net_server *s = c->srv;
	if (!s->flush_timer)
		s->flush_timer = net_loop_timer(s->loop, 0, flush_pending, s);
	if (!s->flush_timer) {
		flush(c);
		return;
	}
	if (!c->tx_pending) {
		c->tx_pending = true;
		c->next_pending = s->pending;
		s->pending = c;
	}
}

/* The connection the engine names, while it can still carry bytes. */
static struct net_conn *live_conn(struct net_server *s, uint32_t id)
{
	struct net_conn *c = conn_table_get(&s->conns, id);
	return c && c->state != NET_CONN_GONE ? c : NULL;
}

static int io_send(void *ctx, uint32_t conn, const uint8_t *pdu, size_t len, struct pdu_digests dg)
{
	struct net_server *s = ctx;
	struct net_conn *c = live_conn(s, conn);
	if (!c || c->state != NET_CONN_OPEN)
		return -1;
	net_emit(s->bus, (struct event){ .kind = EV_PDU, .conn = c->id, .dir = EV_DIR_T2I,
					 .bytes = pdu, .len = len, .digests = dg,
					 .stream_offset = c->tx_offset });
	if (conn_tx_queue(c, pdu, len) < 0) {
		log_line(s, PROTO_LOG_ERROR, c->id, "send queue: out of memory: closing");
		reset_after_queue(c, PROTO_CLOSED_ERROR);
		return -1;
	}
	if (c->tx_bytes > TX_QUEUE_LOG_BYTES && !c->tx_over_limit) {
		c->tx_over_limit = true;
		log_line(s, PROTO_LOG_WARN, c->id, "%zu bytes queued to send, the peer is not reading",
			 c->tx_bytes);
	}
	if (!(c->watched & NET_OUT))
		schedule_flush(c);
	return 0;
}

static void io_close(void *ctx, uint32_t conn, bool reset)
{
	struct net_conn *c = live_conn(ctx, conn);
	if (!c)
		return;
	if (reset) {
		reset_after_queue(c, PROTO_CLOSED_LOCAL);
	} else if (c->state == NET_CONN_OPEN) {
		c->state = NET_CONN_DRAINING;
		c->why = PROTO_CLOSED_LOCAL;
		flush(c);
	}
}

static void io_set_rx_digests(void *ctx, uint32_t conn, struct pdu_digests dg)
{
	struct net_conn *c = live_conn(ctx, conn);
	if (c)
		c->rx_dg = dg;
}

static uint64_t io_timer_set(void *ctx, int64_t delay_ms, proto_timer_fn fn, void *arg)
{
	struct net_server *s = ctx;
	return net_loop_timer(s->loop, delay_ms, fn, arg);
}

static void io_timer_cancel(void *ctx, uint64_t id)
{
	struct net_server *s = ctx;
	net_loop_timer_cancel(s->loop, id);
}

static int64_t io_now_ns(void *ctx)
{
	struct net_server *s = ctx;
	return net_loop_now_ns(s->loop);
}

static void io_log(void *ctx, enum proto_log_level level, uint32_t conn, const char *fmt, va_list ap)
{
	vlog_line(ctx, level, conn, fmt, ap);
}

void net_server_set_engine(struct net_server *s, struct proto_engine_ops engine)
{
	s->engine = engine;
}

struct proto_io net_server_io(struct net_server *s)
{
	return (struct proto_io){
		.ctx = s,
		.send = io_send,
		.close = io_close,
		.set_rx_digests = io_set_rx_digests,
		.timer_set = io_timer_set,
		.timer_cancel = io_timer_cancel,
		.now_ns = io_now_ns,
		.log = io_log,
	};
}

/* ---- the server --------------------------------------------------------- */

int net_server_create(struct net_server **out, struct net_loop *l, const struct net_server_opts *o,
		      struct proto_engine_ops engine, char *err, size_t errlen)
{
	*out = NULL;
	struct net_server *s = calloc(1, sizeof *s);
	struct listener *listeners = calloc(o->n_listen ? o->n_listen : 1, sizeof *listeners);
	if (!s || !listeners) {
		snprintf(err, errlen, "target: out of memory");
		free(s);
		free(listeners);
		return -1;
	}
	*s = (struct net_server){
		.loop = l,
		.engine = engine,
		.bus = o->bus,
		.max_dsl = o->max_data_segment ? o->max_data_segment : NET_DEFAULT_MAX_DATA_SEGMENT,
		.max_conns = o->max_conns ? o->max_conns : NET_DEFAULT_MAX_CONNS,
		.log_debug = o->log_debug,
		.listeners = listeners,
	};
	for (size_t i = 0; i < o->n_listen; i++) {
		struct listener *li = &s->listeners[i];
		li->srv = s;
		li->fd = net_listen(o->listen[i], &li->port, err, errlen);
		if (li->fd < 0)
			goto fail;
		s->n_listeners++;
		if (net_loop_watch(l, li->fd, NET_IN, on_listener, li) < 0) {
			snprintf(err, errlen, "listen on %s: epoll: %s", o->listen[i], strerror(errno));
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	net_server_free(s);
	return -1;
}

uint16_t net_server_port(const struct net_server *s, size_t i)
{
	return i < s->n_listeners ? s->listeners[i].port : 0;
}

size_t net_server_conn_count(const struct net_server *s)
{
	return s->conns.n;
}

void net_server_free(struct net_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_listeners; i++) {
		net_loop_timer_cancel(s->loop, s->listeners[i].resume_timer);
		net_loop_unwatch(s->loop, s->listeners[i].fd);
		close(s->listeners[i].fd);
	}
	free(s->listeners);
	net_loop_timer_cancel(s->loop, s->flush_timer);
	for (struct net_conn *c; (c = conn_table_any(&s->conns));) {
		if (c->state != NET_CONN_GONE) {
			if (conn_tx_flush(c) < 0)
				socket_failed(c, "write");
			else
				fin_conn(c, PROTO_CLOSED_LOCAL);
		}
		net_loop_timer_cancel(s->loop, c->report_timer);
		report_closed(c, c->report_timer);
	}
	conn_table_free(&s->conns);
	free(s);
}
