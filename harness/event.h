/* event.h — the one idea of the harness: everything that happens is an
 * event on one connection of one session at one time, and observers (rules,
 * the pcap writer, reports) consume the stream. A live run and a pcap read
 * produce the same events, so every observer works the same in both.
 *
 * Producers stamp the time (check/ and pdu/ never read a clock). Events do
 * not own their bytes: an observer that keeps them copies them.
 */
#ifndef HARNESS_EVENT_H
#define HARNESS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "pdu/pdu.h"

enum ev_kind {
	EV_CONN_OPEN,   /* TCP connection established (ep set) */
	EV_WIRE,        /* bytes that crossed the socket in dir, as one write/read */
	EV_PDU,         /* one whole framed PDU in dir (bytes = the PDU) */
	EV_CONN_FIN,    /* dir's side closed (FIN) */
	EV_CONN_RST,    /* dir's side reset the connection (RST) */
	EV_FAULT,       /* a fault the harness injected (text says which) */
	EV_NOTE,        /* anything else worth a line in the report */
	EV_GAP,         /* bytes of dir's stream are missing (capture loss):
			   len = how many, text = why; rules that need an
			   unbroken stream stop judging this connection */
	EV_RESYNC,      /* framing restarted at a plausible BHS after a gap or
			   a capture that starts mid-stream (text says where) */
};

enum ev_dir {
	EV_DIR_I2T,     /* initiator to target */
	EV_DIR_T2I,     /* target to initiator */
};

/* The two ends of a TCP connection; family is AF_INET or AF_INET6 and the
 * addresses are in network byte order (4 or 16 bytes used). */
struct ev_endpoints {
	int family;
	uint8_t ini_addr[16], tgt_addr[16];
	uint16_t ini_port, tgt_port;
};

struct event {
	enum ev_kind kind;
	uint32_t conn;              /* connection id, unique within a run */
	enum ev_dir dir;
	int64_t ts_ns;              /* time since the epoch, nanoseconds */
	uint64_t frame;             /* capture frame number, 0 when live */
	const struct ev_endpoints *ep; /* EV_CONN_OPEN */
	const uint8_t *bytes;       /* EV_WIRE, EV_PDU */
	size_t len;                 /* bytes' length; EV_GAP: bytes missing */
	struct pdu_digests digests; /* EV_PDU: the digests the framer applied */
	uint64_t stream_offset;     /* EV_PDU, EV_GAP: byte offset in dir's stream */
	const char *text;           /* EV_FAULT, EV_NOTE */
};

/* An observer: a callback and its context. Returns 0, or a negative code
 * that the bus remembers (the first one) without stopping the others. */
struct ev_observer {
	int (*on_event)(void *ctx, const struct event *ev);
	void *ctx;
};

#define EV_BUS_MAX_OBSERVERS 16

/* Fan-out of events to observers, in the order they were added. The bus is
 * a value owned by whoever runs the session; it holds no global state. */
struct ev_bus {
	struct ev_observer obs[EV_BUS_MAX_OBSERVERS];
	size_t n;
	int first_error;
};

void ev_bus_init(struct ev_bus *bus);
/* Returns 0, or -1 when the bus is full. */
int ev_bus_add(struct ev_bus *bus, struct ev_observer obs);
/* Deliver ev to every observer; returns the first error of this delivery. */
int ev_emit(struct ev_bus *bus, const struct event *ev);

const char *ev_kind_name(enum ev_kind kind);

#endif
