/* target_scsi.c — the target's tasks: a SCSI Command becomes a task bound
 * to its connection (allegiance, MCS-009); write data is collected from
 * immediate data, unsolicited Data-Out and R2Ts (SEQ-014, SEQ-017,
 * SEQ-019, SEQ-021); read data goes out as Data-In sequences bounded by
 * MaxBurstLength and the initiator's MaxRecvDataSegmentLength (SEQ-012,
 * SEQ-018, SEQ-019) with the status collapsed into the last one when it is
 * GOOD; then the SCSI Response with residuals. At ERL >= 1 a task's data
 * and status stay until the initiator acknowledges the status, so SNACK
 * and reassignment can resend them.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

#define TGT_MAX_XFER (64u << 20)  /* largest transfer buffered per task */

/* ---- received ranges --------------------------------------------------- */

static int ranges_add(struct tgt_ranges *rs, uint32_t a, uint32_t b)
{
	if (a >= b)
		return 0;
	size_t i = 0;
	while (i < rs->n && rs->r[i][1] < a)
		i++;
	size_t j = i;
	while (j < rs->n && rs->r[j][0] <= b) {
		if (rs->r[j][0] < a)
			a = rs->r[j][0];
		if (rs->r[j][1] > b)
			b = rs->r[j][1];
		j++;
	}
	if (j == i) {  /* insert at i */
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 4;
			void *p = realloc(rs->r, cap * sizeof rs->r[0]);
			if (!p)
				return -1;
			rs->r = p;
			rs->cap = cap;
		}
		memmove(rs->r + i + 1, rs->r + i, (rs->n - i) * sizeof rs->r[0]);
		rs->n++;
	} else if (j > i + 1) {
		memmove(rs->r + i + 1, rs->r + j, (rs->n - j) * sizeof rs->r[0]);
		rs->n -= j - i - 1;
	}
	rs->r[i][0] = a;
	rs->r[i][1] = b;
	return 0;
}

static bool ranges_cover(const struct tgt_ranges *rs, uint32_t a, uint32_t b)
{
	if (a >= b)
		return true;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i][0] <= a && rs->r[i][1] >= b)
			return true;
	return false;
}

/* The first hole in [a, b): *ha..*hb. Returns false when none. */
static bool ranges_hole(const struct tgt_ranges *rs, uint32_t a, uint32_t b,
			uint32_t *ha, uint32_t *hb)
{
	uint32_t pos = a;
	for (size_t i = 0; i < rs->n && pos < b; i++) {
		if (rs->r[i][1] <= pos)
			continue;
		if (rs->r[i][0] > pos) {
			*ha = pos;
			*hb = rs->r[i][0] < b ? rs->r[i][0] : b;
			return true;
		}
		pos = rs->r[i][1];
	}
	if (pos < b) {
		*ha = pos;
		*hb = b;
		return true;
	}
	return false;
}

/* ---- the task table ---------------------------------------------------- */

static size_t bucket(uint32_t itt) { return (itt ^ (itt >> 7)) % TGT_TASK_BUCKETS; }

struct tgt_task *tgt_task_find(struct tgt_sess *s, uint32_t itt)
{
	for (struct tgt_task *k = s->buckets[bucket(itt)]; k; k = k->next_hash)
		if (k->itt == itt)
			return k;
	return NULL;
}

void tgt_task_free(struct tgt_task *task)
{
	struct tgt_sess *s = task->sess;
	struct tgt_task **pp = &s->buckets[bucket(task->itt)];
	while (*pp && *pp != task)
		pp = &(*pp)->next_hash;
	if (*pp)
		*pp = task->next_hash;
	if (task->orphan_deadline_timer)
		s->t->io.timer_cancel(s->t->io.ctx, task->orphan_deadline_timer);
	s->n_tasks--;
	s->t->stats.tasks_now--;
	free(task->got.r);
	free(task->buf);
	free(task);
}

/* ---- status ------------------------------------------------------------- */

/* Residuals (RFC 7143 §11.4.5): what the CDB asked against what the
 * initiator expected (EDTL), and for data in what was really sent. */
static void residuals(const struct tgt_task *task, bool *over, bool *under,
		      uint32_t *count)
{
	uint32_t want = task->plan.dir == TGT_DIR_NONE ? 0 : task->plan.length;
	uint32_t moved = task->read ? task->data_in_len : want;
	*over = *under = false;
	*count = 0;
	if (want > task->edtl) {
		*over = true;
		*count = want - task->edtl;
	} else if (moved < task->edtl) {
		*under = true;
		*count = task->edtl - moved;
	}
}

static bool erl_keeps(const struct tgt_task *task)
{
	return task->sess->params.error_recovery_level >= 1;
}

/* The task's status went out: at ERL 0 it is done; at ERL >= 1 it waits
 * for the initiator's ExpStatSN (ERL1-011 needs it for a resend). */
static void status_sent(struct tgt_task *task, uint32_t statsn)
{
	task->status_sent = true;
	task->status_statsn = statsn;
	task->state = TTASK_DONE;
	if (!erl_keeps(task) || task->immediate)
		tgt_task_free(task);
}

void tgt_task_send_status(struct tgt_task *task)
{
	struct tgt_conn *c = task->conn;
	bool over, under;
	uint32_t count;
	residuals(task, &over, &under, &count);
	struct pdu_hdr h = {
		.opcode = PDU_OP_SCSI_RSP,
		.final = true,
		.response = 0,
		.status = task->result.status,
		.overflow = over,
		.underflow = under,
		.residual = count,
		.itt = task->itt,
		.snack_tag = task->snack_tag,
		/* ExpDataSN: Data-In PDUs sent for a read, R2Ts for a write */
		.expdatasn = task->read ? task->datasn : task->r2tsn,
	};
	uint8_t sense[2 + sizeof task->result.sense];
	size_t sense_len = 0;
	if (task->result.sense_len) {
		sense[0] = (uint8_t)(task->result.sense_len >> 8);
		sense[1] = (uint8_t)task->result.sense_len;
		memcpy(sense + 2, task->result.sense, task->result.sense_len);
		sense_len = 2 + task->result.sense_len;
	}
	uint32_t statsn = c->statsn;
	tgt_send(c, &h, sense_len ? sense : NULL, sense_len, TGT_SN_NEW);
	status_sent(task, statsn);
}

/* Data-In PDUs with DataSN [from, from+count) (count 0: to the end); the
 * last one of the command carries the status when it may (GOOD, no
 * sense), else the SCSI Response follows. */
void tgt_task_resend_data(struct tgt_task *task, uint32_t from, uint32_t count)
{
	struct tgt_conn *c = task->conn;
	uint32_t mrdsl = c->params.mrdsl_initiator;
	uint32_t mbl = c->params.max_burst_length;
	uint32_t len = task->data_in_len;
	bool collapse = task->result.status == 0 && task->result.sense_len == 0;
	uint32_t sn = 0;
	for (uint32_t seq = 0; seq < len; seq += mbl) {
		uint32_t seq_end = len - seq > mbl ? seq + mbl : len;
		for (uint32_t off = seq; off < seq_end; sn++) {
			uint32_t n = seq_end - off > mrdsl ? mrdsl : seq_end - off;
			bool last_of_seq = off + n == seq_end;
			bool last = off + n == len;
			if (sn >= from && (count == 0 || sn < from + count)) {
				bool over, under;
				uint32_t res;
				residuals(task, &over, &under, &res);
				struct pdu_hdr h = {
					.opcode = PDU_OP_DATA_IN,
					.final = last_of_seq,
					.itt = task->itt,
					.ttt = PDU_RESERVED_TAG,
					.datasn = sn,
					.buffer_offset = off,
				};
				if (last && task->sess->params.error_recovery_level >= 1) {
					/* SEQ-029: A=1 on the command's last
					 * Data-In, with a TTT and LUN for the
					 * DataACK (ERL1-015) */
					if (!task->ack_ttt)
						task->ack_ttt = tgt_next_ttt(task->sess->t);
					h.ack = true;
					h.ttt = task->ack_ttt;
					h.lun = task->lun;
				}
				if (last && collapse) {
					h.status_present = true;
					h.status = 0;
					h.overflow = over;
					h.underflow = under;
					h.residual = res;
				}
				/* a resent status keeps its StatSN (ERL1-011) */
				enum tgt_sn how = !h.status_present ? TGT_SN_NEXT :
					task->status_sent ? TGT_SN_KEEP : TGT_SN_NEW;
				h.statsn = task->status_statsn;
				uint32_t statsn = how == TGT_SN_KEEP ? h.statsn : c->statsn;
				if (tgt_send(c, &h, task->buf + off, n, how) < 0)
					return;
				if (h.status_present) {
					if (serial_ge(sn + 1, task->datasn))
						task->datasn = sn + 1;
					if (how == TGT_SN_NEW)
						status_sent(task, statsn);
					return;
				}
			}
			off += n;
		}
	}
	if (serial_gt(sn, task->datasn))
		task->datasn = sn;
	/* the status did not ride on the data: its own response, once (a
	 * Data SNACK resends data only; reassignment clears status_sent so
	 * that the new connection gets the status, ERL2-008) */
	if (!task->status_sent && (count == 0 || serial_ge(from + count, sn)))
		tgt_task_send_status(task);
}

/* ---- execution ---------------------------------------------------------- */

static void execute(struct tgt_task *task)
{
	struct tgt *t = task->sess->t;
	t->stats.commands++;
	if (task->read) {
		/* The buffer holds what the CDB can return, never more: EDTL
		 * alone is the initiator's word (up to 4 GiB, fuzz_target
		 * found a malloc(4294967136)). */
		uint32_t cap = task->plan.dir == TGT_DIR_READ ? task->plan.length : 0;
		if (cap > task->edtl)
			cap = task->edtl;
		if (cap > TGT_MAX_XFER)
			cap = TGT_MAX_XFER;
		free(task->buf);
		task->buf = cap ? malloc(cap) : NULL;
		if (cap && !task->buf) {
			tgt_conn_fail(task->conn, true, "out of memory for read data");
			return;
		}
		t->cfg.backend.exec(t->cfg.backend.ctx, task->sess->nexus, task->lun, task->cdb,
				    sizeof task->cdb, NULL, 0, task->buf, cap,
				    &task->result);
		task->data_in_len = (uint32_t)task->result.data_in_len;
		if (task->data_in_len)
			tgt_task_resend_data(task, 0, 0);
		else
			tgt_task_send_status(task);
		return;
	}
	uint8_t scratch_in[256];
	t->cfg.backend.exec(t->cfg.backend.ctx, task->sess->nexus, task->lun, task->cdb,
			    sizeof task->cdb, task->buf, task->xfer,
			    scratch_in, task->write ? 0 : sizeof scratch_in,
			    &task->result);
	task->data_in_len = 0;
	tgt_task_send_status(task);
}

/* ---- R2T ----------------------------------------------------------------- */

static void send_r2t(struct tgt_task *task, struct tgt_r2t *r)
{
	struct pdu_hdr h = {
		.opcode = PDU_OP_R2T,
		.final = true,
		.lun = task->lun,
		.itt = task->itt,
		.ttt = r->ttt,
		.r2tsn = r->r2tsn,
		.buffer_offset = r->offset,
		.ddtl = r->len,
	};
	tgt_send(task->conn, &h, NULL, 0, TGT_SN_NEXT);
}

static void issue_r2t(struct tgt_task *task, uint32_t offset, uint32_t len,
		      bool recovery)
{
	struct tgt_r2t *r = &task->r2t[task->n_r2t++];
	r->ttt = tgt_next_ttt(task->sess->t);
	r->r2tsn = task->r2tsn++;   /* SEQ-014, ERL1-004 */
	r->offset = offset;
	r->len = len;
	r->next_datasn = 0;
	r->recovery = recovery;
	send_r2t(task, r);
}

/* Fresh R2Ts for solicited data not asked for yet, at most
 * MaxOutstandingR2T at once (SEQ-017), each at most MaxBurstLength
 * (SEQ-019), in increasing order (SEQ-021). */
static void solicit_more(struct tgt_task *task)
{
	const struct pdu_key_params *p = &task->conn->params;
	uint32_t max_out = p->max_outstanding_r2t ? p->max_outstanding_r2t : 1;
	if (max_out > TGT_MAX_R2T)
		max_out = TGT_MAX_R2T;
	while (task->n_r2t < max_out && task->next_r2t_offset < task->xfer) {
		uint32_t off = task->next_r2t_offset;
		uint32_t n = task->xfer - off;
		if (n > p->max_burst_length)
			n = p->max_burst_length;
		task->next_r2t_offset = off + n;
		if (ranges_cover(&task->got, off, off + n))
			continue;  /* already here (unsolicited beyond the burst) */
		issue_r2t(task, off, n, false);
	}
}

void tgt_task_solicit_missing(struct tgt_task *task, bool recovery)
{
	/* Holes in what was asked for so far: ask again (a recovery R2T,
	 * ERL1-004, or after reassignment, ERL2-009). */
	uint32_t a, b, pos = 0;
	task->n_r2t = 0;
	uint32_t limit = task->next_r2t_offset > task->unsol_end ?
		task->next_r2t_offset : task->unsol_end;
	while (task->n_r2t < TGT_MAX_R2T && ranges_hole(&task->got, pos, limit, &a, &b)) {
		uint32_t mbl = task->conn->params.max_burst_length;
		if (b - a > mbl)
			b = a + mbl;
		issue_r2t(task, a, b - a, recovery);
		pos = b;
	}
	solicit_more(task);
}

void tgt_task_resend_r2t(struct tgt_task *task, uint32_t from, uint32_t count)
{
	for (size_t i = 0; i < task->n_r2t; i++) {
		struct tgt_r2t *r = &task->r2t[i];
		if (serial_ge(r->r2tsn, from) &&
		    (count == 0 || serial_lt(r->r2tsn, from + count)))
			send_r2t(task, r);
	}
}

/* Fixed-format sense (SPC-4 §4.5.3) for a CHECK CONDITION the iSCSI
 * layer itself decides on. */
static void check_condition(struct tgt_result *r, uint8_t key, uint8_t asc,
			    uint8_t ascq)
{
	memset(r, 0, sizeof *r);
	r->status = 0x02;
	r->sense[0] = 0x70;
	r->sense[2] = key;
	r->sense[7] = 10;
	r->sense[12] = asc;
	r->sense[13] = ascq;
	r->sense_len = 18;
}

static void write_progress(struct tgt_task *task)
{
	/* Data-Out may come for a command still waiting for its CmdSN turn
	 * (unsolicited data follows the command at once): it is kept, but
	 * the command runs and its status goes only in CmdSN order
	 * (SEQ-007); tgt_task_start takes it from here. Going on would
	 * also free, at ERL 0, a task the held queue still names. */
	if (task->state == TTASK_QUEUED)
		return;
	if (task->data_error) {
		/* REJECT-004 / ERL0-007: the CHECK CONDITION goes once no
		 * data is in flight any more; nothing more is asked for */
		if (task->unsol_done && task->n_r2t == 0)
			tgt_task_send_status(task);
		return;
	}
	if (ranges_cover(&task->got, 0, task->xfer)) {
		execute(task);
		return;
	}
	solicit_more(task);
}

void tgt_task_start(struct tgt_task *task)
{
	if (!task->write) {
		execute(task);
		return;
	}
	task->state = TTASK_DATA_OUT;
	write_progress(task);
}

/* ---- PDUs from the initiator ------------------------------------------- */

static bool erl0_fail(struct tgt_conn *c, const char *why)
{
	if (c->sess->params.error_recovery_level > 0)
		return false;
	tgt_conn_fail(c, true, why);
	return true;
}

void tgt_scsi_command(struct tgt_conn *c, const uint8_t *bytes, size_t len,
		      int parse_rc)
{
	struct tgt_sess *s = c->sess;
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	if (s->discovery) {
		tgt_reject(c, 0x04, bytes, 0); /* protocol error, as LIO */
		return;
	}
	if (parse_rc == PDU_E_DATA_DIGEST) {
		/* ERL1-002, ERL1-005: reject, take no further action; the
		 * initiator retries the command. At ERL 0 there is no retry:
		 * session recovery (ERL0-007's second choice, as LIO). */
		tgt_reject(c, 0x02, bytes, 0);
		erl0_fail(c, "ERL0-007: immediate data digest error at ERL 0");
		return;
	}
	struct tgt_task *old = tgt_task_find(s, h.itt);
	if (old) {
		if (old->cmdsn == h.cmdsn) {
			tgt_log(c->t, PROTO_LOG_INFO, c->id,
				"ERL1-008: retry of ITT 0x%08x still in progress ignored",
				h.itt);
			return;
		}
		tgt_reject(c, 0x09, bytes, 0);  /* MCS-012: ITT in use */
		return;
	}
	struct pdu_view v;
	pdu_parse(bytes, len, c->dg, &v, NULL);
	const struct pdu_key_params *p = &c->params;
	if (v.data_len && (!p->immediate_data || !h.write ||
			   v.data_len > p->first_burst_length ||
			   v.data_len > h.edtl)) {
		/* SEQ-022, SEQ-019: immediate data not allowed here */
		tgt_reject(c, 0x04, bytes, 0);
		return;
	}
	struct tgt_task *task = calloc(1, sizeof *task);
	if (!task) {
		tgt_conn_fail(c, true, "out of memory for a task");
		return;
	}
	task->sess = s;
	task->conn = c;
	task->cid = c->cid;
	task->state = TTASK_QUEUED;
	task->immediate = h.immediate;
	task->itt = h.itt;
	task->cmdsn = h.cmdsn;
	task->lun = h.lun;
	memcpy(task->cdb, h.cdb, sizeof task->cdb);
	task->read = h.read;
	task->write = h.write;
	task->edtl = h.edtl;
	task->plan = c->t->cfg.backend.plan(c->t->cfg.backend.ctx, h.lun, h.cdb,
					    sizeof h.cdb);
	task->snack_tag = 0;
	if (task->write) {
		task->xfer = h.edtl > TGT_MAX_XFER ? TGT_MAX_XFER : h.edtl;
		task->buf = task->xfer ? malloc(task->xfer) : NULL;
		if (task->xfer && !task->buf) {
			free(task);
			tgt_conn_fail(c, true, "out of memory for write data");
			return;
		}
		uint32_t imm = (uint32_t)v.data_len;
		if (imm) {
			memcpy(task->buf, v.data, imm);
			ranges_add(&task->got, 0, imm);
		}
		uint32_t fb = p->first_burst_length;
		task->unsol_end = p->initial_r2t ? imm :
			(task->xfer < fb ? task->xfer : fb);
		if (task->unsol_end < imm)
			task->unsol_end = imm;
		task->unsol_done = task->unsol_end == imm;
		task->next_r2t_offset = task->unsol_end;
	}
	size_t b = bucket(task->itt);
	task->next_hash = s->buckets[b];
	s->buckets[b] = task;
	s->n_tasks++;
	c->t->stats.tasks_now++;
	int rc = tgt_cmdsn_arrived(c, &h, bytes, len, task);
	if (rc < 0) {
		tgt_task_free(task);
		return;
	}
	if (rc == 0)
		return;
	tgt_task_start(task);
	tgt_cmdsn_drain(s);
}

/* The output sequence a Data-Out belongs to: an R2T by its TTT, or the
 * unsolicited burst (TTT = reserved tag). */
static bool data_out_sequence(struct tgt_task *task, const struct pdu_hdr *h,
			      uint32_t **next_datasn, uint32_t *lo, uint32_t *hi,
			      size_t *r2t_index)
{
	if (h->ttt == PDU_RESERVED_TAG) {
		*next_datasn = &task->unsol_next_datasn;
		*lo = 0;
		*hi = task->unsol_end;
		*r2t_index = SIZE_MAX;
		return !task->unsol_done;
	}
	for (size_t i = 0; i < task->n_r2t; i++)
		if (task->r2t[i].ttt == h->ttt) {
			*next_datasn = &task->r2t[i].next_datasn;
			*lo = task->r2t[i].offset;
			*hi = task->r2t[i].offset + task->r2t[i].len;
			*r2t_index = i;
			return true;
		}
	return false;
}

static void r2t_done(struct tgt_task *task, size_t i)
{
	task->r2t[i] = task->r2t[--task->n_r2t];
}

void tgt_data_out(struct tgt_conn *c, const uint8_t *bytes, size_t len,
		  int parse_rc)
{
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	struct tgt_task *task = tgt_task_find(c->sess, h.itt);
	if (!task || task->state == TTASK_DONE || !task->write) {
		tgt_log(c->t, PROTO_LOG_INFO, c->id,
			"Data-Out for no task in progress (ITT 0x%08x) dropped", h.itt);
		return;
	}
	if (task->conn != c) {
		/* MCS-010: data goes on the task's allegiant connection */
		tgt_reject(c, 0x04, bytes, 0);
		return;
	}
	uint32_t *next_sn, lo, hi;
	size_t ri;
	if (!data_out_sequence(task, &h, &next_sn, &lo, &hi, &ri)) {
		/* the TTT of no R2T outstanding (or unsolicited data after
		 * the burst ended): REJECT-004, the task ends with CHECK
		 * CONDITION once the data in flight has come */
		tgt_reject(c, 0x09, bytes, 0);
		if (!task->data_error) {
			task->data_error = true;
			check_condition(&task->result, 0x0b, 0x4b, 0x01);
		}
		write_progress(task);
		return;
	}
	struct pdu_view v;
	pdu_parse(bytes, len, c->dg, &v, NULL);
	bool erl0 = c->sess->params.error_recovery_level == 0;
	if (parse_rc == PDU_E_DATA_DIGEST) {
		/* ERL1-002, then at the sequence's end a recovery R2T
		 * (ERL1-003). At ERL 0 no recovery R2T: the task ends with
		 * CHECK CONDITION "protocol service CRC error" once its data
		 * is in (ERL0-007's first choice; the session goes on). */
		tgt_reject(c, 0x02, bytes, 0);
		if (erl0 && !task->data_error) {
			task->data_error = true;
			check_condition(&task->result, 0x0b, 0x47, 0x05);
		}
		(*next_sn)++;
	} else if (h.datasn != *next_sn) {
		/* SEQ-013 broken. ERL1-022: handled like a digest error
		 * (discarded; the hole is asked for again). At ERL 0 the task
		 * ends with CHECK CONDITION "data phase error" (ABORTED
		 * COMMAND 0x4b/0x00) once its data is in. */
		tgt_log(c->t, PROTO_LOG_WARN, c->id,
			"SEQ-013: Data-Out DataSN %u, expected %u (ITT 0x%08x)",
			h.datasn, *next_sn, h.itt);
		if (erl0 && !task->data_error) {
			task->data_error = true;
			check_condition(&task->result, 0x0b, 0x4b, 0x00);
		}
		if (serial_gt(h.datasn, *next_sn))
			*next_sn = h.datasn + 1;
	} else {
		(*next_sn)++;
		uint64_t end = (uint64_t)h.buffer_offset + v.data_len;
		if (h.buffer_offset < lo || end > hi) {
			/* SEQ-015 / SEQ-019: outside the R2T or the burst;
			 * REJECT-004: the task then ends with CHECK
			 * CONDITION once its data is in */
			tgt_reject(c, 0x09, bytes, 0);
			if (!task->data_error) {
				task->data_error = true;
				check_condition(&task->result, 0x0b, 0x4b, 0x05);
			}
		} else if (v.data_len) {
			memcpy(task->buf + h.buffer_offset, v.data, v.data_len);
			ranges_add(&task->got, h.buffer_offset, (uint32_t)end);
		}
	}
	if (!h.final)
		return;
	/* The sequence ended: holes in it are asked for by a recovery R2T
	 * (ERL1-003, ERL1-004). */
	if (ri == SIZE_MAX)
		task->unsol_done = true;
	else
		r2t_done(task, ri);
	uint32_t a, b;
	if (!task->data_error && ranges_hole(&task->got, lo, hi, &a, &b)) {
		if (!erl0 && task->n_r2t < TGT_MAX_R2T) {
			issue_r2t(task, a, b - a, true);
			return;
		}
		/* ERL 0 has no recovery R2T (ERL0-006): the sequence ended
		 * short of what it was to carry (SEQ-015) */
		task->data_error = true;
		check_condition(&task->result, 0x0b, 0x4b, 0x00);
	}
	if (task->unsol_done || task->data_error)
		write_progress(task);
}

/* ---- acknowledgement and abort ------------------------------------------ */

void tgt_tasks_acked(struct tgt_conn *c, uint32_t expstatsn)
{
	struct tgt_sess *s = c->sess;
	if (!s || !s->n_tasks || s->params.error_recovery_level == 0)
		return;
	for (size_t b = 0; b < TGT_TASK_BUCKETS; b++) {
		struct tgt_task *k = s->buckets[b];
		while (k) {
			struct tgt_task *next = k->next_hash;
			if (k->conn == c && k->status_sent &&
			    serial_lt(k->status_statsn, expstatsn))
				tgt_task_free(k);
			k = next;
		}
	}
}

void tgt_tasks_abort_one(struct tgt_task *task)
{
	if (task->state == TTASK_QUEUED) {
		/* its CmdSN stays counted: the held entry delivers nothing
		 * (TMF-010: no response for it after the TMF Response) */
		for (struct tgt_held *hd = task->sess->held; hd; hd = hd->next)
			if (hd->task == task)
				hd->task = NULL;
	}
	tgt_task_free(task);
}

size_t tgt_tasks_abort(struct tgt_sess *s, bool all_luns, uint64_t lun)
{
	size_t n = 0;
	for (size_t b = 0; b < TGT_TASK_BUCKETS; b++) {
		struct tgt_task *k = s->buckets[b];
		while (k) {
			struct tgt_task *next = k->next_hash;
			if (all_luns || k->lun == lun) {
				tgt_tasks_abort_one(k);
				n++;
			}
			k = next;
		}
	}
	return n;
}
