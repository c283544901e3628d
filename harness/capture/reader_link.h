/* reader_link.h — decoding one captured frame down to its TCP segment: the
 * link layers the capture reader accepts (Ethernet with any number of
 * 802.1Q / 802.1ad tags, Linux cooked SLL and SLL2, BSD loopback DLT_NULL
 * and DLT_LOOP with the family word in either byte order, raw IP, and the
 * IPv4-only / IPv6-only link types), IPv4 with options and IPv6 with its
 * extension headers, and the TCP header.
 *
 * Pure: no I/O, no allocation, no global state. Every read is bounds
 * checked against the captured length; the IP total / payload length
 * bounds the segment (Ethernet padding is never payload), and a frame the
 * snap length cut short gives a segment whose captured payload is shorter
 * than the one on the wire. An IPv4 total length or IPv6 payload length of
 * 0 is taken as segmentation offload (a frame captured before the NIC cut
 * it): the packet then ends with the frame. IP fragments are reported, not
 * reassembled.
 * Checksums are not verified (captures taken on a sending host routinely
 * carry offloaded, unfilled checksums).
 */
#ifndef HARNESS_CAPTURE_READER_LINK_H
#define HARNESS_CAPTURE_READER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP header flags (byte 13). */
#define RD_TH_FIN 0x01u
#define RD_TH_SYN 0x02u
#define RD_TH_RST 0x04u
#define RD_TH_PSH 0x08u
#define RD_TH_ACK 0x10u

enum rd_kind {
	RD_TCP,        /* a TCP segment: seg is filled */
	RD_NOT_IP,     /* a link-layer frame that carries neither IPv4 nor IPv6 */
	RD_NOT_TCP,    /* IP carrying another protocol (UDP, ICMP, ESP, ...) */
	RD_FRAGMENT,   /* an IPv4 or IPv6 fragment (not reassembled) */
	RD_MALFORMED,  /* a header that does not fit or makes no sense: why
			  and offset say which and where */
};

/* One TCP segment; pointers are into the frame. */
struct rd_segment {
	int family;              /* AF_INET or AF_INET6 */
	const uint8_t *src, *dst;/* 4 or 16 bytes, network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;           /* RD_TH_* */
	const uint8_t *payload;  /* the captured payload bytes */
	size_t len;              /* captured payload bytes */
	size_t wire_len;         /* payload bytes per the IP length (>= len) */
};

struct rd_result {
	enum rd_kind kind;
	struct rd_segment seg;   /* RD_TCP */
	size_t offset;           /* RD_MALFORMED: byte of the frame at fault */
	char why[112];           /* RD_MALFORMED, RD_NOT_IP, RD_NOT_TCP,
				    RD_FRAGMENT: a short description */
};

/* Whether the reader understands this link type (a DLT_ value as
 * pcap_datalink() returns it). */
bool rd_link_supported(int dlt);

/* A name for a link type ("Ethernet", "Linux cooked (SLL2)", ...); unknown
 * types print as "link type N" into buf (which must hold 32 bytes). */
const char *rd_link_name(int dlt, char buf[32]);

/* Decode frame[0..caplen) of link type dlt into out; wirelen is the
 * frame's length on the wire (>= caplen), used when an IP length field is
 * 0 (a capture of segmentation offload: the IP length is the frame's).
 * Never fails: the kind says what the frame turned out to be. */
void rd_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
	       struct rd_result *out);

#endif
