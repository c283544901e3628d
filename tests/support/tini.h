/* tini.h — a small scripted initiator for the target's tests: it speaks
 * raw PDUs over a link (an in-memory carrier connection or a loopback TCP
 * socket), keeps CmdSN/ExpStatSN the way a correct initiator does unless
 * a test sends something else on purpose, and has just enough of the
 * initiator's job (login, reads and writes answering R2Ts, logout) to
 * drive the target through the paths the tests need. It is test
 * scaffolding, not the harness initiator (roles/, a later issue).
 */
#ifndef TESTS_SUPPORT_TINI_H
#define TESTS_SUPPORT_TINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/net/mem_carrier.h"
#include "pdu/pdu.h"

#define TINI_MAX_PDU (PDU_BHS_LEN + 2 * PDU_DIGEST_LEN + (1u << 20) + 3)
#define TINI_BLOCK 512u

/* Where a connection's bytes go. */
struct tini_link {
	void *ctx;
	int (*send)(void *ctx, const uint8_t *bytes, size_t len);
	/* The next whole PDU from the target (digests dg) into buf: its
	 * length, 0 when the connection closed, -1 when none came within
	 * timeout_ms (an in-memory link never waits). */
	long (*recv)(void *ctx, uint8_t *buf, size_t cap, struct pdu_digests dg,
		     int timeout_ms);
	void (*close)(void *ctx, bool reset);
};

/* What the whole session shares. */
struct tini_session {
	const char *initiator, *target;
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t cmdsn;            /* next CmdSN */
	uint32_t next_itt;
	/* negotiated (from the Login Response) */
	uint8_t erl;
	uint32_t max_connections;
	uint32_t target_mrdsl;     /* what this initiator may send */
	uint32_t first_burst, max_burst;
	bool immediate_data, initial_r2t;
	uint32_t time2wait, time2retain;
};

struct tini_conn {
	struct tini_session *s;
	struct tini_link link;
	uint16_t cid;
	uint32_t expstatsn;
	struct pdu_digests dg;     /* in force after login */
	bool closed;
	/* the last PDU received */
	struct pdu_hdr h;
	const uint8_t *data;
	size_t data_len;
	int parse_rc;
	uint8_t rx[TINI_MAX_PDU];
	uint8_t tx[TINI_MAX_PDU];
};

void tini_session_init(struct tini_session *s, const char *initiator,
		       const char *target, uint8_t isid_last);
void tini_conn_init(struct tini_conn *c, struct tini_session *s,
		    struct tini_link link, uint16_t cid);

/* A link over an in-memory carrier connection. */
struct tini_mem_link {
	struct mem_carrier *m;
	uint32_t conn;
};
struct tini_link tini_mem_link(struct tini_mem_link *l);
/* A link over a TCP socket to 127.0.0.1:port (fd kept in *fd); NULL link
 * ctx on failure. */
struct tini_link tini_tcp_link(int *fd, uint16_t port);

/* Login in one operational-stage PDU as libiscsi does, with the keys it
 * sends, overridden or extended by extra ("Key=Value" lines separated by
 * '\n'). Returns the status (class << 8 | detail) or -1 when the link
 * failed. Learns TSIH, digests and the negotiated values. */
int tini_login(struct tini_conn *c, const char *extra);
/* Login through the security stage (AuthMethod=None) and then the
 * operational stage, three PDUs. */
int tini_login_staged(struct tini_conn *c, const char *extra);

/* Send h (ExpStatSN filled in, digests as in force) with data. */
int tini_send(struct tini_conn *c, struct pdu_hdr *h, const void *data,
	      size_t len);
/* Send bytes as they are (a broken PDU). */
int tini_send_raw(struct tini_conn *c, const void *bytes, size_t len);
/* Receive the next PDU into c->h/c->data: 1, 0 closed, -1 none. Numbered
 * responses move ExpStatSN on. */
int tini_recv(struct tini_conn *c, int timeout_ms);
/* Receive until a PDU with this opcode (others are skipped, at most 64). */
int tini_expect(struct tini_conn *c, uint8_t opcode, int timeout_ms);

/* A SCSI Command header with the next ITT and CmdSN (advanced unless
 * immediate). */
struct pdu_hdr tini_cmd(struct tini_conn *c, const uint8_t cdb[16],
			uint64_t lun, bool read, bool write, uint32_t edtl);
void tini_cdb_rw10(uint8_t cdb[16], bool write, uint32_t lba, uint16_t blocks);

/* Whole commands: status out, 0 when the exchange completed, -1 when it
 * did not (closed, no answer, a protocol surprise: *why says what). */
int tini_write(struct tini_conn *c, uint64_t lun, uint32_t lba, uint16_t blocks,
	       const uint8_t *data, uint8_t *status);
int tini_read(struct tini_conn *c, uint64_t lun, uint32_t lba, uint16_t blocks,
	      uint8_t *data, uint8_t *status);
/* Send the command only; the caller drives the rest. Returns its ITT. */
uint32_t tini_start_write(struct tini_conn *c, uint64_t lun, uint32_t lba,
			  uint16_t blocks, const uint8_t *data, bool unsolicited);
/* Answer the R2T in c->h with data from buf (the whole write's data). */
int tini_answer_r2t(struct tini_conn *c, const uint8_t *buf);

int tini_nop(struct tini_conn *c, const void *ping, size_t len);
/* Logout on c of the connection closing (NULL: c itself; reason 0: the
 * session), with closing's CID and its ExpStatSN (LOGOUT-002); returns
 * the Logout Response's response code, or -1. */
int tini_logout(struct tini_conn *c, uint8_t reason,
		const struct tini_conn *closing);
/* A TMF request; returns the TMF Response code, or -1. */
int tini_tmf(struct tini_conn *c, uint8_t function, uint64_t lun,
	     uint32_t ref_itt, uint32_t ref_cmdsn, uint32_t expdatasn);

#endif
