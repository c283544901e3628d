/* fuzz_pcap_reader.c — libFuzzer harness for the capture reader: the input
 * is a capture file (pcap or pcapng), opened from memory (fmemopen) and
 * read through the whole reader: link decoding, TCP reassembly, iSCSI
 * framing and digest learning. The last input byte picks the options
 * (heuristic, small reassembly cap and connection table, EV_WIRE, a tiny
 * buffer for classic pcap records so they straddle its end and outgrow
 * it), so the limits are reached with small inputs too. An observer counts the events
 * and checks what every one of them promises: a PDU's length is what its
 * header and digests say, a gap is not empty, bytes are readable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/capture/pcap_reader.h"
#include "pdu/pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	uint64_t n[EV_RESYNC + 1];
	uint32_t sum;
};

static int on_event(void *ctx, const struct event *ev)
{
	struct tally *t = ctx;
	if ((unsigned)ev->kind > EV_RESYNC)
		__builtin_trap();
	t->n[ev->kind]++;
	switch (ev->kind) {
	case EV_PDU: {
		size_t need = 0;
		if (!ev->bytes || ev->len < PDU_BHS_LEN || ev->conn == 0)
			__builtin_trap();
		if (pdu_frame_len(ev->bytes, ev->len, ev->digests, &need) != PDU_OK ||
		    need != ev->len)
			__builtin_trap();
		for (size_t i = 0; i < ev->len; i++)
			t->sum += ev->bytes[i];
		break;
	}
	case EV_WIRE:
		if (!ev->bytes || ev->len == 0)
			__builtin_trap();
		t->sum += ev->bytes[0] + ev->bytes[ev->len - 1];
		break;
	case EV_GAP:
		if (ev->len == 0 || !ev->text)
			__builtin_trap();
		break;
	case EV_NOTE:
	case EV_RESYNC:
		if (!ev->text)
			__builtin_trap();
		for (const char *p = ev->text; *p; p++)
			t->sum += (uint8_t)*p;
		break;
	case EV_CONN_OPEN:
		if (!ev->ep || ev->conn == 0)
			__builtin_trap();
		break;
	default:
		break;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t knobs = data[size - 1];
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	static const uint16_t extra_ports[] = { 8080, 5000 };
	struct cap_reader_opts o = {
		.heuristic = knobs & 1,
		.reasm_cap = (knobs & 2) ? 4096 : 0,
		.history = (knobs & 4) ? 64 : 0,
		.max_conns = (knobs & 8) ? 2 : 0,
		.wire_events = (knobs & 16) != 0,
		.target_ports = extra_ports,
		.n_target_ports = (knobs & 32) ? 2 : 0,
		.read_buffer = (knobs & 64) ? ((knobs & 128) ? 97 : 1) : 0,
	};
	char err[256];
	struct cap_reader *r;
	if (cap_reader_open_file(&r, fp, "fuzz", &o, err, sizeof err) != 0) {
		if (!err[0])
			__builtin_trap();
		return 0;
	}
	struct tally t = { { 0 }, 0 };
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ on_event, &t });
	int rc = cap_reader_run(r, &bus);
	if (rc != 0 && !cap_reader_errmsg(r)[0])
		__builtin_trap();
	const struct cap_reader_stats *st = cap_reader_stats(r);
	if (st->pdus != t.n[EV_PDU] || st->gaps != t.n[EV_GAP] ||
	    st->resyncs != t.n[EV_RESYNC])
		__builtin_trap();
	cap_reader_close(r);
	return 0;
}
