/* test_net_server.c — the TCP carrier of harness/net/server.h, driven over
 * real loopback sockets (127.0.0.1:0 and [::1]:0) by a client in the same
 * thread that alternates its own non-blocking I/O with bounded runs of the
 * loop. The engine is an echo: a NOP-Out in, a NOP-In out with the same
 * ITT and data; a few ITTs make it switch digests, close or reset.
 *
 * Covered: framing across 1-byte writes and many PDUs in one write, a PDU
 * that stalls half-way, digests switched mid-stream by the engine, header
 * and data digest errors, a data segment over the limit, a 4 MiB echo
 * that fills the socket, the peer's FIN and RST, the engine's FIN and RST,
 * 1,000 connections opened and dropped, the connection limit, accepting
 * paused while out of fds, and the event bus: order of the
 * events and a pcap written from them that tshark decodes as iSCSI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/capture/pcap_writer.h"
#include "harness/event.h"
#include "harness/net/loop.h"
#include "harness/net/server.h"
#include "pdu/pdu.h"
#include "tests/support/scratch.h"
#include "tests/support/tshark.h"

#define PUMP_ROUNDS 500       /* loop runs of PUMP_MS at most per wait */
#define PUMP_MS 10
#define MAX_RCS 256

/* ITTs the echo engine acts on besides echoing. */
#define ITT_DIGESTS_ON 0xd1
#define ITT_CLOSE 0xc1
#define ITT_RESET 0xc2

/* ---- the echo engine ---- */

struct echo {
	struct proto_io io;
	int opened, closed, pdus;
	uint32_t last_conn;
	enum proto_close_why why;
	int rcs[MAX_RCS];
	struct pdu_digests dgs[MAX_RCS];
	int send_after_close;   /* what send returned after a close */
	struct pdu_digests open_dg;
};

static void echo_opened(void *engine, uint32_t conn, const struct ev_endpoints *ep)
{
	struct echo *e = engine;
	assert_non_null(ep);
	e->opened++;
	e->last_conn = conn;
	if (e->open_dg.header || e->open_dg.data)
		e->io.set_rx_digests(e->io.ctx, conn, e->open_dg);
}

static void echo_pdu(void *engine, uint32_t conn, const uint8_t *bytes, size_t len,
		     struct pdu_digests dg, int parse_rc)
{
	struct echo *e = engine;
	if (e->pdus < MAX_RCS) {
		e->rcs[e->pdus] = parse_rc;
		e->dgs[e->pdus] = dg;
	}
	e->pdus++;
	if (parse_rc != PDU_OK)
		return;
	struct pdu_view v;
	assert_int_equal(pdu_parse(bytes, len, dg, &v, NULL), PDU_OK);
	struct pdu_hdr in;
	pdu_hdr_decode(bytes, &in);
	assert_int_equal(in.opcode, PDU_OP_NOP_OUT);
	struct pdu_hdr out = { .opcode = PDU_OP_NOP_IN, .final = true, .itt = in.itt,
			       .ttt = PDU_RESERVED_TAG, .statsn = in.cmdsn };
	size_t cap = pdu_wire_len(0, v.data_len, (struct pdu_digests){ 0 });
	uint8_t *reply = malloc(cap);
	assert_non_null(reply);
	long n = pdu_build(&out, NULL, 0, v.data, v.data_len, (struct pdu_digests){ 0 }, true, reply, cap);
	assert_true(n > 0);
	assert_int_equal(e->io.send(e->io.ctx, conn, reply, (size_t)n, (struct pdu_digests){ 0 }), 0);
	if (in.itt == ITT_DIGESTS_ON)
		e->io.set_rx_digests(e->io.ctx, conn, (struct pdu_digests){ true, true });
	if (in.itt == ITT_CLOSE || in.itt == ITT_RESET) {
		e->io.close(e->io.ctx, conn, in.itt == ITT_RESET);
		e->send_after_close = e->io.send(e->io.ctx, conn, reply, (size_t)n, (struct pdu_digests){ 0 });
	}
	free(reply);
}

static void echo_closed(void *engine, uint32_t conn, enum proto_close_why why)
{
	struct echo *e = engine;
	(void)conn;
	e->closed++;
	e->why = why;
}

/* ---- a server on loopback ---- */

struct rig {
	struct net_loop *loop;
	struct net_server *srv;
	struct echo echo;
	int family;
};

static int rig_start(struct rig *r, const char *addr, const struct net_server_opts *extra)
{
	char err[256];
	memset(r, 0, sizeof *r);
	r->family = addr[0] == '[' ? AF_INET6 : AF_INET;
	assert_int_equal(net_loop_create(&r->loop, err, sizeof err), 0);
	struct net_server_opts o = extra ? *extra : (struct net_server_opts){ 0 };
	const char *listen[] = { addr };
	o.listen = listen;
	o.n_listen = 1;
	struct proto_engine_ops ops = { &r->echo, echo_opened, echo_pdu, echo_closed };
	if (net_server_create(&r->srv, r->loop, &o, ops, err, sizeof err) < 0) {
		print_message("%s\n", err);
		net_loop_free(r->loop);
		return -1;
	}
	r->echo.io = net_server_io(r->srv);
	assert_int_not_equal(net_server_port(r->srv, 0), 0);
	assert_int_equal(net_server_port(r->srv, 1), 0);
	return 0;
}

static void rig_stop(struct rig *r)
{
	net_server_free(r->srv);
	net_loop_free(r->loop);
}

/* A connected client socket (blocking connect, then non-blocking I/O). */
static int rig_connect(const struct rig *r)
{
	int fd = socket(r->family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	uint16_t port = htons(net_server_port(r->srv, 0));
	if (r->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = port;
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = port;
		sl = sizeof *s4;
	}
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	return fd;
}

/* Run the loop until *counter reaches want (bounded). */
static void pump_until(struct rig *r, const int *counter, int want)
{
	for (int i = 0; i < PUMP_ROUNDS && *counter < want; i++)
		assert_int_equal(net_loop_run(r->loop, PUMP_MS), 0);
	assert_int_equal(*counter, want);
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* A NOP-Out with data, built with digests dg, appended at out + *used. */
static void put_nop_out(uint8_t *out, size_t cap, size_t *used, uint32_t itt,
			const uint8_t *data, size_t dlen, struct pdu_digests dg)
{
	struct pdu_hdr h = { .opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
			     .itt = itt, .ttt = PDU_RESERVED_TAG, .cmdsn = itt };
	long n = pdu_build(&h, NULL, 0, data, dlen, dg, true, out + *used, cap - *used);
	assert_true(n > 0);
	*used += (size_t)n;
}

/* Read NOP-Ins (no digests) until n have come, pumping the loop; their
 * ITTs go to itts. Returns how many came. */
static size_t read_replies(struct rig *r, int fd, uint32_t *itts, size_t n)
{
	static uint8_t buf[1 << 16];
	size_t have = 0, got = 0;
	for (int i = 0; i < PUMP_ROUNDS && got < n; i++) {
		assert_int_equal(net_loop_run(r->loop, i == 0 ? 0 : PUMP_MS), 0);
		ssize_t k = recv(fd, buf + have, sizeof buf - have, MSG_DONTWAIT);
		if (k > 0)
			have += (size_t)k;
		size_t need;
		while (got < n && pdu_frame_len(buf, have, (struct pdu_digests){ 0 }, &need) == PDU_OK
		       && need <= have) {
			struct pdu_hdr h;
			pdu_hdr_decode(buf, &h);
			assert_int_equal(h.opcode, PDU_OP_NOP_IN);
			itts[got++] = h.itt;
			memmove(buf, buf + need, have - need);
			have -= need;
		}
	}
	return got;
}

/* True when the server closed fd: recv sees the end or a reset (bounded). */
static bool peer_closed(struct rig *r, int fd)
{
	uint8_t buf[4096];
	for (int i = 0; i < PUMP_ROUNDS; i++) {
		assert_int_equal(net_loop_run(r->loop, PUMP_MS), 0);
		ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (k == 0 || (k < 0 && errno == ECONNRESET))
			return true;
		if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return false;
	}
	return false;
}

/* ---- echo over both families ---- */

static void echo_round_trip(struct rig *r)
{
	int fd = rig_connect(r);
	pump_until(r, &r->echo.opened, 1);
	assert_int_equal(r->echo.last_conn, 1);
	assert_int_equal(net_server_conn_count(r->srv), 1);
	uint8_t buf[256];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, 7, (const uint8_t *)"hello", 5, (struct pdu_digests){ 0 });
	send_all(fd, buf, used);
	uint32_t itt;
	assert_int_equal(read_replies(r, fd, &itt, 1), 1);
	assert_int_equal(itt, 7);
	close(fd);
	pump_until(r, &r->echo.closed, 1);
	assert_int_equal(r->echo.why, PROTO_CLOSED_FIN);
	assert_int_equal(net_server_conn_count(r->srv), 0);
}

static void test_echo_ipv4(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	echo_round_trip(&r);
	rig_stop(&r);
}

static void test_echo_ipv6(void **state)
{
	(void)state;
	struct rig r;
	if (rig_start(&r, "[::1]:0", NULL) < 0) {
		print_message("IPv6 loopback unavailable: skipped\n");
		skip();
	}
	echo_round_trip(&r);
	rig_stop(&r);
}

/* ---- framing ---- */

static void test_one_byte_writes(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	uint8_t buf[512];
	size_t used = 0;
	for (uint32_t i = 1; i <= 3; i++)
		put_nop_out(buf, sizeof buf, &used, i, (const uint8_t *)"abcdefg", i * 2, (struct pdu_digests){ 0 });
	for (size_t i = 0; i < used; i++) {
		send_all(fd, buf + i, 1);
		assert_int_equal(net_loop_run(r.loop, 0), 0);
	}
	uint32_t itts[3];
	assert_int_equal(read_replies(&r, fd, itts, 3), 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(itts[i], i + 1);
	assert_int_equal(r.echo.pdus, 3);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);
}

static void test_many_pdus_in_one_write(void **state)
{
	(void)state;
	enum { N = 100 };
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	static uint8_t buf[N * 64];
	size_t used = 0;
	for (uint32_t i = 1; i <= N; i++)
		put_nop_out(buf, sizeof buf, &used, i, (const uint8_t *)"x", i % 2, (struct pdu_digests){ 0 });
	send_all(fd, buf, used);
	uint32_t itts[N];
	assert_int_equal(read_replies(&r, fd, itts, N), N);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(itts[i], i + 1);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);
}

static void test_half_pdu_waits(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	uint8_t buf[128];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, 9, (const uint8_t *)"stall", 5, (struct pdu_digests){ 0 });
	send_all(fd, buf, 30);
	assert_int_equal(net_loop_run(r.loop, 3 * PUMP_MS), 0);
	assert_int_equal(r.echo.pdus, 0);
	assert_int_equal(r.echo.closed, 0);
	send_all(fd, buf + 30, used - 30);
	pump_until(&r, &r.echo.pdus, 1);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);
}

static void test_digests_switched_mid_stream(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	const struct pdu_digests none = { 0 }, both = { true, true };
	uint8_t buf[512];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, ITT_DIGESTS_ON, NULL, 0, none);
	put_nop_out(buf, sizeof buf, &used, 2, (const uint8_t *)"after", 5, both);
	put_nop_out(buf, sizeof buf, &used, 3, NULL, 0, both);
	send_all(fd, buf, used); /* all three in one write: the switch applies between */
	uint32_t itts[3];
	assert_int_equal(read_replies(&r, fd, itts, 3), 3);
	assert_int_equal(itts[0], ITT_DIGESTS_ON);
	assert_int_equal(itts[2], 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r.echo.rcs[i], PDU_OK);
	assert_false(r.echo.dgs[0].header);
	assert_true(r.echo.dgs[1].header && r.echo.dgs[1].data);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);
}

static void test_digest_errors_reported(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	const struct pdu_digests both = { true, true };
	r.echo.open_dg = both;
	int fd = rig_connect(&r);
	uint8_t buf[512];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, 1, (const uint8_t *)"data", 4, both);
	buf[PDU_BHS_LEN] ^= 0x01;                 /* the header digest */
	size_t second = used;
	put_nop_out(buf, sizeof buf, &used, 2, (const uint8_t *)"data", 4, both);
	buf[used - 1] ^= 0x80;                    /* the data digest */
	put_nop_out(buf, sizeof buf, &used, 3, (const uint8_t *)"data", 4, both);
	assert_true(second > 0);
	send_all(fd, buf, used);
	pump_until(&r, &r.echo.pdus, 3);
	assert_int_equal(r.echo.rcs[0], PDU_E_HEADER_DIGEST);
	assert_int_equal(r.echo.rcs[1], PDU_E_DATA_DIGEST);
	assert_int_equal(r.echo.rcs[2], PDU_OK);
	uint32_t itt;
	assert_int_equal(read_replies(&r, fd, &itt, 1), 1);
	assert_int_equal(itt, 3);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);
}

static void test_data_segment_over_limit_closes(void **state)
{
	(void)state;
	struct rig r;
	const struct net_server_opts o = { .max_data_segment = 1024 };
	assert_int_equal(rig_start(&r, "127.0.0.1:0", &o), 0);
	int fd = rig_connect(&r);
	static uint8_t data[2048], buf[4096];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, 1, data, 1024, (struct pdu_digests){ 0 }); /* at the limit */
	put_nop_out(buf, sizeof buf, &used, 2, data, 1025, (struct pdu_digests){ 0 });
	send_all(fd, buf, used);
	pump_until(&r, &r.echo.closed, 1);
	assert_int_equal(r.echo.pdus, 1);
	assert_int_equal(r.echo.why, PROTO_CLOSED_ERROR);
	assert_int_equal(net_server_conn_count(r.srv), 0);
	assert_true(peer_closed(&r, fd));
	close(fd);
	rig_stop(&r);
}

/* 4 MiB each way: the client writes while the server's replies back up,
 * so both sides' buffers fill and the server waits for NET_OUT. */
static void test_big_data_segment_echo(void **state)
{
	(void)state;
	const size_t dlen = 4u << 20;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	size_t cap = pdu_wire_len(0, dlen, (struct pdu_digests){ 0 });
	uint8_t *data = malloc(dlen), *out = malloc(cap), *in = malloc(cap);
	assert_true(data && out && in);
	for (size_t i = 0; i < dlen; i++)
		data[i] = (uint8_t)(i * 7);
	size_t used = 0, sent = 0, got = 0;
	put_nop_out(out, cap, &used, 5, data, dlen, (struct pdu_digests){ 0 });
	for (int i = 0; i < 20000 && got < used; i++) {
		if (sent < used) {
			ssize_t k = send(fd, out + sent, used - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k > 0)
				sent += (size_t)k;
		}
		assert_int_equal(net_loop_run(r.loop, 1), 0);
		ssize_t k = recv(fd, in + got, cap - got, MSG_DONTWAIT);
		if (k > 0)
			got += (size_t)k;
	}
	assert_int_equal(got, used);
	struct pdu_view v;
	assert_int_equal(pdu_parse(in, got, (struct pdu_digests){ 0 }, &v, NULL), PDU_OK);
	assert_int_equal(v.data_len, dlen);
	assert_memory_equal(v.data, data, dlen);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	free(data);
	free(out);
	free(in);
	rig_stop(&r);
}

/* ---- ends ---- */

static void test_peer_fin_and_rst(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int a = rig_connect(&r);
	pump_until(&r, &r.echo.opened, 1);
	close(a);
	pump_until(&r, &r.echo.closed, 1);
	assert_int_equal(r.echo.why, PROTO_CLOSED_FIN);

	int b = rig_connect(&r);
	pump_until(&r, &r.echo.opened, 2);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	assert_int_equal(setsockopt(b, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
	close(b);
	pump_until(&r, &r.echo.closed, 2);
	assert_int_equal(r.echo.why, PROTO_CLOSED_RST);
	assert_int_equal(net_server_conn_count(r.srv), 0);
	rig_stop(&r);
}

static void engine_closes(uint32_t itt, bool expect_reset)
{
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fd = rig_connect(&r);
	uint8_t buf[128];
	size_t used = 0;
	put_nop_out(buf, sizeof buf, &used, itt, NULL, 0, (struct pdu_digests){ 0 });
	put_nop_out(buf, sizeof buf, &used, 99, NULL, 0, (struct pdu_digests){ 0 }); /* never delivered */
	send_all(fd, buf, used);
	pump_until(&r, &r.echo.closed, 1);
	assert_int_equal(r.echo.pdus, 1);
	assert_int_equal(r.echo.why, PROTO_CLOSED_LOCAL);
	assert_int_equal(r.echo.send_after_close, -1);
	if (!expect_reset) {
		uint32_t got;
		assert_int_equal(read_replies(&r, fd, &got, 1), 1); /* the reply went out first */
		assert_int_equal(got, itt);
	}
	assert_true(peer_closed(&r, fd));
	close(fd);
	rig_stop(&r);
}

static void test_engine_close_fin(void **state)
{
	(void)state;
	engine_closes(ITT_CLOSE, false);
}

static void test_engine_close_reset(void **state)
{
	(void)state;
	engine_closes(ITT_RESET, true);
}

static void test_thousand_connections(void **state)
{
	(void)state;
	enum { N = 1000, BATCH = 50 };
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	for (int i = 0; i < N; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			close(rig_connect(&r));
		pump_until(&r, &r.echo.closed, i + BATCH);
	}
	assert_int_equal(r.echo.opened, N);
	assert_int_equal(net_server_conn_count(r.srv), 0);
	rig_stop(&r);
}

static void test_max_conns(void **state)
{
	(void)state;
	struct rig r;
	const struct net_server_opts o = { .max_conns = 2 };
	assert_int_equal(rig_start(&r, "127.0.0.1:0", &o), 0);
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = rig_connect(&r);
	pump_until(&r, &r.echo.opened, 2);
	assert_true(peer_closed(&r, fds[2]));
	assert_int_equal(r.echo.opened, 2);
	assert_int_equal(net_server_conn_count(r.srv), 2);
	rig_stop(&r); /* closes the two, reporting them */
	assert_int_equal(r.echo.closed, 2);
	assert_int_equal(r.echo.why, PROTO_CLOSED_LOCAL);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

/* Out of fds, accept fails: the server pauses accepting (no spinning) and
 * takes the waiting connections once fds are back. */
static void test_accept_pauses_when_out_of_fds(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "127.0.0.1:0", NULL), 0);
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = rig_connect(&r);
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fds[2] + 1; /* no fd free above the last client */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int holes[64], n_holes = 0; /* fill any free fd below the limit */
	while (n_holes < 64 && (holes[n_holes] = dup(fds[0])) >= 0)
		n_holes++;
	assert_true(n_holes < 64);
	assert_int_equal(net_loop_run(r.loop, 3 * PUMP_MS), 0);
	int opened_while_out = r.echo.opened;
	for (int i = 0; i < n_holes; i++)
		close(holes[i]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	pump_until(&r, &r.echo.opened, 3);
	assert_int_equal(opened_while_out, 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	pump_until(&r, &r.echo.closed, 3);
	rig_stop(&r);
}

/* ---- the event bus and the pcap ---- */

struct ev_log {
	enum ev_kind kind[256];
	enum ev_dir dir[256];
	size_t n;
	uint64_t wire[2], pdu[2];   /* bytes per direction so far */
	bool wire_after_pdu_i2t;    /* an I2T PDU before its bytes' EV_WIRE */
	bool wire_before_pdu_t2i;   /* T2I bytes before their EV_PDU */
	bool offsets_wrong;
};

static int on_ev(void *ctx, const struct event *ev)
{
	struct ev_log *g = ctx;
	if (g->n < 256) {
		g->kind[g->n] = ev->kind;
		g->dir[g->n] = ev->dir;
	}
	g->n++;
	if (ev->kind == EV_WIRE)
		g->wire[ev->dir] += ev->len;
	if (ev->kind == EV_PDU) {
		if (ev->stream_offset != g->pdu[ev->dir])
			g->offsets_wrong = true;
		g->pdu[ev->dir] += ev->len;
	}
	if (ev->dir == EV_DIR_I2T && g->pdu[EV_DIR_I2T] > g->wire[EV_DIR_I2T])
		g->wire_after_pdu_i2t = true;
	if (ev->dir == EV_DIR_T2I && g->wire[EV_DIR_T2I] > g->pdu[EV_DIR_T2I])
		g->wire_before_pdu_t2i = true;
	return 0;
}

static void test_bus_order_and_pcap(void **state)
{
	(void)state;
	char dir[512], pcap[600], err[256];
	assert_int_equal(scratch_make_dir("net_server", dir, sizeof dir), 0);
	snprintf(pcap, sizeof pcap, "%s/echo.pcap", dir);
	struct cap_writer *w;
	assert_int_equal(cap_writer_open(&w, pcap, NULL, err, sizeof err), 0);
	static struct ev_log g;
	struct ev_bus bus;
	ev_bus_init(&bus);
	assert_int_equal(ev_bus_add(&bus, (struct ev_observer){ on_ev, &g }), 0);
	assert_int_equal(ev_bus_add(&bus, cap_writer_observer(w)), 0);

	struct rig r;
	const struct net_server_opts o = { .bus = &bus };
	assert_int_equal(rig_start(&r, "127.0.0.1:0", &o), 0);
	uint16_t port = net_server_port(r.srv, 0);
	int fd = rig_connect(&r);
	uint8_t buf[512];
	size_t used = 0;
	for (uint32_t i = 1; i <= 3; i++)
		put_nop_out(buf, sizeof buf, &used, i, (const uint8_t *)"ping", 4, (struct pdu_digests){ 0 });
	send_all(fd, buf, used);
	uint32_t itts[3];
	assert_int_equal(read_replies(&r, fd, itts, 3), 3);
	close(fd);
	pump_until(&r, &r.echo.closed, 1);
	rig_stop(&r);

	assert_true(g.n >= 8 && g.n <= 256);
	assert_int_equal(g.kind[0], EV_CONN_OPEN);
	assert_int_equal(g.kind[g.n - 1], EV_CONN_FIN);
	assert_int_equal(g.dir[g.n - 1], EV_DIR_T2I);
	assert_int_equal(g.kind[g.n - 2], EV_CONN_FIN);
	assert_int_equal(g.dir[g.n - 2], EV_DIR_I2T);
	assert_int_equal(g.wire[EV_DIR_I2T], used);
	assert_int_equal(g.pdu[EV_DIR_I2T], used);
	assert_int_equal(g.wire[EV_DIR_T2I], g.pdu[EV_DIR_T2I]);
	assert_false(g.wire_after_pdu_i2t);
	assert_false(g.wire_before_pdu_t2i);
	assert_false(g.offsets_wrong);
	assert_int_equal(bus.first_error, 0);

	assert_string_equal(cap_writer_errmsg(w), "");
	assert_true(cap_writer_frames(w) > 0);
	assert_int_equal(cap_writer_close(w), 0);
	if (!tsh_available()) {
		print_message("tshark not available: pcap not dissected\n");
	} else {
		/* tshark 4.0 does not dissect an ephemeral port as iSCSI through
		 * iscsi.target_ports alone; "decode as" does. */
		char ports[16], decode_as[48];
		snprintf(ports, sizeof ports, "%u", (unsigned)port);
		snprintf(decode_as, sizeof decode_as, "tcp.port==%u,iscsi", (unsigned)port);
		const char *const extra[] = { "-d", decode_as, NULL };
		const struct tsh_opts to = { .iscsi_ports = ports, .extra_args = extra };
		long n = tsh_count(pcap, &to, "iscsi", err, sizeof err);
		if (n < 0)
			print_message("%s\n", err);
		assert_true(n >= 4); /* the three NOP-Outs in one frame, three NOP-Ins */
		assert_int_equal(tsh_count(pcap, &to, "_ws.malformed || _ws.expert.severity >= error",
					   err, sizeof err), 0);
	}
	unlink(pcap);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_ipv4),
		cmocka_unit_test(test_echo_ipv6),
		cmocka_unit_test(test_one_byte_writes),
		cmocka_unit_test(test_many_pdus_in_one_write),
		cmocka_unit_test(test_half_pdu_waits),
		cmocka_unit_test(test_digests_switched_mid_stream),
		cmocka_unit_test(test_digest_errors_reported),
		cmocka_unit_test(test_data_segment_over_limit_closes),
		cmocka_unit_test(test_big_data_segment_echo),
		cmocka_unit_test(test_peer_fin_and_rst),
		cmocka_unit_test(test_engine_close_fin),
		cmocka_unit_test(test_engine_close_reset),
		cmocka_unit_test(test_thousand_connections),
		cmocka_unit_test(test_max_conns),
		cmocka_unit_test(test_accept_pauses_when_out_of_fds),
		cmocka_unit_test(test_bus_order_and_pcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
