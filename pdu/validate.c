/* validate.c — single-PDU conformance checks (validate.h): every assertion
 * of scenarios/CATALOGUE.md that one PDU decides on its own, each reported
 * with its catalogue ID, the field's registry name, its byte offset, the
 * value found and a message saying what was expected.
 *
 * One defect is reported under one ID: the most specific row that states
 * it (an undefined Logout reason is LOGOUT-001, not PDU-004; PDU-004 takes
 * reserved areas, reserved bits and reserved code values that no other row
 * names).
 *
 * Decisions where the catalogue leaves room, so a report can be trusted:
 *  - Fields that are "X or Reserved" in RFC 7143 §11 (Data-In Status when
 *    S=0, RefCmdSN of a TMF other than ABORT TASK, ...) are not checked for
 *    zero: the RFC makes them meaningless, not zero. Only areas that are
 *    always reserved are; TMF-002 and TMF-003 are the exceptions the
 *    catalogue states.
 *  - A "valid LUN" (SEQ-028, TEXT-007) cannot be proven per PDU: LUN 0 is a
 *    valid LUN and which others exist is known only from REPORT LUNS. The
 *    one encoding that is never a LUN is SAM's "logical unit not
 *    specified" (extended addressing, first byte 0xff); only that is
 *    flagged.
 *  - RFC 7144 task management functions 9-12 and response 7 are accepted;
 *    TMF-002/TMF-003 are checked only for the RFC 7143 functions 1-8.
 *  - Data-In with S=1 may carry GOOD, CONDITION MET, INTERMEDIATE or
 *    INTERMEDIATE-CONDITION MET (RFC 7143 §11.7.3 lists all four).
 *  - A Reject carries the rejected PDU's header: its BHS plus its AHS, so
 *    DataSegmentLength is 48 + that BHS's TotalAHSLength x 4.
 *  - Non-zero padding (data or AHS) is PDU-006 (SHOULD) whether or not a
 *    digest covers it: RFC 7143 asks for zero padding in both cases.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* ---- rules -------------------------------------------------------------- */

enum rule {
	R_PDU001, R_PDU002, R_PDU003, R_PDU004, R_PDU005, R_PDU006, R_PDU007,
	R_PDU008, R_PDU009, R_PDU010, R_PDU011, R_PDU012, R_PDU013, R_PDU014,
	R_PDU017, R_PDU018, R_PDU019, R_PDU020, R_PDU021, R_PDU022,
	R_LOGIN001, R_LOGIN002, R_LOGIN003, R_LOGIN004, R_LOGIN007, R_LOGIN008,
	R_SEQ018, R_SEQ024, R_SEQ028, R_SEQ029,
	R_ERL0006, R_ERL1014, R_ERL1018, R_ERL2001,
	R_TMF001, R_TMF002, R_TMF003,
	R_TEXT002, R_TEXT004, R_TEXT007,
	R_REJECT001, R_ASYNC005, R_ASYNC006, R_LOGOUT001, R_LOGOUT005,
	R_COUNT
};

static const char *const rule_ids[R_COUNT + 1] = {
	"PDU-001", "PDU-002", "PDU-003", "PDU-004", "PDU-005", "PDU-006",
	"PDU-007", "PDU-008", "PDU-009", "PDU-010", "PDU-011", "PDU-012",
	"PDU-013", "PDU-014", "PDU-017", "PDU-018", "PDU-019", "PDU-020",
	"PDU-021", "PDU-022",
	"LOGIN-001", "LOGIN-002", "LOGIN-003", "LOGIN-004", "LOGIN-007",
	"LOGIN-008",
	"SEQ-018", "SEQ-024", "SEQ-028", "SEQ-029",
	"ERL0-006", "ERL1-014", "ERL1-018", "ERL2-001",
	"TMF-001", "TMF-002", "TMF-003",
	"TEXT-002", "TEXT-004", "TEXT-007",
	"REJECT-001", "ASYNC-005", "ASYNC-006", "LOGOUT-001", "LOGOUT-005",
	NULL
};

/* Every row above is MUST in the catalogue except these. */
static enum pdu_severity rule_severity(enum rule r)
{
	return r == R_PDU006 ? PDU_SEV_SHOULD : PDU_SEV_MUST;
}

const char *const *pdu_validate_rule_ids(size_t *count)
{
	if (count)
		*count = R_COUNT;
	return rule_ids;
}

enum pdu_severity pdu_validate_rule_severity(const char *id)
{
	for (int r = 0; id && r < R_COUNT; r++)
		if (strcmp(rule_ids[r], id) == 0)
			return rule_severity((enum rule)r);
	return PDU_SEV_MUST;
}

const char *pdu_severity_name(enum pdu_severity s)
{
	switch (s) {
	case PDU_SEV_SHOULD:
		return "SHOULD";
	case PDU_SEV_MAY:
		return "MAY";
	case PDU_SEV_MUST:
		break;
	}
	return "MUST";
}

/* ---- field names (the registry's, as Wireshark's display filters) ------- */

/* BHS fields are named as fields.c names them (the SNACK Tag of an R-Data
 * SNACK is bytes 20-23, which the registry calls iscsi.targettransfertag).
 * AHS, digest and padding fields are Wireshark's. "iscsi" stands for the
 * PDU as a whole, "iscsi.reserved" for a reserved area of the BHS. */

#define F_PDU "iscsi"
#define F_RESERVED "iscsi.reserved"
#define F_X "iscsi.X"
#define F_I "iscsi.I"
#define F_OPCODE "iscsi.opcode"
#define F_FLAGS "iscsi.flags"
#define F_FIXED_F "iscsi.F"
#define F_TOTAL_AHS "iscsi.totalahslength"
#define F_DSL "iscsi.datasegmentlength"
#define F_LUN "iscsi.lun"
#define F_ITT "iscsi.initiatortasktag"
#define F_TTT "iscsi.targettransfertag"
#define F_HDIGEST "iscsi.headerdigest32"
#define F_DDIGEST "iscsi.datadigest32"
#define F_PADDING "iscsi.padding"
#define F_AHS_LEN "iscsi.ahs.length"
#define F_AHS_TYPE "iscsi.ahs.type"
#define F_CMD_F "iscsi.scsicommand.F"
#define F_RSP_O_LOWER "iscsi.scsiresponse.o"
#define F_RSP_O "iscsi.scsiresponse.O"
#define F_RSP_RESPONSE "iscsi.scsiresponse.response"
#define F_EXPDATASN "iscsi.expdatasn"
#define F_DATA_F "iscsi.scsidata.F"
#define F_DATA_A "iscsi.scsidata.A"
#define F_DATA_O "iscsi.scsidata.O"
#define F_STATUS "iscsi.scsiresponse.status"
#define F_DDTL "iscsi.desireddatalength"
#define F_TMF_FUNCTION "iscsi.taskmanfun.function"
#define F_TMF_RESPONSE "iscsi.taskmanfun.response"
#define F_TMF_RTT "iscsi.taskmanfun.referencedtasktag"
#define F_LOGIN_T "iscsi.login.T"
#define F_LOGIN_CSG "iscsi.login.csg"
#define F_LOGIN_NSG "iscsi.login.nsg"
#define F_VERSION_MAX "iscsi.versionmax"
#define F_VERSION_MIN "iscsi.versionmin"
#define F_VERSION_ACTIVE "iscsi.versionactive"
#define F_ISID "iscsi.isid"
#define F_TEXT_F "iscsi.text.F"
#define F_SNACK_TYPE "iscsi.snack.type"
#define F_BEGRUN "iscsi.snack.begrun"
#define F_RUNLENGTH "iscsi.snack.runlength"
#define F_REJECT_REASON "iscsi.reject.reason"
#define F_ASYNC_EVENT "iscsi.asyncevent"
#define F_ASYNC_VCODE "iscsi.eventvendorcode"
#define F_LOGOUT_REASON "iscsi.logout.reason"
#define F_LOGOUT_RESPONSE "iscsi.logout.response"

/* ---- reserved areas per opcode, RFC 7143 §11 ---------------------------- */

/* Bytes first..last of the BHS, bits mask of each, are reserved. */
struct rsv {
	uint8_t first, last, mask;
	const char *field;
};

#define RSV_END { 0, 0, 0, NULL }
#define RSV_FLAGS(m) { 1, 1, (m), F_FLAGS }
#define RSV(a, b) { (a), (b), 0xff, F_RESERVED }

static const struct rsv rsv_nop_out[] = {
	RSV_FLAGS(0x7f), RSV(2, 3), RSV(32, 47), RSV_END };
static const struct rsv rsv_scsi_cmd[] = {
	RSV_FLAGS(0x18), RSV(2, 3), RSV_END };
static const struct rsv rsv_tmf_req[] = {
	RSV(2, 3), RSV(40, 47), RSV_END };
static const struct rsv rsv_login_req[] = {
	RSV_FLAGS(0x30), RSV(22, 23), RSV(32, 47), RSV_END };
static const struct rsv rsv_text_req[] = {
	RSV_FLAGS(0x3f), RSV(2, 3), RSV(32, 47), RSV_END };
static const struct rsv rsv_data_out[] = {
	{ 0, 0, 0x40, F_I }, RSV_FLAGS(0x7f), RSV(2, 3), RSV(24, 27),
	RSV(32, 35), RSV(44, 47), RSV_END };
static const struct rsv rsv_logout_req[] = {
	RSV(2, 3), RSV(8, 15), RSV(22, 23), RSV(32, 47), RSV_END };
static const struct rsv rsv_snack[] = {
	{ 0, 0, 0x40, F_I }, RSV_FLAGS(0x70), RSV(2, 3), RSV(24, 27),
	RSV(32, 39), RSV_END };
static const struct rsv rsv_nop_in[] = {
	RSV_FLAGS(0x7f), RSV(2, 3), RSV(36, 47), RSV_END };
static const struct rsv rsv_scsi_rsp[] = {
	RSV_FLAGS(0x61), RSV(8, 15), RSV_END };
static const struct rsv rsv_tmf_rsp[] = {
	RSV_FLAGS(0x7f), RSV(3, 3), RSV(8, 15), RSV(20, 23), RSV(36, 47),
	RSV_END };
static const struct rsv rsv_login_rsp[] = {
	RSV_FLAGS(0x30), RSV(20, 23), RSV(38, 47), RSV_END };
static const struct rsv rsv_text_rsp[] = {
	RSV_FLAGS(0x3f), RSV(2, 3), RSV(36, 47), RSV_END };
static const struct rsv rsv_data_in[] = {
	RSV_FLAGS(0x38), RSV(2, 2), RSV_END };
static const struct rsv rsv_logout_rsp[] = {
	RSV_FLAGS(0x7f), RSV(3, 3), RSV(8, 15), RSV(20, 23), RSV(36, 39),
	RSV(44, 47), RSV_END };
static const struct rsv rsv_r2t[] = {
	RSV_FLAGS(0x7f), RSV(2, 3), RSV_END };
static const struct rsv rsv_async[] = {
	RSV_FLAGS(0x7f), RSV(2, 3), RSV(20, 23), RSV(44, 47), RSV_END };
static const struct rsv rsv_reject[] = {
	RSV_FLAGS(0x7f), RSV(3, 3), RSV(8, 15), RSV(20, 23), RSV(40, 47),
	RSV_END };

static const struct rsv *reserved_areas(uint8_t op)
{
	switch (op) {
	case PDU_OP_NOP_OUT: return rsv_nop_out;
	case PDU_OP_SCSI_CMD: return rsv_scsi_cmd;
	case PDU_OP_TMF_REQ: return rsv_tmf_req;
	case PDU_OP_LOGIN_REQ: return rsv_login_req;
	case PDU_OP_TEXT_REQ: return rsv_text_req;
	case PDU_OP_DATA_OUT: return rsv_data_out;
	case PDU_OP_LOGOUT_REQ: return rsv_logout_req;
	case PDU_OP_SNACK_REQ: return rsv_snack;
	case PDU_OP_NOP_IN: return rsv_nop_in;
	case PDU_OP_SCSI_RSP: return rsv_scsi_rsp;
	case PDU_OP_TMF_RSP: return rsv_tmf_rsp;
	case PDU_OP_LOGIN_RSP: return rsv_login_rsp;
	case PDU_OP_TEXT_RSP: return rsv_text_rsp;
	case PDU_OP_DATA_IN: return rsv_data_in;
	case PDU_OP_LOGOUT_RSP: return rsv_logout_rsp;
	case PDU_OP_R2T: return rsv_r2t;
	case PDU_OP_ASYNC_MSG: return rsv_async;
	case PDU_OP_REJECT: return rsv_reject;
	default: return NULL;
	}
}


/* ---- the PDU as the checks see it ---------------------------------------- */

/* Which parts of the PDU are there to be checked, at which offsets. */
struct frame {
	const uint8_t *bhs;        /* always 48 bytes */
	size_t ahs_len;            /* from TotalAHSLength */
	const uint8_t *ahs;        /* NULL when not (wholly) present */
	bool hd_expected;          /* header digest in force */
	bool hd_present;
	uint32_t hd;
	size_t hd_off;
	size_t dsl;                /* from DataSegmentLength */
	size_t data_off;
	const uint8_t *data;       /* NULL when not (wholly) present */
	const uint8_t *pad;        /* NULL when not (wholly) present */
	size_t pad_len;
	bool dd_present;
	uint32_t dd;
	size_t dd_off;
	bool hd_verified, dd_verified; /* a view's own verdict says "ok" */
};

struct vx {
	struct pdu_violations *out;
	struct pdu_validate_ctx c;
	const struct frame *f;
	const uint8_t *b;          /* the BHS */
	uint8_t op;
	char opname[24];
};

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

static void report(struct vx *x, enum rule r, const char *field, size_t offset,
		   uint64_t actual, const char *fmt, ...) PRINTF_LIKE(6, 7);

static void report(struct vx *x, enum rule r, const char *field, size_t offset,
		   uint64_t actual, const char *fmt, ...)
{
	struct pdu_violations *out = x->out;
	out->total++;
	if (out->count >= out->cap || !out->items) {
		out->truncated = true;
		return;
	}
	struct pdu_violation *v = &out->items[out->count++];
	v->id = rule_ids[r];
	v->severity = rule_severity(r);
	v->field = field;
	v->offset = offset;
	v->actual = actual;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static size_t round4(size_t n) { return (n + 3) & ~(size_t)3; }

/* ---- checks common to every opcode --------------------------------------- */

static bool initiator_opcode_allowed(uint8_t op)
{
	return op <= PDU_OP_LOGOUT_REQ || op == PDU_OP_SNACK_REQ ||
	       (op >= 0x1c && op <= 0x1e);
}

static bool target_opcode_allowed(uint8_t op)
{
	return (op >= PDU_OP_NOP_IN && op <= PDU_OP_LOGOUT_RSP) ||
	       op == PDU_OP_R2T || op == PDU_OP_ASYNC_MSG ||
	       (op >= 0x3c && op <= 0x3f);
}

static void check_opcode(struct vx *x)
{
	const uint8_t *b = x->b;
	uint8_t op = x->op;
	bool ini = initiator_opcode_allowed(op), tgt = target_opcode_allowed(op);

	if (!ini && !tgt)
		report(x, R_PDU002, F_OPCODE, 0, op,
		       "opcode 0x%02x is neither an initiator opcode (0x00-0x06, "
		       "0x10, 0x1c-0x1e) nor a target opcode (0x20-0x26, 0x31, "
		       "0x32, 0x3c-0x3f)", op);
	else if (x->c.sender == PDU_SENDER_INITIATOR && !ini)
		report(x, R_PDU002, F_OPCODE, 0, op,
		       "%s (opcode 0x%02x) is a target opcode; the initiator "
		       "sent it", x->opname, op);
	else if (x->c.sender == PDU_SENDER_TARGET && !tgt)
		report(x, R_PDU002, F_OPCODE, 0, op,
		       "%s (opcode 0x%02x) is an initiator opcode; the target "
		       "sent it", x->opname, op);

	if (b[0] & 0x80)
		report(x, R_PDU003, F_X, 0, 1,
		       "bit 0x80 of byte 0 is set; must be 0");
	if ((op & 0x20) && (b[0] & 0x40))
		report(x, R_PDU003, F_I, 0, 1,
		       "I bit (0x40 of byte 0) is set in %s, a target PDU; "
		       "must be 0", x->opname);
}

static void check_reserved(struct vx *x)
{
	const uint8_t *b = x->b;
	const struct rsv *r = reserved_areas(x->op);

	for (; r && r->mask; r++) {
		for (unsigned i = r->first; i <= r->last; i++) {
			uint8_t bad = b[i] & r->mask;
			if (!bad)
				continue;
			if (r->first == r->last && r->mask != 0xff)
				report(x, R_PDU004, r->field, i, bad,
				       "bits 0x%02x of byte %u are reserved in %s; "
				       "found 0x%02x, must be 0",
				       r->mask, i, x->opname, bad);
			else if (r->first == r->last)
				report(x, R_PDU004, r->field, i, bad,
				       "byte %u is reserved in %s; found 0x%02x, "
				       "must be 0", i, x->opname, bad);
			else
				report(x, R_PDU004, r->field, i, bad,
				       "bytes %u-%u are reserved in %s; byte %u "
				       "is 0x%02x, must be 0",
				       r->first, r->last, x->opname, i, bad);
			break;
		}
	}

	if (pdu_opcode_has_fixed_f(x->op) && !(b[1] & 0x80))
		report(x, R_PDU022, F_FIXED_F, 1, 0,
		       "bit 0x80 of byte 1 is 0; it is always 1 in %s",
		       x->opname);
}

/* PDU-019: no AHS and no data segment. */
static void check_no_segments(struct vx *x)
{
	if (x->b[4])
		report(x, R_PDU019, F_TOTAL_AHS, 4, x->b[4],
		       "TotalAHSLength is %u in %s; must be 0", x->b[4],
		       x->opname);
	uint32_t dsl = be24(x->b + 5);
	if (dsl)
		report(x, R_PDU019, F_DSL, 5, dsl,
		       "DataSegmentLength is %u in %s; must be 0", dsl,
		       x->opname);
}

/* SAM "logical unit not specified": extended addressing, first byte 0xff. */
static bool lun_absent(const uint8_t *b) { return b[8] == 0xff; }

/* ---- per opcode ---------------------------------------------------------- */

static void check_nop_out(struct vx *x)
{
	if (be32(x->b + 16) == PDU_RESERVED_TAG && !(x->b[0] & 0x40))
		report(x, R_SEQ024, F_I, 0, 0,
		       "NOP-Out with ITT 0xffffffff has I=0; must be 1");
}

static void check_scsi_cmd(struct vx *x)
{
	const uint8_t *b = x->b;
	uint32_t edtl = be32(b + 20);
	if ((b[1] & 0x20) && edtl == be24(b + 5) && !(b[1] & 0x80))
		report(x, R_PDU011, F_CMD_F, 1, 0,
		       "write with ExpectedDataTransferLength %u equal to its "
		       "immediate data length has F=0; must be 1", edtl);
}

static void check_scsi_rsp(struct vx *x)
{
	const uint8_t *b = x->b;
	if ((b[1] & 0x18) == 0x18)
		report(x, R_PDU012, F_RSP_O_LOWER, 1, b[1] & 0x18,
		       "o and u (0x18 of byte 1) are both set; at most one "
		       "may be");
	if ((b[1] & 0x06) == 0x06)
		report(x, R_PDU012, F_RSP_O, 1, b[1] & 0x06,
		       "O and U (0x06 of byte 1) are both set; at most one "
		       "may be");
	uint8_t resp = b[2];
	if (resp >= 0x02 && resp <= 0x7f)
		report(x, R_PDU004, F_RSP_RESPONSE, 2, resp,
		       "Response 0x%02x is a reserved value; must be 0x00, 0x01 "
		       "or 0x80-0xff", resp);
	uint32_t expdatasn = be32(b + 36);
	if (resp != 0 && expdatasn != 0)
		report(x, R_PDU013, F_EXPDATASN, 36, expdatasn,
		       "ExpDataSN is %u with Response 0x%02x (not \"Command "
		       "Completed at Target\"); must be 0", expdatasn, resp);
}

static void check_tmf_req(struct vx *x)
{
	const uint8_t *b = x->b;
	uint8_t fn = b[1] & 0x7f;
	uint64_t lun = be64(b + 8);
	uint32_t rtt = be32(b + 20);

	check_no_segments(x);
	if (fn == 0 || fn > 12) {
		report(x, R_PDU004, F_TMF_FUNCTION, 1, fn,
		       "task management function %u is unassigned; must be "
		       "1-8 (RFC 7143) or 9-12 (RFC 7144)", fn);
		return;
	}
	if (fn == 8 && x->c.erl.known && x->c.erl.value < 2)
		report(x, R_ERL2001, F_TMF_FUNCTION, 1, fn,
		       "TASK REASSIGN with ErrorRecoveryLevel %u; needs "
		       "ErrorRecoveryLevel 2", x->c.erl.value);
	if (fn >= 6 && fn <= 8 && lun != 0)
		report(x, R_TMF002, F_LUN, 8, lun,
		       "LUN is 0x%016llx for function %u, where it is reserved; "
		       "must be 0", (unsigned long long)lun, fn);
	if ((fn == 1 || fn == 8) && rtt == PDU_RESERVED_TAG)
		report(x, R_TMF003, F_TMF_RTT, 20, rtt,
		       "Referenced Task Tag is 0xffffffff for function %u; must "
		       "be the ITT of the referenced task", fn);
	else if (fn >= 2 && fn <= 7 && rtt != PDU_RESERVED_TAG)
		report(x, R_TMF003, F_TMF_RTT, 20, rtt,
		       "Referenced Task Tag is 0x%08x for function %u; must be "
		       "0xffffffff", rtt, fn);
}

static void check_tmf_rsp(struct vx *x)
{
	uint8_t resp = x->b[2];
	check_no_segments(x);
	if (resp > 7 && resp != 255)
		report(x, R_TMF001, F_TMF_RESPONSE, 2, resp,
		       "TMF response %u is undefined; must be 0-6, 7 (RFC "
		       "7144) or 255", resp);
}

static void check_login_stages(struct vx *x)
{
	uint8_t fl = x->b[1];
	uint8_t csg = (fl >> 2) & 3, nsg = fl & 3;
	if (csg == 2)
		report(x, R_LOGIN004, F_LOGIN_CSG, 1, csg,
		       "CSG is 2 (reserved); must be 0, 1 or 3");
	if ((fl & 0x80) && nsg == 2)
		report(x, R_LOGIN004, F_LOGIN_NSG, 1, nsg,
		       "NSG is 2 (reserved) with T=1; must be 0, 1 or 3");
}

static void check_login_req(struct vx *x)
{
	const uint8_t *b = x->b;
	if (!(b[0] & 0x40))
		report(x, R_LOGIN001, F_I, 0, 0,
		       "Login Request has I=0 (byte 0 is 0x%02x); must be 1 "
		       "(0x43)", b[0]);
	if ((b[1] & 0xc0) == 0xc0)
		report(x, R_LOGIN002, F_LOGIN_T, 1, 1,
		       "Login Request has C=1 and T=1; T must be 0 while C=1");
	check_login_stages(x);
	if (b[2])
		report(x, R_LOGIN007, F_VERSION_MAX, 2, b[2],
		       "Version-max is 0x%02x; must be 0x00", b[2]);
	if (b[3])
		report(x, R_LOGIN007, F_VERSION_MIN, 3, b[3],
		       "Version-min is 0x%02x; must be 0x00", b[3]);
	if ((b[8] >> 6) == 3)
		report(x, R_LOGIN008, F_ISID, 8, 3,
		       "ISID type (top 2 bits of byte 8) is 11b (reserved); "
		       "must be 00b, 01b or 10b");
}

static void check_login_rsp(struct vx *x)
{
	const uint8_t *b = x->b;
	if ((b[1] & 0xc0) == 0xc0)
		report(x, R_LOGIN003, F_LOGIN_T, 1, 1,
		       "Login Response has C=1 and T=1; T must be 0 while C=1");
	check_login_stages(x);
	if (b[2])
		report(x, R_LOGIN007, F_VERSION_MAX, 2, b[2],
		       "Version-max is 0x%02x; must be 0x00", b[2]);
	if (b[3])
		report(x, R_LOGIN007, F_VERSION_ACTIVE, 3, b[3],
		       "Version-active is 0x%02x; must be 0x00", b[3]);
}

static void check_text(struct vx *x)
{
	const uint8_t *b = x->b;
	bool fin = b[1] & 0x80, cont = b[1] & 0x40;
	if (cont && fin)
		report(x, R_TEXT002, F_TEXT_F, 1, 1,
		       "%s has C=1 and F=1; F must be 0 while C=1", x->opname);
	if (x->op != PDU_OP_TEXT_RSP)
		return;
	uint32_t ttt = be32(b + 20);
	if (fin && !cont && ttt != PDU_RESERVED_TAG)
		report(x, R_TEXT004, F_TTT, 20, ttt,
		       "Text Response with F=1 has TTT 0x%08x; must be "
		       "0xffffffff", ttt);
	else if (!fin && ttt == PDU_RESERVED_TAG)
		report(x, R_TEXT004, F_TTT, 20, ttt,
		       "Text Response with F=0 has TTT 0xffffffff; must be "
		       "another value");
	if (ttt != PDU_RESERVED_TAG && lun_absent(b))
		report(x, R_TEXT007, F_LUN, 8, be64(b + 8),
		       "Text Response with TTT 0x%08x has LUN 0x%016llx "
		       "(\"logical unit not specified\"); must be a valid LUN",
		       ttt, (unsigned long long)be64(b + 8));
}

static void check_logout_req(struct vx *x)
{
	uint8_t reason = x->b[1] & 0x7f;
	check_no_segments(x);
	if (reason > 2)
		report(x, R_LOGOUT001, F_LOGOUT_REASON, 1, reason,
		       "Logout reason code %u is undefined; must be 0, 1 or 2",
		       reason);
}

static void check_snack(struct vx *x)
{
	const uint8_t *b = x->b;
	uint8_t type = b[1] & 0x0f;
	uint32_t itt = be32(b + 16), tag = be32(b + 20);

	if (x->c.erl.known && x->c.erl.value == 0)
		report(x, R_ERL0006, F_OPCODE, 0, x->op,
		       "SNACK Request sent with ErrorRecoveryLevel 0; SNACK is "
		       "not used at ERL 0");
	if (type > PDU_SNACK_RDATA) {
		report(x, R_PDU004, F_SNACK_TYPE, 1, type,
		       "SNACK type %u is reserved; must be 0-3", type);
		return;
	}
	if ((type == PDU_SNACK_STATUS || type == PDU_SNACK_DATA_ACK) &&
	    itt != PDU_RESERVED_TAG)
		report(x, R_ERL1014, F_ITT, 16, itt,
		       "%s SNACK has ITT 0x%08x; must be 0xffffffff",
		       type == PDU_SNACK_STATUS ? "Status" : "DataACK", itt);
	if ((type == PDU_SNACK_DATA_R2T || type == PDU_SNACK_RDATA) &&
	    itt == PDU_RESERVED_TAG)
		report(x, R_ERL1014, F_ITT, 16, itt,
		       "%s SNACK has ITT 0xffffffff; must be the ITT of the "
		       "referenced task",
		       type == PDU_SNACK_RDATA ? "R-Data" : "Data/R2T");
	if (type != PDU_SNACK_RDATA)
		return;
	uint32_t begrun = be32(b + 40), runlength = be32(b + 44);
	if (begrun)
		report(x, R_ERL1018, F_BEGRUN, 40, begrun,
		       "R-Data SNACK has BegRun %u; must be 0", begrun);
	if (runlength)
		report(x, R_ERL1018, F_RUNLENGTH, 44, runlength,
		       "R-Data SNACK has RunLength %u; must be 0", runlength);
	if (tag == 0 || tag == PDU_RESERVED_TAG)
		report(x, R_ERL1018, F_TTT, 20, tag,
		       "R-Data SNACK has SNACK Tag 0x%08x; must be neither 0 "
		       "nor 0xffffffff", tag);
}

static void check_nop_in(struct vx *x)
{
	const uint8_t *b = x->b;
	uint32_t itt = be32(b + 16), ttt = be32(b + 20), dsl = be24(b + 5);
	if (itt != PDU_RESERVED_TAG)
		return;
	if (dsl)
		report(x, R_SEQ028, F_DSL, 5, dsl,
		       "NOP-In with ITT 0xffffffff has DataSegmentLength %u; "
		       "must be 0", dsl);
	if (ttt != PDU_RESERVED_TAG && lun_absent(b))
		report(x, R_SEQ028, F_LUN, 8, be64(b + 8),
		       "NOP-In with TTT 0x%08x has LUN 0x%016llx (\"logical "
		       "unit not specified\"); must be a valid LUN", ttt,
		       (unsigned long long)be64(b + 8));
}

static bool good_status(uint8_t s)
{
	/* GOOD, CONDITION MET, INTERMEDIATE, INTERMEDIATE-CONDITION MET */
	return s == 0x00 || s == 0x04 || s == 0x10 || s == 0x14;
}

static void check_data_in(struct vx *x)
{
	const uint8_t *b = x->b;
	bool s = b[1] & 0x01;
	if (s && !(b[1] & 0x80))
		report(x, R_PDU014, F_DATA_F, 1, 0,
		       "Data-In has S=1 and F=0; F must be 1 when S=1");
	if (s && !good_status(b[3]))
		report(x, R_PDU014, F_STATUS, 3, b[3],
		       "Data-In with S=1 carries status 0x%02x; must be GOOD "
		       "0x00, CONDITION MET 0x04, INTERMEDIATE 0x10 or "
		       "INTERMEDIATE-CONDITION MET 0x14", b[3]);
	if (s && (b[1] & 0x06) == 0x06)
		report(x, R_PDU012, F_DATA_O, 1, b[1] & 0x06,
		       "Data-In with S=1 has O and U (0x06 of byte 1) both "
		       "set; at most one may be");
	if ((b[1] & 0x40) && x->c.erl.known && x->c.erl.value == 0)
		report(x, R_SEQ029, F_DATA_A, 1, 1,
		       "Data-In has A=1 with ErrorRecoveryLevel 0; must be 0");
}

static void check_logout_rsp(struct vx *x)
{
	uint8_t resp = x->b[2];
	check_no_segments(x);
	if (resp > 3)
		report(x, R_LOGOUT005, F_LOGOUT_RESPONSE, 2, resp,
		       "Logout response %u is undefined; must be 0-3", resp);
}

static void check_r2t(struct vx *x)
{
	const uint8_t *b = x->b;
	uint32_t ttt = be32(b + 20), ddtl = be32(b + 44);
	check_no_segments(x);
	if (ttt == PDU_RESERVED_TAG)
		report(x, R_PDU018, F_TTT, 20, ttt,
		       "R2T has TTT 0xffffffff (reserved); must be another "
		       "value");
	if (ddtl == 0)
		report(x, R_PDU017, F_DDTL, 44, ddtl,
		       "R2T Desired Data Transfer Length is 0; must be > 0");
	else if (x->c.max_burst_length.known &&
		 ddtl > x->c.max_burst_length.value)
		report(x, R_PDU017, F_DDTL, 44, ddtl,
		       "R2T Desired Data Transfer Length %u exceeds "
		       "MaxBurstLength %u", ddtl, x->c.max_burst_length.value);
}

static void check_async(struct vx *x)
{
	const uint8_t *b = x->b;
	uint32_t itt = be32(b + 16);
	uint8_t event = b[36], vcode = b[37];
	if (itt != PDU_RESERVED_TAG)
		report(x, R_PDU021, F_ITT, 16, itt,
		       "Asynchronous Message has ITT 0x%08x; must be "
		       "0xffffffff", itt);
	if (event >= 5 && event <= 254)
		report(x, R_ASYNC006, F_ASYNC_EVENT, 36, event,
		       "AsyncEvent %u is reserved; must be 0-4 or 255", event);
	if (event != 255 && vcode != 0)
		report(x, R_ASYNC005, F_ASYNC_VCODE, 37, vcode,
		       "AsyncVCode is 0x%02x with AsyncEvent %u; it is "
		       "reserved (0) unless AsyncEvent is 255", vcode, event);
}

static void check_reject(struct vx *x)
{
	const uint8_t *b = x->b;
	const struct frame *f = x->f;
	uint32_t itt = be32(b + 16);
	uint8_t reason = b[2];
	if (itt != PDU_RESERVED_TAG)
		report(x, R_PDU020, F_ITT, 16, itt,
		       "Reject has ITT 0x%08x; must be 0xffffffff", itt);
	if (f->dsl < PDU_BHS_LEN)
		report(x, R_PDU020, F_DSL, 5, f->dsl,
		       "Reject DataSegmentLength is %zu; must hold the 48-byte "
		       "header of the rejected PDU", f->dsl);
	else if (f->data) {
		size_t want = PDU_BHS_LEN + (size_t)f->data[4] * 4;
		if (f->dsl != want)
			report(x, R_PDU020, F_DSL, 5, f->dsl,
			       "Reject DataSegmentLength is %zu; the rejected "
			       "header (BHS with TotalAHSLength %u) is %zu bytes",
			       f->dsl, f->data[4], want);
	}
	if (!((reason >= 0x02 && reason <= 0x0a) || reason == 0x0c))
		report(x, R_REJECT001, F_REJECT_REASON, 2, reason,
		       "Reject reason 0x%02x is %s; must be 0x02-0x0a or 0x0c",
		       reason, reason == 0x0b ? "deprecated" : "reserved");
}

static void check_opcode_fields(struct vx *x)
{
	switch (x->op) {
	case PDU_OP_NOP_OUT: check_nop_out(x); break;
	case PDU_OP_SCSI_CMD: check_scsi_cmd(x); break;
	case PDU_OP_TMF_REQ: check_tmf_req(x); break;
	case PDU_OP_LOGIN_REQ: check_login_req(x); break;
	case PDU_OP_TEXT_REQ: check_text(x); break;
	case PDU_OP_LOGOUT_REQ: check_logout_req(x); break;
	case PDU_OP_SNACK_REQ: check_snack(x); break;
	case PDU_OP_NOP_IN: check_nop_in(x); break;
	case PDU_OP_SCSI_RSP: check_scsi_rsp(x); break;
	case PDU_OP_TMF_RSP: check_tmf_rsp(x); break;
	case PDU_OP_LOGIN_RSP: check_login_rsp(x); break;
	case PDU_OP_TEXT_RSP: check_text(x); break;
	case PDU_OP_DATA_IN: check_data_in(x); break;
	case PDU_OP_LOGOUT_RSP: check_logout_rsp(x); break;
	case PDU_OP_R2T: check_r2t(x); break;
	case PDU_OP_ASYNC_MSG: check_async(x); break;
	case PDU_OP_REJECT: check_reject(x); break;
	default: break;  /* Data-Out: reserved areas only; vendor: nothing */
	}
}

/* ---- segments ------------------------------------------------------------ */

static void check_ahs(struct vx *x)
{
	const struct frame *f = x->f;
	const uint8_t *a = f->ahs;
	size_t pos = 0;

	while (a && pos < f->ahs_len) {
		size_t off = PDU_BHS_LEN + pos;
		uint32_t alen = be16(a + pos);
		uint8_t type = a[pos + 2];
		size_t span = round4(3 + (size_t)alen);
		if (span > f->ahs_len - pos) {
			report(x, R_PDU009, F_AHS_LEN, off, alen,
			       "AHSLength %u at offset %zu runs %zu bytes past the "
			       "%zu bytes of TotalAHSLength", alen, off,
			       span - (f->ahs_len - pos), f->ahs_len);
			return;
		}
		if (type == PDU_AHS_EXTENDED_CDB) {
			if (x->op != PDU_OP_SCSI_CMD)
				report(x, R_PDU010, F_AHS_TYPE, off + 2, type,
				       "Extended CDB AHS in %s, which has no CDB",
				       x->opname);
			else if (alen <= 1)
				report(x, R_PDU010, F_AHS_LEN, off, alen,
				       "Extended CDB AHS with AHSLength %u adds no "
				       "CDB bytes; send it only for a CDB longer "
				       "than 16 bytes", alen);
			if (alen >= 1 && a[pos + 3])
				report(x, R_PDU004, F_RESERVED, off + 3,
				       a[pos + 3],
				       "reserved byte of the Extended CDB AHS is "
				       "0x%02x; must be 0", a[pos + 3]);
		} else if (type == PDU_AHS_BIDI_READ_LEN) {
			if (alen != 5)
				report(x, R_PDU009, F_AHS_LEN, off, alen,
				       "Bidirectional Read Expected Data Transfer "
				       "Length AHS has AHSLength %u; must be 5",
				       alen);
			else if (a[pos + 3])
				report(x, R_PDU004, F_RESERVED, off + 3,
				       a[pos + 3],
				       "reserved byte of the Bidirectional Read "
				       "AHS is 0x%02x; must be 0", a[pos + 3]);
		} else {
			report(x, R_PDU004, F_AHS_TYPE, off + 2, type,
			       "AHSType 0x%02x is reserved; must be 1 (Extended "
			       "CDB) or 2 (Bidirectional Read Expected Data "
			       "Transfer Length)", type);
		}
		for (size_t i = 3 + (size_t)alen; i < span; i++)
			if (a[pos + i]) {
				report(x, R_PDU006, F_PADDING, off + i,
				       a[pos + i],
				       "AHS padding byte at offset %zu is 0x%02x; "
				       "should be 0", off + i, a[pos + i]);
				break;
			}
		pos += span;
	}
}

static void check_digests_and_padding(struct vx *x)
{
	const struct frame *f = x->f;

	if (f->hd_present && f->ahs && !f->hd_verified) {
		uint32_t crc = pdu_crc32c(f->bhs, PDU_BHS_LEN);
		crc = pdu_crc32c_extend(crc, f->ahs, f->ahs_len);
		if (crc != f->hd)
			report(x, R_PDU007, F_HDIGEST, f->hd_off, f->hd,
			       "header digest is 0x%08x; CRC32C over BHS and AHS "
			       "is 0x%08x", f->hd, crc);
	}
	if (f->pad) {
		for (size_t i = 0; i < f->pad_len; i++)
			if (f->pad[i]) {
				size_t off = f->data_off + f->dsl + i;
				report(x, R_PDU006, F_PADDING, off, f->pad[i],
				       "data padding byte at offset %zu is 0x%02x; "
				       "should be 0", off, f->pad[i]);
				break;
			}
	}
	if (f->dd_present && f->data && f->pad && !f->dd_verified) {
		uint32_t crc = pdu_crc32c(f->data, f->dsl);
		crc = pdu_crc32c_extend(crc, f->pad, f->pad_len);
		if (crc != f->dd)
			report(x, R_PDU008, F_DDIGEST, f->dd_off, f->dd,
			       "data digest is 0x%08x; CRC32C over data and "
			       "padding is 0x%08x", f->dd, crc);
	}
}

/* ---- driver -------------------------------------------------------------- */

static void vx_init(struct vx *x, const struct frame *f,
		    const struct pdu_validate_ctx *ctx,
		    struct pdu_violations *out)
{
	memset(x, 0, sizeof *x);
	x->out = out;
	if (ctx)
		x->c = *ctx;
	x->f = f;
	x->b = f->bhs;
	x->op = f->bhs[0] & 0x3f;
	pdu_opcode_name(x->op, x->opname);
}

static void check_frame(struct vx *x)
{
	check_opcode(x);
	check_reserved(x);
	check_opcode_fields(x);
	if (x->c.max_recv_dsl.known && x->f->dsl > x->c.max_recv_dsl.value)
		report(x, R_SEQ018, F_DSL, 5, x->f->dsl,
		       "DataSegmentLength %zu exceeds the receiver's "
		       "MaxRecvDataSegmentLength %u", x->f->dsl,
		       x->c.max_recv_dsl.value);
	check_ahs(x);
	check_digests_and_padding(x);
}

static void reset(struct pdu_violations *out)
{
	out->count = 0;
	out->total = 0;
	out->truncated = false;
}

size_t pdu_validate_buf(const uint8_t *buf, size_t len,
			const struct pdu_validate_ctx *ctx,
			struct pdu_violations *out)
{
	struct pdu_validate_ctx none = { 0 };
	struct frame f = { 0 };
	struct vx x;

	reset(out);
	if (!ctx)
		ctx = &none;
	if (!buf || len < PDU_BHS_LEN) {
		f.bhs = (const uint8_t[PDU_BHS_LEN]){ 0 };
		vx_init(&x, &f, ctx, out);
		report(&x, R_PDU001, F_PDU, 0, len,
		       "buffer holds %zu bytes; a PDU starts with a 48-byte "
		       "BHS", len);
		return out->total;
	}

	f.bhs = buf;
	f.ahs_len = (size_t)buf[4] * 4;
	f.dsl = be24(buf + 5);
	f.pad_len = pdu_pad_len(f.dsl);
	f.hd_expected = ctx->digests.header;
	f.hd_off = PDU_BHS_LEN + f.ahs_len;
	f.data_off = f.hd_off + (f.hd_expected ? PDU_DIGEST_LEN : 0);
	size_t data_end = f.data_off + f.dsl + f.pad_len;
	bool dd_expected = ctx->digests.data && f.dsl > 0;
	f.dd_off = data_end;
	size_t need = data_end + (dd_expected ? PDU_DIGEST_LEN : 0);

	if (len >= f.hd_off)
		f.ahs = f.ahs_len ? buf + PDU_BHS_LEN : buf;
	if (f.hd_expected && len >= f.hd_off + PDU_DIGEST_LEN) {
		f.hd_present = true;
		f.hd = pdu_get_digest(buf + f.hd_off);
	}
	if (len >= f.data_off + f.dsl)
		f.data = buf + f.data_off;
	if (len >= data_end) {
		f.pad = buf + f.data_off + f.dsl;
	}
	if (dd_expected && len >= need) {
		f.dd_present = true;
		f.dd = pdu_get_digest(buf + f.dd_off);
	}

	vx_init(&x, &f, ctx, out);
	if (len < need) {
		if (f.pad_len && len == need - f.pad_len && f.data) {
			report(&x, R_PDU005, F_DSL, 5, f.dsl,
			       "data segment of %zu bytes is not padded: the "
			       "PDU is %zu bytes, %zu short of the padded "
			       "length %zu", f.dsl, len, f.pad_len, need);
			f.pad = NULL;
		} else if (len < f.hd_off)
			report(&x, R_PDU001, F_TOTAL_AHS, 4, buf[4],
			       "TotalAHSLength %u needs %zu bytes of AHS; the "
			       "buffer ends after %zu", buf[4], f.ahs_len,
			       len - PDU_BHS_LEN);
		else
			report(&x, R_PDU001, F_DSL, 5, f.dsl,
			       "PDU needs %zu bytes (DataSegmentLength %zu, "
			       "padding%s); the buffer holds %zu", need, f.dsl,
			       f.hd_expected || dd_expected ? ", digests" : "",
			       len);
		/* a PDU that ends early has no data digest where one
		 * would be looked for */
		f.dd_present = false;
	} else if (len > need) {
		if (f.dsl == 0 && ctx->digests.data &&
		    len == need + PDU_DIGEST_LEN)
			report(&x, R_PDU008, F_DDIGEST, need, 0,
			       "4 bytes follow a PDU with DataSegmentLength 0: "
			       "a data digest must not be sent for an empty "
			       "data segment");
		else
			report(&x, R_PDU001, F_DSL, 5, f.dsl,
			       "buffer holds %zu bytes after the PDU's end at %zu "
			       "(DataSegmentLength %zu)", len - need, need, f.dsl);
	}
	check_frame(&x);
	return out->total;
}

size_t pdu_validate_view(const struct pdu_view *v,
			 const struct pdu_validate_ctx *ctx,
			 struct pdu_violations *out)
{
	struct pdu_validate_ctx c = { 0 };
	struct frame f = { 0 };
	struct vx x;

	reset(out);
	if (ctx)
		c = *ctx;
	else {
		c.digests.header = v && v->has_header_digest;
		c.digests.data = v && v->has_data_digest;
	}
	if (!v || !v->bhs) {
		f.bhs = (const uint8_t[PDU_BHS_LEN]){ 0 };
		vx_init(&x, &f, &c, out);
		report(&x, R_PDU001, F_PDU, 0, 0, "no PDU: the view has no BHS");
		return out->total;
	}

	f.bhs = v->bhs;
	f.ahs_len = (size_t)v->bhs[4] * 4;
	f.dsl = be24(v->bhs + 5);
	f.pad_len = pdu_pad_len(f.dsl);
	f.hd_expected = c.digests.header;
	f.hd_off = PDU_BHS_LEN + f.ahs_len;
	f.data_off = f.hd_off + (v->has_header_digest ? PDU_DIGEST_LEN : 0);
	f.dd_off = f.data_off + f.dsl + f.pad_len;

	vx_init(&x, &f, &c, out);
	bool ahs_ok = v->ahs_len == f.ahs_len && (v->ahs || !f.ahs_len);
	if (!ahs_ok)
		report(&x, R_PDU001, F_TOTAL_AHS, 4, v->bhs[4],
		       "TotalAHSLength %u means %zu bytes of AHS; the view "
		       "has %zu", v->bhs[4], f.ahs_len, v->ahs_len);
	else
		f.ahs = f.ahs_len ? v->ahs : v->bhs;
	bool data_ok = v->data_len == f.dsl && (v->data || !f.dsl);
	if (!data_ok)
		report(&x, R_PDU001, F_DSL, 5, f.dsl,
		       "DataSegmentLength is %zu; the view has %zu data bytes",
		       f.dsl, v->data_len);
	else
		f.data = f.dsl ? v->data : v->bhs;
	if (v->pad_len != f.pad_len || (f.pad_len && !v->pad))
		report(&x, R_PDU005, F_DSL, 5, f.dsl,
		       "data segment of %zu bytes needs %zu padding bytes; the "
		       "view has %zu", f.dsl, f.pad_len, v->pad_len);
	else
		f.pad = f.pad_len ? v->pad : v->bhs;

	if (v->has_header_digest != c.digests.header)
		report(&x, R_PDU007, F_HDIGEST, f.hd_off, v->has_header_digest,
		       c.digests.header ? "HeaderDigest=CRC32C is in force; "
		       "the PDU carries no header digest" : "the PDU carries "
		       "a header digest; HeaderDigest=CRC32C is not in force");
	f.hd_present = v->has_header_digest;
	f.hd = v->header_digest;
	f.hd_verified = v->has_header_digest && v->header_digest_ok;

	bool dd_expected = c.digests.data && f.dsl > 0;
	if (v->has_data_digest && f.dsl == 0)
		report(&x, R_PDU008, F_DDIGEST, f.dd_off, 1,
		       "the PDU carries a data digest with DataSegmentLength 0; "
		       "an empty data segment has none");
	else if (v->has_data_digest != dd_expected)
		report(&x, R_PDU008, F_DDIGEST, f.dd_off, v->has_data_digest,
		       dd_expected ? "DataDigest=CRC32C is in force; the PDU "
		       "carries no data digest" : "the PDU carries a data "
		       "digest; DataDigest=CRC32C is not in force");
	f.dd_present = v->has_data_digest && f.dsl > 0;
	f.dd = v->data_digest;
	f.dd_verified = f.dd_present && v->data_digest_ok;

	check_frame(&x);
	return out->total;
}
