/* diff.h — compares the PDU sequences of two event streams (a golden trace
 * and a run) session by session and names the first divergence. Pure:
 * events in, a verdict out; no I/O, no clock.
 *
 * What may lawfully differ between two runs is not compared:
 *   - ITT, TTT, Referenced Task Tag and SNACK Tag values: compared as a
 *     consistent renaming (the n-th distinct tag of one trace must map to
 *     the same tag of the other every time it appears, and the reserved tag
 *     only to itself);
 *   - TSIH, the ISID qualifier (bytes 4-5 of the ISID), timestamps, TCP
 *     ports and addresses;
 *   - absolute sequence numbers: StatSN and ExpStatSN are compared relative
 *     to the connection's first StatSN, CmdSN, ExpCmdSN, MaxCmdSN and
 *     RefCmdSN relative to the session's first CmdSN (a target picks its
 *     starting StatSN freely, an initiator its starting CmdSN);
 *   - header and data digest values (they follow from the rest).
 * Everything else — the order of PDUs on each connection, opcodes, every
 * other BHS field, AHS and data segments byte for byte, how connections
 * ended — must be equal.
 *
 * Sessions are matched in order of first appearance, connections within a
 * session in order of first appearance, PDUs in wire order per connection.
 */
#ifndef HARNESS_DIFF_DIFF_H
#define HARNESS_DIFF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"

enum dif_err {
	DIF_OK = 0,
	DIF_ENOMEM = -1,
	DIF_EINVAL = -2,
};

/* One trace, recorded from its events (an event observer). */
struct dif_trace;

struct dif_trace *dif_trace_new(void);
void dif_trace_free(struct dif_trace *t);
/* The observer callback (ctx is the struct dif_trace *). */
int dif_trace_on_event(void *t, const struct event *ev);
size_t dif_trace_pdus(const struct dif_trace *t);

/* The first divergence, or equal. */
struct dif_result {
	bool equal;
	size_t session;      /* 0-based index of the session */
	int cid;             /* CID of the connection, -1 when unknown */
	size_t conn_index;   /* 0-based connection index within the session */
	size_t pdu_index;    /* 0-based PDU index within the connection */
	uint64_t golden_frame, run_frame;  /* frames of the two PDUs (0: none) */
	char field[48];      /* registry name, "pdu" (one side has no PDU),
				"connection", "session", "data", "ahs", "end" */
	char golden[96];     /* the values, as text */
	char run[96];
	char message[256];   /* one readable sentence with all of the above */
};

/* Compare; fills res. Returns 0 or DIF_ENOMEM. */
int dif_compare(const struct dif_trace *golden, const struct dif_trace *run,
		struct dif_result *res);

#endif
