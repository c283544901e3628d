/* test_pdu_codec.c — the PDU codec (pdu/pdu.c): every opcode's BHS against
 * bytes written out by hand from the RFC 7143 §11 figures, flag bits one at
 * a time, whole PDUs built and parsed with every digest setting, AHS and
 * data length, lengths that lie, every error of pdu_parse()/pdu_frame_len()
 * with its field and offset, random garbage, and the name tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pdu/fields.h"
#include "pdu/names.h"
#include "pdu/pdu.h"

/* ---- helpers ------------------------------------------------------------ */

static void assert_hdr_equal(const struct pdu_hdr *a, const struct pdu_hdr *b)
{
#define EQ(m) assert_int_equal(a->m, b->m)
	EQ(opcode); EQ(immediate); EQ(final); EQ(read); EQ(write); EQ(attr);
	EQ(cont); EQ(transit); EQ(csg); EQ(nsg); EQ(ack); EQ(status_present);
	EQ(bidi_overflow); EQ(bidi_underflow); EQ(overflow); EQ(underflow);
	EQ(tmf_function); EQ(logout_reason); EQ(snack_type); EQ(response);
	EQ(status); EQ(version_max); EQ(version_min); EQ(version_active);
	EQ(reject_reason); EQ(total_ahs_len); EQ(data_segment_len); EQ(lun);
	EQ(tsih); EQ(itt); EQ(ttt); EQ(edtl); EQ(ref_task_tag); EQ(cid);
	EQ(snack_tag); EQ(cmdsn); EQ(statsn); EQ(expstatsn); EQ(expcmdsn);
	EQ(maxcmdsn); EQ(ref_cmdsn); EQ(expdatasn); EQ(datasn); EQ(r2tsn);
	EQ(status_class); EQ(status_detail); EQ(async_event); EQ(async_vcode);
	EQ(param1); EQ(param2); EQ(param3); EQ(buffer_offset);
	EQ(bidi_residual); EQ(residual); EQ(ddtl); EQ(time2wait);
	EQ(time2retain); EQ(begrun); EQ(runlength);
#undef EQ
	assert_memory_equal(a->isid, b->isid, sizeof a->isid);
	assert_memory_equal(a->cdb, b->cdb, sizeof a->cdb);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)next_random();
}

static const struct pdu_digests NO_DIGESTS = { false, false };
static const struct pdu_digests HEADER_DIGEST = { true, false };
static const struct pdu_digests DATA_DIGEST = { false, true };
static const struct pdu_digests BOTH_DIGESTS = { true, true };

/* ---- every opcode against hand-written bytes ---------------------------- */

/* Distinct values, one per field, and their big-endian bytes. */
#define V_AHS 0x07
#define V_DSL 0x0a0b0cu
#define V_LUN 0x2122232425262728ull
#define V_ITT 0xa1a2a3a4u
#define V_TTT 0xb1b2b3b4u
#define V_CMDSN 0xc1c2c3c4u
#define V_EXPSTATSN 0xd1d2d3d4u
#define V_STATSN 0xe1e2e3e4u
#define V_EXPCMDSN 0xf1f2f3f4u
#define V_MAXCMDSN 0x91929394u
#define V_DATASN 0x31323334u
#define V_BUFOFF 0x41424344u
#define V_RESID 0x51525354u
#define V_BIDI 0x61626364u
#define V_EXPDATASN 0x71727374u
#define V_R2TSN 0x81828384u

/* byte 0 with I set, bytes 1-3, TotalAHSLength, DataSegmentLength */
#define B_HEAD(op, b1, b2, b3) (0x40 | (op)), (b1), (b2), (b3), 0x07, 0x0a, 0x0b, 0x0c
#define B_LUN 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28
#define B_ISID 0x81, 0x82, 0x83, 0x84, 0x85, 0x86
#define B_ITT 0xa1, 0xa2, 0xa3, 0xa4
#define B_TTT 0xb1, 0xb2, 0xb3, 0xb4
#define B_CMDSN 0xc1, 0xc2, 0xc3, 0xc4
#define B_EXPSTATSN 0xd1, 0xd2, 0xd3, 0xd4
#define B_STATSN 0xe1, 0xe2, 0xe3, 0xe4
#define B_EXPCMDSN 0xf1, 0xf2, 0xf3, 0xf4
#define B_MAXCMDSN 0x91, 0x92, 0x93, 0x94
#define B_DATASN 0x31, 0x32, 0x33, 0x34
#define B_BUFOFF 0x41, 0x42, 0x43, 0x44
#define B_RESID 0x51, 0x52, 0x53, 0x54
#define B_BIDI 0x61, 0x62, 0x63, 0x64
#define B_EXPDATASN 0x71, 0x72, 0x73, 0x74
#define B_R2TSN 0x81, 0x82, 0x83, 0x84
#define Z4 0, 0, 0, 0
#define Z8 Z4, Z4
#define Z16 Z8, Z8

static const uint8_t isid[6] = { 0x81, 0x82, 0x83, 0x84, 0x85, 0x86 };
static const uint8_t cdb[16] = { 0x28, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };

static struct pdu_hdr base(uint8_t opcode)
{
	struct pdu_hdr h;
	memset(&h, 0, sizeof h);
	h.opcode = opcode;
	h.immediate = true;
	h.total_ahs_len = V_AHS;
	h.data_segment_len = V_DSL;
	h.itt = V_ITT;
	return h;
}

static void set_target_sns(struct pdu_hdr *h)
{
	h->statsn = V_STATSN;
	h->expcmdsn = V_EXPCMDSN;
	h->maxcmdsn = V_MAXCMDSN;
}

static struct pdu_hdr nop_out(void)
{
	struct pdu_hdr h = base(PDU_OP_NOP_OUT);
	h.final = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	return h;
}

static struct pdu_hdr scsi_cmd(void)
{
	struct pdu_hdr h = base(PDU_OP_SCSI_CMD);
	h.final = h.read = h.write = true;
	h.attr = 5;
	h.lun = V_LUN;
	h.edtl = 0x12345678;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	memcpy(h.cdb, cdb, sizeof cdb);
	return h;
}

static struct pdu_hdr tmf_req(void)
{
	struct pdu_hdr h = base(PDU_OP_TMF_REQ);
	h.final = true;
	h.tmf_function = 5;
	h.lun = V_LUN;
	h.ref_task_tag = 0x3a3b3c3d;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	h.ref_cmdsn = 0x4a4b4c4d;
	h.expdatasn = V_EXPDATASN;
	return h;
}

static struct pdu_hdr login_req(void)
{
	struct pdu_hdr h = base(PDU_OP_LOGIN_REQ);
	h.transit = h.cont = true;
	h.csg = 1;
	h.nsg = 3;
	h.version_max = 0x12;
	h.version_min = 0x13;
	memcpy(h.isid, isid, sizeof isid);
	h.tsih = 0x8788;
	h.cid = 0x5152;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	return h;
}

static struct pdu_hdr text_req(void)
{
	struct pdu_hdr h = base(PDU_OP_TEXT_REQ);
	h.final = h.cont = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	return h;
}

static struct pdu_hdr data_out(void)
{
	struct pdu_hdr h = base(PDU_OP_DATA_OUT);
	h.final = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	h.expstatsn = V_EXPSTATSN;
	h.datasn = V_DATASN;
	h.buffer_offset = V_BUFOFF;
	return h;
}

static struct pdu_hdr logout_req(void)
{
	struct pdu_hdr h = base(PDU_OP_LOGOUT_REQ);
	h.final = true;
	h.logout_reason = 2;
	h.cid = 0x5152;
	h.cmdsn = V_CMDSN;
	h.expstatsn = V_EXPSTATSN;
	return h;
}

static struct pdu_hdr snack_req(void)
{
	struct pdu_hdr h = base(PDU_OP_SNACK_REQ);
	h.final = true;
	h.snack_type = 3;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	h.expstatsn = V_EXPSTATSN;
	h.begrun = 0x5a5b5c5d;
	h.runlength = 0x6a6b6c6d;
	return h;
}

static struct pdu_hdr nop_in(void)
{
	struct pdu_hdr h = base(PDU_OP_NOP_IN);
	h.final = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	set_target_sns(&h);
	return h;
}

static struct pdu_hdr scsi_rsp(void)
{
	struct pdu_hdr h = base(PDU_OP_SCSI_RSP);
	h.final = h.bidi_overflow = h.bidi_underflow = true;
	h.overflow = h.underflow = true;
	h.response = 0x01;
	h.status = 0x02;
	h.snack_tag = 0x3c3d3e3f;
	set_target_sns(&h);
	h.expdatasn = V_EXPDATASN;
	h.bidi_residual = V_BIDI;
	h.residual = V_RESID;
	return h;
}

static struct pdu_hdr tmf_rsp(void)
{
	struct pdu_hdr h = base(PDU_OP_TMF_RSP);
	h.final = true;
	h.response = 0x05;
	set_target_sns(&h);
	return h;
}

static struct pdu_hdr login_rsp(void)
{
	struct pdu_hdr h = base(PDU_OP_LOGIN_RSP);
	h.transit = h.cont = true;
	h.csg = 3;
	h.nsg = 1;
	h.version_max = 0x22;
	h.version_active = 0x23;
	memcpy(h.isid, isid, sizeof isid);
	h.tsih = 0x8788;
	set_target_sns(&h);
	h.status_class = 0x02;
	h.status_detail = 0x06;
	return h;
}

static struct pdu_hdr text_rsp(void)
{
	struct pdu_hdr h = base(PDU_OP_TEXT_RSP);
	h.final = h.cont = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	set_target_sns(&h);
	return h;
}

static struct pdu_hdr data_in(void)
{
	struct pdu_hdr h = base(PDU_OP_DATA_IN);
	h.final = h.ack = h.overflow = h.underflow = h.status_present = true;
	h.status = 0x04;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	set_target_sns(&h);
	h.datasn = V_DATASN;
	h.buffer_offset = V_BUFOFF;
	h.residual = V_RESID;
	return h;
}

static struct pdu_hdr logout_rsp(void)
{
	struct pdu_hdr h = base(PDU_OP_LOGOUT_RSP);
	h.final = true;
	h.response = 3;
	set_target_sns(&h);
	h.time2wait = 0x0e0f;
	h.time2retain = 0x1e1f;
	return h;
}

static struct pdu_hdr r2t(void)
{
	struct pdu_hdr h = base(PDU_OP_R2T);
	h.final = true;
	h.lun = V_LUN;
	h.ttt = V_TTT;
	set_target_sns(&h);
	h.r2tsn = V_R2TSN;
	h.buffer_offset = V_BUFOFF;
	h.ddtl = 0x92939495;
	return h;
}

static struct pdu_hdr async_msg(void)
{
	struct pdu_hdr h = base(PDU_OP_ASYNC_MSG);
	h.final = true;
	h.lun = V_LUN;
	set_target_sns(&h);
	h.async_event = 0x02;
	h.async_vcode = 0x33;
	h.param1 = 0x3435;
	h.param2 = 0x3637;
	h.param3 = 0x3839;
	return h;
}

static struct pdu_hdr reject(void)
{
	struct pdu_hdr h = base(PDU_OP_REJECT);
	h.final = true;
	h.reject_reason = 0x09;
	set_target_sns(&h);
	h.datasn = V_DATASN;
	return h;
}

struct opcode_case {
	struct pdu_hdr (*build)(void);
	uint8_t bytes[PDU_BHS_LEN];
};

static const struct opcode_case opcode_cases[PDU_N_DEFINED_OPCODES] = {
	{ nop_out, { B_HEAD(0x00, 0x80, 0, 0), B_LUN, B_ITT, B_TTT, B_CMDSN,
		     B_EXPSTATSN, Z16 } },
	{ scsi_cmd, { B_HEAD(0x01, 0xe5, 0, 0), B_LUN, B_ITT,
		      0x12, 0x34, 0x56, 0x78, B_CMDSN, B_EXPSTATSN,
		      0x28, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		      0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f } },
	{ tmf_req, { B_HEAD(0x02, 0x85, 0, 0), B_LUN, B_ITT,
		     0x3a, 0x3b, 0x3c, 0x3d, B_CMDSN, B_EXPSTATSN,
		     0x4a, 0x4b, 0x4c, 0x4d, B_EXPDATASN, Z8 } },
	{ login_req, { B_HEAD(0x03, 0xc7, 0x12, 0x13), B_ISID, 0x87, 0x88,
		       B_ITT, 0x51, 0x52, 0, 0, B_CMDSN, B_EXPSTATSN, Z16 } },
	{ text_req, { B_HEAD(0x04, 0xc0, 0, 0), B_LUN, B_ITT, B_TTT, B_CMDSN,
		      B_EXPSTATSN, Z16 } },
	{ data_out, { B_HEAD(0x05, 0x80, 0, 0), B_LUN, B_ITT, B_TTT, Z4,
		      B_EXPSTATSN, Z4, B_DATASN, B_BUFOFF, Z4 } },
	{ logout_req, { B_HEAD(0x06, 0x82, 0, 0), Z8, B_ITT, 0x51, 0x52, 0, 0,
			B_CMDSN, B_EXPSTATSN, Z16 } },
	{ snack_req, { B_HEAD(0x10, 0x83, 0, 0), B_LUN, B_ITT, B_TTT, Z4,
		       B_EXPSTATSN, Z8, 0x5a, 0x5b, 0x5c, 0x5d,
		       0x6a, 0x6b, 0x6c, 0x6d } },
	{ nop_in, { B_HEAD(0x20, 0x80, 0, 0), B_LUN, B_ITT, B_TTT, B_STATSN,
		    B_EXPCMDSN, B_MAXCMDSN, Z4, Z8 } },
	{ scsi_rsp, { B_HEAD(0x21, 0x9e, 0x01, 0x02), Z8, B_ITT,
		      0x3c, 0x3d, 0x3e, 0x3f, B_STATSN, B_EXPCMDSN, B_MAXCMDSN,
		      B_EXPDATASN, B_BIDI, B_RESID } },
	{ tmf_rsp, { B_HEAD(0x22, 0x80, 0x05, 0), Z8, B_ITT, Z4, B_STATSN,
		     B_EXPCMDSN, B_MAXCMDSN, Z4, Z8 } },
	{ login_rsp, { B_HEAD(0x23, 0xcd, 0x22, 0x23), B_ISID, 0x87, 0x88,
		       B_ITT, Z4, B_STATSN, B_EXPCMDSN, B_MAXCMDSN,
		       0x02, 0x06, 0, 0, Z8 } },
	{ text_rsp, { B_HEAD(0x24, 0xc0, 0, 0), B_LUN, B_ITT, B_TTT, B_STATSN,
		      B_EXPCMDSN, B_MAXCMDSN, Z4, Z8 } },
	{ data_in, { B_HEAD(0x25, 0xc7, 0, 0x04), B_LUN, B_ITT, B_TTT,
		     B_STATSN, B_EXPCMDSN, B_MAXCMDSN, B_DATASN, B_BUFOFF,
		     B_RESID } },
	{ logout_rsp, { B_HEAD(0x26, 0x80, 0x03, 0), Z8, B_ITT, Z4, B_STATSN,
			B_EXPCMDSN, B_MAXCMDSN, Z4, 0x0e, 0x0f, 0x1e, 0x1f,
			Z4 } },
	{ r2t, { B_HEAD(0x31, 0x80, 0, 0), B_LUN, B_ITT, B_TTT, B_STATSN,
		 B_EXPCMDSN, B_MAXCMDSN, B_R2TSN, B_BUFOFF,
		 0x92, 0x93, 0x94, 0x95 } },
	{ async_msg, { B_HEAD(0x32, 0x80, 0, 0), B_LUN, B_ITT, Z4, B_STATSN,
		       B_EXPCMDSN, B_MAXCMDSN, 0x02, 0x33, 0x34, 0x35,
		       0x36, 0x37, 0x38, 0x39, Z4 } },
	{ reject, { B_HEAD(0x3f, 0x80, 0x09, 0), Z8, B_ITT, Z4, B_STATSN,
		    B_EXPCMDSN, B_MAXCMDSN, B_DATASN, Z8 } },
};

/* Every field the registry gives the opcode was set to something non-zero,
 * so the hand-written bytes above check all of them. */
static void assert_every_field_set(const struct pdu_hdr *h)
{
	size_t count;
	const struct pdu_field *fields = pdu_fields(&count);
	for (size_t i = 0; i < count; i++) {
		uint64_t v;
		if (fields[i].hdr_offset == SIZE_MAX ||
		    !pdu_field_loc(&fields[i], h->opcode))
			continue;
		if (fields[i].kind == PDU_FIELD_BYTES)
			continue; /* ISID and CDB are set from arrays above */
		if (strcmp(fields[i].name, "iscsi.opcode") == 0)
			continue; /* NOP-Out is opcode 0 */
		assert_int_equal(pdu_field_get_hdr(&fields[i], h, &v), PDU_OK);
		if (v == 0)
			fail_msg("opcode 0x%02x: %s left 0", h->opcode,
				 fields[i].name);
	}
}

static void test_opcode_round_trip(void **state)
{
	const struct opcode_case *c = *state;
	struct pdu_hdr h = c->build(), decoded, again;
	uint8_t bhs[PDU_BHS_LEN];

	assert_every_field_set(&h);
	pdu_hdr_encode(&h, bhs);
	assert_memory_equal(bhs, c->bytes, PDU_BHS_LEN);
	pdu_hdr_decode(c->bytes, &decoded);
	assert_hdr_equal(&decoded, &h);
	pdu_hdr_decode(bhs, &again);
	assert_hdr_equal(&again, &h);
}

#define OPCODE_TEST(i)                                                     \
	cmocka_unit_test_prestate(test_opcode_round_trip,                  \
				  (void *)&opcode_cases[i])

static void test_opcode_cases_cover_every_opcode(void **state)
{
	(void)state;
	for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
		struct pdu_hdr h = opcode_cases[i].build();
		assert_int_equal(h.opcode, pdu_defined_opcodes[i]);
		assert_int_equal(opcode_cases[i].bytes[0] & 0x3f,
				 pdu_defined_opcodes[i]);
	}
}

/* ---- flag bits one at a time -------------------------------------------- */

struct flag_case {
	uint8_t opcode;
	size_t member;      /* offsetof a bool member */
	uint8_t byte;
	uint8_t expected;   /* that byte with only this flag set */
};

#define FLAG(op, m, byte, bits) { PDU_OP_##op, offsetof(struct pdu_hdr, m), byte, bits }

static const struct flag_case flag_cases[] = {
	FLAG(NOP_OUT, immediate, 0, 0x40), FLAG(NOP_OUT, final, 1, 0x80),
	FLAG(SCSI_CMD, immediate, 0, 0x41), FLAG(SCSI_CMD, final, 1, 0x80),
	FLAG(SCSI_CMD, read, 1, 0x40), FLAG(SCSI_CMD, write, 1, 0x20),
	FLAG(TMF_REQ, final, 1, 0x80), FLAG(LOGIN_REQ, transit, 1, 0x80),
	FLAG(LOGIN_REQ, cont, 1, 0x40), FLAG(LOGIN_REQ, final, 1, 0x00),
	FLAG(TEXT_REQ, final, 1, 0x80), FLAG(TEXT_REQ, cont, 1, 0x40),
	FLAG(DATA_OUT, final, 1, 0x80), FLAG(LOGOUT_REQ, final, 1, 0x80),
	FLAG(SNACK_REQ, final, 1, 0x80), FLAG(NOP_IN, final, 1, 0x80),
	FLAG(SCSI_RSP, final, 1, 0x80), FLAG(SCSI_RSP, bidi_overflow, 1, 0x10),
	FLAG(SCSI_RSP, bidi_underflow, 1, 0x08),
	FLAG(SCSI_RSP, overflow, 1, 0x04), FLAG(SCSI_RSP, underflow, 1, 0x02),
	FLAG(TMF_RSP, final, 1, 0x80), FLAG(LOGIN_RSP, transit, 1, 0x80),
	FLAG(LOGIN_RSP, cont, 1, 0x40), FLAG(LOGIN_RSP, final, 1, 0x00),
	FLAG(TEXT_RSP, final, 1, 0x80), FLAG(TEXT_RSP, cont, 1, 0x40),
	FLAG(DATA_IN, final, 1, 0x80), FLAG(DATA_IN, ack, 1, 0x40),
	FLAG(DATA_IN, overflow, 1, 0x04), FLAG(DATA_IN, underflow, 1, 0x02),
	FLAG(DATA_IN, status_present, 1, 0x01),
	FLAG(LOGOUT_RSP, final, 1, 0x80), FLAG(R2T, final, 1, 0x80),
	FLAG(ASYNC_MSG, final, 1, 0x80), FLAG(REJECT, final, 1, 0x80),
	/* a flag another opcode owns stays off the wire */
	FLAG(DATA_OUT, ack, 1, 0x00), FLAG(NOP_IN, read, 1, 0x00),
	FLAG(SCSI_CMD, cont, 1, 0x00), FLAG(SCSI_RSP, status_present, 1, 0x00),
};

static void test_flag_bits_one_at_a_time(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
		const struct flag_case *c = &flag_cases[i];
		struct pdu_hdr h;
		uint8_t bhs[PDU_BHS_LEN], expected[PDU_BHS_LEN] = { 0 };
		memset(&h, 0, sizeof h);
		h.opcode = c->opcode;
		*(bool *)((unsigned char *)&h + c->member) = true;
		pdu_hdr_encode(&h, bhs);
		expected[0] = c->opcode;
		expected[c->byte] = c->expected;
		if (memcmp(bhs, expected, sizeof bhs) != 0)
			fail_msg("case %zu: opcode 0x%02x byte %u is 0x%02x, "
				 "expected 0x%02x", i, c->opcode, c->byte,
				 bhs[c->byte], c->expected);
	}
}

static void test_multi_bit_codes_are_masked(void **state)
{
	(void)state;
	struct pdu_hdr h;
	uint8_t bhs[PDU_BHS_LEN];

	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_LOGIN_REQ;
	h.csg = 0xff;
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[1], 0x0c);
	h.csg = 1;
	h.nsg = 0xfe;
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[1], 0x04 | 0x02);

	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_TMF_REQ;
	h.tmf_function = 0xff;
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[1], 0x7f); /* 0x80 is F, not the function */

	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_SCSI_CMD;
	h.attr = 0xff;
	h.data_segment_len = 0xffffffff;
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[1], 0x07);
	assert_int_equal(bhs[4], 0x00);
	assert_int_equal(bhs[5], 0xff);
	assert_int_equal(bhs[7], 0xff);

	memset(&h, 0, sizeof h);
	h.opcode = PDU_OP_SNACK_REQ;
	h.snack_type = 0xff;
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[1], 0x0f);

	memset(&h, 0, sizeof h);
	h.opcode = 0xff; /* only the low 6 bits are the opcode */
	pdu_hdr_encode(&h, bhs);
	assert_int_equal(bhs[0], 0x3f);
}

/* Fields of other opcodes never reach the wire; an unknown opcode keeps
 * only the common ones. */
static void test_foreign_and_unknown_fields(void **state)
{
	(void)state;
	struct pdu_hdr h = scsi_rsp(), decoded;
	uint8_t bhs[PDU_BHS_LEN];
	h.cmdsn = 0xdeadbeef;      /* a request field */
	h.lun = 0x1111111111111111ull; /* SCSI Response has no LUN */
	h.ttt = 0x22222222;        /* byte 20 is the SNACK Tag here */
	pdu_hdr_encode(&h, bhs);
	assert_memory_equal(bhs, opcode_cases[9].bytes, PDU_BHS_LEN);

	uint8_t vendor[PDU_BHS_LEN];
	memcpy(vendor, opcode_cases[0].bytes, sizeof vendor);
	vendor[0] = 0x1c;
	pdu_hdr_decode(vendor, &decoded);
	assert_int_equal(decoded.opcode, 0x1c);
	assert_false(decoded.immediate);
	assert_int_equal(decoded.total_ahs_len, V_AHS);
	assert_int_equal(decoded.data_segment_len, V_DSL);
	assert_int_equal(decoded.itt, V_ITT);
	assert_int_equal(decoded.lun, 0);
	assert_int_equal(decoded.cmdsn, 0);
	assert_false(decoded.final);
}

/* ---- whole PDUs --------------------------------------------------------- */

static size_t round4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* The wire length RFC 7143 §11.2 gives, worked out here on its own. */
static size_t expected_wire_len(size_t ahs_len, size_t data_len,
				struct pdu_digests dg)
{
	return 48 + round4(ahs_len) + (dg.header ? 4 : 0) + round4(data_len) +
	       (dg.data && data_len > 0 ? 4 : 0);
}

enum ahs_kind { AHS_NONE, AHS_EXT_CDB, AHS_BIDI, AHS_BOTH };

static const uint8_t cdb_tail[16] = { 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5,
				      0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb,
				      0xec, 0xed, 0xee, 0xef };
static const uint8_t bidi_len[4] = { 0x00, 0x01, 0x02, 0x03 };

/* The AHS area for a kind, by pdu_ahs_append(), checked byte by byte. */
static size_t make_ahs(enum ahs_kind kind, uint8_t ahs[64])
{
	long len = 0;
	if (kind == AHS_EXT_CDB || kind == AHS_BOTH) {
		len = pdu_ahs_append(ahs, (size_t)len, 64, PDU_AHS_EXTENDED_CDB,
				     0, cdb_tail, sizeof cdb_tail);
		assert_int_equal(len, 20);
		static const uint8_t head[4] = { 0x00, 0x11, 0x01, 0x00 };
		assert_memory_equal(ahs, head, 4);
		assert_memory_equal(ahs + 4, cdb_tail, 16);
	}
	if (kind == AHS_BIDI || kind == AHS_BOTH) {
		size_t at = (size_t)len;
		len = pdu_ahs_append(ahs, at, 64, PDU_AHS_BIDI_READ_LEN, 0,
				     bidi_len, sizeof bidi_len);
		assert_int_equal(len, at + 8);
		static const uint8_t bidi[8] = { 0x00, 0x05, 0x02, 0x00,
						 0x00, 0x01, 0x02, 0x03 };
		assert_memory_equal(ahs + at, bidi, 8);
	}
	return (size_t)len;
}

static void check_ahs_walk(const struct pdu_view *v, enum ahs_kind kind)
{
	size_t pos = 0, payload_len;
	uint8_t type;
	const uint8_t *payload;
	struct pdu_error err;
	if (kind == AHS_EXT_CDB || kind == AHS_BOTH) {
		assert_int_equal(pdu_ahs_next(v->ahs, v->ahs_len, &pos, &type,
					      &payload, &payload_len, &err), 1);
		assert_int_equal(type, PDU_AHS_EXTENDED_CDB);
		assert_int_equal(payload_len, 17);
		assert_int_equal(payload[0], 0);
		assert_memory_equal(payload + 1, cdb_tail, 16);
	}
	if (kind == AHS_BIDI || kind == AHS_BOTH) {
		assert_int_equal(pdu_ahs_next(v->ahs, v->ahs_len, &pos, &type,
					      &payload, &payload_len, &err), 1);
		assert_int_equal(type, PDU_AHS_BIDI_READ_LEN);
		assert_int_equal(payload_len, 5);
		assert_memory_equal(payload + 1, bidi_len, 4);
	}
	assert_int_equal(pdu_ahs_next(v->ahs, v->ahs_len, &pos, &type,
				      &payload, &payload_len, &err), 0);
	assert_int_equal(pos, v->ahs_len);
}

/* Build a SCSI Command with this AHS, data length and digests into an
 * exactly sized heap buffer, check every byte position, parse it back. */
static void build_and_parse(enum ahs_kind kind, size_t data_len,
			    struct pdu_digests dg)
{
	uint8_t ahs[64];
	size_t ahs_len = make_ahs(kind, ahs);
	uint8_t *data = malloc(data_len + 1);
	assert_non_null(data);
	fill_random(data, data_len);
	size_t wire = expected_wire_len(ahs_len, data_len, dg);
	assert_int_equal(pdu_wire_len(ahs_len, data_len, dg), wire);
	uint8_t *out = malloc(wire);
	assert_non_null(out);

	struct pdu_hdr h = scsi_cmd();
	long n = pdu_build(&h, ahs_len ? ahs : NULL, ahs_len,
			   data_len ? data : NULL, data_len, dg, true, out, wire);
	assert_int_equal(n, wire);

	/* Lengths in the BHS, AHS, digests and padding where §11.2 says. */
	assert_int_equal(out[4], ahs_len / 4);
	assert_int_equal(out[5], (data_len >> 16) & 0xff);
	assert_int_equal(out[6], (data_len >> 8) & 0xff);
	assert_int_equal(out[7], data_len & 0xff);
	if (ahs_len)
		assert_memory_equal(out + 48, ahs, ahs_len);
	size_t pos = 48 + ahs_len;
	if (dg.header) {
		assert_int_equal(pdu_get_digest(out + pos), pdu_crc32c(out, pos));
		pos += 4;
	}
	size_t data_off = pos;
	if (data_len)
		assert_memory_equal(out + pos, data, data_len);
	pos += data_len;
	for (; pos < data_off + round4(data_len); pos++)
		assert_int_equal(out[pos], 0);
	if (dg.data && data_len > 0) {
		assert_int_equal(pdu_get_digest(out + pos),
				 pdu_crc32c(out + data_off, round4(data_len)));
		pos += 4;
	}
	assert_int_equal(pos, wire);

	struct pdu_view v;
	struct pdu_error err;
	size_t need = 0;
	assert_int_equal(pdu_frame_len(out, wire, dg, &need), PDU_OK);
	assert_int_equal(need, wire);
	assert_int_equal(pdu_parse(out, wire, dg, &v, &err), PDU_OK);
	assert_int_equal(err.code, PDU_OK);
	assert_ptr_equal(v.bhs, out);
	assert_int_equal(v.len, wire);
	assert_int_equal(v.ahs_len, ahs_len);
	assert_ptr_equal(v.ahs, ahs_len ? out + 48 : NULL);
	assert_int_equal(v.data_len, data_len);
	assert_ptr_equal(v.data, data_len ? out + data_off : NULL);
	assert_int_equal(v.pad_len, round4(data_len) - data_len);
	assert_int_equal(v.has_header_digest, dg.header);
	assert_int_equal(v.has_data_digest, dg.data && data_len > 0);
	if (v.has_header_digest)
		assert_true(v.header_digest_ok);
	if (v.has_data_digest)
		assert_true(v.data_digest_ok);
	check_ahs_walk(&v, kind);

	struct pdu_hdr decoded;
	pdu_hdr_decode(v.bhs, &decoded);
	h.total_ahs_len = (uint8_t)(ahs_len / 4);
	h.data_segment_len = (uint32_t)data_len;
	assert_hdr_equal(&decoded, &h);
	free(out);
	free(data);
}

static const size_t data_lengths[] = { 0, 1, 3, 4, 8191, 8193 };
static const struct pdu_digests *const digest_settings[] = {
	&NO_DIGESTS, &HEADER_DIGEST, &DATA_DIGEST, &BOTH_DIGESTS,
};

static void test_build_parse_every_combination(void **state)
{
	(void)state;
	for (int kind = AHS_NONE; kind <= AHS_BOTH; kind++)
		for (size_t d = 0; d < 4; d++)
			for (size_t i = 0; i < 6; i++)
				build_and_parse((enum ahs_kind)kind,
						data_lengths[i],
						*digest_settings[d]);
}

/* With DSL 0 there is no data digest even when DataDigest=CRC32C. */
static void test_no_data_digest_without_data(void **state)
{
	(void)state;
	uint8_t out[64];
	struct pdu_hdr h = nop_out();
	assert_int_equal(pdu_build(&h, NULL, 0, NULL, 0, BOTH_DIGESTS, true,
				   out, sizeof out), 52);
	assert_int_equal(pdu_build(&h, NULL, 0, NULL, 0, DATA_DIGEST, true,
				   out, sizeof out), 48);
	struct pdu_view v;
	assert_int_equal(pdu_parse(out, 48, DATA_DIGEST, &v, NULL), PDU_OK);
	assert_false(v.has_data_digest);
	assert_int_equal(v.len, 48);
}

/* An AHS whose length is not a multiple of 4 is padded with zeros. */
static void test_odd_ahs_is_padded(void **state)
{
	(void)state;
	uint8_t ahs[16];
	memset(ahs, 0xee, sizeof ahs);
	static const uint8_t two[2] = { 0x10, 0x11 }; /* an 18-byte CDB's tail */
	long len = pdu_ahs_append(ahs, 0, sizeof ahs, 1, 0, two, 2);
	assert_int_equal(len, 8);
	static const uint8_t expected[8] = { 0x00, 0x03, 0x01, 0x00,
					     0x10, 0x11, 0x00, 0x00 };
	assert_memory_equal(ahs, expected, 8);

	uint8_t out[64];
	struct pdu_hdr h = scsi_cmd();
	static const uint8_t five[5] = { 0, 1, 0, 0, 0xaa };
	memset(out, 0xee, sizeof out);
	long n = pdu_build(&h, five, 5, NULL, 0, NO_DIGESTS, true, out,
			   sizeof out);
	assert_int_equal(n, 56);
	assert_int_equal(out[4], 2);
	assert_int_equal(out[52], 0xaa);
	assert_int_equal(out[53], 0);
	assert_int_equal(out[54], 0);
	assert_int_equal(out[55], 0);
}

static void test_fix_lengths_false_sends_a_lie(void **state)
{
	(void)state;
	uint8_t out[128];
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct pdu_hdr h = nop_out();
	h.total_ahs_len = 0;
	h.data_segment_len = 100;
	long n = pdu_build(&h, NULL, 0, data, sizeof data, NO_DIGESTS, false,
			   out, sizeof out);
	assert_int_equal(n, 56); /* the bytes really sent */
	assert_int_equal(out[4], 0);
	assert_int_equal(out[5], 0);
	assert_int_equal(out[6], 0);
	assert_int_equal(out[7], 100);
	assert_memory_equal(out + 48, data, 8);

	struct pdu_view v;
	struct pdu_error err;
	assert_int_equal(pdu_parse(out, 56, NO_DIGESTS, &v, &err),
			 PDU_E_TRUNCATED);
	assert_string_equal(err.field, "iscsi.datasegmentlength");
	assert_int_equal(err.offset, 48);

	h.total_ahs_len = 5;
	h.data_segment_len = 0;
	n = pdu_build(&h, NULL, 0, NULL, 0, NO_DIGESTS, false, out, sizeof out);
	assert_int_equal(n, 48);
	assert_int_equal(out[4], 5);
	assert_int_equal(pdu_parse(out, 48, NO_DIGESTS, &v, &err),
			 PDU_E_TRUNCATED);
	assert_string_equal(err.field, "iscsi.totalahslength");
	assert_int_equal(err.offset, 48);

	/* A lie the other way: claims less data than follows. */
	h.total_ahs_len = 0;
	h.data_segment_len = 4;
	n = pdu_build(&h, NULL, 0, data, sizeof data, NO_DIGESTS, false, out,
		      sizeof out);
	assert_int_equal(n, 56);
	assert_int_equal(pdu_parse(out, 56, NO_DIGESTS, &v, &err), PDU_OK);
	assert_int_equal(v.len, 52);
}

static void test_build_refuses_what_cannot_fit(void **state)
{
	(void)state;
	uint8_t out[64], data[16] = { 0 };
	struct pdu_hdr h = nop_out();
	size_t wire = pdu_wire_len(0, 5, BOTH_DIGESTS); /* 48+4+8+4 */
	assert_int_equal(wire, 64);
	assert_int_equal(pdu_build(&h, NULL, 0, data, 5, BOTH_DIGESTS, true,
				   out, wire - 1), PDU_E_TOO_LONG);
	assert_int_equal(pdu_build(&h, NULL, 0, data, 5, BOTH_DIGESTS, true,
				   out, wire), 64);
	assert_int_equal(pdu_build(&h, NULL, 0, NULL, 5, NO_DIGESTS, true, out,
				   sizeof out), PDU_E_INVALID);
	assert_int_equal(pdu_build(&h, NULL, 4, NULL, 0, NO_DIGESTS, true, out,
				   sizeof out), PDU_E_INVALID);
	assert_int_equal(pdu_build(&h, data, PDU_MAX_AHS_LEN + 4, NULL, 0,
				   NO_DIGESTS, true, out, sizeof out),
			 PDU_E_INVALID);
	assert_int_equal(pdu_build(&h, NULL, 0, data, (size_t)PDU_MAX_DSL + 1,
				   NO_DIGESTS, true, out, sizeof out),
			 PDU_E_INVALID);
	assert_int_equal(pdu_build(NULL, NULL, 0, NULL, 0, NO_DIGESTS, true,
				   out, sizeof out), PDU_E_INVALID);

	uint8_t ahs[8];
	assert_int_equal(pdu_ahs_append(ahs, 0, sizeof ahs, 2, 0, data, 5),
			 PDU_E_TOO_LONG);
	assert_int_equal(pdu_ahs_append(ahs, 0, sizeof ahs, 2, 0, data, 4), 8);
	assert_int_equal(pdu_ahs_append(ahs, 8, sizeof ahs, 2, 0, NULL, 0),
			 PDU_E_TOO_LONG);
	assert_int_equal(pdu_ahs_append(ahs, 0, sizeof ahs, 0x3f, 0x77, NULL,
					0), 4);
	static const uint8_t any_type[4] = { 0x00, 0x01, 0x3f, 0x77 };
	assert_memory_equal(ahs, any_type, 4);
}

/* ---- errors, each with its field and offset ----------------------------- */

/* The field a BHS cut after len bytes leaves incomplete, for the NOP-Out of
 * opcode_cases[0], from the §11.18 figure. */
static const char *nop_out_cut_field(size_t len)
{
	if (len == 0) return "iscsi.opcode";
	if (len == 1) return "iscsi.F";
	if (len < 5) return "iscsi.totalahslength";
	if (len < 8) return "iscsi.datasegmentlength";
	if (len < 16) return "iscsi.lun";
	if (len < 20) return "iscsi.initiatortasktag";
	if (len < 24) return "iscsi.targettransfertag";
	if (len < 28) return "iscsi.cmdsn";
	if (len < 32) return "iscsi.expstatsn";
	return "iscsi.opcode"; /* only reserved bytes are missing */
}

static void test_truncated_in_bhs(void **state)
{
	(void)state;
	for (size_t len = 0; len < PDU_BHS_LEN; len++) {
		uint8_t *buf = malloc(len ? len : 1);
		assert_non_null(buf);
		memcpy(buf, opcode_cases[0].bytes, len);
		struct pdu_view v;
		struct pdu_error err;
		size_t need = 0;
		assert_int_equal(pdu_parse(len ? buf : NULL, len, NO_DIGESTS,
					   &v, &err), PDU_E_TRUNCATED);
		assert_int_equal(err.code, PDU_E_TRUNCATED);
		assert_string_equal(err.field, nop_out_cut_field(len));
		assert_int_equal(err.offset, len);
		assert_non_null(strstr(err.msg, "48"));
		assert_int_equal(pdu_frame_len(buf, len, NO_DIGESTS, &need),
				 PDU_E_TRUNCATED);
		assert_int_equal(need, PDU_BHS_LEN);
		free(buf);
	}
}

/* A SCSI Command with an 8-byte AHS, 5 bytes of data and both digests:
 * 48 BHS | 8 AHS | 4 HD | 5+3 data | 4 DD = 72 bytes. */
static size_t full_pdu(uint8_t out[128])
{
	uint8_t ahs[8];
	uint8_t data[5] = { 1, 2, 3, 4, 5 };
	assert_int_equal(pdu_ahs_append(ahs, 0, sizeof ahs,
					PDU_AHS_BIDI_READ_LEN, 0, bidi_len, 4),
			 8);
	struct pdu_hdr h = scsi_cmd();
	long n = pdu_build(&h, ahs, 8, data, 5, BOTH_DIGESTS, true, out, 128);
	assert_int_equal(n, 72);
	return (size_t)n;
}

static void expect_truncated(const uint8_t *pdu, size_t len, const char *field,
			     size_t offset)
{
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, pdu, len);
	struct pdu_view v;
	struct pdu_error err;
	size_t need = 0;
	assert_int_equal(pdu_parse(buf, len, BOTH_DIGESTS, &v, &err),
			 PDU_E_TRUNCATED);
	assert_string_equal(err.field, field);
	assert_int_equal(err.offset, offset);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(pdu_frame_len(buf, len, BOTH_DIGESTS, &need),
			 PDU_E_TRUNCATED);
	assert_int_equal(need, 72);
	free(buf);
}

static void test_truncated_after_bhs(void **state)
{
	(void)state;
	uint8_t pdu[128];
	size_t len = full_pdu(pdu);
	for (size_t cut = 48; cut < 56; cut++)
		expect_truncated(pdu, cut, "iscsi.totalahslength", 48);
	for (size_t cut = 56; cut < 60; cut++)
		expect_truncated(pdu, cut, "iscsi.headerdigest32", 56);
	for (size_t cut = 60; cut < 68; cut++) /* in data, then padding */
		expect_truncated(pdu, cut, "iscsi.datasegmentlength", 60);
	for (size_t cut = 68; cut < len; cut++)
		expect_truncated(pdu, cut, "iscsi.datadigest32", 68);
}

static void test_truncated_message_names_the_numbers(void **state)
{
	(void)state;
	uint8_t *buf = calloc(1, 100);
	assert_non_null(buf);
	struct pdu_hdr h = data_out();
	h.total_ahs_len = 0;
	h.data_segment_len = 8193;
	pdu_hdr_encode(&h, buf);
	struct pdu_view v;
	struct pdu_error err;
	assert_int_equal(pdu_parse(buf, 100, BOTH_DIGESTS, &v, &err),
			 PDU_E_TRUNCATED);
	assert_string_equal(err.field, "iscsi.datasegmentlength");
	assert_int_equal(err.offset, 52);
	assert_non_null(strstr(err.msg, "DataSegmentLength 8193"));
	assert_non_null(strstr(err.msg, "8196+4"));
	assert_non_null(strstr(err.msg, "offset 52"));
	assert_non_null(strstr(err.msg, "48"));
	free(buf);
}

static void test_bad_header_digest(void **state)
{
	(void)state;
	uint8_t pdu[128];
	size_t len = full_pdu(pdu);
	for (size_t at = 0; at < 60; at++) { /* BHS, AHS or the digest */
		uint8_t buf[128];
		memcpy(buf, pdu, len);
		buf[at] ^= 0x01;
		struct pdu_view v;
		struct pdu_error err;
		int rc = pdu_parse(buf, len, BOTH_DIGESTS, &v, &err);
		if (at == 4 || (at >= 5 && at <= 7))
			continue; /* a length byte moves the frame itself */
		assert_int_equal(rc, PDU_E_HEADER_DIGEST);
		assert_string_equal(err.field, "iscsi.headerdigest32");
		assert_int_equal(err.offset, 56);
		assert_int_equal(v.len, len); /* the view is still filled */
		assert_true(v.has_header_digest);
		assert_false(v.header_digest_ok);
		assert_true(v.data_digest_ok);
	}
}

static void test_bad_data_digest(void **state)
{
	(void)state;
	uint8_t pdu[128];
	size_t len = full_pdu(pdu);
	for (size_t at = 60; at < len; at++) { /* data, padding, digest */
		uint8_t buf[128];
		memcpy(buf, pdu, len);
		buf[at] ^= 0x80;
		struct pdu_view v;
		struct pdu_error err;
		assert_int_equal(pdu_parse(buf, len, BOTH_DIGESTS, &v, &err),
				 PDU_E_DATA_DIGEST);
		assert_string_equal(err.field, "iscsi.datadigest32");
		assert_int_equal(err.offset, 68);
		assert_int_equal(v.len, len);
		assert_true(v.header_digest_ok);
		assert_false(v.data_digest_ok);
		assert_ptr_equal(v.data, buf + 60);
	}
}

/* A BHS with TotalAHSLength words of hand-made AHS bytes. */
static size_t ahs_pdu(uint8_t *buf, const uint8_t *ahs, uint8_t words)
{
	struct pdu_hdr h = scsi_cmd();
	h.total_ahs_len = words;
	h.data_segment_len = 0;
	pdu_hdr_encode(&h, buf);
	memcpy(buf + 48, ahs, (size_t)words * 4);
	return 48 + (size_t)words * 4;
}

static void test_ahs_overrun(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct pdu_view v;
	struct pdu_error err;

	/* One AHS claiming 16 bytes in an 8-byte area. */
	static const uint8_t too_long[8] = { 0x00, 0x10, 0x01, 0x00, 1, 2, 3, 4 };
	size_t len = ahs_pdu(buf, too_long, 2);
	assert_int_equal(pdu_parse(buf, len, NO_DIGESTS, &v, &err), PDU_E_AHS);
	assert_string_equal(err.field, "iscsi.ahs.length");
	assert_int_equal(err.offset, 48);
	assert_int_equal(v.len, len);
	assert_non_null(strstr(err.msg, "AHSLength 16"));

	/* A good bidi AHS, then one that runs past the area. */
	static const uint8_t second_bad[16] = { 0x00, 0x05, 0x02, 0x00,
						0, 0, 2, 0,
						0x00, 0x06, 0x01, 0x00,
						9, 9, 9, 9 };
	len = ahs_pdu(buf, second_bad, 4);
	assert_int_equal(pdu_parse(buf, len, NO_DIGESTS, &v, &err), PDU_E_AHS);
	assert_int_equal(err.offset, 56);

	/* With a header digest that verifies, the AHS is still judged. */
	uint8_t with_hd[128];
	memcpy(with_hd, buf, len);
	pdu_put_digest(with_hd + len, pdu_crc32c(with_hd, len));
	assert_int_equal(pdu_parse(with_hd, len + 4, HEADER_DIGEST, &v, &err),
			 PDU_E_AHS);
	assert_int_equal(err.offset, 56);
	/* ... and a bad header digest is reported first. */
	with_hd[len] ^= 0xff;
	assert_int_equal(pdu_parse(with_hd, len + 4, HEADER_DIGEST, &v, &err),
			 PDU_E_HEADER_DIGEST);

	/* Directly: fewer than 4 bytes left cannot hold an AHS header. */
	size_t pos = 0, payload_len;
	uint8_t type;
	const uint8_t *payload;
	static const uint8_t six[6] = { 0x00, 0x01, 0x01, 0x00, 0x00, 0x00 };
	assert_int_equal(pdu_ahs_next(six, 6, &pos, &type, &payload,
				      &payload_len, &err), 1);
	assert_int_equal(pos, 4);
	assert_int_equal(pdu_ahs_next(six, 6, &pos, &type, &payload,
				      &payload_len, &err), PDU_E_AHS);
	assert_int_equal(err.offset, 4);
	assert_string_equal(err.field, "iscsi.ahs.length");
	assert_int_equal(pdu_ahs_next(NULL, 4, &pos, &type, &payload,
				      &payload_len, &err), PDU_E_INVALID);
	assert_int_equal(pdu_ahs_next(six, 6, NULL, &type, &payload,
				      &payload_len, &err), PDU_E_INVALID);
	pos = 0;
	assert_int_equal(pdu_ahs_next(NULL, 0, &pos, &type, &payload,
				      &payload_len, &err), 0);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	uint8_t bhs[PDU_BHS_LEN] = { 0 };
	struct pdu_view v;
	struct pdu_error err;
	size_t need;
	assert_int_equal(pdu_parse(NULL, 10, NO_DIGESTS, &v, &err),
			 PDU_E_INVALID);
	assert_int_equal(err.code, PDU_E_INVALID);
	assert_int_equal(pdu_parse(bhs, sizeof bhs, NO_DIGESTS, NULL, &err),
			 PDU_E_INVALID);
	assert_int_equal(pdu_frame_len(bhs, sizeof bhs, NO_DIGESTS, NULL),
			 PDU_E_INVALID);
	assert_int_equal(pdu_frame_len(NULL, 5, NO_DIGESTS, &need),
			 PDU_E_INVALID);
	assert_int_equal(pdu_parse(bhs, sizeof bhs, NO_DIGESTS, &v, NULL),
			 PDU_OK);
}

/* Parse a buffer as a stream: every step is a PDU, an error with a filled
 * view (step over it) or the end. Nothing may read past the buffer. */
static void parse_stream(const uint8_t *buf, size_t len, struct pdu_digests dg)
{
	size_t at = 0;
	while (at < len) {
		struct pdu_view v;
		struct pdu_error err;
		size_t need = 0;
		int rc = pdu_parse(buf + at, len - at, dg, &v, &err);
		int frc = pdu_frame_len(buf + at, len - at, dg, &need);
		assert_int_equal(err.code, rc);
		if (rc == PDU_E_TRUNCATED) {
			assert_int_equal(frc, PDU_E_TRUNCATED);
			assert_non_null(err.field);
			assert_true(need > len - at);
			return;
		}
		assert_int_equal(frc, PDU_OK);
		assert_int_equal(need, v.len);
		assert_true(v.len >= PDU_BHS_LEN && v.len <= len - at);
		if (rc != PDU_OK) {
			assert_true(rc == PDU_E_HEADER_DIGEST ||
				    rc == PDU_E_DATA_DIGEST || rc == PDU_E_AHS);
			assert_non_null(err.field);
			assert_true(err.offset < v.len);
		}
		struct pdu_hdr h;
		pdu_hdr_decode(v.bhs, &h);
		at += v.len;
	}
}

static void test_random_garbage(void **state)
{
	(void)state;
	const size_t len = 64 * 1024;
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	for (int round = 0; round < 8; round++) {
		fill_random(buf, len);
		for (size_t d = 0; d < 4; d++)
			parse_stream(buf, len, *digest_settings[d]);
	}
	/* Garbage whose lengths are small, so many PDUs frame. */
	for (int round = 0; round < 8; round++) {
		fill_random(buf, len);
		for (size_t at = 0; at + 8 <= len; at += 4)
			buf[at + 5] = buf[at + 6] = 0;
		for (size_t d = 0; d < 4; d++)
			parse_stream(buf, len, *digest_settings[d]);
	}
	free(buf);
}

static void test_stream_of_valid_pdus(void **state)
{
	(void)state;
	uint8_t stream[4096];
	size_t at = 0;
	for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
		struct pdu_hdr h = opcode_cases[i].build();
		uint8_t data[7] = { 7, 6, 5, 4, 3, 2, 1 };
		long n = pdu_build(&h, NULL, 0, data, i % 8, BOTH_DIGESTS,
				   true, stream + at, sizeof stream - at);
		assert_true(n > 0);
		at += (size_t)n;
	}
	size_t pos = 0, count = 0;
	while (pos < at) {
		struct pdu_view v;
		assert_int_equal(pdu_parse(stream + pos, at - pos, BOTH_DIGESTS,
					   &v, NULL), PDU_OK);
		assert_int_equal(v.bhs[0] & 0x3f, pdu_defined_opcodes[count]);
		assert_int_equal(v.data_len, count % 8);
		pos += v.len;
		count++;
	}
	assert_int_equal(count, PDU_N_DEFINED_OPCODES);
	assert_int_equal(pos, at);
}

/* ---- opcodes and names --------------------------------------------------- */

static void test_opcode_classes(void **state)
{
	(void)state;
	unsigned defined = 0;
	for (unsigned op = 0; op < 64; op++) {
		assert_int_equal(pdu_opcode_is_initiator((uint8_t)op), op < 0x20);
		if (pdu_opcode_is_defined((uint8_t)op))
			defined++;
	}
	assert_int_equal(defined, PDU_N_DEFINED_OPCODES);
	assert_true(pdu_opcode_is_defined(PDU_OP_SNACK_REQ));
	assert_false(pdu_opcode_is_defined(0x1c));
	assert_false(pdu_opcode_is_defined(0x43));
	assert_false(pdu_opcode_is_initiator(PDU_OP_REJECT));
}

static void test_names_never_fail(void **state)
{
	(void)state;
	char buf[PDU_NAME_LEN];
	assert_string_equal(pdu_opcode_name(PDU_OP_SCSI_CMD, buf), "SCSI Command");
	assert_string_equal(pdu_opcode_name(PDU_OP_NOP_IN, buf), "NOP-In");
	assert_string_equal(pdu_opcode_name(0x1f, buf), "opcode 0x1f");
	assert_string_equal(pdu_opcode_name(0x3d, buf), "vendor opcode 0x3d");
	for (unsigned op = 0; op < 256; op++)
		assert_true(strlen(pdu_opcode_name((uint8_t)op, buf)) > 0);
	assert_string_equal(pdu_login_status_name(0x02, 0x06, buf),
			    "too many connections");
	assert_string_equal(pdu_login_status_name(0x02, 0x0c, buf),
			    "login status 0x020c");
	assert_string_equal(pdu_login_class_name(3, buf), "target error");
	assert_string_equal(pdu_login_stage_name(2, buf), "login stage 0x2");
	assert_string_equal(pdu_reject_reason_name(0x09, buf),
			    "invalid PDU field");
	assert_string_equal(pdu_reject_reason_name(0x2a, buf),
			    "reject reason 0x2a");
	assert_string_equal(pdu_tmf_function_name(8, buf), "TASK REASSIGN");
	assert_string_equal(pdu_tmf_response_name(255, buf),
			    "function rejected");
	assert_string_equal(pdu_snack_type_name(PDU_SNACK_DATA_ACK, buf),
			    "DataACK");
	assert_string_equal(pdu_async_event_name(4, buf),
			    "target requests negotiation");
	assert_string_equal(pdu_logout_reason_name(1, buf),
			    "close the connection");
	assert_string_equal(pdu_logout_response_name(1, buf), "CID not found");
	assert_string_equal(pdu_scsi_status_name(0x02, buf), "CHECK CONDITION");
	assert_string_equal(pdu_scsi_status_name(0x03, buf),
			    "SCSI status 0x03");
	assert_string_equal(pdu_scsi_response_name(0x81, buf),
			    "vendor response 0x81");
	assert_string_equal(pdu_ahs_type_name(1, buf), "Extended CDB");
	for (unsigned v = 0; v < 256; v++) {
		uint8_t b = (uint8_t)v;
		assert_true(strlen(pdu_login_status_name(b, b, buf)) > 0);
		assert_true(strlen(pdu_reject_reason_name(b, buf)) > 0);
		assert_true(strlen(pdu_tmf_function_name(b, buf)) > 0);
		assert_true(strlen(pdu_tmf_response_name(b, buf)) > 0);
		assert_true(strlen(pdu_snack_type_name(b, buf)) > 0);
		assert_true(strlen(pdu_async_event_name(b, buf)) > 0);
		assert_true(strlen(pdu_logout_reason_name(b, buf)) > 0);
		assert_true(strlen(pdu_logout_response_name(b, buf)) > 0);
		assert_true(strlen(pdu_scsi_status_name(b, buf)) > 0);
		assert_true(strlen(pdu_scsi_response_name(b, buf)) > 0);
		assert_true(strlen(pdu_login_stage_name(b, buf)) > 0);
		assert_true(strlen(pdu_login_class_name(b, buf)) > 0);
		assert_true(strlen(pdu_ahs_type_name(b, buf)) > 0);
	}
	for (int code = -10; code <= 1; code++)
		assert_non_null(pdu_strerror(code));
	assert_string_equal(pdu_strerror(PDU_E_DATA_DIGEST),
			    "data digest does not verify");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		OPCODE_TEST(0), OPCODE_TEST(1), OPCODE_TEST(2),
		OPCODE_TEST(3), OPCODE_TEST(4), OPCODE_TEST(5),
		OPCODE_TEST(6), OPCODE_TEST(7), OPCODE_TEST(8),
		OPCODE_TEST(9), OPCODE_TEST(10), OPCODE_TEST(11),
		OPCODE_TEST(12), OPCODE_TEST(13), OPCODE_TEST(14),
		OPCODE_TEST(15), OPCODE_TEST(16), OPCODE_TEST(17),
		cmocka_unit_test(test_opcode_cases_cover_every_opcode),
		cmocka_unit_test(test_flag_bits_one_at_a_time),
		cmocka_unit_test(test_multi_bit_codes_are_masked),
		cmocka_unit_test(test_foreign_and_unknown_fields),
		cmocka_unit_test(test_build_parse_every_combination),
		cmocka_unit_test(test_no_data_digest_without_data),
		cmocka_unit_test(test_odd_ahs_is_padded),
		cmocka_unit_test(test_fix_lengths_false_sends_a_lie),
		cmocka_unit_test(test_build_refuses_what_cannot_fit),
		cmocka_unit_test(test_truncated_in_bhs),
		cmocka_unit_test(test_truncated_after_bhs),
		cmocka_unit_test(test_truncated_message_names_the_numbers),
		cmocka_unit_test(test_bad_header_digest),
		cmocka_unit_test(test_bad_data_digest),
		cmocka_unit_test(test_ahs_overrun),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_stream_of_valid_pdus),
		cmocka_unit_test(test_opcode_classes),
		cmocka_unit_test(test_names_never_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
