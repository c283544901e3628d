/* test_target_fuzz_regress.c — regression tests for what fuzz_target
 * (fuzz/fuzz_target.c) found in the target engine: each drives the
 * engine through the in-memory carrier with the scripted test initiator
 * into the state the fuzzer reached, and checks that the fixed behaviour
 * holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz/target_script.h"
#include "harness/net/mem_carrier.h"
#include "harness/proto/target.h"
#include "harness/roles/scsi_dev.h"
#include "harness/roles/target_role.h"
#include "tests/support/tini.h"

#define LUN0 0
#define MAX_CONNS 4

struct fx {
	struct mem_carrier *m;
	struct scsi_dev *dev;
	struct tgt_backend device;   /* the device behind the spy */
	size_t largest_in_cap;       /* the most data in the engine made room for */
	struct tgt *t;
	struct tini_session s;
	struct tini_mem_link ml[MAX_CONNS];
	struct tini_conn c[MAX_CONNS];
};

/* The backend the engine sees: the device's, with exec watched. */
static struct tgt_plan spy_plan(void *ctx, uint64_t lun, const uint8_t *cdb,
				size_t cdb_len)
{
	struct fx *f = ctx;
	return f->device.plan(f->device.ctx, lun, cdb, cdb_len);
}

static void spy_exec(void *ctx, uint64_t nexus, uint64_t lun, const uint8_t *cdb,
		     size_t cdb_len, const uint8_t *data_out, size_t out_len,
		     uint8_t *data_in, size_t in_cap, struct tgt_result *r)
{
	struct fx *f = ctx;
	if (in_cap > f->largest_in_cap)
		f->largest_in_cap = in_cap;
	f->device.exec(f->device.ctx, nexus, lun, cdb, cdb_len, data_out, out_len,
		       data_in, in_cap, r);
}

static bool spy_lun_exists(void *ctx, uint64_t lun)
{
	struct fx *f = ctx;
	return f->device.lun_exists(f->device.ctx, lun);
}

/* The fuzzer's target (fuzz/target_script.h), without CHAP. */
static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->m = mem_carrier_create(NULL, getenv("TGT_LOG") != NULL);
	f->dev = scsi_dev_create("REGRESS");
	char err[128];
	assert_int_equal(scsi_dev_add_ram(f->dev, 1 << 20, err, sizeof err), 0);
	f->device = target_role_backend(f->dev);
	struct tgt_cfg cfg = fts_target_cfg(f->dev, false);
	cfg.backend = (struct tgt_backend){ .ctx = f, .plan = spy_plan, .exec = spy_exec,
					    .lun_exists = spy_lun_exists };
	f->t = tgt_create(&cfg, mem_carrier_io(f->m));
	assert_non_null(f->t);
	mem_carrier_set_engine(f->m, tgt_engine_ops(f->t));
	tini_session_init(&f->s, FTS_INITIATOR_IQN, FTS_TARGET_IQN, 1);
	return f;
}

static struct tini_conn *fx_open(struct fx *f, size_t i, uint16_t cid)
{
	f->ml[i].m = f->m;
	f->ml[i].conn = mem_carrier_open(f->m);
	tini_conn_init(&f->c[i], &f->s, tini_mem_link(&f->ml[i]), cid);
	return &f->c[i];
}

static void fx_free(struct fx *f)
{
	mem_carrier_set_engine(f->m, (struct proto_engine_ops){ 0 });
	tgt_free(f->t);
	mem_carrier_free(f->m);
	scsi_dev_free(f->dev);
	free(f);
}

/* target_scsi.c execute(): a read's buffer was malloc'd at the EDTL the
 * initiator declared, 4 GiB for the asking. Now it is what the CDB can
 * return: one block here, and the rest an underflow. */
static void test_read_buffer_not_sized_by_edtl(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 0, 1);
	struct pdu_hdr h = tini_cmd(c, cdb, LUN0, true, false, 0xffffff00u);
	assert_int_equal(tini_send(c, &h, NULL, 0), 0);
	assert_int_equal(tini_expect(c, PDU_OP_DATA_IN, 0), 1);
	assert_int_equal(c->data_len, 512);
	assert_true(c->h.status_present);
	assert_int_equal(c->h.status, 0);
	assert_true(c->h.underflow);
	assert_int_equal(c->h.residual, 0xffffff00u - 512);
	assert_int_equal(f->largest_in_cap, 512);
	/* a command that returns nothing gets no room, whatever EDTL says */
	uint8_t tur[16] = { 0 };
	h = tini_cmd(c, tur, LUN0, true, false, 0x80000000u);
	assert_int_equal(tini_send(c, &h, NULL, 0), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.status, 0);
	assert_int_equal(f->largest_in_cap, 512);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

/* A write behind a CmdSN gap, its unsolicited Data-Out in: the target
 * must wait for the gap (SEQ-007). target_scsi.c write_progress() ran
 * the write at once, out of order, and at ERL 0 freed the task the held
 * queue still named (heap-use-after-free when the gap filled, or when
 * the connection closed). */
static void unsolicited_data_behind_gap(bool bad_ttt)
{
	struct fx *f = fx_new();
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=No\nImmediateData=No"), 0);
	uint32_t gap = f->s.cmdsn++;
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, true, 16, 2);
	struct pdu_hdr w = tini_cmd(c, cdb, LUN0, false, true, 1024);
	assert_int_equal(tini_send(c, &w, NULL, 0), 0);
	static uint8_t data[1024];
	memset(data, 0xa5, sizeof data);
	struct pdu_hdr d = {
		.opcode = PDU_OP_DATA_OUT, .final = true, .lun = LUN0, .itt = w.itt,
		.ttt = bad_ttt ? 0x4242 : PDU_RESERVED_TAG,
	};
	assert_int_equal(tini_send(c, &d, data, sizeof data), 0);
	if (bad_ttt) {   /* REJECT-004; then the burst itself, and the
			    CHECK CONDITION waits its turn */
		assert_int_equal(tini_recv(c, 0), 1);
		assert_int_equal(c->h.opcode, PDU_OP_REJECT);
		d.ttt = PDU_RESERVED_TAG;
		assert_int_equal(tini_send(c, &d, data, sizeof data), 0);
	}
	assert_int_equal(tini_recv(c, 0), -1);   /* nothing before the gap fills */
	uint8_t tur[16] = { 0 };
	struct pdu_hdr t = tini_cmd(c, tur, LUN0, false, false, 0);
	t.cmdsn = gap;
	f->s.cmdsn--;
	assert_int_equal(tini_send(c, &t, NULL, 0), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.itt, t.itt);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.itt, w.itt);
	assert_int_equal(c->h.status, bad_ttt ? 2 : 0);
	assert_int_equal(tini_recv(c, 0), -1);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

static void test_unsolicited_data_behind_gap_waits(void **state)
{
	(void)state;
	unsolicited_data_behind_gap(false);
}

static void test_bad_data_out_behind_gap_waits(void **state)
{
	(void)state;
	unsolicited_data_behind_gap(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_buffer_not_sized_by_edtl),
		cmocka_unit_test(test_unsolicited_data_behind_gap_waits),
		cmocka_unit_test(test_bad_data_out_behind_gap_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
