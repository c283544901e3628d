/* target_script.h — what fuzz_target.c and gen_target_corpus.c share: the
 * script an input is read as (records that open, feed, close connections
 * of the in-memory carrier and move its clock on) and the target they
 * drive, configured identically, so that a session recorded by the
 * generator replays byte for byte in the fuzzer.
 *
 * An input: one configuration byte (bits 0-1: connections open at the
 * start, minus one; bit 2: the target demands CHAP), then records. A
 * record's first byte names a slot (bits 0-2) and a kind (bits 3-5):
 *   FEED     2 bytes of length (little endian), then that many bytes
 *            for the slot's connection (fewer when the input ends)
 *   FIN/RST  the initiator closes the slot's connection
 *   OPEN     a new connection in the slot (the old one, if any, stays
 *            open but can no longer be fed)
 *   ADVANCE  1 byte: the clock moves on by that many tenths of a second
 *   FILL     2 bytes of count (little endian), 1 byte: that byte, count
 *            times, for the slot's connection (data segments of any size
 *            in a few bytes of input: inputs are short, -max_len=4096)
 *   ASYNC    1 byte of event, 1 of seconds: the target sends an
 *            Asynchronous Message on the slot's connection
 *            (tgt_async_event, as a script of the operator's would)
 * Kind 7 reads as FEED too, so that some mutations of a kind byte still
 * feed bytes.
 */
#ifndef FUZZ_TARGET_SCRIPT_H
#define FUZZ_TARGET_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/proto/target.h"
#include "harness/roles/target_role.h"

#define FTS_SLOTS 8
#define FTS_CFG_CONNS_MASK 0x03
#define FTS_CFG_CHAP 0x04
#define FTS_ADVANCE_UNIT_MS 100
#define FTS_LUN_BYTES (1u << 20)  /* the scenarios of tests/support need 1 MiB */

enum fts_kind {
	FTS_FEED = 0,
	FTS_FIN = 1,
	FTS_RST = 2,
	FTS_OPEN = 3,
	FTS_ADVANCE = 4,
	FTS_FILL = 5,
	FTS_ASYNC = 6,
};

#define FTS_FILL_MIN 16   /* the generator writes shorter runs as FEED */

static inline uint8_t fts_record(enum fts_kind kind, unsigned slot)
{
	return (uint8_t)((unsigned)kind << 3 | (slot & (FTS_SLOTS - 1)));
}

#define FTS_TARGET_IQN "iqn.2026-11.org.iscsi-harness:fuzz"
#define FTS_INITIATOR_IQN "iqn.2026-11.org.iscsi-harness:tini"
#define FTS_CHAP_USER "fuzz-initiator"
#define FTS_CHAP_SECRET "initiator-secret-16"
#define FTS_CHAP_MUTUAL_USER "fuzz-target"
#define FTS_CHAP_MUTUAL_SECRET "target-secret-1616"

/* The target under test: ERL up to 2, four connections a session, both
 * digests allowed, a small CmdSN window, pings after a second idle; CHAP
 * (mutual allowed) when chap. */
static inline struct tgt_cfg fts_target_cfg(struct scsi_dev *dev, bool chap)
{
	static const struct login_chap secrets = {
		.user = FTS_CHAP_USER, .secret = FTS_CHAP_SECRET,
		.mutual_user = FTS_CHAP_MUTUAL_USER,
		.mutual_secret = FTS_CHAP_MUTUAL_SECRET,
	};
	return (struct tgt_cfg){
		.login = {
			.target_name = FTS_TARGET_IQN, .target_address = "127.0.0.1:3260",
			.tpgt = 1, .max_erl = 2, .max_connections = 4,
			.mrdsl = 8192, .max_burst_length = 16384,
			.first_burst_length = 8192, .initial_r2t = false,
			.immediate_data = true, .max_outstanding_r2t = 2,
			.default_time2wait = 2, .default_time2retain = 20,
			.header_digest = "None,CRC32C", .data_digest = "None,CRC32C",
			.chap = chap ? &secrets : NULL,
		},
		.backend = target_role_backend(dev),
		.cmd_window = 8,
		.nop_interval_ms = 1000,
		.nop_timeout_ms = 3000,
		.login_timeout_ms = 5000,
	};
}

#endif
