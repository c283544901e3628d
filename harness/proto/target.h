/* target.h — the iSCSI target engine: sessions of one or more connections
 * (MC/S), the session-wide CmdSN window, per-connection StatSN, tasks with
 * connection allegiance, R2T and Data-In generation, NOP, Text, Logout,
 * task management, and recovery at ErrorRecoveryLevel 0, 1 and 2. It
 * knows nothing of SCSI beyond a CDB: commands go to a backend (the
 * role's block device, roles/target_role.h). Driven through
 * proto_engine_ops (engine.h), acting through proto_io (io.h): no socket,
 * no clock of its own.
 */
#ifndef HARNESS_PROTO_TARGET_H
#define HARNESS_PROTO_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/net/carrier.h"
#include "harness/proto/login_target.h"

/* What a command moves, as the backend reads its CDB. */
enum tgt_dir { TGT_DIR_NONE, TGT_DIR_READ, TGT_DIR_WRITE };

struct tgt_plan {
	enum tgt_dir dir;
	uint32_t length;     /* bytes the CDB asks to move */
};

struct tgt_result {
	uint8_t status;          /* SCSI status */
	uint8_t sense[32];       /* fixed-format sense */
	size_t sense_len;
	size_t data_in_len;      /* bytes written to data_in */
};

/* The SCSI side: plan a CDB, execute it. nexus names the I_T nexus (one
 * per session, never reused within a run) for reservations. */
struct tgt_backend {
	void *ctx;
	struct tgt_plan (*plan)(void *ctx, uint64_t lun, const uint8_t *cdb,
				size_t cdb_len);
	void (*exec)(void *ctx, uint64_t nexus, uint64_t lun, const uint8_t *cdb,
		     size_t cdb_len, const uint8_t *data_out, size_t out_len,
		     uint8_t *data_in, size_t in_cap, struct tgt_result *r);
	/* The LUN exists (TMF LOGICAL UNIT RESET, ABORT TASK SET). */
	bool (*lun_exists)(void *ctx, uint64_t lun);
	/* The session of nexus ended (I_T nexus loss: reservations go). */
	void (*nexus_gone)(void *ctx, uint64_t nexus);
	/* LOGICAL UNIT RESET of lun, or every LUN (all: TARGET RESET). */
	void (*lun_reset)(void *ctx, uint64_t lun, bool all);
};

struct tgt_cfg {
	struct login_target_cfg login; /* bind, window, rand_bytes and ctx are
					  the engine's: leave them NULL */
	/* Random bytes (CHAP challenges, initial StatSN); NULL: a fixed
	 * pattern, for deterministic tests and fuzzing. */
	void (*rand_bytes)(void *ctx, uint8_t *buf, size_t n);
	void *rand_ctx;
	struct tgt_backend backend;
	uint32_t cmd_window;      /* MaxCmdSN - ExpCmdSN + 1 (0: 128) */
	uint32_t nop_interval_ms; /* NOP-In ping when a connection is idle
				     this long (0: never) */
	uint32_t nop_timeout_ms;  /* no answer in this long: connection
				     failure (0: 15000) */
	uint32_t login_timeout_ms;/* a login not done in this long is dropped
				     (0: 15000) */
};

struct tgt;

/* cfg is copied (the strings it points to must outlive the engine). */
struct tgt *tgt_create(const struct tgt_cfg *cfg, struct proto_io io);
void tgt_free(struct tgt *t);
/* Set (or replace) the io before the first connection opens: a carrier
 * that needs the engine's ops to exist is created in between. */
void tgt_set_io(struct tgt *t, struct proto_io io);
/* The calls a carrier makes (net/'s server, a test pipe, a fuzzer). */
struct proto_engine_ops tgt_engine_ops(struct tgt *t);

/* Counters for the log and the tests. */
struct tgt_stats {
	uint64_t sessions_opened, sessions_closed;
	uint64_t conns_logged_in, logins_failed;
	uint64_t commands, rejects, snacks, reassigned;
	uint32_t sessions_now, conns_now, tasks_now;
};
void tgt_get_stats(const struct tgt *t, struct tgt_stats *out);

/* On demand (tests, scripts): an Asynchronous Message on conn — event 1
 * (logout requested within seconds), 2 (connection dropped: conn is
 * dropped) or 3 (session dropped: every connection of conn's session).
 * Returns 0, or -1 when conn is not in Full Feature Phase. */
int tgt_async_event(struct tgt *t, uint32_t conn, uint8_t event,
		    uint16_t seconds);

#endif
