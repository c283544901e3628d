/* tshark.c — test helper that runs tshark on a pcap and parses what it says
 * (see tshark.h for what is returned).
 *
 * Why PDML. One frame can hold several iSCSI PDUs, and each PDU shows only
 * the fields its opcode has. With -T fields -E occurrence=a the values of
 * one field are aggregated per frame, so a PDU without CmdSN shifts every
 * later CmdSN onto the wrong PDU: the association is lost. PDML (-T pdml)
 * instead prints the dissection tree: every PDU tshark decoded is its own
 * <proto name="iscsi"> element, in dissection order, holding exactly that
 * PDU's fields. So each top-level iscsi element becomes one tsh_pdu and the
 * fields inside it are that PDU's, with no guessing. A Reject's rejected
 * header is dissected as a nested <proto name="iscsi"> inside the Reject's:
 * its fields are skipped (the PDU is marked nested) so they never leak into
 * the Reject's. Numbers come from each field's "show" attribute (decimal,
 * or hex with 0x). The LUN has no iscsi.lun field in tshark 4.0: it is an
 * unnamed 8-byte item shown as "LUN" or "LUNs" whose "value" attribute is
 * the raw bytes. Digest status is only in the field's showname, "(Good
 * CRC32)" or "(Bad CRC32, should be 0x...)"; tshark 4.0 raises no expert
 * item for a bad digest.
 *
 * The same PDML gives the problem counts, counted as the equivalent display
 * filters would (tsh_count() runs a filter itself, to cross-check):
 *   malformed          frames with _ws.malformed           (-Y _ws.malformed)
 *   expert errors      _ws.expert items whose _ws.expert.severity is Error
 *                      (8388608), per item, by the protocol layer holding
 *                      the item (-Y "_ws.expert.severity == error" counts
 *                      frames of any layer)
 *   TCP problems       frames with tcp.analysis.flags and no
 *                      tcp.analysis.window_update (lost segments, dup ACKs,
 *                      retransmissions... are Warnings, not Errors)
 *   bad checksums      tcp.checksum.status / ip.checksum.status == 0 (Bad),
 *                      checked because tcp/ip.check_checksum are TRUE
 */
#include "tests/support/tshark.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- growable buffer ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- running tshark ---- */

const char *tsh_path(void)
{
	const char *p = getenv("TSHARK");
	return p && *p ? p : TSH_DEFAULT_PATH;
}

/* The first line of tshark's stderr that is not the "running as root"
 * warning, for error messages. */
static void stderr_summary(const struct buf *e, char *out, size_t outlen)
{
	const char *s = e->p ? e->p : "";
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (n && strncmp(s, "Running as user", 15) != 0) {
			snprintf(out, outlen, "%.*s", (int)n, s);
			return;
		}
		s += n + (nl ? 1 : 0);
	}
	snprintf(out, outlen, "(no message)");
}

/* Runs tshark with the common arguments, then mode_args; stdout into out.
 * Returns 0 when tshark exited with status 0. */
static int run_tshark(const char *pcap, const struct tsh_opts *opts,
		      const char *const *mode_args, struct buf *out, char *err, size_t errlen)
{
	char ports[160];
	snprintf(ports, sizeof ports, "iscsi.target_ports:%s",
		 opts && opts->iscsi_ports ? opts->iscsi_ports : "3260");
	const char *common[] = {
		tsh_path(), "-n",
		"-o", "tcp.check_checksum:TRUE",
		"-o", "ip.check_checksum:TRUE",
		"-o", "tcp.analyze_sequence_numbers:TRUE",
		"-o", "tcp.desegment_tcp_streams:TRUE",
		"-o", "iscsi.desegment_iscsi_messages:TRUE",
		"-o", "iscsi.bogus_pdu_max_data_len:16777215",
		"-o", ports,
	};
	size_t n_common = sizeof common / sizeof common[0];
	size_t n_extra = 0, n_mode = 0;
	while (opts && opts->extra_args && opts->extra_args[n_extra])
		n_extra++;
	while (mode_args[n_mode])
		n_mode++;
	const char **argv = calloc(n_common + n_extra + n_mode + 3, sizeof *argv);
	if (!argv) {
		seterr(err, errlen, "tshark: out of memory");
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < n_common; i++)
		argv[k++] = common[i];
	for (size_t i = 0; i < n_extra; i++)
		argv[k++] = opts->extra_args[i];
	argv[k++] = "-r";
	argv[k++] = pcap;
	for (size_t i = 0; i < n_mode; i++)
		argv[k++] = mode_args[i];
	argv[k] = NULL;

	/* a private, empty configuration directory */
	char cfg[] = "/tmp/tsh-cfg-XXXXXX";
	if (!mkdtemp(cfg)) {
		seterr(err, errlen, "tshark: mkdtemp: %s", strerror(errno));
		free(argv);
		return -1;
	}

	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	int rc = -1;
	struct buf eb = { 0 };
	if (pipe(po) != 0 || pipe(pe) != 0) {
		seterr(err, errlen, "tshark: pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		seterr(err, errlen, "tshark: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0) {
			dup2(devnull, 0);
			close(devnull);
		}
		setenv("WIRESHARK_CONFIG_DIR", cfg, 1);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;

	struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	struct buf *dst[2] = { out, &eb };
	int open_fds = 2, failed = 0;
	char chunk[65536];
	while (open_fds > 0) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			failed = 1;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(pf[i].fd, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				pf[i].fd = -1;
				open_fds--;
			} else if (buf_add(dst[i], chunk, (size_t)r) != 0) {
				failed = 1;
			}
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (failed) {
		seterr(err, errlen, "tshark: reading its output failed");
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char msg[300];
		stderr_summary(&eb, msg, sizeof msg);
		seterr(err, errlen, "tshark on %s failed (%s %d): %s", pcap,
		       WIFEXITED(status) ? "exit status" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), msg);
	} else {
		rc = 0;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(eb.p);
	rmdir(cfg);
	free(argv);
	if (rc == 0 && !out->p)
		rc = buf_add(out, "", 0);
	return rc;
}

bool tsh_available(void)
{
	if (access(tsh_path(), X_OK) != 0)
		return false;
	struct buf out = { 0 };
	static const char *const mode[] = { "-v", NULL };
	/* -v ignores -r and the preferences, and exits 0 */
	const char *argv_pcap = "/dev/null";
	int rc = run_tshark(argv_pcap, NULL, mode, &out, NULL, 0);
	bool ok = rc == 0 && out.p && strstr(out.p, "TShark");
	free(out.p);
	return ok;
}

/* ---- field table ---- */

static const char *const field_names[TSH_N_FIELDS] = {
	[TSH_OPCODE] = "iscsi.opcode",
	[TSH_ITT] = "iscsi.initiatortasktag",
	[TSH_CMDSN] = "iscsi.cmdsn",
	[TSH_STATSN] = "iscsi.statsn",
	[TSH_EXPSTATSN] = "iscsi.expstatsn",
	[TSH_EXPCMDSN] = "iscsi.expcmdsn",
	[TSH_MAXCMDSN] = "iscsi.maxcmdsn",
	[TSH_DATASN] = "iscsi.datasn",
	[TSH_BUFFER_OFFSET] = "iscsi.bufferOffset",
	[TSH_DSL] = "iscsi.datasegmentlength",
	[TSH_LUN] = "LUN",
	[TSH_TTT] = "iscsi.targettransfertag",
	[TSH_R2TSN] = "iscsi.r2tsn",
	[TSH_EXPDATASN] = "iscsi.expdatasn",
	[TSH_HDIGEST] = "iscsi.headerdigest32",
	[TSH_DDIGEST] = "iscsi.datadigest32",
};

const char *tsh_field_name(enum tsh_field f)
{
	return (unsigned)f < TSH_N_FIELDS ? field_names[f] : "?";
}

bool tsh_pdu_get(const struct tsh_pdu *p, enum tsh_field f, uint64_t *v)
{
	if ((unsigned)f >= TSH_N_FIELDS || !(p->has & (1u << f)))
		return false;
	*v = p->v[f];
	return true;
}

/* ---- PDML parsing ---- */

struct span {
	const char *p;
	size_t n;
};

static bool span_is(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.p && s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool span_has(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; s.p && i + n <= s.n; i++)
		if (memcmp(s.p + i, lit, n) == 0)
			return true;
	return false;
}

/* "0x1f" as hex, "31" as decimal; the whole span must be a number. */
static bool span_num(struct span s, uint64_t *out)
{
	if (!s.p || s.n == 0 || s.n > 40)
		return false;
	char tmp[48];
	memcpy(tmp, s.p, s.n);
	tmp[s.n] = '\0';
	int base = (s.n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) ? 16 : 10;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(tmp, &end, base);
	if (errno || *end || end == tmp || tmp[0] == '-')
		return false;
	*out = v;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends an attribute value to b with the XML entities decoded. */
static int add_unescaped(struct buf *b, struct span s)
{
	for (size_t i = 0; s.p && i < s.n; i++) {
		char c = s.p[i];
		if (c == '&') {
			const char *semi = memchr(s.p + i, ';', s.n - i);
			if (semi) {
				struct span ent = { s.p + i + 1, (size_t)(semi - s.p - i - 1) };
				unsigned long cp = 0;
				bool ok = true;
				if (span_is(ent, "quot")) cp = '"';
				else if (span_is(ent, "amp")) cp = '&';
				else if (span_is(ent, "lt")) cp = '<';
				else if (span_is(ent, "gt")) cp = '>';
				else if (span_is(ent, "apos")) cp = '\'';
				else if (ent.n > 1 && ent.p[0] == '#')
					cp = ent.p[1] == 'x' ? strtoul(ent.p + 2, NULL, 16)
							     : strtoul(ent.p + 1, NULL, 10);
				else
					ok = false;
				if (ok) {
					char ch = cp < 0x80 ? (char)cp : '?';
					if (buf_add(b, &ch, 1) != 0)
						return -1;
					i = (size_t)(semi - s.p);
					continue;
				}
			}
		}
		if (buf_add(b, &c, 1) != 0)
			return -1;
	}
	return 0;
}

struct tag {
	bool closing, self_closing, skip;
	struct span elem, name, show, showname, value, size;
};

/* Parses the tag starting at *pp (which points at '<'); advances *pp past
 * it. Returns false at malformed input. */
static bool next_tag(const char **pp, const char *end, struct tag *t)
{
	const char *p = *pp;
	memset(t, 0, sizeof *t);
	p++;
	if (p < end && (*p == '?' || *p == '!')) {
		const char *close = (p + 2 < end && p[0] == '!' && p[1] == '-' && p[2] == '-')
			? strstr(p, "-->") : memchr(p, '>', (size_t)(end - p));
		if (!close)
			return false;
		*pp = close + (close[0] == '-' ? 3 : 1);
		t->skip = true;
		return true;
	}
	if (p < end && *p == '/') {
		t->closing = true;
		p++;
	}
	const char *e = p;
	while (e < end && *e != ' ' && *e != '>' && *e != '/' && *e != '\n' && *e != '\t')
		e++;
	t->elem.p = p;
	t->elem.n = (size_t)(e - p);
	p = e;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			return false;
		if (*p == '>') {
			p++;
			break;
		}
		if (*p == '/' && p + 1 < end && p[1] == '>') {
			t->self_closing = true;
			p += 2;
			break;
		}
		const char *an = p;
		while (p < end && *p != '=' && *p != ' ' && *p != '>')
			p++;
		struct span aname = { an, (size_t)(p - an) };
		if (p >= end || *p != '=' || p + 1 >= end || p[1] != '"')
			return false;
		p += 2;
		const char *av = p;
		while (p < end && *p != '"')
			p++;
		if (p >= end)
			return false;
		struct span val = { av, (size_t)(p - av) };
		p++;
		if (span_is(aname, "name")) t->name = val;
		else if (span_is(aname, "show")) t->show = val;
		else if (span_is(aname, "showname")) t->showname = val;
		else if (span_is(aname, "value")) t->value = val;
		else if (span_is(aname, "size")) t->size = val;
	}
	*pp = p;
	return true;
}

#define MAX_DEPTH 512

struct frame_el {
	bool iscsi_proto;   /* a <proto name="iscsi"> */
	bool iscsi_layer;   /* inside an iscsi (or iSCSI malformed) layer */
	bool expert;        /* a _ws.expert item */
};

struct pstate {
	struct tsh_report *r;
	struct frame_el st[MAX_DEPTH];
	int depth;
	bool in_packet;
	/* the current packet */
	uint64_t frame;
	bool have_frame, have_stream, have_ports;
	uint64_t stream, sport, dport;
	bool analysis_flags, window_update, malformed, malformed_iscsi, bad_tcp, bad_ip;
	size_t first_pdu;
	/* the current iSCSI PDU */
	int iscsi_depth;            /* iscsi protos open */
	struct tsh_pdu *pdu;
	/* the current expert item */
	bool in_expert;
	uint64_t ex_sev;
	struct span ex_msg;
	bool ex_iscsi;
	size_t cap_pdus;
	struct buf prob;            /* becomes r->problems */
};

#define SEV_ERROR 8388608u
#define SEV_WARN 6291456u

static int open_pdu(struct pstate *s)
{
	struct tsh_report *r = s->r;
	if (r->n_pdus == s->cap_pdus) {
		size_t cap = s->cap_pdus ? s->cap_pdus * 2 : 64;
		struct tsh_pdu *n = realloc(r->pdus, cap * sizeof *n);
		if (!n)
			return -1;
		r->pdus = n;
		s->cap_pdus = cap;
	}
	s->pdu = &r->pdus[r->n_pdus++];
	memset(s->pdu, 0, sizeof *s->pdu);
	return 0;
}

static void pdu_field(struct pstate *s, const struct tag *t)
{
	struct tsh_pdu *p = s->pdu;
	if (t->name.n == 0) {
		uint64_t v = 0;
		if (!(p->has & (1u << TSH_LUN)) && (span_is(t->show, "LUN") || span_is(t->show, "LUNs")) &&
		    t->value.n == 16) {
			for (size_t i = 0; i < 16; i++) {
				int h = hexval((unsigned char)t->value.p[i]);
				if (h < 0)
					return;
				v = v << 4 | (uint64_t)h;
			}
			p->v[TSH_LUN] = v;
			p->has |= 1u << TSH_LUN;
		}
		return;
	}
	for (int f = 0; f < TSH_N_FIELDS; f++) {
		if (f == TSH_LUN || !span_is(t->name, field_names[f]) || (p->has & (1u << f)))
			continue;
		uint64_t v;
		if (!span_num(t->show, &v))
			return;
		p->v[f] = v;
		p->has |= 1u << f;
		if (f == TSH_HDIGEST || f == TSH_DDIGEST) {
			enum tsh_digest d = span_has(t->showname, "Good CRC32") ? TSH_DIGEST_GOOD
				: span_has(t->showname, "Bad CRC32") ? TSH_DIGEST_BAD
				: TSH_DIGEST_UNCHECKED;
			if (f == TSH_HDIGEST)
				p->hdigest = d;
			else
				p->ddigest = d;
		}
		return;
	}
}

static int end_expert(struct pstate *s)
{
	struct tsh_report *r = s->r;
	s->in_expert = false;
	if (s->ex_sev != SEV_ERROR && s->ex_sev != SEV_WARN)
		return 0;
	bool err = s->ex_sev == SEV_ERROR;
	if (err && s->ex_iscsi)
		r->expert_errors_iscsi++;
	else if (err)
		r->expert_errors_other++;
	else if (s->ex_iscsi)
		r->expert_warnings_iscsi++;
	else
		r->expert_warnings_other++;
	struct buf *b = &s->prob;
	int rc = buf_printf(b, "frame %llu: %s %s: ", (unsigned long long)s->frame,
			    s->ex_iscsi ? "iSCSI" : "other", err ? "error" : "warning");
	if (rc == 0)
		rc = add_unescaped(b, s->ex_msg);
	if (rc == 0)
		rc = buf_add(b, "\n", 1);
	return rc;
}

static int end_packet(struct pstate *s)
{
	struct tsh_report *r = s->r;
	r->frames++;
	for (size_t i = s->first_pdu; i < r->n_pdus; i++) {
		r->pdus[i].frame = (uint32_t)s->frame;
		r->pdus[i].stream = (uint32_t)s->stream;
		r->pdus[i].srcport = (uint16_t)s->sport;
		r->pdus[i].dstport = (uint16_t)s->dport;
	}
	struct buf *b = &s->prob;
	int rc = 0;
	if (s->malformed) {
		r->malformed++;
		if (s->malformed_iscsi)
			r->malformed_iscsi++;
		rc |= buf_printf(b, "frame %llu: malformed packet%s\n",
				 (unsigned long long)s->frame, s->malformed_iscsi ? " (iSCSI)" : "");
	}
	if (s->analysis_flags && !s->window_update) {
		r->tcp_problems++;
		rc |= buf_printf(b, "frame %llu: TCP analysis flags set\n", (unsigned long long)s->frame);
	}
	if (s->bad_tcp) {
		r->bad_tcp_checksums++;
		rc |= buf_printf(b, "frame %llu: bad TCP checksum\n", (unsigned long long)s->frame);
	}
	if (s->bad_ip) {
		r->bad_ip_checksums++;
		rc |= buf_printf(b, "frame %llu: bad IPv4 header checksum\n", (unsigned long long)s->frame);
	}
	return rc ? -1 : 0;
}

static int on_open_el(struct pstate *s, const struct tag *t)
{
	bool parent_iscsi = s->depth > 0 && s->st[s->depth - 1].iscsi_layer;
	if (span_is(t->elem, "packet")) {
		s->in_packet = true;
		s->frame = s->stream = s->sport = s->dport = 0;
		s->have_frame = s->have_stream = s->have_ports = false;
		s->analysis_flags = s->window_update = s->malformed = s->malformed_iscsi = false;
		s->bad_tcp = s->bad_ip = false;
		s->first_pdu = s->r->n_pdus;
		s->iscsi_depth = 0;
		s->pdu = NULL;
		s->in_expert = false;
		return 0;
	}
	if (!s->in_packet)
		return 0;
	bool is_proto = span_is(t->elem, "proto");
	struct frame_el el = { false, parent_iscsi, false };

	if (span_is(t->name, "_ws.malformed")) {
		s->malformed = true;
		if (span_has(t->showname, "iSCSI")) {
			s->malformed_iscsi = true;
			el.iscsi_layer = true;
		}
	}
	if (is_proto && span_is(t->name, "iscsi")) {
		el.iscsi_layer = true;
		if (!t->self_closing) {
			el.iscsi_proto = true;
			if (s->iscsi_depth == 0) {
				if (open_pdu(s) != 0)
					return -1;
			} else if (s->pdu) {
				s->pdu->nested = true;
			}
			s->iscsi_depth++;
		}
	} else if (!is_proto) {
		/* fields */
		if (!s->have_frame && span_is(t->name, "num") && span_num(t->show, &s->frame))
			s->have_frame = true;
		else if (!s->have_stream && span_is(t->name, "tcp.stream") &&
			 span_num(t->show, &s->stream))
			s->have_stream = true;
		else if (!s->have_ports && span_is(t->name, "tcp.srcport"))
			span_num(t->show, &s->sport);
		else if (!s->have_ports && span_is(t->name, "tcp.dstport")) {
			span_num(t->show, &s->dport);
			s->have_ports = true;
		} else if (span_is(t->name, "tcp.analysis.flags"))
			s->analysis_flags = true;
		else if (span_is(t->name, "tcp.analysis.window_update"))
			s->window_update = true;
		else if (span_is(t->name, "tcp.checksum.status") && span_is(t->show, "0"))
			s->bad_tcp = true;
		else if (span_is(t->name, "ip.checksum.status") && span_is(t->show, "0"))
			s->bad_ip = true;
		else if (span_is(t->name, "_ws.expert") && !t->self_closing) {
			el.expert = true;
			s->in_expert = true;
			s->ex_sev = 0;
			s->ex_msg.p = NULL;
			s->ex_msg.n = 0;
			s->ex_iscsi = parent_iscsi;
		} else if (s->in_expert && span_is(t->name, "_ws.expert.severity"))
			span_num(t->show, &s->ex_sev);
		else if (s->in_expert && span_is(t->name, "_ws.expert.message"))
			s->ex_msg = t->show;
		if (s->iscsi_depth == 1 && s->pdu)
			pdu_field(s, t);
	}
	if (!t->self_closing) {
		if (s->depth >= MAX_DEPTH)
			return -1;
		s->st[s->depth++] = el;
	}
	return 0;
}

static int on_close_el(struct pstate *s, const struct tag *t)
{
	if (span_is(t->elem, "packet")) {
		s->in_packet = false;
		s->depth = 0;
		return end_packet(s);
	}
	if (!s->in_packet)
		return 0;
	if (s->depth == 0)
		return -1;
	struct frame_el el = s->st[--s->depth];
	if (el.expert && s->in_expert)
		return end_expert(s);
	if (el.iscsi_proto && --s->iscsi_depth == 0)
		s->pdu = NULL;
	return 0;
}

static int parse_pdml(const char *text, size_t len, struct tsh_report *r)
{
	struct pstate *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->r = r;
	const char *p = text, *end = text + len;
	int rc = 0;
	while (rc == 0) {
		p = memchr(p, '<', (size_t)(end - p));
		if (!p)
			break;
		struct tag t;
		if (!next_tag(&p, end, &t)) {
			rc = -1;
			break;
		}
		if (t.skip)
			continue;
		if (t.closing)
			rc = on_close_el(s, &t);
		else
			rc = on_open_el(s, &t);
	}
	if (rc == 0 && s->in_packet)
		rc = -1;        /* truncated output */
	if (rc == 0 && !s->prob.p)
		rc = buf_add(&s->prob, "", 0);
	r->problems = s->prob.p;
	free(s);
	return rc;
}

int tsh_analyze(const char *pcap, const struct tsh_opts *opts, struct tsh_report *r,
		char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	static const char *const mode[] = { "-T", "pdml", NULL };
	struct buf out = { 0 };
	if (run_tshark(pcap, opts, mode, &out, err, errlen) != 0) {
		free(out.p);
		tsh_report_free(r);
		return -1;
	}
	int rc = parse_pdml(out.p, out.len, r);
	free(out.p);
	if (rc != 0) {
		seterr(err, errlen, "tshark on %s: cannot parse its PDML output", pcap);
		tsh_report_free(r);
		return -1;
	}
	return 0;
}

void tsh_report_free(struct tsh_report *r)
{
	if (!r)
		return;
	free(r->pdus);
	free(r->problems);
	memset(r, 0, sizeof *r);
}

long tsh_count(const char *pcap, const struct tsh_opts *opts, const char *filter,
	       char *err, size_t errlen)
{
	const char *mode[] = { "-Y", filter, "-T", "fields", "-e", "frame.number", NULL };
	struct buf out = { 0 };
	if (run_tshark(pcap, opts, mode, &out, err, errlen) != 0) {
		free(out.p);
		return -1;
	}
	long n = 0;
	for (const char *p = out.p; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len)
			n++;
		p += len + (nl ? 1 : 0);
	}
	free(out.p);
	return n;
}

/* ---- follow ---- */

int tsh_follow(const char *pcap, const struct tsh_opts *opts, unsigned stream,
	       struct tsh_follow *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	char spec[64];
	snprintf(spec, sizeof spec, "follow,tcp,raw,%u", stream);
	const char *mode[] = { "-q", "-z", spec, NULL };
	struct buf out = { 0 };
	if (run_tshark(pcap, opts, mode, &out, err, errlen) != 0) {
		free(out.p);
		return -1;
	}
	struct buf data[2] = { { 0 }, { 0 } };
	int rc = 0, nodes = 0, seps = 0;
	for (const char *p = out.p; *p && rc == 0;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *next = p + len + (nl ? 1 : 0);
		if (len >= 10 && strncmp(p, "==========", 10) == 0) {
			seps++;
		} else if (len > 8 && (strncmp(p, "Node 0: ", 8) == 0 || strncmp(p, "Node 1: ", 8) == 0)) {
			int i = p[5] - '0';
			snprintf(f->node[i], sizeof f->node[i], "%.*s", (int)(len - 8), p + 8);
			nodes++;
		} else if (seps == 1 && nodes == 2 && len) {
			int i = p[0] == '\t' ? 1 : 0;
			const char *h = p + i;
			size_t hl = len - (size_t)i;
			if (hl % 2) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < hl && rc == 0; k += 2) {
				int hi = hexval((unsigned char)h[k]), lo = hexval((unsigned char)h[k + 1]);
				if (hi < 0 || lo < 0) {
					rc = -1;
					break;
				}
				char byte = (char)(hi << 4 | lo);
				rc = buf_add(&data[i], &byte, 1);
			}
		}
		p = next;
	}
	free(out.p);
	if (rc != 0 || nodes != 2) {
		free(data[0].p);
		free(data[1].p);
		seterr(err, errlen, "tshark on %s: cannot parse its follow output", pcap);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		f->data[i] = (uint8_t *)data[i].p;
		f->len[i] = data[i].len;
	}
	return 0;
}

void tsh_follow_free(struct tsh_follow *f)
{
	if (!f)
		return;
	free(f->data[0]);
	free(f->data[1]);
	memset(f, 0, sizeof *f);
}
