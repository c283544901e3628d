/* shim.h — the one place every byte of a connection crosses its socket.
 * Today it records: each read() that moved bytes becomes one EV_WIRE event
 * (I2T), and each buffer of a gathered write the bytes of that buffer it
 * moved (T2I), so a PDU queued alone is one EV_WIRE whether or not it went
 * out in the same system call as others. A fault injector (drop, delay,
 * corrupt) will plug in here later.
 */
#ifndef HARNESS_NET_SHIM_H
#define HARNESS_NET_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "harness/event.h"

struct net_shim {
	struct ev_bus *bus;   /* may be NULL */
	uint32_t conn;
};

/* read(2) from fd into buf; the bytes read go out as EV_WIRE I2T.
 * Returns what read(2) returned (errno set on -1). */
ssize_t net_shim_read(const struct net_shim *s, int fd, uint8_t *buf, size_t cap);

/* sendmsg(2) of the n buffers iov on fd (MSG_NOSIGNAL, one system call);
 * what was written of each buffer goes out as one EV_WIRE T2I, in order.
 * Returns what sendmsg(2) returned (errno set on -1). */
ssize_t net_shim_writev(const struct net_shim *s, int fd, const struct iovec *iov, size_t n);

#endif
