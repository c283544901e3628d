/* test_pcap_reader.c — tests of the capture reader (harness/capture/
 * pcap_reader.c and the reassembly and framing under it), end to end: a
 * session is emitted as events, written by the pcap writer, read back, and
 * the reader's EV_PDU stream must equal what was written (bytes, connection
 * ids, directions, stream offsets, frames, digests learnt from the login).
 * Then the capture is mutated frame by frame (drop, duplicate, reorder,
 * overlapping retransmissions, cut the start, cut the end, rewrite the
 * link layer, add VLAN tags and IPv6 extension headers, shift sequence
 * numbers across 2^32) and damaged (truncated record, corrupt record
 * length, not a capture, empty), and the reader must say exactly what
 * happened. The PDU count is cross-checked with tshark on the golden
 * capture.
 *
 * Scratch files go under $HARNESS_SCRATCH (else /tmp) in a fresh directory
 * that is removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/capture/golden.h"
#include "harness/capture/pcap_reader.h"
#include "harness/capture/pcap_writer.h"
#include "harness/event.h"
#include "pdu/pdu.h"
#include "tests/support/tshark.h"
#include "tests/support/scratch.h"

#define MAXC 8
#define T0 1767225600000000000LL

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* ---- scratch directory ---- */

static struct {
	char dir[512];
} scratch;
static char scratch_paths[4][600];
static unsigned scratch_next;

static int group_setup(void **state)
{
	(void)state;
	return scratch_make_dir("pcap_reader", scratch.dir, sizeof scratch.dir);
}

static int group_teardown(void **state)
{
	(void)state;
	scratch_remove_dir(scratch.dir);
	return 0;
}

/* A scratch file name (four rotate, so a test can hold a few at once). */
static const char *spath(const char *name)
{
	char *p = scratch_paths[scratch_next++ & 3];
	snprintf(p, sizeof scratch_paths[0], "%s/%s", scratch.dir, name);
	return p;
}

/* ---- recording events ---- */

struct rev {
	enum ev_kind kind;
	uint32_t conn;
	enum ev_dir dir;
	uint64_t frame;
	int64_t ts;
	uint8_t *bytes;
	size_t len;
	struct pdu_digests dg;
	uint64_t off;
	char *text;
	struct ev_endpoints ep;
};

struct rec {
	struct rev *v;
	size_t n, cap;
};

static struct rev *rec_push(struct rec *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = realloc(r->v, r->cap * sizeof *r->v);
		assert_non_null(r->v);
	}
	struct rev *e = &r->v[r->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static int rec_on(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;
	struct rev *e = rec_push(r);
	e->kind = ev->kind;
	e->conn = ev->conn;
	e->dir = ev->dir;
	e->frame = ev->frame;
	e->ts = ev->ts_ns;
	e->len = ev->len;
	e->dg = ev->digests;
	e->off = ev->stream_offset;
	if (ev->bytes && ev->len) {
		e->bytes = malloc(ev->len);
		assert_non_null(e->bytes);
		memcpy(e->bytes, ev->bytes, ev->len);
	}
	if (ev->text) {
		e->text = strdup(ev->text);
		assert_non_null(e->text);
	}
	if (ev->ep)
		e->ep = *ev->ep;
	return 0;
}

static void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].bytes);
		free(r->v[i].text);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static size_t rec_count(const struct rec *r, enum ev_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].kind == k;
	return n;
}

static size_t rec_count_text(const struct rec *r, enum ev_kind k, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].kind == k && r->v[i].text && strstr(r->v[i].text, needle);
	return n;
}

static const struct rev *rec_nth(const struct rec *r, enum ev_kind k, size_t nth)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == k && nth-- == 0)
			return &r->v[i];
	return NULL;
}

/* Print what the reader said, to see why a test failed. */
static void rec_dump(const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rev *e = &r->v[i];
		if (e->kind == EV_PDU)
			continue;
		fprintf(stderr, "  %-9s conn %u dir %d frame %llu len %zu off %llu %s\n",
			ev_kind_name(e->kind), e->conn, e->dir, (unsigned long long)e->frame,
			e->len, (unsigned long long)e->off, e->text ? e->text : "");
	}
}

/* ---- writing captures: a model of what was written ---- */

/* The model: every PDU as sent, with its stream offset (from the wire
 * bytes of its direction) and the frame that completed it (the writer
 * puts exactly one pure ACK after the last segment of each write). */
struct model {
	struct cap_writer *w;
	struct rec pdus;
	uint64_t off[MAXC + 1][2];
	uint64_t last_wire_off;
};

static int model_on(void *ctx, const struct event *ev)
{
	struct model *m = ctx;
	assert_true(ev->conn >= 1 && ev->conn <= MAXC);
	if (ev->kind == EV_WIRE) {
		m->last_wire_off = m->off[ev->conn][ev->dir];
		m->off[ev->conn][ev->dir] += ev->len;
	} else if (ev->kind == EV_PDU) {
		rec_on(&m->pdus, ev);
		struct rev *e = &m->pdus.v[m->pdus.n - 1];
		e->off = m->last_wire_off;
		e->frame = cap_writer_frames(m->w) - 1;
	}
	return 0;
}

typedef int (*gen_fn)(struct ev_bus *bus, const void *arg);

static void write_capture(const char *path, gen_fn gen, const void *arg,
			  const struct cap_writer_opts *wo, struct model *m)
{
	char err[256];
	memset(m, 0, sizeof *m);
	if (cap_writer_open(&m->w, path, wo, err, sizeof err) != 0)
		fail_msg("%s", err);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, cap_writer_observer(m->w));
	ev_bus_add(&bus, (struct ev_observer){ model_on, m });
	assert_int_equal(gen(&bus, arg), 0);
	assert_int_equal(cap_writer_close(m->w), 0);
	m->w = NULL;
}

static int gen_golden(struct ev_bus *bus, const void *arg)
{
	(void)arg;
	return golden_emit(bus);
}

static void write_golden(const char *path, uint32_t mss, struct model *m)
{
	struct cap_writer_opts wo = { .mss = mss };
	write_capture(path, gen_golden, NULL, &wo, m);
}

/* ---- a configurable session: several connections, interleaved ---- */

enum end_kind { END_FIN, END_RST_I, END_RST_T, END_OPEN };

struct sess {
	int nconn;
	int family;
	uint16_t tport;
	bool hd[MAXC], dd[MAXC];
	bool split_keys[MAXC];     /* the digest keys split over C=1 PDUs */
	enum end_kind end[MAXC];
	int rounds;
	int garbage;               /* 1: an undefined opcode with a sane length;
				      2: one with an absurd length */
	bool reuse_tuple;          /* connection 2 reuses connection 1's 4-tuple
				      after it closed (nconn must be 2) */
};

struct sconn {
	uint32_t id;
	struct ev_endpoints ep;
	struct pdu_digests dg;
	bool ffp;
	uint32_t itt;
};

struct sgen {
	struct ev_bus *bus;
	int64_t now;
	int rc;
	uint8_t wire[70000];
	uint8_t data[40000];
};

static void s_wire(struct sgen *g, struct sconn *c, enum ev_dir dir, const uint8_t *b,
		   size_t n)
{
	struct event ev = { .kind = EV_WIRE, .conn = c->id, .dir = dir, .ts_ns = g->now,
			    .bytes = b, .len = n };
	if (ev_emit(g->bus, &ev) < 0)
		g->rc = -1;
}

static void s_send(struct sgen *g, struct sconn *c, struct pdu_hdr *h,
		   const uint8_t *data, size_t len)
{
	struct pdu_digests dg = c->ffp ? c->dg : (struct pdu_digests){ 0 };
	long n = pdu_build(h, NULL, 0, data, len, dg, true, g->wire, sizeof g->wire);
	assert_true(n > 0);
	enum ev_dir dir = pdu_opcode_is_initiator(h->opcode) ? EV_DIR_I2T : EV_DIR_T2I;
	s_wire(g, c, dir, g->wire, (size_t)n);
	struct event ev = { .kind = EV_PDU, .conn = c->id, .dir = dir, .ts_ns = g->now,
			    .bytes = g->wire, .len = (size_t)n, .digests = dg };
	if (ev_emit(g->bus, &ev) < 0)
		g->rc = -1;
	g->now += 100000;
}

static void s_conn_event(struct sgen *g, struct sconn *c, enum ev_kind k, enum ev_dir d)
{
	struct event ev = { .kind = k, .conn = c->id, .dir = d, .ts_ns = g->now, .ep = &c->ep };
	if (ev_emit(g->bus, &ev) < 0)
		g->rc = -1;
	g->now += 100000;
}

static struct pdu_hdr s_hdr(uint8_t op)
{
	struct pdu_hdr h;
	memset(&h, 0, sizeof h);
	h.opcode = op;
	h.itt = PDU_RESERVED_TAG;
	h.ttt = PDU_RESERVED_TAG;
	return h;
}

static void s_login(struct sgen *g, const struct sess *s, struct sconn *c, int i)
{
	static const char offer[] = "HeaderDigest=CRC32C,None\0DataDigest=CRC32C,None";
	char ans[128];
	int n = snprintf(ans, sizeof ans, "HeaderDigest=%s%cDataDigest=%s",
			 s->hd[i] ? "CRC32C" : "None", 0, s->dd[i] ? "CRC32C" : "None");
	size_t ans_len = (size_t)n + 1;
	struct pdu_hdr req = s_hdr(PDU_OP_LOGIN_REQ);
	req.immediate = true;
	req.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	req.itt = c->itt++;
	req.cid = (uint16_t)c->id;
	req.isid[0] = 0x80;
	req.isid[5] = (uint8_t)c->id;
	s_send(g, c, &req, (const uint8_t *)offer, sizeof offer);
	struct pdu_hdr rsp = s_hdr(PDU_OP_LOGIN_RSP);
	rsp.itt = req.itt;
	rsp.csg = PDU_STAGE_OPERATIONAL;
	memcpy(rsp.isid, req.isid, 6);
	if (s->split_keys[i]) {
		/* "HeaderDigest=...\0DataDig" with C=1, then "est=...\0" */
		size_t cut = strlen(ans) + 1 + 7;
		rsp.cont = true;
		s_send(g, c, &rsp, (const uint8_t *)ans, cut);
		struct pdu_hdr req2 = req;
		s_send(g, c, &req2, NULL, 0);
		rsp.cont = false;
		rsp.transit = true;
		rsp.nsg = PDU_STAGE_FULL_FEATURE;
		rsp.tsih = 0x10;
		s_send(g, c, &rsp, (const uint8_t *)ans + cut, ans_len - cut);
	} else {
		rsp.transit = true;
		rsp.nsg = PDU_STAGE_FULL_FEATURE;
		rsp.tsih = 0x10;
		s_send(g, c, &rsp, (const uint8_t *)ans, ans_len);
	}
	c->dg = (struct pdu_digests){ s->hd[i], s->dd[i] };
	c->ffp = true;
}

/* One round of Full Feature Phase traffic on c. */
static void s_round(struct sgen *g, struct sconn *c, int r)
{
	static const size_t lens[] = { 0, 1, 3, 4, 100, 1000, 8191, 8193, 20000, 33333 };
	size_t len = lens[(size_t)(r + (int)c->id) % (sizeof lens / sizeof lens[0])];
	struct pdu_hdr out = s_hdr(PDU_OP_NOP_OUT);
	out.immediate = true;
	out.final = true;
	out.itt = c->itt++;
	s_send(g, c, &out, g->data, len % 2000);
	struct pdu_hdr in = s_hdr(PDU_OP_NOP_IN);
	in.final = true;
	in.itt = out.itt;
	s_send(g, c, &in, g->data, len % 2000);
	struct pdu_hdr cmd = s_hdr(PDU_OP_SCSI_CMD);
	cmd.final = true;
	cmd.read = true;
	cmd.itt = c->itt++;
	cmd.edtl = (uint32_t)len;
	cmd.cdb[0] = 0x28;
	s_send(g, c, &cmd, NULL, 0);
	if (len) {
		struct pdu_hdr din = s_hdr(PDU_OP_DATA_IN);
		din.itt = cmd.itt;
		din.final = true;
		s_send(g, c, &din, g->data + r, len);
	}
	struct pdu_hdr rsp = s_hdr(PDU_OP_SCSI_RSP);
	rsp.final = true;
	rsp.itt = cmd.itt;
	s_send(g, c, &rsp, NULL, 0);
}

static void s_end(struct sgen *g, const struct sess *s, struct sconn *c, int i)
{
	switch (s->end[i]) {
	case END_FIN:
		s_conn_event(g, c, EV_CONN_FIN, EV_DIR_I2T);
		s_conn_event(g, c, EV_CONN_FIN, EV_DIR_T2I);
		break;
	case END_RST_I:
		s_conn_event(g, c, EV_CONN_RST, EV_DIR_I2T);
		break;
	case END_RST_T:
		s_conn_event(g, c, EV_CONN_RST, EV_DIR_T2I);
		break;
	case END_OPEN:
		break;
	}
}

static void s_endpoints(const struct sess *s, struct sconn *c, int i)
{
	memset(&c->ep, 0, sizeof c->ep);
	c->ep.family = s->family;
	if (s->family == AF_INET) {
		uint8_t ini[4] = { 10, 0, 0, (uint8_t)(1 + i % 2) }, tgt[4] = { 10, 0, 1, 9 };
		memcpy(c->ep.ini_addr, ini, 4);
		memcpy(c->ep.tgt_addr, tgt, 4);
	} else {
		uint8_t ini[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)(1 + i % 2) };
		uint8_t tgt[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 9 };
		memcpy(c->ep.ini_addr, ini, 16);
		memcpy(c->ep.tgt_addr, tgt, 16);
	}
	c->ep.ini_port = (uint16_t)(40000 + (s->reuse_tuple ? 0 : i));
	c->ep.tgt_port = s->tport ? s->tport : 3260;
}

static int gen_sess(struct ev_bus *bus, const void *arg)
{
	const struct sess *s = arg;
	struct sgen *g = calloc(1, sizeof *g);
	assert_non_null(g);
	g->bus = bus;
	g->now = T0;
	for (size_t i = 0; i < sizeof g->data; i++)
		g->data[i] = (uint8_t)(i * 13 + 5);
	struct sconn c[MAXC];
	memset(c, 0, sizeof c);
	for (int i = 0; i < s->nconn; i++) {
		c[i].id = (uint32_t)i + 1;
		c[i].itt = 0x100 * (uint32_t)(i + 1);
		s_endpoints(s, &c[i], i);
	}
	if (s->reuse_tuple) {
		/* one after the other on the same 4-tuple */
		for (int i = 0; i < s->nconn; i++) {
			s_conn_event(g, &c[i], EV_CONN_OPEN, EV_DIR_I2T);
			s_login(g, s, &c[i], i);
			for (int r = 0; r < s->rounds; r++)
				s_round(g, &c[i], r);
			s_end(g, s, &c[i], i);
		}
	} else {
		for (int i = 0; i < s->nconn; i++)
			s_conn_event(g, &c[i], EV_CONN_OPEN, EV_DIR_I2T);
		for (int i = 0; i < s->nconn; i++)
			s_login(g, s, &c[i], i);
		for (int r = 0; r < s->rounds; r++) {
			for (int i = 0; i < s->nconn; i++) {
				s_round(g, &c[i], r);
				if (r == 1 && i == 0 && s->garbage == 1) {
					struct pdu_hdr h = s_hdr(0x1c);
					h.itt = 0x55;
					s_send(g, &c[0], &h, g->data, 10);
				} else if (r == 1 && i == 0 && s->garbage == 2) {
					uint8_t junk[48];
					memset(junk, 0, sizeof junk);
					junk[0] = 0x1d;
					junk[5] = 0xff;
					junk[6] = 0xff;
					junk[7] = 0xf0;
					s_wire(g, &c[0], EV_DIR_I2T, junk, sizeof junk);
				}
			}
		}
		for (int i = 0; i < s->nconn; i++)
			s_end(g, s, &c[i], i);
	}
	int rc = g->rc;
	free(g);
	return rc;
}

/* ---- reading ---- */

struct readout {
	struct rec ev;
	int rc;
	char err[700];
	struct cap_reader_stats st;
};

static void read_capture(const char *path, const struct cap_reader_opts *o,
			 struct readout *out)
{
	memset(out, 0, sizeof *out);
	struct cap_reader *r;
	out->rc = cap_reader_open(&r, path, o, out->err, sizeof out->err);
	if (out->rc < 0)
		return;
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ rec_on, &out->ev });
	out->rc = cap_reader_run(r, &bus);
	snprintf(out->err, sizeof out->err, "%s", cap_reader_errmsg(r));
	out->st = *cap_reader_stats(r);
	cap_reader_close(r);
}

/* The reader's PDUs equal the model's, in order. */
static void assert_same_pdus(const struct model *m, const struct rec *got, bool frames)
{
	size_t k = 0;
	for (size_t i = 0; i < got->n; i++) {
		const struct rev *g = &got->v[i];
		if (g->kind != EV_PDU)
			continue;
		if (k >= m->pdus.n) {
			rec_dump(got);
			fail_msg("more PDUs read (%zu+) than written (%zu)", k + 1, m->pdus.n);
		}
		const struct rev *w = &m->pdus.v[k];
		if (g->conn != w->conn || g->dir != w->dir || g->len != w->len ||
		    g->off != w->off || memcmp(g->bytes, w->bytes, w->len) != 0 ||
		    g->dg.header != w->dg.header || g->dg.data != w->dg.data ||
		    (frames && g->frame != w->frame)) {
			rec_dump(got);
			fail_msg("PDU %zu: read conn %u dir %d len %zu off %llu frame %llu dg %d/%d; "
				 "written conn %u dir %d len %zu off %llu frame %llu dg %d/%d",
				 k, g->conn, g->dir, g->len, (unsigned long long)g->off,
				 (unsigned long long)g->frame, g->dg.header, g->dg.data, w->conn,
				 w->dir, w->len, (unsigned long long)w->off,
				 (unsigned long long)w->frame, w->dg.header, w->dg.data);
		}
		k++;
	}
	if (k != m->pdus.n) {
		rec_dump(got);
		fail_msg("%zu PDUs read, %zu written", k, m->pdus.n);
	}
}

/* Every PDU read is one the model has at that (conn, dir, offset + base),
 * byte for byte; returns how many were read. */
static size_t assert_pdus_subset(const struct model *m, const struct rec *got,
				 const uint32_t *conn_map, const uint64_t base[][2])
{
	size_t n = 0;
	for (size_t i = 0; i < got->n; i++) {
		const struct rev *g = &got->v[i];
		if (g->kind != EV_PDU)
			continue;
		uint32_t mc = conn_map ? conn_map[g->conn] : g->conn;
		uint64_t off = g->off + (base ? base[g->conn][g->dir] : 0);
		bool found = false;
		for (size_t k = 0; k < m->pdus.n && !found; k++) {
			const struct rev *w = &m->pdus.v[k];
			found = w->conn == mc && w->dir == g->dir && w->off == off &&
				w->len == g->len && memcmp(w->bytes, g->bytes, g->len) == 0 &&
				w->dg.header == g->dg.header && w->dg.data == g->dg.data;
		}
		if (!found) {
			rec_dump(got);
			fail_msg("PDU read on conn %u dir %d at offset %llu (%zu bytes, opcode "
				 "0x%02x) was never written", g->conn, g->dir,
				 (unsigned long long)g->off, g->len, g->bytes[0]);
		}
		n++;
	}
	return n;
}

/* ---- frames of a capture, to mutate ---- */

struct pkt {
	struct pcap_pkthdr h;
	uint8_t *d;
};

struct cap {
	int dlt;
	size_t n;
	struct pkt *p;
};

static void cap_load(const char *path, struct cap *c)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!p)
		fail_msg("%s: %s", path, eb);
	memset(c, 0, sizeof *c);
	c->dlt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->p = realloc(c->p, cap * sizeof *c->p);
			assert_non_null(c->p);
		}
		c->p[c->n].h = *h;
		c->p[c->n].d = malloc(h->caplen + 1);
		assert_non_null(c->p[c->n].d);
		memcpy(c->p[c->n].d, d, h->caplen);
		c->n++;
	}
	pcap_close(p);
}

static void cap_save(const char *path, const struct cap *c)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(c->dlt, 262144,
							 PCAP_TSTAMP_PRECISION_NANO);
	assert_non_null(p);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	if (!d)
		fail_msg("%s: %s", path, pcap_geterr(p));
	for (size_t i = 0; i < c->n; i++)
		pcap_dump((u_char *)d, &c->p[i].h, c->p[i].d);
	pcap_dump_close(d);
	pcap_close(p);
}

static void cap_free(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i].d);
	free(c->p);
	memset(c, 0, sizeof *c);
}

static void cap_remove(struct cap *c, size_t i)
{
	free(c->p[i].d);
	memmove(&c->p[i], &c->p[i + 1], (c->n - i - 1) * sizeof *c->p);
	c->n--;
}

/* Insert a copy of frame bytes d (caplen from h) before index i. */
static void cap_insert(struct cap *c, size_t i, const struct pcap_pkthdr *h, const uint8_t *d)
{
	struct pkt np = { .h = *h }; /* h and d may point into c */
	np.d = malloc(h->caplen + 1);
	assert_non_null(np.d);
	memcpy(np.d, d, h->caplen);
	c->p = realloc(c->p, (c->n + 1) * sizeof *c->p);
	assert_non_null(c->p);
	memmove(&c->p[i + 1], &c->p[i], (c->n - i) * sizeof *c->p);
	c->p[i] = np;
	c->n++;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

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

/* The TCP segment of an Ethernet frame as the writer writes it. */
struct tcpv {
	bool v6;
	size_t ip, tcp, pl;   /* offsets of the IP header, TCP header, payload */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	size_t plen;
};

static void tcp_view(const struct pkt *p, struct tcpv *t)
{
	memset(t, 0, sizeof *t);
	const uint8_t *f = p->d;
	t->ip = 14;
	t->v6 = get16(f + 12) == 0x86dd;
	t->tcp = t->ip + (t->v6 ? 40 : (size_t)(f[t->ip] & 15) * 4);
	size_t iplen = t->v6 ? 40 + get16(f + t->ip + 4) : get16(f + t->ip + 2);
	t->pl = t->tcp + (size_t)(f[t->tcp + 12] >> 4) * 4;
	t->sport = get16(f + t->tcp);
	t->dport = get16(f + t->tcp + 2);
	t->seq = get32(f + t->tcp + 4);
	t->ack = get32(f + t->tcp + 8);
	t->flags = f[t->tcp + 13];
	t->plen = t->ip + iplen - t->pl;
}

/* Index of the nth frame (0-based) that carries payload from sport. */
static size_t nth_data_frame(const struct cap *c, uint16_t sport, size_t nth)
{
	for (size_t i = 0; i < c->n; i++) {
		struct tcpv t;
		tcp_view(&c->p[i], &t);
		if (t.sport == sport && t.plen > 0 && nth-- == 0)
			return i;
	}
	fail_msg("no data frame %zu from port %u", nth, sport);
	return 0;
}

/* The sequence number of stream offset 0 from sport (its SYN's + 1). */
static uint32_t seq0_of(const struct cap *c, uint16_t sport, uint16_t dport)
{
	for (size_t i = 0; i < c->n; i++) {
		struct tcpv t;
		tcp_view(&c->p[i], &t);
		if (t.sport == sport && t.dport == dport && (t.flags & 0x02))
			return t.seq + 1;
	}
	fail_msg("no SYN from port %u", sport);
	return 0;
}

/* A copy of data frame tmpl carrying payload pl[0..n) at sequence seq. */
static void make_seg(const struct pkt *tmpl, uint32_t seq, const uint8_t *pl, size_t n,
		     struct pkt *out)
{
	struct tcpv t;
	tcp_view(tmpl, &t);
	out->d = malloc(t.pl + n + 1);
	assert_non_null(out->d);
	memcpy(out->d, tmpl->d, t.pl);
	memcpy(out->d + t.pl, pl, n);
	if (t.v6)
		put16(out->d + t.ip + 4, (uint32_t)(t.pl - t.ip - 40 + n));
	else
		put16(out->d + t.ip + 2, (uint32_t)(t.pl - t.ip + n));
	put32(out->d + t.tcp + 4, seq);
	out->h = tmpl->h;
	out->h.caplen = out->h.len = (uint32_t)(t.pl + n);
}

/* The bytes the model says a direction carried, as one buffer. */
static uint8_t *model_stream(const struct model *m, uint32_t conn, enum ev_dir dir, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < m->pdus.n; i++)
		if (m->pdus.v[i].conn == conn && m->pdus.v[i].dir == dir)
			n = m->pdus.v[i].off + m->pdus.v[i].len;
	uint8_t *b = calloc(1, n + 1);
	assert_non_null(b);
	for (size_t i = 0; i < m->pdus.n; i++)
		if (m->pdus.v[i].conn == conn && m->pdus.v[i].dir == dir)
			memcpy(b + m->pdus.v[i].off, m->pdus.v[i].bytes, m->pdus.v[i].len);
	*len = n;
	return b;
}

/* ---- round trips ---- */

static void check_golden_events(const struct model *m, const struct readout *o)
{
	if (o->rc != 0)
		fail_msg("read failed: %s", o->err);
	assert_same_pdus(m, &o->ev, true);
	assert_int_equal(rec_count(&o->ev, EV_CONN_OPEN), 2);
	assert_int_equal(rec_count(&o->ev, EV_CONN_FIN), 4);
	assert_int_equal(rec_count(&o->ev, EV_CONN_RST), 0);
	assert_int_equal(rec_count(&o->ev, EV_GAP), 0);
	assert_int_equal(rec_count(&o->ev, EV_RESYNC), 0);
	if (rec_count(&o->ev, EV_NOTE)) {
		rec_dump(&o->ev);
		fail_msg("notes on a clean capture");
	}
	const struct rev *op = rec_nth(&o->ev, EV_CONN_OPEN, 1);
	assert_int_equal(op->conn, 2);
	assert_int_equal(op->ep.family, AF_INET);
	assert_int_equal(op->ep.ini_port, 50002);
	assert_int_equal(op->ep.tgt_port, GOLDEN_TARGET_PORT);
	static const uint8_t ini[4] = { 192, 0, 2, 1 }, tgt[4] = { 192, 0, 2, 2 };
	assert_memory_equal(op->ep.ini_addr, ini, 4);
	assert_memory_equal(op->ep.tgt_addr, tgt, 4);
	assert_int_equal(o->st.pdus, m->pdus.n);
	assert_int_equal(o->st.iscsi_conns, 2);
	assert_int_equal(o->st.non_iscsi_conns, 0);
	assert_int_equal(o->st.gaps, 0);
	/* connection 2 learnt CRC32C both ways from its login */
	size_t with = 0;
	for (size_t i = 0; i < o->ev.n; i++)
		if (o->ev.v[i].kind == EV_PDU && o->ev.v[i].conn == 2 &&
		    o->ev.v[i].dg.header && o->ev.v[i].dg.data)
			with++;
	assert_true(with > 30);
}

static void test_golden_roundtrip(void **state)
{
	(void)state;
	static const uint32_t mss[] = { 1460, 536, 48, 9000, 65495 };
	for (size_t i = 0; i < sizeof mss / sizeof mss[0]; i++) {
		const char *path = spath("golden.pcap");
		struct model m;
		write_golden(path, mss[i], &m);
		struct readout o;
		read_capture(path, NULL, &o);
		check_golden_events(&m, &o);
		rec_free(&o.ev);
		rec_free(&m.pdus);
	}
}

static void run_session(const struct sess *s, uint32_t mss, struct model *m,
			struct readout *o, const char *name)
{
	const char *path = spath(name);
	struct cap_writer_opts wo = { .mss = mss };
	write_capture(path, gen_sess, s, &wo, m);
	struct cap_reader_opts ro = { 0 };
	uint16_t port = s->tport;
	if (s->tport && s->tport != 3260) {
		ro.target_ports = &port;
		ro.n_target_ports = 1;
	}
	read_capture(path, &ro, o);
	if (o->rc != 0)
		fail_msg("read failed: %s", o->err);
}

static void test_two_connections_ipv4(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET, .rounds = 6,
			  .hd = { false, true }, .dd = { false, true },
			  .split_keys = { false, true } };
	static const uint32_t mss[] = { 1460, 48, 333 };
	for (size_t i = 0; i < 3; i++) {
		struct model m;
		struct readout o;
		run_session(&s, mss[i], &m, &o, "two.pcap");
		assert_same_pdus(&m, &o.ev, true);
		assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 2);
		assert_int_equal(rec_count(&o.ev, EV_CONN_FIN), 4);
		assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
		rec_free(&o.ev);
		rec_free(&m.pdus);
	}
}

static void test_four_connections_ipv6(void **state)
{
	(void)state;
	struct sess s = { .nconn = 4, .family = AF_INET6, .rounds = 5, .tport = 3261,
			  .hd = { true, false, true, false }, .dd = { true, false, false, true },
			  .split_keys = { true, false, false, true },
			  .end = { END_FIN, END_RST_I, END_RST_T, END_OPEN } };
	static const uint32_t mss[] = { 1440, 48, 100 };
	for (size_t i = 0; i < 3; i++) {
		struct model m;
		struct readout o;
		run_session(&s, mss[i], &m, &o, "four.pcap");
		assert_same_pdus(&m, &o.ev, true);
		assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 4);
		assert_int_equal(rec_count(&o.ev, EV_CONN_FIN), 2);
		assert_int_equal(rec_count(&o.ev, EV_CONN_RST), 2);
		const struct rev *r0 = rec_nth(&o.ev, EV_CONN_RST, 0);
		const struct rev *r1 = rec_nth(&o.ev, EV_CONN_RST, 1);
		assert_int_equal(r0->conn, 2);
		assert_int_equal(r0->dir, EV_DIR_I2T);
		assert_int_equal(r1->conn, 3);
		assert_int_equal(r1->dir, EV_DIR_T2I);
		assert_int_equal(rec_count(&o.ev, EV_NOTE), 1);
		const struct rev *n = rec_nth(&o.ev, EV_NOTE, 0);
		assert_int_equal(n->conn, 4);
		assert_non_null(strstr(n->text, "open at end of capture"));
		const struct rev *op = rec_nth(&o.ev, EV_CONN_OPEN, 3);
		assert_int_equal(op->ep.family, AF_INET6);
		assert_int_equal(op->ep.tgt_port, 3261);
		assert_int_equal(op->ep.ini_port, 40003);
		rec_free(&o.ev);
		rec_free(&m.pdus);
	}
}

/* The golden capture's PDU count equals tshark's at MSS 1460. */
static void test_tshark_agrees(void **state)
{
	(void)state;
	if (!tsh_available())
		skip();
	const char *path = spath("golden-tshark.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	struct readout o;
	read_capture(path, NULL, &o);
	assert_int_equal(o.rc, 0);
	struct tsh_report tr;
	char err[512];
	if (tsh_analyze(path, &(struct tsh_opts){ .iscsi_ports = "3260" }, &tr, err, sizeof err))
		fail_msg("tshark: %s", err);
	assert_int_equal(tr.n_pdus, o.st.pdus);
	assert_int_equal(o.st.pdus, m.pdus.n);
	/* and frame by frame: tshark shows each PDU in the frame that completed it */
	size_t k = 0;
	for (size_t i = 0; i < o.ev.n && k < tr.n_pdus; i++)
		if (o.ev.v[i].kind == EV_PDU)
			assert_int_equal(o.ev.v[i].frame, tr.pdus[k++].frame);
	tsh_report_free(&tr);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* ---- mutations ---- */

/* A data segment of connection 1's target->initiator stream is missing. */
static void test_drop_segment(void **state)
{
	(void)state;
	const char *path = spath("drop-src.pcap");
	struct model m;
	write_golden(path, 536, &m);
	struct cap c;
	cap_load(path, &c);
	uint32_t s0 = seq0_of(&c, 3260, 50001);
	/* a segment in the middle of the 8191-byte Data-In */
	size_t din_off = 0;
	for (size_t i = 0; i < m.pdus.n; i++)
		if (m.pdus.v[i].conn == 1 && (m.pdus.v[i].bytes[0] & 0x3f) == PDU_OP_DATA_IN) {
			din_off = m.pdus.v[i].off;
			break;
		}
	size_t idx = 0;
	struct tcpv t;
	for (size_t nth = 0;; nth++) {
		idx = nth_data_frame(&c, 3260, nth);
		tcp_view(&c.p[idx], &t);
		if (t.dport == 50001 && t.seq - s0 > din_off + 2000)
			break;
	}
	uint64_t lost_off = t.seq - s0;
	size_t lost_len = t.plen;
	cap_remove(&c, idx);
	const char *mpath = spath("drop.pcap");
	cap_save(mpath, &c);
	cap_free(&c);

	struct readout o;
	read_capture(mpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(rec_count(&o.ev, EV_GAP), 1);
	const struct rev *g = rec_nth(&o.ev, EV_GAP, 0);
	assert_int_equal(g->conn, 1);
	assert_int_equal(g->dir, EV_DIR_T2I);
	assert_int_equal(g->len, lost_len);
	assert_int_equal(g->off, lost_off);
	assert_int_equal(o.st.gap_bytes, lost_len);
	/* the PDU with the hole is cut (a note) and framing resumes at the
	 * next PDU boundary */
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "cut by a gap"), 1);
	assert_int_equal(rec_count(&o.ev, EV_RESYNC), 1);
	const struct rev *rs = rec_nth(&o.ev, EV_RESYNC, 0);
	uint64_t next_pdu = UINT64_MAX;
	for (size_t i = 0; i < m.pdus.n; i++) {
		const struct rev *w = &m.pdus.v[i];
		if (w->conn == 1 && w->dir == EV_DIR_T2I && w->off >= lost_off + lost_len &&
		    w->off < next_pdu)
			next_pdu = w->off;
	}
	assert_int_equal(rs->off, next_pdu);
	/* no garbage: every PDU read was written, and only the one with the
	 * hole is missing */
	size_t n = assert_pdus_subset(&m, &o.ev, NULL, NULL);
	assert_int_equal(n, m.pdus.n - 1);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* Duplicated and reordered segments give the same PDUs. */
static void test_duplicate_and_reorder(void **state)
{
	(void)state;
	const char *path = spath("dup-src.pcap");
	struct model m;
	write_golden(path, 300, &m);
	struct cap c;
	cap_load(path, &c);
	/* duplicate every 5th frame, swap data frames pairwise every 7th */
	for (size_t i = c.n; i-- > 0;)
		if (i % 5 == 3)
			cap_insert(&c, i + 1, &c.p[i].h, c.p[i].d);
	size_t swaps = 0;
	for (size_t i = 0; i + 1 < c.n; i += 7) {
		struct tcpv a, b;
		tcp_view(&c.p[i], &a);
		tcp_view(&c.p[i + 1], &b);
		if (a.plen && b.plen && a.sport == b.sport && a.seq != b.seq) {
			struct pkt tmp = c.p[i];
			c.p[i] = c.p[i + 1];
			c.p[i + 1] = tmp;
			swaps++;
		}
	}
	assert_true(swaps > 5);
	const char *mpath = spath("dup.pcap");
	cap_save(mpath, &c);
	cap_free(&c);
	struct readout o;
	read_capture(mpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_same_pdus(&m, &o.ev, false);
	assert_int_equal(rec_count(&o.ev, EV_GAP), 0);
	assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
	assert_true(o.st.retransmitted_bytes > 0);
	assert_true(o.st.out_of_order_segments >= swaps);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* Overlapping retransmissions: the same bytes are silent, different bytes
 * are a note and the first copy wins; a segment overlapping buffered
 * out-of-order data is merged. */
static void test_overlapping_retransmission(void **state)
{
	(void)state;
	const char *path = spath("ovl-src.pcap");
	struct model m;
	write_golden(path, 1000, &m);
	size_t slen;
	uint8_t *stream = model_stream(&m, 2, EV_DIR_I2T, &slen);
	for (int variant = 0; variant < 3; variant++) {
		struct cap c;
		cap_load(path, &c);
		uint32_t s0 = seq0_of(&c, 50002, 3260);
		size_t a = nth_data_frame(&c, 50002, 6);
		struct tcpv ta;
		tcp_view(&c.p[a], &ta);
		uint64_t boundary = ta.seq - s0 + ta.plen; /* end of segment a */
		assert_true(boundary + 300 < slen);
		uint8_t buf[600];
		memcpy(buf, stream + boundary - 300, 600);
		if (variant == 1)
			buf[10] ^= 0xff;
		struct pkt seg;
		if (variant < 2) {
			/* [boundary-300, boundary+300) after both originals */
			make_seg(&c.p[a], s0 + (uint32_t)(boundary - 300), buf, 600, &seg);
			size_t b = nth_data_frame(&c, 50002, 7);
			cap_insert(&c, b + 1, &seg.h, seg.d);
		} else {
			/* [boundary+10, boundary+50) before segment a+1 arrives:
			 * buffered out of order, then overlapped by the original */
			make_seg(&c.p[a], s0 + (uint32_t)(boundary + 10), buf + 310, 40, &seg);
			cap_insert(&c, a, &seg.h, seg.d);
		}
		free(seg.d);
		const char *mpath = spath("ovl.pcap");
		cap_save(mpath, &c);
		cap_free(&c);
		struct readout o;
		read_capture(mpath, NULL, &o);
		assert_int_equal(o.rc, 0);
		assert_same_pdus(&m, &o.ev, false);
		assert_int_equal(rec_count(&o.ev, EV_GAP), 0);
		if (variant == 1) {
			assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "differ from the first copy"), 1);
			assert_int_equal(o.st.differing_overlaps, 1);
			const struct rev *n = rec_nth(&o.ev, EV_NOTE, 0);
			assert_int_equal(n->conn, 2);
			assert_int_equal(n->dir, EV_DIR_I2T);
		} else {
			assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
		}
		assert_true(o.st.retransmitted_bytes >= (variant < 2 ? 600u : 40u));
		rec_free(&o.ev);
	}
	free(stream);
	rec_free(&m.pdus);
}

/* The capture starts in connection 1's Full Feature Phase: both
 * connections are mid-stream, digests are inferred (None on 1, CRC32C on
 * 2), each direction resynchronises, and every PDU read was written. */
static void test_mid_stream(void **state)
{
	(void)state;
	const char *path = spath("mid-src.pcap");
	struct model m;
	write_golden(path, 700, &m);
	struct cap c;
	cap_load(path, &c);
	uint32_t s0[2][2] = {
		{ seq0_of(&c, 50001, 3260), seq0_of(&c, 3260, 50001) },
		{ seq0_of(&c, 50002, 3260), seq0_of(&c, 3260, 50002) },
	};
	/* cut inside the first Data-In of connection 1 (8191 bytes) */
	size_t cut = nth_data_frame(&c, 3260, 12);
	for (size_t i = 0; i < cut; i++)
		cap_remove(&c, 0);
	/* where each direction's capture now starts */
	uint64_t base[3][2] = { { 0 } };
	bool seen[3][2] = { { false } };
	for (size_t i = 0; i < c.n; i++) {
		struct tcpv t;
		tcp_view(&c.p[i], &t);
		if (!t.plen)
			continue;
		int conn = (t.sport == 50002 || t.dport == 50002) ? 2 : 1;
		int dir = t.sport == 3260 ? EV_DIR_T2I : EV_DIR_I2T;
		if (!seen[conn][dir]) {
			seen[conn][dir] = true;
			base[conn][dir] = t.seq - s0[conn - 1][dir];
		}
	}
	const char *mpath = spath("mid.pcap");
	cap_save(mpath, &c);
	cap_free(&c);

	struct readout o;
	read_capture(mpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 2);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "its start (SYN) is not in the capture"), 2);
	assert_int_equal(rec_count(&o.ev, EV_GAP), 0);
	assert_int_equal(rec_count(&o.ev, EV_RESYNC), 4);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "HeaderDigest=None"), 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "DataDigest=None"), 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "HeaderDigest=CRC32C"), 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "DataDigest=CRC32C"), 1);
	for (size_t i = 0; i < o.ev.n; i++) {
		const struct rev *e = &o.ev.v[i];
		if (e->kind == EV_NOTE && strstr(e->text, "HeaderDigest=None"))
			assert_int_equal(e->conn, 1);
		if (e->kind == EV_NOTE && strstr(e->text, "HeaderDigest=CRC32C"))
			assert_int_equal(e->conn, 2);
	}
	size_t n = assert_pdus_subset(&m, &o.ev, NULL, (const uint64_t (*)[2])base);
	/* every written PDU that starts at or after the first byte captured
	 * in its direction is read */
	size_t expect = 0;
	for (size_t i = 0; i < m.pdus.n; i++) {
		const struct rev *w = &m.pdus.v[i];
		if (seen[w->conn][w->dir] && w->off >= base[w->conn][w->dir])
			expect++;
	}
	assert_int_equal(n, expect);
	assert_true(n > 40);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* The SYN handshake of connection 1 is not in the capture, its login is:
 * digests are learnt from the login all the same. */
static void test_syn_missing_login_present(void **state)
{
	(void)state;
	const char *path = spath("nosyn-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	struct cap c;
	cap_load(path, &c);
	for (int i = 0; i < 3; i++)
		cap_remove(&c, 0);
	const char *mpath = spath("nosyn.pcap");
	cap_save(mpath, &c);
	cap_free(&c);
	struct readout o;
	read_capture(mpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_same_pdus(&m, &o.ev, false);
	assert_int_equal(rec_count(&o.ev, EV_RESYNC), 2);
	assert_int_equal(rec_nth(&o.ev, EV_RESYNC, 0)->len, 0);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "inferred"), 0);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* ---- link layers ---- */

enum lt { LT_SLL, LT_SLL2, LT_NULL_LE, LT_NULL_BE, LT_LOOP, LT_RAW, LT_RAW_FAMILY,
	  LT_VLAN, LT_QINQ, LT_COUNT };

static const char *lt_name(enum lt t)
{
	static const char *const names[] = { "SLL", "SLL2", "NULL (little-endian)",
		"NULL (big-endian)", "LOOP", "raw IP", "raw IPv4/IPv6", "802.1Q",
		"802.1ad + 802.1Q" };
	return names[t];
}

/* Rewrite every Ethernet frame of c into link type t. */
static void convert(struct cap *c, enum lt t)
{
	for (size_t i = 0; i < c->n; i++) {
		struct pkt *p = &c->p[i];
		uint16_t type = get16(p->d + 12);
		bool v6 = type == 0x86dd;
		const uint8_t *pl = p->d + 14;
		size_t n = p->h.caplen - 14;
		uint8_t hdr[32];
		size_t hl = 0;
		memset(hdr, 0, sizeof hdr);
		switch (t) {
		case LT_SLL:
			put16(hdr, i % 2 ? 4 : 0);
			put16(hdr + 2, 1);
			put16(hdr + 4, 6);
			memcpy(hdr + 6, p->d + 6, 6);
			put16(hdr + 14, type);
			hl = 16;
			break;
		case LT_SLL2:
			put16(hdr, type);
			put32(hdr + 4, 2);
			put16(hdr + 8, 1);
			hdr[10] = i % 2 ? 4 : 0;
			hdr[11] = 6;
			memcpy(hdr + 12, p->d + 6, 6);
			hl = 20;
			break;
		case LT_NULL_LE: {
			uint32_t fam = v6 ? 30 : 2;
			hdr[0] = (uint8_t)fam;
			hl = 4;
			break;
		}
		case LT_NULL_BE:
		case LT_LOOP:
			put32(hdr, v6 ? 24 : 2);
			hl = 4;
			break;
		case LT_RAW:
		case LT_RAW_FAMILY:
			hl = 0;
			break;
		case LT_VLAN:
			memcpy(hdr, p->d, 12);
			put16(hdr + 12, 0x8100);
			put16(hdr + 14, 0x0064);
			put16(hdr + 16, type);
			hl = 18;
			break;
		case LT_QINQ:
			memcpy(hdr, p->d, 12);
			put16(hdr + 12, 0x88a8);
			put16(hdr + 14, 0x0007);
			put16(hdr + 16, 0x8100);
			put16(hdr + 18, 0x0064);
			put16(hdr + 20, type);
			hl = 22;
			break;
		case LT_COUNT:
			break;
		}
		uint8_t *d = malloc(hl + n + 1);
		assert_non_null(d);
		memcpy(d, hdr, hl);
		memcpy(d + hl, pl, n);
		free(p->d);
		p->d = d;
		p->h.caplen = p->h.len = (uint32_t)(hl + n);
		if (i == 0) {
			switch (t) {
			case LT_SLL: c->dlt = DLT_LINUX_SLL; break;
			case LT_SLL2: c->dlt = DLT_LINUX_SLL2; break;
			case LT_NULL_LE: case LT_NULL_BE: c->dlt = DLT_NULL; break;
			case LT_LOOP: c->dlt = DLT_LOOP; break;
			case LT_RAW: c->dlt = DLT_RAW; break;
			case LT_RAW_FAMILY: c->dlt = v6 ? DLT_IPV6 : DLT_IPV4; break;
			default: break;
			}
		}
	}
}

static void check_link_types(const char *src, const struct model *m)
{
	for (int t = 0; t < LT_COUNT; t++) {
		struct cap c;
		cap_load(src, &c);
		convert(&c, (enum lt)t);
		const char *path = spath("link.pcap");
		cap_save(path, &c);
		int dlt = c.dlt;
		cap_free(&c);
		struct readout o;
		read_capture(path, NULL, &o);
		if (o.rc != 0)
			fail_msg("%s: %s", lt_name((enum lt)t), o.err);
		assert_same_pdus(m, &o.ev, true);
		assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
		assert_int_equal(o.st.non_tcp_frames, 0);
		assert_int_equal(o.st.malformed_frames, 0);
		(void)dlt;
		rec_free(&o.ev);
	}
}

static void test_link_types_ipv4(void **state)
{
	(void)state;
	const char *path = spath("lt4-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	char src[600];
	snprintf(src, sizeof src, "%s", path);
	check_link_types(src, &m);
	rec_free(&m.pdus);
}

static void test_link_types_ipv6(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET6, .rounds = 3,
			  .hd = { true, false }, .dd = { false, true } };
	const char *path = spath("lt6-src.pcap");
	struct cap_writer_opts wo = { .mss = 1000 };
	struct model m;
	write_capture(path, gen_sess, &s, &wo, &m);
	char src[600];
	snprintf(src, sizeof src, "%s", path);
	check_link_types(src, &m);
	rec_free(&m.pdus);
}

/* IPv6 with hop-by-hop, routing, an atomic fragment header and
 * destination options before TCP. */
static void test_ipv6_extension_headers(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET6, .rounds = 4,
			  .hd = { true, true }, .dd = { true, false } };
	const char *path = spath("ext-src.pcap");
	struct cap_writer_opts wo = { .mss = 1200 };
	struct model m;
	write_capture(path, gen_sess, &s, &wo, &m);
	struct cap c;
	cap_load(path, &c);
	static const uint8_t ext[32] = {
		43, 0, 1, 4, 0, 0, 0, 0,          /* hop-by-hop, PadN; next: routing */
		44, 0, 4, 0, 0, 0, 0, 0,          /* routing type 4, 0 segments left */
		60, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, /* atomic fragment */
		6, 0, 1, 4, 0, 0, 0, 0,           /* destination options; next: TCP */
	};
	for (size_t i = 0; i < c.n; i++) {
		struct pkt *p = &c.p[i];
		uint8_t *d = malloc(p->h.caplen + sizeof ext + 1);
		assert_non_null(d);
		memcpy(d, p->d, 54);
		memcpy(d + 54, ext, sizeof ext);
		memcpy(d + 54 + sizeof ext, p->d + 54, p->h.caplen - 54);
		d[14 + 6] = 0; /* next header: hop-by-hop */
		put16(d + 14 + 4, get16(p->d + 14 + 4) + (uint32_t)sizeof ext);
		free(p->d);
		p->d = d;
		p->h.caplen = p->h.len = p->h.caplen + (uint32_t)sizeof ext;
	}
	const char *mpath = spath("ext.pcap");
	cap_save(mpath, &c);
	cap_free(&c);
	struct readout o;
	read_capture(mpath, NULL, &o);
	if (o.rc != 0)
		fail_msg("%s", o.err);
	assert_same_pdus(&m, &o.ev, true);
	assert_int_equal(o.st.fragments, 0);
	assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* Sequence numbers that wrap at 2^32 within each direction. */
static void test_sequence_wrap(void **state)
{
	(void)state;
	const char *path = spath("wrap-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	struct cap c;
	cap_load(path, &c);
	static const uint16_t ports[] = { 50001, 50002, 3260 };
	(void)ports;
	uint32_t delta[2][2]; /* [conn][dir] */
	for (int conn = 0; conn < 2; conn++) {
		uint16_t ip = (uint16_t)(50001 + conn);
		delta[conn][0] = 0xffffff00u - seq0_of(&c, ip, 3260);
		delta[conn][1] = 0xfffff000u - seq0_of(&c, 3260, ip);
	}
	for (size_t i = 0; i < c.n; i++) {
		struct tcpv t;
		tcp_view(&c.p[i], &t);
		int conn = (t.sport == 50002 || t.dport == 50002) ? 1 : 0;
		int dir = t.sport == 3260 ? 1 : 0;
		put32(c.p[i].d + t.tcp + 4, t.seq + delta[conn][dir]);
		if (t.flags & 0x10)
			put32(c.p[i].d + t.tcp + 8, t.ack + delta[conn][1 - dir]);
	}
	const char *mpath = spath("wrap.pcap");
	cap_save(mpath, &c);
	cap_free(&c);
	struct readout o;
	read_capture(mpath, NULL, &o);
	check_golden_events(&m, &o);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* ---- damaged and foreign files ---- */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void spit(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Byte offset of record `frame` (1-based) of a classic pcap in b. */
static size_t record_offset(const uint8_t *b, size_t len, size_t frame)
{
	size_t off = 24;
	for (size_t f = 1; f < frame; f++) {
		assert_true(off + 16 <= len);
		uint32_t caplen = (uint32_t)b[off + 8] | (uint32_t)b[off + 9] << 8 |
				  (uint32_t)b[off + 10] << 16 | (uint32_t)b[off + 11] << 24;
		off += 16 + caplen;
	}
	return off;
}

static void test_truncated_file(void **state)
{
	(void)state;
	const char *path = spath("trunc-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	size_t len;
	uint8_t *b = slurp(path, &len);
	const size_t frame = 100;
	size_t off = record_offset(b, len, frame);
	const char *tpath = spath("trunc.pcap");
	spit(tpath, b, off + 16 + 20); /* cut inside record 100's data */
	struct readout o;
	read_capture(tpath, NULL, &o);
	assert_int_equal(o.rc, CAP_ETRUNCATED);
	char want[64];
	snprintf(want, sizeof want, "frame %zu (record at byte offset %zu)", frame, off);
	if (!strstr(o.err, want) || !strstr(o.err, tpath))
		fail_msg("message '%s' lacks '%s'", o.err, want);
	assert_int_equal(o.st.frames, frame - 1);
	/* every PDU completed before the cut was delivered */
	size_t before = 0;
	for (size_t i = 0; i < m.pdus.n; i++)
		before += m.pdus.v[i].frame < frame;
	assert_true(before > 20);
	struct model head = m;
	head.pdus.n = before;
	assert_same_pdus(&head, &o.ev, true);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "open at end of capture"), 2);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, want), 1);
	rec_free(&o.ev);

	/* cut inside a record header */
	spit(tpath, b, off + 7);
	read_capture(tpath, NULL, &o);
	assert_int_equal(o.rc, CAP_ETRUNCATED);
	if (!strstr(o.err, want))
		fail_msg("message '%s' lacks '%s'", o.err, want);
	rec_free(&o.ev);
	free(b);
	rec_free(&m.pdus);
}

static void test_corrupt_record_length(void **state)
{
	(void)state;
	const char *path = spath("corrupt-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	size_t len;
	uint8_t *b = slurp(path, &len);
	const size_t frame = 57;
	size_t off = record_offset(b, len, frame);
	uint8_t *c = malloc(len);
	assert_non_null(c);
	memcpy(c, b, len);
	c[off + 8] = 0xf0; /* caplen 0x7ffffff0 */
	c[off + 9] = 0xff;
	c[off + 10] = 0xff;
	c[off + 11] = 0x7f;
	const char *cpath = spath("corrupt.pcap");
	spit(cpath, c, len);
	struct readout o;
	read_capture(cpath, NULL, &o);
	assert_int_equal(o.rc, CAP_ECORRUPT);
	char want[64];
	snprintf(want, sizeof want, "frame %zu (record at byte offset %zu)", frame, off);
	if (!strstr(o.err, want))
		fail_msg("message '%s' lacks '%s'", o.err, want);
	assert_int_equal(o.st.frames, frame - 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "open at end of capture"), 2);
	rec_free(&o.ev);

	/* records longer than the snap length in the file header: libpcap
	 * keeps the first snaplen bytes; the reader says so and goes on */
	memcpy(c, b, len);
	c[16] = 90; /* snaplen 90 */
	c[17] = c[18] = c[19] = 0;
	spit(cpath, c, len);
	read_capture(cpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.st.oversize_records > 0);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "more than the file's snap length 90"), 1);
	assert_true(o.st.gaps > 0);
	rec_free(&o.ev);
	free(c);
	free(b);
	rec_free(&m.pdus);
}

static void test_not_a_capture(void **state)
{
	(void)state;
	struct readout o;
	const char *p = spath("junk.pcap");
	static const char junk[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
	spit(p, (const uint8_t *)junk, sizeof junk - 1);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, CAP_EFORMAT);
	assert_non_null(strstr(o.err, "not a pcap or pcapng file"));
	assert_non_null(strstr(o.err, "byte offset 0"));
	assert_non_null(strstr(o.err, p));

	p = spath("empty.pcap");
	spit(p, NULL, 0);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, CAP_EFORMAT);
	assert_non_null(strstr(o.err, "empty file"));

	static const uint8_t short_hdr[10] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	p = spath("short.pcap");
	spit(p, short_hdr, sizeof short_hdr);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, CAP_EFORMAT);
	assert_non_null(strstr(o.err, "cut short"));

	read_capture(spath("does-not-exist.pcap"), NULL, &o);
	assert_int_equal(o.rc, CAP_EOPEN);
	assert_non_null(strstr(o.err, "does-not-exist.pcap"));

	read_capture(scratch.dir, NULL, &o);
	assert_int_equal(o.rc, CAP_EREAD);

	/* a link type the reader does not decode */
	pcap_t *pd = pcap_open_dead(DLT_PPP, 65535);
	p = spath("ppp.pcap");
	pcap_dumper_t *d = pcap_dump_open(pd, p);
	assert_non_null(d);
	pcap_dump_close(d);
	pcap_close(pd);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, CAP_ELINK);
	assert_non_null(strstr(o.err, "link type 9"));

	/* a header and no records: nothing, cleanly */
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	p = spath("norecords.pcap");
	d = pcap_dump_open(pd, p);
	assert_non_null(d);
	pcap_dump_close(d);
	pcap_close(pd);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.ev.n, 0);
	rec_free(&o.ev);

	/* bad options */
	uint16_t zero = 0;
	struct cap_reader_opts bad = { .target_ports = &zero, .n_target_ports = 1 };
	read_capture(p, &bad, &o);
	assert_int_equal(o.rc, CAP_EINVAL);
}

/* A capture with TCP but no iSCSI on a known port; the heuristic finds the
 * iSCSI on port 8080, from the SYN and mid-stream. */
static void test_no_iscsi_and_heuristic(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET, .rounds = 3, .tport = 8080,
			  .hd = { true, false }, .dd = { true, false } };
	const char *path = spath("p8080.pcap");
	struct cap_writer_opts wo = { .mss = 1460 };
	struct model m;
	write_capture(path, gen_sess, &s, &wo, &m);
	struct readout o;
	read_capture(path, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.ev.n, 0);
	assert_int_equal(o.st.non_iscsi_conns, 2);
	assert_int_equal(o.st.iscsi_conns, 0);
	assert_true(o.st.tcp_frames > 10);
	rec_free(&o.ev);

	struct cap_reader_opts h = { .heuristic = true };
	read_capture(path, &h, &o);
	assert_int_equal(o.rc, 0);
	assert_same_pdus(&m, &o.ev, true);
	assert_int_equal(o.st.iscsi_conns, 2);
	rec_free(&o.ev);

	/* mid-stream: the first 40 frames cut */
	struct cap c;
	cap_load(path, &c);
	for (int i = 0; i < 40; i++)
		cap_remove(&c, 0);
	const char *mpath = spath("p8080-mid.pcap");
	cap_save(mpath, &c);
	cap_free(&c);
	read_capture(mpath, &h, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.st.iscsi_conns, 2);
	assert_true(rec_count(&o.ev, EV_PDU) > 10);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* The capture ends inside a PDU: a note names the connection, the
 * direction, the frame and the stream offset. */
static void test_pdu_cut_by_end(void **state)
{
	(void)state;
	const char *path = spath("cutend-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	/* the 8193-byte Data-In of connection 2 */
	const struct rev *din = NULL;
	for (size_t i = 0; i < m.pdus.n; i++)
		if (m.pdus.v[i].conn == 2 && m.pdus.v[i].len > 8193)
			din = &m.pdus.v[i];
	assert_non_null(din);
	struct cap c;
	cap_load(path, &c);
	/* keep frames up to two segments before the one completing it */
	uint64_t last = din->frame - 3;
	while (c.n > last)
		cap_remove(&c, c.n - 1);
	uint64_t last_data = 0;
	for (size_t i = 0; i < c.n; i++) {
		struct tcpv t;
		tcp_view(&c.p[i], &t);
		if (t.sport == 3260 && t.dport == 50002 && t.plen)
			last_data = i + 1;
	}
	const char *cpath = spath("cutend.pcap");
	cap_save(cpath, &c);
	cap_free(&c);
	struct readout o;
	read_capture(cpath, NULL, &o);
	assert_int_equal(o.rc, 0);
	char want[160];
	snprintf(want, sizeof want, "conn 2 target->initiator: the SCSI Data-In PDU at stream offset "
		 "%llu is cut by the end of the capture", (unsigned long long)din->off);
	if (rec_count_text(&o.ev, EV_NOTE, want) != 1) {
		rec_dump(&o.ev);
		fail_msg("no note '%s'", want);
	}
	const struct rev *n = NULL;
	for (size_t i = 0; i < o.ev.n; i++)
		if (o.ev.v[i].kind == EV_NOTE && strstr(o.ev.v[i].text, want))
			n = &o.ev.v[i];
	char fr[48];
	snprintf(fr, sizeof fr, "last bytes in frame %llu", (unsigned long long)last_data);
	if (!strstr(n->text, fr))
		fail_msg("note '%s' lacks '%s'", n->text, fr);
	assert_int_equal(n->conn, 2);
	assert_int_equal(n->dir, EV_DIR_T2I);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "open at end of capture"), 2);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* An undefined opcode with a sane length is a PDU (the rules judge it);
 * one with an absurd length is skipped by a resync. */
static void test_garbage_opcode(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET, .rounds = 4, .garbage = 1,
			  .hd = { false, true }, .dd = { false, true } };
	struct model m;
	struct readout o;
	run_session(&s, 1460, &m, &o, "garbage1.pcap");
	assert_same_pdus(&m, &o.ev, true);
	size_t odd = 0;
	for (size_t i = 0; i < o.ev.n; i++)
		odd += o.ev.v[i].kind == EV_PDU && (o.ev.v[i].bytes[0] & 0x3f) == 0x1c;
	assert_int_equal(odd, 1);
	assert_int_equal(rec_count(&o.ev, EV_RESYNC), 0);
	rec_free(&o.ev);
	rec_free(&m.pdus);

	s.garbage = 2;
	run_session(&s, 1460, &m, &o, "garbage2.pcap");
	assert_int_equal(rec_count(&o.ev, EV_RESYNC), 1);
	const struct rev *r = rec_nth(&o.ev, EV_RESYNC, 0);
	assert_int_equal(r->conn, 1);
	assert_int_equal(r->dir, EV_DIR_I2T);
	assert_int_equal(r->len, 48);
	assert_int_equal(assert_pdus_subset(&m, &o.ev, NULL, NULL), m.pdus.n);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* A 4-tuple used again after its connection closed is a new connection;
 * a retransmitted SYN is not. */
static void test_reused_tuple_and_syn_retransmission(void **state)
{
	(void)state;
	struct sess s = { .nconn = 2, .family = AF_INET, .rounds = 2, .reuse_tuple = true,
			  .hd = { false, true }, .dd = { false, true } };
	struct model m;
	struct readout o;
	run_session(&s, 1460, &m, &o, "reuse.pcap");
	assert_same_pdus(&m, &o.ev, true);
	assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 2);
	assert_int_equal(rec_count(&o.ev, EV_CONN_FIN), 4);
	assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
	rec_free(&o.ev);

	struct cap c;
	cap_load(spath("reuse.pcap"), &c);
	cap_insert(&c, 1, &c.p[0].h, c.p[0].d);   /* SYN again */
	cap_insert(&c, 3, &c.p[2].h, c.p[2].d);   /* SYN-ACK again */
	const char *p = spath("synrtx.pcap");
	cap_save(p, &c);
	cap_free(&c);
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_same_pdus(&m, &o.ev, false);
	assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 2);
	assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* The golden session 40 times over in one file (the same 4-tuples and
 * sequence numbers each time): 80 connections, every PDU, and never more
 * than the two 4-tuples tracked. */
static void test_long_capture_repeated_sessions(void **state)
{
	(void)state;
	const char *path = spath("rep-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	size_t len;
	uint8_t *b = slurp(path, &len);
	const int copies = 40;
	const char *rp = spath("rep.pcap");
	FILE *f = fopen(rp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, 24, f), 24);
	for (int i = 0; i < copies; i++)
		assert_int_equal(fwrite(b + 24, 1, len - 24, f), len - 24);
	fclose(f);
	free(b);
	struct readout o;
	read_capture(rp, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.st.iscsi_conns, 2 * copies);
	assert_int_equal(o.st.pdus, m.pdus.n * copies);
	assert_int_equal(rec_count(&o.ev, EV_CONN_OPEN), 2 * copies);
	assert_int_equal(rec_count(&o.ev, EV_CONN_FIN), 4 * copies);
	assert_int_equal(rec_count(&o.ev, EV_NOTE), 0);
	assert_int_equal(o.st.peak_tracked_conns, 2);
	/* ids count up: copy k's connections are 2k+1 and 2k+2 */
	const struct rev *last = rec_nth(&o.ev, EV_CONN_OPEN, 2 * copies - 1);
	assert_int_equal(last->conn, 2 * copies);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* Options: connection ids from first_conn_id; a connection table of two
 * for four interleaved connections drops the least recently active (with
 * a note) and follows it again, mid-stream, when it comes back. */
static void test_options(void **state)
{
	(void)state;
	struct sess s = { .nconn = 4, .family = AF_INET, .rounds = 3,
			  .hd = { true, false, true, false }, .dd = { true, false, false, true } };
	const char *path = spath("opts.pcap");
	struct cap_writer_opts wo = { .mss = 1460 };
	struct model m;
	write_capture(path, gen_sess, &s, &wo, &m);
	struct cap_reader_opts ro = { .first_conn_id = 100 };
	struct readout o;
	read_capture(path, &ro, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(rec_nth(&o.ev, EV_CONN_OPEN, 0)->conn, 100);
	assert_int_equal(rec_nth(&o.ev, EV_CONN_OPEN, 3)->conn, 103);
	uint32_t map[110] = { 0 };
	for (uint32_t i = 0; i < 4; i++)
		map[100 + i] = i + 1;
	assert_int_equal(assert_pdus_subset(&m, &o.ev, map, NULL), m.pdus.n);
	rec_free(&o.ev);

	ro = (struct cap_reader_opts){ .max_conns = 2 };
	read_capture(path, &ro, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.st.evicted_conns > 0);
	assert_true(o.st.peak_tracked_conns <= 2);
	assert_true(rec_count_text(&o.ev, EV_NOTE, "no longer followed") > 0);
	assert_true(o.st.pdus > 0);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* With wire events, a pcap writer on the reader's bus rewrites the
 * capture, and the rewrite reads back to the same PDUs. */
static void test_wire_events_rewrite(void **state)
{
	(void)state;
	const char *path = spath("rw-src.pcap");
	struct model m;
	write_golden(path, 536, &m);
	char src[600];
	snprintf(src, sizeof src, "%s", path);
	const char *out = spath("rw-out.pcap");
	char err[300];
	struct cap_writer *w;
	struct cap_writer_opts wo = { .mss = 1460 };
	assert_int_equal(cap_writer_open(&w, out, &wo, err, sizeof err), 0);
	struct cap_reader *r;
	struct cap_reader_opts ro = { .wire_events = true };
	assert_int_equal(cap_reader_open(&r, src, &ro, err, sizeof err), 0);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, cap_writer_observer(w));
	assert_int_equal(cap_reader_run(r, &bus), 0);
	assert_int_equal(bus.first_error, 0);
	cap_reader_close(r);
	assert_int_equal(cap_writer_close(w), 0);
	struct readout o;
	read_capture(out, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_same_pdus(&m, &o.ev, false);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* IP fragments are counted and noted; a malformed frame is noted with its
 * frame number and offset; neither stops the read. */
static void test_fragments_and_malformed(void **state)
{
	(void)state;
	const char *path = spath("frag-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	struct cap c;
	cap_load(path, &c);
	size_t fi = nth_data_frame(&c, 50001, 3);
	c.p[fi].d[14 + 6] |= 0x20; /* IPv4 more-fragments */
	size_t mi = nth_data_frame(&c, 3260, 20);
	c.p[mi].d[14] = 0x43; /* IHL 3 */
	const char *p = spath("frag.pcap");
	cap_save(p, &c);
	cap_free(&c);
	struct readout o;
	read_capture(p, NULL, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.st.fragments, 1);
	assert_int_equal(o.st.malformed_frames, 1);
	char want[96];
	snprintf(want, sizeof want, "frame %zu (record at byte offset", fi + 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, want), 1);
	snprintf(want, sizeof want, "frame %zu (record at byte offset", mi + 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, want), 1);
	assert_int_equal(rec_count_text(&o.ev, EV_NOTE, "IPv4 header length 3 words"), 1);
	assert_int_equal(rec_count(&o.ev, EV_GAP), 2);
	assert_pdus_subset(&m, &o.ev, NULL, NULL);
	rec_free(&o.ev);
	rec_free(&m.pdus);
}

/* pcapng (converted by editcap when it is there): the same PDUs, and a
 * truncated pcapng names the frame and offset too. */
static void test_pcapng(void **state)
{
	(void)state;
	if (access("/usr/bin/editcap", X_OK) != 0)
		skip();
	const char *path = spath("ng-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	char src[600];
	snprintf(src, sizeof src, "%s", path);
	const char *ng = spath("golden.pcapng");
	char ngp[600];
	snprintf(ngp, sizeof ngp, "%s", ng);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/usr/bin/editcap", "editcap", "-F", "pcapng", src, ngp, (char *)NULL);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct readout o;
	read_capture(ngp, NULL, &o);
	check_golden_events(&m, &o);
	rec_free(&o.ev);

	size_t len;
	uint8_t *b = slurp(ngp, &len);
	const char *tp = spath("trunc.pcapng");
	spit(tp, b, len - 500);
	read_capture(tp, NULL, &o);
	assert_int_equal(o.rc, CAP_ETRUNCATED);
	assert_non_null(strstr(o.err, "frame "));
	assert_non_null(strstr(o.err, "byte offset"));
	rec_free(&o.ev);
	free(b);
	rec_free(&m.pdus);
}

/* The FILE * entry point, on an in-memory capture. */
static void test_open_file_memory(void **state)
{
	(void)state;
	const char *path = spath("mem-src.pcap");
	struct model m;
	write_golden(path, 1460, &m);
	size_t len;
	uint8_t *b = slurp(path, &len);
	FILE *fp = fmemopen(b, len, "rb");
	assert_non_null(fp);
	struct cap_reader *r;
	char err[300];
	assert_int_equal(cap_reader_open_file(&r, fp, "memory", NULL, err, sizeof err), 0);
	struct readout o;
	memset(&o, 0, sizeof o);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ rec_on, &o.ev });
	assert_int_equal(cap_reader_run(r, &bus), 0);
	assert_int_equal(cap_reader_run(r, &bus), CAP_EINVAL);
	o.st = *cap_reader_stats(r);
	cap_reader_close(r);
	check_golden_events(&m, &o);
	rec_free(&o.ev);
	free(b);
	rec_free(&m.pdus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_roundtrip),
		cmocka_unit_test(test_two_connections_ipv4),
		cmocka_unit_test(test_four_connections_ipv6),
		cmocka_unit_test(test_tshark_agrees),
		cmocka_unit_test(test_drop_segment),
		cmocka_unit_test(test_duplicate_and_reorder),
		cmocka_unit_test(test_overlapping_retransmission),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_syn_missing_login_present),
		cmocka_unit_test(test_link_types_ipv4),
		cmocka_unit_test(test_link_types_ipv6),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_corrupt_record_length),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_no_iscsi_and_heuristic),
		cmocka_unit_test(test_pdu_cut_by_end),
		cmocka_unit_test(test_garbage_opcode),
		cmocka_unit_test(test_reused_tuple_and_syn_retransmission),
		cmocka_unit_test(test_long_capture_repeated_sessions),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_wire_events_rewrite),
		cmocka_unit_test(test_fragments_and_malformed),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_open_file_memory),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
