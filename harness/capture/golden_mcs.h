/* golden_mcs.h — the MC/S golden session: one iSCSI session over four TCP
 * connections (CIDs 1-4), deterministic and protocol-correct, so the
 * offline checker must pass it with no FAIL and tshark must decode it
 * without a malformed frame or expert error.
 *
 * What it shows:
 *   - a leading login on CID 1 and three more connections joining the
 *     session with its ISID and TSIH (MCS-001); CIDs 3 and 4 negotiate
 *     HeaderDigest=CRC32C, CIDs 1 and 2 no digests;
 *   - commands spread over all four connections, several outstanding at
 *     once and answered out of order, with one session-wide CmdSN window
 *     (MCS-005, MCS-006) and a StatSN sequence per connection (MCS-008),
 *     every answer on its request's connection (MCS-009, MCS-010, MCS-011);
 *   - CID 2's TCP connection reset (RST), then removed by a Logout with
 *     reason 1 naming CID 2, sent on CID 1 (MCS-015);
 *   - CID 3 reinstated by a new TCP connection logging in with CID 3 while
 *     the old one is still open; the old one gets nothing more and is
 *     closed (MCS-016);
 *   - a Logout closing the session, and every connection closed.
 *
 * Event connection ids are 1-4 for CIDs 1-4 and 5 for the connection that
 * reinstates CID 3. Fixed clock and ports: the pcap writer turns it into
 * captures/golden/mcs-four-connections.pcap.
 */
#ifndef HARNESS_CAPTURE_GOLDEN_MCS_H
#define HARNESS_CAPTURE_GOLDEN_MCS_H

#include "harness/event.h"

/* TCP port of the target; the initiator ports are 51001 to 51005. */
#define GOLDEN_MCS_TARGET_PORT 3260

/* Emit the whole session on bus. Returns 0, or the first negative code an
 * observer returned (the whole session is emitted regardless). */
int golden_mcs_emit(struct ev_bus *bus);

#endif
