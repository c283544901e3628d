/* conn.h — one accepted TCP connection of the server: its receive buffer
 * and framing into whole PDUs, its send queue, and where it is in its life.
 * The I/O goes through the shim (shim.h); the engine and the bus are the
 * server's business (server.c).
 */
#ifndef HARNESS_NET_CONN_H
#define HARNESS_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "harness/net/shim.h"
#include "harness/net/carrier.h"
#include "pdu/pdu.h"

struct net_server;

/* One queued PDU (or what is left of it to write). */
struct net_tx_chunk {
	struct net_tx_chunk *next;
	size_t len, off;
	uint8_t bytes[];
};

enum net_conn_state {
	NET_CONN_OPEN,      /* reading and writing */
	NET_CONN_DRAINING,  /* no more reads: FIN once the queue is written */
	NET_CONN_GONE,      /* socket closed; the engine's closed call is due */
};

struct net_conn {
	uint32_t id;
	int fd;                     /* -1 once closed */
	struct net_server *srv;
	struct ev_endpoints ep;
	struct net_shim shim;
	enum net_conn_state state;
	enum proto_close_why why;   /* for the engine, once not OPEN */
	uint64_t report_timer;      /* the 0 ms timer that reports GONE */
	unsigned watched;           /* NET_IN | NET_OUT as the loop has them */
	bool tx_over_limit;         /* the queue passed the size worth a log line */
	bool tx_pending;            /* on the server's list to flush this round */
	struct net_conn *next_pending;
	/* receive: bytes [rx_start, rx_end) of rx are not framed yet */
	uint8_t *rx;
	size_t rx_cap, rx_start, rx_end;
	size_t rx_need;             /* bytes the PDU at rx_start needs, as far as known */
	struct pdu_digests rx_dg;
	uint64_t rx_offset;         /* stream offset of the PDU at rx_start */
	/* send */
	struct net_tx_chunk *tx_head, *tx_tail;
	size_t tx_bytes;            /* queued, not yet written */
	uint64_t tx_offset;         /* stream offset of the next PDU queued */
};

/* Read once into the receive buffer (grown to fit the PDU being framed).
 * Returns what read(2) returned: > 0 bytes, 0 end of stream, -1 (errno;
 * ENOMEM when the buffer could not grow). */
long conn_rx_read(struct net_conn *c);

/* What conn_rx_next found. */
enum conn_rx_result {
	CONN_RX_MORE,       /* no whole PDU buffered */
	CONN_RX_PDU,        /* *pdu, *len (valid until the next read), *parse_rc */
	CONN_RX_TOO_BIG,    /* DataSegmentLength *len exceeds max_dsl */
};

/* Frame the next whole PDU with the current rx digests and consume it. */
enum conn_rx_result conn_rx_next(struct net_conn *c, size_t max_dsl, const uint8_t **pdu,
				 size_t *len, int *parse_rc);

/* Queue a copy of a PDU. Returns 0, or -1 out of memory. */
int conn_tx_queue(struct net_conn *c, const uint8_t *pdu, size_t len);

/* Write what is queued until done or the socket is full, up to TX_IOV_MAX
 * PDUs per system call. Returns 0 all written, 1 would block, -1 a socket
 * error (errno). */
int conn_tx_flush(struct net_conn *c);

/* Free the buffers and the queue (not the socket, not c). */
void conn_free_buffers(struct net_conn *c);

#endif
