/* test_target_engine.c — the target engine driven through the in-memory
 * carrier by the scripted test initiator: login, reads and writes with
 * R2Ts, the CmdSN window across connections (MC/S), logout, task
 * management, reinstatement, and recovery at ERL 1 (digest errors,
 * SNACK) and ERL 2 (a connection lost mid-write, its task reassigned, the
 * data intact). Every run is also fed to the rule engine, which must
 * find no rule broken except the ones a test breaks on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness/check/check.h"
#include "harness/net/mem_carrier.h"
#include "harness/proto/target.h"
#include "harness/report/report.h"
#include "harness/roles/scsi_dev.h"
#include "harness/roles/target_role.h"
#include "pdu/serial.h"
#include "tests/support/session_builder.h"
#include "tests/support/target_scenarios.h"
#include "tests/support/tini.h"

#define TARGET_IQN "iqn.2026-11.org.iscsi-harness:test"
#define INITIATOR_IQN "iqn.2026-11.org.iscsi-harness:tini"
#define LUN0 0
#define MAX_CONNS 4

struct fx {
	struct ev_bus bus;
	struct chk_engine *chk;
	struct mem_carrier *m;
	struct scsi_dev *dev;
	struct tgt *t;
	struct tini_session s;
	struct tini_mem_link ml[MAX_CONNS];
	struct tini_conn c[MAX_CONNS];
	struct tini_mem_link scen_links[16];   /* the scenarios' connections */
	size_t n_scen_links;
	const char *const *allowed_fails;  /* IDs a test breaks on purpose */
	size_t notes;                      /* EV_NOTE events seen */
	char last_note[160];
};

/* The engine's decisions arrive as EV_NOTE events. */
static int count_notes(void *ctx, const struct event *ev)
{
	struct fx *f = ctx;
	if (ev->kind == EV_NOTE && ev->text) {
		f->notes++;
		snprintf(f->last_note, sizeof f->last_note, "%s", ev->text);
	}
	return 0;
}

static struct fx *fx_new(uint8_t max_erl, uint32_t max_conns)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	ev_bus_init(&f->bus);
	assert_int_equal(chk_create(NULL, &f->chk, NULL, 0), 0);
	ev_bus_add(&f->bus, chk_observer(f->chk));
	ev_bus_add(&f->bus, (struct ev_observer){ count_notes, f });
	f->m = mem_carrier_create(&f->bus, getenv("TGT_LOG") != NULL);
	f->dev = scsi_dev_create("TEST");
	char err[128];
	assert_int_equal(scsi_dev_add_ram(f->dev, 1 << 20, err, sizeof err), 0);
	struct tgt_cfg cfg = {
		.login = {
			.target_name = TARGET_IQN, .target_address = "127.0.0.1:3260",
			.tpgt = 1, .max_erl = max_erl, .max_connections = max_conns,
			.mrdsl = 8192, .max_burst_length = 16384,
			.first_burst_length = 8192, .initial_r2t = false,
			.immediate_data = true, .max_outstanding_r2t = 4,
			.default_time2wait = 2, .default_time2retain = 20,
			.header_digest = "None,CRC32C", .data_digest = "None,CRC32C",
		},
		.backend = target_role_backend(f->dev),
	};
	f->t = tgt_create(&cfg, mem_carrier_io(f->m));
	assert_non_null(f->t);
	mem_carrier_set_engine(f->m, tgt_engine_ops(f->t));
	tini_session_init(&f->s, INITIATOR_IQN, TARGET_IQN, 1);
	return f;
}

static struct tini_conn *fx_open(struct fx *f, size_t i, uint16_t cid)
{
	f->ml[i].m = f->m;
	f->ml[i].conn = mem_carrier_open(f->m);
	assert_int_not_equal(f->ml[i].conn, 0);
	tini_conn_init(&f->c[i], &f->s, tini_mem_link(&f->ml[i]), cid);
	return &f->c[i];
}

/* Tear down; the rule engine must have found nothing broken but what the
 * test allowed. */
static void fx_free(struct fx *f)
{
	mem_carrier_set_engine(f->m, (struct proto_engine_ops){ 0 });
	tgt_free(f->t);
	mem_carrier_free(f->m);
	scsi_dev_free(f->dev);
	struct rep_run run;
	assert_int_equal(sb_export(f->chk, &run), 0);
	static const char *const none[] = { NULL };
	char why[512];
	bool ok = sb_only_fails(&run, f->allowed_fails ? f->allowed_fails : none,
				why, sizeof why);
	if (!ok) {
		sb_dump(&run);
		fail_msg("%s", why);
	}
	rep_run_free(&run);
	chk_free(f->chk);
	free(f);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

/* ---- login and plain I/O --------------------------------------------------- */

static void test_libiscsi_style_login(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	assert_int_not_equal(f->s.tsih, 0);
	assert_int_equal(f->s.erl, 0);
	assert_int_equal(f->s.max_connections, 1);
	assert_int_equal(f->s.first_burst, 8192);   /* min(262144, 8192) */
	assert_int_equal(f->s.target_mrdsl, 8192);
	struct tgt_stats st;
	tgt_get_stats(f->t, &st);
	assert_int_equal(st.sessions_now, 1);
	assert_int_equal(st.conns_logged_in, 1);
	assert_true(f->notes >= 2);   /* session opened, CID in FFP */
	assert_non_null(strstr(f->last_note, "Full Feature Phase"));
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	tgt_get_stats(f->t, &st);
	assert_int_equal(st.sessions_now, 0);
	fx_free(f);
}

static void test_staged_login(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login_staged(c, "ErrorRecoveryLevel=2\nMaxConnections=4"), 0);
	assert_int_equal(f->s.erl, 2);
	assert_int_equal(f->s.max_connections, 4);
	assert_int_equal(tini_nop(c, "ping", 4), 0);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

static void test_write_then_read(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	/* 64 blocks = 32 KiB: immediate data, unsolicited Data-Out up to
	 * FirstBurstLength, then R2Ts of MaxBurstLength each */
	static uint8_t out[32768], in[32768];
	fill(out, sizeof out, 3);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 100, 64, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(c, LUN0, 100, 64, in, &status), 0);
	assert_int_equal(status, 0);
	assert_memory_equal(in, out, sizeof out);
	/* out of range: CHECK CONDITION, no data */
	assert_int_equal(tini_read(c, LUN0, 2048, 1, in, &status), 0);
	assert_int_equal(status, 2);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

static void test_write_initial_r2t_and_digests(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=Yes\nImmediateData=No\n"
				    "HeaderDigest=CRC32C\nDataDigest=CRC32C"), 0);
	assert_true(c->dg.header);
	assert_true(c->dg.data);
	static uint8_t out[40000], in[40000];
	fill(out, sizeof out, 9);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 7, 78, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(c, LUN0, 7, 78, in, &status), 0);
	assert_memory_equal(in, out, 78 * 512);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

static void test_outstanding_r2ts_and_nop_pings(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=Yes\nImmediateData=No\n"
				    "MaxOutstandingR2T=3\nMaxBurstLength=16384"), 0);
	/* 64 KiB in bursts of 16 KiB: three R2Ts at once (SEQ-017), the
	 * fourth when one is done; the rule engine checks the numbering */
	static uint8_t out[65536], in[65536];
	fill(out, sizeof out, 51);
	uint32_t itt = tini_start_write(c, LUN0, 256, 128, out, false);
	struct pdu_hdr r2ts[4];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
		r2ts[i] = c->h;
	}
	assert_int_equal(tini_recv(c, 0), -1);   /* not a fourth yet */
	for (int i = 0; i < 3; i++) {
		c->h = r2ts[i];
		assert_int_equal(tini_answer_r2t(c, out), 0);
	}
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	assert_int_equal(c->h.itt, itt);
	assert_int_equal(c->h.r2tsn, 3);
	assert_int_equal(c->h.buffer_offset, 49152);
	assert_int_equal(tini_answer_r2t(c, out), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.status, 0);
	uint8_t status;
	assert_int_equal(tini_read(c, LUN0, 256, 128, in, &status), 0);
	assert_memory_equal(in, out, sizeof in);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);

	/* NOP-In pings: answered, the connection stays; not answered, it
	 * goes (ERL1-024) */
	f = fx_new(2, 4);
	tgt_free(f->t);
	struct tgt_cfg cfg = {
		.login = { .target_name = TARGET_IQN, .tpgt = 1, .max_erl = 2,
			   .max_connections = 4, .mrdsl = 8192, .max_burst_length = 16384,
			   .first_burst_length = 8192, .max_outstanding_r2t = 1,
			   .default_time2wait = 2, .default_time2retain = 20,
			   .header_digest = "None", .data_digest = "None" },
		.backend = target_role_backend(f->dev),
		.nop_interval_ms = 1000, .nop_timeout_ms = 500,
	};
	f->t = tgt_create(&cfg, mem_carrier_io(f->m));
	mem_carrier_set_engine(f->m, tgt_engine_ops(f->t));
	c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	mem_carrier_advance(f->m, 1000);
	assert_int_equal(tini_recv(c, 0), 1);
	assert_int_equal(c->h.opcode, PDU_OP_NOP_IN);
	assert_int_equal(c->h.itt, PDU_RESERVED_TAG);
	assert_int_not_equal(c->h.ttt, PDU_RESERVED_TAG);
	struct pdu_hdr pong = { .opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
				.lun = c->h.lun, .itt = PDU_RESERVED_TAG, .ttt = c->h.ttt,
				.cmdsn = f->s.cmdsn };
	tini_send(c, &pong, NULL, 0);
	mem_carrier_advance(f->m, 800);
	assert_true(mem_carrier_is_open(f->m, f->ml[0].conn));
	mem_carrier_advance(f->m, 300);    /* the next ping, left unanswered */
	assert_int_equal(tini_expect(c, PDU_OP_NOP_IN, 0), 1);
	mem_carrier_advance(f->m, 600);
	assert_false(mem_carrier_is_open(f->m, f->ml[0].conn));
	fx_free(f);
}

/* ---- the CmdSN window ---------------------------------------------------- */

static void test_cmdsn_out_of_window_dropped(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	static const char *const allowed[] = { "SEQ-002", "SEQ-003", NULL };
	f->allowed_fails = allowed;
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	/* SEQ-004: a CmdSN far ahead is dropped silently */
	uint8_t cdb[16] = { 0 };   /* TEST UNIT READY */
	struct pdu_hdr h = tini_cmd(c, cdb, LUN0, false, false, 0);
	h.cmdsn += 100000;
	f->s.cmdsn--;
	tini_send(c, &h, NULL, 0);
	assert_int_equal(tini_recv(c, 0), -1);
	/* and the window did not move: the right CmdSN still works */
	h = tini_cmd(c, cdb, LUN0, false, false, 0);
	tini_send(c, &h, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.expcmdsn, h.cmdsn + 1);
	fx_free(f);
}

static void test_join_unknown_session_refused(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c = fx_open(f, 0, 1);
	f->s.tsih = 0x7777;   /* MCS-002 */
	assert_int_equal(tini_login(c, NULL), 0x020a);
	fx_free(f);
}

static void test_connection_and_session_reinstatement(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c1 = fx_open(f, 0, 1);
	assert_int_equal(tini_login(c1, "MaxConnections=2"), 0);
	uint16_t tsih = f->s.tsih;
	/* MCS-016: the same CID again replaces the connection */
	struct tini_conn *c1b = fx_open(f, 1, 1);
	assert_int_equal(tini_login(c1b, NULL), 0);
	assert_false(mem_carrier_is_open(f->m, f->ml[0].conn));
	assert_int_equal(tini_nop(c1b, "x", 1), 0);
	/* ERL0-002: TSIH 0 with the same ISID reinstates the session */
	f->s.tsih = 0;
	struct tini_conn *c2 = fx_open(f, 2, 1);
	assert_int_equal(tini_login(c2, NULL), 0);
	assert_int_not_equal(f->s.tsih, tsih);
	assert_false(mem_carrier_is_open(f->m, f->ml[1].conn));
	struct tgt_stats st;
	tgt_get_stats(f->t, &st);
	assert_int_equal(st.sessions_now, 1);
	fx_free(f);
}

/* ---- task management -------------------------------------------------------- */

static void test_tmf(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	static const char *const allowed[] = { "ERL2-001", NULL };  /* on purpose */
	f->allowed_fails = allowed;
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=Yes\nImmediateData=No"), 0);
	static uint8_t out[4096];
	/* a write waiting for its data, then aborted: no response for it */
	uint32_t itt = tini_start_write(c, LUN0, 0, 8, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	assert_int_equal(tini_tmf(c, 1, LUN0, itt, f->s.cmdsn - 1, 0), 0);
	assert_int_equal(tini_recv(c, 0), -1);
	/* TMF-005: unknown task, RefCmdSN outside the window */
	assert_int_equal(tini_tmf(c, 1, LUN0, 0x999, f->s.cmdsn - 50, 0), 1);
	assert_int_equal(tini_tmf(c, 5, LUN0, PDU_RESERVED_TAG, 0, 0), 0);
	assert_int_equal(tini_tmf(c, 5, 7ull << 48, PDU_RESERVED_TAG, 0, 0), 2);
	assert_int_equal(tini_tmf(c, 3, LUN0, PDU_RESERVED_TAG, 0, 0), 5);
	/* ERL2-004: TASK REASSIGN at ERL 0 */
	assert_int_equal(tini_tmf(c, 8, 0, 0x1234, 0, 0), 4);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

/* ---- ERL 1 ------------------------------------------------------------------ */

static void test_erl0_header_digest_error_closes(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	static const char *const allowed[] = { "PDU-007", NULL };
	f->allowed_fails = allowed;
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, "HeaderDigest=CRC32C"), 0);
	struct pdu_hdr h = {
		.opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
		.itt = 0x77, .ttt = PDU_RESERVED_TAG, .cmdsn = f->s.cmdsn,
		.expstatsn = c->expstatsn,
	};
	uint8_t pdu[64];
	long n = pdu_build(&h, NULL, 0, NULL, 0, c->dg, true, pdu, sizeof pdu);
	pdu[PDU_BHS_LEN] ^= 1;   /* the header digest */
	tini_send_raw(c, pdu, (size_t)n);
	/* ERL0-008: never answered; at ERL 0 the connection goes */
	assert_int_equal(tini_recv(c, 0), 0);
	fx_free(f);
}

/* ---- ERL 2 ------------------------------------------------------------------ */

static void test_erl2_orphan_expires(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	struct tini_conn *c1 = fx_open(f, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=2\n"
				    "InitialR2T=Yes\nImmediateData=No\nDefaultTime2Retain=20"), 0);
	struct tini_conn *c2 = fx_open(f, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	static uint8_t out[4096];
	uint32_t itt = tini_start_write(c1, LUN0, 0, 8, out, false);
	assert_int_equal(tini_expect(c1, PDU_OP_R2T, 0), 1);
	c1->link.close(c1->link.ctx, false);
	c1->closed = true;
	assert_int_equal(tini_logout(c2, 2, c1), 0);   /* ERL2-002 */
	/* ERL2-015: after Time2Wait + Time2Retain (2 + 20 s) it is gone */
	mem_carrier_advance(f->m, 23000);
	assert_int_equal(tini_tmf(c2, 8, LUN0, itt, 0, 0), 1);
	assert_int_equal(tini_logout(c2, 0, NULL), 0);
	fx_free(f);
}

/* ---- the shared MC/S and recovery scenarios, in memory ------------------ */

static struct tini_link scen_open(void *ctx)
{
	struct fx *f = ctx;
	assert_true(f->n_scen_links < 16);
	struct tini_mem_link *l = &f->scen_links[f->n_scen_links++];
	l->m = f->m;
	l->conn = mem_carrier_open(f->m);
	return tini_mem_link(l);
}

static void run_scenario(void (*scenario)(struct ts_env *),
			 const char *const *breaks)
{
	struct fx *f = fx_new(2, 4);
	f->allowed_fails = breaks;
	struct ts_env e = {
		.ctx = f, .open = scen_open, .quiet_ms = 0, .target_iqn = TARGET_IQN,
		.isid_last = 1,
	};
	scenario(&e);
	fx_free(f);
}

static void mcs2(struct ts_env *e) { ts_mcs(e, 2); }
static void mcs4(struct ts_env *e) { ts_mcs(e, 4); }
static void test_mcs_two_connections(void **state) { (void)state; run_scenario(mcs2, ts_no_breaks); }
static void test_mcs_four_connections(void **state) { (void)state; run_scenario(mcs4, ts_no_breaks); }
static void test_erl1_data_digest(void **state) { (void)state; run_scenario(ts_erl1_data_digest, ts_erl1_data_digest_breaks); }
static void test_erl1_snack(void **state) { (void)state; run_scenario(ts_erl1_snack, ts_no_breaks); }
static void test_erl2_write_reassign(void **state) { (void)state; run_scenario(ts_erl2_write_reassign, ts_no_breaks); }
static void test_erl2_read_reinstate(void **state) { (void)state; run_scenario(ts_erl2_read_reinstate, ts_no_breaks); }

/* ---- Asynchronous Messages on demand ----------------------------------- */

static void test_async_events(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	static const char *const allowed[] = { "MCS-021", NULL };  /* on purpose */
	f->allowed_fails = allowed;
	struct tini_conn *c1 = fx_open(f, 0, 1);
	assert_int_equal(tini_login(c1, "MaxConnections=3"), 0);
	struct tini_conn *c2 = fx_open(f, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	struct tini_conn *c3 = fx_open(f, 2, 3);
	assert_int_equal(tini_login(c3, NULL), 0);
	/* event 1 on c1: logout requested within 2 s (MCS-020); it does,
	 * on time: nothing more happens */
	assert_int_equal(tgt_async_event(f->t, f->ml[0].conn, 1, 2), 0);
	assert_int_equal(tini_expect(c1, PDU_OP_ASYNC_MSG, 0), 1);
	assert_int_equal(c1->h.async_event, 1);
	assert_int_equal(c1->h.param3, 2);
	assert_int_equal(tini_logout(c1, 1, NULL), 0);
	mem_carrier_advance(f->m, 3000);
	/* event 1 on c2, not obeyed: ASYNC-003, event 2 after 2 s and the
	 * connection goes (MCS-022: only that one) */
	assert_int_equal(tgt_async_event(f->t, f->ml[1].conn, 1, 2), 0);
	assert_int_equal(tini_expect(c2, PDU_OP_ASYNC_MSG, 0), 1);
	mem_carrier_advance(f->m, 2500);
	assert_int_equal(tini_expect(c2, PDU_OP_ASYNC_MSG, 0), 1);
	assert_int_equal(c2->h.async_event, 2);
	assert_int_equal(c2->h.param1, 2);   /* its CID (ASYNC-004) */
	assert_false(mem_carrier_is_open(f->m, f->ml[1].conn));
	assert_true(mem_carrier_is_open(f->m, f->ml[2].conn));
	assert_int_equal(tini_nop(c3, "still", 5), 0);
	/* event 3: the session goes */
	assert_int_equal(tgt_async_event(f->t, f->ml[2].conn, 3, 0), 0);
	assert_int_equal(tini_expect(c3, PDU_OP_ASYNC_MSG, 0), 1);
	assert_int_equal(c3->h.async_event, 3);
	assert_false(mem_carrier_is_open(f->m, f->ml[2].conn));
	assert_int_equal(tgt_async_event(f->t, f->ml[2].conn, 3, 0), -1);
	struct tgt_stats st;
	tgt_get_stats(f->t, &st);
	assert_int_equal(st.sessions_now, 0);
	fx_free(f);
}

/* ---- misbehaving initiators -------------------------------------------------- */

static void test_garbage_and_timeouts(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 4);
	static const char *const allowed[] = { "PDU-003", NULL };
	f->allowed_fails = allowed;
	struct tini_conn *c = fx_open(f, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	uint8_t bhs[PDU_BHS_LEN] = { 0x1c, 0x80 };   /* an opcode no one defines */
	for (int i = 0; i < 4; i++)   /* ExpStatSN as a real initiator's */
		bhs[28 + i] = (uint8_t)(c->expstatsn >> (24 - 8 * i));
	tini_send_raw(c, bhs, sizeof bhs);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 0), 1);
	assert_int_equal(c->h.reject_reason, 0x05);
	/* a login that never finishes is dropped */
	struct tini_conn *c2 = fx_open(f, 1, 0);
	(void)c2;
	mem_carrier_advance(f->m, 16000);
	assert_false(mem_carrier_is_open(f->m, f->ml[1].conn));
	assert_true(mem_carrier_is_open(f->m, f->ml[0].conn));
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libiscsi_style_login),
		cmocka_unit_test(test_staged_login),
		cmocka_unit_test(test_write_then_read),
		cmocka_unit_test(test_write_initial_r2t_and_digests),
		cmocka_unit_test(test_outstanding_r2ts_and_nop_pings),
		cmocka_unit_test(test_cmdsn_out_of_window_dropped),
		cmocka_unit_test(test_mcs_two_connections),
		cmocka_unit_test(test_mcs_four_connections),
		cmocka_unit_test(test_join_unknown_session_refused),
		cmocka_unit_test(test_connection_and_session_reinstatement),
		cmocka_unit_test(test_tmf),
		cmocka_unit_test(test_erl1_data_digest),
		cmocka_unit_test(test_erl1_snack),
		cmocka_unit_test(test_erl0_header_digest_error_closes),
		cmocka_unit_test(test_erl2_write_reassign),
		cmocka_unit_test(test_erl2_read_reinstate),
		cmocka_unit_test(test_erl2_orphan_expires),
		cmocka_unit_test(test_async_events),
		cmocka_unit_test(test_garbage_and_timeouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
