/* rules_pdu.c — the pdu family: every PDU goes through the single-PDU
 * validator (pdu/validate.h) with what the session knows (digests in
 * force, who sent it, MaxBurstLength, the receiver's
 * MaxRecvDataSegmentLength, ErrorRecoveryLevel), and each violation is
 * recorded under its catalogue ID. For "held" the family knows which IDs
 * apply to which PDU (the validator only reports breaks). The validator's
 * IDs span every area, so this family is SHARED: LOGIN-001 is reported
 * under login, SEQ-018 under seq, and TMF-002 will move to a tmf family
 * when one lists it, with no change here.
 *
 * One addition a single PDU cannot make: PDU-013's "ExpDataSN equals the
 * number of Data-In PDUs sent for the command", from the task table. */
#include <stdio.h>
#include <string.h>

#include "harness/check/family.h"
#include "pdu/serial.h"
#include "pdu/validate.h"

/* When an ID applies to a PDU (the situation the rule is about). */
enum when {
	W_ALL,          /* every PDU */
	W_PADDED,       /* a data segment or AHS with padding */
	W_HDIGEST,      /* header digest in force or present */
	W_DDIGEST,      /* data digest in force or present */
	W_AHS,          /* TotalAHSLength > 0 */
	W_EXT_CDB,      /* an Extended CDB AHS */
	W_WRITE_ALL_IMM,/* write command whose EDTL equals its immediate data */
	W_STATUS,       /* SCSI Response, Data-In with S=1 */
	W_EXPDATASN,    /* SCSI Response whose ExpDataSN can be judged */
	W_DATAIN_S,
	W_R2T,
	W_NO_SEGMENTS,  /* TMF req/rsp, R2T, Logout req/rsp */
	W_REJECT,
	W_ASYNC,
	W_FIXED_F,      /* opcodes whose byte 1 bit 0x80 is a constant 1 */
	W_LOGIN_REQ,
	W_LOGIN_REQ_C,
	W_LOGIN_RSP_C,
	W_LOGIN,        /* Login Request or Response */
	W_MRDSL,        /* the receiver's MaxRecvDataSegmentLength is known */
	W_NOP_OUT_RES,  /* NOP-Out with ITT reserved */
	W_NOP_IN_RES,   /* NOP-In with ITT reserved */
	W_DATAIN_ERL0,  /* Data-In at ErrorRecoveryLevel 0 */
	W_ERL0_INI,     /* initiator PDU in FFP at ErrorRecoveryLevel 0 */
	W_SNACK,
	W_RDATA_SNACK,
	W_REASSIGN,     /* TASK REASSIGN with ERL known */
	W_TMF_RSP,
	W_TMF_REQ,      /* TMF Request with an RFC 7143 function (1-8) */
	W_TEXT_C,       /* Text Request or Response with C=1 */
	W_TEXT_RSP,
	W_TEXT_RSP_TTT, /* Text Response with TTT != reserved */
	W_LOGOUT_REQ,
	W_LOGOUT_RSP,
};

struct pdu_rule {
	enum when when;
};

#define RULE(id, sev, summary, unseen, flags) \
	{ id, sev, summary, unseen, flags }

static const struct chk_rule rules[] = {
	RULE("PDU-001", "MUST", "PDU layout: BHS, AHS, header digest, padded "
	     "data, data digest", "no PDU in the capture", 0),
	RULE("PDU-002", "MUST", "opcodes are defined and sent by the right "
	     "side", "no PDU in the capture", 0),
	RULE("PDU-003", "MUST", "bit 0x80 of byte 0 is 0; I is 0 in target "
	     "PDUs", "no PDU in the capture", 0),
	RULE("PDU-004", "MUST", "reserved fields, bits and code values are 0 "
	     "/ not used", "no PDU in the capture", 0),
	RULE("PDU-005", "MUST", "DataSegmentLength excludes padding; segments "
	     "are padded to 4 bytes", "no PDU in the capture", 0),
	RULE("PDU-006", "SHOULD", "padding bytes are 0", "no padded segment "
	     "in the capture", 0),
	RULE("PDU-007", "MUST", "with HeaderDigest=CRC32C every FFP PDU "
	     "carries a header digest that verifies", "no connection with "
	     "HeaderDigest=CRC32C", 0),
	RULE("PDU-008", "MUST", "with DataDigest=CRC32C every FFP data segment "
	     "carries a data digest that verifies, and an empty one none",
	     "no connection with DataDigest=CRC32C", 0),
	RULE("PDU-009", "MUST", "AHSLength and padding of each AHS fill "
	     "TotalAHSLength exactly", "no PDU with an AHS", 0),
	RULE("PDU-010", "MUST", "an Extended CDB AHS only for a CDB longer "
	     "than 16 bytes", "no Extended CDB AHS", 0),
	RULE("PDU-011", "MUST", "a write whose EDTL equals its immediate data "
	     "has F=1", "no write command carrying all its data immediately",
	     0),
	RULE("PDU-012", "MUST", "SCSI Response and status Data-In never set "
	     "both O and U (nor o and u)", "no SCSI Response or status "
	     "Data-In", 0),
	RULE("PDU-013", "MUST", "SCSI Response ExpDataSN is the number of "
	     "Data-In sent, 0 unless Command Completed at Target",
	     "no SCSI Response", 0),
	RULE("PDU-014", "MUST", "Data-In with S=1 has F=1 and a non-exception "
	     "status", "no Data-In with S=1", 0),
	RULE("PDU-017", "MUST", "R2T Desired Data Transfer Length is > 0 and "
	     "<= MaxBurstLength", "no R2T", 0),
	RULE("PDU-018", "MUST", "R2T TTT is never the reserved tag", "no R2T",
	     0),
	RULE("PDU-019", "MUST", "TMF, R2T and Logout PDUs have no AHS and no "
	     "data", "no TMF, R2T or Logout PDU", 0),
	RULE("PDU-020", "MUST", "Reject has ITT 0xffffffff and carries the "
	     "rejected header", "no Reject", 0),
	RULE("PDU-021", "MUST", "Asynchronous Message has ITT 0xffffffff",
	     "no Asynchronous Message", 0),
	RULE("PDU-022", "MUST", "bit 0x80 of byte 1 is 1 where the PDU format "
	     "draws it as a constant", "no PDU with a constant F bit", 0),
	RULE("LOGIN-001", "MUST", "Login Requests have I=1", "no Login Request",
	     0),
	RULE("LOGIN-002", "MUST", "a Login Request with C=1 has T=0",
	     "no Login Request with C=1", 0),
	RULE("LOGIN-003", "MUST", "a Login Response with C=1 has T=0",
	     "no Login Response with C=1", 0),
	RULE("LOGIN-004", "MUST", "CSG/NSG are 0, 1 or 3 and move forward "
	     "stage by stage", "no login", 0),
	RULE("LOGIN-007", "MUST", "login version fields are 0x00",
	     "no login", 0),
	RULE("LOGIN-008", "MUST", "ISID type is never 11b", "no Login Request",
	     0),
	RULE("SEQ-018", "MUST", "no DataSegmentLength exceeds the receiver's "
	     "MaxRecvDataSegmentLength", "no PDU whose receiver's "
	     "MaxRecvDataSegmentLength is known (login not in capture)", 0),
	RULE("SEQ-024", "MUST", "a NOP-Out with ITT 0xffffffff is immediate and "
	     "takes no CmdSN", "no NOP-Out with ITT 0xffffffff", 0),
	RULE("SEQ-028", "MUST", "an unsolicited NOP-In has ITT 0xffffffff, no "
	     "data, a valid LUN with a valid TTT", "no NOP-In with ITT "
	     "0xffffffff", 0),
	RULE("SEQ-029", "MUST", "the A bit of Data-In is never set at "
	     "ErrorRecoveryLevel 0", "no Data-In in a session known to be at "
	     "ErrorRecoveryLevel 0", 0),
	RULE("ERL0-006", "MUST", "no SNACK at ErrorRecoveryLevel 0 (from a "
	     "capture: SNACK Requests; TASK REASSIGN is ERL2-001)",
	     "no Full Feature Phase traffic in a session known to be at "
	     "ErrorRecoveryLevel 0", 0),
	RULE("ERL1-014", "MUST", "Status SNACK and DataACK carry ITT "
	     "0xffffffff; Data/R2T and R-Data SNACK the task's ITT",
	     "no SNACK Request", 0),
	RULE("ERL1-018", "MUST", "R-Data SNACK has BegRun 0, RunLength 0 and a "
	     "SNACK Tag neither 0 nor 0xffffffff", "no R-Data SNACK", 0),
	RULE("ERL2-001", "MUST", "TASK REASSIGN only at ErrorRecoveryLevel 2",
	     "no TASK REASSIGN in a session with a known "
	     "ErrorRecoveryLevel", 0),
	RULE("TMF-001", "MUST", "TMF Response codes are 0-6, 7 or 255",
	     "no TMF Response", 0),
	RULE("TMF-002", "MUST", "the TMF LUN is set for LU functions and "
	     "reserved for the others", "no TMF Request", 0),
	RULE("TMF-003", "MUST", "Referenced Task Tag is an ITT for ABORT TASK "
	     "and TASK REASSIGN, 0xffffffff otherwise", "no TMF Request", 0),
	RULE("TEXT-002", "MUST", "a Text PDU with C=1 has F=0",
	     "no Text PDU with C=1", 0),
	RULE("TEXT-004", "MUST", "Text Response TTT is 0xffffffff exactly when "
	     "F=1", "no Text Response", 0),
	RULE("TEXT-007", "MUST", "a Text Response with a TTT carries a valid "
	     "LUN", "no Text Response with a TTT", 0),
	RULE("REJECT-001", "MUST", "Reject reasons are 0x02-0x0a or 0x0c",
	     "no Reject", 0),
	RULE("ASYNC-005", "MUST", "AsyncVCode is 0 unless AsyncEvent is 255",
	     "no Asynchronous Message", 0),
	RULE("ASYNC-006", "MUST", "AsyncEvent 5-254 is not sent",
	     "no Asynchronous Message", 0),
	RULE("LOGOUT-001", "MUST", "Logout reason code is 0, 1 or 2",
	     "no Logout Request", 0),
	RULE("LOGOUT-005", "MUST", "Logout Response code is 0-3 (from a "
	     "capture: the range; the CID-not-found answer needs a live run)",
	     "no Logout Response", CHK_RULE_PARTIAL),
};

/* Applicability, in the order of rules[]. */
static const enum when when_of[] = {
	W_ALL, W_ALL, W_ALL, W_ALL, W_ALL, W_PADDED, W_HDIGEST, W_DDIGEST,
	W_AHS, W_EXT_CDB, W_WRITE_ALL_IMM, W_STATUS, W_EXPDATASN, W_DATAIN_S,
	W_R2T, W_R2T, W_NO_SEGMENTS, W_REJECT, W_ASYNC, W_FIXED_F,
	W_LOGIN_REQ, W_LOGIN_REQ_C, W_LOGIN_RSP_C, W_LOGIN, W_LOGIN,
	W_LOGIN_REQ,
	W_MRDSL, W_NOP_OUT_RES, W_NOP_IN_RES, W_DATAIN_ERL0,
	W_ERL0_INI, W_SNACK, W_RDATA_SNACK, W_REASSIGN,
	W_TMF_RSP, W_TMF_REQ, W_TMF_REQ,
	W_TEXT_C, W_TEXT_RSP, W_TEXT_RSP_TTT,
	W_REJECT, W_ASYNC, W_ASYNC, W_LOGOUT_REQ, W_LOGOUT_RSP,
};

#define N_RULES (sizeof rules / sizeof rules[0])
_Static_assert(sizeof when_of / sizeof when_of[0] == N_RULES,
	       "one applicability per rule");

static bool has_ext_cdb(const struct chk_pdu *p)
{
	if (!p->view || !p->view->ahs)
		return false;
	size_t pos = 0;
	uint8_t type;
	const uint8_t *payload;
	size_t plen;
	while (pdu_ahs_next(p->view->ahs, p->view->ahs_len, &pos, &type,
			    &payload, &plen, NULL) == 1)
		if (type == PDU_AHS_EXTENDED_CDB)
			return true;
	return false;
}

static bool applies(enum when w, const struct chk_pdu *p,
		    const struct pdu_validate_ctx *v, const struct chk_conn *c)
{
	const struct pdu_hdr *h = &p->h;
	uint8_t op = p->opcode;
	size_t dsl = h->data_segment_len;
	switch (w) {
	case W_ALL:
		return true;
	case W_PADDED:
		return (dsl & 3) != 0;
	case W_HDIGEST:
		return v->digests.header || (p->view && p->view->has_header_digest);
	case W_DDIGEST:
		return (v->digests.data && dsl) ||
		       (p->view && p->view->has_data_digest);
	case W_AHS:
		return h->total_ahs_len > 0;
	case W_EXT_CDB:
		return has_ext_cdb(p);
	case W_WRITE_ALL_IMM:
		return op == PDU_OP_SCSI_CMD && h->write && h->edtl == dsl;
	case W_STATUS:
		return op == PDU_OP_SCSI_RSP ||
		       (op == PDU_OP_DATA_IN && h->status_present);
	case W_EXPDATASN:
		return false;   /* counted by expdatasn() */
	case W_FIXED_F:
		return pdu_opcode_has_fixed_f(op);
	case W_DATAIN_S:
		return op == PDU_OP_DATA_IN && h->status_present;
	case W_R2T:
		return op == PDU_OP_R2T;
	case W_NO_SEGMENTS:
		return op == PDU_OP_TMF_REQ || op == PDU_OP_TMF_RSP ||
		       op == PDU_OP_R2T || op == PDU_OP_LOGOUT_REQ ||
		       op == PDU_OP_LOGOUT_RSP;
	case W_REJECT:
		return op == PDU_OP_REJECT;
	case W_ASYNC:
		return op == PDU_OP_ASYNC_MSG;
	case W_LOGIN_REQ:
		return op == PDU_OP_LOGIN_REQ;
	case W_LOGIN_REQ_C:
		return op == PDU_OP_LOGIN_REQ && h->cont;
	case W_LOGIN_RSP_C:
		return op == PDU_OP_LOGIN_RSP && h->cont;
	case W_LOGIN:
		return op == PDU_OP_LOGIN_REQ || op == PDU_OP_LOGIN_RSP;
	case W_MRDSL:
		return v->max_recv_dsl.known;
	case W_NOP_OUT_RES:
		return op == PDU_OP_NOP_OUT && h->itt == PDU_RESERVED_TAG;
	case W_NOP_IN_RES:
		return op == PDU_OP_NOP_IN && h->itt == PDU_RESERVED_TAG;
	case W_DATAIN_ERL0:
		return op == PDU_OP_DATA_IN && v->erl.known && v->erl.value == 0;
	case W_ERL0_INI:
		return p->dir == EV_DIR_I2T && v->erl.known &&
		       v->erl.value == 0 && c->login_done &&
		       op != PDU_OP_LOGIN_REQ;
	case W_SNACK:
		return op == PDU_OP_SNACK_REQ;
	case W_RDATA_SNACK:
		return op == PDU_OP_SNACK_REQ && h->snack_type == PDU_SNACK_RDATA;
	case W_REASSIGN:
		return op == PDU_OP_TMF_REQ && h->tmf_function == 8 &&
		       v->erl.known;
	case W_TMF_RSP:
		return op == PDU_OP_TMF_RSP;
	case W_TMF_REQ:
		return op == PDU_OP_TMF_REQ && h->tmf_function >= 1 &&
		       h->tmf_function <= 8;
	case W_TEXT_C:
		return (op == PDU_OP_TEXT_REQ || op == PDU_OP_TEXT_RSP) &&
		       h->cont;
	case W_TEXT_RSP:
		return op == PDU_OP_TEXT_RSP;
	case W_TEXT_RSP_TTT:
		return op == PDU_OP_TEXT_RSP && h->ttt != PDU_RESERVED_TAG;
	case W_LOGOUT_REQ:
		return op == PDU_OP_LOGOUT_REQ;
	case W_LOGOUT_RSP:
		return op == PDU_OP_LOGOUT_RSP;
	}
	return false;
}

/* What the session knows about the PDU's connection. */
static void known_ctx(const struct chk_ctx *c, const struct chk_pdu *p,
		      struct pdu_validate_ctx *v)
{
	const struct chk_conn *cn = c->conn;
	const struct chk_session *s = c->sess;
	memset(v, 0, sizeof *v);
	v->sender = p->dir == EV_DIR_I2T ? PDU_SENDER_INITIATOR
					 : PDU_SENDER_TARGET;
	if (cn->login_done)
		v->digests = cn->digests;
	else if (cn->phase != CHK_PHASE_LOGIN)
		v->digests = p->framed;   /* not known: as the framer found */
	if (s->params_known) {
		v->max_burst_length.known = true;
		v->max_burst_length.value = s->params.max_burst_length;
		v->erl.known = true;
		v->erl.value = s->params.error_recovery_level;
	}
	if (cn->phase == CHK_PHASE_LOGIN && cn->login_seen) {
		v->max_recv_dsl.known = true;
		v->max_recv_dsl.value = CHK_LOGIN_MRDSL;
	} else if (cn->login_done && cn->mrdsl_known[p->dir]) {
		v->max_recv_dsl.known = true;
		v->max_recv_dsl.value = cn->mrdsl[p->dir];
	}
}

static size_t rule_at(const char *id)
{
	for (size_t i = 0; i < N_RULES; i++)  /* the same literal: no strcmp() */
		if (rules[i].id == id)
			return i;
	for (size_t i = 0; i < N_RULES; i++)
		if (strcmp(rules[i].id, id) == 0)
			return i;
	return N_RULES;
}

/* PDU-013: the validator judges a Response other than "Command Completed
 * at Target" (ExpDataSN 0); the count of Data-In (read) or of R2T and
 * Data-In (bidirectional, one numbering) comes from the task table. A
 * write-only command is not judged (the catalogue leaves it open).
 * p is a SCSI Response. Returns true when the rule was judged here and
 * broken. */
static bool expdatasn(struct chk_ctx *c, const struct chk_pdu *p, bool broken)
{
	const struct pdu_hdr *h = &p->h;
	if (h->response != 0) {
		if (!broken)
			chk_held(c, "PDU-013");
		return false;
	}
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (!t || !t->cmd_seen || (t->write && !t->read) ||
	    t->conn != c->conn || t->snack_seen || t->reassigned)
		return false;
	if (!chk_stream_ok(c->conn, EV_DIR_T2I)) {
		chk_unjudged(c, "PDU-013", "bytes of the target's stream on "
			     "connection %u are missing: Data-In may be unseen",
			     c->conn->id);
		return false;
	}
	uint32_t want = t->datain_count == 0 ? 0
			: t->write ? t->in_sn_next : t->datain_count;
	if (h->expdatasn == want) {
		chk_held(c, "PDU-013");
		return false;
	}
	chk_fail(c, "PDU-013", "iscsi.expdatasn",
		 "SCSI Response ITT 0x%08x StatSN %u has ExpDataSN %u; the "
		 "target sent %u Data-In%s for the command, so %u", h->itt,
		 h->statsn, h->expdatasn, t->datain_count,
		 t->write ? " and R2T PDUs (one numbering)" : " PDU(s)", want);
	return true;
}

static void pdu_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct pdu_validate_ctx v;
	struct pdu_violation items[32];
	struct pdu_violations out;
	char opbuf[24];
	known_ctx(c, p, &v);
	pdu_violations_init(&out, items, sizeof items / sizeof items[0]);
	if (p->view) {
		pdu_validate_view(p->view, &v, &out);
	} else {
		struct pdu_validate_ctx raw = v;
		raw.digests = p->framed;
		pdu_validate_buf(p->bytes, p->len, &raw, &out);
	}
	const char *opname = pdu_opcode_name(p->opcode, opbuf);
	uint32_t itt = p->whole_bhs ? p->h.itt : PDU_RESERVED_TAG;

	bool broken[N_RULES] = { false };
	for (size_t i = 0; i < out.count; i++) {
		const struct pdu_violation *x = &items[i];
		size_t r = rule_at(x->id);
		if (r < N_RULES) {
			if (broken[r])
				continue;
			broken[r] = true;
		}
		size_t more = 0;
		for (size_t j = i + 1; j < out.count; j++)
			more += strcmp(items[j].id, x->id) == 0;
		chk_fail(c, x->id, x->field,
			 "%s (%s) ITT 0x%08x, byte %zu: %s%s", opname,
			 p->dir == EV_DIR_I2T ? "initiator" : "target", itt,
			 x->offset, x->msg,
			 more ? " (and more of the same in this PDU)" : "");
	}
	if (out.truncated)
		chk_note(c, "frame %llu: more violations than kept (%zu)",
			 c->ev ? (unsigned long long)c->ev->frame : 0ull,
			 out.total);
	if (!p->whole_bhs)
		return;
	if (p->opcode == PDU_OP_SCSI_RSP) {
		size_t r013 = rule_at("PDU-013");
		if (expdatasn(c, p, broken[r013]))
			broken[r013] = true;
	}

	for (size_t r = 0; r < N_RULES; r++) {
		if (broken[r] || !applies(when_of[r], p, &v, c->conn))
			continue;
		chk_held_row(c, r);
	}
	if (p->opcode == PDU_OP_SNACK_REQ && !v.erl.known)
		chk_unjudged(c, "ERL0-006", "ErrorRecoveryLevel not known "
			     "(login not in capture)");
}

const struct chk_family chk_family_pdu = {
	.name = "pdu",
	.summary = "single-PDU rules: layout, opcodes, reserved fields, "
		   "digests, per-opcode fields (pdu/validate.h)",
	.rules = rules,
	.n_rules = N_RULES,
	.flags = CHK_FAMILY_F_SHARED | CHK_FAMILY_F_SHORT,
	.on_pdu = pdu_on_pdu,
};
