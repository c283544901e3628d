/* target_scenarios.c — the target's MC/S and recovery scenarios, for the
 * in-memory and the TCP runs alike (see target_scenarios.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/support/target_scenarios.h"

#define TS_INITIATOR "iqn.2026-11.org.iscsi-harness:scenarios"
#define TS_LUN 0

const char *const ts_no_breaks[] = { NULL };
/* a Data-Out sent with a wrong data digest */
const char *const ts_erl1_data_digest_breaks[] = { "PDU-008", NULL };

struct ts_run {
	struct tini_session s;
	struct tini_conn *c[6];
	size_t n;
};

static struct ts_run *ts_start(struct ts_env *e)
{
	struct ts_run *r = calloc(1, sizeof *r);
	assert_non_null(r);
	tini_session_init(&r->s, TS_INITIATOR, e->target_iqn, e->isid_last++);
	return r;
}

static struct tini_conn *ts_conn(struct ts_env *e, struct ts_run *r, uint16_t cid)
{
	assert_true(r->n < 6);
	struct tini_conn *c = calloc(1, sizeof *c);
	assert_non_null(c);
	struct tini_link l = e->open(e->ctx);
	assert_non_null(l.ctx);
	tini_conn_init(c, &r->s, l, cid);
	r->c[r->n++] = c;
	return c;
}

static void ts_end(struct ts_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (!r->c[i]->closed)
			r->c[i]->link.close(r->c[i]->link.ctx, false);
		free(r->c[i]);
	}
	free(r);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

/* Read back and compare. */
static void read_back(struct tini_conn *c, uint32_t lba, uint16_t blocks,
		      const uint8_t *want)
{
	uint8_t *in = calloc(blocks, TINI_BLOCK);
	uint8_t status = 0xff;
	assert_non_null(in);
	assert_int_equal(tini_read(c, TS_LUN, lba, blocks, in, &status), 0);
	assert_int_equal(status, 0);
	assert_memory_equal(in, want, (size_t)blocks * TINI_BLOCK);
	free(in);
}

void ts_mcs(struct ts_env *e, int n)
{
	struct ts_run *r = ts_start(e);
	char keys[128];
	snprintf(keys, sizeof keys, "MaxConnections=%d\nHeaderDigest=CRC32C,None\n"
		 "DataDigest=CRC32C,None", n);
	struct tini_conn *c[4];
	c[0] = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c[0], keys), 0);
	assert_int_equal(r->s.max_connections, (uint32_t)n);
	for (int i = 1; i < n; i++) {
		c[i] = ts_conn(e, r, (uint16_t)(i + 1));
		assert_int_equal(tini_login(c[i], "HeaderDigest=CRC32C\nDataDigest=CRC32C"), 0);
	}
	/* MCS-007: CmdSN n+1 on the last connection before n on the first:
	 * nothing answers it until n is there */
	uint8_t tur[16] = { 0 };
	struct pdu_hdr a = tini_cmd(c[0], tur, TS_LUN, false, false, 0);
	struct pdu_hdr b = tini_cmd(c[n - 1], tur, TS_LUN, false, false, 0);
	tini_send(c[n - 1], &b, NULL, 0);
	assert_int_equal(tini_recv(c[n - 1], e->quiet_ms), -1);
	tini_send(c[0], &a, NULL, 0);
	assert_int_equal(tini_expect(c[0], PDU_OP_SCSI_RSP, 5000), 1);
	assert_int_equal(c[0]->h.itt, a.itt);
	assert_int_equal(tini_expect(c[n - 1], PDU_OP_SCSI_RSP, 5000), 1);
	assert_int_equal(c[n - 1]->h.itt, b.itt);
	assert_int_equal(c[n - 1]->h.expcmdsn, b.cmdsn + 1);   /* MCS-006 */
	/* writes on each connection, read back on the next (MCS-009) */
	static uint8_t out[4][8192];
	uint8_t status;
	for (int i = 0; i < n; i++) {
		fill(out[i], sizeof out[i], (uint8_t)(17 * i + 1));
		assert_int_equal(tini_write(c[i], TS_LUN, 16 * (uint32_t)i, 16, out[i], &status), 0);
		assert_int_equal(status, 0);
	}
	for (int i = 0; i < n; i++)
		read_back(c[(i + 1) % n], 16 * (uint32_t)i, 16, out[i]);
	/* MCS-004: one more than MaxConnections is refused */
	struct tini_conn *extra = ts_conn(e, r, 9);
	assert_int_equal(tini_login(extra, NULL), 0x0206);
	/* LOGOUT-005, MCS-015: the last connection logged out from the
	 * first, then the session */
	assert_int_equal(tini_logout(c[0], 1, c[n - 1]), 0);
	assert_int_equal(tini_logout(c[0], 0, NULL), 0);
	ts_end(r);
}

void ts_erl1_data_digest(struct ts_env *e)
{
	struct ts_run *r = ts_start(e);
	struct tini_conn *c = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1\nDataDigest=CRC32C\n"
				    "InitialR2T=Yes\nImmediateData=No"), 0);
	assert_int_equal(r->s.erl, 1);
	static uint8_t out[8192];
	fill(out, sizeof out, 77);
	uint32_t itt = tini_start_write(c, TS_LUN, 200, 16, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 5000), 1);
	struct pdu_hdr r2t = c->h;
	assert_int_equal(r2t.itt, itt);
	/* two Data-Out, the first with a broken data digest */
	uint32_t half = r2t.ddtl / 2;
	for (uint32_t k = 0; k < 2; k++) {
		struct pdu_hdr d = {
			.opcode = PDU_OP_DATA_OUT, .final = k == 1, .lun = TS_LUN,
			.itt = itt, .ttt = r2t.ttt, .datasn = k,
			.buffer_offset = k * half, .expstatsn = c->expstatsn,
		};
		static uint8_t pdu[PDU_BHS_LEN + 8192 + 8];
		long len = pdu_build(&d, NULL, 0, out + k * half, half, c->dg, true,
				     pdu, sizeof pdu);
		assert_true(len > 0);
		if (k == 0)
			pdu[len - 1] ^= 0x5a;
		tini_send_raw(c, pdu, (size_t)len);
	}
	assert_int_equal(tini_recv(c, 5000), 1);
	assert_int_equal(c->h.opcode, PDU_OP_REJECT);       /* ERL1-002 */
	assert_int_equal(c->h.reject_reason, 0x02);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 5000), 1); /* ERL1-003 */
	assert_int_equal(c->h.buffer_offset, 0);
	assert_int_equal(c->h.ddtl, half);
	assert_int_equal(c->h.r2tsn, r2t.r2tsn + 1);        /* ERL1-004 */
	assert_int_equal(tini_answer_r2t(c, out), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 5000), 1);
	assert_int_equal(c->h.status, 0);
	read_back(c, 200, 16, out);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	ts_end(r);
}

void ts_erl1_snack(struct ts_env *e)
{
	struct ts_run *r = ts_start(e);
	struct tini_conn *c = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1\nHeaderDigest=CRC32C\n"
				    "MaxRecvDataSegmentLength=8192"), 0);
	static uint8_t out[16384];
	fill(out, sizeof out, 5);
	uint8_t status;
	assert_int_equal(tini_write(c, TS_LUN, 300, 32, out, &status), 0);
	uint32_t status_sn = c->h.statsn;
	/* Status SNACK for the write's status, held unacknowledged: the
	 * same response with the same StatSN (ERL1-011) */
	c->expstatsn = status_sn;
	struct pdu_hdr sn = {
		.opcode = PDU_OP_SNACK_REQ, .final = true, .snack_type = PDU_SNACK_STATUS,
		.itt = PDU_RESERVED_TAG, .ttt = PDU_RESERVED_TAG, .begrun = status_sn,
		.runlength = 1,
	};
	tini_send(c, &sn, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 5000), 1);
	assert_int_equal(c->h.statsn, status_sn);
	/* a read with the status unacknowledged; Data SNACK for DataSN 1 */
	static uint8_t in[16384];
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 300, 32);
	struct pdu_hdr rd = tini_cmd(c, cdb, TS_LUN, true, false, sizeof in);
	tini_send(c, &rd, NULL, 0);
	uint32_t last_sn = 0;
	for (int i = 0; i < 16; i++) {
		assert_int_equal(tini_recv(c, 5000), 1);
		if (c->h.opcode == PDU_OP_DATA_IN)
			memcpy(in + c->h.buffer_offset, c->data, c->data_len);
		if (c->h.status_present || c->h.opcode == PDU_OP_SCSI_RSP) {
			last_sn = c->h.statsn;
			break;
		}
	}
	assert_memory_equal(in, out, sizeof out);
	c->expstatsn = last_sn;
	struct pdu_hdr ds = {
		.opcode = PDU_OP_SNACK_REQ, .final = true, .snack_type = PDU_SNACK_DATA_R2T,
		.itt = rd.itt, .ttt = PDU_RESERVED_TAG, .begrun = 1, .runlength = 1,
	};
	tini_send(c, &ds, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_DATA_IN, 5000), 1);
	assert_int_equal(c->h.datasn, 1);
	assert_memory_equal(c->data, out + c->h.buffer_offset, c->data_len);
	/* ERL1-012: a Data-In never sent: Reject 0x04 */
	ds.begrun = 40;
	tini_send(c, &ds, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 5000), 1);
	assert_int_equal(c->h.reject_reason, 0x04);
	c->expstatsn = c->h.statsn + 1;
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	ts_end(r);
}

void ts_erl2_write_reassign(struct ts_env *e)
{
	struct ts_run *r = ts_start(e);
	struct tini_conn *c1 = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=2\n"
				    "InitialR2T=Yes\nImmediateData=No\n"
				    "DefaultTime2Wait=0\nDefaultTime2Retain=20"), 0);
	assert_int_equal(r->s.erl, 2);
	struct tini_conn *c2 = ts_conn(e, r, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	static uint8_t out[16384];
	fill(out, sizeof out, 123);
	uint32_t itt = tini_start_write(c1, TS_LUN, 400, 32, out, false);
	assert_int_equal(tini_expect(c1, PDU_OP_R2T, 5000), 1);
	struct pdu_hdr r2t = c1->h;
	uint32_t first = r2t.ddtl / 2;
	struct pdu_hdr d = {
		.opcode = PDU_OP_DATA_OUT, .lun = TS_LUN, .itt = itt,
		.ttt = r2t.ttt, .datasn = 0, .buffer_offset = r2t.buffer_offset,
	};
	tini_send(c1, &d, out + r2t.buffer_offset, first);
	c1->link.close(c1->link.ctx, true);   /* the connection dies */
	c1->closed = true;
	/* ERL2-002: logged out for recovery from c2; ERL2-005: reassigned */
	assert_int_equal(tini_logout(c2, 2, c1), 0);
	assert_int_equal(c2->h.time2retain, 20);
	assert_int_equal(tini_tmf(c2, 8, TS_LUN, itt, 0, 0), 0);
	/* ERL2-009: the missing data asked for again, on c2 */
	for (int i = 0; i < 8; i++) {
		assert_int_equal(tini_recv(c2, 5000), 1);
		if (c2->h.opcode == PDU_OP_R2T) {
			assert_int_equal(c2->h.itt, itt);
			assert_int_equal(tini_answer_r2t(c2, out), 0);
		} else {
			break;
		}
	}
	assert_int_equal(c2->h.opcode, PDU_OP_SCSI_RSP);
	assert_int_equal(c2->h.status, 0);
	read_back(c2, 400, 32, out);   /* data intact */
	assert_int_equal(tini_logout(c2, 0, NULL), 0);
	ts_end(r);
}

void ts_erl2_read_reinstate(struct ts_env *e)
{
	struct ts_run *r = ts_start(e);
	struct tini_conn *c1 = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=1\n"
				    "DefaultTime2Wait=0"), 0);
	static uint8_t out[16384], in[16384];
	fill(out, sizeof out, 31);
	uint8_t status;
	assert_int_equal(tini_write(c1, TS_LUN, 500, 32, out, &status), 0);
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 500, 32);
	struct pdu_hdr h = tini_cmd(c1, cdb, TS_LUN, true, false, sizeof in);
	tini_send(c1, &h, NULL, 0);
	assert_int_equal(tini_expect(c1, PDU_OP_DATA_IN, 5000), 1);
	c1->link.close(c1->link.ctx, true);
	c1->closed = true;
	/* ERL2-019 / MCS-017: the same CID again, though MaxConnections=1 */
	struct tini_conn *c1b = ts_conn(e, r, 1);
	assert_int_equal(tini_login(c1b, NULL), 0);
	assert_int_equal(tini_tmf(c1b, 8, TS_LUN, h.itt, 0, 0), 0);
	/* ERL2-008: every Data-In again (ExpDataSN 0), then status */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(tini_recv(c1b, 5000), 1);
		if (c1b->h.opcode == PDU_OP_DATA_IN)
			memcpy(in + c1b->h.buffer_offset, c1b->data, c1b->data_len);
		if (c1b->h.status_present || c1b->h.opcode == PDU_OP_SCSI_RSP)
			break;
	}
	assert_int_equal(c1b->h.status, 0);
	assert_memory_equal(in, out, sizeof out);
	assert_int_equal(tini_logout(c1b, 0, NULL), 0);
	ts_end(r);
}
