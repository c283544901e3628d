/* golden_mcs.c — the MC/S golden session of golden_mcs.h, built PDU by PDU
 * on golden_builder.h, which keeps the session-wide CmdSN window and each
 * connection's StatSN as a real initiator and target would.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden_builder.h"
#include "harness/capture/golden_mcs.h"

#define MCS_T0_NS 1767312000000000000LL /* 2026-01-02T00:00:00Z */
#define MCS_STEP_NS 200000              /* 200 us between events */
#define MCS_WINDOW 64
#define MCS_LUN 0x0001000000000000ull
#define MCS_BLOCK 512u

#define INITIATOR_NAME "iqn.2026-11.org.iscsi-harness:mcs-initiator"
#define TARGET_NAME "iqn.2026-11.org.iscsi-harness:mcs-target"

/* ---- login ------------------------------------------------------------ */

static void login_leading(struct gb_session *s, struct gb_conn *c)
{
	static const char *const sec_req[] = {
		"InitiatorName=" INITIATOR_NAME, "TargetName=" TARGET_NAME,
		"SessionType=Normal", "AuthMethod=None", NULL };
	static const char *const sec_rsp[] = {
		"AuthMethod=None", "TargetPortalGroupTag=1", NULL };
	static const char *const op_req[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=4",
		"ErrorRecoveryLevel=2", "InitialR2T=Yes", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "DefaultTime2Wait=2",
		"DefaultTime2Retain=20", "MaxOutstandingR2T=1",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL };
	static const char *const op_rsp[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=4",
		"ErrorRecoveryLevel=2", "InitialR2T=Yes", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "DefaultTime2Wait=2",
		"DefaultTime2Retain=20", "MaxOutstandingR2T=1",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL };
	uint32_t itt = s->next_itt++;
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGIN_REQ), rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = itt;
	req.transit = rsp.transit = true;
	req.csg = PDU_STAGE_SECURITY;
	req.nsg = PDU_STAGE_OPERATIONAL;
	gb_login_step(s, c, &req, sec_req, &rsp, sec_rsp);

	req = gb_hdr(PDU_OP_LOGIN_REQ);
	rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = itt;
	req.transit = rsp.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	rsp.tsih = s->tsih; /* the new session's TSIH, in the final response */
	gb_login_step(s, c, &req, op_req, &rsp, op_rsp);
	c->full_feature = true;
}

/* A connection joins the session (or reinstates c->cid) with its TSIH. */
static void login_join(struct gb_session *s, struct gb_conn *c, bool hdigest)
{
	static const char *const plain_req[] = {
		"InitiatorName=" INITIATOR_NAME, "TargetName=" TARGET_NAME,
		"HeaderDigest=None", "DataDigest=None",
		"MaxRecvDataSegmentLength=65536", NULL };
	static const char *const plain_rsp[] = {
		"TargetPortalGroupTag=1", "HeaderDigest=None", "DataDigest=None",
		"MaxRecvDataSegmentLength=65536", NULL };
	static const char *const crc_req[] = {
		"InitiatorName=" INITIATOR_NAME, "TargetName=" TARGET_NAME,
		"HeaderDigest=CRC32C,None", "DataDigest=None",
		"MaxRecvDataSegmentLength=65536", NULL };
	static const char *const crc_rsp[] = {
		"TargetPortalGroupTag=1", "HeaderDigest=CRC32C", "DataDigest=None",
		"MaxRecvDataSegmentLength=65536", NULL };
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGIN_REQ), rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = s->next_itt++;
	req.transit = rsp.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	req.tsih = rsp.tsih = s->tsih;
	gb_login_step(s, c, &req, hdigest ? crc_req : plain_req,
		      &rsp, hdigest ? crc_rsp : plain_rsp);
	c->dg = (struct pdu_digests){ .header = hdigest, .data = false };
	c->full_feature = true;
}

static void open_conn(struct gb_session *s, struct gb_conn *c)
{
	gb_conn_event(s, c, EV_CONN_OPEN, EV_DIR_I2T);
}

/* The target closes first, then the initiator. */
static void close_conn(struct gb_session *s, struct gb_conn *c)
{
	gb_conn_event(s, c, EV_CONN_FIN, EV_DIR_T2I);
	gb_conn_event(s, c, EV_CONN_FIN, EV_DIR_I2T);
}

/* ---- commands, issued now and answered later --------------------------- */

static struct pdu_hdr cdb10_cmd(struct gb_session *s, uint8_t op, uint32_t lba,
				uint16_t blocks)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_SCSI_CMD);
	h.itt = s->next_itt++;
	h.lun = MCS_LUN;
	h.attr = 1; /* SIMPLE */
	h.edtl = (uint32_t)blocks * MCS_BLOCK;
	h.cdb[0] = op;
	h.cdb[2] = (uint8_t)(lba >> 24);
	h.cdb[3] = (uint8_t)(lba >> 16);
	h.cdb[4] = (uint8_t)(lba >> 8);
	h.cdb[5] = (uint8_t)lba;
	h.cdb[7] = (uint8_t)(blocks >> 8);
	h.cdb[8] = (uint8_t)blocks;
	return h;
}

/* READ(10): the command now; read_done() answers it. */
static struct pdu_hdr read_issue(struct gb_session *s, struct gb_conn *c,
				 uint32_t lba, uint16_t blocks)
{
	struct pdu_hdr cmd = cdb10_cmd(s, 0x28, lba, blocks);
	cmd.final = true;
	cmd.read = true;
	gb_send(s, c, &cmd, false, NULL, 0, NULL, 0);
	return cmd;
}

/* Data-In of at most 4096 bytes each, status in the last (phase collapse). */
static void read_done(struct gb_session *s, struct gb_conn *c,
		      const struct pdu_hdr *cmd)
{
	uint32_t off = 0, sn = 0;
	while (off < cmd->edtl) {
		uint32_t len = cmd->edtl - off > 4096 ? 4096 : cmd->edtl - off;
		bool last = off + len == cmd->edtl;
		struct pdu_hdr d = gb_hdr(PDU_OP_DATA_IN);
		d.itt = cmd->itt;
		d.lun = cmd->lun;
		d.datasn = sn++;
		d.buffer_offset = off;
		d.final = d.status_present = last;
		gb_send(s, c, &d, false, NULL, 0, s->payload, len);
		off += len;
	}
}

static void scsi_response(struct gb_session *s, struct gb_conn *c,
			  const struct pdu_hdr *cmd)
{
	struct pdu_hdr rsp = gb_hdr(PDU_OP_SCSI_RSP);
	rsp.final = true;
	rsp.itt = cmd->itt;
	rsp.status = 0x00;
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
}

/* WRITE(10) with all its data as immediate data; write_done() answers. */
static struct pdu_hdr write_issue(struct gb_session *s, struct gb_conn *c,
				  uint32_t lba, uint16_t blocks)
{
	struct pdu_hdr cmd = cdb10_cmd(s, 0x2a, lba, blocks);
	cmd.final = true;
	cmd.write = true;
	gb_send(s, c, &cmd, false, NULL, 0, s->payload, cmd.edtl);
	return cmd;
}

/* WRITE(10) of 8 blocks: 512 bytes of immediate data, the rest solicited
 * by an R2T (InitialR2T=Yes) and sent in one Data-Out. */
static void write_solicited(struct gb_session *s, struct gb_conn *c,
			    uint32_t lba, uint32_t ttt)
{
	struct pdu_hdr cmd = cdb10_cmd(s, 0x2a, lba, 8);
	cmd.final = true;
	cmd.write = true;
	gb_send(s, c, &cmd, false, NULL, 0, s->payload, MCS_BLOCK);
	struct pdu_hdr r2t = gb_hdr(PDU_OP_R2T);
	r2t.final = true;
	r2t.itt = cmd.itt;
	r2t.lun = cmd.lun;
	r2t.ttt = ttt;
	r2t.buffer_offset = MCS_BLOCK;
	r2t.ddtl = cmd.edtl - MCS_BLOCK;
	gb_send(s, c, &r2t, false, NULL, 0, NULL, 0);
	struct pdu_hdr out = gb_hdr(PDU_OP_DATA_OUT);
	out.final = true;
	out.itt = cmd.itt;
	out.lun = cmd.lun;
	out.ttt = ttt;
	out.buffer_offset = MCS_BLOCK;
	gb_send(s, c, &out, false, NULL, 0, s->payload, r2t.ddtl);
	scsi_response(s, c, &cmd);
}

/* NOP-Out ping (non-immediate, so it takes a CmdSN); nop_done() answers. */
static struct pdu_hdr nop_issue(struct gb_session *s, struct gb_conn *c, size_t len)
{
	struct pdu_hdr out = gb_hdr(PDU_OP_NOP_OUT);
	out.final = true;
	out.itt = s->next_itt++;
	out.data_segment_len = (uint32_t)len;
	gb_send(s, c, &out, false, NULL, 0, s->payload, len);
	return out;
}

static void nop_done(struct gb_session *s, struct gb_conn *c,
		     const struct pdu_hdr *out)
{
	struct pdu_hdr in = gb_hdr(PDU_OP_NOP_IN);
	in.final = true;
	in.itt = out->itt;
	gb_send(s, c, &in, false, NULL, 0, s->payload, out->data_segment_len);
}

static void logout(struct gb_session *s, struct gb_conn *on, uint8_t reason,
		   uint16_t cid)
{
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGOUT_REQ), rsp = gb_hdr(PDU_OP_LOGOUT_RSP);
	req.immediate = true;
	req.final = true;
	req.logout_reason = reason;
	req.itt = s->next_itt++;
	req.cid = cid;
	gb_send(s, on, &req, false, NULL, 0, NULL, 0);
	rsp.final = true;
	rsp.itt = req.itt;
	rsp.response = 0;
	gb_send(s, on, &rsp, false, NULL, 0, NULL, 0);
}

/* ---- the session ------------------------------------------------------ */

/* Four reads outstanding at once, one per connection, answered out of
 * order: every answer's ExpCmdSN reflects all four commands. */
static void round_of_reads(struct gb_session *s, struct gb_conn *c[4])
{
	struct pdu_hdr r[4];
	for (int i = 0; i < 4; i++)
		r[i] = read_issue(s, c[i], 0x100u * (uint32_t)i, (uint16_t)(2 + 6 * i));
	static const int order[4] = { 2, 0, 3, 1 };
	for (int i = 0; i < 4; i++)
		read_done(s, c[order[i]], &r[order[i]]);
}

/* Writes and pings mixed over the four connections. */
static void round_of_writes(struct gb_session *s, struct gb_conn *c[4])
{
	struct pdu_hdr w1 = write_issue(s, c[1], 0x400, 1);
	struct pdu_hdr p0 = nop_issue(s, c[0], 16);
	struct pdu_hdr w3 = write_issue(s, c[3], 0x500, 4);
	struct pdu_hdr p2 = nop_issue(s, c[2], 0);
	nop_done(s, c[2], &p2);
	scsi_response(s, c[3], &w3);
	scsi_response(s, c[1], &w1);
	nop_done(s, c[0], &p0);
	write_solicited(s, c[3], 0x600, 0x00003001);
	write_solicited(s, c[2], 0x700, 0x00004001);
}

int golden_mcs_emit(struct ev_bus *bus)
{
	static const uint8_t isid[6] = { 0x80, 0x4d, 0x43, 0x53, 0x00, 0x04 };
	static const uint8_t ini_ip[4] = { 192, 0, 2, 21 }; /* TEST-NET-1 */
	static const uint8_t tgt_ip[4] = { 192, 0, 2, 22 };
	struct gb_session *s = malloc(sizeof *s); /* too big for the stack */
	if (!s)
		return -1;
	gb_session_init(s, bus, MCS_T0_NS, MCS_STEP_NS, MCS_WINDOW, isid,
			0x0204, 0x100);

	struct gb_conn conn[5];
	for (uint16_t i = 0; i < 5; i++)
		gb_conn_init(&conn[i], i + 1u, i < 4 ? i + 1u : 3u, ini_ip,
			     (uint16_t)(51001 + i), tgt_ip, GOLDEN_MCS_TARGET_PORT,
			     0x10000000u * (i + 1u));
	struct gb_conn *c[4] = { &conn[0], &conn[1], &conn[2], &conn[3] };

	open_conn(s, c[0]);
	login_leading(s, c[0]);
	for (int i = 1; i < 4; i++) {
		open_conn(s, c[i]);
		login_join(s, c[i], i >= 2);
	}
	round_of_reads(s, c);
	round_of_writes(s, c);

	/* CID 2's TCP connection is reset; CID 1 then logs it out (reason 1,
	 * "remove the connection for recovery" naming CID 2). */
	gb_conn_event(s, c[1], EV_CONN_RST, EV_DIR_I2T);
	logout(s, c[0], 1, c[1]->cid);
	struct pdu_hdr r = read_issue(s, c[3], 0x800, 4);
	struct pdu_hdr p = nop_issue(s, c[0], 4);
	read_done(s, c[3], &r);
	nop_done(s, c[0], &p);

	/* CID 3 is reinstated by a new TCP connection; the target closes the
	 * old one without sending anything more on it. */
	struct gb_conn *c5 = &conn[4];
	open_conn(s, c5);
	login_join(s, c5, true);
	close_conn(s, c[2]);
	c[1] = c5; /* the live connections are now CIDs 1, 3 (new), 4 */
	c[2] = c5;
	struct pdu_hdr r5 = read_issue(s, c5, 0x900, 8);
	struct pdu_hdr w4 = write_issue(s, c[3], 0xa00, 2);
	struct pdu_hdr r1 = read_issue(s, c[0], 0xb00, 1);
	scsi_response(s, c[3], &w4);
	read_done(s, c5, &r5);
	read_done(s, c[0], &r1);
	write_solicited(s, c5, 0xc00, 0x00005001);

	/* Logout of the session on CID 1; the target closes every connection. */
	logout(s, c[0], 0, c[0]->cid);
	close_conn(s, c[0]);
	close_conn(s, c[3]);
	close_conn(s, c5);
	int rc = s->rc;
	free(s);
	return rc;
}
