/* pcap_writer.c — the pcap writer: synthesises Ethernet/IP/TCP frames around
 * the bytes each connection carried, so a capture of a harness run reads in
 * Wireshark like a capture of the real wire (see pcap_writer.h).
 *
 * The file (the nanosecond pcap format, as libpcap writes it) is written in
 * blocks of OUT_BLOCK bytes at OUT_BLOCK-aligned offsets; frames are built
 * in place in the current block. A full block goes to a writer thread
 * (OUT_BLOCKS of them in flight at most; the event side waits when all
 * are) that writes it with O_DIRECT where the file system allows it, so
 * neither the event loop nor the page cache pays for the capture; the
 * block being filled and the file's tail are written at close. With
 * flush_each_event (or when no thread can be started) every write happens
 * in the caller, the new bytes of each event at once. The file header is
 * written at open, so an unwritable file fails there, and again as the
 * start of the first block. */
#define _GNU_SOURCE /* O_DIRECT */
#include "harness/capture/pcap_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define TCP_SYN_OPTLEN 8          /* MSS (4) + NOP (1) + window scale (3) */
#define TCP_WSCALE 7
#define TCP_WINDOW 65535u
#define FRAME_MAX (ETH_HLEN + IP6_HLEN + TCP_HLEN + TCP_SYN_OPTLEN + CAP_MAX_MSS)

#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define FILE_HDR_LEN 24
#define REC_HDR_LEN 16               /* seconds, nanoseconds, caplen, len */
#define OUT_BLOCK (1u << 20)         /* bytes per write, and their alignment */
#define OUT_BLOCKS 4u                /* blocks: one filling, the rest queued */
#define OUT_ALIGN 4096u              /* of the buffers, for O_DIRECT */
#define OUT_CAP (OUT_BLOCK + REC_HDR_LEN + FRAME_MAX)

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* One side of a connection, as a sender. */
struct side {
	uint8_t addr[16];
	uint8_t mac[6];
	uint16_t port;
	uint16_t ip_id;
	uint32_t nxt;           /* next sequence number to send */
	uint32_t owed;          /* segments received and not yet ACKed */
	bool fin;               /* this side sent FIN */
};

struct conn {
	uint32_t id;
	int family;
	bool used;              /* the slot holds a connection */
	bool closed;            /* both FINs, or a RST: nothing more to send */
	uint64_t closed_at;     /* order of closing, to recycle the oldest */
	uint32_t mss;
	struct side s[2];       /* indexed by enum ev_dir: sender I2T, T2I */
};

/* The blocks and the writer thread. Blocks are used in turn: cur fills,
 * the queued ones are [cur - queued, cur) modulo OUT_BLOCKS. */
struct out {
	int fd;
	uint8_t *blk[OUT_BLOCKS];   /* OUT_CAP bytes each */
	unsigned cur;
	size_t fill;                /* bytes in blk[cur] */
	size_t flushed;             /* of those, already in the file */
	uint64_t cur_off;           /* file offset of blk[cur] */
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, room;
	unsigned queued;            /* full blocks the thread has not written */
	bool stop;
	int err;                    /* errno of the thread's first failed write */
};

struct cap_writer {
	struct out o;
	struct cap_writer_opts opts;
	struct conn *conns;     /* n_slots entries */
	size_t n_slots, max_slots, n_open;
	uint64_t close_seq;
	uint64_t frames;
	int io_err;
	int first_err;
	char errmsg[256];
};

/* ---- deterministic values ---- */

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint32_t conn_hash(uint32_t conn, enum ev_dir dir, uint32_t salt)
{
	return mix32(mix32(conn ^ salt) + (dir == EV_DIR_I2T ? 0x9e3779b9u : 0x7f4a7c15u));
}

/* Locally administered unicast MAC derived from the IP address, so a host
 * keeps its MAC across connections. */
static void mac_from_addr(uint8_t mac[6], int family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}
	h = mix32(h);
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* ---- byte helpers and checksums ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The Internet checksum, summed in the machine's byte order 32 bytes at
 * a time (RFC 1071: the ones' complement sum does not depend on the
 * order the words are read in, only the result's two bytes swap). Every
 * call but a sum's last must have an even length; an odd last byte is
 * padded with a zero. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint64_t acc[4] = { sum, 0, 0, 0 };   /* independent: they add in parallel */
	for (; i + 32 <= n; i += 32) {
		uint32_t v[8];
		memcpy(v, p + i, 32);
		for (int k = 0; k < 4; k++)
			acc[k] += (uint64_t)v[2 * k] + v[2 * k + 1];
	}
	sum = acc[0] + acc[1] + acc[2] + acc[3];
	for (; i + 4 <= n; i += 4) {
		uint32_t v;
		memcpy(&v, p + i, 4);
		sum += v;
	}
	for (; i + 1 < n; i += 2) {
		uint16_t v;
		memcpy(&v, p + i, 2);
		sum += v;
	}
	if (i < n) {
		uint8_t pair[2] = { p[i], 0 };
		uint16_t v;
		memcpy(&v, pair, 2);
		sum += v;
	}
	return sum;
}

/* The complemented sum, as the big-endian value put16 stores. */
static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t native = (uint16_t)sum;
	uint8_t b[2];
	memcpy(b, &native, 2);
	return (uint16_t)~((uint32_t)b[0] << 8 | b[1]);
}

/* ---- errors ---- */

static int fail(struct cap_writer *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cap_writer *w, int code, const char *fmt, ...)
{
	if (w->first_err == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
		va_end(ap);
		w->first_err = code;
	}
	return code;
}

const char *cap_strerror(int code)
{
	switch (code) {
	case CAP_OK: return "success";
	case CAP_EINVAL: return "invalid argument, option or event";
	case CAP_EOPEN: return "cannot create the pcap file";
	case CAP_EIO: return "writing the pcap file failed";
	case CAP_ENOMEM: return "out of memory";
	case CAP_ENOCONN: return "event for a connection that was never opened";
	case CAP_EDUPCONN: return "connection id opened twice";
	case CAP_ETOOMANY: return "too many connections open at once";
	case CAP_ECLOSED: return "event for a side that already closed or reset";
	case CAP_EFAMILY: return "address family is neither IPv4 nor IPv6";
	}
	return "unknown pcap writer error";
}

/* ---- frames ---- */

/* pwrite all of len bytes at off. Returns 0, or an errno. */
static int write_at(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t k = pwrite(fd, p, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		p += k;
		len -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Clear O_DIRECT on fd; true when it was set. */
static bool leave_direct(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_DIRECT) && fcntl(fd, F_SETFL, fl & ~O_DIRECT) == 0;
}

/* The writer thread: each queued block, oldest first. */
static void *out_thread(void *arg)
{
	struct out *o = arg;
	pthread_mutex_lock(&o->mu);
	for (;;) {
		while (!o->queued && !o->stop)
			pthread_cond_wait(&o->work, &o->mu);
		if (!o->queued)
			break;
		unsigned i = (o->cur + OUT_BLOCKS - o->queued) % OUT_BLOCKS;
		uint64_t off = o->cur_off - (uint64_t)o->queued * OUT_BLOCK;
		int failed = o->err;
		pthread_mutex_unlock(&o->mu);
		int e = failed ? 0 : write_at(o->fd, o->blk[i], OUT_BLOCK, off);
		if (e == EINVAL && leave_direct(o->fd))   /* O_DIRECT taken, not honoured */
			e = write_at(o->fd, o->blk[i], OUT_BLOCK, off);
		pthread_mutex_lock(&o->mu);
		if (e && !o->err)
			o->err = e;
		o->queued--;
		pthread_cond_signal(&o->room);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

/* A write failed with errno e: the writer's sticky error. */
static int io_failed(struct cap_writer *w, int e)
{
	if (!w->io_err)
		w->io_err = fail(w, CAP_EIO, "writing the pcap file failed: %s", strerror(e));
	return w->io_err;
}

/* blk[cur] is full (OUT_BLOCK bytes and maybe the start of a frame past
 * them): hand it to the thread, or write it here, and move on to the next
 * block. Returns 0 or CAP_EIO. */
static int next_block(struct cap_writer *w)
{
	struct out *o = &w->o;
	uint8_t *full = o->blk[o->cur];
	int e = 0;
	if (o->threaded) {
		pthread_mutex_lock(&o->mu);
		while (o->queued == OUT_BLOCKS - 1)
			pthread_cond_wait(&o->room, &o->mu);
		o->queued++;
		o->cur = (o->cur + 1) % OUT_BLOCKS;
		o->cur_off += OUT_BLOCK;    /* the thread reads both under mu */
		e = o->err;
		pthread_cond_signal(&o->work);
		pthread_mutex_unlock(&o->mu);
	} else {
		e = write_at(o->fd, full + o->flushed, OUT_BLOCK - o->flushed,
			     o->cur_off + o->flushed);
		o->cur = (o->cur + 1) % OUT_BLOCKS;
		o->cur_off += OUT_BLOCK;
	}
	/* the new block starts with what went past the old one's end */
	size_t over = o->fill - OUT_BLOCK;
	memcpy(o->blk[o->cur], full + OUT_BLOCK, over);
	o->fill = over;
	o->flushed = 0;
	return e ? io_failed(w, e) : 0;
}

/* Write what blk[cur] holds beyond what is in the file already (the caller
 * side: flush_each_event, and at close once the thread is done). */
static int flush_cur(struct cap_writer *w)
{
	struct out *o = &w->o;
	if (w->io_err || o->fill == o->flushed)
		return w->io_err;
	int e = write_at(o->fd, o->blk[o->cur] + o->flushed, o->fill - o->flushed,
			 o->cur_off + o->flushed);
	if (e)
		return io_failed(w, e);
	o->flushed = o->fill;
	return 0;
}

/* Start the writer thread and O_DIRECT on the file; without either, the
 * caller writes. */
static void start_thread(struct out *o)
{
	if (pthread_mutex_init(&o->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&o->work, NULL) != 0)
		goto no_work;
	if (pthread_cond_init(&o->room, NULL) != 0)
		goto no_room;
	/* the thread takes no signal: the process's handling (a signalfd
	 * with the signals blocked, say) stays the event loop's business */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&o->thread, NULL, out_thread, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		goto no_thread;
	o->threaded = true;
	int fl = fcntl(o->fd, F_GETFL);
	if (fl >= 0)
		fcntl(o->fd, F_SETFL, fl | O_DIRECT);  /* refused: page cache it is */
	return;
no_thread:
	pthread_cond_destroy(&o->room);
no_room:
	pthread_cond_destroy(&o->work);
no_work:
	pthread_mutex_destroy(&o->mu);
}

/* Stop the thread once every queued block is written, and leave O_DIRECT
 * (the file's tail is not a whole block). */
static void stop_thread(struct out *o)
{
	if (!o->threaded)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = true;
	pthread_cond_signal(&o->work);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	pthread_cond_destroy(&o->room);
	pthread_cond_destroy(&o->work);
	pthread_mutex_destroy(&o->mu);
	o->threaded = false;
	leave_direct(o->fd);
}

static void free_blocks(struct out *o)
{
	for (unsigned i = 0; i < OUT_BLOCKS; i++)
		free(o->blk[i]);
}

static void put32h(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* One TCP segment from side `from` of c, with data (len <= MSS). */
static void emit(struct cap_writer *w, struct conn *c, enum ev_dir from,
		 uint8_t flags, const uint8_t *data, size_t len, int64_t ts_ns)
{
	struct side *src = &c->s[from];
	struct side *dst = &c->s[from == EV_DIR_I2T ? EV_DIR_T2I : EV_DIR_I2T];
	if (w->io_err)
		return;
	uint8_t *rec = w->o.blk[w->o.cur] + w->o.fill;
	uint8_t *f = rec + REC_HDR_LEN;
	bool v4 = c->family == AF_INET;
	size_t iphl = v4 ? IP4_HLEN : IP6_HLEN;
	size_t optlen = (flags & TH_SYN) ? TCP_SYN_OPTLEN : 0;
	size_t tcplen = TCP_HLEN + optlen + len;
	size_t alen = v4 ? 4 : 16;

	memcpy(f, dst->mac, 6);
	memcpy(f + 6, src->mac, 6);
	put16(f + 12, v4 ? 0x0800 : 0x86dd);

	uint8_t *ip = f + ETH_HLEN;
	if (v4) {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint32_t)(IP4_HLEN + tcplen));
		put16(ip + 4, src->ip_id++);
		put16(ip + 6, 0x4000);              /* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		put16(ip + 10, 0);
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, IP4_HLEN)));
	} else {
		put32(ip, 0x60000000u);
		put16(ip + 4, (uint32_t)tcplen);
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst->addr, 16);
	}

	uint8_t *tcp = ip + iphl;
	put16(tcp, src->port);
	put16(tcp + 2, dst->port);
	put32(tcp + 4, src->nxt);
	put32(tcp + 8, (flags & TH_ACK) ? dst->nxt : 0);
	tcp[12] = (uint8_t)(((TCP_HLEN + optlen) / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, TCP_WINDOW);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (optlen) {
		uint8_t *o = tcp + TCP_HLEN;
		o[0] = 2;                           /* MSS */
		o[1] = 4;
		put16(o + 2, c->mss);
		o[4] = 1;                           /* NOP */
		o[5] = 3;                           /* window scale */
		o[6] = 3;
		o[7] = TCP_WSCALE;
	}
	if (len)
		memcpy(tcp + TCP_HLEN + optlen, data, len);

	/* pseudo-header: addresses, protocol, TCP length */
	uint8_t ph[8];
	uint64_t sum = csum_add(0, src->addr, alen);
	sum = csum_add(sum, dst->addr, alen);
	put32(ph, (uint32_t)tcplen);
	put32(ph + 4, IPPROTO_TCP);
	sum = csum_add(sum, ph, 8);
	sum = csum_add(sum, tcp, tcplen);
	put16(tcp + 16, csum_fold(sum));

	int64_t t = ts_ns < 0 ? 0 : ts_ns;
	uint32_t flen = (uint32_t)(ETH_HLEN + iphl + tcplen);
	put32h(rec, (uint32_t)(t / 1000000000));
	put32h(rec + 4, (uint32_t)(t % 1000000000));    /* ns: nano pcap */
	put32h(rec + 8, flen);
	put32h(rec + 12, flen);
	w->o.fill += REC_HDR_LEN + flen;
	w->frames++;
	if (w->o.fill >= OUT_BLOCK)
		next_block(w);

	src->nxt += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
	src->owed = 0;      /* any segment carries an ACK of all received */
}

/* The receiver of `from`'s data counts a segment and ACKs when due. */
static void receive(struct cap_writer *w, struct conn *c, enum ev_dir from,
		    int64_t ts_ns, bool end_of_write)
{
	enum ev_dir to = from == EV_DIR_I2T ? EV_DIR_T2I : EV_DIR_I2T;
	if (!end_of_write)
		c->s[to].owed++;
	if (c->s[to].owed >= w->opts.ack_every || (end_of_write && c->s[to].owed))
		emit(w, c, to, TH_ACK, NULL, 0, ts_ns);
}

/* ---- connections ---- */

static struct conn *find_conn(struct cap_writer *w, uint32_t id)
{
	for (size_t i = 0; i < w->n_slots; i++)
		if (w->conns[i].used && w->conns[i].id == id)
			return &w->conns[i];
	return NULL;
}

/* A slot for a new connection: a free one, a new one, or else the one
 * that closed first is forgotten. */
static struct conn *new_slot(struct cap_writer *w)
{
	struct conn *oldest = NULL;
	for (size_t i = 0; i < w->n_slots; i++) {
		struct conn *c = &w->conns[i];
		if (!c->used)
			return c;
		if (c->closed && (!oldest || c->closed_at < oldest->closed_at))
			oldest = c;
	}
	if (w->n_slots < w->max_slots) {
		size_t cap = w->n_slots ? w->n_slots * 2 : 16;
		if (cap > w->max_slots)
			cap = w->max_slots;
		struct conn *n = realloc(w->conns, cap * sizeof *n);
		if (!n)
			return NULL;
		memset(n + w->n_slots, 0, (cap - w->n_slots) * sizeof *n);
		w->conns = n;
		struct conn *c = &n[w->n_slots];
		w->n_slots = cap;
		return c;
	}
	return oldest;
}

static void mark_closed(struct cap_writer *w, struct conn *c)
{
	c->closed = true;
	c->closed_at = w->close_seq++;
	w->n_open--;
}

static int on_open(struct cap_writer *w, const struct event *ev)
{
	const struct ev_endpoints *ep = ev->ep;
	if (!ep)
		return fail(w, CAP_EINVAL, "conn %u: EV_CONN_OPEN without endpoints", ev->conn);
	if (ep->family != AF_INET && ep->family != AF_INET6)
		return fail(w, CAP_EFAMILY, "conn %u: address family %d is neither AF_INET nor AF_INET6",
			    ev->conn, ep->family);
	if (find_conn(w, ev->conn))
		return fail(w, CAP_EDUPCONN, "conn %u: opened twice", ev->conn);
	if (w->n_open >= w->opts.max_conns)
		return fail(w, CAP_ETOOMANY, "conn %u: more than %u connections open at once",
			    ev->conn, w->opts.max_conns);
	struct conn *c = new_slot(w);
	if (!c)
		return fail(w, CAP_ENOMEM, "conn %u: out of memory", ev->conn);

	memset(c, 0, sizeof *c);
	c->id = ev->conn;
	c->family = ep->family;
	c->used = true;
	c->mss = w->opts.mss ? w->opts.mss
		: ep->family == AF_INET ? CAP_DEFAULT_MSS4 : CAP_DEFAULT_MSS6;
	size_t alen = ep->family == AF_INET ? 4 : 16;
	const uint8_t *addr[2] = { ep->ini_addr, ep->tgt_addr };
	const uint16_t port[2] = { ep->ini_port, ep->tgt_port };
	for (int d = 0; d < 2; d++) {
		struct side *s = &c->s[d];
		memcpy(s->addr, addr[d], alen);
		mac_from_addr(s->mac, ep->family, s->addr);
		s->port = port[d];
		s->nxt = conn_hash(ev->conn, (enum ev_dir)d, 0) ^ w->opts.isn_xor;
		s->ip_id = (uint16_t)conn_hash(ev->conn, (enum ev_dir)d, 0x1d1d1d1du);
	}
	w->n_open++;

	emit(w, c, EV_DIR_I2T, TH_SYN, NULL, 0, ev->ts_ns);
	emit(w, c, EV_DIR_T2I, TH_SYN | TH_ACK, NULL, 0, ev->ts_ns);
	emit(w, c, EV_DIR_I2T, TH_ACK, NULL, 0, ev->ts_ns);
	return 0;
}

static const char *dir_name(enum ev_dir d)
{
	return d == EV_DIR_I2T ? "initiator" : "target";
}

/* The connection an event on an open side refers to, or NULL (error set). */
static struct conn *live_conn(struct cap_writer *w, const struct event *ev, int *rc)
{
	struct conn *c = find_conn(w, ev->conn);
	if (!c) {
		*rc = fail(w, CAP_ENOCONN, "conn %u: %s event for a connection never opened",
			   ev->conn, ev_kind_name(ev->kind));
		return NULL;
	}
	if (ev->dir != EV_DIR_I2T && ev->dir != EV_DIR_T2I) {
		*rc = fail(w, CAP_EINVAL, "conn %u: bad direction %d", ev->conn, (int)ev->dir);
		return NULL;
	}
	if (c->closed || (c->s[ev->dir].fin && ev->kind != EV_CONN_RST)) {
		if (c->closed)
			*rc = fail(w, CAP_ECLOSED, "conn %u: %s event after the connection ended",
				   ev->conn, ev_kind_name(ev->kind));
		else
			*rc = fail(w, CAP_ECLOSED, "conn %u: %s event from the %s after it sent FIN",
				   ev->conn, ev_kind_name(ev->kind), dir_name(ev->dir));
		return NULL;
	}
	return c;
}

static int on_wire(struct cap_writer *w, const struct event *ev)
{
	int rc = 0;
	if (ev->len && !ev->bytes)
		return fail(w, CAP_EINVAL, "conn %u: %zu bytes without a buffer", ev->conn, ev->len);
	struct conn *c = live_conn(w, ev, &rc);
	if (!c)
		return rc;
	const uint8_t *p = ev->bytes;
	size_t left = ev->len;
	while (left) {
		size_t n = left < c->mss ? left : c->mss;
		uint8_t flags = TH_ACK | (n == left ? TH_PSH : 0);
		emit(w, c, ev->dir, flags, p, n, ev->ts_ns);
		receive(w, c, ev->dir, ev->ts_ns, false);
		p += n;
		left -= n;
	}
	if (ev->len)
		receive(w, c, ev->dir, ev->ts_ns, true);
	return 0;
}

static int on_fin(struct cap_writer *w, const struct event *ev)
{
	int rc = 0;
	struct conn *c = live_conn(w, ev, &rc);
	if (!c)
		return rc;
	enum ev_dir peer = ev->dir == EV_DIR_I2T ? EV_DIR_T2I : EV_DIR_I2T;
	emit(w, c, ev->dir, TH_FIN | TH_ACK, NULL, 0, ev->ts_ns);
	c->s[ev->dir].fin = true;
	emit(w, c, peer, TH_ACK, NULL, 0, ev->ts_ns);
	if (c->s[peer].fin)
		mark_closed(w, c);
	return 0;
}

static int on_rst(struct cap_writer *w, const struct event *ev)
{
	int rc = 0;
	struct conn *c = live_conn(w, ev, &rc);
	if (!c)
		return rc;
	emit(w, c, ev->dir, TH_RST | TH_ACK, NULL, 0, ev->ts_ns);
	mark_closed(w, c);
	return 0;
}

int cap_writer_on_event(void *ctx, const struct event *ev)
{
	struct cap_writer *w = ctx;
	if (!w || !ev)
		return CAP_EINVAL;
	if (w->io_err)
		return w->io_err;
	int rc;
	switch (ev->kind) {
	case EV_CONN_OPEN: rc = on_open(w, ev); break;
	case EV_WIRE: rc = on_wire(w, ev); break;
	case EV_CONN_FIN: rc = on_fin(w, ev); break;
	case EV_CONN_RST: rc = on_rst(w, ev); break;
	default: return 0;
	}
	if (rc == 0 && w->opts.flush_each_event)
		flush_cur(w);
	return w->io_err ? w->io_err : rc;
}

struct ev_observer cap_writer_observer(struct cap_writer *w)
{
	struct ev_observer o = { cap_writer_on_event, w };
	return o;
}

const char *cap_writer_errmsg(const struct cap_writer *w)
{
	return w ? w->errmsg : "";
}

uint64_t cap_writer_frames(const struct cap_writer *w)
{
	return w ? w->frames : 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int cap_writer_open(struct cap_writer **wp, const char *path,
		    const struct cap_writer_opts *opts, char *err, size_t errlen)
{
	seterr(err, errlen, "%s", "");
	if (!wp) {
		seterr(err, errlen, "cap_writer_open: no place for the writer");
		return CAP_EINVAL;
	}
	*wp = NULL;
	if (!path || !*path) {
		seterr(err, errlen, "cap_writer_open: no pcap path");
		return CAP_EINVAL;
	}
	struct cap_writer_opts o = { 0 };
	if (opts)
		o = *opts;
	if (o.mss > CAP_MAX_MSS) {
		seterr(err, errlen, "pcap '%s': MSS %u is above %u", path, o.mss, CAP_MAX_MSS);
		return CAP_EINVAL;
	}
	if (o.ack_every > CAP_MAX_ACK_EVERY) {
		seterr(err, errlen, "pcap '%s': ack_every %u is above %u", path,
		       o.ack_every, CAP_MAX_ACK_EVERY);
		return CAP_EINVAL;
	}
	if (o.ack_every == 0)
		o.ack_every = CAP_DEFAULT_ACK_EVERY;
	if (o.max_conns == 0)
		o.max_conns = CAP_DEFAULT_MAX_CONNS;
	if (o.max_conns > CAP_MAX_CONNS) {
		seterr(err, errlen, "pcap '%s': max_conns %u is above %u", path,
		       o.max_conns, CAP_MAX_CONNS);
		return CAP_EINVAL;
	}

	struct cap_writer *w = calloc(1, sizeof *w);
	if (!w) {
		seterr(err, errlen, "pcap '%s': out of memory", path);
		return CAP_ENOMEM;
	}
	w->opts = o;
	/* closed connections are remembered (to report events after a close)
	 * in as many slots again as may be open */
	w->max_slots = (size_t)o.max_conns * 2;
	for (unsigned i = 0; i < OUT_BLOCKS; i++) {
		if (posix_memalign((void **)&w->o.blk[i], OUT_ALIGN, OUT_CAP) != 0) {
			w->o.blk[i] = NULL;
			free_blocks(&w->o);
			free(w);
			seterr(err, errlen, "pcap '%s': out of memory", path);
			return CAP_ENOMEM;
		}
	}
	w->o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->o.fd < 0) {
		int e = errno;
		free_blocks(&w->o);
		free(w);
		seterr(err, errlen, "cannot create pcap file '%s': %s", path, strerror(e));
		return CAP_EOPEN;
	}
	uint8_t *h = w->o.blk[0];
	put32h(h, PCAP_MAGIC_NSEC);
	memcpy(h + 4, &(uint16_t){ 2 }, 2);         /* version 2.4 */
	memcpy(h + 6, &(uint16_t){ 4 }, 2);
	put32h(h + 8, 0);                           /* thiszone */
	put32h(h + 12, 0);                          /* sigfigs */
	put32h(h + 16, CAP_SNAPLEN);
	put32h(h + 20, DLT_EN10MB);                 /* LINKTYPE_ETHERNET */
	w->o.fill = FILE_HDR_LEN;
	int e = write_at(w->o.fd, h, FILE_HDR_LEN, 0);
	if (e) {
		seterr(err, errlen, "cannot write pcap file '%s': %s", path, strerror(e));
		close(w->o.fd);
		free_blocks(&w->o);
		free(w);
		return CAP_EOPEN;
	}
	w->o.flushed = FILE_HDR_LEN;
	if (!o.flush_each_event)
		start_thread(&w->o);
	*wp = w;
	return 0;
}

int cap_writer_close(struct cap_writer *w)
{
	if (!w)
		return 0;
	stop_thread(&w->o);
	if (w->o.err)
		io_failed(w, w->o.err);
	flush_cur(w);
	if (close(w->o.fd) != 0 && w->io_err == 0)
		w->io_err = fail(w, CAP_EIO, "closing the pcap file failed: %s", strerror(errno));
	int rc = w->io_err;
	free_blocks(&w->o);
	free(w->conns);
	free(w);
	return rc;
}
