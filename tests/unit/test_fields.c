/* test_fields.c — the field registry (pdu/fields.c): every entry found by
 * both its names, set/get on encoded bytes and on struct pdu_hdr for every
 * opcode it applies to, masking, refusal for opcodes without the field,
 * agreement with pdu_hdr_decode(), and a hand-written per-opcode list of
 * struct members that the registry must cover exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pdu/fields.h"
#include "pdu/pdu.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

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

static const struct pdu_field *registry(size_t *count)
{
	const struct pdu_field *fields = pdu_fields(count);
	assert_non_null(fields);
	assert_true(*count > 0);
	return fields;
}

static bool has_member(const struct pdu_field *f)
{
	return f->hdr_offset != SIZE_MAX;
}

/* All ones over the field's width at this placement. */
static uint64_t width_mask(const struct pdu_field_loc *loc)
{
	if (loc->size == 1) {
		uint8_t m = loc->mask;
		while (!(m & 1))
			m >>= 1;
		return m;
	}
	if (loc->size >= 8)
		return ~0ull;
	return (1ull << (8 * loc->size)) - 1;
}

/* A BHS of this opcode with the other bytes random. */
static void random_bhs(uint8_t bhs[PDU_BHS_LEN], uint8_t opcode)
{
	fill_random(bhs, PDU_BHS_LEN);
	bhs[0] = (uint8_t)((bhs[0] & 0xc0) | opcode);
}

/* Which bits of the BHS a placement covers. */
static void loc_bits(const struct pdu_field_loc *loc, uint8_t bits[PDU_BHS_LEN])
{
	memset(bits, 0, PDU_BHS_LEN);
	for (unsigned i = 0; i < loc->size; i++)
		bits[loc->offset + i] = loc->size == 1 ? loc->mask : 0xff;
}

/* ---- names ------------------------------------------------------------- */

/* Wireshark 4.0's iSCSI display-filter names the registry uses
 * (`tshark -G fields`), and the names that are ours. */
static const char *const wireshark_names[] = {
	"iscsi.opcode", "iscsi.X", "iscsi.I", "iscsi.flags",
	"iscsi.scsicommand.F", "iscsi.scsicommand.R", "iscsi.scsicommand.W",
	"iscsi.scsicommand.attr", "iscsi.datasegmentlength",
	"iscsi.totalahslength", "iscsi.initiatortasktag",
	"iscsi.scsicommand.expecteddatatransferlength", "iscsi.cmdsn",
	"iscsi.expstatsn", "iscsi.scsiresponse.residualcount", "iscsi.statsn",
	"iscsi.expcmdsn", "iscsi.maxcmdsn", "iscsi.scsiresponse.o",
	"iscsi.scsiresponse.u", "iscsi.scsiresponse.O", "iscsi.scsiresponse.U",
	"iscsi.scsiresponse.status", "iscsi.scsiresponse.response",
	"iscsi.scsiresponse.bidireadresidualcount", "iscsi.scsidata.F",
	"iscsi.scsidata.A", "iscsi.scsidata.S", "iscsi.scsidata.U",
	"iscsi.scsidata.O", "iscsi.targettransfertag", "iscsi.bufferOffset",
	"iscsi.scsidata.readresidualcount", "iscsi.datasn", "iscsi.versionmax",
	"iscsi.versionmin", "iscsi.versionactive", "iscsi.cid", "iscsi.isid",
	"iscsi.isid.t", "iscsi.isid.a", "iscsi.isid.b", "iscsi.isid.c",
	"iscsi.isid.d", "iscsi.tsih", "iscsi.login.T", "iscsi.login.C", "iscsi.login.csg",
	"iscsi.login.nsg", "iscsi.login.status", "iscsi.text.F",
	"iscsi.text.C", "iscsi.expdatasn", "iscsi.r2tsn",
	"iscsi.taskmanfun.response", "iscsi.taskmanfun.referencedtasktag",
	"iscsi.refcmdsn", "iscsi.taskmanfun.function", "iscsi.logout.reason",
	"iscsi.logout.response", "iscsi.time2wait", "iscsi.time2retain",
	"iscsi.desireddatalength", "iscsi.asyncevent", "iscsi.eventvendorcode",
	"iscsi.parameter1", "iscsi.parameter2", "iscsi.parameter3",
	"iscsi.reject.reason", "iscsi.snack.type", "iscsi.snack.begrun",
	"iscsi.snack.runlength",
};

static const char *const our_names[] = {
	"iscsi.lun", "iscsi.F", "iscsi.snacktag", "iscsi.scsicommand.cdb",
	"iscsi.login.statusclass", "iscsi.login.statusdetail",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], name) == 0)
			return true;
	}
	return false;
}

static void test_names_are_wireshark_or_ours(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	size_t n_ws = sizeof wireshark_names / sizeof wireshark_names[0];
	size_t n_ours = sizeof our_names / sizeof our_names[0];
	for (size_t i = 0; i < count; i++) {
		const char *name = fields[i].name;
		bool known = in_list(name, wireshark_names, n_ws) ||
			     in_list(name, our_names, n_ours);
		if (!known)
			fail_msg("%s is neither Wireshark's nor ours", name);
		assert_non_null(fields[i].label);
		assert_true(strlen(fields[i].label) > 0);
	}
	/* Every name listed is in the registry. */
	for (size_t i = 0; i < n_ws; i++)
		assert_non_null(pdu_field_find(wireshark_names[i]));
	for (size_t i = 0; i < n_ours; i++)
		assert_non_null(pdu_field_find(our_names[i]));
}

static void test_find_by_full_and_short_name(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		assert_ptr_equal(pdu_field_find(fields[i].name), &fields[i]);
		assert_ptr_equal(pdu_field_find(fields[i].short_name),
				 &fields[i]);
		for (size_t j = i + 1; j < count; j++) {
			assert_string_not_equal(fields[i].name, fields[j].name);
			assert_string_not_equal(fields[i].short_name,
						fields[j].short_name);
			assert_string_not_equal(fields[i].name,
						fields[j].short_name);
			assert_string_not_equal(fields[i].short_name,
						fields[j].name);
		}
	}
	assert_null(pdu_field_find("iscsi.nosuchfield"));
	assert_null(pdu_field_find("CMDSN")); /* case-sensitive */
	assert_null(pdu_field_find(""));
	assert_null(pdu_field_find(NULL));
	assert_string_equal(pdu_field_find("cmdsn")->name, "iscsi.cmdsn");
	assert_string_equal(pdu_field_find("itt")->name,
			    "iscsi.initiatortasktag");
	assert_string_equal(pdu_field_find("ttt")->name,
			    "iscsi.targettransfertag");
	assert_string_equal(pdu_field_find("dsl")->name,
			    "iscsi.datasegmentlength");
	assert_string_equal(pdu_field_find("lun")->name, "iscsi.lun");
	assert_string_equal(pdu_field_find("datasn")->name, "iscsi.datasn");
}

/* ---- the table's own shape ---------------------------------------------- */

static void assert_loc_shape(const struct pdu_field *f,
			     const struct pdu_field_loc *loc)
{
	assert_true(loc->opcodes != 0);
	assert_true(loc->offset + loc->size <= PDU_BHS_LEN);
	switch (loc->size) {
	case 1: case 2: case 3: case 4: case 6: case 8: case 16: break;
	default: fail_msg("%s: size %u", f->name, loc->size);
	}
	if (loc->size == 1)
		assert_true(loc->mask != 0);
	else
		assert_int_equal(loc->mask, 0xff);
	if (f->kind == PDU_FIELD_BOOL) {
		assert_int_equal(loc->size, 1);
		assert_int_equal(loc->mask & (loc->mask - 1), 0);
	}
	if (f->kind == PDU_FIELD_BYTES && has_member(f))
		assert_int_equal(f->hdr_size, loc->size);
	if (f->kind == PDU_FIELD_UINT && has_member(f) && f->hdr_size < 8)
		assert_true(width_mask(loc) <= (1ull << (f->hdr_size * 8)) - 1);
}

static void test_table_shape(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		const struct pdu_field *f = &fields[i];
		assert_true(f->n_locs >= 1 && f->n_locs <= PDU_FIELD_MAX_LOCS);
		if (has_member(f)) {
			assert_true(f->hdr_offset + f->hdr_size <=
				    sizeof(struct pdu_hdr));
			if (f->kind == PDU_FIELD_BOOL)
				assert_int_equal(f->hdr_size, sizeof(bool));
		}
		for (size_t k = 0; k < f->n_locs; k++) {
			assert_loc_shape(f, &f->locs[k]);
			for (size_t m = k + 1; m < f->n_locs; m++)
				assert_int_equal(f->locs[k].opcodes &
						 f->locs[m].opcodes, 0);
		}
	}
	assert_null(pdu_field_loc(&fields[0], 64));
	assert_null(pdu_field_loc(NULL, 0));
}

/* Two member fields never own the same bit for one opcode, so the encoder
 * writes every bit once. */
static void test_no_two_members_share_a_bit(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (unsigned op = 0; op < 64; op++) {
		uint8_t owned[PDU_BHS_LEN] = { 0 };
		for (size_t i = 0; i < count; i++) {
			const struct pdu_field_loc *loc =
				pdu_field_loc(&fields[i], (uint8_t)op);
			if (!loc || !has_member(&fields[i]))
				continue;
			uint8_t bits[PDU_BHS_LEN];
			loc_bits(loc, bits);
			for (unsigned b = 0; b < PDU_BHS_LEN; b++) {
				if (owned[b] & bits[b])
					fail_msg("opcode 0x%02x: %s shares byte "
						 "%u", op, fields[i].name, b);
				owned[b] |= bits[b];
			}
		}
	}
}

/* ---- get/set on bytes --------------------------------------------------- */

static void check_raw_round_trip(const struct pdu_field *f, uint8_t op)
{
	const struct pdu_field_loc *loc = pdu_field_loc(f, op);
	uint8_t bhs[PDU_BHS_LEN], before[PDU_BHS_LEN], bits[PDU_BHS_LEN];
	uint64_t got;

	random_bhs(bhs, op);
	memcpy(before, bhs, sizeof bhs);
	uint64_t value = next_random() & width_mask(loc);
	if (f == pdu_field_find("iscsi.opcode"))
		value = op; /* keep the opcode the loop is about */
	assert_int_equal(pdu_field_set_raw(f, bhs, value), PDU_OK);
	assert_int_equal(pdu_field_get_raw(f, bhs, &got), PDU_OK);
	assert_int_equal(got, value);

	/* No bit outside the field moved. */
	loc_bits(loc, bits);
	for (unsigned b = 0; b < PDU_BHS_LEN; b++)
		assert_int_equal(bhs[b] & ~bits[b], before[b] & ~bits[b]);
}

static void test_set_get_raw_every_opcode(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		if (fields[i].kind == PDU_FIELD_BYTES)
			continue;
		for (unsigned op = 0; op < 64; op++) {
			if (!pdu_field_loc(&fields[i], (uint8_t)op))
				continue;
			for (int round = 0; round < 8; round++)
				check_raw_round_trip(&fields[i], (uint8_t)op);
		}
	}
}

static void test_set_raw_masks_to_width(void **state)
{
	(void)state;
	uint8_t bhs[PDU_BHS_LEN] = { PDU_OP_LOGIN_REQ };
	uint64_t got;
	const struct pdu_field *csg = pdu_field_find("iscsi.login.csg");
	const struct pdu_field *nsg = pdu_field_find("iscsi.login.nsg");
	const struct pdu_field *transit = pdu_field_find("iscsi.login.T");

	assert_int_equal(pdu_field_set_raw(transit, bhs, 1), PDU_OK);
	assert_int_equal(pdu_field_set_raw(csg, bhs, 0xff), PDU_OK);
	assert_int_equal(pdu_field_get_raw(csg, bhs, &got), PDU_OK);
	assert_int_equal(got, 3);
	assert_int_equal(bhs[1], 0x80 | 0x0c);
	assert_int_equal(pdu_field_set_raw(nsg, bhs, 5), PDU_OK); /* 5 & 3 */
	assert_int_equal(bhs[1], 0x80 | 0x0c | 0x01);
	assert_int_equal(pdu_field_set_raw(transit, bhs, 2), PDU_OK); /* 2 & 1 */
	assert_int_equal(bhs[1], 0x0c | 0x01);

	uint8_t cmd[PDU_BHS_LEN] = { PDU_OP_SCSI_CMD };
	const struct pdu_field *dsl = pdu_field_find("dsl");
	assert_int_equal(pdu_field_set_raw(dsl, cmd, 0x12345678), PDU_OK);
	assert_int_equal(cmd[4], 0);
	assert_int_equal(cmd[5], 0x34);
	assert_int_equal(cmd[6], 0x56);
	assert_int_equal(cmd[7], 0x78);
	assert_int_equal(pdu_field_get_raw(dsl, cmd, &got), PDU_OK);
	assert_int_equal(got, 0x345678);
	const struct pdu_field *attr = pdu_field_find("iscsi.scsicommand.attr");
	assert_int_equal(pdu_field_set_raw(attr, cmd, 0xff), PDU_OK);
	assert_int_equal(cmd[1], 0x07);
	const struct pdu_field *opcode = pdu_field_find("opcode");
	assert_int_equal(pdu_field_set_raw(opcode, cmd, 0xff), PDU_OK);
	assert_int_equal(cmd[0], 0x3f);
	const struct pdu_field *tmf = pdu_field_find("tmf_function");
	uint8_t tmf_bhs[PDU_BHS_LEN] = { PDU_OP_TMF_REQ, 0x80 };
	assert_int_equal(pdu_field_set_raw(tmf, tmf_bhs, 0xff), PDU_OK);
	assert_int_equal(tmf_bhs[1], 0xff);
	assert_int_equal(pdu_field_set_raw(tmf, tmf_bhs, 0), PDU_OK);
	assert_int_equal(tmf_bhs[1], 0x80);
}

/* ---- refusal ------------------------------------------------------------ */

static void test_invalid_for_opcode_without_field(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < PDU_N_DEFINED_OPCODES; k++) {
			uint8_t op = pdu_defined_opcodes[k];
			bool applies = pdu_field_loc(&fields[i], op) != NULL;
			uint8_t bhs[PDU_BHS_LEN], before[PDU_BHS_LEN];
			struct pdu_hdr h = { .opcode = op };
			uint64_t v = 0;
			random_bhs(bhs, op);
			memcpy(before, bhs, sizeof bhs);
			if (applies && fields[i].kind != PDU_FIELD_BYTES)
				continue;
			assert_int_equal(pdu_field_get_raw(&fields[i], bhs, &v),
					 PDU_E_INVALID);
			assert_int_equal(pdu_field_set_raw(&fields[i], bhs, 1),
					 PDU_E_INVALID);
			assert_memory_equal(bhs, before, sizeof bhs);
			assert_int_equal(pdu_field_get_hdr(&fields[i], &h, &v),
					 PDU_E_INVALID);
			assert_int_equal(pdu_field_set_hdr(&fields[i], &h, 1),
					 PDU_E_INVALID);
		}
	}
	/* The spot checks the loop covers, named. */
	uint8_t nop[PDU_BHS_LEN] = { PDU_OP_NOP_OUT };
	uint64_t v;
	assert_int_equal(pdu_field_get_raw(pdu_field_find("statsn"), nop, &v),
			 PDU_E_INVALID);
	assert_int_equal(pdu_field_get_raw(NULL, nop, &v), PDU_E_INVALID);
	assert_int_equal(pdu_field_get_raw(pdu_field_find("cmdsn"), nop, NULL),
			 PDU_E_INVALID);
}

/* ---- agreement with the codec ------------------------------------------- */

static void check_decode_agrees(uint8_t op)
{
	size_t count;
	const struct pdu_field *fields = registry(&count);
	uint8_t bhs[PDU_BHS_LEN];
	struct pdu_hdr h;
	random_bhs(bhs, op);
	pdu_hdr_decode(bhs, &h);
	for (size_t i = 0; i < count; i++) {
		const struct pdu_field *f = &fields[i];
		const struct pdu_field_loc *loc = pdu_field_loc(f, op);
		if (!loc)
			continue;
		if (f->kind == PDU_FIELD_BYTES) {
			assert_memory_equal((const uint8_t *)&h + f->hdr_offset,
					    bhs + loc->offset, loc->size);
			continue;
		}
		/* Raw-only fields also cover reserved bits, which a
		 * decoded header does not keep. */
		if (!has_member(f))
			continue;
		uint64_t raw, decoded;
		assert_int_equal(pdu_field_get_raw(f, bhs, &raw), PDU_OK);
		assert_int_equal(pdu_field_get_hdr(f, &h, &decoded), PDU_OK);
		if (raw != decoded)
			fail_msg("opcode 0x%02x %s: raw 0x%llx decoded 0x%llx",
				 op, f->name, (unsigned long long)raw,
				 (unsigned long long)decoded);
	}
}

static void test_get_raw_agrees_with_decode(void **state)
{
	(void)state;
	for (int round = 0; round < 32; round++) {
		for (unsigned op = 0; op < 64; op++)
			check_decode_agrees((uint8_t)op);
	}
}

static void test_set_get_hdr_round_trip(void **state)
{
	(void)state;
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		const struct pdu_field *f = &fields[i];
		if (f->kind == PDU_FIELD_BYTES || !has_member(f))
			continue;
		for (size_t k = 0; k < PDU_N_DEFINED_OPCODES; k++) {
			uint8_t op = pdu_defined_opcodes[k];
			const struct pdu_field_loc *loc = pdu_field_loc(f, op);
			if (!loc || f == pdu_field_find("opcode"))
				continue;
			struct pdu_hdr h = { .opcode = op };
			uint64_t value = next_random(), got;
			assert_int_equal(pdu_field_set_hdr(f, &h, value), PDU_OK);
			assert_int_equal(pdu_field_get_hdr(f, &h, &got), PDU_OK);
			assert_int_equal(got, value & width_mask(loc));
			uint8_t bhs[PDU_BHS_LEN];
			pdu_hdr_encode(&h, bhs);
			assert_int_equal(pdu_field_get_raw(f, bhs, &got), PDU_OK);
			assert_int_equal(got, value & width_mask(loc));
		}
	}
}

static void test_raw_only_fields_on_hdr(void **state)
{
	(void)state;
	uint64_t v;
	struct pdu_hdr cmd = { .opcode = PDU_OP_SCSI_CMD };
	const struct pdu_field *flags = pdu_field_find("iscsi.flags");
	assert_int_equal(flags->hdr_offset, SIZE_MAX);
	assert_int_equal(pdu_field_set_hdr(flags, &cmd, 0xc5), PDU_OK);
	assert_true(cmd.final);
	assert_true(cmd.read);
	assert_false(cmd.write);
	assert_int_equal(cmd.attr, 5);
	assert_int_equal(pdu_field_get_hdr(flags, &cmd, &v), PDU_OK);
	assert_int_equal(v, 0xc5);
	cmd.write = true;
	assert_int_equal(pdu_field_get_hdr(flags, &cmd, &v), PDU_OK);
	assert_int_equal(v, 0xe5);

	struct pdu_hdr rsp = { .opcode = PDU_OP_LOGIN_RSP };
	const struct pdu_field *status = pdu_field_find("iscsi.login.status");
	assert_int_equal(pdu_field_set_hdr(status, &rsp, 0x0206), PDU_OK);
	assert_int_equal(rsp.status_class, 2);
	assert_int_equal(rsp.status_detail, 6);
	assert_int_equal(pdu_field_get_hdr(status, &rsp, &v), PDU_OK);
	assert_int_equal(v, 0x0206);

	struct pdu_hdr login = { .opcode = PDU_OP_LOGIN_REQ };
	assert_int_equal(pdu_field_set_hdr(pdu_field_find("isid_t"), &login, 2),
			 PDU_OK);
	assert_int_equal(pdu_field_set_hdr(pdu_field_find("isid_d"), &login,
					   0x0102), PDU_OK);
	static const uint8_t isid[6] = { 0x80, 0, 0, 0, 0x01, 0x02 };
	assert_memory_equal(login.isid, isid, sizeof isid);
	assert_int_equal(pdu_field_get_hdr(pdu_field_find("iscsi.isid.t"),
					   &login, &v), PDU_OK);
	assert_int_equal(v, 2);

	const struct pdu_field *x = pdu_field_find("iscsi.X");
	assert_int_equal(pdu_field_get_hdr(x, &rsp, &v), PDU_OK);
	assert_int_equal(v, 0);
	assert_int_equal(pdu_field_set_hdr(x, &rsp, 1), PDU_E_INVALID);
	uint8_t bhs[PDU_BHS_LEN];
	pdu_hdr_encode(&rsp, bhs);
	assert_int_equal(pdu_field_set_raw(x, bhs, 1), PDU_OK);
	assert_int_equal(bhs[0], 0x80 | PDU_OP_LOGIN_RSP);
}

/* ---- coverage of struct pdu_hdr ----------------------------------------- */

#define M(member) offsetof(struct pdu_hdr, member)
#define COMMON M(opcode), M(immediate), M(total_ahs_len), M(data_segment_len), M(itt)
#define END SIZE_MAX

/* Per RFC 7143 §11, written from the PDU figures: the struct members each
 * opcode's BHS carries. */
static const struct {
	uint8_t opcode;
	size_t members[24];
} members_by_opcode[] = {
	{ PDU_OP_NOP_OUT, { COMMON, M(final), M(lun), M(ttt), M(cmdsn),
			    M(expstatsn), END } },
	{ PDU_OP_SCSI_CMD, { COMMON, M(final), M(read), M(write), M(attr),
			     M(lun), M(edtl), M(cmdsn), M(expstatsn), M(cdb),
			     END } },
	{ PDU_OP_TMF_REQ, { COMMON, M(final), M(tmf_function), M(lun),
			    M(ref_task_tag), M(cmdsn), M(expstatsn),
			    M(ref_cmdsn), M(expdatasn), END } },
	{ PDU_OP_LOGIN_REQ, { COMMON, M(transit), M(cont), M(csg), M(nsg),
			      M(version_max), M(version_min), M(isid), M(tsih),
			      M(cid), M(cmdsn), M(expstatsn), END } },
	{ PDU_OP_TEXT_REQ, { COMMON, M(final), M(cont), M(lun), M(ttt),
			     M(cmdsn), M(expstatsn), END } },
	{ PDU_OP_DATA_OUT, { COMMON, M(final), M(lun), M(ttt), M(expstatsn),
			     M(datasn), M(buffer_offset), END } },
	{ PDU_OP_LOGOUT_REQ, { COMMON, M(final), M(logout_reason), M(cid),
			       M(cmdsn), M(expstatsn), END } },
	{ PDU_OP_SNACK_REQ, { COMMON, M(final), M(snack_type), M(lun), M(ttt),
			      M(expstatsn), M(begrun), M(runlength), END } },
	{ PDU_OP_NOP_IN, { COMMON, M(final), M(lun), M(ttt), M(statsn),
			   M(expcmdsn), M(maxcmdsn), END } },
	{ PDU_OP_SCSI_RSP, { COMMON, M(final), M(bidi_overflow),
			     M(bidi_underflow), M(overflow), M(underflow),
			     M(response), M(status), M(snack_tag), M(statsn),
			     M(expcmdsn), M(maxcmdsn), M(expdatasn),
			     M(bidi_residual), M(residual), END } },
	{ PDU_OP_TMF_RSP, { COMMON, M(final), M(response), M(statsn),
			    M(expcmdsn), M(maxcmdsn), END } },
	{ PDU_OP_LOGIN_RSP, { COMMON, M(transit), M(cont), M(csg), M(nsg),
			      M(version_max), M(version_active), M(isid),
			      M(tsih), M(statsn), M(expcmdsn), M(maxcmdsn),
			      M(status_class), M(status_detail), END } },
	{ PDU_OP_TEXT_RSP, { COMMON, M(final), M(cont), M(lun), M(ttt),
			     M(statsn), M(expcmdsn), M(maxcmdsn), END } },
	{ PDU_OP_DATA_IN, { COMMON, M(final), M(ack), M(overflow),
			    M(underflow), M(status_present), M(status), M(lun),
			    M(ttt), M(statsn), M(expcmdsn), M(maxcmdsn),
			    M(datasn), M(buffer_offset), M(residual), END } },
	{ PDU_OP_LOGOUT_RSP, { COMMON, M(final), M(response), M(statsn),
			       M(expcmdsn), M(maxcmdsn), M(time2wait),
			       M(time2retain), END } },
	{ PDU_OP_R2T, { COMMON, M(final), M(lun), M(ttt), M(statsn),
			M(expcmdsn), M(maxcmdsn), M(r2tsn), M(buffer_offset),
			M(ddtl), END } },
	{ PDU_OP_ASYNC_MSG, { COMMON, M(final), M(lun), M(statsn),
			      M(expcmdsn), M(maxcmdsn), M(async_event),
			      M(async_vcode), M(param1), M(param2), M(param3),
			      END } },
	{ PDU_OP_REJECT, { COMMON, M(final), M(reject_reason), M(statsn),
			   M(expcmdsn), M(maxcmdsn), M(datasn), END } },
};

static bool member_listed(const size_t *members, size_t offset)
{
	for (size_t i = 0; members[i] != END; i++) {
		if (members[i] == offset)
			return true;
	}
	return false;
}

static bool member_reachable(uint8_t op, size_t offset)
{
	size_t count;
	const struct pdu_field *fields = registry(&count);
	for (size_t i = 0; i < count; i++) {
		if (fields[i].hdr_offset == offset &&
		    pdu_field_loc(&fields[i], op))
			return true;
	}
	return false;
}

static void test_every_member_reachable(void **state)
{
	(void)state;
	size_t n = sizeof members_by_opcode / sizeof members_by_opcode[0];
	assert_int_equal(n, PDU_N_DEFINED_OPCODES);
	for (size_t k = 0; k < n; k++) {
		uint8_t op = members_by_opcode[k].opcode;
		const size_t *members = members_by_opcode[k].members;
		assert_int_equal(op, pdu_defined_opcodes[k]);
		for (size_t i = 0; members[i] != END; i++) {
			if (!member_reachable(op, members[i]))
				fail_msg("opcode 0x%02x: member at offset %zu "
					 "has no field", op, members[i]);
		}
		/* ... and the registry gives the opcode nothing else. */
		size_t count;
		const struct pdu_field *fields = registry(&count);
		for (size_t i = 0; i < count; i++) {
			if (!has_member(&fields[i]) ||
			    !pdu_field_loc(&fields[i], op))
				continue;
			if (!member_listed(members, fields[i].hdr_offset))
				fail_msg("opcode 0x%02x has %s, not in its "
					 "layout", op, fields[i].name);
		}
	}
}

/* An opcode RFC 7143 does not define keeps its common fields. */
static void test_unknown_opcode_has_common_fields(void **state)
{
	(void)state;
	const char *const common[] = { "opcode", "immediate", "ahs_len", "dsl",
				       "itt", "flags" };
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
		const struct pdu_field *f = pdu_field_find(common[i]);
		assert_non_null(pdu_field_loc(f, 0x1c));
		assert_non_null(pdu_field_loc(f, 0x3e));
		assert_non_null(pdu_field_loc(f, 0x07));
	}
	assert_null(pdu_field_loc(pdu_field_find("cmdsn"), 0x1c));
	assert_null(pdu_field_loc(pdu_field_find("statsn"), 0x3c));
}

/* The checker's planned decoder reads exactly what the registry walk
 * reads, for every opcode (defined or not) and random bytes. */
static void test_planned_decode_equals_registry_walk(void **state)
{
	(void)state;
	static struct pdu_hdr_plan plan;
	assert_true(pdu_hdr_plan_init(&plan));
	size_t widest = 0;
	for (unsigned op = 0; op < 64; op++) {
		if (plan.n_steps[op] > widest)
			widest = plan.n_steps[op];
		for (int round = 0; round < 200; round++) {
			uint8_t bhs[PDU_BHS_LEN];
			fill_random(bhs, sizeof bhs);
			bhs[0] = (uint8_t)((bhs[0] & 0xc0) | op);
			struct pdu_hdr walked, planned;
			memset(&planned, 0xa5, sizeof planned);
			pdu_hdr_decode(bhs, &walked);
			pdu_hdr_decode_planned(&plan, bhs, &planned);
			assert_memory_equal(&walked, &planned, sizeof walked);
		}
	}
	assert_true(widest > 10);
	assert_true(widest < PDU_HDR_PLAN_MAX_STEPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_wireshark_or_ours),
		cmocka_unit_test(test_find_by_full_and_short_name),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_no_two_members_share_a_bit),
		cmocka_unit_test(test_set_get_raw_every_opcode),
		cmocka_unit_test(test_set_raw_masks_to_width),
		cmocka_unit_test(test_invalid_for_opcode_without_field),
		cmocka_unit_test(test_get_raw_agrees_with_decode),
		cmocka_unit_test(test_set_get_hdr_round_trip),
		cmocka_unit_test(test_raw_only_fields_on_hdr),
		cmocka_unit_test(test_every_member_reachable),
		cmocka_unit_test(test_unknown_opcode_has_common_fields),
		cmocka_unit_test(test_planned_decode_equals_registry_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
