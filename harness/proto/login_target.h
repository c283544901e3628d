/* login_target.h — the target side of the login phase (RFC 7143 §6, §13,
 * §11.12-11.13) for one connection: security stage with CHAP (chap.h) or
 * none, operational negotiation through pdu/keys' table, stage transitions,
 * login status codes, discovery and normal sessions. Pure: Login Requests
 * in, Login Responses out; the session layer is asked (bind callback) what
 * the session identity means (new session, reinstatement, a connection
 * joining) and supplies the CmdSN window. No socket, no clock.
 *
 * Where RFC 7143 leaves a choice, this does what the LIO target does; each
 * choice cites its catalogue ID in the code.
 */
#ifndef HARNESS_PROTO_LOGIN_TARGET_H
#define HARNESS_PROTO_LOGIN_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu/keys.h"
#include "pdu/pdu.h"

/* Who is logging in, from the first Login Request and its keys. */
struct login_identity {
	char initiator_name[PDU_KV_ISCSI_NAME_MAX + 1];
	char target_name[PDU_KV_ISCSI_NAME_MAX + 1];  /* "" for discovery */
	uint8_t isid[6];
	uint16_t tsih;        /* as the initiator sent it */
	uint16_t cid;
	bool discovery;       /* SessionType=Discovery */
};

/* The session layer's answer to bind(). */
struct login_bind {
	/* 0 to go on, else the Login Response status to fail with
	 * (class << 8 | detail, e.g. 0x0203 target not found, 0x020a
	 * session does not exist, 0x0206 too many connections). */
	uint16_t status;
	uint16_t tsih;        /* TSIH to send (a new one for a leading login) */
	bool leading;         /* the session's first connection */
	/* For a connection joining a session (leading false): the session's
	 * negotiated parameters (the connection negotiates only its own
	 * keys; LOGIN-026 forbids the leading-only ones). */
	const struct pdu_key_params *session_params;
};

/* One CHAP secret pair. */
struct login_chap {
	const char *user, *secret;               /* the initiator must prove */
	const char *mutual_user, *mutual_secret; /* the target proves when the
						    initiator challenges it;
						    NULL: mutual refused */
};

struct login_target_cfg {
	const char *target_name;     /* the one target served (iqn....) */
	const char *target_alias;    /* NULL: none declared */
	const char *target_address;  /* SendTargets: "127.0.0.1:3260" */
	uint16_t tpgt;               /* TargetPortalGroupTag */
	/* What the target supports (its side of each negotiation). */
	uint8_t max_erl;             /* ErrorRecoveryLevel up to this */
	uint32_t max_connections;
	uint32_t mrdsl;              /* MaxRecvDataSegmentLength declared */
	uint32_t max_burst_length, first_burst_length;
	bool initial_r2t, immediate_data;
	uint32_t max_outstanding_r2t;
	uint32_t default_time2wait, default_time2retain;
	const char *header_digest;   /* list accepted, "CRC32C,None" */
	const char *data_digest;
	const struct login_chap *chap; /* NULL: AuthMethod None only */
	/* Random bytes for CHAP challenges and identifiers. */
	void (*rand_bytes)(void *ctx, uint8_t *buf, size_t n);
	/* The identity is known (first Login Request): what it binds to. */
	void (*bind)(void *ctx, const struct login_identity *id,
		     struct login_bind *out);
	/* The session's CmdSN window for the Login Responses' ExpCmdSN and
	 * MaxCmdSN (for a leading login: from the request's CmdSN). */
	void (*window)(void *ctx, uint32_t req_cmdsn, uint32_t *expcmdsn,
		       uint32_t *maxcmdsn);
	void *ctx;
};

enum login_step {
	LOGIN_CONTINUE = 0,  /* a response to send; more requests to come */
	LOGIN_DONE = 1,      /* the final response (T=1, NSG=3, status 0) to
				send: the connection is in Full Feature Phase */
	LOGIN_FAILED = 2,    /* a failure response to send, then close */
	LOGIN_PROTOCOL = 3,  /* not a Login Request: nothing to send, close
				(the reason is in login_target_error) */
};

struct login_target;

/* initial_statsn: the StatSN the first response carries. */
struct login_target *login_target_create(const struct login_target_cfg *cfg,
					 uint32_t initial_statsn);
void login_target_free(struct login_target *lt);

/*
 * One PDU received during login (bytes: the whole PDU, no digests: none
 * are in force before Full Feature Phase). Writes the response PDU into
 * out (cap bytes; 8 KiB + 48 always suffices: responses longer than the
 * initiator's MaxRecvDataSegmentLength are cut with C=1) and its length
 * into *out_len (0 for LOGIN_PROTOCOL). Returns enum login_step.
 */
int login_target_rx(struct login_target *lt, const uint8_t *pdu, size_t len,
		    uint8_t *out, size_t cap, size_t *out_len);

/* After LOGIN_DONE: the operational parameters in force (session-wide
 * ones from the leading login or the bound session, this connection's
 * digests and MaxRecvDataSegmentLength from this login). */
const struct pdu_key_params *login_target_params(const struct login_target *lt);
/* The identity learnt (valid once the first request was read). */
const struct login_identity *login_target_identity(const struct login_target *lt);
/* The StatSN the next response on this connection carries, and the
 * ExpStatSN the initiator last acknowledged. */
uint32_t login_target_next_statsn(const struct login_target *lt);
uint32_t login_target_expstatsn(const struct login_target *lt);
/* Why the login failed or was refused ("" if it did not), naming the
 * catalogue ID, the key and the value. */
const char *login_target_error(const struct login_target *lt);

#endif
