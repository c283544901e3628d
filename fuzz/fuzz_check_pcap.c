/* fuzz_check_pcap.c — libFuzzer harness for the whole offline checker: the
 * input is a capture file (pcap or pcapng) read from memory (fmemopen, no
 * file written) through the capture reader (link decoding, TCP
 * reassembly, iSCSI framing) and judged by every rule family of the
 * engine. The last byte of the input also picks reader options (the
 * heuristic, small reassembly and connection limits, EV_WIRE events), a
 * rule selection, and what happens to the verdicts, as the CLI does it:
 * counted only, with ended sessions dropped (check --quiet), or exported
 * to the report model (all at the end, or handed over as each ends and
 * spooled, as the CLI does), and for one input in four also written to
 * /dev/null as a JSON or a text report (the writers cost more than the
 * rest, so not on every input). The byte stays part of the capture, so a
 * seed is a capture file as it is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/capture/pcap_reader.h"
#include "harness/check/check.h"
#include "harness/report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int spool_session(void *ctx, struct rep_session *s)
{
	return rep_run_spool(ctx, s);
}

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 3264, 3261, 860 };
	static const char *const selections[] = { NULL, "mcs,seq", "login,PDU-001" };
	if (size < 1)
		return 0;
	uint8_t knobs = data[size - 1];
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			__builtin_trap();
	}

	struct cap_reader_opts ropts = { 0 };
	ropts.target_ports = ports;
	ropts.n_target_ports = sizeof ports / sizeof ports[0];
	ropts.heuristic = knobs & 1;
	ropts.wire_events = knobs & 2;
	if (knobs & 4) {
		ropts.reasm_cap = 4096;
		ropts.max_conns = 4;
		ropts.history = 256;
	}
	bool export = knobs & 0x20, write = (knobs & 0x60) == 0x60;
	bool spool = export && (knobs & 0x10);
	struct rep_run run;
	struct chk_options copts = { .rules = selections[(knobs >> 3) % 3],
				     .drop_ended = !export,
				     .on_session = spool ? spool_session : NULL,
				     .on_session_ctx = &run };

	char err[256];
	struct chk_engine *eng;
	if (chk_create(&copts, &eng, err, sizeof err) != 0)
		__builtin_trap();
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp) {
		chk_free(eng);
		return 0;
	}
	struct cap_reader *r;
	rep_run_init(&run, "fuzz_check_pcap", "0");
	rep_run_add_input(&run, "fuzz.pcap");
	if (cap_reader_open_file(&r, fp, "fuzz.pcap", &ropts, err, sizeof err) == 0) {
		struct ev_bus bus;
		ev_bus_init(&bus);
		ev_bus_add(&bus, chk_observer(eng));
		if (cap_reader_run(r, &bus) != 0)
			rep_run_add_problem(&run, "fuzz.pcap", 0, 0, cap_reader_errmsg(r));
		cap_reader_close(r);
	} else {
		rep_run_add_problem(&run, "fuzz.pcap", 0, 0, err);
	}
	if (!export) {
		chk_failed_count(eng);
		chk_free(eng);
		rep_run_free(&run);
		return 0;
	}
	if (chk_export(eng, &run) != 0)
		__builtin_trap();
	chk_free(eng);
	rep_run_sort(&run);
	struct rep_totals t = rep_run_totals(&run);
	if (t.problems != run.n_problems)
		__builtin_trap();
	struct rep_text_opts topts = { .verbose = knobs & 1 };
	if (write && ((knobs & 0x80) ? rep_write_json(&run, devnull)
				     : rep_write_text(&run, &topts, devnull)) != 0)
		__builtin_trap();
	rep_run_free(&run);
	return 0;
}
