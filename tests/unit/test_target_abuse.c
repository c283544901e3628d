/* test_target_abuse.c — the `iscsi-harness target` process against
 * initiators that misbehave, over loopback TCP: half a PDU and then
 * silence, 1,000 connections opened and dropped (some mid-PDU, some
 * reset), malformed and out-of-place PDUs, a login that breaks the rules,
 * a key out of range, data past the burst and over
 * MaxRecvDataSegmentLength. The target must answer each as the RFC says,
 * keep serving a well-behaved session throughout, and exit cleanly (under
 * `make SANITIZE=1 test` the binary runs with ASan: a leak or a bad access
 * fails the exit). Its pcap shows only the initiator's deliberate
 * breaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/support/pcap_check.h"
#include "tests/support/peers.h"
#include "tests/support/scratch.h"
#include "pdu/keys.h"
#include "tests/support/tini.h"

#define INITIATOR "iqn.2026-11.org.iscsi-harness:abuser"

/* What the abusing initiators break on purpose (their rules, never the
 * target's): a Login Request in Full Feature Phase (LOGIN-004), a key out of range (LOGIN-028), a key twice
 * in a login (LOGIN-024), data past FirstBurstLength (SEQ-019, SEQ-023),
 * more data than MaxRecvDataSegmentLength (SEQ-018). */
static const char *const ABUSER_BREAKS[] = {
	"LOGIN-004", "LOGIN-024", "LOGIN-028", "SEQ-018", "SEQ-019",
	"SEQ-023", NULL,
};

struct fx {
	char dir[512];
	struct peer_harness_target t;
	struct tini_session good_s;
	struct tini_conn *good;
	int good_fd;
};

static int setup(void **state)
{
	const char *bin = getenv("HARNESS_BIN");
	if (!bin)
		fail_msg("HARNESS_BIN is not set (make test sets it)");
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	char err[1024];
	if (scratch_make_dir("target-abuse", f->dir, sizeof f->dir) != 0)
		fail_msg("no scratch directory");
	static const char *const extra[] = { "--lun", "16M", "--login-timeout", "1000", NULL };
	if (peer_harness_target_start(bin, f->dir, extra, &f->t, err, sizeof err) != 0)
		fail_msg("%s", err);
	/* the well-behaved session that must keep working throughout */
	tini_session_init(&f->good_s, INITIATOR "-good", f->t.iqn, 7);
	f->good = calloc(1, sizeof *f->good);
	assert_non_null(f->good);
	tini_conn_init(f->good, &f->good_s, tini_tcp_link(&f->good_fd, (uint16_t)f->t.port), 1);
	assert_int_equal(tini_login(f->good, NULL), 0);
	*state = f;
	return 0;
}

/* The good session still reads and writes. */
static void still_serving(struct fx *f, uint32_t lba)
{
	static uint8_t out[4096], in[4096];
	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (uint8_t)(i * 13 + lba);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(f->good, 0, lba, 8, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(f->good, 0, lba, 8, in, &status), 0);
	assert_memory_equal(in, out, sizeof in);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char err[1024];
	f->good->link.close(f->good->link.ctx, false);
	free(f->good);
	int rc = peer_harness_target_stop(&f->t, err, sizeof err);
	if (rc != 0)
		fail_msg("%s", err);
	pc_expect_only("abuse", f->t.pcap, (uint16_t)f->t.port, ABUSER_BREAKS, false);
	free(f);
	return 0;
}

static void test_half_pdu_then_silence(void **state)
{
	struct fx *f = *state;
	int fd;
	struct tini_link l = tini_tcp_link(&fd, (uint16_t)f->t.port);
	assert_non_null(l.ctx);
	static const uint8_t half[20] = { 0x43, 0x87 };   /* a Login Request's start */
	assert_int_equal(l.send(l.ctx, half, sizeof half), 0);
	still_serving(f, 0);
	/* the login timeout (1 s here) drops it: the read sees the close */
	uint8_t buf[64];
	assert_int_equal(l.recv(l.ctx, buf, sizeof buf, (struct pdu_digests){ 0 }, 5000), 0);
	l.close(l.ctx, false);
	still_serving(f, 8);
}

static void test_thousand_connections(void **state)
{
	struct fx *f = *state;
	static const uint8_t junk[7] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03 };
	for (int i = 0; i < 1000; i++) {
		int fd;
		struct tini_link l = tini_tcp_link(&fd, (uint16_t)f->t.port);
		if (!l.ctx)
			fail_msg("connection %d refused", i);
		if (i % 3 == 1)
			l.send(l.ctx, junk, sizeof junk);
		l.close(l.ctx, i % 2 == 0);   /* every other one reset */
		if (i % 250 == 0)
			still_serving(f, 16 + (uint32_t)i / 250);
	}
	still_serving(f, 24);
}

static void test_bad_pdus_in_full_feature_phase(void **state)
{
	struct fx *f = *state;
	struct tini_session s;
	tini_session_init(&s, INITIATOR, f->t.iqn, 9);
	struct tini_conn *c = calloc(1, sizeof *c);
	int fd;
	assert_non_null(c);
	tini_conn_init(c, &s, tini_tcp_link(&fd, (uint16_t)f->t.port), 1);
	/* a key out of range is answered Reject, the login goes on */
	assert_int_equal(tini_login(c, "MaxBurstLength=1\nMaxRecvDataSegmentLength=8192"), 0);
	/* a vendor-specific opcode (0x1c-0x1e, PDU-002) it does not know:
	 * Reject 0x05, "command not supported" */
	uint8_t bhs[PDU_BHS_LEN] = { 0x1d, 0x80 };
	for (int i = 0; i < 4; i++)
		bhs[28 + i] = (uint8_t)(c->expstatsn >> (24 - 8 * i));
	tini_send_raw(c, bhs, sizeof bhs);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 5000), 1);
	assert_int_equal(c->h.reject_reason, 0x05);
	/* a Login Request in Full Feature Phase: Reject 0x04 */
	struct pdu_hdr login = { .opcode = PDU_OP_LOGIN_REQ, .immediate = true,
				 .itt = 0x4444, .cmdsn = s.cmdsn };
	tini_send(c, &login, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 5000), 1);
	assert_int_equal(c->h.reject_reason, 0x04);
	/* unsolicited data past FirstBurstLength: Reject, then the task ends
	 * with CHECK CONDITION (REJECT-004) */
	static uint8_t data[2 * 65536 + 4096];
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, true, 64, (uint16_t)(sizeof data / TINI_BLOCK));
	struct pdu_hdr cmd = tini_cmd(c, cdb, 0, false, true, sizeof data);
	tini_send(c, &cmd, NULL, 0);
	uint32_t off = 0;
	for (uint32_t sn = 0; off < sizeof data; sn++) {
		uint32_t n = sizeof data - off > 8192 ? 8192 : (uint32_t)(sizeof data - off);
		struct pdu_hdr d = {
			.opcode = PDU_OP_DATA_OUT, .final = off + n == sizeof data,
			.itt = cmd.itt, .ttt = PDU_RESERVED_TAG, .datasn = sn,
			.buffer_offset = off,
		};
		tini_send(c, &d, data + off, n);
		off += n;
	}
	/* Rejects for the PDUs past the burst; the R2T for the rest is
	 * answered (REJECT-004: the status waits for the data in flight) */
	for (int i = 0; i < 64; i++) {
		assert_int_equal(tini_recv(c, 5000), 1);
		if (c->h.opcode == PDU_OP_R2T)
			assert_int_equal(tini_answer_r2t(c, data), 0);
		else if (c->h.opcode != PDU_OP_REJECT)
			break;
	}
	assert_int_equal(c->h.opcode, PDU_OP_SCSI_RSP);
	assert_int_equal(c->h.itt, cmd.itt);
	assert_int_equal(c->h.status, 2);
	/* a NOP-Out with more data than the target's MaxRecvDataSegmentLength
	 * (262144): Reject */
	static uint8_t big[300000];
	struct pdu_hdr nop = { .opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
			       .itt = 0x5555, .ttt = PDU_RESERVED_TAG, .cmdsn = s.cmdsn };
	tini_send(c, &nop, big, sizeof big);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 5000), 1);
	assert_int_equal(c->h.reject_reason, 0x04);
	still_serving(f, 40);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	c->link.close(c->link.ctx, false);
	free(c);
}

static void test_login_breaking_the_rules(void **state)
{
	struct fx *f = *state;
	struct tini_session s;
	tini_session_init(&s, INITIATOR, f->t.iqn, 11);
	struct tini_conn *c = calloc(1, sizeof *c);
	int fd;
	assert_non_null(c);
	/* a key twice: initiator error 0x0200 (LOGIN-024) */
	tini_conn_init(c, &s, tini_tcp_link(&fd, (uint16_t)f->t.port), 1);
	uint8_t keys[512];
	long n = pdu_kv_append(keys, 0, sizeof keys, "InitiatorName", INITIATOR);
	n = pdu_kv_append(keys, (size_t)n, sizeof keys, "TargetName", f->t.iqn);
	n = pdu_kv_append(keys, (size_t)n, sizeof keys, "MaxConnections", "1");
	n = pdu_kv_append(keys, (size_t)n, sizeof keys, "MaxConnections", "2");
	struct pdu_hdr h = { .opcode = PDU_OP_LOGIN_REQ, .immediate = true, .transit = true,
			     .csg = 1, .nsg = 3, .itt = 1, .cmdsn = s.cmdsn };
	memcpy(h.isid, s.isid, 6);
	tini_send(c, &h, keys, (size_t)n);
	assert_int_equal(tini_expect(c, PDU_OP_LOGIN_RSP, 5000), 1);
	assert_int_equal(c->h.status_class, 2);
	assert_int_equal(tini_recv(c, 5000), 0);   /* and the connection goes */
	c->link.close(c->link.ctx, false);
	/* a SCSI Command before any login: the connection goes, no answer */
	tini_conn_init(c, &s, tini_tcp_link(&fd, (uint16_t)f->t.port), 1);
	uint8_t cdb[16] = { 0 };
	struct pdu_hdr cmd = tini_cmd(c, cdb, 0, false, false, 0);
	tini_send(c, &cmd, NULL, 0);
	assert_int_equal(tini_recv(c, 5000), 0);
	c->link.close(c->link.ctx, false);
	free(c);
	still_serving(f, 48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_half_pdu_then_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thousand_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pdus_in_full_feature_phase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_breaking_the_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
