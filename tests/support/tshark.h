/* tshark.h — test helper: runs tshark (Wireshark 4.x) on a pcap file and
 * returns what an independent dissector made of it: malformed frames,
 * expert errors and warnings (iSCSI ones apart from the others), TCP
 * analysis problems, bad checksums, every iSCSI PDU it decoded with its
 * header fields, and the reassembled bytes of each direction of a stream.
 *
 * How tshark is run (fork + exec, no shell; TSHARK in the environment
 * overrides /usr/bin/tshark): -n, an empty private WIRESHARK_CONFIG_DIR so
 * no personal preference changes the result, and explicit preferences:
 * tcp.check_checksum and ip.check_checksum TRUE, TCP sequence analysis and
 * reassembly on, iSCSI desegmentation on, iscsi.target_ports set to the
 * ports given (a non-3260 target port is not dissected as iSCSI
 * otherwise), and iscsi.bogus_pdu_max_data_len raised from 262144 to
 * 16777215 (tshark otherwise skips every PDU whose DataSegmentLength is
 * above 256 KiB). Later -o in extra_args override these. tsh_analyze()
 * reads the whole dissection as PDML (-T pdml) into memory; see tshark.c
 * for why PDML and how it is split per PDU.
 *
 * tshark 4.0 quirk to know when comparing PDU by PDU: a PDU with an
 * undefined opcode is not dissected, and neither is anything after it in
 * the same TCP segment (iscsi.bogus_pdu_filter:FALSE does not change this).
 */
#ifndef TESTS_SUPPORT_TSHARK_H
#define TESTS_SUPPORT_TSHARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TSH_DEFAULT_PATH "/usr/bin/tshark"

struct tsh_opts {
	const char *iscsi_ports;        /* iscsi.target_ports, a range such as
	                                 * "3260" or "3260,5000-5001"; NULL: "3260" */
	const char *const *extra_args;  /* NULL-terminated list of more tshark
	                                 * arguments (e.g. "-o", "pref:value"),
	                                 * placed before -r; NULL: none */
};

/* The per-PDU header fields, in this order in tsh_pdu.v. */
enum tsh_field {
	TSH_OPCODE,        /* iscsi.opcode (without the I bit) */
	TSH_ITT,           /* iscsi.initiatortasktag */
	TSH_CMDSN,         /* iscsi.cmdsn */
	TSH_STATSN,        /* iscsi.statsn */
	TSH_EXPSTATSN,     /* iscsi.expstatsn */
	TSH_EXPCMDSN,      /* iscsi.expcmdsn */
	TSH_MAXCMDSN,      /* iscsi.maxcmdsn */
	TSH_DATASN,        /* iscsi.datasn (tshark also uses it for a Reject's
	                    * DataSN/R2TSN word) */
	TSH_BUFFER_OFFSET, /* iscsi.bufferOffset */
	TSH_DSL,           /* iscsi.datasegmentlength */
	TSH_LUN,           /* the 8 LUN bytes as a big-endian number (tshark's
	                    * unnamed "LUN"/"LUNs" item; there is no iscsi.lun
	                    * field in 4.0, scsi.lun is only the decoded number) */
	TSH_TTT,           /* iscsi.targettransfertag */
	TSH_R2TSN,         /* iscsi.r2tsn */
	TSH_EXPDATASN,     /* iscsi.expdatasn */
	TSH_HDIGEST,       /* iscsi.headerdigest32: the 4 digest bytes read
	                    * big-endian, i.e. byte-swapped from the CRC value of
	                    * a digest sent least significant byte first */
	TSH_DDIGEST,       /* iscsi.datadigest32, the same way */
	TSH_N_FIELDS
};

enum tsh_digest {
	TSH_DIGEST_ABSENT,  /* tshark showed no digest */
	TSH_DIGEST_GOOD,    /* "(Good CRC32)" */
	TSH_DIGEST_BAD,     /* "(Bad CRC32, should be ...)" */
	TSH_DIGEST_UNCHECKED,
};

/* One iSCSI PDU as tshark decoded it. tshark shows, per opcode, only the
 * fields that opcode has; `has` says which (bit 1u << enum tsh_field). */
struct tsh_pdu {
	uint32_t frame;     /* frame.number where tshark dissected the PDU: the
	                     * frame that completed it */
	uint32_t stream;    /* tcp.stream */
	uint16_t srcport, dstport;
	uint32_t has;
	uint64_t v[TSH_N_FIELDS];
	enum tsh_digest hdigest, ddigest;
	bool nested;        /* carried a nested PDU (a Reject's rejected header),
	                     * whose fields are not mixed into these */
};

struct tsh_report {
	size_t frames;
	size_t malformed;             /* frames with _ws.malformed */
	size_t malformed_iscsi;       /* ... of which "[Malformed Packet: iSCSI]" */
	size_t expert_errors_iscsi;   /* expert items of severity Error raised in
	                               * an iSCSI layer (or iSCSI malformed) */
	size_t expert_errors_other;   /* ... in any other layer (TCP bad checksum,
	                               * IP, other malformed packets) */
	size_t expert_warnings_iscsi;
	size_t expert_warnings_other; /* e.g. TCP "previous segment not captured" */
	size_t tcp_problems;          /* frames with tcp.analysis.flags and without
	                               * tcp.analysis.window_update */
	size_t bad_tcp_checksums;     /* frames with tcp.checksum.status == Bad */
	size_t bad_ip_checksums;      /* frames with ip.checksum.status == Bad */
	struct tsh_pdu *pdus;         /* in dissection order */
	size_t n_pdus;
	char *problems;               /* one line per error/warning item and per
	                               * TCP problem frame ("" when none) */
};

/* The bytes tshark's "follow TCP stream" reassembled, per direction: node 0
 * is the side that sent the stream's first frame (the SYN: the initiator). */
struct tsh_follow {
	char node[2][80];   /* "addr:port" ("[v6addr]:port"); ":0" when the
	                     * stream does not exist */
	uint8_t *data[2];
	size_t len[2];
};

/* tshark's path: $TSHARK, else TSH_DEFAULT_PATH. */
const char *tsh_path(void);

/* True when tshark is there and runs (tshark -v succeeds). */
bool tsh_available(void);

/* Dissect pcap and fill r (free with tsh_report_free). Returns 0, or -1
 * with a message in err. */
int tsh_analyze(const char *pcap, const struct tsh_opts *opts, struct tsh_report *r,
		char *err, size_t errlen);
void tsh_report_free(struct tsh_report *r);

/* Frames matching a display filter (tshark -Y), or -1 with err set. */
long tsh_count(const char *pcap, const struct tsh_opts *opts, const char *filter,
	       char *err, size_t errlen);

/* tshark -q -z follow,tcp,raw,STREAM. Returns 0, or -1 with err set. */
int tsh_follow(const char *pcap, const struct tsh_opts *opts, unsigned stream,
	       struct tsh_follow *f, char *err, size_t errlen);
void tsh_follow_free(struct tsh_follow *f);

/* The tshark name of a field ("iscsi.cmdsn"; "LUN" for TSH_LUN). */
const char *tsh_field_name(enum tsh_field f);

/* The value of field f of p into *v; false when tshark did not show it. */
bool tsh_pdu_get(const struct tsh_pdu *p, enum tsh_field f, uint64_t *v);

#endif
