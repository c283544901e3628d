/* golden.h — the golden session: a complete, protocol-correct iSCSI session
 * of two connections that uses every RFC 7143 opcode, without digests on the
 * first connection and with header and data digests on the second, with
 * both AHS types and data segments of 0, 1, 3, 4, 8191 and 8193 bytes.
 *
 * It is produced as a stream of events (EV_CONN_OPEN, EV_WIRE, EV_PDU,
 * EV_CONN_FIN), deterministically (fixed clock, fixed ports), so the pcap
 * writer turns it into captures/golden/every-opcode.pcap and the tshark
 * agreement test compares tshark's decoding with the PDUs it carried.
 */
#ifndef HARNESS_CAPTURE_GOLDEN_H
#define HARNESS_CAPTURE_GOLDEN_H

#include "harness/event.h"

/* TCP port of the golden target (the initiator ports are 50001, 50002). */
#define GOLDEN_TARGET_PORT 3260

/* Emit the whole golden session on bus. Returns 0, or the first negative
 * code an observer returned (the whole session is emitted regardless). */
int golden_emit(struct ev_bus *bus);

#endif
