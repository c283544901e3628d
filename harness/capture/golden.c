/* golden.c — the golden session of golden.h, PDU by PDU, built on
 * golden_builder.h, which keeps the session-wide CmdSN window and each
 * connection's StatSN the way a real initiator and target would, so the
 * capture is not only decodable but correct: the offline checker must pass
 * it with no FAIL.
 *
 * Connection 1 (CID 1, no digests): security + operational login with a
 * continued (C=1) Login Request, then every Full Feature Phase opcode.
 * Connection 2 (CID 2, HeaderDigest and DataDigest CRC32C) joins the session
 * with its TSIH, carries every opcode again, and is logged out after the
 * target asks for it (Async event 1). Connection 1 then closes the session.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden.h"
#include "harness/capture/golden_builder.h"

#define GOLDEN_T0_NS 1767225600000000000LL /* 2026-01-01T00:00:00Z */
#define GOLDEN_STEP_NS 250000              /* 250 us between events */
#define GOLDEN_WINDOW 32                   /* MaxCmdSN - ExpCmdSN + 1 */

#define INITIATOR_NAME "iqn.2026-11.org.iscsi-harness:golden-initiator"
#define TARGET_NAME "iqn.2026-11.org.iscsi-harness:golden-target"

/* ---- login ------------------------------------------------------------ */

static void login_leading(struct gb_session *s, struct gb_conn *c)
{
	static const char *const sec_req[] = {
		"InitiatorName=" INITIATOR_NAME, "TargetName=" TARGET_NAME,
		"SessionType=Normal", "AuthMethod=None", NULL };
	static const char *const sec_rsp[] = {
		"AuthMethod=None", "TargetPortalGroupTag=1", NULL };
	static const char *const op_req1[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=2",
		"ErrorRecoveryLevel=2", "InitialR2T=No", "ImmediateData=Yes", NULL };
	static const char *const op_req2[] = {
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "DefaultTime2Wait=2",
		"DefaultTime2Retain=20", "MaxOutstandingR2T=1",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL };
	static const char *const op_rsp[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=2",
		"ErrorRecoveryLevel=2", "InitialR2T=No", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "DefaultTime2Wait=2",
		"DefaultTime2Retain=20", "MaxOutstandingR2T=1",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL };
	static const char *const none[] = { NULL };
	uint32_t itt = s->next_itt++;

	struct pdu_hdr req = gb_hdr(PDU_OP_LOGIN_REQ), rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = itt;
	req.transit = true;
	req.csg = PDU_STAGE_SECURITY;
	req.nsg = PDU_STAGE_OPERATIONAL;
	rsp.transit = true;
	gb_login_step(s, c, &req, sec_req, &rsp, sec_rsp);

	/* Operational stage in two Login Requests: the first continues (C=1,
	 * T=0, LOGIN-002) and gets an empty Login Response. */
	req = gb_hdr(PDU_OP_LOGIN_REQ);
	req.itt = itt;
	req.cont = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	gb_login_step(s, c, &req, op_req1, &rsp, none);

	req = gb_hdr(PDU_OP_LOGIN_REQ);
	req.itt = itt;
	req.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	rsp.transit = true;
	rsp.tsih = s->tsih; /* the new session's TSIH, in the Final-Response only */
	gb_login_step(s, c, &req, op_req2, &rsp, op_rsp);
	c->full_feature = true;
}

static void login_join(struct gb_session *s, struct gb_conn *c)
{
	static const char *const req_keys[] = {
		"InitiatorName=" INITIATOR_NAME, "TargetName=" TARGET_NAME,
		"HeaderDigest=CRC32C,None", "DataDigest=CRC32C,None",
		"MaxRecvDataSegmentLength=65536", NULL };
	static const char *const rsp_keys[] = {
		"TargetPortalGroupTag=1", "HeaderDigest=CRC32C",
		"DataDigest=CRC32C", "MaxRecvDataSegmentLength=65536", NULL };
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGIN_REQ), rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = s->next_itt++;
	req.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	req.tsih = s->tsih; /* joining the session (MCS-001) */
	rsp.transit = true;
	rsp.tsih = s->tsih;
	gb_login_step(s, c, &req, req_keys, &rsp, rsp_keys);
	c->dg = (struct pdu_digests){ .header = true, .data = true };
	c->full_feature = true;
}

/* ---- Full Feature Phase ----------------------------------------------- */

static void nop_ping(struct gb_session *s, struct gb_conn *c, size_t len)
{
	struct pdu_hdr out = gb_hdr(PDU_OP_NOP_OUT), in = gb_hdr(PDU_OP_NOP_IN);
	out.immediate = true;
	out.final = true;
	out.itt = s->next_itt++;
	gb_send(s, c, &out, false, NULL, 0, s->payload, len);
	in.final = true;
	in.itt = out.itt;
	gb_send(s, c, &in, false, NULL, 0, s->payload, len);
}

/* The target pings (NOP-In, valid TTT, SEQ-010) and the initiator answers
 * (NOP-Out, ITT reserved, I=1, SEQ-024/SEQ-026). */
static void target_ping(struct gb_session *s, struct gb_conn *c, uint32_t ttt)
{
	struct pdu_hdr in = gb_hdr(PDU_OP_NOP_IN), out = gb_hdr(PDU_OP_NOP_OUT);
	in.final = true;
	in.ttt = ttt;
	in.lun = 0x0001000000000000ull;
	gb_send(s, c, &in, false, NULL, 0, NULL, 0);
	out.immediate = true;
	out.final = true;
	out.ttt = ttt;
	out.lun = in.lun;
	gb_send(s, c, &out, false, NULL, 0, NULL, 0);
}

/* A SCSI Command to LUN 1 with the first 16 bytes of cdb (a CDB of 10
 * bytes: opcode, LBA in bytes 2-5, transfer length in bytes 7-8). */
static struct pdu_hdr scsi_cmd(struct gb_session *s, const uint8_t cdb[10],
			       uint32_t edtl)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_SCSI_CMD);
	h.itt = s->next_itt++;
	h.lun = 0x0001000000000000ull;
	h.edtl = edtl;
	h.attr = 1; /* SIMPLE */
	memcpy(h.cdb, cdb, 10);
	return h;
}

static void data_in(struct gb_session *s, struct gb_conn *c,
		    const struct pdu_hdr *cmd, uint32_t datasn, uint32_t offset,
		    size_t len, bool last_with_status)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_DATA_IN);
	h.itt = cmd->itt;
	h.lun = cmd->lun;
	h.datasn = datasn;
	h.buffer_offset = offset;
	h.final = last_with_status;
	h.status_present = last_with_status;
	gb_send(s, c, &h, false, NULL, 0, s->payload, len);
}

static struct pdu_hdr scsi_rsp(const struct pdu_hdr *cmd, uint8_t status,
			       uint32_t expdatasn)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_SCSI_RSP);
	h.final = true;
	h.itt = cmd->itt;
	h.status = status;
	h.expdatasn = expdatasn;
	h.snack_tag = 0;
	return h;
}

/* READ(10) of 32 blocks (16384 bytes) answered by Data-In of 8191 and 8193
 * bytes, status in the last Data-In (phase collapse, PDU-014). */
static void read_two_data_in(struct gb_session *s, struct gb_conn *c)
{
	static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 32, 0 };
	struct pdu_hdr cmd = scsi_cmd(s, read10, 16384);
	cmd.final = true;
	cmd.read = true;
	gb_send(s, c, &cmd, false, NULL, 0, NULL, 0);
	data_in(s, c, &cmd, 0, 0, 8191, false);
	data_in(s, c, &cmd, 1, 8191, 8193, true);
}

/* WRITE(10) of one block: 4 bytes of immediate data and one unsolicited
 * Data-Out of 508 bytes (InitialR2T=No, ImmediateData=Yes). Returns its
 * SCSI Response. */
static struct pdu_hdr write_unsolicited(struct gb_session *s, struct gb_conn *c)
{
	static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0, 64, 0, 0, 1, 0 };
	struct pdu_hdr cmd = scsi_cmd(s, write10, 512);
	cmd.write = true;
	gb_send(s, c, &cmd, false, NULL, 0, s->payload, 4);
	struct pdu_hdr out = gb_hdr(PDU_OP_DATA_OUT);
	out.final = true;
	out.itt = cmd.itt;
	out.lun = cmd.lun;
	out.buffer_offset = 4;
	gb_send(s, c, &out, false, NULL, 0, s->payload, 508);
	struct pdu_hdr rsp = scsi_rsp(&cmd, 0x00, 0);
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
	return rsp;
}

/* WRITE(10) of 4096 bytes solicited by an R2T; the target answers CHECK
 * CONDITION with fixed-format sense (SenseLength + 18 bytes). */
static void write_solicited(struct gb_session *s, struct gb_conn *c, uint32_t ttt)
{
	static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0, 128, 0, 0, 8, 0 };
	struct pdu_hdr cmd = scsi_cmd(s, write10, 4096);
	cmd.final = true;
	cmd.write = true;
	gb_send(s, c, &cmd, false, NULL, 0, NULL, 0);
	struct pdu_hdr r2t = gb_hdr(PDU_OP_R2T);
	r2t.final = true;
	r2t.itt = cmd.itt;
	r2t.lun = cmd.lun;
	r2t.ttt = ttt;
	r2t.ddtl = 4096;
	gb_send(s, c, &r2t, false, NULL, 0, NULL, 0);
	struct pdu_hdr out = gb_hdr(PDU_OP_DATA_OUT);
	out.final = true;
	out.itt = cmd.itt;
	out.lun = cmd.lun;
	out.ttt = ttt;
	gb_send(s, c, &out, false, NULL, 0, s->payload, 4096);
	static const uint8_t sense[20] = {
		0x00, 18, /* SenseLength */
		0x70, 0x00, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0,
		0x21, 0x00, 0, 0, 0, 0 }; /* ILLEGAL REQUEST, LBA out of range */
	struct pdu_hdr rsp = scsi_rsp(&cmd, 0x02, 0);
	gb_send(s, c, &rsp, false, NULL, 0, sense, sizeof sense);
}

/* READ(32), a 32-byte variable-length CDB: 16 bytes in the BHS, the other
 * 16 in an Extended CDB AHS (PDU-010). */
static void read_extended_cdb(struct gb_session *s, struct gb_conn *c)
{
	/* READ(32): opcode 0x7f, additional length 0x18, service action 0x0009,
	 * LBA 0, transfer length 1 block (bytes 28-31). */
	uint8_t cdb[32] = { 0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x09 };
	cdb[31] = 1;
	struct pdu_hdr cmd = scsi_cmd(s, cdb, 512);
	memcpy(cmd.cdb, cdb, 16);
	cmd.final = true;
	cmd.read = true;
	uint8_t ahs[32];
	long ahs_len = pdu_ahs_append(ahs, 0, sizeof ahs, PDU_AHS_EXTENDED_CDB,
				      0, cdb + 16, 16);
	if (ahs_len < 0) {
		gb_note_rc(s, (int)ahs_len);
		return;
	}
	gb_send(s, c, &cmd, false, ahs, (size_t)ahs_len, NULL, 0);
	data_in(s, c, &cmd, 0, 0, 512, true);
}

/* A bidirectional XDWRITEREAD(10): 512 bytes out as immediate data, 512 in;
 * the expected read length travels in a Bidirectional AHS. */
static void bidi_command(struct gb_session *s, struct gb_conn *c)
{
	static const uint8_t xdwriteread10[10] = { 0x53, 0, 0, 0, 1, 0, 0, 0, 1, 0 };
	struct pdu_hdr cmd = scsi_cmd(s, xdwriteread10, 512);
	cmd.final = true;
	cmd.read = true;
	cmd.write = true;
	uint8_t len_be[4] = { 0, 0, 0x02, 0x00 };
	uint8_t ahs[16];
	long ahs_len = pdu_ahs_append(ahs, 0, sizeof ahs, PDU_AHS_BIDI_READ_LEN,
				      0, len_be, sizeof len_be);
	if (ahs_len < 0) {
		gb_note_rc(s, (int)ahs_len);
		return;
	}
	gb_send(s, c, &cmd, false, ahs, (size_t)ahs_len, s->payload, 512);
	data_in(s, c, &cmd, 0, 0, 512, false);
	struct pdu_hdr rsp = scsi_rsp(&cmd, 0x00, 1);
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
}

static void lun_reset(struct gb_session *s, struct gb_conn *c)
{
	struct pdu_hdr req = gb_hdr(PDU_OP_TMF_REQ), rsp = gb_hdr(PDU_OP_TMF_RSP);
	req.immediate = true;
	req.final = true;
	req.tmf_function = 5; /* LOGICAL UNIT RESET */
	req.itt = s->next_itt++;
	req.ref_task_tag = PDU_RESERVED_TAG; /* names no task (TMF-003) */
	req.lun = 0x0001000000000000ull;
	gb_send(s, c, &req, false, NULL, 0, NULL, 0);
	rsp.final = true;
	rsp.itt = req.itt;
	rsp.response = 0; /* function complete */
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
}

static void text_vendor_key(struct gb_session *s, struct gb_conn *c)
{
	static const char *const req_keys[] = { "X-org.iscsi-harness.golden=1", NULL };
	static const char *const rsp_keys[] = {
		"X-org.iscsi-harness.golden=NotUnderstood", NULL };
	uint8_t keys[128];
	struct pdu_hdr req = gb_hdr(PDU_OP_TEXT_REQ), rsp = gb_hdr(PDU_OP_TEXT_RSP);
	req.final = true;
	req.itt = s->next_itt++;
	gb_send(s, c, &req, false, NULL, 0, keys, gb_text_keys(keys, sizeof keys, req_keys));
	rsp.final = true;
	rsp.itt = req.itt;
	gb_send(s, c, &rsp, false, NULL, 0, keys, gb_text_keys(keys, sizeof keys, rsp_keys));
}

/* The initiator misses a SCSI Response and asks for it again with a Status
 * SNACK (ERL 2 session, ERL1-013); the target resends it (ERL1-011). */
static void status_snack(struct gb_session *s, struct gb_conn *c)
{
	struct pdu_hdr lost = write_unsolicited(s, c);
	c->expstatsn = lost.statsn; /* as if it never arrived */
	struct pdu_hdr snack = gb_hdr(PDU_OP_SNACK_REQ);
	snack.final = true;
	snack.snack_type = PDU_SNACK_STATUS;
	snack.begrun = lost.statsn;
	snack.runlength = 1;
	gb_send(s, c, &snack, false, NULL, 0, NULL, 0);
	gb_send(s, c, &lost, true, NULL, 0, NULL, 0);
}

/* A DataACK SNACK naming a TTT the target never gave: Reject 0x08 "invalid
 * data ack" carrying the rejected header (PDU-020, REJECT-002). */
static void rejected_data_ack(struct gb_session *s, struct gb_conn *c)
{
	struct pdu_hdr snack = gb_hdr(PDU_OP_SNACK_REQ);
	snack.final = true;
	snack.snack_type = PDU_SNACK_DATA_ACK;
	snack.ttt = 0x0000beef;
	snack.lun = 0x0001000000000000ull;
	snack.begrun = 3;
	gb_send(s, c, &snack, false, NULL, 0, NULL, 0);
	uint8_t rejected[PDU_BHS_LEN];
	memcpy(rejected, s->wire, PDU_BHS_LEN);
	struct pdu_hdr rej = gb_hdr(PDU_OP_REJECT);
	rej.final = true;
	rej.reject_reason = 0x08;
	gb_send(s, c, &rej, false, NULL, 0, rejected, sizeof rejected);
}

static void async_logout_request(struct gb_session *s, struct gb_conn *c)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_ASYNC_MSG);
	h.final = true;
	h.async_event = 1; /* target requests logout */
	h.param3 = 5;      /* seconds */
	gb_send(s, c, &h, false, NULL, 0, NULL, 0);
}

static void logout(struct gb_session *s, struct gb_conn *c, uint8_t reason)
{
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGOUT_REQ), rsp = gb_hdr(PDU_OP_LOGOUT_RSP);
	req.immediate = true;
	req.final = true;
	req.logout_reason = reason;
	req.itt = s->next_itt++;
	req.cid = c->cid;
	gb_send(s, c, &req, false, NULL, 0, NULL, 0);
	rsp.final = true;
	rsp.itt = req.itt;
	rsp.response = 0;
	rsp.time2wait = 0;
	rsp.time2retain = 0;
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
	/* The target half-closes first, then the initiator (LOGOUT-007). */
	gb_conn_event(s, c, EV_CONN_FIN, EV_DIR_T2I);
	gb_conn_event(s, c, EV_CONN_FIN, EV_DIR_I2T);
}

/* Every Full Feature Phase opcode, with data segments of 0, 1, 3, 4, 8191
 * and 8193 bytes. */
static void full_feature_tour(struct gb_session *s, struct gb_conn *c,
			      uint32_t ttt_base)
{
	nop_ping(s, c, 1);
	nop_ping(s, c, 3);
	nop_ping(s, c, 0);
	target_ping(s, c, ttt_base);
	read_two_data_in(s, c);
	write_solicited(s, c, ttt_base + 1);
	read_extended_cdb(s, c);
	bidi_command(s, c);
	lun_reset(s, c);
	text_vendor_key(s, c);
	status_snack(s, c);
	rejected_data_ack(s, c);
	nop_ping(s, c, 4);
}

int golden_emit(struct ev_bus *bus)
{
	static const uint8_t isid[6] = { 0x80, 0x12, 0x34, 0x56, 0x00, 0x01 };
	static const uint8_t ini_ip[4] = { 192, 0, 2, 1 };  /* TEST-NET-1 */
	static const uint8_t tgt_ip[4] = { 192, 0, 2, 2 };
	struct gb_session *s = malloc(sizeof *s); /* too big for the stack */
	if (!s)
		return -1;
	gb_session_init(s, bus, GOLDEN_T0_NS, GOLDEN_STEP_NS, GOLDEN_WINDOW, isid,
			0x0101, 0x10);
	for (size_t i = 0; i < sizeof s->payload; i++)
		s->payload[i] = (uint8_t)(i * 7 + 3); /* this capture's own pattern */

	struct gb_conn c1, c2;
	gb_conn_init(&c1, 1, 1, ini_ip, 50001, tgt_ip, GOLDEN_TARGET_PORT, 0x1000);
	gb_conn_init(&c2, 2, 2, ini_ip, 50002, tgt_ip, GOLDEN_TARGET_PORT, 0x2000);

	gb_conn_event(s, &c1, EV_CONN_OPEN, EV_DIR_I2T);
	login_leading(s, &c1);
	gb_conn_event(s, &c2, EV_CONN_OPEN, EV_DIR_I2T);
	login_join(s, &c2);
	full_feature_tour(s, &c1, 0x1000);
	full_feature_tour(s, &c2, 0x2000);
	async_logout_request(s, &c2);
	logout(s, &c2, 1); /* close connection 2 */
	logout(s, &c1, 0); /* close the session */
	int rc = s->rc;
	free(s);
	return rc;
}
