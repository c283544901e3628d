/* fields.c — the field registry: where every field of every BHS lives for
 * each RFC 7143 opcode (§11), under the name Wireshark's iSCSI dissector
 * gives it in display filters, and the get/set functions that read and
 * write a field in encoded bytes or in a struct pdu_hdr.
 *
 * Names marked "ours" below have no Wireshark display-filter name (checked
 * against `tshark -G fields` of Wireshark 4.0); they follow its style.
 *   iscsi.lun                   Wireshark hands the LUN to the SCSI
 *                               dissector (scsi.lun, decoded, not raw)
 *   iscsi.F                     the F bit of the opcodes whose F Wireshark
 *                               does not name
 *   iscsi.snacktag              SCSI Response SNACK Tag
 *   iscsi.scsicommand.cdb       the 16 CDB bytes of a SCSI Command
 *   iscsi.login.statusclass     Login Response Status-Class (byte 36)
 *   iscsi.login.statusdetail    Login Response Status-Detail (byte 37)
 * Raw-only entries (no struct member: iscsi.flags, iscsi.X, iscsi.isid.*,
 * iscsi.login.status) overlap member fields and take no part in the codec.
 */
#include <stddef.h>
#include <string.h>

#include "fields.h"

#define OP(op) PDU_OPCODE_BIT(PDU_OP_##op)
#define ALL_OPCODES (~UINT64_C(0))

/* Opcode sets of the fields that many opcodes share. */
#define LUN_OPS                                                            \
	(OP(NOP_OUT) | OP(SCSI_CMD) | OP(TMF_REQ) | OP(TEXT_REQ) |         \
	 OP(DATA_OUT) | OP(SNACK_REQ) | OP(NOP_IN) | OP(TEXT_RSP) |        \
	 OP(DATA_IN) | OP(R2T) | OP(ASYNC_MSG))
#define TTT_OPS                                                            \
	(OP(NOP_OUT) | OP(TEXT_REQ) | OP(DATA_OUT) | OP(SNACK_REQ) |       \
	 OP(NOP_IN) | OP(TEXT_RSP) | OP(DATA_IN) | OP(R2T))
#define CMDSN_OPS                                                          \
	(OP(NOP_OUT) | OP(SCSI_CMD) | OP(TMF_REQ) | OP(LOGIN_REQ) |        \
	 OP(TEXT_REQ) | OP(LOGOUT_REQ))
#define EXPSTATSN_OPS (CMDSN_OPS | OP(DATA_OUT) | OP(SNACK_REQ))
#define STATSN_OPS                                                         \
	(OP(NOP_IN) | OP(SCSI_RSP) | OP(TMF_RSP) | OP(LOGIN_RSP) |         \
	 OP(TEXT_RSP) | OP(DATA_IN) | OP(LOGOUT_RSP) | OP(R2T) |           \
	 OP(ASYNC_MSG) | OP(REJECT))
#define LOGIN_OPS (OP(LOGIN_REQ) | OP(LOGIN_RSP))
#define TEXT_OPS (OP(TEXT_REQ) | OP(TEXT_RSP))
#define DATA_OPS (OP(DATA_OUT) | OP(DATA_IN))
/* Byte 1 bit 0x80 is F (or a fixed 1) in every opcode but Login. */
#define PLAIN_F_OPS                                                        \
	(OP(NOP_OUT) | OP(TMF_REQ) | OP(LOGOUT_REQ) | OP(SNACK_REQ) |      \
	 OP(NOP_IN) | OP(SCSI_RSP) | OP(TMF_RSP) | OP(LOGOUT_RSP) |        \
	 OP(R2T) | OP(ASYNC_MSG) | OP(REJECT))

#define MEMBER(m) offsetof(struct pdu_hdr, m), sizeof(((struct pdu_hdr *)0)->m)
#define RAW_ONLY SIZE_MAX, 0
#define LOC(ops, off, size, mask) { (ops), (off), (size), (mask) }
#define LOCS(...)                                                          \
	{ __VA_ARGS__ },                                                   \
	sizeof((struct pdu_field_loc[]){ __VA_ARGS__ }) /                  \
		sizeof(struct pdu_field_loc)

#define UINT PDU_FIELD_UINT
#define BOOL PDU_FIELD_BOOL
#define BYTES PDU_FIELD_BYTES

static const struct pdu_field registry[] = {
	/* byte 0 */
	{ "iscsi.opcode", "opcode", "Opcode", UINT, MEMBER(opcode),
	  LOCS(LOC(ALL_OPCODES, 0, 1, 0x3f)) },
	{ "iscsi.X", "x_bit", "Reserved bit 0x80 of byte 0", BOOL, RAW_ONLY,
	  LOCS(LOC(ALL_OPCODES, 0, 1, 0x80)) },
	{ "iscsi.I", "immediate", "I (Immediate)", BOOL, MEMBER(immediate),
	  LOCS(LOC(ALL_OPCODES, 0, 1, 0x40)) },

	/* byte 1 */
	{ "iscsi.flags", "flags", "Flags (byte 1)", UINT, RAW_ONLY,
	  LOCS(LOC(ALL_OPCODES, 1, 1, 0xff)) },
	{ "iscsi.F", "final", "F (Final)", BOOL, MEMBER(final), /* ours */
	  LOCS(LOC(PLAIN_F_OPS, 1, 1, 0x80)) },
	{ "iscsi.scsicommand.F", "cmd_final", "F (Final)", BOOL,
	  MEMBER(final), LOCS(LOC(OP(SCSI_CMD), 1, 1, 0x80)) },
	{ "iscsi.scsicommand.R", "read", "R (Read)", BOOL, MEMBER(read),
	  LOCS(LOC(OP(SCSI_CMD), 1, 1, 0x40)) },
	{ "iscsi.scsicommand.W", "write", "W (Write)", BOOL, MEMBER(write),
	  LOCS(LOC(OP(SCSI_CMD), 1, 1, 0x20)) },
	{ "iscsi.scsicommand.attr", "attr", "ATTR (Task Attributes)", UINT,
	  MEMBER(attr), LOCS(LOC(OP(SCSI_CMD), 1, 1, 0x07)) },
	{ "iscsi.scsidata.F", "data_final", "F (Final)", BOOL, MEMBER(final),
	  LOCS(LOC(DATA_OPS, 1, 1, 0x80)) },
	{ "iscsi.scsidata.A", "ack", "A (Acknowledge)", BOOL, MEMBER(ack),
	  LOCS(LOC(OP(DATA_IN), 1, 1, 0x40)) },
	{ "iscsi.scsidata.O", "data_overflow", "O (Residual Overflow)", BOOL,
	  MEMBER(overflow), LOCS(LOC(OP(DATA_IN), 1, 1, 0x04)) },
	{ "iscsi.scsidata.U", "data_underflow", "U (Residual Underflow)", BOOL,
	  MEMBER(underflow), LOCS(LOC(OP(DATA_IN), 1, 1, 0x02)) },
	{ "iscsi.scsidata.S", "status_present", "S (Status)", BOOL,
	  MEMBER(status_present), LOCS(LOC(OP(DATA_IN), 1, 1, 0x01)) },
	{ "iscsi.scsiresponse.o", "bidi_overflow",
	  "o (Bidirectional Read Residual Overflow)", BOOL,
	  MEMBER(bidi_overflow), LOCS(LOC(OP(SCSI_RSP), 1, 1, 0x10)) },
	{ "iscsi.scsiresponse.u", "bidi_underflow",
	  "u (Bidirectional Read Residual Underflow)", BOOL,
	  MEMBER(bidi_underflow), LOCS(LOC(OP(SCSI_RSP), 1, 1, 0x08)) },
	{ "iscsi.scsiresponse.O", "rsp_overflow", "O (Residual Overflow)",
	  BOOL, MEMBER(overflow), LOCS(LOC(OP(SCSI_RSP), 1, 1, 0x04)) },
	{ "iscsi.scsiresponse.U", "rsp_underflow", "U (Residual Underflow)",
	  BOOL, MEMBER(underflow), LOCS(LOC(OP(SCSI_RSP), 1, 1, 0x02)) },
	{ "iscsi.login.T", "transit", "T (Transit)", BOOL, MEMBER(transit),
	  LOCS(LOC(LOGIN_OPS, 1, 1, 0x80)) },
	{ "iscsi.login.C", "login_cont", "C (Continue)", BOOL, MEMBER(cont),
	  LOCS(LOC(LOGIN_OPS, 1, 1, 0x40)) },
	{ "iscsi.login.csg", "csg", "CSG (Current Stage)", UINT, MEMBER(csg),
	  LOCS(LOC(LOGIN_OPS, 1, 1, 0x0c)) },
	{ "iscsi.login.nsg", "nsg", "NSG (Next Stage)", UINT, MEMBER(nsg),
	  LOCS(LOC(LOGIN_OPS, 1, 1, 0x03)) },
	{ "iscsi.text.F", "text_final", "F (Final)", BOOL, MEMBER(final),
	  LOCS(LOC(TEXT_OPS, 1, 1, 0x80)) },
	{ "iscsi.text.C", "text_cont", "C (Continue)", BOOL, MEMBER(cont),
	  LOCS(LOC(TEXT_OPS, 1, 1, 0x40)) },
	{ "iscsi.taskmanfun.function", "tmf_function", "Function", UINT,
	  MEMBER(tmf_function), LOCS(LOC(OP(TMF_REQ), 1, 1, 0x7f)) },
	{ "iscsi.logout.reason", "logout_reason", "Reason Code", UINT,
	  MEMBER(logout_reason), LOCS(LOC(OP(LOGOUT_REQ), 1, 1, 0x7f)) },
	{ "iscsi.snack.type", "snack_type", "Type", UINT, MEMBER(snack_type),
	  LOCS(LOC(OP(SNACK_REQ), 1, 1, 0x0f)) },

	/* bytes 2-3 */
	{ "iscsi.scsiresponse.response", "scsi_response", "Response", UINT,
	  MEMBER(response), LOCS(LOC(OP(SCSI_RSP), 2, 1, 0xff)) },
	{ "iscsi.taskmanfun.response", "tmf_response", "Response", UINT,
	  MEMBER(response), LOCS(LOC(OP(TMF_RSP), 2, 1, 0xff)) },
	{ "iscsi.logout.response", "logout_response", "Response", UINT,
	  MEMBER(response), LOCS(LOC(OP(LOGOUT_RSP), 2, 1, 0xff)) },
	{ "iscsi.scsiresponse.status", "status", "Status", UINT,
	  MEMBER(status),
	  LOCS(LOC(OP(SCSI_RSP) | OP(DATA_IN), 3, 1, 0xff)) },
	{ "iscsi.versionmax", "version_max", "Version-max", UINT,
	  MEMBER(version_max), LOCS(LOC(LOGIN_OPS, 2, 1, 0xff)) },
	{ "iscsi.versionmin", "version_min", "Version-min", UINT,
	  MEMBER(version_min), LOCS(LOC(OP(LOGIN_REQ), 3, 1, 0xff)) },
	{ "iscsi.versionactive", "version_active", "Version-active", UINT,
	  MEMBER(version_active), LOCS(LOC(OP(LOGIN_RSP), 3, 1, 0xff)) },
	{ "iscsi.reject.reason", "reject_reason", "Reason", UINT,
	  MEMBER(reject_reason), LOCS(LOC(OP(REJECT), 2, 1, 0xff)) },

	/* bytes 4-15 */
	{ "iscsi.totalahslength", "ahs_len", "TotalAHSLength", UINT,
	  MEMBER(total_ahs_len), LOCS(LOC(ALL_OPCODES, 4, 1, 0xff)) },
	{ "iscsi.datasegmentlength", "dsl", "DataSegmentLength", UINT,
	  MEMBER(data_segment_len), LOCS(LOC(ALL_OPCODES, 5, 3, 0xff)) },
	{ "iscsi.lun", "lun", "LUN", UINT, MEMBER(lun), /* ours */
	  LOCS(LOC(LUN_OPS, 8, 8, 0xff)) },
	{ "iscsi.isid", "isid", "ISID", BYTES, MEMBER(isid),
	  LOCS(LOC(LOGIN_OPS, 8, 6, 0xff)) },
	/* The ISID's parts (RFC 7143 §11.12.5), in the bytes only. */
	{ "iscsi.isid.t", "isid_t", "ISID T (format)", UINT, RAW_ONLY,
	  LOCS(LOC(LOGIN_OPS, 8, 1, 0xc0)) },
	{ "iscsi.isid.a", "isid_a", "ISID A", UINT, RAW_ONLY,
	  LOCS(LOC(LOGIN_OPS, 8, 1, 0x3f)) },
	{ "iscsi.isid.b", "isid_b", "ISID B", UINT, RAW_ONLY,
	  LOCS(LOC(LOGIN_OPS, 9, 2, 0xff)) },
	{ "iscsi.isid.c", "isid_c", "ISID C", UINT, RAW_ONLY,
	  LOCS(LOC(LOGIN_OPS, 11, 1, 0xff)) },
	{ "iscsi.isid.d", "isid_d", "ISID D", UINT, RAW_ONLY,
	  LOCS(LOC(LOGIN_OPS, 12, 2, 0xff)) },
	{ "iscsi.tsih", "tsih", "TSIH", UINT, MEMBER(tsih),
	  LOCS(LOC(LOGIN_OPS, 14, 2, 0xff)) },

	/* bytes 16-31 */
	{ "iscsi.initiatortasktag", "itt", "Initiator Task Tag", UINT,
	  MEMBER(itt), LOCS(LOC(ALL_OPCODES, 16, 4, 0xff)) },
	{ "iscsi.targettransfertag", "ttt", "Target Transfer Tag", UINT,
	  MEMBER(ttt), LOCS(LOC(TTT_OPS, 20, 4, 0xff)) },
	{ "iscsi.scsicommand.expecteddatatransferlength", "edtl",
	  "Expected Data Transfer Length", UINT, MEMBER(edtl),
	  LOCS(LOC(OP(SCSI_CMD), 20, 4, 0xff)) },
	{ "iscsi.taskmanfun.referencedtasktag", "rtt", "Referenced Task Tag",
	  UINT, MEMBER(ref_task_tag), LOCS(LOC(OP(TMF_REQ), 20, 4, 0xff)) },
	{ "iscsi.cid", "cid", "CID", UINT, MEMBER(cid),
	  LOCS(LOC(OP(LOGIN_REQ) | OP(LOGOUT_REQ), 20, 2, 0xff)) },
	{ "iscsi.snacktag", "snack_tag", "SNACK Tag", UINT, /* ours */
	  MEMBER(snack_tag), LOCS(LOC(OP(SCSI_RSP), 20, 4, 0xff)) },
	{ "iscsi.cmdsn", "cmdsn", "CmdSN", UINT, MEMBER(cmdsn),
	  LOCS(LOC(CMDSN_OPS, 24, 4, 0xff)) },
	{ "iscsi.statsn", "statsn", "StatSN", UINT, MEMBER(statsn),
	  LOCS(LOC(STATSN_OPS, 24, 4, 0xff)) },
	{ "iscsi.expstatsn", "expstatsn", "ExpStatSN", UINT, MEMBER(expstatsn),
	  LOCS(LOC(EXPSTATSN_OPS, 28, 4, 0xff)) },
	{ "iscsi.expcmdsn", "expcmdsn", "ExpCmdSN", UINT, MEMBER(expcmdsn),
	  LOCS(LOC(STATSN_OPS, 28, 4, 0xff)) },

	/* bytes 32-47 */
	{ "iscsi.maxcmdsn", "maxcmdsn", "MaxCmdSN", UINT, MEMBER(maxcmdsn),
	  LOCS(LOC(STATSN_OPS, 32, 4, 0xff)) },
	{ "iscsi.scsicommand.cdb", "cdb", "CDB", BYTES, MEMBER(cdb), /* ours */
	  LOCS(LOC(OP(SCSI_CMD), 32, 16, 0xff)) },
	{ "iscsi.refcmdsn", "refcmdsn", "RefCmdSN", UINT, MEMBER(ref_cmdsn),
	  LOCS(LOC(OP(TMF_REQ), 32, 4, 0xff)) },
	{ "iscsi.expdatasn", "expdatasn", "ExpDataSN", UINT, MEMBER(expdatasn),
	  LOCS(LOC(OP(SCSI_RSP) | OP(TMF_REQ), 36, 4, 0xff)) },
	{ "iscsi.datasn", "datasn", "DataSN", UINT, MEMBER(datasn),
	  LOCS(LOC(DATA_OPS | OP(REJECT), 36, 4, 0xff)) },
	{ "iscsi.r2tsn", "r2tsn", "R2TSN", UINT, MEMBER(r2tsn),
	  LOCS(LOC(OP(R2T), 36, 4, 0xff)) },
	{ "iscsi.login.status", "login_status", "Status-Class and -Detail",
	  UINT, RAW_ONLY, LOCS(LOC(OP(LOGIN_RSP), 36, 2, 0xff)) },
	{ "iscsi.login.statusclass", "status_class", "Status-Class", /* ours */
	  UINT, MEMBER(status_class), LOCS(LOC(OP(LOGIN_RSP), 36, 1, 0xff)) },
	{ "iscsi.login.statusdetail", "status_detail", /* ours */
	  "Status-Detail", UINT, MEMBER(status_detail),
	  LOCS(LOC(OP(LOGIN_RSP), 37, 1, 0xff)) },
	{ "iscsi.asyncevent", "async_event", "AsyncEvent", UINT,
	  MEMBER(async_event), LOCS(LOC(OP(ASYNC_MSG), 36, 1, 0xff)) },
	{ "iscsi.eventvendorcode", "async_vcode", "AsyncVCode", UINT,
	  MEMBER(async_vcode), LOCS(LOC(OP(ASYNC_MSG), 37, 1, 0xff)) },
	{ "iscsi.parameter1", "param1", "Parameter1", UINT, MEMBER(param1),
	  LOCS(LOC(OP(ASYNC_MSG), 38, 2, 0xff)) },
	{ "iscsi.parameter2", "param2", "Parameter2", UINT, MEMBER(param2),
	  LOCS(LOC(OP(ASYNC_MSG), 40, 2, 0xff)) },
	{ "iscsi.parameter3", "param3", "Parameter3", UINT, MEMBER(param3),
	  LOCS(LOC(OP(ASYNC_MSG), 42, 2, 0xff)) },
	{ "iscsi.bufferOffset", "buffer_offset", "Buffer Offset", UINT,
	  MEMBER(buffer_offset),
	  LOCS(LOC(DATA_OPS | OP(R2T), 40, 4, 0xff)) },
	{ "iscsi.scsiresponse.bidireadresidualcount", "bidi_residual",
	  "Bidirectional Read Residual Count", UINT, MEMBER(bidi_residual),
	  LOCS(LOC(OP(SCSI_RSP), 40, 4, 0xff)) },
	{ "iscsi.scsiresponse.residualcount", "residual", "Residual Count",
	  UINT, MEMBER(residual), LOCS(LOC(OP(SCSI_RSP), 44, 4, 0xff)) },
	{ "iscsi.scsidata.readresidualcount", "data_residual",
	  "Residual Count", UINT, MEMBER(residual),
	  LOCS(LOC(OP(DATA_IN), 44, 4, 0xff)) },
	{ "iscsi.desireddatalength", "ddtl", "Desired Data Transfer Length",
	  UINT, MEMBER(ddtl), LOCS(LOC(OP(R2T), 44, 4, 0xff)) },
	{ "iscsi.time2wait", "time2wait", "Time2Wait", UINT, MEMBER(time2wait),
	  LOCS(LOC(OP(LOGOUT_RSP), 40, 2, 0xff)) },
	{ "iscsi.time2retain", "time2retain", "Time2Retain", UINT,
	  MEMBER(time2retain), LOCS(LOC(OP(LOGOUT_RSP), 42, 2, 0xff)) },
	{ "iscsi.snack.begrun", "begrun", "BegRun", UINT, MEMBER(begrun),
	  LOCS(LOC(OP(SNACK_REQ), 40, 4, 0xff)) },
	{ "iscsi.snack.runlength", "runlength", "RunLength", UINT,
	  MEMBER(runlength), LOCS(LOC(OP(SNACK_REQ), 44, 4, 0xff)) },
};

#define REGISTRY_LEN (sizeof registry / sizeof registry[0])

const struct pdu_field *pdu_fields(size_t *count)
{
	if (count)
		*count = REGISTRY_LEN;
	return registry;
}

const struct pdu_field *pdu_field_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < REGISTRY_LEN; i++) {
		if (strcmp(registry[i].name, name) == 0 ||
		    strcmp(registry[i].short_name, name) == 0)
			return &registry[i];
	}
	return NULL;
}

const struct pdu_field_loc *pdu_field_loc(const struct pdu_field *f,
					  uint8_t opcode)
{
	if (!f || opcode > 0x3f)
		return NULL;
	for (size_t i = 0; i < f->n_locs; i++) {
		if (f->locs[i].opcodes & PDU_OPCODE_BIT(opcode))
			return &f->locs[i];
	}
	return NULL;
}

/* ---- values in encoded bytes ------------------------------------------ */

static unsigned mask_shift(uint8_t mask)
{
	return mask ? (unsigned)__builtin_ctz(mask) : 8;
}

/* All ones over the field's width: its bits for a size-1 field, else
 * 8 bits a byte. */
static uint64_t width_mask(const struct pdu_field_loc *loc)
{
	if (loc->size == 1)
		return (uint64_t)(loc->mask >> mask_shift(loc->mask));
	if (loc->size >= 8)
		return ~UINT64_C(0);
	return (UINT64_C(1) << (8 * loc->size)) - 1;
}

static uint64_t loc_read(const uint8_t *bhs, const struct pdu_field_loc *loc)
{
	const uint8_t *b = bhs + loc->offset;
	switch (loc->size) {
	case 1:
		return (uint64_t)((b[0] & loc->mask) >> mask_shift(loc->mask));
	case 2:
		return (uint64_t)b[0] << 8 | b[1];
	case 4:
		return (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
	default: {
		uint64_t v = 0;
		for (unsigned i = 0; i < loc->size; i++)
			v = v << 8 | b[i];
		return v;
	}
	}
}

static void loc_write(uint8_t *bhs, const struct pdu_field_loc *loc,
		      uint64_t value)
{
	value &= width_mask(loc);
	if (loc->size == 1) {
		uint8_t bits = (uint8_t)(value << mask_shift(loc->mask));
		bhs[loc->offset] = (uint8_t)((bhs[loc->offset] & ~loc->mask) |
					     (bits & loc->mask));
		return;
	}
	for (unsigned i = loc->size; i-- > 0;) {
		bhs[loc->offset + i] = (uint8_t)value;
		value >>= 8;
	}
}

/* ---- values in struct members ----------------------------------------- */

static bool has_member(const struct pdu_field *f)
{
	return f->hdr_offset != SIZE_MAX;
}

static uint64_t member_read(const struct pdu_field *f, const struct pdu_hdr *h)
{
	const unsigned char *p = (const unsigned char *)h + f->hdr_offset;
	if (f->kind == PDU_FIELD_BOOL)
		return *(const bool *)p ? 1 : 0;
	switch (f->hdr_size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

/* Store value in the member at p: a bool, or an unsigned of size bytes. */
static void member_store(unsigned char *p, enum pdu_field_kind kind, size_t size,
			 uint64_t value)
{
	if (kind == PDU_FIELD_BOOL) {
		*(bool *)p = (value & 1) != 0;
		return;
	}
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)value; break;
	case 2: *(uint16_t *)p = (uint16_t)value; break;
	case 4: *(uint32_t *)p = (uint32_t)value; break;
	default: *(uint64_t *)p = value; break;
	}
}

static void member_write(const struct pdu_field *f, struct pdu_hdr *h,
			 uint64_t value)
{
	member_store((unsigned char *)h + f->hdr_offset, f->kind, f->hdr_size, value);
}

/* ---- the codec walks the registry (pdu_hdr_encode/decode in pdu.c) ---- */

/* Write every member of h that the opcode's layout has into bhs, which the
 * caller zeroed. */
void pdu_fields_encode(const struct pdu_hdr *h, uint8_t bhs[PDU_BHS_LEN])
{
	uint8_t opcode = h->opcode & 0x3f;
	for (size_t i = 0; i < REGISTRY_LEN; i++) {
		const struct pdu_field *f = &registry[i];
		const struct pdu_field_loc *loc = pdu_field_loc(f, opcode);
		if (!loc || !has_member(f))
			continue;
		if (f->kind == PDU_FIELD_BYTES)
			memcpy(bhs + loc->offset,
			       (const unsigned char *)h + f->hdr_offset,
			       loc->size);
		else
			loc_write(bhs, loc, member_read(f, h));
	}
}

/* Read every member of the opcode's layout from bhs into h, which the
 * caller zeroed. */
void pdu_fields_decode(const uint8_t bhs[PDU_BHS_LEN], struct pdu_hdr *h)
{
	uint8_t opcode = bhs[0] & 0x3f;
	for (size_t i = 0; i < REGISTRY_LEN; i++) {
		const struct pdu_field *f = &registry[i];
		const struct pdu_field_loc *loc = pdu_field_loc(f, opcode);
		if (!loc || !has_member(f))
			continue;
		if (f->kind == PDU_FIELD_BYTES)
			memcpy((unsigned char *)h + f->hdr_offset,
			       bhs + loc->offset, loc->size);
		else
			member_write(f, h, loc_read(bhs, loc));
	}
}

bool pdu_hdr_plan_init(struct pdu_hdr_plan *plan)
{
	memset(plan->n_steps, 0, sizeof plan->n_steps);
	/* the registry in order; a field's first placement for an opcode is
	 * its placement there (as pdu_field_loc() finds it) */
	for (size_t i = 0; i < REGISTRY_LEN; i++) {
		const struct pdu_field *f = &registry[i];
		if (!has_member(f))
			continue;
		uint64_t placed = 0;
		for (size_t k = 0; k < f->n_locs; k++) {
			const struct pdu_field_loc *loc = &f->locs[k];
			uint64_t ops = loc->opcodes & ~placed;
			placed |= ops;
			for (; ops; ops &= ops - 1) {
				unsigned op = (unsigned)__builtin_ctzll(ops);
				if (plan->n_steps[op] == PDU_HDR_PLAN_MAX_STEPS)
					return false;
				plan->steps[op][plan->n_steps[op]++] = (struct pdu_hdr_plan_step){
					.hdr_offset = (uint16_t)f->hdr_offset,
					.hdr_size = (uint8_t)f->hdr_size,
					.kind = (uint8_t)f->kind,
					.offset = loc->offset, .size = loc->size,
					.mask = loc->mask,
					.shift = (uint8_t)mask_shift(loc->mask) };
			}
		}
	}
	return true;
}

void pdu_hdr_decode_planned(const struct pdu_hdr_plan *plan,
			    const uint8_t bhs[PDU_BHS_LEN], struct pdu_hdr *h)
{
	memset(h, 0, sizeof *h);
	uint8_t op = bhs[0] & 0x3f;
	const struct pdu_hdr_plan_step *st = plan->steps[op];
	for (size_t i = 0; i < plan->n_steps[op]; i++, st++) {
		const uint8_t *b = bhs + st->offset;
		unsigned char *m = (unsigned char *)h + st->hdr_offset;
		if (st->kind == PDU_FIELD_BYTES) {
			memcpy(m, b, st->size);
			continue;
		}
		uint64_t v;
		switch (st->size) {
		case 1:
			v = (uint64_t)((b[0] & st->mask) >> st->shift);
			break;
		case 2:
			v = (uint64_t)b[0] << 8 | b[1];
			break;
		case 3:
			v = (uint64_t)b[0] << 16 | (uint64_t)b[1] << 8 | b[2];
			break;
		case 4:
			v = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
			    (uint64_t)b[2] << 8 | b[3];
			break;
		default:
			v = 0;
			for (unsigned k = 0; k < st->size; k++)
				v = v << 8 | b[k];
			break;
		}
		member_store(m, (enum pdu_field_kind)st->kind, st->hdr_size, v);
	}
}

/* ---- the public get/set ------------------------------------------------ */

static const struct pdu_field_loc *numeric_loc(const struct pdu_field *f,
					       uint8_t opcode)
{
	if (!f || f->kind == PDU_FIELD_BYTES)
		return NULL;
	return pdu_field_loc(f, opcode);
}

int pdu_field_get_raw(const struct pdu_field *f, const uint8_t bhs[PDU_BHS_LEN],
		      uint64_t *value)
{
	if (!bhs || !value)
		return PDU_E_INVALID;
	const struct pdu_field_loc *loc = numeric_loc(f, bhs[0] & 0x3f);
	if (!loc)
		return PDU_E_INVALID;
	*value = loc_read(bhs, loc);
	return PDU_OK;
}

int pdu_field_set_raw(const struct pdu_field *f, uint8_t bhs[PDU_BHS_LEN],
		      uint64_t value)
{
	if (!bhs)
		return PDU_E_INVALID;
	const struct pdu_field_loc *loc = numeric_loc(f, bhs[0] & 0x3f);
	if (!loc)
		return PDU_E_INVALID;
	loc_write(bhs, loc, value);
	return PDU_OK;
}

int pdu_field_get_hdr(const struct pdu_field *f, const struct pdu_hdr *h,
		      uint64_t *value)
{
	if (!h || !value)
		return PDU_E_INVALID;
	const struct pdu_field_loc *loc = numeric_loc(f, h->opcode & 0x3f);
	if (!loc)
		return PDU_E_INVALID;
	if (!has_member(f)) {
		uint8_t bhs[PDU_BHS_LEN];
		pdu_hdr_encode(h, bhs);
		*value = loc_read(bhs, loc);
		return PDU_OK;
	}
	*value = member_read(f, h) & width_mask(loc);
	return PDU_OK;
}

/* Whether two placements share at least one bit. */
static bool locs_overlap(const struct pdu_field_loc *a,
			 const struct pdu_field_loc *b)
{
	unsigned a_end = a->offset + a->size, b_end = b->offset + b->size;
	if (a->offset >= b_end || b->offset >= a_end)
		return false;
	if (a->size == 1 && b->size == 1)
		return (a->mask & b->mask) != 0;
	return true;
}

/* Set a raw-only field through the members that share its bits: encode,
 * set the bits, decode, and copy those members back. */
static int set_hdr_through_bytes(const struct pdu_field *f, struct pdu_hdr *h,
				 const struct pdu_field_loc *loc,
				 uint64_t value)
{
	uint8_t bhs[PDU_BHS_LEN];
	struct pdu_hdr updated;
	uint8_t opcode = h->opcode & 0x3f;
	int copied = 0;

	pdu_hdr_encode(h, bhs);
	loc_write(bhs, loc, value);
	pdu_hdr_decode(bhs, &updated);
	for (size_t i = 0; i < REGISTRY_LEN; i++) {
		const struct pdu_field *m = &registry[i];
		const struct pdu_field_loc *mloc = pdu_field_loc(m, opcode);
		if (m == f || !mloc || !has_member(m) || !locs_overlap(loc, mloc))
			continue;
		memcpy((unsigned char *)h + m->hdr_offset,
		       (const unsigned char *)&updated + m->hdr_offset,
		       m->hdr_size);
		copied++;
	}
	return copied > 0 ? PDU_OK : PDU_E_INVALID;
}

int pdu_field_set_hdr(const struct pdu_field *f, struct pdu_hdr *h,
		      uint64_t value)
{
	if (!h)
		return PDU_E_INVALID;
	const struct pdu_field_loc *loc = numeric_loc(f, h->opcode & 0x3f);
	if (!loc)
		return PDU_E_INVALID;
	if (!has_member(f))
		return set_hdr_through_bytes(f, h, loc, value);
	member_write(f, h, value & width_mask(loc));
	return PDU_OK;
}
