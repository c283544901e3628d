/* pcap_check.c — a capture through the rule engine, verdicts held to a
 * test's expectation (see pcap_check.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness/capture/pcap_reader.h"
#include "harness/check/check.h"
#include "harness/report/report.h"
#include "tests/support/pcap_check.h"
#include "tests/support/session_builder.h"

static int tally_pdu(void *ctx, const struct event *ev)
{
	struct pc_tally *t = ctx;
	if (ev->kind == EV_PDU && ev->len >= 8) {
		uint8_t op = ev->bytes[0] & 0x3f;
		t->pdus[op]++;
		t->dsl[op] += (uint64_t)ev->bytes[5] << 16 | (uint64_t)ev->bytes[6] << 8 | ev->bytes[7];
	}
	return 0;
}

uint64_t pc_run(const char *pcap, uint16_t port, struct rep_run *run, struct pc_tally *tally)
{
	char err[512];
	uint16_t ports[1] = { port };
	struct cap_reader_opts ro = { .target_ports = ports, .n_target_ports = 1 };
	struct cap_reader *r;
	struct chk_engine *eng;
	if (cap_reader_open(&r, pcap, &ro, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(chk_create(NULL, &eng, err, sizeof err), 0);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, chk_observer(eng));
	if (tally) {
		memset(tally, 0, sizeof *tally);
		ev_bus_add(&bus, (struct ev_observer){ tally_pdu, tally });
	}
	if (cap_reader_run(r, &bus) != 0)
		fail_msg("%s: %s", pcap, cap_reader_errmsg(r));
	uint64_t pdus = cap_reader_stats(r)->pdus;
	rep_run_init(run, "test", "0");
	assert_int_equal(chk_export(eng, run), 0);
	chk_free(eng);
	cap_reader_close(r);
	return pdus;
}

uint64_t pc_expect_only(const char *label, const char *pcap, uint16_t port,
			const char *const *breaks, bool all_required)
{
	struct rep_run run;
	uint64_t pdus = pc_run(pcap, port, &run, NULL);
	struct rep_totals t = rep_run_totals(&run);
	printf("%s: iscsi-harness check %s: %llu PDUs, %zu sessions, %zu PASS, %zu FAIL, "
	       "%zu NOT-OBSERVED\n", label, pcap, (unsigned long long)pdus, run.n_sessions,
	       t.pass, t.fail, t.not_observed);
	static const char *const none[] = { NULL };
	char why[1024];
	if (!sb_only_fails(&run, breaks ? breaks : none, why, sizeof why)) {
		sb_dump(&run);
		fail_msg("%s: %s", pcap, why);
	}
	for (const char *const *id = breaks; all_required && id && *id; id++)
		if (!sb_failed(&run, *id))
			fail_msg("%s: the deliberate %s violation is not found", pcap, *id);
	rep_run_free(&run);
	return pdus;
}
