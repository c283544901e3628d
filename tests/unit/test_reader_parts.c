/* test_reader_parts.c — the capture reader's parts on their own: TCP
 * reassembly of one direction (harness/capture/tcp_reasm.c: wrap-around,
 * reordering, overlaps, the buffer cap, gaps proven by ACKs, FIN, flush),
 * iSCSI framing (harness/capture/framer.c: byte-at-a-time feeding,
 * plausibility of every opcode, resync and digest inference, login
 * learning, cut PDUs), frame decoding (harness/capture/reader_link.c:
 * every prefix of a frame, options, tags, extension headers, foreign
 * protocols) and the connection tracker's records of closed connections
 * (harness/capture/reader_conn.c: a bounded number of them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness/capture/framer.h"
#include "harness/capture/golden.h"
#include "harness/capture/reader_conn.h"
#include "harness/capture/reader_link.h"
#include "harness/capture/tcp_reasm.h"
#include "harness/event.h"
#include "pdu/pdu.h"

/* ---- reassembly: a sink that collects the stream ---- */

struct rs_out {
	uint8_t buf[1 << 16];
	uint64_t len;           /* bytes accounted for (data + gaps) */
	uint64_t data_bytes;
	int gaps;
	uint64_t gap_bytes, last_gap_off;
	int fins;
	uint64_t fin_off, fin_frame;
	int notes;
	char last_note[256];
};

static void rs_data(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct rs_out *o = ctx;
	assert_int_equal(off, o->len);
	for (size_t i = 0; i < n; i++)
		if (off + i < sizeof o->buf)
			o->buf[off + i] = p[i];
	o->len += n;
	o->data_bytes += n;
}

static void rs_gap(void *ctx, uint64_t off, uint64_t n, const char *why)
{
	struct rs_out *o = ctx;
	assert_int_equal(off, o->len);
	assert_true(n > 0);
	assert_non_null(why);
	for (uint64_t i = 0; i < n; i++)
		if (off + i < sizeof o->buf)
			o->buf[off + i] = 0xee;
	o->len += n;
	o->gaps++;
	o->gap_bytes += n;
	o->last_gap_off = off;
}

static void rs_fin(void *ctx, uint64_t off, uint64_t frame, int64_t ts)
{
	struct rs_out *o = ctx;
	(void)ts;
	assert_int_equal(off, o->len);
	o->fins++;
	o->fin_off = off;
	o->fin_frame = frame;
}

static void rs_note(void *ctx, const char *text)
{
	struct rs_out *o = ctx;
	o->notes++;
	snprintf(o->last_note, sizeof o->last_note, "%s", text);
}

static void rs_setup(struct tcp_reasm *r, struct rs_out *o, size_t cap, size_t history)
{
	memset(o, 0, sizeof *o);
	struct tcp_reasm_cfg cfg = { .cap = cap, .history = history };
	struct tcp_reasm_out out = { rs_data, rs_gap, rs_fin, rs_note, o };
	tcp_reasm_init(r, &cfg, &out);
}

static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 31 + 7);
}

/* Segment [off, off+n) of the pattern stream whose offset 0 is seq0. */
static void seg(struct tcp_reasm *r, uint32_t seq0, uint64_t off, size_t n, bool fin)
{
	uint8_t b[4096];
	assert_true(n <= sizeof b);
	for (size_t i = 0; i < n; i++)
		b[i] = pat(off + i);
	tcp_reasm_segment(r, seq0 + (uint32_t)off, b, n, n, fin, off + 1, 0);
}

static void assert_pattern(const struct rs_out *o, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (o->buf[i] != pat(i))
			fail_msg("byte %llu is 0x%02x, expected 0x%02x", (unsigned long long)i,
				 o->buf[i], pat(i));
}

static void test_reasm_in_order_across_wrap(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	const uint32_t seq0 = 0xffffff00u;
	tcp_reasm_start(&r, seq0);
	for (uint64_t off = 0; off < 3000; off += 100)
		seg(&r, seq0, off, 100, false);
	assert_int_equal(o.len, 3000);
	assert_pattern(&o, 0, 3000);
	assert_int_equal(o.gaps, 0);
	assert_int_equal(o.notes, 0);
	tcp_reasm_free(&r);
}

static void test_reasm_out_of_order(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 1000);
	static const int order[] = { 3, 1, 4, 0, 2, 6, 5 };
	for (int i = 0; i < 7; i++)
		seg(&r, 1000, (uint64_t)order[i] * 50, 50, false);
	assert_int_equal(o.len, 350);
	assert_pattern(&o, 0, 350);
	assert_true(r.st.out_of_order >= 4);
	assert_int_equal(r.buffered, 0);
	tcp_reasm_free(&r);
}

static void test_reasm_overlaps(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 100, false);
	seg(&r, 0, 0, 100, false);    /* exact */
	seg(&r, 0, 50, 100, false);   /* partial: 50 old, 50 new */
	assert_int_equal(o.len, 150);
	assert_int_equal(o.notes, 0);
	assert_int_equal(r.st.retransmitted, 150);
	/* a retransmission with different bytes: the first copy stays */
	uint8_t b[40];
	for (int i = 0; i < 40; i++)
		b[i] = (uint8_t)~pat(100 + (uint64_t)i);
	tcp_reasm_segment(&r, 100, b, 40, 40, false, 9, 0);
	assert_int_equal(o.notes, 1);
	assert_non_null(strstr(o.last_note, "differ from the first copy"));
	assert_int_equal(r.st.differing, 1);
	assert_pattern(&o, 0, 150);
	/* overlaps inside the out-of-order buffer */
	seg(&r, 0, 300, 100, false);
	for (int i = 0; i < 40; i++)
		b[i] = (uint8_t)~pat(320 + (uint64_t)i);
	tcp_reasm_segment(&r, 320, b, 40, 40, false, 10, 0); /* differs, inside */
	seg(&r, 0, 250, 200, false);                          /* spans it */
	assert_int_equal(o.notes, 2);
	seg(&r, 0, 150, 100, false);
	assert_int_equal(o.len, 450);
	assert_pattern(&o, 0, 450);
	tcp_reasm_free(&r);
}

/* A history ring handed back to the pool serves the next direction, which
 * still tells a differing retransmission from its own bytes. */
static void test_reasm_history_pool(void **state)
{
	(void)state;
	struct tcp_hist_pool pool = { .n = 0 };
	struct tcp_reasm r;
	struct rs_out o;
	memset(&o, 0, sizeof o);
	struct tcp_reasm_cfg cfg = { .history = 256, .pool = &pool };
	struct tcp_reasm_out out = { rs_data, rs_gap, rs_fin, rs_note, &o };
	tcp_reasm_init(&r, &cfg, &out);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 100, false);
	uint8_t *ring = r.hist;
	assert_non_null(ring);
	tcp_reasm_free(&r);
	assert_int_equal(pool.n, 1);
	assert_ptr_equal(pool.spare[0], ring);

	memset(&o, 0, sizeof o);
	tcp_reasm_init(&r, &cfg, &out);
	tcp_reasm_start(&r, 5000);
	seg(&r, 5000, 0, 100, false);
	assert_ptr_equal(r.hist, ring);
	assert_int_equal(pool.n, 0);
	seg(&r, 5000, 0, 100, false);           /* the same bytes again */
	assert_int_equal(o.notes, 0);
	uint8_t b[20];
	for (int i = 0; i < 20; i++)
		b[i] = (uint8_t)~pat(10 + (uint64_t)i);
	tcp_reasm_segment(&r, 5010, b, 20, 20, false, 3, 0);
	assert_int_equal(o.notes, 1);           /* differs from this stream's */
	tcp_reasm_free(&r);

	/* a ring of another size is not pooled with these */
	struct tcp_reasm_cfg other = { .history = 512, .pool = &pool };
	memset(&o, 0, sizeof o);
	tcp_reasm_init(&r, &other, &out);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 10, false);
	tcp_reasm_free(&r);
	assert_int_equal(pool.n, 1);
	assert_int_equal(pool.size, 256);
	tcp_hist_pool_free(&pool);
	assert_int_equal(pool.n, 0);
}

static void test_reasm_cap_declares_gap(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 1000, 0);
	tcp_reasm_start(&r, 7);
	seg(&r, 7, 0, 100, false);
	/* 100..110 never comes; more than 1000 bytes pile up behind it */
	for (uint64_t off = 110; off < 2000; off += 100)
		seg(&r, 7, off, 100, false);
	assert_int_equal(o.gaps, 1);
	assert_int_equal(o.gap_bytes, 10);
	assert_int_equal(o.last_gap_off, 100);
	assert_true(o.len >= 1110);
	assert_pattern(&o, 0, 100);
	assert_pattern(&o, 110, o.len);
	tcp_reasm_free(&r);
}

static void test_reasm_ack_proves_gap(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 100, false);
	tcp_reasm_ack(&r, 200);        /* the receiver has 100..200: not seen */
	assert_int_equal(o.gaps, 0);   /* nothing proves it yet: data may lag */
	seg(&r, 0, 200, 100, false);
	assert_int_equal(o.gaps, 1);
	assert_int_equal(o.gap_bytes, 100);
	assert_int_equal(o.len, 300);
	/* data buffered first, the ACK proves the hole afterwards */
	seg(&r, 0, 350, 50, false);
	assert_int_equal(o.len, 300);
	tcp_reasm_ack(&r, 400);
	assert_int_equal(o.gaps, 2);
	assert_int_equal(o.len, 400);
	assert_pattern(&o, 350, 400);
	/* an ACK from the past or absurdly far ahead changes nothing */
	tcp_reasm_ack(&r, 10);
	tcp_reasm_ack(&r, 0x7fffffffu);
	assert_int_equal(o.gaps, 2);
	tcp_reasm_free(&r);
}

static void test_reasm_fin(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 100);
	seg(&r, 100, 0, 50, false);
	seg(&r, 100, 100, 50, true);   /* FIN after a hole */
	assert_int_equal(o.fins, 0);
	seg(&r, 100, 50, 50, false);   /* the hole fills: FIN reached */
	assert_int_equal(o.fins, 1);
	assert_int_equal(o.fin_off, 150);
	assert_int_equal(o.fin_frame, 101);
	/* bytes after the FIN are ignored with a note */
	seg(&r, 100, 150, 10, false);
	assert_int_equal(o.len, 150);
	assert_int_equal(o.notes, 1);
	tcp_reasm_free(&r);

	/* the FIN acknowledged with a hole before it: a gap, then the FIN */
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 10, false);
	tcp_reasm_segment(&r, 30, NULL, 0, 0, true, 5, 0);
	tcp_reasm_ack(&r, 31);
	assert_int_equal(o.gaps, 1);
	assert_int_equal(o.gap_bytes, 20);
	assert_int_equal(o.fins, 1);
	assert_int_equal(o.fin_off, 30);
	tcp_reasm_free(&r);
}

static void test_reasm_flush_and_limits(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rs_out o;
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 10, false);
	seg(&r, 0, 20, 10, false);
	seg(&r, 0, 40, 10, false);
	/* far ahead: dropped */
	tcp_reasm_segment(&r, 0x50000000u, (const uint8_t *)"x", 1, 1, false, 7, 0);
	assert_int_equal(r.st.dropped, 1);
	assert_int_equal(o.notes, 1);
	/* bytes before the stream's start are ignored */
	tcp_reasm_segment(&r, 0xfffffff0u, (const uint8_t *)"0123456789abcdef", 16, 16, false, 8, 0);
	assert_int_equal(o.len, 10);
	/* a segment the snap length cut: 5 of 10 bytes captured */
	uint8_t b[5];
	for (int i = 0; i < 5; i++)
		b[i] = pat(50 + (uint64_t)i);
	tcp_reasm_segment(&r, 50, b, 5, 10, false, 9, 0);
	tcp_reasm_ack(&r, 70);
	tcp_reasm_flush(&r, "the end");
	/* holes 10..20, 30..40, 55..60 and 60..70 (acknowledged, never seen) */
	assert_int_equal(o.len, 70);
	assert_int_equal(o.gap_bytes, 10 + 10 + 15);
	assert_pattern(&o, 0, 10);
	assert_pattern(&o, 20, 30);
	assert_pattern(&o, 40, 55);
	tcp_reasm_free(&r);

	/* notes are limited, with a count at the flush */
	rs_setup(&r, &o, 0, 0);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 100, false);
	for (int i = 0; i < 20; i++) {
		uint8_t x = (uint8_t)~pat((uint64_t)i);
		tcp_reasm_segment(&r, (uint32_t)i, &x, 1, 1, false, 1, 0);
	}
	assert_int_equal(o.notes, TCP_REASM_MAX_NOTES);
	tcp_reasm_flush(&r, "the end");
	assert_int_equal(o.notes, TCP_REASM_MAX_NOTES + 1);
	assert_non_null(strstr(o.last_note, "12 more"));
	tcp_reasm_free(&r);

	/* no history: retransmissions are not compared */
	rs_setup(&r, &o, 0, SIZE_MAX);
	tcp_reasm_start(&r, 0);
	seg(&r, 0, 0, 100, false);
	uint8_t y = 0;
	tcp_reasm_segment(&r, 5, &y, 1, 1, false, 1, 0);
	assert_int_equal(o.notes, 0);
	assert_int_equal(r.st.retransmitted, 1);
	tcp_reasm_free(&r);
}

/* ---- framing ---- */

struct fr_rec {
	struct framer_sink sink;
	size_t n;
	struct {
		enum ev_kind kind;
		uint32_t conn;
		enum ev_dir dir;
		size_t len;
		uint64_t off;
		struct pdu_digests dg;
		uint32_t crc;
		char text[200];
	} e[512];
};

static int fr_on(void *ctx, const struct event *ev)
{
	struct fr_rec *r = ctx;
	assert_true(r->n < 512);
	r->e[r->n].kind = ev->kind;
	r->e[r->n].conn = ev->conn;
	r->e[r->n].dir = ev->dir;
	r->e[r->n].len = ev->len;
	r->e[r->n].off = ev->stream_offset;
	r->e[r->n].dg = ev->digests;
	r->e[r->n].crc = ev->bytes ? pdu_crc32c(ev->bytes, ev->len) : 0;
	snprintf(r->e[r->n].text, sizeof r->e[0].text, "%s", ev->text ? ev->text : "");
	r->n++;
	return 0;
}

/* The golden session's wire bytes, per connection and direction, and its
 * PDUs. */
struct gold {
	uint8_t *wire[3][2];
	size_t len[3][2];
	size_t n_pdus;
	struct { uint32_t conn; enum ev_dir dir; size_t len; uint64_t off; uint32_t crc;
		 struct pdu_digests dg; } pdu[256];
	struct { uint32_t conn; enum ev_dir dir; size_t off, len; } writes[256];
	size_t n_writes;
};

static int gold_on(void *ctx, const struct event *ev)
{
	struct gold *g = ctx;
	if (ev->kind == EV_WIRE) {
		size_t *l = &g->len[ev->conn][ev->dir];
		g->wire[ev->conn][ev->dir] = realloc(g->wire[ev->conn][ev->dir], *l + ev->len);
		memcpy(g->wire[ev->conn][ev->dir] + *l, ev->bytes, ev->len);
		g->writes[g->n_writes].conn = ev->conn;
		g->writes[g->n_writes].dir = ev->dir;
		g->writes[g->n_writes].off = *l;
		g->writes[g->n_writes].len = ev->len;
		g->n_writes++;
		*l += ev->len;
	} else if (ev->kind == EV_PDU) {
		g->pdu[g->n_pdus].conn = ev->conn;
		g->pdu[g->n_pdus].dir = ev->dir;
		g->pdu[g->n_pdus].len = ev->len;
		g->pdu[g->n_pdus].off = g->writes[g->n_writes - 1].off;
		g->pdu[g->n_pdus].crc = pdu_crc32c(ev->bytes, ev->len);
		g->pdu[g->n_pdus].dg = ev->digests;
		g->n_pdus++;
	}
	return 0;
}

static void gold_load(struct gold *g)
{
	memset(g, 0, sizeof *g);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ gold_on, g });
	assert_int_equal(golden_emit(&bus), 0);
}

static void gold_free(struct gold *g)
{
	for (int c = 0; c < 3; c++)
		for (int d = 0; d < 2; d++)
			free(g->wire[c][d]);
}

struct fr_conn {
	struct framer_conn fc;
	struct framer_dir fd[2];
};

static void fr_setup(struct fr_rec *r, struct ev_bus *bus, struct fr_conn *fc,
		     uint32_t id, enum framer_dg_mode mode, bool in_sync)
{
	r->sink.bus = bus;
	framer_conn_init(&fc->fc, &r->sink, id, mode);
	framer_dir_init(&fc->fd[0], &fc->fc, EV_DIR_I2T, in_sync);
	framer_dir_init(&fc->fd[1], &fc->fc, EV_DIR_T2I, in_sync);
}

static void fr_teardown(struct fr_conn *fc)
{
	framer_end(&fc->fd[0], "the end");
	framer_end(&fc->fd[1], "the end");
	framer_conn_free(&fc->fc);
}

/* The golden session fed write by write with each write cut into chunks
 * of `chunk` bytes: the PDUs come out as they were written, with the
 * digests connection 2 negotiated. */
static void frame_golden(size_t chunk)
{
	struct gold *g = malloc(sizeof *g);
	assert_non_null(g);
	gold_load(g);
	struct fr_rec *r = calloc(1, sizeof *r);
	assert_non_null(r);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ fr_on, r });
	struct fr_conn c[3];
	for (uint32_t id = 1; id <= 2; id++)
		fr_setup(r, &bus, &c[id], id, FRAMER_DG_LOGIN, true);
	for (size_t w = 0; w < g->n_writes; w++) {
		uint32_t id = g->writes[w].conn;
		enum ev_dir d = g->writes[w].dir;
		const uint8_t *p = g->wire[id][d] + g->writes[w].off;
		for (size_t k = 0; k < g->writes[w].len; k += chunk) {
			size_t n = g->writes[w].len - k < chunk ? g->writes[w].len - k : chunk;
			assert_int_equal(framer_data(&c[id].fd[d], g->writes[w].off + k, p + k, n), 0);
		}
	}
	for (uint32_t id = 1; id <= 2; id++)
		fr_teardown(&c[id]);
	assert_int_equal(r->n, g->n_pdus);
	for (size_t i = 0; i < r->n; i++) {
		assert_int_equal(r->e[i].kind, EV_PDU);
		assert_int_equal(r->e[i].conn, g->pdu[i].conn);
		assert_int_equal(r->e[i].dir, g->pdu[i].dir);
		assert_int_equal(r->e[i].len, g->pdu[i].len);
		assert_int_equal(r->e[i].off, g->pdu[i].off);
		assert_int_equal(r->e[i].crc, g->pdu[i].crc);
		assert_int_equal(r->e[i].dg.header, g->pdu[i].dg.header);
		assert_int_equal(r->e[i].dg.data, g->pdu[i].dg.data);
	}
	free(r);
	gold_free(g);
	free(g);
}

static void test_framer_chunking(void **state)
{
	(void)state;
	static const size_t chunks[] = { 1, 3, 47, 48, 49, 1000, 100000 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++)
		frame_golden(chunks[i]);
}

/* Every opcode as the golden session encodes it is plausible in its own
 * direction and not in the other; bit flips in reserved places are not. */
static void test_framer_plausible(void **state)
{
	(void)state;
	struct gold *g = malloc(sizeof *g);
	assert_non_null(g);
	gold_load(g);
	bool seen[64] = { false };
	for (size_t w = 0; w < g->n_writes; w++) {
		const uint8_t *b = g->wire[g->writes[w].conn][g->writes[w].dir] + g->writes[w].off;
		enum ev_dir d = g->writes[w].dir;
		if (!framer_plausible_bhs(b, d))
			fail_msg("golden opcode 0x%02x is not plausible", b[0]);
		assert_false(framer_plausible_bhs(b, d == EV_DIR_I2T ? EV_DIR_T2I : EV_DIR_I2T));
		seen[b[0] & 0x3f] = true;
		uint8_t x[48];
		memcpy(x, b, 48);
		x[0] |= 0x80;
		assert_false(framer_plausible_bhs(x, d));
	}
	for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++)
		assert_true(seen[pdu_defined_opcodes[i]]);
	/* zeros (as in a zero-filled data segment) are never a BHS */
	uint8_t z[48] = { 0 };
	assert_false(framer_plausible_bhs(z, EV_DIR_I2T));
	assert_false(framer_plausible_bhs(z, EV_DIR_T2I));
	gold_free(g);
	free(g);
}

/* Connection 2's target stream from the middle of a PDU: the framer
 * resynchronises at the next PDU and infers CRC32C both ways. */
static void test_framer_resync_infers_digests(void **state)
{
	(void)state;
	struct gold *g = malloc(sizeof *g);
	assert_non_null(g);
	gold_load(g);
	struct fr_rec *r = calloc(1, sizeof *r);
	assert_non_null(r);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ fr_on, r });
	struct fr_conn c;
	fr_setup(r, &bus, &c, 2, FRAMER_DG_INFER, false);
	/* the 3rd Full Feature Phase PDU of connection 2 from the target, + 5 */
	size_t k = 0, start = 0;
	for (size_t i = 0; i < g->n_pdus; i++)
		if (g->pdu[i].conn == 2 && g->pdu[i].dir == EV_DIR_T2I && g->pdu[i].dg.header &&
		    ++k == 3)
			start = g->pdu[i].off + 5;
	assert_true(start > 0);
	size_t len = g->len[2][EV_DIR_T2I];
	framer_data(&c.fd[1], 0, g->wire[2][EV_DIR_T2I] + start, len - start);
	fr_teardown(&c);
	size_t pdus = 0, resyncs = 0, notes = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->e[i].kind == EV_PDU) {
			pdus++;
			assert_true(r->e[i].dg.header);
			/* a PDU without data tells nothing of the data digest */
			if (r->e[i].len > PDU_BHS_LEN + PDU_DIGEST_LEN)
				assert_true(r->e[i].dg.data);
		} else if (r->e[i].kind == EV_RESYNC) {
			resyncs++;
		} else if (r->e[i].kind == EV_NOTE) {
			notes++;
			assert_non_null(strstr(r->e[i].text, "=CRC32C"));
		}
	}
	size_t expect = 0;
	for (size_t i = 0; i < g->n_pdus; i++)
		expect += g->pdu[i].conn == 2 && g->pdu[i].dir == EV_DIR_T2I && g->pdu[i].off > start - 5;
	assert_int_equal(pdus, expect);
	assert_int_equal(resyncs, 1);
	assert_int_equal(notes, 2);
	free(r);
	gold_free(g);
	free(g);
}

/* Login learning: the target answers one key, and the initiator answers a
 * key the target offered; a gap in the login turns learning into
 * inference; a stream cut inside a BHS is a note. */
static void test_framer_login_learning(void **state)
{
	(void)state;
	struct fr_rec *r = calloc(1, sizeof *r);
	assert_non_null(r);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ fr_on, r });
	struct fr_conn c;
	fr_setup(r, &bus, &c, 1, FRAMER_DG_LOGIN, true);
	uint8_t buf[512];
	struct pdu_hdr h;
	memset(&h, 0, sizeof h);
	/* target offers DataDigest, initiator answers CRC32C; target answers
	 * HeaderDigest=None */
	h.opcode = PDU_OP_LOGIN_REQ;
	h.immediate = true;
	h.csg = 1;
	static const char req[] = "HeaderDigest=None,CRC32C\0DataDigest=CRC32C";
	long n = pdu_build(&h, NULL, 0, (const uint8_t *)req, sizeof req, (struct pdu_digests){ 0 },
			   true, buf, sizeof buf);
	framer_data(&c.fd[0], 0, buf, (size_t)n);
	uint64_t ioff = (uint64_t)n;
	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_LOGIN_RSP;
	h.transit = true;
	h.csg = 1;
	h.nsg = 3;
	static const char rsp[] = "HeaderDigest=None\0DataDigest=None,CRC32C";
	n = pdu_build(&h, NULL, 0, (const uint8_t *)rsp, sizeof rsp, (struct pdu_digests){ 0 },
		      true, buf, sizeof buf);
	framer_data(&c.fd[1], 0, buf, (size_t)n);
	assert_int_equal(c.fc.mode, FRAMER_DG_KNOWN);
	assert_false(c.fc.dg.header);
	assert_true(c.fc.dg.data);
	/* a NOP-Out with 5 data bytes and a data digest */
	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_NOP_OUT;
	h.immediate = true;
	h.final = true;
	h.itt = 1;
	h.ttt = PDU_RESERVED_TAG;
	n = pdu_build(&h, NULL, 0, (const uint8_t *)"hello", 5, (struct pdu_digests){ false, true },
		      true, buf, sizeof buf);
	framer_data(&c.fd[0], ioff, buf, (size_t)n);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->e[2].len, (size_t)n);
	assert_true(r->e[2].dg.data);
	/* cut inside a BHS at the end */
	framer_data(&c.fd[0], ioff + (uint64_t)n, buf, 20);
	framer_end(&c.fd[0], "the end of the capture");
	assert_int_equal(r->n, 4);
	assert_int_equal(r->e[3].kind, EV_NOTE);
	assert_non_null(strstr(r->e[3].text, "after 20 bytes of its BHS"));
	fr_teardown(&c);

	/* a gap during the login: digests are inferred afterwards */
	r->n = 0;
	fr_setup(r, &bus, &c, 2, FRAMER_DG_LOGIN, true);
	framer_gap(&c.fd[1], 0, 300);
	assert_int_equal(c.fc.mode, FRAMER_DG_INFER);
	fr_teardown(&c);
	free(r);
}

/* ---- frame decoding ---- */

static size_t build_frame(uint8_t *f, bool v6, size_t payload)
{
	size_t n = 0;
	memset(f, 0, 14 + 40 + 20 + payload);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	n = 14;
	size_t tcp_len = 20 + payload;
	if (v6) {
		f[n] = 0x60;
		f[n + 4] = (uint8_t)(tcp_len >> 8);
		f[n + 5] = (uint8_t)tcp_len;
		f[n + 6] = 6;
		f[n + 7] = 64;
		n += 40;
	} else {
		f[n] = 0x46; /* with 4 bytes of options */
		size_t tot = 24 + tcp_len;
		f[n + 2] = (uint8_t)(tot >> 8);
		f[n + 3] = (uint8_t)tot;
		f[n + 8] = 64;
		f[n + 9] = 6;
		f[n + 20] = 1; /* NOP options */
		f[n + 21] = 1;
		f[n + 22] = 1;
		f[n + 23] = 0;
		n += 24;
	}
	f[n] = 0x0c; /* port 3260 */
	f[n + 1] = 0xbc;
	f[n + 2] = 0xc3;
	f[n + 3] = 0x51;
	f[n + 4] = 0xff; /* seq */
	f[n + 12] = 0x50;
	f[n + 13] = 0x18;
	n += 20;
	for (size_t i = 0; i < payload; i++)
		f[n + i] = (uint8_t)i;
	return n + payload;
}

static void test_link_every_prefix(void **state)
{
	(void)state;
	uint8_t f[2000];
	for (int v6 = 0; v6 < 2; v6++) {
		size_t n = build_frame(f, v6, 100);
		struct rd_result res;
		rd_decode(DLT_EN10MB, f, n, 0, &res);
		assert_int_equal(res.kind, RD_TCP);
		assert_int_equal(res.seg.len, 100);
		assert_int_equal(res.seg.wire_len, 100);
		assert_int_equal(res.seg.sport, 3260);
		assert_int_equal(res.seg.family, v6 ? AF_INET6 : AF_INET);
		assert_int_equal(res.seg.flags, 0x18);
		/* padding after the IP packet is not payload */
		rd_decode(DLT_EN10MB, f, n + 30, 0, &res);
		assert_int_equal(res.seg.len, 100);
		size_t hdrs = n - 100;
		for (size_t k = 0; k < n; k++) {
			uint8_t *copy = malloc(k ? k : 1);
			assert_non_null(copy);
			memcpy(copy, f, k);
			rd_decode(DLT_EN10MB, copy, k, 0, &res);
			if (k < hdrs) {
				assert_int_equal(res.kind, RD_MALFORMED);
				assert_true(res.offset <= k);
				assert_true(res.why[0] != 0);
			} else {
				/* the snap length cut the payload only */
				assert_int_equal(res.kind, RD_TCP);
				assert_int_equal(res.seg.len, k - hdrs);
				assert_int_equal(res.seg.wire_len, 100);
			}
			free(copy);
		}
	}
}

static void test_link_oddities(void **state)
{
	(void)state;
	uint8_t f[4000], g[4100];
	struct rd_result res;
	size_t n = build_frame(f, false, 10);
	/* nine VLAN tags are too many, eight are fine */
	for (int tags = 8; tags <= 9; tags++) {
		memcpy(g, f, 12);
		for (int t = 0; t < tags; t++) {
			g[12 + 4 * t] = 0x81;
			g[13 + 4 * t] = 0x00;
			g[14 + 4 * t] = 0;
			g[15 + 4 * t] = (uint8_t)t;
		}
		memcpy(g + 12 + 4 * tags, f + 12, n - 12);
		rd_decode(DLT_EN10MB, g, n + 4 * (size_t)tags, 0, &res);
		assert_int_equal(res.kind, tags == 8 ? RD_TCP : RD_MALFORMED);
	}
	/* ARP, an 802.3 length, UDP, ESP over IPv6 */
	memcpy(g, f, n);
	g[12] = 0x08;
	g[13] = 0x06;
	rd_decode(DLT_EN10MB, g, n, 0, &res);
	assert_int_equal(res.kind, RD_NOT_IP);
	g[12] = 0x00;
	g[13] = 0x40;
	rd_decode(DLT_EN10MB, g, n, 0, &res);
	assert_int_equal(res.kind, RD_NOT_IP);
	assert_non_null(strstr(res.why, "802.3"));
	memcpy(g, f, n);
	g[14 + 9] = 17;
	rd_decode(DLT_EN10MB, g, n, 0, &res);
	assert_int_equal(res.kind, RD_NOT_TCP);
	size_t n6 = build_frame(f, true, 10);
	memcpy(g, f, n6);
	g[14 + 6] = 50;
	rd_decode(DLT_EN10MB, g, n6, 0, &res);
	assert_int_equal(res.kind, RD_NOT_TCP);
	/* IPv6 payload length 0: segmentation offload, the frame's length
	 * counts (as does IPv4 total length 0) */
	memcpy(g, f, n6);
	g[14 + 4] = g[14 + 5] = 0;
	rd_decode(DLT_EN10MB, g, n6, 0, &res);
	assert_int_equal(res.kind, RD_TCP);
	assert_int_equal(res.seg.len, 10);
	rd_decode(DLT_EN10MB, g, 54, 0, &res);
	assert_int_equal(res.kind, RD_MALFORMED);
	size_t n4 = build_frame(f, false, 3000 - 78);
	memcpy(g, f, 200);
	g[14 + 2] = g[14 + 3] = 0;
	rd_decode(DLT_EN10MB, g, 200, n4, &res);   /* snap length 200 */
	assert_int_equal(res.kind, RD_TCP);
	assert_int_equal(res.seg.wire_len, 3000 - 78);
	assert_int_equal(res.seg.len, 200 - 58); /* 14 + 24 (options) + 20 */
	n6 = build_frame(f, true, 10);
	/* seventeen extension headers */
	memcpy(g, f, 54);
	g[14 + 6] = 0;
	for (int k = 0; k < 17; k++) {
		uint8_t *x = g + 54 + 8 * k;
		memset(x, 0, 8);
		x[0] = k == 16 ? 6 : 60;
		x[2] = 1;
		x[3] = 4;
	}
	memcpy(g + 54 + 17 * 8, f + 54, n6 - 54);
	size_t plen = n6 - 54 + 17 * 8;
	g[14 + 4] = (uint8_t)(plen >> 8);
	g[14 + 5] = (uint8_t)plen;
	rd_decode(DLT_EN10MB, g, n6 + 17 * 8, 0, &res);
	assert_int_equal(res.kind, RD_MALFORMED);
	/* an IPv6 fragment that is not the whole packet */
	memcpy(g, f, 54);
	g[14 + 6] = 44;
	uint8_t fr[8] = { 6, 0, 0, 1, 0, 0, 0, 9 };  /* M=1 */
	memcpy(g + 54, fr, 8);
	memcpy(g + 62, f + 54, n6 - 54);
	plen = n6 - 54 + 8;
	g[14 + 4] = (uint8_t)(plen >> 8);
	g[14 + 5] = (uint8_t)plen;
	rd_decode(DLT_EN10MB, g, n6 + 8, 0, &res);
	assert_int_equal(res.kind, RD_FRAGMENT);
	/* loopback with an unknown family; an unknown link type */
	uint8_t lo[60] = { 17, 0, 0, 0 };
	rd_decode(DLT_NULL, lo, sizeof lo, 0, &res);
	assert_int_equal(res.kind, RD_NOT_IP);
	rd_decode(DLT_PPP, lo, sizeof lo, 0, &res);
	assert_int_equal(res.kind, RD_NOT_IP);
	assert_false(rd_link_supported(DLT_PPP));
	char nb[32];
	assert_string_equal(rd_link_name(DLT_PPP, nb), "link type 9");
	/* a TCP data offset below 5, and one past the packet */
	n = build_frame(f, false, 10);
	memcpy(g, f, n);
	g[14 + 24 + 12] = 0x40;
	rd_decode(DLT_EN10MB, g, n, 0, &res);
	assert_int_equal(res.kind, RD_MALFORMED);
	g[14 + 24 + 12] = 0xf0;
	rd_decode(DLT_EN10MB, g, n, 0, &res);
	assert_int_equal(res.kind, RD_MALFORMED);
	rd_decode(DLT_EN10MB, NULL, 0, 0, &res);
	assert_int_equal(res.kind, RD_MALFORMED);
}

/* ---- the connection tracker: closed connections ---- */

static void rc_seg(struct rc_tracker *t, struct framer_sink *sink, uint32_t i,
		bool to_target, uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t ini[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	uint8_t tgt[4] = { 192, 0, 2, 1 };
	struct rd_segment s = {
		.family = AF_INET, .src = to_target ? ini : tgt,
		.dst = to_target ? tgt : ini,
		.sport = to_target ? 40000 : 3260, .dport = to_target ? 3260 : 40000,
		.seq = seq, .ack = ack, .flags = flags,
	};
	sink->frame++;
	sink->ts_ns += 1000000; /* 1 ms a segment: all within 300 s */
	rc_segment(t, &s);
}

/* Connection after connection opened and closed (SYN, SYN-ACK, both FINs)
 * within the tombstone time: the records kept for late segments stay
 * bounded by RC_MAX_TOMBSTONES, and a late segment of a recent one is
 * still absorbed as stray. */
static void test_conn_closed_records_bounded(void **state)
{
	(void)state;
	struct ev_bus bus;
	ev_bus_init(&bus);
	struct framer_sink sink = { .bus = &bus };
	struct rc_opts o = { 0 };
	struct rc_tracker *t;
	assert_int_equal(rc_new(&t, &o, &sink), 0);
	const uint32_t n = RC_MAX_TOMBSTONES + 1000;
	size_t most = 0;
	for (uint32_t i = 0; i < n; i++) {
		rc_seg(t, &sink, i, true, RD_TH_SYN, 1000, 0);
		rc_seg(t, &sink, i, false, RD_TH_SYN | RD_TH_ACK, 5000, 1001);
		rc_seg(t, &sink, i, true, RD_TH_FIN | RD_TH_ACK, 1001, 5001);
		rc_seg(t, &sink, i, false, RD_TH_FIN | RD_TH_ACK, 5001, 1002);
		if (rc_tracked(t) > most)
			most = rc_tracked(t);
	}
	assert_int_equal(rc_stats(t)->iscsi_conns, n);
	assert_true(most >= RC_MAX_TOMBSTONES && most <= RC_MAX_TOMBSTONES + 1);
	uint64_t stray = rc_stats(t)->stray_segments;
	rc_seg(t, &sink, n - 1, false, RD_TH_FIN | RD_TH_ACK, 5001, 1002);
	assert_int_equal(rc_stats(t)->stray_segments, stray + 1);
	assert_int_equal(rc_stats(t)->iscsi_conns, n);
	rc_finish(t, "the end of the test");
	assert_int_equal(rc_tracked(t), 0);
	rc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasm_in_order_across_wrap),
		cmocka_unit_test(test_reasm_out_of_order),
		cmocka_unit_test(test_reasm_overlaps),
		cmocka_unit_test(test_reasm_cap_declares_gap),
		cmocka_unit_test(test_reasm_ack_proves_gap),
		cmocka_unit_test(test_reasm_fin),
		cmocka_unit_test(test_reasm_flush_and_limits),
		cmocka_unit_test(test_reasm_history_pool),
		cmocka_unit_test(test_framer_chunking),
		cmocka_unit_test(test_framer_plausible),
		cmocka_unit_test(test_framer_resync_infers_digests),
		cmocka_unit_test(test_framer_login_learning),
		cmocka_unit_test(test_link_every_prefix),
		cmocka_unit_test(test_link_oddities),
		cmocka_unit_test(test_conn_closed_records_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
