/* fuzz_target.c — libFuzzer harness for the embedded target: each input
 * is a script (target_script.h) of connections opened, bytes fed, closes
 * and clock advances, played against a fresh target engine over the
 * in-memory carrier. The seed corpus (fuzz/corpus/fuzz_target, made by
 * gen_target_corpus) holds whole sessions that log in, so mutations start
 * from Full Feature Phase: commands, data, NOP, Text, TMF, SNACK, Logout,
 * MC/S and recovery at every ErrorRecoveryLevel. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/target_script.h"
#include "harness/net/mem_carrier.h"
#include "harness/roles/scsi_dev.h"

#define MAX_OPENS 32   /* connections one input may open */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One device for every run: commands change its data, never the engine's
 * state, so runs stay independent as far as the protocol goes. */
static struct scsi_dev *shared_dev(void)
{
	static struct scsi_dev *dev;
	if (!dev) {
		char err[128];
		dev = scsi_dev_create("FUZZ");
		if (!dev || scsi_dev_add_ram(dev, FTS_LUN_BYTES, err, sizeof err) != 0)
			abort();
	}
	return dev;
}

struct run {
	struct mem_carrier *m;
	uint32_t slot[FTS_SLOTS];     /* carrier conn ids, 0: none */
	uint32_t opened[MAX_OPENS];   /* every conn opened, for draining */
	size_t n_opened;
};

static void open_slot(struct run *r, unsigned slot)
{
	if (r->n_opened == MAX_OPENS)
		return;
	uint32_t id = mem_carrier_open(r->m);
	r->slot[slot] = id;
	r->opened[r->n_opened++] = id;
}

/* What the engine sent is dropped, so memory stays flat. */
static void drain(struct run *r)
{
	for (size_t i = 0; i < r->n_opened; i++) {
		const uint8_t *pdu;
		size_t len;
		while (mem_carrier_next(r->m, r->opened[i], &pdu, &len, NULL))
			;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct run r = { .m = mem_carrier_create(NULL, false) };
	struct tgt_cfg cfg = fts_target_cfg(shared_dev(), data[0] & FTS_CFG_CHAP);
	struct tgt *t = tgt_create(&cfg, mem_carrier_io(r.m));
	if (!r.m || !t)
		abort();
	mem_carrier_set_engine(r.m, tgt_engine_ops(t));
	unsigned conns = (data[0] & FTS_CFG_CONNS_MASK) + 1u;
	for (unsigned i = 0; i < conns; i++)
		open_slot(&r, i);
	size_t pos = 1;
	while (pos < size) {
		uint8_t rec = data[pos++];
		unsigned slot = rec & (FTS_SLOTS - 1);
		switch ((enum fts_kind)(rec >> 3 & 7)) {
		case FTS_FIN:
		case FTS_RST:
			if (r.slot[slot])
				mem_carrier_peer_close(r.m, r.slot[slot],
						       (rec >> 3 & 7) == FTS_RST);
			break;
		case FTS_OPEN:
			open_slot(&r, slot);
			break;
		case FTS_ADVANCE:
			if (pos < size)
				mem_carrier_advance(r.m, (int64_t)data[pos++] *
						    FTS_ADVANCE_UNIT_MS);
			break;
		case FTS_FILL: {
			static uint8_t repeated[0xffff];
			if (pos + 3 > size) {
				pos = size;
				break;
			}
			size_t count = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
			memset(repeated, data[pos + 2], count);
			pos += 3;
			if (r.slot[slot] && count)
				mem_carrier_feed(r.m, r.slot[slot], repeated, count);
			break;
		}
		case FTS_ASYNC:
			if (pos + 2 > size) {
				pos = size;
				break;
			}
			if (r.slot[slot])
				tgt_async_event(t, r.slot[slot], data[pos],
						data[pos + 1]);
			pos += 2;
			break;
		default: {   /* FTS_FEED and the kind that reads as it */
			size_t len = 0;
			if (pos + 2 <= size)
				len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
			pos += 2;
			if (pos > size)
				pos = size;
			if (len > size - pos)
				len = size - pos;
			if (r.slot[slot] && len)
				mem_carrier_feed(r.m, r.slot[slot], data + pos, len);
			pos += len;
			break;
		}
		}
		drain(&r);
	}
	mem_carrier_set_engine(r.m, (struct proto_engine_ops){ 0 });
	tgt_free(t);
	mem_carrier_free(r.m);
	return 0;
}
