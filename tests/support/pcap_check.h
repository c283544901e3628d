/* pcap_check.h — test helper: run the project's rule engine over a
 * capture file and hold the verdicts to what a test expects: exactly the
 * catalogue IDs it broke on purpose fail (each of them, when required),
 * nothing else. */
#ifndef TESTS_SUPPORT_PCAP_CHECK_H
#define TESTS_SUPPORT_PCAP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/report/report.h"

/* What the capture reader framed, by opcode: PDUs and the sum of their
 * DataSegmentLengths — the checker's own view of the bytes moved, which
 * (unlike tshark 4.0's) survives segments captured out of order. */
struct pc_tally {
	uint64_t pdus[64];
	uint64_t dsl[64];
};

/* Reads pcap (iSCSI on port besides 3260) through the capture reader and
 * the rule engine with every rule into run (initialised here; the caller
 * frees it with rep_run_free), and, when tally is not NULL, counts the
 * PDUs into it. Fails the test when the file cannot be read. Returns the
 * PDUs the reader framed. */
uint64_t pc_run(const char *pcap, uint16_t port, struct rep_run *run, struct pc_tally *tally);

/* Reads pcap (iSCSI on port besides 3260) through the capture reader and
 * the rule engine with every rule, prints one summary line prefixed with
 * label, and fails the test when a rule fails that is not in breaks
 * (NULL-terminated, may be NULL), or — with all_required — when one of
 * breaks does not fail. Returns the PDUs the reader framed. */
uint64_t pc_expect_only(const char *label, const char *pcap, uint16_t port,
			const char *const *breaks, bool all_required);

#endif
