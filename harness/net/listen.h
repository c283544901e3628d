/* listen.h — sockets for the server: a listening socket from "HOST:PORT"
 * ("127.0.0.1:3260", "[::1]:0", "[::]:3260") and the endpoints of an
 * accepted connection as events carry them. */
#ifndef HARNESS_NET_LISTEN_H
#define HARNESS_NET_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"

/* A non-blocking listening socket bound to addr (IPv6 sockets are
 * IPV6_V6ONLY); *port is the port bound. Returns the fd, or -1 with a
 * message in err. */
int net_listen(const char *addr, uint16_t *port, char *err, size_t errlen);

/* Fill ep from an accepted socket: initiator = peer, target = local.
 * Returns 0, or -1 (errno). */
int net_endpoints(int fd, struct ev_endpoints *ep);

#endif
