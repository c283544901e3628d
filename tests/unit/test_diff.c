/* test_diff.c — the trace diff: the golden session equals itself and any
 * copy that differs only in what may lawfully differ (tags renamed
 * consistently, TSIH, ISID qualifier, StatSN and CmdSN bases), and every
 * other change is named as the first divergence, with its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden.h"
#include "harness/diff/diff.h"
#include "pdu/fields.h"
#include "pdu/pdu.h"

/* A mutation applied to each event on its way to the recorder. Returns
 * false to drop the event. */
typedef bool (*mutate_fn)(struct event *ev, uint8_t *bytes, size_t index, void *arg);

struct mutator {
	struct dif_trace *trace;
	mutate_fn fn;
	void *arg;
	size_t pdu_index;
	uint8_t buf[20000];
};

static int mutate_event(void *ctx, const struct event *in)
{
	struct mutator *m = ctx;
	struct event ev = *in;
	if (ev.kind == EV_PDU) {
		assert_true(ev.len <= sizeof m->buf);
		memcpy(m->buf, in->bytes, in->len);
		ev.bytes = m->buf;
		if (m->fn && !m->fn(&ev, m->buf, m->pdu_index++, m->arg))
			return 0;
	} else if (m->fn && !m->fn(&ev, NULL, SIZE_MAX, m->arg)) {
		return 0;
	}
	return dif_trace_on_event(m->trace, &ev);
}

static struct dif_trace *record(mutate_fn fn, void *arg)
{
	struct mutator *m = calloc(1, sizeof *m);
	m->trace = dif_trace_new();
	m->fn = fn;
	m->arg = arg;
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ mutate_event, m });
	assert_int_equal(golden_emit(&bus), 0);
	struct dif_trace *t = m->trace;
	free(m);
	return t;
}

static void set_field(uint8_t *bhs, const char *name, uint64_t v)
{
	const struct pdu_field *f = pdu_field_find(name);
	assert_non_null(f);
	pdu_field_set_raw(f, bhs, v);
}

static bool add_to_field(uint8_t *bhs, const char *name, uint32_t delta)
{
	const struct pdu_field *f = pdu_field_find(name);
	uint64_t v;
	if (pdu_field_get_raw(f, bhs, &v) != 0)
		return false;
	pdu_field_set_raw(f, bhs, (uint32_t)(v + delta));
	return true;
}

static struct dif_result compare(struct dif_trace *golden, struct dif_trace *run)
{
	struct dif_result r;
	assert_int_equal(dif_compare(golden, run, &r), DIF_OK);
	dif_trace_free(golden);
	dif_trace_free(run);
	return r;
}

static void assert_equal_traces(struct dif_result r)
{
	if (!r.equal)
		fail_msg("expected equal, got: %s", r.message);
}

static void assert_diverges(struct dif_result r, const char *field, size_t pdu_index)
{
	if (r.equal)
		fail_msg("expected a divergence in %s, traces compared equal", field);
	if (strcmp(r.field, field) || r.pdu_index != pdu_index)
		fail_msg("expected %s at PDU %zu, got %s at PDU %zu: %s", field, pdu_index + 1,
			 r.field, r.pdu_index + 1, r.message);
	assert_true(strlen(r.message) > 0);
}

static void test_golden_equals_itself(void **state)
{
	(void)state;
	struct dif_trace *a = record(NULL, NULL), *b = record(NULL, NULL);
	assert_true(dif_trace_pdus(a) > 70);
	assert_equal_traces(compare(a, b));
}

/* Every tag renamed by the same rule: a consistent renaming. */
static void rename_in_header(uint8_t *bhs)
{
	uint64_t v;
	const char *tags[] = { "iscsi.initiatortasktag", "iscsi.targettransfertag" };
	for (size_t k = 0; k < 2; k++) {
		const struct pdu_field *f = pdu_field_find(tags[k]);
		if (pdu_field_get_raw(f, bhs, &v) == 0 && v != PDU_RESERVED_TAG)
			pdu_field_set_raw(f, bhs, v ^ 0x5a000000u);
	}
}

static bool rename_tags(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)i, (void)arg;
	if (!bhs)
		return true;
	rename_in_header(bhs);
	/* a Reject carries the header it rejects, tags and all */
	size_t data = PDU_BHS_LEN + (ev->digests.header ? PDU_DIGEST_LEN : 0);
	if ((bhs[0] & 0x3f) == PDU_OP_REJECT && ev->len >= data + PDU_BHS_LEN)
		rename_in_header(bhs + data);
	return true;
}

/* A target that starts StatSN elsewhere (connection 1), an initiator that
 * starts CmdSN elsewhere, another TSIH and ISID qualifier. */
static void shift_header(uint8_t *bhs, uint32_t conn)
{
	uint64_t expstatsn;
	if (conn == 1) {
		add_to_field(bhs, "iscsi.statsn", 0x7000);
		/* the first Login Request's ExpStatSN (0) precedes any StatSN */
		if (pdu_field_get_raw(pdu_field_find("iscsi.expstatsn"), bhs, &expstatsn) == 0 &&
		    expstatsn != 0)
			add_to_field(bhs, "iscsi.expstatsn", 0x7000);
	}
	const char *cmd[] = { "iscsi.cmdsn", "iscsi.expcmdsn", "iscsi.maxcmdsn" };
	for (size_t k = 0; k < 3; k++)
		add_to_field(bhs, cmd[k], 0x100);
	uint8_t op = bhs[0] & 0x3f;
	if (op == PDU_OP_LOGIN_REQ || op == PDU_OP_LOGIN_RSP) {
		bhs[12] ^= 0xff; /* ISID qualifier */
		uint64_t tsih;
		pdu_field_get_raw(pdu_field_find("iscsi.tsih"), bhs, &tsih);
		if (tsih)
			set_field(bhs, "iscsi.tsih", 0x0777);
	}
}

static bool shift_bases(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)i, (void)arg;
	if (!bhs)
		return true;
	shift_header(bhs, ev->conn);
	size_t data = PDU_BHS_LEN + (ev->digests.header ? PDU_DIGEST_LEN : 0);
	if ((bhs[0] & 0x3f) == PDU_OP_REJECT && ev->len >= data + PDU_BHS_LEN)
		shift_header(bhs + data, ev->conn);
	return true;
}

static void test_lawful_differences_are_ignored(void **state)
{
	(void)state;
	assert_equal_traces(compare(record(NULL, NULL), record(rename_tags, NULL)));
	assert_equal_traces(compare(record(NULL, NULL), record(shift_bases, NULL)));
}

struct at_pdu {
	size_t index;
	const char *field;
	uint32_t delta;
};

static bool bump_one_field(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)ev;
	struct at_pdu *at = arg;
	if (bhs && i == at->index)
		assert_true(add_to_field(bhs, at->field, at->delta));
	return true;
}

static void test_field_changes_are_named(void **state)
{
	(void)state;
	/* PDU 8 of the trace is connection 1's first Full Feature PDU
	 * (NOP-Out); indexes are per connection in the result. */
	static const struct at_pdu cases[] = {
		{ 10, "iscsi.cmdsn", 1 },
		{ 11, "iscsi.statsn", 1 },
		{ 11, "iscsi.expcmdsn", 2 },
		/* one ITT changed is a renaming until the tag shows up again: the
		 * NOP-In answering this NOP-Out is where they diverge */
		{ 12, "iscsi.initiatortasktag", 1 },
		{ 14, "iscsi.datasegmentlength", 0 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		if (cases[k].delta == 0)
			continue;
		struct at_pdu at = cases[k];
		struct dif_result r = compare(record(NULL, NULL), record(bump_one_field, &at));
		/* the first 8 PDUs of the trace are connection 1's 6 and
		 * connection 2's 2 login PDUs: PDU k (k >= 8) of the trace is
		 * PDU k-2 of connection 1 */
		bool tag = !strcmp(cases[k].field, "iscsi.initiatortasktag");
		assert_diverges(r, cases[k].field, cases[k].index - 2 + tag);
		assert_int_equal(r.session, 0);
		assert_int_equal(r.cid, 1);
	}
}

static bool flip_data_byte(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)ev;
	size_t *index = arg;
	if (bhs && i == *index)
		bhs[PDU_BHS_LEN] ^= 1; /* first data byte of a PDU with data */
	return true;
}

static bool drop_pdu(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)ev, (void)bhs;
	size_t *index = arg;
	return i != *index;
}

static bool reset_instead_of_fin(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)bhs, (void)i, (void)arg;
	if (ev->kind == EV_CONN_FIN && ev->conn == 2 && ev->dir == EV_DIR_I2T)
		ev->kind = EV_CONN_RST;
	return true;
}

static void test_data_order_and_end_changes_are_named(void **state)
{
	(void)state;
	size_t login_req = 0; /* carries keys */
	assert_diverges(compare(record(NULL, NULL), record(flip_data_byte, &login_req)),
			"data", 0);
	size_t dropped = 20;
	struct dif_result r = compare(record(NULL, NULL), record(drop_pdu, &dropped));
	assert_false(r.equal);
	assert_int_equal(r.pdu_index, dropped - 2);
	struct dif_result end = compare(record(NULL, NULL), record(reset_instead_of_fin, NULL));
	assert_false(end.equal);
	assert_string_equal(end.field, "end");
	assert_string_equal(end.golden, "FIN");
	assert_string_equal(end.run, "RST");
	assert_int_equal(end.cid, 2);
}

/* A run with one session and a golden trace with none: the session count. */
static bool drop_everything(struct event *ev, uint8_t *bhs, size_t i, void *arg)
{
	(void)ev, (void)bhs, (void)i, (void)arg;
	return false;
}

static void test_missing_session(void **state)
{
	(void)state;
	struct dif_result r = compare(record(drop_everything, NULL), record(NULL, NULL));
	assert_false(r.equal);
	assert_string_equal(r.field, "session");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_equals_itself),
		cmocka_unit_test(test_lawful_differences_are_ignored),
		cmocka_unit_test(test_field_changes_are_named),
		cmocka_unit_test(test_data_order_and_end_changes_are_named),
		cmocka_unit_test(test_missing_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
