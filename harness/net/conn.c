/* conn.c — a connection's receive buffer, PDU framing and send queue.
 *
 * The receive buffer holds at least RX_CHUNK bytes and grows to the whole
 * PDU being framed when that is bigger, so a large data segment is read
 * straight from the socket into place and never copied again; a buffer
 * grown that way is given back at the next read that finds it empty (a
 * framed PDU stays valid until then).
 *
 * The send queue holds one chunk per PDU; a flush hands up to TX_IOV_MAX
 * of them to one sendmsg.
 */
#include "harness/net/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define RX_CHUNK (64u * 1024u)
#define TX_IOV_MAX 64u   /* queued PDUs handed to one sendmsg */

/* Make room after rx_end for the rest of the PDU at rx_start (RX_CHUNK at
 * least). Returns 0, or -1 out of memory. */
static int rx_make_room(struct net_conn *c)
{
	size_t want = c->rx_need > RX_CHUNK ? c->rx_need : RX_CHUNK;
	if (c->rx_start == c->rx_end) {
		c->rx_start = c->rx_end = 0;
		if (c->rx_cap > want) {
			free(c->rx);
			c->rx = NULL;
			c->rx_cap = 0;
		}
	}
	size_t used = c->rx_end - c->rx_start;
	if (c->rx_start > 0 && c->rx_cap - c->rx_start < want) {
		memmove(c->rx, c->rx + c->rx_start, used);
		c->rx_start = 0;
		c->rx_end = used;
	}
	if (c->rx_cap - c->rx_start < want) {
		uint8_t *rx = realloc(c->rx, c->rx_start + want);
		if (!rx)
			return -1;
		c->rx = rx;
		c->rx_cap = c->rx_start + want;
	}
	return 0;
}

long conn_rx_read(struct net_conn *c)
{
	if (rx_make_room(c) < 0) {
		errno = ENOMEM;
		return -1;
	}
	ssize_t n = net_shim_read(&c->shim, c->fd, c->rx + c->rx_end, c->rx_cap - c->rx_end);
	if (n > 0)
		c->rx_end += (size_t)n;
	return (long)n;
}

static uint32_t data_segment_len(const uint8_t *bhs)
{
	return (uint32_t)bhs[5] << 16 | (uint32_t)bhs[6] << 8 | bhs[7];
}

enum conn_rx_result conn_rx_next(struct net_conn *c, size_t max_dsl, const uint8_t **pdu,
				 size_t *len, int *parse_rc)
{
	const uint8_t *buf = c->rx + c->rx_start;
	size_t avail = c->rx_end - c->rx_start;
	if (avail < PDU_BHS_LEN)
		return CONN_RX_MORE;
	if (data_segment_len(buf) > max_dsl) {
		*len = data_segment_len(buf);
		return CONN_RX_TOO_BIG;
	}
	size_t need = 0;
	int rc = pdu_frame_len(buf, avail, c->rx_dg, &need);
	c->rx_need = need;
	if (rc != PDU_OK)
		return CONN_RX_MORE;
	struct pdu_view v;
	rc = pdu_parse(buf, need, c->rx_dg, &v, NULL);
	if (rc == PDU_E_HEADER_DIGEST)
		*parse_rc = PDU_E_HEADER_DIGEST;
	else if (v.has_data_digest && !v.data_digest_ok)
		*parse_rc = PDU_E_DATA_DIGEST;
	else
		*parse_rc = PDU_OK;
	*pdu = buf;
	*len = need;
	c->rx_start += need;
	c->rx_offset += need;
	c->rx_need = PDU_BHS_LEN;
	return CONN_RX_PDU;
}

int conn_tx_queue(struct net_conn *c, const uint8_t *pdu, size_t len)
{
	struct net_tx_chunk *k = malloc(sizeof *k + len);
	if (!k)
		return -1;
	*k = (struct net_tx_chunk){ .len = len };
	memcpy(k->bytes, pdu, len);
	if (c->tx_tail)
		c->tx_tail->next = k;
	else
		c->tx_head = k;
	c->tx_tail = k;
	c->tx_bytes += len;
	c->tx_offset += len;
	return 0;
}

int conn_tx_flush(struct net_conn *c)
{
	while (c->tx_head) {
		struct iovec iov[TX_IOV_MAX];
		size_t n = 0;
		for (struct net_tx_chunk *k = c->tx_head; k && n < TX_IOV_MAX; k = k->next)
			iov[n++] = (struct iovec){ k->bytes + k->off, k->len - k->off };
		ssize_t w = net_shim_writev(&c->shim, c->fd, iov, n);
		if (w < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
		if (w == 0) /* nothing taken: wait for NET_OUT */
			return 1;
		size_t left = (size_t)w;
		c->tx_bytes -= left;
		while (left) {
			struct net_tx_chunk *k = c->tx_head;
			size_t part = k->len - k->off;
			if (left < part) {
				k->off += left;
				break;
			}
			left -= part;
			c->tx_head = k->next;
			free(k);
		}
		if (!c->tx_head)
			c->tx_tail = NULL;
	}
	return 0;
}

void conn_free_buffers(struct net_conn *c)
{
	free(c->rx);
	c->rx = NULL;
	c->rx_cap = c->rx_start = c->rx_end = 0;
	while (c->tx_head) {
		struct net_tx_chunk *k = c->tx_head;
		c->tx_head = k->next;
		free(k);
	}
	c->tx_tail = NULL;
	c->tx_bytes = 0;
}
