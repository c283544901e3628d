/* target_scenarios.h — the target's MC/S and recovery scenarios, written
 * once against the scripted initiator (tini.h) and run twice: over the
 * in-memory carrier (test_target_engine, under the rule engine) and over
 * loopback TCP against the `iscsi-harness target` process
 * (test_target_wire, whose pcap `iscsi-harness check` must pass). Each
 * asserts with cmocka. The target must offer ERL 2, MaxConnections >= 4,
 * CRC32C digests, MaxRecvDataSegmentLength 8192 or more, and a LUN 0 of
 * at least 1 MiB. */
#ifndef TESTS_SUPPORT_TARGET_SCENARIOS_H
#define TESTS_SUPPORT_TARGET_SCENARIOS_H

#include "tests/support/tini.h"

struct ts_env {
	void *ctx;
	/* a new connection to the target */
	struct tini_link (*open)(void *ctx);
	int quiet_ms;   /* how long "nothing comes" is waited for */
	const char *target_iqn;
	uint8_t isid_last;   /* tells sessions of one run apart */
};

/* The catalogue IDs a scenario breaks on purpose (the initiator's side
 * of a deliberate fault): a rule engine watching the run must see those
 * fail and nothing else. NULL-terminated. */
extern const char *const ts_no_breaks[];
extern const char *const ts_erl1_data_digest_breaks[];

/* MCS-001/005/006/007/008/009/004: n connections (2..4) in one session,
 * CmdSN order across them, I/O on each, a fifth refused when n is the
 * maximum negotiated, logout of one connection from another, then the
 * session. */
void ts_mcs(struct ts_env *e, int n);
/* ERL1-002/003/004: a Data-Out with a bad data digest is rejected and
 * asked for again by a recovery R2T; the data arrive intact. */
void ts_erl1_data_digest(struct ts_env *e);
/* ERL1-010/011/012/021: a Status SNACK and a Data SNACK answered with the
 * originals; a SNACK for what was never sent rejected. */
void ts_erl1_snack(struct ts_env *e);
/* ERL2-002/005/006/009/011: a connection dies mid-write, is logged out
 * for recovery from another, the task reassigned, the rest of the data
 * solicited again; the data read back intact. */
void ts_erl2_write_reassign(struct ts_env *e);
/* ERL2-008/019, MCS-016/017: a connection dies mid-read, the same CID
 * logs in again, the read is reassigned and every Data-In comes again. */
void ts_erl2_read_reinstate(struct ts_env *e);

#endif
