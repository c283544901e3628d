/* carrier.h — the contract between a protocol engine (the target now, the
 * initiator later: proto/, roles/) and whatever carries its connections
 * (net/'s TCP server, net/'s in-memory carrier for tests and fuzzers, a
 * capture replayed). The engine never touches a socket or a clock itself:
 * the carrier drives it through proto_engine_ops (a connection opened, a
 * PDU framed, a connection closed; timers fire) and the engine acts
 * through proto_io. The carrier owns the connections; conn ids are the
 * carrier's, unique within a run, never 0.
 *
 * It lives in net/ because the engines sit above net/ (DESIGN.md: proto/
 * uses net/); net/ knows nothing of any engine beyond this contract.
 */
#ifndef HARNESS_NET_CARRIER_H
#define HARNESS_NET_CARRIER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "pdu/pdu.h"

/* Why a connection ended, as its carrier saw it. */
enum proto_close_why {
	PROTO_CLOSED_FIN,     /* the peer closed its side */
	PROTO_CLOSED_RST,     /* the peer reset the connection */
	PROTO_CLOSED_ERROR,   /* a socket error (errno in the log) */
	PROTO_CLOSED_LOCAL,   /* this side asked for it (proto_io.close) */
};

/* A one-shot timer's callback; id is what timer_set returned. */
typedef void (*proto_timer_fn)(void *arg, uint64_t id);

enum proto_log_level { PROTO_LOG_ERROR, PROTO_LOG_WARN, PROTO_LOG_INFO, PROTO_LOG_DEBUG };

struct proto_io {
	void *ctx;
	/* Queue one whole PDU (built with digests dg) for conn; PDUs go out
	 * in order. The carrier emits it as an EV_PDU (and the bytes as
	 * EV_WIRE when they cross the socket). Returns 0, or -1 when the
	 * connection is gone (the engine learns of it through its closed
	 * callback, never re-entrantly from here). */
	int (*send)(void *ctx, uint32_t conn, const uint8_t *pdu, size_t len,
		    struct pdu_digests dg);
	/* Close conn after what is queued has gone out (reset = false: FIN),
	 * or at once with an RST (reset = true). The engine's closed callback
	 * is called later, from the carrier's loop, with PROTO_CLOSED_LOCAL. */
	void (*close)(void *ctx, uint32_t conn, bool reset);
	/* The digests the framer applies to the PDUs it reads from conn from
	 * now on (the target switches them after the last Login Response). */
	void (*set_rx_digests)(void *ctx, uint32_t conn, struct pdu_digests dg);
	/* A one-shot timer in delay_ms; returns its id (never 0). */
	uint64_t (*timer_set)(void *ctx, int64_t delay_ms, proto_timer_fn fn, void *arg);
	/* Cancel a timer that has not fired (0 or a fired id: no-op). */
	void (*timer_cancel)(void *ctx, uint64_t id);
	/* Monotonic nanoseconds. */
	int64_t (*now_ns)(void *ctx);
	/* One line for the operator's log (conn 0: not about one connection);
	 * the carrier also puts it on its event bus as an EV_NOTE (all but
	 * PROTO_LOG_DEBUG), so that every decision the engine takes is an
	 * event beside the PDUs. */
	void (*log)(void *ctx, enum proto_log_level level, uint32_t conn,
		    const char *fmt, va_list ap);
};


struct proto_engine_ops {
	void *engine;
	/* A TCP connection was established. */
	void (*opened)(void *engine, uint32_t conn, const struct ev_endpoints *ep);
	/* One framed PDU read from conn (bytes: the whole PDU, with the
	 * digests dg the framer applied). parse_rc is PDU_OK, or
	 * PDU_E_HEADER_DIGEST / PDU_E_DATA_DIGEST when a digest did not
	 * verify (the bytes are still the whole PDU as framed). */
	void (*pdu)(void *engine, uint32_t conn, const uint8_t *bytes, size_t len,
		    struct pdu_digests dg, int parse_rc);
	/* conn is gone; no call names it again. */
	void (*closed)(void *engine, uint32_t conn, enum proto_close_why why);
};

#endif
