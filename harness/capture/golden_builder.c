/* golden_builder.c — the numbering, building and emitting of golden
 * sessions (golden_builder.h), shared by golden.c and golden_mcs.c. Which
 * PDUs take a CmdSN or a StatSN is pdu/pdu.h's answer, the same the offline
 * checker uses. Deterministic: no clock, no randomness.
 */
#include <string.h>
#include <sys/socket.h>

#include "harness/capture/golden_builder.h"

void gb_session_init(struct gb_session *s, struct ev_bus *bus, int64_t t0_ns,
		     int64_t step_ns, uint32_t window, const uint8_t isid[6],
		     uint16_t tsih, uint32_t first_itt)
{
	memset(s, 0, sizeof *s);
	s->bus = bus;
	s->now = t0_ns;
	s->step_ns = step_ns;
	s->window = window;
	s->cmdsn = 1;
	s->expcmdsn = 1;
	memcpy(s->isid, isid, sizeof s->isid);
	s->tsih = tsih;
	s->next_itt = first_itt;
	for (size_t i = 0; i < sizeof s->payload; i++)
		s->payload[i] = (uint8_t)(i * 13 + 5);
}

void gb_conn_init(struct gb_conn *c, uint32_t id, uint16_t cid,
		  const uint8_t ini_ip[4], uint16_t ini_port,
		  const uint8_t tgt_ip[4], uint16_t tgt_port, uint32_t first_statsn)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->cid = cid;
	c->ep.family = AF_INET;
	memcpy(c->ep.ini_addr, ini_ip, 4);
	memcpy(c->ep.tgt_addr, tgt_ip, 4);
	c->ep.ini_port = ini_port;
	c->ep.tgt_port = tgt_port;
	c->statsn = first_statsn;
}

void gb_note_rc(struct gb_session *s, int rc)
{
	if (rc < 0 && s->rc == 0)
		s->rc = rc;
}

void gb_conn_event(struct gb_session *s, struct gb_conn *c, enum ev_kind kind,
		   enum ev_dir dir)
{
	struct event ev = { .kind = kind, .conn = c->id, .dir = dir,
			    .ts_ns = s->now, .ep = &c->ep };
	gb_note_rc(s, ev_emit(s->bus, &ev));
	s->now += s->step_ns;
}

struct pdu_hdr gb_hdr(uint8_t opcode)
{
	struct pdu_hdr h;
	memset(&h, 0, sizeof h);
	h.opcode = opcode;
	h.itt = PDU_RESERVED_TAG;
	h.ttt = PDU_RESERVED_TAG;
	return h;
}

void gb_send(struct gb_session *s, struct gb_conn *c, struct pdu_hdr *h,
	     bool resend, const uint8_t *ahs, size_t ahs_len,
	     const uint8_t *data, size_t data_len)
{
	bool initiator = pdu_opcode_is_initiator(h->opcode);
	if (initiator) {
		h->cmdsn = s->cmdsn;
		h->expstatsn = c->expstatsn;
		if (pdu_takes_cmdsn(h))
			s->expcmdsn = ++s->cmdsn; /* received in order */
	} else {
		bool numbered = pdu_is_numbered_response(h);
		h->expcmdsn = s->expcmdsn;
		h->maxcmdsn = s->expcmdsn + s->window - 1;
		if (!resend) {
			h->statsn = c->statsn;
			if (numbered)
				c->statsn++;
		}
		if (numbered)
			c->expstatsn = h->statsn + 1;
		else if (h->opcode == PDU_OP_DATA_IN)
			h->statsn = 0; /* only meaningful with S=1 */
	}
	struct pdu_digests dg = { false, false };
	if (c->full_feature)
		dg = c->dg;
	long len = pdu_build(h, ahs, ahs_len, data, data_len, dg, true,
			     s->wire, sizeof s->wire);
	if (len < 0) {
		gb_note_rc(s, (int)len);
		return;
	}
	struct event ev = { .kind = EV_WIRE, .conn = c->id,
			    .dir = initiator ? EV_DIR_I2T : EV_DIR_T2I,
			    .ts_ns = s->now, .bytes = s->wire, .len = (size_t)len };
	gb_note_rc(s, ev_emit(s->bus, &ev));
	ev.kind = EV_PDU;
	ev.digests = dg;
	gb_note_rc(s, ev_emit(s->bus, &ev));
	s->now += s->step_ns;
}

size_t gb_text_keys(uint8_t *buf, size_t cap, const char *const *pairs)
{
	size_t used = 0;
	for (; pairs && *pairs; pairs++) {
		size_t n = strlen(*pairs) + 1;
		if (used + n > cap)
			break;
		memcpy(buf + used, *pairs, n);
		used += n;
	}
	return used;
}

void gb_login_step(struct gb_session *s, struct gb_conn *c,
		   struct pdu_hdr *req, const char *const *req_keys,
		   struct pdu_hdr *rsp, const char *const *rsp_keys)
{
	uint8_t text[1024];
	req->opcode = PDU_OP_LOGIN_REQ;
	req->immediate = true;
	req->cid = c->cid;
	memcpy(req->isid, s->isid, sizeof s->isid);
	gb_send(s, c, req, false, NULL, 0, text, gb_text_keys(text, sizeof text, req_keys));
	rsp->opcode = PDU_OP_LOGIN_RSP;
	rsp->itt = req->itt;
	rsp->csg = req->csg;
	rsp->nsg = req->nsg;
	memcpy(rsp->isid, s->isid, sizeof s->isid);
	gb_send(s, c, rsp, false, NULL, 0, text, gb_text_keys(text, sizeof text, rsp_keys));
}
