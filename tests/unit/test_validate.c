/* test_validate.c — pdu_validate_buf()/pdu_validate_view() (pdu/validate.h):
 * a valid PDU of every opcode passes under every digest setting; every rule
 * the validator can report is broken on purpose by at least one case, which
 * must report exactly that rule, field and offset and nothing else; every
 * reserved area of RFC 7143 §11 is flagged bit by bit; checks that need an
 * unknown negotiated value are not made; and garbage or truncated input
 * never crashes. Each break case is its own cmocka test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pdu/fields.h"
#include "pdu/pdu.h"
#include "pdu/validate.h"

#define CAP 2048
#define MAXV 64
#define RES PDU_RESERVED_TAG

/* One PDU under test: its bytes, the digests it was framed with and what
 * the checker is told. */
struct pcase {
	uint8_t buf[CAP];
	size_t len;
	struct pdu_digests dg;
	struct pdu_validate_ctx ctx;
};

static const struct pdu_digests dg_modes[4] = {
	{ false, false }, { true, false }, { false, true }, { true, true },
};

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static const char *side_name(uint8_t op)
{
	return (op & 0x20) ? "target" : "initiator";
}

static void finish_ctx(struct pcase *p)
{
	uint8_t op = p->buf[0] & 0x3f;
	p->ctx.digests = p->dg;
	p->ctx.sender = (op & 0x20) ? PDU_SENDER_TARGET : PDU_SENDER_INITIATOR;
}

static void build(struct pcase *p, const struct pdu_hdr *h, const uint8_t *ahs,
		  size_t ahs_len, const uint8_t *data, size_t data_len)
{
	long n = pdu_build(h, ahs, ahs_len, data, data_len, p->dg, true,
			   p->buf, sizeof p->buf);
	assert_true(n >= PDU_BHS_LEN);
	p->len = (size_t)n;
	finish_ctx(p);
}

/* ---- a valid PDU of every opcode ----------------------------------------- */

static const char login_req_text[] =
	"InitiatorName=iqn.2024-01.test:ini\0SessionType=Normal\0"
	"TargetName=iqn.2024-01.test:tgt";
static const char login_rsp_text[] = "TargetPortalGroupTag=1";
static const char text_req_text[] = "SendTargets=All";
static const char text_rsp_text[] = "TargetName=iqn.2024-01.test:tgt";

static void valid_hdr(uint8_t op, struct pdu_hdr *h, uint8_t *data,
		      size_t *dlen)
{
	memset(h, 0, sizeof *h);
	h->opcode = op;
	*dlen = 0;
	switch (op) {
	case PDU_OP_NOP_OUT:
		h->immediate = true;
		h->final = true;
		h->itt = 1;
		h->ttt = RES;
		h->cmdsn = 10;
		h->expstatsn = 20;
		memcpy(data, "ping", 4);
		*dlen = 4;
		break;
	case PDU_OP_SCSI_CMD:
		h->final = true;
		h->read = true;
		h->attr = 1;
		h->itt = 2;
		h->edtl = 512;
		h->cmdsn = 10;
		h->expstatsn = 20;
		h->cdb[0] = 0x28;
		h->cdb[8] = 1;
		break;
	case PDU_OP_TMF_REQ:
		h->immediate = true;
		h->final = true;
		h->tmf_function = 1;
		h->itt = 3;
		h->ref_task_tag = 2;
		h->cmdsn = 11;
		h->expstatsn = 20;
		h->ref_cmdsn = 10;
		break;
	case PDU_OP_LOGIN_REQ:
		h->immediate = true;
		h->transit = true;
		h->csg = PDU_STAGE_SECURITY;
		h->nsg = PDU_STAGE_OPERATIONAL;
		h->isid[0] = 0x80;
		h->isid[5] = 1;
		h->cid = 1;
		h->cmdsn = 1;
		memcpy(data, login_req_text, sizeof login_req_text);
		*dlen = sizeof login_req_text;
		break;
	case PDU_OP_TEXT_REQ:
		h->final = true;
		h->itt = 4;
		h->ttt = RES;
		h->cmdsn = 12;
		h->expstatsn = 20;
		memcpy(data, text_req_text, sizeof text_req_text);
		*dlen = sizeof text_req_text;
		break;
	case PDU_OP_DATA_OUT:
		h->final = true;
		h->itt = 2;
		h->ttt = 7;
		h->expstatsn = 20;
		fill_pattern(data, 512, 1);
		*dlen = 512;
		break;
	case PDU_OP_LOGOUT_REQ:
		h->immediate = true;
		h->final = true;
		h->logout_reason = 0;
		h->itt = 5;
		h->cmdsn = 13;
		h->expstatsn = 21;
		break;
	case PDU_OP_SNACK_REQ:
		h->final = true;
		h->snack_type = PDU_SNACK_DATA_R2T;
		h->itt = 2;
		h->ttt = RES;
		h->expstatsn = 20;
		h->begrun = 1;
		h->runlength = 1;
		break;
	case PDU_OP_NOP_IN:
		h->final = true;
		h->itt = 1;
		h->ttt = RES;
		h->statsn = 20;
		h->expcmdsn = 11;
		h->maxcmdsn = 40;
		memcpy(data, "ping", 4);
		*dlen = 4;
		break;
	case PDU_OP_SCSI_RSP:
		h->final = true;
		h->itt = 2;
		h->statsn = 21;
		h->expcmdsn = 11;
		h->maxcmdsn = 40;
		h->expdatasn = 1;
		break;
	case PDU_OP_TMF_RSP:
		h->final = true;
		h->itt = 3;
		h->statsn = 22;
		h->expcmdsn = 12;
		h->maxcmdsn = 40;
		break;
	case PDU_OP_LOGIN_RSP:
		h->transit = true;
		h->csg = PDU_STAGE_SECURITY;
		h->nsg = PDU_STAGE_OPERATIONAL;
		h->isid[0] = 0x80;
		h->isid[5] = 1;
		h->statsn = 1;
		h->expcmdsn = 1;
		h->maxcmdsn = 1;
		memcpy(data, login_rsp_text, sizeof login_rsp_text);
		*dlen = sizeof login_rsp_text;
		break;
	case PDU_OP_TEXT_RSP:
		h->final = true;
		h->itt = 4;
		h->ttt = RES;
		h->statsn = 23;
		h->expcmdsn = 13;
		h->maxcmdsn = 40;
		memcpy(data, text_rsp_text, sizeof text_rsp_text);
		*dlen = sizeof text_rsp_text;
		break;
	case PDU_OP_DATA_IN:
		h->final = true;
		h->status_present = true;
		h->itt = 2;
		h->ttt = RES;
		h->statsn = 21;
		h->expcmdsn = 11;
		h->maxcmdsn = 40;
		fill_pattern(data, 512, 2);
		*dlen = 512;
		break;
	case PDU_OP_LOGOUT_RSP:
		h->final = true;
		h->itt = 5;
		h->statsn = 24;
		h->expcmdsn = 14;
		h->maxcmdsn = 40;
		h->time2wait = 2;
		h->time2retain = 20;
		break;
	case PDU_OP_R2T:
		h->final = true;
		h->itt = 2;
		h->ttt = 7;
		h->statsn = 21;
		h->expcmdsn = 11;
		h->maxcmdsn = 40;
		h->ddtl = 4096;
		break;
	case PDU_OP_ASYNC_MSG:
		h->final = true;
		h->itt = RES;
		h->statsn = 25;
		h->expcmdsn = 14;
		h->maxcmdsn = 40;
		h->async_event = 1;
		h->param3 = 10;
		break;
	case PDU_OP_REJECT: {
		struct pdu_hdr cmd;
		size_t unused;
		valid_hdr(PDU_OP_SCSI_CMD, &cmd, data, &unused);
		memset(h, 0, sizeof *h);
		h->opcode = op;
		h->final = true;
		h->reject_reason = 0x09;
		h->itt = RES;
		h->statsn = 26;
		h->expcmdsn = 14;
		h->maxcmdsn = 40;
		pdu_hdr_encode(&cmd, data);
		*dlen = PDU_BHS_LEN;
		break;
	}
	default:
		h->itt = 9;
		break;
	}
}

static void build_valid(struct pcase *p, uint8_t op)
{
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;
	valid_hdr(op, &h, data, &dlen);
	build(p, &h, NULL, 0, data, dlen);
}

/* ---- running the validator ----------------------------------------------- */

struct result {
	struct pdu_violation items[MAXV];
	struct pdu_violations out;
};

static size_t run(struct result *r, const struct pcase *p)
{
	pdu_violations_init(&r->out, r->items, MAXV);
	return pdu_validate_buf(p->buf, p->len, &p->ctx, &r->out);
}

static void print_violations(const char *what, const struct result *r)
{
	for (size_t i = 0; i < r->out.count; i++) {
		const struct pdu_violation *v = &r->items[i];
		print_message("  %s: %s %s %s @%zu = 0x%llx: %s\n", what, v->id,
			      pdu_severity_name(v->severity), v->field,
			      v->offset, (unsigned long long)v->actual, v->msg);
	}
}

/* Invariants every report keeps, whatever the input. */
static void check_sane(const struct result *r)
{
	size_t n_ids;
	const char *const *ids = pdu_validate_rule_ids(&n_ids);
	assert_true(r->out.count <= MAXV);
	assert_true(r->out.count <= r->out.total);
	assert_true(r->out.truncated == (r->out.total > r->out.count));
	for (size_t i = 0; i < r->out.count; i++) {
		const struct pdu_violation *v = &r->items[i];
		bool known = false;
		for (size_t k = 0; k < n_ids; k++)
			known = known || (v->id == ids[k]);
		assert_true(known);
		assert_non_null(v->field);
		assert_true(strlen(v->field) > 0);
		assert_true(memchr(v->msg, '\0', sizeof v->msg) != NULL);
		assert_true(strlen(v->msg) > 0);
		assert_int_equal(v->severity, pdu_validate_rule_severity(v->id));
	}
}

/* A BHS field the validator names must be where the registry says. */
static void check_registry(const struct pdu_violation *v, uint8_t op)
{
	static const char *const not_in_bhs[] = {
		"iscsi", "iscsi.reserved", "iscsi.padding",
		"iscsi.headerdigest32", "iscsi.datadigest32",
		"iscsi.ahs.length", "iscsi.ahs.type",
	};
	for (size_t i = 0; i < sizeof not_in_bhs / sizeof not_in_bhs[0]; i++)
		if (strcmp(v->field, not_in_bhs[i]) == 0)
			return;
	const struct pdu_field *f = pdu_field_find(v->field);
	if (!f)
		fail_msg("field %s is not in the registry", v->field);
	const struct pdu_field_loc *loc = pdu_field_loc(f, op);
	if (!loc)
		fail_msg("registry has no %s for opcode 0x%02x", v->field, op);
	assert_true(v->offset >= loc->offset);
	assert_true(v->offset < (size_t)loc->offset + loc->size);
}

/* Recompute both digests after an edit, when the lengths still frame the
 * buffer exactly. */
static void refix_digests(struct pcase *p)
{
	if (p->len < PDU_BHS_LEN)
		return;
	size_t need;
	if (pdu_frame_len(p->buf, p->len, p->dg, &need) != PDU_OK ||
	    need != p->len)
		return;
	size_t hd_off = PDU_BHS_LEN + (size_t)p->buf[4] * 4;
	size_t data_off = hd_off + (p->dg.header ? 4 : 0);
	size_t dsl = (size_t)p->buf[5] << 16 | (size_t)p->buf[6] << 8 |
		     p->buf[7];
	size_t seg = dsl + pdu_pad_len(dsl);
	if (p->dg.header)
		pdu_put_digest(p->buf + hd_off, pdu_crc32c(p->buf, hd_off));
	if (p->dg.data && dsl > 0)
		pdu_put_digest(p->buf + data_off + seg,
			       pdu_crc32c(p->buf + data_off, seg));
}

/* ---- valid PDUs pass ----------------------------------------------------- */

static void set_all_known(struct pcase *p)
{
	p->ctx.max_burst_length = (struct pdu_known){ true, 262144 };
	p->ctx.max_recv_dsl = (struct pdu_known){ true, 8192 };
	p->ctx.erl = (struct pdu_known){ true, 2 };
}

static void expect_clean(const struct pcase *p, const char *what)
{
	struct result r;
	run(&r, p);
	check_sane(&r);
	if (r.out.total) {
		print_violations(what, &r);
		fail_msg("%s: %zu violations, expected none", what,
			 r.out.total);
	}
}

static void test_valid_every_opcode(void **state)
{
	(void)state;
	for (size_t m = 0; m < 4; m++) {
		for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
			uint8_t op = pdu_defined_opcodes[i];
			struct pcase p = { .dg = dg_modes[m] };
			build_valid(&p, op);
			char what[64];
			snprintf(what, sizeof what, "opcode 0x%02x (%s) dg %zu",
				 op, side_name(op), m);
			expect_clean(&p, what);
			set_all_known(&p);
			expect_clean(&p, what);
			p.ctx.sender = PDU_SENDER_UNKNOWN;
			expect_clean(&p, what);
		}
	}
}

static void test_valid_vendor_opcodes(void **state)
{
	(void)state;
	const uint8_t ops[] = { 0x1c, 0x1d, 0x1e, 0x3c, 0x3d, 0x3e };
	for (size_t i = 0; i < sizeof ops; i++) {
		struct pcase p = { .dg = { true, true } };
		struct pdu_hdr h = { .opcode = ops[i], .itt = 9 };
		uint8_t data[5] = "abcd";
		build(&p, &h, NULL, 0, data, 5);
		expect_clean(&p, "vendor opcode");
	}
}

/* RFC 7144 functions 9-12 and response 7; TASK REASSIGN at ERL 2. */
static void test_valid_tmf_variants(void **state)
{
	(void)state;
	for (uint8_t fn = 1; fn <= 12; fn++) {
		struct pcase p = { 0 };
		struct pdu_hdr h;
		uint8_t data[8];
		size_t dlen;
		valid_hdr(PDU_OP_TMF_REQ, &h, data, &dlen);
		h.tmf_function = fn;
		h.ref_task_tag = (fn == 1 || fn == 8 || fn == 9) ? 2 : RES;
		h.lun = (fn >= 6 && fn <= 8) ? 0 : 0x0001000000000000ull;
		build(&p, &h, NULL, 0, NULL, 0);
		p.ctx.erl = (struct pdu_known){ true, 2 };
		expect_clean(&p, "TMF function");
	}
	for (unsigned resp = 0; resp <= 255; resp++) {
		if (resp > 7 && resp != 255)
			continue;
		struct pcase p = { 0 };
		struct pdu_hdr h;
		uint8_t data[8];
		size_t dlen;
		valid_hdr(PDU_OP_TMF_RSP, &h, data, &dlen);
		h.response = (uint8_t)resp;
		build(&p, &h, NULL, 0, NULL, 0);
		expect_clean(&p, "TMF response");
	}
}

/* Values the rules allow at their edges. */
static void test_valid_edges(void **state)
{
	(void)state;
	struct pcase p = { 0 };
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;

	/* NSG 2 is not looked at while T=0 */
	valid_hdr(PDU_OP_LOGIN_REQ, &h, data, &dlen);
	h.transit = false;
	h.nsg = 2;
	build(&p, &h, NULL, 0, data, dlen);
	expect_clean(&p, "NSG 2 with T=0");

	/* C=1 with T=0 and F=0 */
	valid_hdr(PDU_OP_LOGIN_RSP, &h, data, &dlen);
	h.transit = false;
	h.cont = true;
	build(&p, &h, NULL, 0, data, dlen);
	expect_clean(&p, "Login Response C=1 T=0");
	valid_hdr(PDU_OP_TEXT_RSP, &h, data, &dlen);
	h.final = false;
	h.cont = true;
	h.ttt = 9;
	build(&p, &h, NULL, 0, data, dlen);
	expect_clean(&p, "Text Response C=1 F=0 TTT 9");

	/* every status Data-In may carry, and S=0 with any status byte */
	const uint8_t good[] = { 0x00, 0x04, 0x10, 0x14 };
	for (size_t i = 0; i < sizeof good; i++) {
		valid_hdr(PDU_OP_DATA_IN, &h, data, &dlen);
		h.status = good[i];
		build(&p, &h, NULL, 0, data, dlen);
		expect_clean(&p, "Data-In status");
	}
	valid_hdr(PDU_OP_DATA_IN, &h, data, &dlen);
	h.status_present = false;
	h.final = false;
	h.status = 0x02;
	h.overflow = h.underflow = true;
	build(&p, &h, NULL, 0, data, dlen);
	expect_clean(&p, "Data-In S=0");

	/* A=1 at ERL 1; DDTL equal to MaxBurstLength; DSL equal to MRDSL */
	valid_hdr(PDU_OP_DATA_IN, &h, data, &dlen);
	h.ack = true;
	build(&p, &h, NULL, 0, data, dlen);
	p.ctx.erl = (struct pdu_known){ true, 1 };
	p.ctx.max_recv_dsl = (struct pdu_known){ true, 512 };
	expect_clean(&p, "A=1 at ERL 1");
	valid_hdr(PDU_OP_R2T, &h, data, &dlen);
	h.ddtl = 65536;
	build(&p, &h, NULL, 0, NULL, 0);
	p.ctx.max_burst_length = (struct pdu_known){ true, 65536 };
	expect_clean(&p, "DDTL = MaxBurstLength");

	/* a 32-byte CDB in an Extended CDB AHS, and a Bidi AHS */
	uint8_t ahs[64], cdb_rest[16];
	fill_pattern(cdb_rest, sizeof cdb_rest, 3);
	long n = pdu_ahs_append(ahs, 0, sizeof ahs, PDU_AHS_EXTENDED_CDB, 0,
				cdb_rest, sizeof cdb_rest);
	assert_true(n > 0);
	uint8_t bidi[4] = { 0, 0, 2, 0 };
	n = pdu_ahs_append(ahs, (size_t)n, sizeof ahs, PDU_AHS_BIDI_READ_LEN,
			   0, bidi, sizeof bidi);
	assert_true(n > 0);
	for (size_t m = 0; m < 4; m++) {
		p.dg = dg_modes[m];
		valid_hdr(PDU_OP_SCSI_CMD, &h, data, &dlen);
		h.write = true;
		h.edtl = 1024;
		h.final = false;
		fill_pattern(data, 512, 4);
		build(&p, &h, ahs, (size_t)n, data, 512);
		p.ctx = (struct pdu_validate_ctx){ .digests = p.dg };
		expect_clean(&p, "AHS");
	}

	/* a write whose immediate data is all of it, with F=1 */
	p.dg = (struct pdu_digests){ false, false };
	valid_hdr(PDU_OP_SCSI_CMD, &h, data, &dlen);
	h.write = true;
	h.read = false;
	h.edtl = 512;
	build(&p, &h, NULL, 0, data, 512);
	expect_clean(&p, "write F=1");

	/* a Reject of a PDU that had an AHS carries BHS + AHS */
	valid_hdr(PDU_OP_REJECT, &h, data, &dlen);
	data[4] = 2;
	memset(data + 48, 0, 8);
	build(&p, &h, NULL, 0, data, 56);
	expect_clean(&p, "Reject with AHS");

	/* NOP-In with ITT reserved and a valid TTT, LUN 0 */
	valid_hdr(PDU_OP_NOP_IN, &h, data, &dlen);
	h.itt = RES;
	h.ttt = 5;
	build(&p, &h, NULL, 0, NULL, 0);
	expect_clean(&p, "unsolicited NOP-In");

	/* the checks that need a negotiated value are not made without it */
	valid_hdr(PDU_OP_R2T, &h, data, &dlen);
	h.ddtl = 0x7fffffff;
	build(&p, &h, NULL, 0, NULL, 0);
	expect_clean(&p, "DDTL, MaxBurstLength unknown");
	valid_hdr(PDU_OP_SNACK_REQ, &h, data, &dlen);
	build(&p, &h, NULL, 0, NULL, 0);
	expect_clean(&p, "SNACK, ERL unknown");
	valid_hdr(PDU_OP_TMF_REQ, &h, data, &dlen);
	h.tmf_function = 8;
	build(&p, &h, NULL, 0, NULL, 0);
	expect_clean(&p, "TASK REASSIGN, ERL unknown");
	valid_hdr(PDU_OP_DATA_IN, &h, data, &dlen);
	h.ack = true;
	fill_pattern(data, 1000, 5);
	build(&p, &h, NULL, 0, data, 1000);
	expect_clean(&p, "A=1 and a long DSL, ERL and MRDSL unknown");
}

/* ---- break cases: exactly one violation each ----------------------------- */

struct edit {
	uint16_t off;
	uint8_t val;
};

struct bcase {
	const char *name;
	uint8_t op;                /* valid PDU to start from */
	uint8_t dgs;               /* bit m: run under dg_modes[m]; 0 = all */
	size_t n;                  /* edits of the BHS */
	struct edit e[4];
	void (*custom)(struct pcase *p); /* after the edits */
	bool no_refix;             /* keep digests as custom left them */
	const char *id;
	const char *field;
	size_t offset;
};

#define E1(a, b) 1, { { a, b } }
#define E2(a, b, c, d) 2, { { a, b }, { c, d } }
#define ITT_RES 4, { { 16, 0xff }, { 17, 0xff }, { 18, 0xff }, { 19, 0xff } }
#define TTT_RES 4, { { 20, 0xff }, { 21, 0xff }, { 22, 0xff }, { 23, 0xff } }
#define DG_NONE 0x1
#define DG_NO_HEADER 0x5

static void c_truncate(struct pcase *p) { p->len -= 1; }
static void c_trailing(struct pcase *p)
{
	memset(p->buf + p->len, 0, 8);
	p->len += 8;
}
static void c_short_bhs(struct pcase *p) { p->len = 20; }
static void c_ahs_cut(struct pcase *p) { p->len = PDU_BHS_LEN; }
static void c_sender_initiator(struct pcase *p)
{
	p->ctx.sender = PDU_SENDER_INITIATOR;
}
static void c_itt_reserved(struct pcase *p)
{
	memset(p->buf + 16, 0xff, 4);
}
static void c_sender_target(struct pcase *p)
{
	p->ctx.sender = PDU_SENDER_TARGET;
}

static void c_three_byte_data(struct pcase *p, uint8_t op)
{
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;
	valid_hdr(op, &h, data, &dlen);
	build(p, &h, NULL, 0, (const uint8_t *)"abc", 3);
}
static void c_unpadded(struct pcase *p)
{
	c_three_byte_data(p, PDU_OP_DATA_OUT);
	/* drop the padding byte: shift the data digest (if any) down */
	size_t pad_at = p->len - 1 - (p->dg.data ? 4 : 0);
	memmove(p->buf + pad_at, p->buf + pad_at + 1, p->len - pad_at - 1);
	p->len -= 1;
}
static void c_dirty_pad(struct pcase *p)
{
	c_three_byte_data(p, PDU_OP_DATA_IN);
	p->buf[PDU_BHS_LEN + (p->dg.header ? 4 : 0) + 3] = 0x5a;
}
static void c_bad_header_digest(struct pcase *p) { p->buf[48] ^= 1; }
static void c_bad_data_digest(struct pcase *p) { p->buf[p->len - 1] ^= 0x80; }
static void c_empty_data_digest(struct pcase *p)
{
	/* a data digest the sender should not have sent, over 0 bytes */
	pdu_put_digest(p->buf + p->len, pdu_crc32c(NULL, 0));
	p->len += 4;
}

static void cmd_with_ahs(struct pcase *p, uint8_t op, const uint8_t *ahs,
			 size_t ahs_len)
{
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;
	valid_hdr(op, &h, data, &dlen);
	build(p, &h, ahs, ahs_len, data, dlen);
}
static void c_ahs_overrun(struct pcase *p)
{
	const uint8_t ahs[4] = { 0, 8, 1, 0 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 4);
}
static void c_ahs_bidi_len(struct pcase *p)
{
	const uint8_t ahs[8] = { 0, 4, 2, 0, 0, 0, 2, 0 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 8);
}
static void c_ahs_reserved_type(struct pcase *p)
{
	const uint8_t ahs[8] = { 0, 5, 3, 0, 1, 2, 3, 4 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 8);
}
static void c_ahs_reserved_byte(struct pcase *p)
{
	const uint8_t ahs[8] = { 0, 5, 2, 0x11, 0, 0, 2, 0 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 8);
}
static void c_ahs_dirty_pad(struct pcase *p)
{
	/* 21-byte CDB: 5 bytes in the AHS, AHSLength 6, 3 padding bytes */
	const uint8_t ahs[12] = { 0, 6, 1, 0, 1, 2, 3, 4, 5, 0, 0x77, 0 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 12);
}
static void c_ext_cdb_empty(struct pcase *p)
{
	const uint8_t ahs[4] = { 0, 1, 1, 0 };
	cmd_with_ahs(p, PDU_OP_SCSI_CMD, ahs, 4);
}
static void c_ext_cdb_in_nop(struct pcase *p)
{
	const uint8_t ahs[8] = { 0, 5, 1, 0, 1, 2, 3, 4 };
	cmd_with_ahs(p, PDU_OP_NOP_OUT, ahs, 8);
}
static void c_r2t_with_ahs(struct pcase *p)
{
	const uint8_t ahs[8] = { 0, 5, 2, 0, 0, 0, 2, 0 };
	cmd_with_ahs(p, PDU_OP_R2T, ahs, 8);
}

static void with_data(struct pcase *p, uint8_t op, size_t n)
{
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;
	valid_hdr(op, &h, data, &dlen);
	fill_pattern(data, n, 9);
	build(p, &h, NULL, 0, data, n);
}
static void c_tmf_req_data(struct pcase *p) { with_data(p, PDU_OP_TMF_REQ, 4); }
static void c_tmf_rsp_data(struct pcase *p) { with_data(p, PDU_OP_TMF_RSP, 8); }
static void c_logout_req_data(struct pcase *p)
{
	with_data(p, PDU_OP_LOGOUT_REQ, 1);
}
static void c_logout_rsp_data(struct pcase *p)
{
	with_data(p, PDU_OP_LOGOUT_RSP, 12);
}
static void c_reject_short(struct pcase *p) { with_data(p, PDU_OP_REJECT, 44); }
static void c_reject_long(struct pcase *p)
{
	with_data(p, PDU_OP_REJECT, 52);
	p->buf[PDU_BHS_LEN + (p->dg.header ? 4 : 0) + 4] = 0;
	refix_digests(p);
}

static void c_write_f0(struct pcase *p)
{
	struct pdu_hdr h;
	uint8_t data[1024];
	size_t dlen;
	valid_hdr(PDU_OP_SCSI_CMD, &h, data, &dlen);
	h.read = false;
	h.write = true;
	h.final = false;
	h.edtl = 512;
	build(p, &h, NULL, 0, data, 512);
}
static void c_mbl_256(struct pcase *p)
{
	p->ctx.max_burst_length = (struct pdu_known){ true, 256 };
}
static void c_mrdsl_256(struct pcase *p)
{
	p->ctx.max_recv_dsl = (struct pdu_known){ true, 256 };
}
static void c_erl0(struct pcase *p) { p->ctx.erl = (struct pdu_known){ true, 0 }; }
static void c_erl1(struct pcase *p) { p->ctx.erl = (struct pdu_known){ true, 1 }; }

static void c_unsolicited_nop_in_no_lun(struct pcase *p)
{
	struct pdu_hdr h;
	uint8_t data[8];
	size_t dlen;
	valid_hdr(PDU_OP_NOP_IN, &h, data, &dlen);
	h.itt = RES;
	h.ttt = 6;
	h.lun = 0xffffffffffffffffull;
	build(p, &h, NULL, 0, NULL, 0);
}
static void c_text_rsp_no_lun(struct pcase *p)
{
	struct pdu_hdr h;
	uint8_t data[64];
	size_t dlen;
	valid_hdr(PDU_OP_TEXT_RSP, &h, data, &dlen);
	h.final = false;
	h.ttt = 6;
	h.lun = 0xff00000000000000ull;
	build(p, &h, NULL, 0, data, dlen);
}
static void c_tmf(struct pcase *p, uint8_t fn, uint32_t rtt, uint64_t lun)
{
	struct pdu_hdr h;
	uint8_t data[8];
	size_t dlen;
	valid_hdr(PDU_OP_TMF_REQ, &h, data, &dlen);
	h.tmf_function = fn;
	h.ref_task_tag = rtt;
	h.lun = lun;
	build(p, &h, NULL, 0, NULL, 0);
}
static void c_tmf_reassign_erl1(struct pcase *p)
{
	c_tmf(p, 8, 2, 0);
	c_erl1(p);
}
static void c_tmf_warm_reset_lun(struct pcase *p) { c_tmf(p, 6, RES, 1); }
static void c_tmf_abort_rtt_res(struct pcase *p) { c_tmf(p, 1, RES, 0); }
static void c_tmf_lu_reset_rtt(struct pcase *p) { c_tmf(p, 5, 2, 0); }
static void c_snack(struct pcase *p, uint8_t type, uint32_t itt, uint32_t tag,
		    uint32_t begrun, uint32_t runlength)
{
	struct pdu_hdr h;
	uint8_t data[8];
	size_t dlen;
	valid_hdr(PDU_OP_SNACK_REQ, &h, data, &dlen);
	h.snack_type = type;
	h.itt = itt;
	h.ttt = tag;
	h.begrun = begrun;
	h.runlength = runlength;
	build(p, &h, NULL, 0, NULL, 0);
}
static void c_status_snack_itt(struct pcase *p) { c_snack(p, 1, 2, RES, 5, 1); }
static void c_dataack_itt(struct pcase *p) { c_snack(p, 2, 2, 7, 3, 0); }
static void c_data_snack_res(struct pcase *p) { c_snack(p, 0, RES, RES, 1, 1); }
static void c_rdata_snack_res(struct pcase *p) { c_snack(p, 3, RES, 9, 0, 0); }
static void c_rdata_begrun(struct pcase *p) { c_snack(p, 3, 2, 9, 4, 0); }
static void c_rdata_runlength(struct pcase *p) { c_snack(p, 3, 2, 9, 0, 4); }
static void c_rdata_tag0(struct pcase *p) { c_snack(p, 3, 2, 0, 0, 0); }
static void c_rdata_tag_res(struct pcase *p) { c_snack(p, 3, 2, RES, 0, 0); }

static const struct bcase cases[] = {
	/* PDU-001 */
	{ "PDU-001 buffer one byte short", PDU_OP_DATA_OUT, 0, 0, { { 0, 0 } },
	  c_truncate, true, "PDU-001", "iscsi.datasegmentlength", 5 },
	{ "PDU-001 8 bytes after the PDU", PDU_OP_TEXT_RSP, 0, 0, { { 0, 0 } },
	  c_trailing, true, "PDU-001", "iscsi.datasegmentlength", 5 },
	{ "PDU-001 shorter than a BHS", PDU_OP_NOP_OUT, 0, 0, { { 0, 0 } },
	  c_short_bhs, true, "PDU-001", "iscsi", 0 },
	{ "PDU-001 buffer ends inside the AHS", PDU_OP_SCSI_CMD, DG_NO_HEADER,
	  E1(4, 1), c_ahs_cut, true, "PDU-001", "iscsi.totalahslength", 4 },
	/* PDU-002 */
	{ "PDU-002 undefined opcode 0x07", PDU_OP_NOP_OUT, 0, E1(0, 0x07),
	  NULL, false, "PDU-002", "iscsi.opcode", 0 },
	{ "PDU-002 undefined opcode 0x33", PDU_OP_NOP_IN, 0, E1(0, 0x33),
	  c_sender_target, false, "PDU-002", "iscsi.opcode", 0 },
	{ "PDU-002 target opcode from the initiator", PDU_OP_NOP_IN, 0, 0,
	  { { 0, 0 } }, c_sender_initiator, false, "PDU-002", "iscsi.opcode",
	  0 },
	{ "PDU-002 initiator opcode from the target", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_sender_target, false, "PDU-002", "iscsi.opcode", 0 },
	/* PDU-003 */
	{ "PDU-003 bit 0x80 of byte 0", PDU_OP_NOP_OUT, 0, E1(0, 0xc0), NULL,
	  false, "PDU-003", "iscsi.X", 0 },
	{ "PDU-003 I bit in NOP-In", PDU_OP_NOP_IN, 0, E1(0, 0x60), NULL,
	  false, "PDU-003", "iscsi.I", 0 },
	{ "PDU-003 I bit in Reject", PDU_OP_REJECT, 0, E1(0, 0x7f), NULL,
	  false, "PDU-003", "iscsi.I", 0 },
	/* PDU-004 (the reserved areas are also swept bit by bit below) */
	{ "PDU-004 SCSI Response byte 10", PDU_OP_SCSI_RSP, 0, E1(10, 5),
	  NULL, false, "PDU-004", "iscsi.reserved", 10 },
	{ "PDU-004 Data-Out byte 26", PDU_OP_DATA_OUT, 0, E1(26, 1), NULL,
	  false, "PDU-004", "iscsi.reserved", 26 },
	{ "PDU-004 Data-Out byte 35", PDU_OP_DATA_OUT, 0, E1(35, 0x80), NULL,
	  false, "PDU-004", "iscsi.reserved", 35 },
	{ "PDU-004 Data-Out I bit", PDU_OP_DATA_OUT, 0, E1(0, 0x45), NULL,
	  false, "PDU-004", "iscsi.I", 0 },
	{ "PDU-004 R2T byte 2", PDU_OP_R2T, 0, E1(2, 1), NULL, false,
	  "PDU-004", "iscsi.reserved", 2 },
	{ "PDU-004 Login Request byte 23", PDU_OP_LOGIN_REQ, 0, E1(23, 1),
	  NULL, false, "PDU-004", "iscsi.reserved", 23 },
	{ "PDU-004 Logout Request byte 12", PDU_OP_LOGOUT_REQ, 0, E1(12, 1),
	  NULL, false, "PDU-004", "iscsi.reserved", 12 },
	{ "PDU-004 Logout Request byte 22", PDU_OP_LOGOUT_REQ, 0, E1(22, 1),
	  NULL, false, "PDU-004", "iscsi.reserved", 22 },
	{ "PDU-004 SNACK flag 0x20", PDU_OP_SNACK_REQ, 0, E1(1, 0xa0), NULL,
	  false, "PDU-004", "iscsi.flags", 1 },
	{ "PDU-022 NOP-Out fixed bit 0x80 of byte 1 clear", PDU_OP_NOP_OUT, 0,
	  E1(1, 0x00), NULL, false, "PDU-022", "iscsi.F", 1 },
	{ "PDU-004 TMF function 0", PDU_OP_TMF_REQ, 0, E1(1, 0x80), NULL,
	  false, "PDU-004", "iscsi.taskmanfun.function", 1 },
	{ "PDU-004 TMF function 13", PDU_OP_TMF_REQ, 0, E1(1, 0x8d), NULL,
	  false, "PDU-004", "iscsi.taskmanfun.function", 1 },
	{ "PDU-004 SNACK type 4", PDU_OP_SNACK_REQ, 0, E1(1, 0x84), NULL,
	  false, "PDU-004", "iscsi.snack.type", 1 },
	{ "PDU-004 SCSI Response code 0x05", PDU_OP_SCSI_RSP, 0, E2(2, 5, 39, 0),
	  NULL, false, "PDU-004", "iscsi.scsiresponse.response", 2 },
	{ "PDU-004 AHS type 3", PDU_OP_SCSI_CMD, 0, 0, { { 0, 0 } },
	  c_ahs_reserved_type, false, "PDU-004", "iscsi.ahs.type", 50 },
	{ "PDU-004 AHS reserved byte", PDU_OP_SCSI_CMD, 0, 0, { { 0, 0 } },
	  c_ahs_reserved_byte, false, "PDU-004", "iscsi.reserved", 51 },
	/* PDU-005 .. PDU-010: segments */
	{ "PDU-005 data segment not padded", PDU_OP_DATA_OUT, 0, 0,
	  { { 0, 0 } }, c_unpadded, true, "PDU-005", "iscsi.datasegmentlength",
	  5 },
	{ "PDU-006 padding byte not zero", PDU_OP_DATA_IN, DG_NONE, 0,
	  { { 0, 0 } }, c_dirty_pad, false, "PDU-006", "iscsi.padding", 51 },
	{ "PDU-006 CRC-covered padding byte not zero", PDU_OP_DATA_IN, 0x8, 0,
	  { { 0, 0 } }, c_dirty_pad, false, "PDU-006", "iscsi.padding", 55 },
	{ "PDU-006 AHS padding byte not zero", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_ahs_dirty_pad, false, "PDU-006", "iscsi.padding",
	  58 },
	{ "PDU-007 header digest does not verify", PDU_OP_SCSI_RSP, 0x2, 0,
	  { { 0, 0 } }, c_bad_header_digest, true, "PDU-007",
	  "iscsi.headerdigest32", 48 },
	{ "PDU-008 data digest does not verify", PDU_OP_NOP_IN, 0x4, 0,
	  { { 0, 0 } }, c_bad_data_digest, true, "PDU-008",
	  "iscsi.datadigest32", 52 },
	{ "PDU-008 data digest after an empty data segment", PDU_OP_R2T, 0x4,
	  0, { { 0, 0 } }, c_empty_data_digest, true, "PDU-008",
	  "iscsi.datadigest32", 48 },
	{ "PDU-009 AHS overruns TotalAHSLength", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_ahs_overrun, false, "PDU-009", "iscsi.ahs.length",
	  48 },
	{ "PDU-009 Bidi AHS with AHSLength 4", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_ahs_bidi_len, false, "PDU-009", "iscsi.ahs.length",
	  48 },
	{ "PDU-010 Extended CDB AHS adding no bytes", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_ext_cdb_empty, false, "PDU-010", "iscsi.ahs.length",
	  48 },
	{ "PDU-010 Extended CDB AHS in a NOP-Out", PDU_OP_NOP_OUT, 0, 0,
	  { { 0, 0 } }, c_ext_cdb_in_nop, false, "PDU-010", "iscsi.ahs.type",
	  50 },
	/* per opcode */
	{ "PDU-011 write, EDTL = immediate data, F=0", PDU_OP_SCSI_CMD, 0, 0,
	  { { 0, 0 } }, c_write_f0, false, "PDU-011", "iscsi.scsicommand.F",
	  1 },
	{ "PDU-012 SCSI Response o and u", PDU_OP_SCSI_RSP, 0, E1(1, 0x98),
	  NULL, false, "PDU-012", "iscsi.scsiresponse.o", 1 },
	{ "PDU-012 SCSI Response O and U", PDU_OP_SCSI_RSP, 0, E1(1, 0x86),
	  NULL, false, "PDU-012", "iscsi.scsiresponse.O", 1 },
	{ "PDU-012 Data-In S=1 with O and U", PDU_OP_DATA_IN, 0, E1(1, 0x87),
	  NULL, false, "PDU-012", "iscsi.scsidata.O", 1 },
	{ "PDU-013 ExpDataSN with Response 1", PDU_OP_SCSI_RSP, 0,
	  E2(2, 1, 39, 3), NULL, false, "PDU-013", "iscsi.expdatasn", 36 },
	{ "PDU-014 Data-In S=1 F=0", PDU_OP_DATA_IN, 0, E1(1, 0x01), NULL,
	  false, "PDU-014", "iscsi.scsidata.F", 1 },
	{ "PDU-014 Data-In S=1 CHECK CONDITION", PDU_OP_DATA_IN, 0,
	  E1(3, 0x02), NULL, false, "PDU-014", "iscsi.scsiresponse.status",
	  3 },
	{ "PDU-017 R2T DDTL 0", PDU_OP_R2T, 0, E2(46, 0, 47, 0), NULL, false,
	  "PDU-017", "iscsi.desireddatalength", 44 },
	{ "PDU-017 R2T DDTL > MaxBurstLength", PDU_OP_R2T, 0, 0, { { 0, 0 } },
	  c_mbl_256, false, "PDU-017", "iscsi.desireddatalength", 44 },
	{ "PDU-018 R2T TTT reserved", PDU_OP_R2T, 0, TTT_RES, NULL, false,
	  "PDU-018", "iscsi.targettransfertag", 20 },
	{ "PDU-019 TMF Request with data", PDU_OP_TMF_REQ, 0, 0, { { 0, 0 } },
	  c_tmf_req_data, false, "PDU-019", "iscsi.datasegmentlength", 5 },
	{ "PDU-019 TMF Response with data", PDU_OP_TMF_RSP, 0, 0, { { 0, 0 } },
	  c_tmf_rsp_data, false, "PDU-019", "iscsi.datasegmentlength", 5 },
	{ "PDU-019 R2T with an AHS", PDU_OP_R2T, 0, 0, { { 0, 0 } },
	  c_r2t_with_ahs, false, "PDU-019", "iscsi.totalahslength", 4 },
	{ "PDU-019 Logout Request with data", PDU_OP_LOGOUT_REQ, 0, 0,
	  { { 0, 0 } }, c_logout_req_data, false, "PDU-019",
	  "iscsi.datasegmentlength", 5 },
	{ "PDU-019 Logout Response with data", PDU_OP_LOGOUT_RSP, 0, 0,
	  { { 0, 0 } }, c_logout_rsp_data, false, "PDU-019",
	  "iscsi.datasegmentlength", 5 },
	{ "PDU-020 Reject ITT not reserved", PDU_OP_REJECT, 0, E1(19, 0), NULL,
	  false, "PDU-020", "iscsi.initiatortasktag", 16 },
	{ "PDU-020 Reject data shorter than a BHS", PDU_OP_REJECT, 0, 0,
	  { { 0, 0 } }, c_reject_short, false, "PDU-020",
	  "iscsi.datasegmentlength", 5 },
	{ "PDU-020 Reject data longer than the header", PDU_OP_REJECT, 0, 0,
	  { { 0, 0 } }, c_reject_long, false, "PDU-020",
	  "iscsi.datasegmentlength", 5 },
	{ "PDU-021 Async ITT not reserved", PDU_OP_ASYNC_MSG, 0, E1(16, 0),
	  NULL, false, "PDU-021", "iscsi.initiatortasktag", 16 },
	/* LOGIN */
	{ "LOGIN-001 Login Request without I", PDU_OP_LOGIN_REQ, 0,
	  E1(0, 0x03), NULL, false, "LOGIN-001", "iscsi.I", 0 },
	{ "LOGIN-002 Login Request C=1 T=1", PDU_OP_LOGIN_REQ, 0,
	  E1(1, 0xc1), NULL, false, "LOGIN-002", "iscsi.login.T", 1 },
	{ "LOGIN-003 Login Response C=1 T=1", PDU_OP_LOGIN_RSP, 0,
	  E1(1, 0xc1), NULL, false, "LOGIN-003", "iscsi.login.T", 1 },
	{ "LOGIN-004 CSG 2", PDU_OP_LOGIN_REQ, 0, E1(1, 0x8b), NULL, false,
	  "LOGIN-004", "iscsi.login.csg", 1 },
	{ "LOGIN-004 NSG 2 with T=1", PDU_OP_LOGIN_RSP, 0, E1(1, 0x86), NULL,
	  false, "LOGIN-004", "iscsi.login.nsg", 1 },
	{ "LOGIN-007 Version-max 1", PDU_OP_LOGIN_REQ, 0, E1(2, 1), NULL,
	  false, "LOGIN-007", "iscsi.versionmax", 2 },
	{ "LOGIN-007 Version-min 2", PDU_OP_LOGIN_REQ, 0, E1(3, 2), NULL,
	  false, "LOGIN-007", "iscsi.versionmin", 3 },
	{ "LOGIN-007 Version-active 1", PDU_OP_LOGIN_RSP, 0, E1(3, 1), NULL,
	  false, "LOGIN-007", "iscsi.versionactive", 3 },
	{ "LOGIN-008 ISID type 11b", PDU_OP_LOGIN_REQ, 0, E1(8, 0xc5), NULL,
	  false, "LOGIN-008", "iscsi.isid", 8 },
	/* SEQ */
	{ "SEQ-018 DSL > MaxRecvDataSegmentLength", PDU_OP_DATA_OUT, 0, 0,
	  { { 0, 0 } }, c_mrdsl_256, false, "SEQ-018",
	  "iscsi.datasegmentlength", 5 },
	{ "SEQ-024 NOP-Out ITT reserved, I=0", PDU_OP_NOP_OUT, 0, E1(0, 0x00),
	  c_itt_reserved, false, "SEQ-024", "iscsi.I", 0 },
	{ "SEQ-028 NOP-In ITT reserved with data", PDU_OP_NOP_IN, 0, ITT_RES,
	  NULL, false, "SEQ-028", "iscsi.datasegmentlength", 5 },
	{ "SEQ-028 NOP-In TTT valid, no LUN", PDU_OP_NOP_IN, 0, 0, { { 0, 0 } },
	  c_unsolicited_nop_in_no_lun, false, "SEQ-028", "iscsi.lun", 8 },
	{ "SEQ-029 Data-In A=1 at ERL 0", PDU_OP_DATA_IN, 0, E1(1, 0xc1),
	  c_erl0, false, "SEQ-029", "iscsi.scsidata.A", 1 },
	/* ERL */
	{ "ERL0-006 SNACK at ERL 0", PDU_OP_SNACK_REQ, 0, 0, { { 0, 0 } },
	  c_erl0, false, "ERL0-006", "iscsi.opcode", 0 },
	{ "ERL1-014 Status SNACK with an ITT", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_status_snack_itt, false, "ERL1-014",
	  "iscsi.initiatortasktag", 16 },
	{ "ERL1-014 DataACK with an ITT", PDU_OP_SNACK_REQ, 0, 0, { { 0, 0 } },
	  c_dataack_itt, false, "ERL1-014", "iscsi.initiatortasktag", 16 },
	{ "ERL1-014 Data/R2T SNACK without an ITT", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_data_snack_res, false, "ERL1-014",
	  "iscsi.initiatortasktag", 16 },
	{ "ERL1-014 R-Data SNACK without an ITT", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_rdata_snack_res, false, "ERL1-014",
	  "iscsi.initiatortasktag", 16 },
	{ "ERL1-018 R-Data SNACK BegRun 4", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_rdata_begrun, false, "ERL1-018",
	  "iscsi.snack.begrun", 40 },
	{ "ERL1-018 R-Data SNACK RunLength 4", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_rdata_runlength, false, "ERL1-018",
	  "iscsi.snack.runlength", 44 },
	{ "ERL1-018 R-Data SNACK Tag 0", PDU_OP_SNACK_REQ, 0, 0, { { 0, 0 } },
	  c_rdata_tag0, false, "ERL1-018", "iscsi.targettransfertag", 20 },
	{ "ERL1-018 R-Data SNACK Tag reserved", PDU_OP_SNACK_REQ, 0, 0,
	  { { 0, 0 } }, c_rdata_tag_res, false, "ERL1-018",
	  "iscsi.targettransfertag", 20 },
	{ "ERL2-001 TASK REASSIGN at ERL 1", PDU_OP_TMF_REQ, 0, 0, { { 0, 0 } },
	  c_tmf_reassign_erl1, false, "ERL2-001", "iscsi.taskmanfun.function",
	  1 },
	/* TMF */
	{ "TMF-001 TMF response 8", PDU_OP_TMF_RSP, 0, E1(2, 8), NULL, false,
	  "TMF-001", "iscsi.taskmanfun.response", 2 },
	{ "TMF-001 TMF response 254", PDU_OP_TMF_RSP, 0, E1(2, 254), NULL,
	  false, "TMF-001", "iscsi.taskmanfun.response", 2 },
	{ "TMF-002 TARGET WARM RESET with a LUN", PDU_OP_TMF_REQ, 0, 0,
	  { { 0, 0 } }, c_tmf_warm_reset_lun, false, "TMF-002", "iscsi.lun",
	  8 },
	{ "TMF-003 ABORT TASK with RTT reserved", PDU_OP_TMF_REQ, 0, 0,
	  { { 0, 0 } }, c_tmf_abort_rtt_res, false, "TMF-003",
	  "iscsi.taskmanfun.referencedtasktag", 20 },
	{ "TMF-003 LOGICAL UNIT RESET with an RTT", PDU_OP_TMF_REQ, 0, 0,
	  { { 0, 0 } }, c_tmf_lu_reset_rtt, false, "TMF-003",
	  "iscsi.taskmanfun.referencedtasktag", 20 },
	/* TEXT */
	{ "TEXT-002 Text Request C=1 F=1", PDU_OP_TEXT_REQ, 0, E1(1, 0xc0),
	  NULL, false, "TEXT-002", "iscsi.text.F", 1 },
	{ "TEXT-002 Text Response C=1 F=1", PDU_OP_TEXT_RSP, 0, E1(1, 0xc0),
	  NULL, false, "TEXT-002", "iscsi.text.F", 1 },
	{ "TEXT-004 Text Response F=1 with a TTT", PDU_OP_TEXT_RSP, 0,
	  E1(20, 0x00), NULL, false, "TEXT-004", "iscsi.targettransfertag",
	  20 },
	{ "TEXT-004 Text Response F=0 without a TTT", PDU_OP_TEXT_RSP, 0,
	  E1(1, 0x00), NULL, false, "TEXT-004", "iscsi.targettransfertag",
	  20 },
	{ "TEXT-007 Text Response TTT valid, no LUN", PDU_OP_TEXT_RSP, 0, 0,
	  { { 0, 0 } }, c_text_rsp_no_lun, false, "TEXT-007", "iscsi.lun",
	  8 },
	/* REJECT, ASYNC, LOGOUT */
	{ "REJECT-001 reason 0x0b", PDU_OP_REJECT, 0, E1(2, 0x0b), NULL, false,
	  "REJECT-001", "iscsi.reject.reason", 2 },
	{ "REJECT-001 reason 0x01", PDU_OP_REJECT, 0, E1(2, 0x01), NULL, false,
	  "REJECT-001", "iscsi.reject.reason", 2 },
	{ "REJECT-001 reason 0x0d", PDU_OP_REJECT, 0, E1(2, 0x0d), NULL, false,
	  "REJECT-001", "iscsi.reject.reason", 2 },
	{ "ASYNC-005 AsyncVCode with event 1", PDU_OP_ASYNC_MSG, 0,
	  E1(37, 3), NULL, false, "ASYNC-005", "iscsi.eventvendorcode", 37 },
	{ "ASYNC-006 AsyncEvent 5", PDU_OP_ASYNC_MSG, 0, E1(36, 5), NULL,
	  false, "ASYNC-006", "iscsi.asyncevent", 36 },
	{ "ASYNC-006 AsyncEvent 254", PDU_OP_ASYNC_MSG, 0, E1(36, 254), NULL,
	  false, "ASYNC-006", "iscsi.asyncevent", 36 },
	{ "LOGOUT-001 reason 3", PDU_OP_LOGOUT_REQ, 0, E1(1, 0x83), NULL,
	  false, "LOGOUT-001", "iscsi.logout.reason", 1 },
	{ "LOGOUT-005 response 4", PDU_OP_LOGOUT_RSP, 0, E1(2, 4), NULL, false,
	  "LOGOUT-005", "iscsi.logout.response", 2 },
};

#define N_CASES (sizeof cases / sizeof cases[0])

/* Build case c under digest mode m; false when the case does not run
 * under m. */
static bool make_case(const struct bcase *c, size_t m, struct pcase *p)
{
	uint8_t dgs = c->dgs ? c->dgs : 0xf;
	if (!(dgs & (1u << m)))
		return false;
	memset(p, 0, sizeof *p);
	p->dg = dg_modes[m];
	build_valid(p, c->op);
	for (size_t i = 0; i < c->n; i++)
		p->buf[c->e[i].off] = c->e[i].val;
	if (c->custom)
		c->custom(p);
	if (!c->no_refix)
		refix_digests(p);
	return true;
}

static void test_break_case(void **state)
{
	const struct bcase *c = *state;
	size_t runs = 0;
	for (size_t m = 0; m < 4; m++) {
		struct pcase p;
		struct result r;
		if (!make_case(c, m, &p))
			continue;
		runs++;
		run(&r, &p);
		check_sane(&r);
		bool ok = r.out.total == 1 && strcmp(r.items[0].id, c->id) == 0 &&
			  strcmp(r.items[0].field, c->field) == 0 &&
			  r.items[0].offset == c->offset;
		if (!ok) {
			print_violations(c->name, &r);
			fail_msg("%s (digests %zu): expected only %s %s @%zu, got "
				 "%zu violations", c->name, m, c->id, c->field,
				 c->offset, r.out.total);
		}
		check_registry(&r.items[0], p.buf[0] & 0x3f);
	}
	assert_true(runs > 0);
}

/* Every rule the validator can report is produced by some case. */
static void test_every_rule_is_exercised(void **state)
{
	(void)state;
	size_t n_ids;
	const char *const *ids = pdu_validate_rule_ids(&n_ids);
	assert_true(n_ids > 0);
	assert_null(ids[n_ids]);
	bool seen[128] = { false };
	assert_true(n_ids <= 128);

	for (size_t i = 0; i < N_CASES; i++) {
		for (size_t m = 0; m < 4; m++) {
			struct pcase p;
			struct result r;
			if (!make_case(&cases[i], m, &p))
				continue;
			run(&r, &p);
			for (size_t v = 0; v < r.out.count; v++)
				for (size_t k = 0; k < n_ids; k++)
					if (strcmp(r.items[v].id, ids[k]) == 0)
						seen[k] = true;
		}
	}
	for (size_t k = 0; k < n_ids; k++)
		if (!seen[k])
			fail_msg("no test case produces %s", ids[k]);
	/* and the IDs are distinct */
	for (size_t a = 0; a < n_ids; a++)
		for (size_t b = a + 1; b < n_ids; b++)
			assert_string_not_equal(ids[a], ids[b]);
}

/* ---- every reserved bit of RFC 7143 §11 ---------------------------------- */

struct rsv_area {
	uint8_t op, first, last, mask;
};

/* Restated from the PDU diagrams of RFC 7143 §11.3-11.19: the areas drawn
 * as Reserved (or '.') in every PDU of the opcode, whatever its other
 * fields say. */
static const struct rsv_area reserved_areas[] = {
	{ PDU_OP_NOP_OUT, 1, 1, 0x7f }, { PDU_OP_NOP_OUT, 2, 3, 0xff },
	{ PDU_OP_NOP_OUT, 32, 47, 0xff },
	{ PDU_OP_SCSI_CMD, 1, 1, 0x18 }, { PDU_OP_SCSI_CMD, 2, 3, 0xff },
	{ PDU_OP_TMF_REQ, 2, 3, 0xff }, { PDU_OP_TMF_REQ, 40, 47, 0xff },
	{ PDU_OP_LOGIN_REQ, 1, 1, 0x30 }, { PDU_OP_LOGIN_REQ, 22, 23, 0xff },
	{ PDU_OP_LOGIN_REQ, 32, 47, 0xff },
	{ PDU_OP_TEXT_REQ, 1, 1, 0x3f }, { PDU_OP_TEXT_REQ, 2, 3, 0xff },
	{ PDU_OP_TEXT_REQ, 32, 47, 0xff },
	{ PDU_OP_DATA_OUT, 0, 0, 0x40 }, { PDU_OP_DATA_OUT, 1, 1, 0x7f },
	{ PDU_OP_DATA_OUT, 2, 3, 0xff }, { PDU_OP_DATA_OUT, 24, 27, 0xff },
	{ PDU_OP_DATA_OUT, 32, 35, 0xff }, { PDU_OP_DATA_OUT, 44, 47, 0xff },
	{ PDU_OP_LOGOUT_REQ, 2, 3, 0xff }, { PDU_OP_LOGOUT_REQ, 8, 15, 0xff },
	{ PDU_OP_LOGOUT_REQ, 22, 23, 0xff },
	{ PDU_OP_LOGOUT_REQ, 32, 47, 0xff },
	{ PDU_OP_SNACK_REQ, 0, 0, 0x40 }, { PDU_OP_SNACK_REQ, 1, 1, 0x70 },
	{ PDU_OP_SNACK_REQ, 2, 3, 0xff }, { PDU_OP_SNACK_REQ, 24, 27, 0xff },
	{ PDU_OP_SNACK_REQ, 32, 39, 0xff },
	{ PDU_OP_NOP_IN, 1, 1, 0x7f }, { PDU_OP_NOP_IN, 2, 3, 0xff },
	{ PDU_OP_NOP_IN, 36, 47, 0xff },
	{ PDU_OP_SCSI_RSP, 1, 1, 0x61 }, { PDU_OP_SCSI_RSP, 8, 15, 0xff },
	{ PDU_OP_TMF_RSP, 1, 1, 0x7f }, { PDU_OP_TMF_RSP, 3, 3, 0xff },
	{ PDU_OP_TMF_RSP, 8, 15, 0xff }, { PDU_OP_TMF_RSP, 20, 23, 0xff },
	{ PDU_OP_TMF_RSP, 36, 47, 0xff },
	{ PDU_OP_LOGIN_RSP, 1, 1, 0x30 }, { PDU_OP_LOGIN_RSP, 20, 23, 0xff },
	{ PDU_OP_LOGIN_RSP, 38, 47, 0xff },
	{ PDU_OP_TEXT_RSP, 1, 1, 0x3f }, { PDU_OP_TEXT_RSP, 2, 3, 0xff },
	{ PDU_OP_TEXT_RSP, 36, 47, 0xff },
	{ PDU_OP_DATA_IN, 1, 1, 0x38 }, { PDU_OP_DATA_IN, 2, 2, 0xff },
	{ PDU_OP_LOGOUT_RSP, 1, 1, 0x7f }, { PDU_OP_LOGOUT_RSP, 3, 3, 0xff },
	{ PDU_OP_LOGOUT_RSP, 8, 15, 0xff },
	{ PDU_OP_LOGOUT_RSP, 20, 23, 0xff },
	{ PDU_OP_LOGOUT_RSP, 36, 39, 0xff },
	{ PDU_OP_LOGOUT_RSP, 44, 47, 0xff },
	{ PDU_OP_R2T, 1, 1, 0x7f }, { PDU_OP_R2T, 2, 3, 0xff },
	{ PDU_OP_ASYNC_MSG, 1, 1, 0x7f }, { PDU_OP_ASYNC_MSG, 2, 3, 0xff },
	{ PDU_OP_ASYNC_MSG, 20, 23, 0xff }, { PDU_OP_ASYNC_MSG, 44, 47, 0xff },
	{ PDU_OP_REJECT, 1, 1, 0x7f }, { PDU_OP_REJECT, 3, 3, 0xff },
	{ PDU_OP_REJECT, 8, 15, 0xff }, { PDU_OP_REJECT, 20, 23, 0xff },
	{ PDU_OP_REJECT, 40, 47, 0xff },
};

static void expect_one(const struct pcase *p, const char *id,
		       const char *field, size_t offset, const char *what)
{
	struct result r;
	run(&r, p);
	check_sane(&r);
	if (r.out.total != 1 || strcmp(r.items[0].id, id) != 0 ||
	    strcmp(r.items[0].field, field) != 0 || r.items[0].offset != offset) {
		print_violations(what, &r);
		fail_msg("%s: expected only %s %s @%zu, got %zu violations",
			 what, id, field, offset, r.out.total);
	}
	check_registry(&r.items[0], p->buf[0] & 0x3f);
}

static void test_every_reserved_bit(void **state)
{
	(void)state;
	size_t n = sizeof reserved_areas / sizeof reserved_areas[0];
	size_t checked = 0;
	for (size_t m = 0; m < 4; m++) {
		for (size_t i = 0; i < n; i++) {
			const struct rsv_area *a = &reserved_areas[i];
			for (unsigned byte = a->first; byte <= a->last; byte++) {
				for (unsigned bit = 0; bit < 8; bit++) {
					uint8_t b = (uint8_t)(1u << bit);
					if (!(a->mask & b))
						continue;
					struct pcase p = { .dg = dg_modes[m] };
					build_valid(&p, a->op);
					p.buf[byte] |= b;
					refix_digests(&p);
					const char *field = byte == 0 ? "iscsi.I"
						: (byte == 1 ? "iscsi.flags"
							     : "iscsi.reserved");
					char what[64];
					snprintf(what, sizeof what,
						 "opcode 0x%02x byte %u bit 0x%02x",
						 a->op, byte, b);
					expect_one(&p, "PDU-004", field, byte, what);
					checked++;
				}
			}
		}
	}
	assert_true(checked > 1000);
}

/* The opcodes whose byte 1 bit 0x80 is drawn as a fixed 1. */
static void test_fixed_one_bits(void **state)
{
	(void)state;
	const uint8_t ops[] = {
		PDU_OP_NOP_OUT, PDU_OP_TMF_REQ, PDU_OP_LOGOUT_REQ,
		PDU_OP_SNACK_REQ, PDU_OP_NOP_IN, PDU_OP_SCSI_RSP,
		PDU_OP_TMF_RSP, PDU_OP_LOGOUT_RSP, PDU_OP_R2T,
		PDU_OP_ASYNC_MSG, PDU_OP_REJECT,
	};
	for (size_t i = 0; i < sizeof ops; i++) {
		struct pcase p = { 0 };
		build_valid(&p, ops[i]);
		p.buf[1] &= 0x7f;
		expect_one(&p, "PDU-022", "iscsi.F", 1, "fixed bit");
	}
}

/* ---- reporting ----------------------------------------------------------- */

/* Every violation is reported, not just the first; a short array truncates
 * but still counts. */
static void test_all_violations_and_truncation(void **state)
{
	(void)state;
	struct pcase p = { 0 };
	build_valid(&p, PDU_OP_REJECT);
	p.buf[1] = 0x00;          /* fixed bit 0x80 clear: PDU-004 */
	p.buf[2] = 0x0b;          /* REJECT-001 */
	p.buf[9] = 1;             /* PDU-004 bytes 8-15 */
	p.buf[16] = 0;            /* PDU-020 ITT */
	p.buf[0] |= 0x80;         /* PDU-003 */

	struct result r;
	size_t total = run(&r, &p);
	check_sane(&r);
	assert_int_equal(total, 5);
	assert_int_equal(r.out.count, 5);
	assert_false(r.out.truncated);
	const char *want[] = { "PDU-003", "PDU-004", "PDU-004", "PDU-020",
			       "REJECT-001" };
	for (size_t w = 0; w < 5; w++) {
		size_t hits = 0;
		for (size_t v = 0; v < r.out.count; v++)
			hits += strcmp(r.items[v].id, want[w]) == 0;
		assert_true(hits >= 1);
	}

	struct pdu_violation two[2];
	struct pdu_violations out;
	pdu_violations_init(&out, two, 2);
	assert_int_equal(pdu_validate_buf(p.buf, p.len, &p.ctx, &out), 5);
	assert_int_equal(out.count, 2);
	assert_int_equal(out.total, 5);
	assert_true(out.truncated);
	assert_string_equal(two[0].id, r.items[0].id);
	assert_string_equal(two[1].msg, r.items[1].msg);

	pdu_violations_init(&out, NULL, 0);
	assert_int_equal(pdu_validate_buf(p.buf, p.len, NULL, &out), 5);
	assert_int_equal(out.count, 0);
	assert_true(out.truncated);

	/* a clean PDU afterwards resets the output */
	build_valid(&p, PDU_OP_REJECT);
	pdu_violations_init(&out, two, 2);
	assert_int_equal(pdu_validate_buf(p.buf, p.len, &p.ctx, &out), 0);
	assert_false(out.truncated);
}

static void test_messages_and_severity(void **state)
{
	(void)state;
	struct pcase p = { 0 };
	struct result r;
	build_valid(&p, PDU_OP_NOP_OUT);
	p.buf[0] |= 0x80;
	run(&r, &p);
	assert_int_equal(r.out.total, 1);
	assert_string_equal(r.items[0].msg,
			    "bit 0x80 of byte 0 is set; must be 0");
	assert_int_equal(r.items[0].severity, PDU_SEV_MUST);
	assert_int_equal(r.items[0].actual, 1);

	c_three_byte_data(&p, PDU_OP_DATA_IN);
	p.buf[51] = 0x5a;
	run(&r, &p);
	assert_int_equal(r.out.total, 1);
	assert_string_equal(r.items[0].id, "PDU-006");
	assert_int_equal(r.items[0].severity, PDU_SEV_SHOULD);
	assert_int_equal(r.items[0].actual, 0x5a);
	assert_non_null(strstr(r.items[0].msg, "0x5a"));

	assert_int_equal(pdu_validate_rule_severity("PDU-006"), PDU_SEV_SHOULD);
	assert_int_equal(pdu_validate_rule_severity("PDU-003"), PDU_SEV_MUST);
	assert_int_equal(pdu_validate_rule_severity("NOPE-1"), PDU_SEV_MUST);
	assert_string_equal(pdu_severity_name(PDU_SEV_SHOULD), "SHOULD");
	assert_string_equal(pdu_severity_name(PDU_SEV_MUST), "MUST");
	assert_string_equal(pdu_severity_name(PDU_SEV_MAY), "MAY");
}

/* ---- pdu_validate_view ---------------------------------------------------- */

static void test_view(void **state)
{
	(void)state;
	for (size_t m = 0; m < 4; m++) {
		for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
			struct pcase p = { .dg = dg_modes[m] };
			build_valid(&p, pdu_defined_opcodes[i]);
			struct pdu_view v;
			struct pdu_error err;
			assert_int_equal(pdu_parse(p.buf, p.len, p.dg, &v, &err),
					 PDU_OK);
			struct result r;
			pdu_violations_init(&r.out, r.items, MAXV);
			assert_int_equal(pdu_validate_view(&v, &p.ctx, &r.out), 0);
			assert_int_equal(pdu_validate_view(&v, NULL, &r.out), 0);
		}
	}

	/* a header digest that does not verify: pdu_parse still fills v */
	struct pcase p = { .dg = { true, true } };
	build_valid(&p, PDU_OP_NOP_IN);
	p.buf[48] ^= 0x10;
	struct pdu_view v;
	struct pdu_error err;
	assert_int_equal(pdu_parse(p.buf, p.len, p.dg, &v, &err),
			 PDU_E_HEADER_DIGEST);
	struct result r;
	pdu_violations_init(&r.out, r.items, MAXV);
	assert_int_equal(pdu_validate_view(&v, &p.ctx, &r.out), 1);
	assert_string_equal(r.items[0].id, "PDU-007");
	assert_int_equal(r.items[0].offset, 48);

	/* a view that does not vouch for a right digest: recomputed, clean */
	build_valid(&p, PDU_OP_NOP_IN);
	assert_int_equal(pdu_parse(p.buf, p.len, p.dg, &v, &err), PDU_OK);
	v.header_digest_ok = false;
	v.data_digest_ok = false;
	assert_int_equal(pdu_validate_view(&v, &p.ctx, &r.out), 0);

	/* the data digest, likewise */
	build_valid(&p, PDU_OP_NOP_IN);
	p.buf[p.len - 2] ^= 0x10;
	assert_int_equal(pdu_parse(p.buf, p.len, p.dg, &v, &err),
			 PDU_E_DATA_DIGEST);
	assert_int_equal(pdu_validate_view(&v, &p.ctx, &r.out), 1);
	assert_string_equal(r.items[0].id, "PDU-008");
	assert_int_equal(r.items[0].offset, 56);

	/* digests in force but the view has none */
	struct pcase q = { 0 };
	build_valid(&q, PDU_OP_NOP_IN);
	assert_int_equal(pdu_parse(q.buf, q.len, q.dg, &v, &err), PDU_OK);
	assert_int_equal(pdu_validate_view(&v, &p.ctx, &r.out), 2);
	assert_string_equal(r.items[0].id, "PDU-007");
	assert_string_equal(r.items[1].id, "PDU-008");

	/* a view whose lengths disagree with its BHS */
	build_valid(&q, PDU_OP_NOP_IN);
	assert_int_equal(pdu_parse(q.buf, q.len, q.dg, &v, &err), PDU_OK);
	v.data_len = 3;
	assert_int_equal(pdu_validate_view(&v, &q.ctx, &r.out), 1);
	assert_string_equal(r.items[0].id, "PDU-001");
	struct pdu_view empty = { 0 };
	assert_int_equal(pdu_validate_view(&empty, NULL, &r.out), 1);
	assert_int_equal(pdu_validate_view(NULL, NULL, &r.out), 1);
	assert_string_equal(r.items[0].id, "PDU-001");
}

/* ---- garbage never crashes ------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void random_ctx(struct pdu_validate_ctx *c)
{
	uint32_t r = rnd();
	c->digests.header = r & 1;
	c->digests.data = r & 2;
	c->sender = (enum pdu_sender)((r >> 2) % 3);
	c->max_burst_length = (struct pdu_known){ (r >> 4) & 1, rnd() };
	c->max_recv_dsl = (struct pdu_known){ (r >> 5) & 1, rnd() & 0xffff };
	c->erl = (struct pdu_known){ (r >> 6) & 1, (r >> 7) % 3 };
}

static void test_random_garbage(void **state)
{
	(void)state;
	static uint8_t big[65536];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)rnd();

	struct result r;
	struct pdu_validate_ctx c = { 0 };
	for (size_t m = 0; m < 4; m++) {
		c.digests = dg_modes[m];
		pdu_violations_init(&r.out, r.items, MAXV);
		pdu_validate_buf(big, sizeof big, &c, &r.out);
		check_sane(&r);
		assert_true(r.out.total > 0);
	}
	for (int i = 0; i < 20000; i++) {
		size_t off = rnd() % sizeof big;
		size_t len = rnd() % (sizeof big - off + 1);
		if (i % 2)
			len %= 600;
		if (i % 5 == 0 && off + 48 <= sizeof big) {
			/* a plausible length field, so the body gets parsed */
			big[off + 4] = (uint8_t)(rnd() % 4);
			big[off + 5] = 0;
			big[off + 6] = (uint8_t)(rnd() % 3);
		}
		random_ctx(&c);
		pdu_violations_init(&r.out, r.items, MAXV);
		pdu_validate_buf(big + off, len, &c, &r.out);
		check_sane(&r);
	}
	pdu_violations_init(&r.out, r.items, MAXV);
	assert_int_equal(pdu_validate_buf(NULL, 0, NULL, &r.out), 1);
	assert_string_equal(r.items[0].id, "PDU-001");
}

/* Every prefix (and a few extensions) of every valid PDU: never a crash,
 * and anything but the whole PDU is a framing violation. */
static void test_truncations(void **state)
{
	(void)state;
	for (size_t m = 0; m < 4; m++) {
		for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
			struct pcase p = { .dg = dg_modes[m] };
			build_valid(&p, pdu_defined_opcodes[i]);
			size_t full = p.len;
			memset(p.buf + full, 0, 12);
			for (size_t len = 0; len <= full + 12; len++) {
				struct result r;
				pdu_violations_init(&r.out, r.items, MAXV);
				pdu_validate_buf(p.buf, len, &p.ctx, &r.out);
				check_sane(&r);
				if (len == full) {
					assert_int_equal(r.out.total, 0);
					continue;
				}
				bool framing = false;
				for (size_t v = 0; v < r.out.count; v++) {
					const char *id = r.items[v].id;
					framing = framing ||
						  !strcmp(id, "PDU-001") ||
						  !strcmp(id, "PDU-005") ||
						  !strcmp(id, "PDU-008");
				}
				assert_true(framing);
			}
		}
	}
}

int main(void)
{
	static struct CMUnitTest tests[N_CASES + 16];
	size_t n = 0;
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_valid_every_opcode),
		cmocka_unit_test(test_valid_vendor_opcodes),
		cmocka_unit_test(test_valid_tmf_variants),
		cmocka_unit_test(test_valid_edges),
		cmocka_unit_test(test_every_rule_is_exercised),
		cmocka_unit_test(test_every_reserved_bit),
		cmocka_unit_test(test_fixed_one_bits),
		cmocka_unit_test(test_all_violations_and_truncation),
		cmocka_unit_test(test_messages_and_severity),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_truncations),
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < N_CASES; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
			test_break_case, (void *)(uintptr_t)&cases[i]);
		tests[n].name = cases[i].name;
		n++;
	}
	return _cmocka_run_group_tests("test_validate", tests, n, NULL, NULL);
}
