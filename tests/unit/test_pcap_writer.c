/* test_pcap_writer.c — tests of the pcap writer (harness/capture/
 * pcap_writer.c) through its event-observer API: every capture is read back
 * with libpcap and checked frame by frame (Ethernet/IP/TCP fields, sequence
 * and acknowledgement continuity, checksums recomputed here, MSS bound,
 * flags, timestamps, payload of each direction), then handed to tshark
 * (tests/support/tshark.c), which must find nothing malformed, no TCP
 * problem, no bad checksum, the same bytes in each direction, and the iSCSI
 * PDUs that were written. Also the writer's errors, and the tshark helper's
 * own ability to see problems and to keep per-PDU fields apart.
 *
 * Scratch files go under $HARNESS_SCRATCH (else /tmp) in a fresh directory
 * that is removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/capture/pcap_writer.h"
#include "harness/event.h"
#include "tests/support/tshark.h"
#include "tests/support/scratch.h"

#define T0 1700000000123456789LL      /* a base time, in ns */
#define MAXC 8                        /* connections per test */

/* ---- scratch directory ---- */

struct scratch {
	char dir[512];
	char path[600];
};

static int group_setup(void **state)
{
	static struct scratch s;
	if (scratch_make_dir("pcap_writer", s.dir, sizeof s.dir) != 0)
		return -1;
	*state = &s;
	return 0;
}

static int group_teardown(void **state)
{
	struct scratch *s = *state;
	scratch_remove_dir(s->dir);
	return 0;
}

static const char *scratch_path(void **state, const char *name)
{
	struct scratch *s = *state;
	snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
	return s->path;
}

/* ---- the model: what each direction of each connection carried ---- */

struct bytes {
	uint8_t *p;
	size_t len;
};

static void bytes_add(struct bytes *b, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

struct mconn {
	uint32_t id;
	int family;
	uint8_t ini[16], tgt[16];
	uint16_t iport, tport;
	struct bytes data[2];
	bool fin[2];
	int rst_dir;        /* -1: no RST */
	uint32_t mss;
};

struct model {
	struct cap_writer *w;
	struct cap_writer_opts opts;
	struct mconn c[MAXC];
	size_t n;
	int64_t ts;
};

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		for (int d = 0; d < 2; d++)
			free(m->c[i].data[d].p);
	memset(m, 0, sizeof *m);
}

static void model_open_writer(struct model *m, const char *path, const struct cap_writer_opts *o)
{
	char err[256];
	memset(m, 0, sizeof *m);
	if (o)
		m->opts = *o;
	m->ts = T0;
	int rc = cap_writer_open(&m->w, path, o, err, sizeof err);
	if (rc != 0)
		fail_msg("cap_writer_open(%s): %s", path, err);
	assert_non_null(m->w);
}

static int send_ev(struct model *m, enum ev_kind kind, uint32_t conn, enum ev_dir dir,
		   const void *bytes, size_t len, const struct ev_endpoints *ep)
{
	struct event ev = { 0 };
	ev.kind = kind;
	ev.conn = conn;
	ev.dir = dir;
	ev.ts_ns = m->ts;
	ev.ep = ep;
	ev.bytes = bytes;
	ev.len = len;
	return cap_writer_on_event(m->w, &ev);
}

static struct mconn *mfind(struct model *m, uint32_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->c[i].id == id)
			return &m->c[i];
	fail_msg("conn %u not in the model", id);
	return NULL;
}

/* Opens connection id: ini 10.0.0.<n> / fd00::<n>, target .200 / ::c8. */
static void m_open(struct model *m, uint32_t id, int family, uint16_t iport, uint16_t tport)
{
	assert_true(m->n < MAXC);
	struct mconn *c = &m->c[m->n++];
	memset(c, 0, sizeof *c);
	c->id = id;
	c->family = family;
	c->iport = iport;
	c->tport = tport;
	c->rst_dir = -1;
	if (family == AF_INET) {
		uint8_t i4[4] = { 10, 0, 0, (uint8_t)(id + 1) }, t4[4] = { 10, 0, 0, 200 };
		memcpy(c->ini, i4, 4);
		memcpy(c->tgt, t4, 4);
	} else {
		assert_int_equal(inet_pton(AF_INET6, "fd00::c8", c->tgt), 1);
		assert_int_equal(inet_pton(AF_INET6, "fd00::1", c->ini), 1);
		c->ini[15] = (uint8_t)(id + 1);
	}
	c->mss = m->opts.mss ? m->opts.mss : family == AF_INET ? 1460 : 1440;
	struct ev_endpoints ep = { 0 };
	ep.family = family;
	memcpy(ep.ini_addr, c->ini, 16);
	memcpy(ep.tgt_addr, c->tgt, 16);
	ep.ini_port = iport;
	ep.tgt_port = tport;
	int rc = send_ev(m, EV_CONN_OPEN, id, EV_DIR_I2T, NULL, 0, &ep);
	if (rc)
		fail_msg("open %u: %s (%s)", id, cap_strerror(rc), cap_writer_errmsg(m->w));
}

static void m_wire(struct model *m, uint32_t id, enum ev_dir dir, const void *p, size_t n)
{
	int rc = send_ev(m, EV_WIRE, id, dir, p, n, NULL);
	if (rc)
		fail_msg("wire %u: %s (%s)", id, cap_strerror(rc), cap_writer_errmsg(m->w));
	bytes_add(&mfind(m, id)->data[dir], p, n);
}

static void m_fin(struct model *m, uint32_t id, enum ev_dir dir)
{
	int rc = send_ev(m, EV_CONN_FIN, id, dir, NULL, 0, NULL);
	if (rc)
		fail_msg("fin %u: %s (%s)", id, cap_strerror(rc), cap_writer_errmsg(m->w));
	mfind(m, id)->fin[dir] = true;
}

static void m_rst(struct model *m, uint32_t id, enum ev_dir dir)
{
	int rc = send_ev(m, EV_CONN_RST, id, dir, NULL, 0, NULL);
	if (rc)
		fail_msg("rst %u: %s (%s)", id, cap_strerror(rc), cap_writer_errmsg(m->w));
	mfind(m, id)->rst_dir = (int)dir;
}

static void m_close(struct model *m)
{
	int rc = cap_writer_close(m->w);
	m->w = NULL;
	assert_int_equal(rc, 0);
}

/* ---- iSCSI BHS built by hand ---- */

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A PDU at p: BHS with opcode byte 0 and flags byte 1, DSL, then the data
 * segment (filled with a pattern) and its padding. Returns its length. */
static size_t bhs(uint8_t *p, uint8_t op0, uint8_t flags, uint32_t itt, uint32_t dsl)
{
	memset(p, 0, 48);
	p[0] = op0;
	p[1] = flags;
	p[5] = (uint8_t)(dsl >> 16);
	p[6] = (uint8_t)(dsl >> 8);
	p[7] = (uint8_t)dsl;
	be32(p + 16, itt);
	be32(p + 20, 0xffffffffu);
	size_t padded = (dsl + 3u) & ~3u;
	for (size_t i = 0; i < padded; i++)
		p[48 + i] = i < dsl ? (uint8_t)(i * 7 + 1) : 0;
	return 48 + padded;
}

/* NOP-Out (immediate, F) with CmdSN and ExpStatSN. */
static size_t nop_out(uint8_t *p, uint32_t itt, uint32_t cmdsn, uint32_t expstatsn, uint32_t dsl)
{
	size_t n = bhs(p, 0x40, 0x80, itt, dsl);
	be32(p + 24, cmdsn);
	be32(p + 28, expstatsn);
	return n;
}

/* NOP-In (F) answering itt. */
static size_t nop_in(uint8_t *p, uint32_t itt, uint32_t statsn, uint32_t expcmdsn, uint32_t maxcmdsn)
{
	size_t n = bhs(p, 0x20, 0x80, itt, 0);
	be32(p + 24, statsn);
	be32(p + 28, expcmdsn);
	be32(p + 32, maxcmdsn);
	return n;
}

/* CRC32C written here bit by bit, independent of pdu/digest.c. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
	}
	return ~c;
}

/* A digest as iSCSI sends it: least significant byte first. */
static void put_digest(uint8_t *p, uint32_t crc)
{
	p[0] = (uint8_t)crc;
	p[1] = (uint8_t)(crc >> 8);
	p[2] = (uint8_t)(crc >> 16);
	p[3] = (uint8_t)(crc >> 24);
}

/* ---- reading a capture back ---- */

struct pkt {
	int64_t ts;
	uint32_t caplen, len;
	uint8_t dmac[6], smac[6];
	int family;
	uint8_t src[16], dst[16];
	uint16_t ip_id;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	bool has_mss, has_ws;
	uint16_t mss;
	uint8_t ws;
	uint8_t *payload;
	size_t plen;
};

struct capture {
	struct pkt *p;
	size_t n;
};

static void capture_free(struct capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i].payload);
	free(c->p);
	memset(c, 0, sizeof *c);
}

/* Internet checksum, summed here independently of the writer: the sum over
 * the data including its checksum field must fold to 0xffff. */
static uint32_t sum_words(uint32_t acc, const uint8_t *p, size_t n)
{
	while (n > 1) {
		acc += (uint32_t)rd16(p);
		acc = (acc & 0xffff) + (acc >> 16);
		p += 2;
		n -= 2;
	}
	if (n)
		acc += (uint32_t)p[0] << 8;
	return (acc & 0xffff) + (acc >> 16);
}

static bool sum_ok(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc == 0xffff;
}

static void read_capture(const char *path, struct capture *out)
{
	char eb[PCAP_ERRBUF_SIZE];
	memset(out, 0, sizeof *out);

	/* nanosecond pcap magic, native little-endian on the hosts we run on */
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t hdr[24];
	assert_int_equal(fread(hdr, 1, 24, f), 24);
	fclose(f);
	uint32_t magic = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
			 (uint32_t)hdr[3] << 24;
	assert_true(magic == 0xa1b23c4du || magic == 0x4d3cb2a1u);

	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!pc)
		fail_msg("pcap_open_offline %s: %s", path, eb);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	assert_true(pcap_snapshot(pc) >= 65535 + 14);

	struct pcap_pkthdr *h;
	const u_char *d;
	int r;
	size_t cap = 0;
	while ((r = pcap_next_ex(pc, &h, &d)) == 1) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->p = realloc(out->p, cap * sizeof *out->p);
			assert_non_null(out->p);
		}
		struct pkt *k = &out->p[out->n++];
		memset(k, 0, sizeof *k);
		k->ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
		k->caplen = h->caplen;
		k->len = h->len;
		assert_int_equal(h->caplen, h->len);
		assert_true(h->caplen >= 14 + 20 + 20);
		memcpy(k->dmac, d, 6);
		memcpy(k->smac, d + 6, 6);
		/* locally administered unicast MACs */
		assert_int_equal(k->smac[0] & 0x03, 0x02);
		assert_int_equal(k->dmac[0] & 0x03, 0x02);
		uint16_t et = rd16(d + 12);
		const uint8_t *ip = d + 14;
		const uint8_t *tcp;
		size_t tcplen;
		uint32_t ph;
		if (et == 0x0800) {
			k->family = AF_INET;
			assert_int_equal(ip[0], 0x45);
			uint16_t tot = rd16(ip + 2);
			assert_int_equal(tot, h->caplen - 14);
			k->ip_id = rd16(ip + 4);
			assert_int_equal(rd16(ip + 6), 0x4000);     /* DF, no fragment */
			assert_int_equal(ip[8], 64);                  /* TTL */
			assert_int_equal(ip[9], 6);
			assert_true(sum_ok(sum_words(0, ip, 20)));
			memcpy(k->src, ip + 12, 4);
			memcpy(k->dst, ip + 16, 4);
			tcp = ip + 20;
			tcplen = tot - 20u;
			ph = sum_words(0, ip + 12, 8);
		} else {
			assert_int_equal(et, 0x86dd);
			k->family = AF_INET6;
			assert_int_equal(ip[0] >> 4, 6);
			uint16_t pl = rd16(ip + 4);
			assert_int_equal(pl, h->caplen - 54);
			assert_int_equal(ip[6], 6);
			assert_int_equal(ip[7], 64);                  /* hop limit */
			memcpy(k->src, ip + 8, 16);
			memcpy(k->dst, ip + 24, 16);
			tcp = ip + 40;
			tcplen = pl;
			ph = sum_words(0, ip + 8, 32);
		}
		uint8_t tail[4] = { 0, 6, 0, 0 };
		tail[2] = (uint8_t)(tcplen >> 8);
		tail[3] = (uint8_t)tcplen;
		ph = sum_words(ph, tail, 4);
		assert_true(sum_ok(sum_words(ph, tcp, tcplen)));

		k->sport = rd16(tcp);
		k->dport = rd16(tcp + 2);
		k->seq = rd32(tcp + 4);
		k->ack = rd32(tcp + 8);
		size_t off = (size_t)(tcp[12] >> 4) * 4;
		assert_true(off >= 20 && off <= tcplen);
		k->flags = tcp[13];
		k->win = rd16(tcp + 14);
		assert_int_equal(rd16(tcp + 18), 0);      /* urgent pointer */
		for (size_t o = 20; o < off;) {
			uint8_t kind = tcp[o];
			if (kind == 0)
				break;
			if (kind == 1) {
				o++;
				continue;
			}
			assert_true(o + 1 < off);
			uint8_t l = tcp[o + 1];
			assert_true(l >= 2 && o + l <= off);
			if (kind == 2 && l == 4) {
				k->has_mss = true;
				k->mss = rd16(tcp + o + 2);
			} else if (kind == 3 && l == 3) {
				k->has_ws = true;
				k->ws = tcp[o + 2];
			}
			o += l;
		}
		k->plen = tcplen - off;
		if (k->plen) {
			k->payload = malloc(k->plen);
			assert_non_null(k->payload);
			memcpy(k->payload, tcp + off, k->plen);
		}
	}
	assert_int_equal(r, PCAP_ERROR_BREAK);
	pcap_close(pc);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* Which model connection and direction a frame belongs to. */
static struct mconn *frame_conn(struct model *m, const struct pkt *k, enum ev_dir *dir)
{
	size_t al = k->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < m->n; i++) {
		struct mconn *c = &m->c[i];
		if (c->family != k->family)
			continue;
		if (!memcmp(k->src, c->ini, al) && !memcmp(k->dst, c->tgt, al) &&
		    k->sport == c->iport && k->dport == c->tport) {
			*dir = EV_DIR_I2T;
			return c;
		}
		if (!memcmp(k->src, c->tgt, al) && !memcmp(k->dst, c->ini, al) &&
		    k->sport == c->tport && k->dport == c->iport) {
			*dir = EV_DIR_T2I;
			return c;
		}
	}
	fail_msg("frame with unknown endpoints");
	return NULL;
}

/* Everything every capture must satisfy, checked against the model: TCP
 * state per connection (handshake first, sequence and ack numbers with no
 * gap or overlap, nothing after RST or after a side's FIN), IPv4 IDs
 * counting up per sender, segments within the MSS, PSH at the end of each
 * write only, data of each direction equal to what was written, FIN/RST as
 * in the model, timestamps non-decreasing. */
static void check_capture(struct model *m, const struct capture *cap)
{
	struct st {
		bool seen_syn[2], established, fin[2], rst;
		uint32_t isn[2], nxt[2];
		uint16_t ip_id[2];
		bool have_id[2];
		struct bytes got[2];
		uint32_t unacked[2];
		uint8_t mac[2][6];
	} st[MAXC];
	memset(st, 0, sizeof st);
	int64_t last_ts = 0;

	for (size_t i = 0; i < cap->n; i++) {
		const struct pkt *k = &cap->p[i];
		enum ev_dir d = EV_DIR_I2T;
		struct mconn *c = frame_conn(m, k, &d);
		struct st *s = &st[c - m->c];
		int o = d == EV_DIR_I2T ? 1 : 0;
		assert_true(k->ts >= last_ts);
		last_ts = k->ts;
		assert_false(s->rst);
		/* each side keeps its MAC */
		if (s->seen_syn[d])
			assert_memory_equal(k->smac, s->mac[d], 6);
		memcpy(s->mac[d], k->smac, 6);
		if (s->seen_syn[o])
			assert_memory_equal(k->dmac, s->mac[o], 6);

		if (k->family == AF_INET) {
			if (s->have_id[d])
				assert_int_equal(k->ip_id, (uint16_t)(s->ip_id[d] + 1));
			s->ip_id[d] = k->ip_id;
			s->have_id[d] = true;
		}

		if (k->flags & F_SYN) {
			/* SYN from the initiator, then SYN-ACK, each once */
			assert_false(s->seen_syn[d]);
			assert_int_equal(k->plen, 0);
			assert_true(k->has_mss);
			assert_int_equal(k->mss, c->mss);
			assert_true(k->has_ws);
			assert_int_equal(k->ws, 7);
			if (d == EV_DIR_I2T) {
				assert_false(s->seen_syn[1]);
				assert_int_equal(k->flags, F_SYN);
			} else {
				assert_true(s->seen_syn[0]);
				assert_int_equal(k->flags, F_SYN | F_ACK);
				assert_int_equal(k->ack, s->nxt[o]);
			}
			s->seen_syn[d] = true;
			s->isn[d] = k->seq;
			s->nxt[d] = k->seq + 1;
			continue;
		}
		assert_true(s->seen_syn[0] && s->seen_syn[1]);
		assert_false(k->has_mss);
		assert_true(k->flags & F_ACK);
		assert_int_equal(k->flags & ~(F_FIN | F_RST | F_PSH | F_ACK), 0);
		/* every segment is in order and acknowledges all the peer sent */
		assert_int_equal(k->seq, s->nxt[d]);
		assert_int_equal(k->ack, s->nxt[o]);
		assert_int_equal(k->win, 65535);
		if (!s->established) {
			assert_int_equal(d, EV_DIR_I2T);
			assert_int_equal(k->flags, F_ACK);
			assert_int_equal(k->plen, 0);
			s->established = true;
			continue;
		}
		if (k->flags & F_RST) {
			assert_int_equal(k->flags, F_RST | F_ACK);
			assert_int_equal(k->plen, 0);
			assert_int_equal((int)d, c->rst_dir);
			s->rst = true;
			continue;
		}
		if (k->plen) {
			assert_false(s->fin[d]);
			assert_true(k->plen <= c->mss);
			bytes_add(&s->got[d], k->payload, k->plen);
			/* the receiver ACKs every ack_every segments */
			s->unacked[d]++;
			assert_true(s->unacked[d] <= (m->opts.ack_every ? m->opts.ack_every : 2));
		}
		s->unacked[o] = 0;
		if (k->flags & F_FIN) {
			assert_false(s->fin[d]);
			assert_int_equal(k->plen, 0);
			s->fin[d] = true;
		}
		s->nxt[d] += (uint32_t)k->plen + ((k->flags & F_FIN) ? 1u : 0u);
	}

	for (size_t i = 0; i < m->n; i++) {
		struct mconn *c = &m->c[i];
		struct st *s = &st[i];
		assert_true(s->established);
		for (int d = 0; d < 2; d++) {
			assert_int_equal(s->got[d].len, c->data[d].len);
			if (c->data[d].len)
				assert_memory_equal(s->got[d].p, c->data[d].p, c->data[d].len);
			assert_int_equal(s->fin[d], c->fin[d]);
			assert_int_equal(s->unacked[d], 0);
			free(s->got[d].p);
		}
		assert_int_equal(s->rst, c->rst_dir >= 0);
		assert_int_not_equal(s->isn[0], s->isn[1]);
	}
}

/* Frames with a TCP flag set. */
static size_t count_flag(const struct capture *cap, uint8_t flag)
{
	size_t n = 0;
	for (size_t i = 0; i < cap->n; i++)
		if (cap->p[i].flags & flag)
			n++;
	return n;
}

/* ---- tshark checks ---- */

static bool need_tshark(void)
{
	if (tsh_available())
		return true;
	fprintf(stderr, "tshark not available (%s): tshark checks skipped\n", tsh_path());
	return false;
}

/* The expert warnings a correct capture may still carry. */
static const char *const ok_warnings[] = {
	"Connection reset (RST)",               /* TCP: every RST */
	"Unknown SCSI exchange, can not decode SCSI data",  /* SCSI: Data-In
	                                         * whose command is not in the
	                                         * capture */
	NULL,
};

static bool warning_ok(const char *line, size_t len)
{
	char l[1024];
	snprintf(l, sizeof l, "%.*s", (int)(len < sizeof l ? len : sizeof l - 1), line);
	if (!strstr(l, " warning: "))
		return false;
	for (size_t i = 0; ok_warnings[i]; i++)
		if (strstr(l, ok_warnings[i]))
			return true;
	return false;
}

/* tshark must see a clean capture: nothing malformed, no error expert item,
 * no warning but those above, no TCP analysis flag, no bad checksum; and
 * its reassembled bytes of each stream must be what was written. Returns
 * the analysis (caller frees) for PDU checks. */
static void tshark_clean(struct model *m, const char *path, const char *ports,
			 struct tsh_report *r)
{
	char err[512];
	struct tsh_opts o = { ports, NULL };
	if (tsh_analyze(path, &o, r, err, sizeof err) != 0)
		fail_msg("%s", err);
	bool bad_line = false;
	for (const char *l = r->problems; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		bad_line |= !warning_ok(l, len);
		l += len + (nl ? 1 : 0);
	}
	if (bad_line || r->malformed || r->expert_errors_iscsi || r->expert_errors_other ||
	    r->tcp_problems || r->bad_tcp_checksums || r->bad_ip_checksums)
		fail_msg("tshark found problems in %s:\n%s", path, r->problems);

	/* streams are numbered in order of their first frame: model order */
	for (size_t i = 0; i < m->n; i++) {
		struct tsh_follow f;
		if (tsh_follow(path, &o, (unsigned)i, &f, err, sizeof err) != 0)
			fail_msg("%s", err);
		char want[80];
		const struct mconn *c = &m->c[i];
		char a[INET6_ADDRSTRLEN];
		inet_ntop(c->family, c->ini, a, sizeof a);
		snprintf(want, sizeof want, c->family == AF_INET ? "%s:%u" : "[%s]:%u", a, c->iport);
		assert_string_equal(f.node[0], want);
		for (int d = 0; d < 2; d++) {
			assert_int_equal(f.len[d], c->data[d].len);
			if (f.len[d])
				assert_memory_equal(f.data[d], c->data[d].p, f.len[d]);
		}
		tsh_follow_free(&f);
	}
}

/* ---- tests ---- */

static void ep_of(const struct mconn *c, struct ev_endpoints *ep)
{
	memset(ep, 0, sizeof *ep);
	ep->family = c->family;
	memcpy(ep->ini_addr, c->ini, 16);
	memcpy(ep->tgt_addr, c->tgt, 16);
	ep->ini_port = c->iport;
	ep->tgt_port = c->tport;
}

/* A small exchange: NOP-Out, NOP-In, both sides close. */
static void small_exchange(void **state, int family, const char *name)
{
	const char *path = scratch_path(state, name);
	struct model m;
	uint8_t buf[256];
	model_open_writer(&m, path, NULL);
	m_open(&m, 1, family, 40001, 3260);
	m.ts += 1000;
	m_wire(&m, 1, EV_DIR_I2T, buf, nop_out(buf, 0x1234, 1, 1, 0));
	m.ts += 1000;
	m_wire(&m, 1, EV_DIR_T2I, buf, nop_in(buf, 0x1234, 1, 2, 33));
	m.ts += 1000;
	m_fin(&m, 1, EV_DIR_I2T);
	m.ts += 1000;
	m_fin(&m, 1, EV_DIR_T2I);
	assert_int_equal(cap_writer_frames(m.w), 11);
	m_close(&m);

	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	/* SYN, SYN-ACK, ACK; data, ACK; data, ACK; FIN, ACK; FIN, ACK */
	static const uint8_t flags[11] = {
		F_SYN, F_SYN | F_ACK, F_ACK, F_PSH | F_ACK, F_ACK, F_PSH | F_ACK, F_ACK,
		F_FIN | F_ACK, F_ACK, F_FIN | F_ACK, F_ACK,
	};
	static const int dirs[11] = { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0 };
	static const int tsi[11] = { 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 };
	assert_int_equal(cap.n, 11);
	for (size_t i = 0; i < 11; i++) {
		assert_int_equal(cap.p[i].flags, flags[i]);
		assert_int_equal(cap.p[i].sport, dirs[i] ? 3260 : 40001);
		assert_true(cap.p[i].ts == T0 + 1000 * tsi[i]);
		assert_int_equal(cap.p[i].family, family);
		assert_int_equal(cap.p[i].plen, (i == 3 || i == 5) ? 48 : 0);
	}
	assert_int_equal(cap.p[0].mss, family == AF_INET ? 1460 : 1440);
	/* frame sizes: Ethernet + IP + TCP (+ 8 option bytes on SYNs) */
	size_t iph = family == AF_INET ? 20 : 40;
	assert_int_equal(cap.p[0].caplen, 14 + iph + 28);
	assert_int_equal(cap.p[2].caplen, 14 + iph + 20);
	assert_int_equal(cap.p[3].caplen, 14 + iph + 20 + 48);
	capture_free(&cap);

	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		assert_int_equal(r.frames, 11);
		assert_int_equal(r.n_pdus, 2);
		uint64_t v;
		assert_int_equal(r.pdus[0].frame, 4);
		assert_true(tsh_pdu_get(&r.pdus[0], TSH_OPCODE, &v) && v == 0x00);
		assert_true(tsh_pdu_get(&r.pdus[0], TSH_ITT, &v) && v == 0x1234);
		assert_true(tsh_pdu_get(&r.pdus[0], TSH_CMDSN, &v) && v == 1);
		assert_false(tsh_pdu_get(&r.pdus[0], TSH_STATSN, &v));
		assert_int_equal(r.pdus[0].srcport, 40001);
		assert_int_equal(r.pdus[1].frame, 6);
		assert_true(tsh_pdu_get(&r.pdus[1], TSH_OPCODE, &v) && v == 0x20);
		assert_true(tsh_pdu_get(&r.pdus[1], TSH_ITT, &v) && v == 0x1234);
		assert_true(tsh_pdu_get(&r.pdus[1], TSH_MAXCMDSN, &v) && v == 33);
		assert_int_equal(r.pdus[1].srcport, 3260);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

static void test_ipv4_small_exchange(void **state)
{
	small_exchange(state, AF_INET, "small4.pcap");
}

static void test_ipv6_small_exchange(void **state)
{
	small_exchange(state, AF_INET6, "small6.pcap");
}

/* A 10048-byte PDU in one write spans ceil(10048 / MSS) segments, PSH on
 * the last, the receiver ACKing every second one and at the end. */
static void large_write(void **state, uint32_t mss, int family, const char *name)
{
	const char *path = scratch_path(state, name);
	struct cap_writer_opts o = { 0 };
	o.mss = mss;
	struct model m;
	static uint8_t buf[10048 + 64];
	model_open_writer(&m, path, &o);
	m_open(&m, 3, family, 40003, 3260);
	size_t n = nop_out(buf, 0x77, 5, 1, 10000);
	assert_int_equal(n, 10048);
	m.ts += 5000;
	uint64_t before = cap_writer_frames(m.w);
	m_wire(&m, 3, EV_DIR_I2T, buf, n);
	uint32_t eff = mss ? mss : family == AF_INET ? 1460 : 1440;
	size_t segs = (n + eff - 1) / eff;
	size_t acks = segs / 2 + segs % 2;
	assert_int_equal(cap_writer_frames(m.w) - before, segs + acks);
	m_fin(&m, 3, EV_DIR_T2I);
	m_fin(&m, 3, EV_DIR_I2T);
	m_close(&m);

	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	size_t data = 0, psh = 0, acks_seen = 0;
	for (size_t i = 3; i < 3 + segs + acks; i++) {
		const struct pkt *k = &cap.p[i];
		if (k->plen) {
			data++;
			assert_int_equal(k->plen, data < segs ? eff : n - (segs - 1) * eff);
			assert_int_equal(!!(k->flags & F_PSH), data == segs);
			psh += !!(k->flags & F_PSH);
		} else {
			acks_seen++;
			assert_int_equal(k->sport, 3260);
			assert_int_equal(k->flags, F_ACK);
		}
		assert_true(k->ts == T0 + 5000);
	}
	assert_int_equal(data, segs);
	assert_int_equal(psh, 1);
	assert_int_equal(acks_seen, acks);
	capture_free(&cap);

	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		assert_int_equal(r.n_pdus, 1);
		uint64_t v;
		assert_true(tsh_pdu_get(&r.pdus[0], TSH_DSL, &v) && v == 10000);
		assert_true(tsh_pdu_get(&r.pdus[0], TSH_ITT, &v) && v == 0x77);
		/* dissected in the frame of the last segment */
		assert_int_equal(r.pdus[0].frame, 3 + segs + (segs - 1) / 2);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

static void test_large_write_default_mss(void **state)
{
	large_write(state, 0, AF_INET, "large4.pcap");
}

static void test_large_write_ipv6_mss536(void **state)
{
	large_write(state, 536, AF_INET6, "large6.pcap");
}

/* A PDU far above 65535 bytes with the biggest MSS: no IP packet exceeds
 * the IPv4 total length / IPv6 payload length limits. */
static void test_huge_pdu_max_mss(void **state)
{
	const char *path = scratch_path(state, "huge.pcap");
	struct cap_writer_opts o = { 0 };
	o.mss = CAP_MAX_MSS;
	struct model m;
	size_t dsl = 200000;
	uint8_t *buf = malloc(48 + dsl + 4);
	assert_non_null(buf);
	model_open_writer(&m, path, &o);
	m_open(&m, 1, AF_INET, 40010, 3260);
	m_open(&m, 2, AF_INET6, 40011, 3260);
	size_t n = nop_out(buf, 0x99, 1, 1, (uint32_t)dsl);
	m_wire(&m, 1, EV_DIR_I2T, buf, n);
	m_wire(&m, 2, EV_DIR_I2T, buf, n);
	m_close(&m);
	free(buf);

	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	size_t biggest[2] = { 0, 0 };
	for (size_t i = 0; i < cap.n; i++) {
		int v6 = cap.p[i].family == AF_INET6;
		if (cap.p[i].caplen > biggest[v6])
			biggest[v6] = cap.p[i].caplen;
	}
	/* IPv4 total length and IPv6 payload length at most 65535 */
	assert_int_equal(biggest[0] - 14, 65535);
	assert_int_equal(biggest[1] - 14 - 40, 20 + CAP_MAX_MSS);
	assert_true(biggest[1] - 14 - 40 <= 65535);
	capture_free(&cap);

	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		assert_int_equal(r.n_pdus, 2);
		uint64_t v;
		for (int i = 0; i < 2; i++)
			assert_true(tsh_pdu_get(&r.pdus[i], TSH_DSL, &v) && v == dsl);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* The target closes first; the initiator may still send (half-close), then
 * closes too; data after a side's own FIN is refused. */
static void test_fin_target_first(void **state)
{
	const char *path = scratch_path(state, "fin_t.pcap");
	struct model m;
	uint8_t buf[64];
	model_open_writer(&m, path, NULL);
	m_open(&m, 4, AF_INET, 40004, 3260);
	m.ts += 10;
	m_fin(&m, 4, EV_DIR_T2I);
	assert_int_equal(send_ev(&m, EV_WIRE, 4, EV_DIR_T2I, buf, 48, NULL), CAP_ECLOSED);
	assert_non_null(strstr(cap_writer_errmsg(m.w), "conn 4"));
	assert_int_equal(send_ev(&m, EV_CONN_FIN, 4, EV_DIR_T2I, NULL, 0, NULL), CAP_ECLOSED);
	m.ts += 10;
	m_wire(&m, 4, EV_DIR_I2T, buf, nop_out(buf, 1, 1, 1, 0));
	m.ts += 10;
	m_fin(&m, 4, EV_DIR_I2T);
	/* after both FINs the connection is over */
	assert_int_equal(send_ev(&m, EV_WIRE, 4, EV_DIR_I2T, buf, 48, NULL), CAP_ECLOSED);
	assert_int_equal(send_ev(&m, EV_CONN_RST, 4, EV_DIR_I2T, NULL, 0, NULL), CAP_ECLOSED);
	m_close(&m);

	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(cap.n, 3 + 2 + 2 + 2);
	assert_int_equal(cap.p[3].flags, F_FIN | F_ACK);
	assert_int_equal(cap.p[3].sport, 3260);
	assert_int_equal(cap.p[4].flags, F_ACK);
	assert_int_equal(cap.p[4].ack, cap.p[3].seq + 1);
	assert_int_equal(cap.p[7].flags, F_FIN | F_ACK);
	assert_int_equal(cap.p[7].sport, 40004);
	assert_int_equal(cap.p[8].ack, cap.p[7].seq + 1);
	assert_int_equal(count_flag(&cap, F_RST), 0);
	capture_free(&cap);
	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* Only the initiator closes: FIN and its ACK, the stream stays half open. */
static void test_fin_initiator_only(void **state)
{
	const char *path = scratch_path(state, "fin_i.pcap");
	struct model m;
	uint8_t buf[64];
	model_open_writer(&m, path, NULL);
	m_open(&m, 5, AF_INET6, 40005, 3260);
	m_wire(&m, 5, EV_DIR_I2T, buf, nop_out(buf, 2, 1, 1, 0));
	m_fin(&m, 5, EV_DIR_I2T);
	/* the target may still answer */
	m_wire(&m, 5, EV_DIR_T2I, buf, nop_in(buf, 2, 1, 2, 2));
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(count_flag(&cap, F_FIN), 1);
	capture_free(&cap);
	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		assert_int_equal(r.n_pdus, 2);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* RST ends the stream at once: no FIN, nothing after it. */
static void test_rst(void **state)
{
	const char *path = scratch_path(state, "rst.pcap");
	struct model m;
	uint8_t buf[64];
	model_open_writer(&m, path, NULL);
	m_open(&m, 6, AF_INET, 40006, 3260);
	m_wire(&m, 6, EV_DIR_I2T, buf, nop_out(buf, 3, 1, 1, 0));
	m.ts += 7;
	m_rst(&m, 6, EV_DIR_T2I);
	assert_int_equal(send_ev(&m, EV_WIRE, 6, EV_DIR_I2T, buf, 48, NULL), CAP_ECLOSED);
	assert_int_equal(send_ev(&m, EV_CONN_FIN, 6, EV_DIR_I2T, NULL, 0, NULL), CAP_ECLOSED);
	assert_int_equal(send_ev(&m, EV_CONN_RST, 6, EV_DIR_T2I, NULL, 0, NULL), CAP_ECLOSED);
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(cap.n, 6);
	assert_int_equal(cap.p[5].flags, F_RST | F_ACK);
	assert_int_equal(cap.p[5].sport, 3260);
	assert_true(cap.p[5].ts == T0 + 7);
	assert_int_equal(count_flag(&cap, F_FIN), 0);
	capture_free(&cap);
	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* A FIN, then a RST from the same side (close with unread data). */
static void test_fin_then_rst(void **state)
{
	const char *path = scratch_path(state, "finrst.pcap");
	struct model m;
	model_open_writer(&m, path, NULL);
	m_open(&m, 9, AF_INET, 40009, 3260);
	m_fin(&m, 9, EV_DIR_I2T);
	m_rst(&m, 9, EV_DIR_I2T);
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(cap.n, 6);
	assert_int_equal(cap.p[5].seq, cap.p[3].seq + 1);
	capture_free(&cap);
	model_free(&m);
	unlink(path);
}

/* Two connections, IPv4 and IPv6 at once, writes interleaved; the second
 * on a non-3260 port that tshark is told about. */
static void test_two_connections_interleaved(void **state)
{
	const char *path = scratch_path(state, "two.pcap");
	struct model m;
	uint8_t buf[4096];
	model_open_writer(&m, path, NULL);
	m_open(&m, 10, AF_INET, 50000, 3260);
	m.ts += 1;
	m_open(&m, 11, AF_INET6, 50001, 5555);
	for (uint32_t i = 0; i < 6; i++) {
		m.ts += 1;
		uint32_t id = i % 2 ? 11 : 10;
		/* two PDUs in one write, one bigger than the MSS */
		size_t n = nop_out(buf, 0x100 + i, i, i, 0);
		n += nop_out(buf + n, 0x200 + i, i, i, 2000);
		m_wire(&m, id, EV_DIR_I2T, buf, n);
		m.ts += 1;
		m_wire(&m, id, EV_DIR_T2I, buf, nop_in(buf, 0x100 + i, i, i + 1, i + 9));
	}
	m_fin(&m, 11, EV_DIR_I2T);
	m_fin(&m, 10, EV_DIR_T2I);
	m_fin(&m, 11, EV_DIR_T2I);
	m_rst(&m, 10, EV_DIR_I2T);
	m_close(&m);

	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	capture_free(&cap);

	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, "3260,5555", &r);
		assert_int_equal(r.n_pdus, 18);
		/* per stream, in order: [NOP-Out, NOP-Out, NOP-In] per round */
		uint32_t round[2] = { 0, 0 };
		size_t k[2] = { 0, 0 };
		uint32_t last_frame = 0;
		for (size_t i = 0; i < r.n_pdus; i++) {
			const struct tsh_pdu *p = &r.pdus[i];
			assert_true(p->frame >= last_frame);
			last_frame = p->frame;
			assert_true(p->stream < 2);
			uint32_t rd = round[p->stream] * 2 + p->stream;
			size_t pos = k[p->stream]++ % 3;
			if (pos == 2)
				round[p->stream]++;
			uint64_t v;
			assert_true(tsh_pdu_get(p, TSH_OPCODE, &v));
			assert_int_equal(v, pos == 2 ? 0x20 : 0x00);
			assert_true(tsh_pdu_get(p, TSH_ITT, &v));
			assert_int_equal(v, (pos == 1 ? 0x200u : 0x100u) + rd);
			assert_true(tsh_pdu_get(p, TSH_DSL, &v));
			assert_int_equal(v, pos == 1 ? 2000 : 0);
			assert_int_equal(pos == 2 ? p->dstport : p->srcport, p->stream ? 50001 : 50000);
		}
		assert_int_equal(round[0], 3);
		assert_int_equal(round[1], 3);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* A zero-length write puts nothing on the wire. */
static void test_zero_length_write(void **state)
{
	const char *path = scratch_path(state, "zero.pcap");
	struct model m;
	uint8_t buf[64];
	model_open_writer(&m, path, NULL);
	m_open(&m, 7, AF_INET, 40007, 3260);
	uint64_t before = cap_writer_frames(m.w);
	m_wire(&m, 7, EV_DIR_I2T, buf, 0);
	assert_int_equal(send_ev(&m, EV_WIRE, 7, EV_DIR_T2I, NULL, 0, NULL), 0);
	assert_int_equal(cap_writer_frames(m.w), before);
	m_wire(&m, 7, EV_DIR_I2T, buf, nop_out(buf, 4, 1, 1, 0));
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(cap.n, 5);
	capture_free(&cap);
	model_free(&m);
	unlink(path);
}

/* Events the writer does not draw are ignored, through the event bus. */
static void test_bus_and_ignored_events(void **state)
{
	const char *path = scratch_path(state, "bus.pcap");
	struct cap_writer *w;
	char err[256];
	assert_int_equal(cap_writer_open(&w, path, NULL, err, sizeof err), 0);
	struct ev_bus bus;
	ev_bus_init(&bus);
	assert_int_equal(ev_bus_add(&bus, cap_writer_observer(w)), 0);
	struct ev_endpoints ep = { 0 };
	ep.family = AF_INET;
	ep.ini_addr[0] = 192;
	ep.ini_addr[3] = 1;
	ep.tgt_addr[0] = 192;
	ep.tgt_addr[3] = 2;
	ep.ini_port = 1;
	ep.tgt_port = 3260;
	uint8_t buf[64];
	struct event ev = { 0 };
	ev.kind = EV_CONN_OPEN;
	ev.conn = 1;
	ev.ts_ns = T0;
	ev.ep = &ep;
	assert_int_equal(ev_emit(&bus, &ev), 0);
	ev.ep = NULL;
	ev.kind = EV_PDU;
	ev.bytes = buf;
	ev.len = nop_out(buf, 1, 1, 1, 0);
	assert_int_equal(ev_emit(&bus, &ev), 0);
	ev.kind = EV_NOTE;
	ev.text = "a note";
	assert_int_equal(ev_emit(&bus, &ev), 0);
	ev.kind = EV_FAULT;
	ev.text = "a fault";
	assert_int_equal(ev_emit(&bus, &ev), 0);
	assert_int_equal(cap_writer_frames(w), 3);
	ev.kind = EV_WIRE;
	assert_int_equal(ev_emit(&bus, &ev), 0);
	assert_int_equal(cap_writer_frames(w), 5);
	/* an error reaches the bus */
	ev.conn = 99;
	assert_int_equal(ev_emit(&bus, &ev), CAP_ENOCONN);
	assert_int_equal(bus.first_error, CAP_ENOCONN);
	assert_int_equal(cap_writer_close(w), 0);
	unlink(path);
}

/* The same events give the same bytes; ISNs differ per connection. */
static void write_fixed(const char *path, uint32_t conn)
{
	struct model m;
	uint8_t buf[3000];
	model_open_writer(&m, path, NULL);
	m_open(&m, conn, AF_INET, 40020, 3260);
	m_wire(&m, conn, EV_DIR_I2T, buf, nop_out(buf, 1, 1, 1, 2900));
	m_fin(&m, conn, EV_DIR_I2T);
	m_close(&m);
	model_free(&m);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	assert_true(n > 0);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)n);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void test_deterministic(void **state)
{
	char a[600], b[600], c[600];
	snprintf(a, sizeof a, "%s", scratch_path(state, "det_a.pcap"));
	snprintf(b, sizeof b, "%s", scratch_path(state, "det_b.pcap"));
	snprintf(c, sizeof c, "%s", scratch_path(state, "det_c.pcap"));
	write_fixed(a, 1);
	write_fixed(b, 1);
	write_fixed(c, 2);
	size_t la, lb, lc;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb), *pc = slurp(c, &lc);
	assert_int_equal(la, lb);
	assert_memory_equal(pa, pb, la);
	assert_int_equal(la, lc);
	assert_memory_not_equal(pa, pc, la);
	free(pa);
	free(pb);
	free(pc);
	struct capture ca, cc;
	read_capture(a, &ca);
	read_capture(c, &cc);
	assert_int_not_equal(ca.p[0].seq, cc.p[0].seq);
	assert_int_not_equal(ca.p[1].seq, cc.p[1].seq);
	capture_free(&ca);
	capture_free(&cc);
	unlink(a);
	unlink(b);
	unlink(c);
}

/* Sequence numbers wrap past 2^32 inside a write: isn_xor places the
 * initiator's ISN 1000 bytes before the wrap. */
static void test_sequence_wraparound(void **state)
{
	const char *path = scratch_path(state, "wrap.pcap");
	write_fixed(path, 1);
	struct capture c0;
	read_capture(path, &c0);
	uint32_t isn0 = c0.p[0].seq;
	capture_free(&c0);

	struct cap_writer_opts o = { 0 };
	o.isn_xor = isn0 ^ (0u - 1000u);
	struct model m;
	static uint8_t buf[10048];
	model_open_writer(&m, path, &o);
	m_open(&m, 1, AF_INET, 40020, 3260);
	m_wire(&m, 1, EV_DIR_I2T, buf, nop_out(buf, 1, 1, 1, 10000));
	m_wire(&m, 1, EV_DIR_T2I, buf, nop_in(buf, 1, 1, 2, 2));
	m_fin(&m, 1, EV_DIR_I2T);
	m_fin(&m, 1, EV_DIR_T2I);
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	assert_int_equal(cap.p[0].seq, 0u - 1000u);
	check_capture(&m, &cap);
	capture_free(&cap);
	if (need_tshark()) {
		struct tsh_report r;
		tshark_clean(&m, path, NULL, &r);
		assert_int_equal(r.n_pdus, 2);
		tsh_report_free(&r);
	}
	model_free(&m);
	unlink(path);
}

/* Events for connections never opened: an error naming the connection,
 * nothing written. */
static void test_unknown_connection(void **state)
{
	const char *path = scratch_path(state, "unknown.pcap");
	struct model m;
	uint8_t buf[64] = { 0 };
	model_open_writer(&m, path, NULL);
	assert_int_equal(send_ev(&m, EV_WIRE, 42, EV_DIR_I2T, buf, 48, NULL), CAP_ENOCONN);
	assert_non_null(strstr(cap_writer_errmsg(m.w), "conn 42"));
	assert_int_equal(send_ev(&m, EV_CONN_FIN, 43, EV_DIR_I2T, NULL, 0, NULL), CAP_ENOCONN);
	assert_int_equal(send_ev(&m, EV_CONN_RST, 44, EV_DIR_T2I, NULL, 0, NULL), CAP_ENOCONN);
	/* the first error's message is kept */
	assert_non_null(strstr(cap_writer_errmsg(m.w), "conn 42"));
	assert_int_equal(cap_writer_frames(m.w), 0);
	m_open(&m, 1, AF_INET, 1000, 3260);
	assert_int_equal(send_ev(&m, EV_WIRE, 2, EV_DIR_I2T, buf, 48, NULL), CAP_ENOCONN);
	/* bad arguments */
	assert_int_equal(send_ev(&m, EV_WIRE, 1, EV_DIR_I2T, NULL, 48, NULL), CAP_EINVAL);
	assert_int_equal(send_ev(&m, EV_WIRE, 1, (enum ev_dir)7, buf, 48, NULL), CAP_EINVAL);
	assert_int_equal(cap_writer_on_event(NULL, NULL), CAP_EINVAL);
	assert_int_equal(cap_writer_frames(m.w), 3);
	/* the capture is still whole */
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	assert_int_equal(cap.n, 3);
	capture_free(&cap);
	model_free(&m);
	unlink(path);
}

/* Opening: an unwritable path gives CAP_EOPEN and a message with the path;
 * bad options give CAP_EINVAL. */
static void test_open_errors(void **state)
{
	static char not_a_writer;
	struct cap_writer *w = (struct cap_writer *)(void *)&not_a_writer;
	char err[256];
	assert_int_equal(cap_writer_open(&w, "/nonexistent-dir/x.pcap", NULL, err, sizeof err),
			 CAP_EOPEN);
	assert_null(w);
	assert_non_null(strstr(err, "/nonexistent-dir/x.pcap"));
	assert_non_null(strstr(err, strerror(ENOENT)));

	struct scratch *s = *state;
	assert_int_equal(cap_writer_open(&w, s->dir, NULL, err, sizeof err), CAP_EOPEN);
	assert_non_null(strstr(err, s->dir));

	/* a full device: the header cannot be written */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(cap_writer_open(&w, "/dev/full", NULL, err, sizeof err), CAP_EOPEN);
		assert_non_null(strstr(err, "/dev/full"));
		assert_null(w);
	}

	const char *path = scratch_path(state, "opts.pcap");
	struct cap_writer_opts o = { 0 };
	o.mss = CAP_MAX_MSS + 1;
	assert_int_equal(cap_writer_open(&w, path, &o, err, sizeof err), CAP_EINVAL);
	assert_non_null(strstr(err, "MSS"));
	o.mss = 0;
	o.ack_every = CAP_MAX_ACK_EVERY + 1;
	assert_int_equal(cap_writer_open(&w, path, &o, err, sizeof err), CAP_EINVAL);
	o.ack_every = 0;
	o.max_conns = CAP_MAX_CONNS + 1;
	assert_int_equal(cap_writer_open(&w, path, &o, err, sizeof err), CAP_EINVAL);
	assert_int_equal(cap_writer_open(&w, NULL, NULL, err, sizeof err), CAP_EINVAL);
	assert_int_equal(cap_writer_open(NULL, path, NULL, err, sizeof err), CAP_EINVAL);
	/* no error buffer is fine too */
	assert_int_equal(cap_writer_open(&w, "/nonexistent-dir/x.pcap", NULL, NULL, 0), CAP_EOPEN);
	assert_int_equal(cap_writer_close(NULL), 0);
	for (int c = 0; c >= -9; c--)
		assert_string_not_equal(cap_strerror(c), "unknown pcap writer error");
	assert_string_equal(cap_strerror(-100), "unknown pcap writer error");
	unlink(path);
}

/* Duplicate ids, too many connections, bad endpoints. */
static void test_connection_limits(void **state)
{
	const char *path = scratch_path(state, "limits.pcap");
	struct cap_writer_opts o = { 0 };
	o.max_conns = 2;
	struct model m;
	model_open_writer(&m, path, &o);
	m_open(&m, 1, AF_INET, 1001, 3260);
	m_open(&m, 2, AF_INET6, 1002, 3260);
	struct ev_endpoints ep;
	ep_of(&m.c[0], &ep);
	ep.ini_port = 1003;
	assert_int_equal(send_ev(&m, EV_CONN_OPEN, 3, EV_DIR_I2T, NULL, 0, &ep), CAP_ETOOMANY);
	assert_int_equal(send_ev(&m, EV_CONN_OPEN, 1, EV_DIR_I2T, NULL, 0, &ep), CAP_EDUPCONN);
	/* a closed connection frees its place, and its id stays known */
	m_rst(&m, 1, EV_DIR_I2T);
	assert_int_equal(send_ev(&m, EV_CONN_OPEN, 1, EV_DIR_I2T, NULL, 0, &ep), CAP_EDUPCONN);
	m_open(&m, 3, AF_INET, 1003, 3260);
	ep.family = AF_UNIX;
	assert_int_equal(send_ev(&m, EV_CONN_OPEN, 4, EV_DIR_I2T, NULL, 0, &ep), CAP_EFAMILY);
	assert_int_equal(send_ev(&m, EV_CONN_OPEN, 4, EV_DIR_I2T, NULL, 0, NULL), CAP_EINVAL);
	m_close(&m);
	struct capture cap;
	read_capture(path, &cap);
	check_capture(&m, &cap);
	capture_free(&cap);
	model_free(&m);
	unlink(path);
}

/* Many connections one after another: closed ones are recycled, so a run
 * is not limited by max_conns in total, only at once. */
static void test_many_sequential_connections(void **state)
{
	const char *path = scratch_path(state, "many.pcap");
	struct cap_writer_opts o = { 0 };
	o.max_conns = 3;
	struct cap_writer *w;
	char err[256];
	assert_int_equal(cap_writer_open(&w, path, &o, err, sizeof err), 0);
	struct ev_endpoints ep = { 0 };
	ep.family = AF_INET;
	ep.ini_addr[0] = 10;
	ep.tgt_addr[0] = 10;
	ep.tgt_addr[3] = 9;
	ep.tgt_port = 3260;
	for (uint32_t id = 0; id < 100; id++) {
		ep.ini_port = (uint16_t)(20000 + id);
		struct event ev = { 0 };
		ev.kind = EV_CONN_OPEN;
		ev.conn = id;
		ev.ts_ns = T0 + id;
		ev.ep = &ep;
		assert_int_equal(cap_writer_on_event(w, &ev), 0);
		ev.ep = NULL;
		ev.kind = id % 2 ? EV_CONN_RST : EV_CONN_FIN;
		ev.dir = EV_DIR_T2I;
		assert_int_equal(cap_writer_on_event(w, &ev), 0);
		if (ev.kind == EV_CONN_FIN) {
			ev.dir = EV_DIR_I2T;
			assert_int_equal(cap_writer_on_event(w, &ev), 0);
		}
	}
	assert_int_equal(cap_writer_frames(w), 100 * 3 + 50 * 4 + 50);
	assert_int_equal(cap_writer_close(w), 0);
	unlink(path);
}

/* A write error (file size limit) is reported by the event that hits it,
 * by every later event, and by close. */
static void test_write_error(void **state)
{
	const char *path = scratch_path(state, "efbig.pcap");
	struct cap_writer_opts o = { 0 };
	o.flush_each_event = 1;
	struct model m;
	static uint8_t buf[20000];
	model_open_writer(&m, path, &o);
	m_open(&m, 1, AF_INET, 1001, 3260);

	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 16384;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	size_t n = nop_out(buf, 1, 1, 1, 19000);
	int rc = 0;
	for (int i = 0; i < 4 && rc == 0; i++)
		rc = send_ev(&m, EV_WIRE, 1, EV_DIR_I2T, buf, n, NULL);
	int rc2 = send_ev(&m, EV_CONN_FIN, 1, EV_DIR_I2T, NULL, 0, NULL);
	int rc3 = cap_writer_close(m.w);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	m.w = NULL;
	assert_int_equal(rc, CAP_EIO);
	assert_int_equal(rc2, CAP_EIO);
	assert_int_equal(rc3, CAP_EIO);
	model_free(&m);
	unlink(path);
}

/* ---- the tshark helper itself ---- */

/* Copies a capture frame by frame, letting edit() change or drop frames
 * (return false to drop). */
static void rewrite(const char *in, const char *out, bool (*edit)(size_t i, uint8_t *f, uint32_t *len))
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, eb);
	assert_non_null(pc);
	pcap_dumper_t *d = pcap_dump_open(pc, out);
	assert_non_null(d);
	struct pcap_pkthdr *h;
	const u_char *data;
	static uint8_t f[70000];
	for (size_t i = 1; pcap_next_ex(pc, &h, &data) == 1; i++) {
		struct pcap_pkthdr nh = *h;
		memcpy(f, data, h->caplen);
		if (!edit(i, f, &nh.caplen))
			continue;
		nh.len = nh.caplen;
		pcap_dump((u_char *)d, &nh, f);
	}
	pcap_dump_close(d);
	pcap_close(pc);
}

static bool drop_frame_8(size_t i, uint8_t *f, uint32_t *len)
{
	(void)f;
	(void)len;
	return i != 8;
}

static bool flip_payload_4(size_t i, uint8_t *f, uint32_t *len)
{
	if (i == 4)
		f[*len - 1] ^= 0xff;
	return true;
}

static bool bad_ip_sum_6(size_t i, uint8_t *f, uint32_t *len)
{
	(void)len;
	if (i == 6)
		f[14 + 10] ^= 0x5a;
	return true;
}

static bool short_ip_len_6(size_t i, uint8_t *f, uint32_t *len)
{
	(void)len;
	if (i == 6) {
		/* IPv4 total length 30: the TCP header does not fit */
		f[14 + 2] = 0;
		f[14 + 3] = 30;
	}
	return true;
}

/* A clean capture, then broken copies: the helper must see each problem,
 * and its counts must agree with tshark's own display filters. */
static void test_tshark_detects_problems(void **state)
{
	if (!need_tshark()) {
		skip();
		return;
	}
	char good[600], bad[600], err[512];
	snprintf(good, sizeof good, "%s", scratch_path(state, "tsh_good.pcap"));
	snprintf(bad, sizeof bad, "%s", scratch_path(state, "tsh_bad.pcap"));
	struct model m;
	static uint8_t buf[10100];
	model_open_writer(&m, good, NULL);
	m_open(&m, 1, AF_INET, 40000, 3260);
	size_t n = nop_out(buf, 0x11, 1, 1, 0);
	n += nop_out(buf + n, 0x12, 2, 1, 0);
	m_wire(&m, 1, EV_DIR_I2T, buf, n);                 /* frame 4, ACK 5 */
	m_wire(&m, 1, EV_DIR_T2I, buf, nop_in(buf, 0x11, 1, 3, 9));     /* 6, 7 */
	m_wire(&m, 1, EV_DIR_I2T, buf, nop_out(buf, 0x13, 3, 2, 10000)); /* 8.. */
	m_fin(&m, 1, EV_DIR_I2T);
	m_fin(&m, 1, EV_DIR_T2I);
	m_close(&m);
	struct tsh_report r;
	tshark_clean(&m, good, NULL, &r);
	assert_int_equal(r.n_pdus, 4);
	tsh_report_free(&r);
	struct tsh_opts o = { NULL, NULL };
	assert_int_equal(tsh_count(good, &o, "_ws.malformed || _ws.expert.severity >= warning", err, sizeof err), 0);

	static const struct {
		bool (*edit)(size_t, uint8_t *, uint32_t *);
		const char *filter;
	} cases[] = {
		{ drop_frame_8, "tcp.analysis.flags && !tcp.analysis.window_update" },
		{ flip_payload_4, "tcp.checksum.status == 0" },
		{ bad_ip_sum_6, "ip.checksum.status == 0" },
		{ short_ip_len_6, "_ws.malformed" },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		rewrite(good, bad, cases[c].edit);
		if (tsh_analyze(bad, &o, &r, err, sizeof err) != 0)
			fail_msg("%s", err);
		long filt = tsh_count(bad, &o, cases[c].filter, err, sizeof err);
		assert_true(filt > 0);
		long errs = tsh_count(bad, &o, "_ws.expert.severity == error", err, sizeof err);
		assert_true(errs >= 0);
		assert_true(r.problems[0] != '\0');
		switch (c) {
		case 0:
			assert_int_equal(r.tcp_problems, (size_t)filt);
			assert_true(r.expert_warnings_other > 0);
			assert_int_equal(r.malformed, 0);
			assert_int_equal(r.bad_tcp_checksums, 0);
			/* the lost segment also loses the PDU it belonged to */
			assert_int_equal(r.n_pdus, 3);
			break;
		case 1:
			assert_int_equal(r.bad_tcp_checksums, (size_t)filt);
			assert_true(r.expert_errors_other > 0);
			assert_int_equal(r.expert_errors_iscsi, 0);
			assert_int_equal(r.tcp_problems, 0);
			break;
		case 2:
			assert_int_equal(r.bad_ip_checksums, (size_t)filt);
			assert_true(r.expert_errors_other > 0);
			break;
		case 3:
			assert_int_equal(r.malformed, (size_t)filt);
			assert_int_equal(r.malformed_iscsi, 0);
			assert_true(r.expert_errors_other > 0);
			break;
		}
		/* errors counted per item, the filter counts frames */
		assert_true(r.expert_errors_iscsi + r.expert_errors_other >= (size_t)errs);
		tsh_report_free(&r);
	}
	assert_int_equal(tsh_count(bad, &o, "this is not a filter", err, sizeof err), -1);
	assert_non_null(strstr(err, "tshark"));
	assert_int_equal(tsh_analyze("/nonexistent-dir/x.pcap", &o, &r, err, sizeof err), -1);
	model_free(&m);
	unlink(good);
	unlink(bad);
}

static void expect(const struct tsh_pdu *p, enum tsh_field f, uint64_t want)
{
	uint64_t v = 0;
	if (!tsh_pdu_get(p, f, &v))
		fail_msg("frame %u: %s missing", p->frame, tsh_field_name(f));
	if (v != want)
		fail_msg("frame %u: %s = %llu, want %llu", p->frame, tsh_field_name(f),
			 (unsigned long long)v, (unsigned long long)want);
}

static void expect_absent(const struct tsh_pdu *p, enum tsh_field f)
{
	uint64_t v;
	if (tsh_pdu_get(p, f, &v))
		fail_msg("frame %u: %s present (%llu)", p->frame, tsh_field_name(f),
			 (unsigned long long)v);
}

/* Several PDUs in one frame with different field sets, a Reject carrying a
 * rejected header, LUNs, and digests good and bad: each PDU gets exactly
 * its own values. */
static void test_tshark_per_pdu_fields(void **state)
{
	if (!need_tshark()) {
		skip();
		return;
	}
	const char *path = scratch_path(state, "tsh_pdus.pcap");
	struct model m;
	static uint8_t buf[4096];
	model_open_writer(&m, path, NULL);
	m_open(&m, 1, AF_INET, 41000, 3260);

	/* initiator: NOP-Out, SCSI Command (LUN 3), Data-Out, in one write */
	size_t n = nop_out(buf, 0x10, 100, 200, 0);
	uint8_t *p = buf + n;
	n += bhs(p, 0x01, 0xa1, 0x20, 0);               /* F W, simple */
	p[9] = 3;                                       /* LUN 3 */
	be32(p + 20, 512);                              /* EDTL */
	be32(p + 24, 101);
	be32(p + 28, 200);
	p[32] = 0x2a;                                   /* WRITE(10) */
	p[40] = 1;
	p = buf + n;
	n += bhs(p, 0x05, 0x80, 0x20, 512);
	p[9] = 3;
	be32(p + 20, 0x5555);                           /* TTT */
	be32(p + 28, 200);
	be32(p + 36, 0);                                /* DataSN */
	be32(p + 40, 0);                                /* BufferOffset */
	m_wire(&m, 1, EV_DIR_I2T, buf, n);

	/* target: R2T, Data-In, SCSI Response, Reject (of a command with
	 * CmdSN 99), in one write */
	n = 0;
	p = buf;
	n += bhs(p, 0x31, 0x80, 0x20, 0);
	p[9] = 3;
	be32(p + 20, 0x5555);
	be32(p + 24, 7);
	be32(p + 28, 102);
	be32(p + 32, 130);
	be32(p + 36, 4);                                /* R2TSN */
	be32(p + 40, 1024);                             /* BufferOffset */
	be32(p + 44, 512);
	p = buf + n;
	n += bhs(p, 0x25, 0x80, 0x21, 100);
	be32(p + 24, 0);
	be32(p + 28, 102);
	be32(p + 32, 130);
	be32(p + 36, 6);                                /* DataSN */
	be32(p + 40, 4096);
	p = buf + n;
	n += bhs(p, 0x21, 0x80, 0x20, 0);
	be32(p + 24, 8);
	be32(p + 28, 102);
	be32(p + 32, 130);
	be32(p + 36, 5);                                /* ExpDataSN */
	p = buf + n;
	n += bhs(p, 0x3f, 0x80, 0xffffffffu, 48);
	p[2] = 9;
	be32(p + 24, 9);
	be32(p + 28, 102);
	be32(p + 32, 130);
	be32(p + 36, 0);
	uint8_t *h = p + 48;                            /* the rejected header */
	memset(h, 0, 48);
	h[0] = 0x01;
	h[1] = 0x81;
	h[9] = 2;
	be32(h + 16, 0x300);
	be32(h + 24, 99);
	be32(h + 28, 98);
	h[32] = 0x28;
	m_wire(&m, 1, EV_DIR_T2I, buf, n);

	/* connection 2 on port 5555 with digests: good, bad header, bad data */
	m_open(&m, 2, AF_INET6, 41001, 5555);
	for (int k = 0; k < 3; k++) {
		uint8_t *q = buf;
		nop_out(q, 0x40 + (uint32_t)k, 10 + (uint32_t)k, 1, 0);
		q[7] = 5;                                   /* DSL 5 */
		uint32_t hc = crc32c_bitwise(q, 48);
		put_digest(q + 48, k == 1 ? hc ^ 1 : hc);
		memcpy(q + 52, "hello\0\0\0", 8);
		uint32_t dc = crc32c_bitwise(q + 52, 8);
		put_digest(q + 60, k == 2 ? dc ^ 1 : dc);
		m_wire(&m, 2, EV_DIR_I2T, q, 64);
	}
	m_close(&m);

	struct tsh_report r;
	tshark_clean(&m, path, "3260,5555", &r);
	assert_int_equal(r.n_pdus, 10);
	const struct tsh_pdu *q = r.pdus;

	/* one frame, three PDUs */
	assert_int_equal(q[0].frame, 4);
	assert_int_equal(q[1].frame, 4);
	assert_int_equal(q[2].frame, 4);
	expect(&q[0], TSH_OPCODE, 0x00);
	expect(&q[0], TSH_ITT, 0x10);
	expect(&q[0], TSH_CMDSN, 100);
	expect(&q[0], TSH_EXPSTATSN, 200);
	expect(&q[0], TSH_LUN, 0);
	expect_absent(&q[0], TSH_DATASN);
	expect(&q[1], TSH_OPCODE, 0x01);
	expect(&q[1], TSH_ITT, 0x20);
	expect(&q[1], TSH_CMDSN, 101);
	expect(&q[1], TSH_LUN, 0x0003000000000000ull);
	expect_absent(&q[1], TSH_TTT);
	expect(&q[2], TSH_OPCODE, 0x05);
	expect(&q[2], TSH_TTT, 0x5555);
	expect(&q[2], TSH_DATASN, 0);
	expect(&q[2], TSH_BUFFER_OFFSET, 0);
	expect(&q[2], TSH_DSL, 512);
	expect(&q[2], TSH_LUN, 0x0003000000000000ull);
	expect_absent(&q[2], TSH_CMDSN);

	/* target frame: R2T, Data-In, Response, Reject */
	for (int i = 3; i < 7; i++) {
		assert_int_equal(q[i].frame, 6);
		assert_int_equal(q[i].srcport, 3260);
		assert_int_equal(q[i].hdigest, TSH_DIGEST_ABSENT);
	}
	expect(&q[3], TSH_OPCODE, 0x31);
	expect(&q[3], TSH_TTT, 0x5555);
	expect(&q[3], TSH_STATSN, 7);
	expect(&q[3], TSH_EXPCMDSN, 102);
	expect(&q[3], TSH_MAXCMDSN, 130);
	expect(&q[3], TSH_R2TSN, 4);
	expect(&q[3], TSH_BUFFER_OFFSET, 1024);
	expect_absent(&q[3], TSH_DATASN);
	expect(&q[4], TSH_OPCODE, 0x25);
	expect(&q[4], TSH_DATASN, 6);
	expect(&q[4], TSH_BUFFER_OFFSET, 4096);
	expect(&q[4], TSH_DSL, 100);
	expect_absent(&q[4], TSH_R2TSN);
	expect(&q[5], TSH_OPCODE, 0x21);
	expect(&q[5], TSH_STATSN, 8);
	expect(&q[5], TSH_EXPDATASN, 5);
	expect_absent(&q[5], TSH_LUN);
	expect(&q[6], TSH_OPCODE, 0x3f);
	expect(&q[6], TSH_STATSN, 9);
	expect(&q[6], TSH_DSL, 48);
	assert_true(q[6].nested);
	expect_absent(&q[6], TSH_CMDSN);        /* 99 belongs to the nested header */
	expect_absent(&q[6], TSH_EXPSTATSN);
	expect_absent(&q[6], TSH_LUN);
	for (int i = 0; i < 6; i++)
		assert_false(q[i].nested);

	/* digests */
	static const enum tsh_digest hd[3] = { TSH_DIGEST_GOOD, TSH_DIGEST_BAD, TSH_DIGEST_GOOD };
	static const enum tsh_digest dd[3] = { TSH_DIGEST_GOOD, TSH_DIGEST_GOOD, TSH_DIGEST_BAD };
	for (int k = 0; k < 3; k++) {
		const struct tsh_pdu *d = &q[7 + k];
		assert_int_equal(d->stream, 1);
		assert_int_equal(d->dstport, 5555);
		expect(d, TSH_ITT, 0x40u + (uint32_t)k);
		expect(d, TSH_DSL, 5);
		assert_int_equal(d->hdigest, hd[k]);
		assert_int_equal(d->ddigest, dd[k]);
		assert_true(tsh_pdu_get(d, TSH_HDIGEST, &(uint64_t){ 0 }));
	}
	/* the field holds the wire bytes read big-endian */
	uint8_t q0[48];
	nop_out(q0, 0x40, 10, 1, 0);
	q0[7] = 5;
	uint32_t hc = crc32c_bitwise(q0, 48);
	uint8_t wire[4];
	put_digest(wire, hc);
	expect(&q[7], TSH_HDIGEST, rd32(wire));
	tsh_report_free(&r);
	model_free(&m);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_small_exchange),
		cmocka_unit_test(test_ipv6_small_exchange),
		cmocka_unit_test(test_large_write_default_mss),
		cmocka_unit_test(test_large_write_ipv6_mss536),
		cmocka_unit_test(test_huge_pdu_max_mss),
		cmocka_unit_test(test_fin_target_first),
		cmocka_unit_test(test_fin_initiator_only),
		cmocka_unit_test(test_rst),
		cmocka_unit_test(test_fin_then_rst),
		cmocka_unit_test(test_two_connections_interleaved),
		cmocka_unit_test(test_zero_length_write),
		cmocka_unit_test(test_bus_and_ignored_events),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_sequence_wraparound),
		cmocka_unit_test(test_unknown_connection),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_connection_limits),
		cmocka_unit_test(test_many_sequential_connections),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_tshark_detects_problems),
		cmocka_unit_test(test_tshark_per_pdu_fields),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
