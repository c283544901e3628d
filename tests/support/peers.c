/* peers.c — test helper that runs real iSCSI peers on loopback: tgtd as a
 * target, tcpdump on lo, and any program with a timeout (see peers.h for
 * the recipes and the cleanup guarantees). No shell anywhere: every child
 * is fork + execve with an argument vector; every wait loop has both a
 * bounded number of rounds and a deadline.
 */
#include "tests/support/peers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/tshark.h"

extern char **environ;

#define POLL_MS 50               /* the step of every readiness loop */
#define READY_SECONDS 5.0        /* tgtd ready, tcpdump listening */
#define EXIT_SECONDS 5.0         /* a process asked to exit does so */
#define TGTADM_SECONDS 10.0
#define BUILD_SECONDS 60.0
#define MAX_ARGS 48
#define MAX_CHILDREN 32

/* ---- small utilities ---- */

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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The whole of a small text file, NUL-terminated (malloc'd), at most max
 * bytes of it; NULL when it cannot be read. */
static char *read_text(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *s = malloc(max + 1);
	size_t n = 0;
	while (s && n < max) {
		ssize_t r = read(fd, s + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (s)
		s[n] = '\0';
	return s;
}

/* The last n bytes of text, starting at a line boundary when one is near,
 * for error messages. */
static const char *tail(const char *text, size_t n)
{
	if (!text)
		return "";
	size_t len = strlen(text);
	if (len <= n)
		return text;
	const char *p = text + len - n;
	const char *nl = strchr(p, '\n');
	return nl && nl[1] ? nl + 1 : p;
}

int peer_mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---- the registry of long-running children ---- */

static pid_t children[MAX_CHILDREN];
static bool atexit_set;

static void kill_all_at_exit(void)
{
	peer_kill_all();
}

static void reg_add(pid_t pid)
{
	if (!atexit_set) {
		atexit(kill_all_at_exit);
		atexit_set = true;
	}
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
	}
}

static void reg_del(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

/* Waits at most seconds for child pid to end, reaping it. True when it
 * was reaped (status in *status) or is no child of ours any more. */
static bool wait_pid(pid_t pid, double seconds, int *status)
{
	double deadline = now_s() + seconds;
	int rounds = (int)(seconds * 1000 / 10) + 2;
	for (int i = 0; i < rounds; i++) {
		int st = 0;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			if (status)
				*status = st;
			return true;
		}
		if (w < 0 && errno == ECHILD) {
			if (status)
				*status = 0;
			return true;
		}
		if (now_s() >= deadline)
			break;
		sleep_ms(10);
	}
	return false;
}

int peer_kill_all(void)
{
	int n = 0;
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] <= 0)
			continue;
		kill(children[i], SIGKILL);
		wait_pid(children[i], EXIT_SECONDS, NULL);
		children[i] = 0;
		n++;
	}
	return n;
}

/* ---- finding programs ---- */

static bool is_exe(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool peer_which(const char *name, char *path, size_t len)
{
	if (!name || !*name)
		return false;
	if (strchr(name, '/')) {
		if (!is_exe(name))
			return false;
		snprintf(path, len, "%s", name);
		return true;
	}
	static const char *const fixed[] = {
		"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
	};
	const char *env = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof dirs, "%s", env ? env : "");
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (*d && snprintf(path, len, "%s/%s", d, name) < (int)len && is_exe(path))
			return true;
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (snprintf(path, len, "%s/%s", fixed[i], name) < (int)len && is_exe(path))
			return true;
	return false;
}

/* $CC split on blanks into argv (at most max-1 words; NULL-terminated);
 * "cc" when unset. Returns the number of words. */
static int compiler_words(char *buf, size_t buflen, const char **argv, int max)
{
	const char *cc = getenv("CC");
	snprintf(buf, buflen, "%s", cc && *cc ? cc : "cc");
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, " \t", &save); w && n < max - 1; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

bool peer_prereqs(char *missing, size_t len)
{
	static const struct {
		const char *tool, *package;
	} tools[] = {
		{ "tgtd", "tgt" },
		{ "tgtadm", "tgt" },
		{ "iscsi-ls", "libiscsi-bin" },
		{ "iscsi-inq", "libiscsi-bin" },
		{ "iscsi-readcapacity16", "libiscsi-bin" },
		{ "iscsi-test-cu", "libiscsi-bin" },
		{ "tcpdump", "tcpdump" },
	};
	size_t used = 0;
	if (len)
		missing[0] = '\0';
#define ADD(...) do { \
		if (used < len) { \
			int n_ = snprintf(missing + used, len - used, "%s", used ? "; " : ""); \
			used += n_ > 0 ? (size_t)n_ : 0; \
		} \
		if (used < len) { \
			int n_ = snprintf(missing + used, len - used, __VA_ARGS__); \
			used += n_ > 0 ? (size_t)n_ : 0; \
		} \
	} while (0)
	bool ok = true;
	if (geteuid() != 0) {
		ADD("root (running as uid %u; tgtd, its management socket in /var/run/tgtd and "
		    "tcpdump on lo need root)", (unsigned)geteuid());
		ok = false;
	}
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		if (!peer_which(tools[i].tool, path, sizeof path)) {
			ADD("%s (package %s) not found in PATH or /usr/sbin, /usr/bin", tools[i].tool,
			    tools[i].package);
			ok = false;
		}
	}
	if (!is_exe(tsh_path())) {
		ADD("tshark (package tshark) not found at %s", tsh_path());
		ok = false;
	}
	char ccbuf[512];
	const char *cc[16];
	if (compiler_words(ccbuf, sizeof ccbuf, cc, 16) == 0 || !peer_which(cc[0], path, sizeof path)) {
		ADD("the C compiler %s (package gcc; it builds tests/peers/iscsi_workload.c) not found",
		    cc[0] ? cc[0] : "cc");
		ok = false;
	}
	if (access("/usr/include/iscsi/iscsi.h", R_OK) != 0) {
		ADD("libiscsi's header /usr/include/iscsi/iscsi.h (package libiscsi-dev)");
		ok = false;
	}
#undef ADD
	return ok;
}

/* ---- spawning ---- */

/* The environment for a child: ours, changed by env ("NAME=VALUE" sets,
 * "NAME" removes). The strings are not copied. */
static char **make_env(const char *const env[])
{
	size_t n_env = 0, n_ours = 0;
	while (env && env[n_env])
		n_env++;
	while (environ && environ[n_ours])
		n_ours++;
	char **out = calloc(n_ours + n_env + 1, sizeof *out);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n_ours; i++) {
		const char *e = environ[i];
		size_t nl = strcspn(e, "=");
		bool drop = false;
		for (size_t j = 0; j < n_env && !drop; j++) {
			size_t jl = strcspn(env[j], "=");
			drop = jl == nl && strncmp(env[j], e, nl) == 0;
		}
		if (!drop)
			out[k++] = environ[i];
	}
	for (size_t j = 0; j < n_env; j++)
		if (strchr(env[j], '='))
			out[k++] = (char *)env[j];
	out[k] = NULL;
	return out;
}

/* Starts path with argv and env, stdin /dev/null, stdout to out_fd and
 * stderr to err_fd, in its own process group, with SIGKILL as its
 * parent-death signal and no other descriptor of ours. Returns the PID, or
 * -1 with err set (also when execve failed: that is reported back through
 * a close-on-exec pipe). */
static pid_t spawn(const char *path, const char *const argv[], const char *const env[],
		   int out_fd, int err_fd, char *err, size_t errlen)
{
	char **envp = make_env(env);
	int ep[2];
	if (!envp || pipe(ep) != 0) {
		seterr(err, errlen, "cannot start %s: %s", path, envp ? strerror(errno) : "out of memory");
		free(envp);
		return -1;
	}
	fcntl(ep[1], F_SETFD, FD_CLOEXEC);
	long max_fd = sysconf(_SC_OPEN_MAX);
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		seterr(err, errlen, "cannot start %s: fork: %s", path, strerror(errno));
		close(ep[0]);
		close(ep[1]);
		free(envp);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0 && devnull != 0) {
			dup2(devnull, 0);
			close(devnull);
		}
		if (out_fd != 1)
			dup2(out_fd, 1);
		if (err_fd != 2)
			dup2(err_fd, 2);
		for (long fd = 3; fd < max_fd; fd++)
			if (fd != ep[1])
				close((int)fd);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execve(path, (char *const *)argv, envp);
		int e = errno;
		ssize_t w = write(ep[1], &e, sizeof e);
		(void)w;
		_exit(127);
	}
	setpgid(pid, pid);
	close(ep[1]);
	free(envp);
	int e = 0;
	ssize_t r;
	do
		r = read(ep[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == (ssize_t)sizeof e) {
		wait_pid(pid, EXIT_SECONDS, NULL);
		seterr(err, errlen, "cannot run %s: %s", path, strerror(e));
		return -1;
	}
	return pid;
}

/* ---- running a program ---- */

int peer_run(const char *const argv[], const char *const env[], double timeout_s,
	     struct peer_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	char path[PATH_MAX];
	if (!argv || !argv[0] || !peer_which(argv[0], path, sizeof path)) {
		seterr(err, errlen, "%s: not found in PATH or /usr/sbin, /usr/bin",
		       argv && argv[0] ? argv[0] : "(no program)");
		return -1;
	}
	int po[2];
	if (pipe(po) != 0) {
		seterr(err, errlen, "cannot run %s: pipe: %s", path, strerror(errno));
		return -1;
	}
	double start = now_s(), deadline = start + timeout_s;
	pid_t pid = spawn(path, argv, env, po[1], po[1], err, errlen);
	close(po[1]);
	if (pid < 0) {
		close(po[0]);
		return -1;
	}
	fcntl(po[0], F_SETFL, fcntl(po[0], F_GETFL) | O_NONBLOCK);

	size_t cap = 65536, len = 0;
	char *out = malloc(cap);
	bool eof = false;
	char chunk[16384];
	/* one round per poll wake-up: bounded by the deadline, and in count
	 * by the output cap plus a poll per POLL_MS */
	long rounds = (long)(timeout_s * 1000 / POLL_MS) + 2 + PEER_OUT_MAX / 512;
	for (long i = 0; !eof && i < rounds; i++) {
		double left = deadline - now_s();
		if (left <= 0)
			break;
		struct pollfd pf = { po[0], POLLIN, 0 };
		int ms = left * 1000 < POLL_MS ? (int)(left * 1000) + 1 : POLL_MS;
		int pr = poll(&pf, 1, ms);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		for (int k = 0; k < 64; k++) {
			ssize_t n = read(po[0], chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				eof = true;
				break;
			}
			if (n < 0)
				break;
			size_t keep = out && len < PEER_OUT_MAX ? PEER_OUT_MAX - len : 0;
			if (keep > (size_t)n)
				keep = (size_t)n;
			while (keep && len + keep + 1 > cap) {
				size_t ncap = cap * 2 < PEER_OUT_MAX + 1 ? cap * 2 : PEER_OUT_MAX + 1;
				char *bigger = realloc(out, ncap);
				if (!bigger) {
					keep = 0;
					break;
				}
				out = bigger;
				cap = ncap;
			}
			if (keep) {
				memcpy(out + len, chunk, keep);
				len += keep;
			}
		}
	}
	close(po[0]);
	int status = 0;
	double left = deadline - now_s();
	bool reaped = eof && wait_pid(pid, left > 0 ? left : 0, &status);
	if (!reaped) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		r->timed_out = true;
		if (!wait_pid(pid, EXIT_SECONDS, &status)) {
			free(out);
			seterr(err, errlen, "%s did not end even after SIGKILL", path);
			return -1;
		}
	}
	if (out)
		out[len] = '\0';
	r->out = out;
	r->out_len = len;
	r->exited = WIFEXITED(status);
	r->status = r->exited ? WEXITSTATUS(status) : WIFSIGNALED(status) ? WTERMSIG(status) : -1;
	r->seconds = now_s() - start;
	return 0;
}

bool peer_result_ok(const struct peer_result *r)
{
	return r->exited && r->status == 0 && !r->timed_out;
}

void peer_result_free(struct peer_result *r)
{
	if (!r)
		return;
	free(r->out);
	memset(r, 0, sizeof *r);
}

/* ---- ports ---- */

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* True when a TCP connection to 127.0.0.1:port is accepted within 500 ms. */
static bool port_listening(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return false;
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	struct sockaddr_in a = loopback(port);
	bool ok = false;
	if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd pf = { s, POLLOUT, 0 };
		int e = 0;
		socklen_t el = sizeof e;
		if (poll(&pf, 1, 500) == 1 && getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0)
			ok = true;
	}
	close(s);
	return ok;
}

bool peer_port_free(int port)
{
	if (port <= 0 || port > 65535 || port_listening(port))
		return false;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return false;
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = loopback(port);
	bool ok = bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 1) == 0;
	close(s);
	return ok;
}

int peer_free_port(int first, int last, int start)
{
	if (first <= 0 || last < first || last > 65535)
		return -1;
	if (start < first || start > last)
		start = first;
	int span = last - first + 1;
	for (int k = 0; k < span; k++) {
		int port = first + (start - first + k) % span;
		if (peer_port_free(port))
			return port;
	}
	return -1;
}

/* ---- tgtd ---- */

int peer_tgtadm(const struct peer_tgtd *t, char *err, size_t errlen, ...)
{
	const char *argv[MAX_ARGS];
	char cport[16];
	snprintf(cport, sizeof cport, "%d", t->port);
	int n = 0;
	argv[n++] = "tgtadm";
	argv[n++] = "-C";
	argv[n++] = cport;
	va_list ap;
	va_start(ap, errlen);
	for (const char *a = va_arg(ap, const char *); a && n < MAX_ARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;

	struct peer_result r;
	if (peer_run(argv, NULL, TGTADM_SECONDS, &r, err, errlen) != 0)
		return -1;
	int rc = peer_result_ok(&r) ? 0 : -1;
	if (rc != 0) {
		char cmd[512];
		size_t used = 0;
		for (int i = 0; i < n && used < sizeof cmd; i++) {
			int w = snprintf(cmd + used, sizeof cmd - used, "%s%s", i ? " " : "", argv[i]);
			used += w > 0 ? (size_t)w : 0;
		}
		seterr(err, errlen, "`%s` %s %d: %s", cmd,
		       r.timed_out ? "timed out;" : r.exited ? "exit status" : "signal", r.status,
		       r.out && *r.out ? tail(r.out, 300) : "(no output)");
	}
	peer_result_free(&r);
	return rc;
}

/* tgtd ready: its management socket answers and the portal accepts
 * connections. */
static bool tgtd_ready(const struct peer_tgtd *t)
{
	return peer_tgtadm(t, NULL, 0, "--mode", "system", "--op", "show", NULL) == 0 &&
	       port_listening(t->port);
}

static bool log_says(const char *log, const char *what)
{
	char *text = read_text(log, 1 << 20);
	bool yes = text && strstr(text, what);
	free(text);
	return yes;
}

/* Kills a tgtd that never became usable, and reaps it. */
static void tgtd_abandon(struct peer_tgtd *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		wait_pid(t->pid, EXIT_SECONDS, NULL);
		reg_del(t->pid);
	}
	t->pid = 0;
	if (t->lun_file[0])
		unlink(t->lun_file);
}

/* Starts tgtd on port and waits for it. Returns 0 when ready; 1 when the
 * port or the management socket turned out to be someone else's (try
 * another); -1 on any other failure. reason says why. */
static int tgtd_try(const char *tgtd, const struct peer_tgtd_opts *o, int port,
		    struct peer_tgtd *t, char *reason, size_t rlen)
{
	t->port = port;
	snprintf(t->log, sizeof t->log, "%s/tgtd-%d.log", o->workdir, port);
	snprintf(t->lun_file, sizeof t->lun_file, "%s/tgtd-%d-lun1.img", o->workdir, port);
	snprintf(t->portal_url, sizeof t->portal_url, "iscsi://127.0.0.1:%d", port);
	snprintf(t->url, sizeof t->url, "iscsi://127.0.0.1:%d/%s/1", port, t->iqn);

	int lf = open(t->lun_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (lf < 0 || ftruncate(lf, PEER_LUN_BYTES) != 0) {
		seterr(reason, rlen, "cannot make the LUN file %s: %s", t->lun_file, strerror(errno));
		if (lf >= 0)
			close(lf);
		return -1;
	}
	close(lf);
	int logfd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (logfd < 0) {
		seterr(reason, rlen, "cannot write %s: %s", t->log, strerror(errno));
		unlink(t->lun_file);
		return -1;
	}
	char cport[16], portal[64];
	snprintf(cport, sizeof cport, "%d", port);
	snprintf(portal, sizeof portal, "portal=127.0.0.1:%d", port);
	const char *argv[] = { tgtd, "-f", "-C", cport, "--iscsi", portal, NULL };
	t->pid = spawn(tgtd, argv, NULL, logfd, logfd, reason, rlen);
	close(logfd);
	if (t->pid < 0) {
		t->pid = 0;
		unlink(t->lun_file);
		return -1;
	}
	reg_add(t->pid);

	double deadline = now_s() + READY_SECONDS;
	int rounds = (int)(READY_SECONDS * 1000 / POLL_MS) + 1;
	for (int i = 0; i < rounds && now_s() < deadline; i++) {
		int st;
		if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
			reg_del(t->pid);
			t->pid = 0;
			unlink(t->lun_file);
			char *text = read_text(t->log, 1 << 16);
			bool taken = text && strstr(text, "another tgtd is using");
			seterr(reason, rlen, "tgtd on port %d exited (%s %d) before it was ready: %s",
			       port, WIFEXITED(st) ? "status" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), tail(text, 400));
			free(text);
			return taken ? 1 : -1;
		}
		if (log_says(t->log, "failed to create/bind to portal")) {
			tgtd_abandon(t);
			seterr(reason, rlen, "port %d was taken by the time tgtd bound it", port);
			return 1;
		}
		if (tgtd_ready(t)) {
			/* the portal is set up before the management socket
			 * answers, so a failed bind is in the log by now */
			if (log_says(t->log, "failed to create/bind to portal")) {
				tgtd_abandon(t);
				seterr(reason, rlen, "port %d was taken by the time tgtd bound it", port);
				return 1;
			}
			return 0;
		}
		sleep_ms(POLL_MS);
	}
	char *text = read_text(t->log, 1 << 16);
	seterr(reason, rlen, "tgtd on port %d was not ready within %.0f s; its log: %s", port,
	       READY_SECONDS, tail(text, 400));
	free(text);
	tgtd_abandon(t);
	return -1;
}

static int tgtd_configure(const struct peer_tgtd_opts *o, struct peer_tgtd *t, char *err,
			  size_t errlen)
{
	char num[16];
	if (peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "new",
			"--tid", "1", "--targetname", t->iqn, NULL) != 0 ||
	    peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "logicalunit", "--op", "new",
			"--tid", "1", "--lun", "1", "--backing-store", t->lun_file, NULL) != 0 ||
	    peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "bind",
			"--tid", "1", "--initiator-address", "ALL", NULL) != 0)
		return -1;
	if (o->max_connections > 0) {
		snprintf(num, sizeof num, "%d", o->max_connections);
		if (peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "update",
				"--tid", "1", "--name", "MaxConnections", "--value", num, NULL) != 0)
			return -1;
	}
	if (o->erl > 0) {
		snprintf(num, sizeof num, "%d", o->erl);
		if (peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "update",
				"--tid", "1", "--name", "ErrorRecoveryLevel", "--value", num, NULL) != 0)
			return -1;
	}
	if (o->digests &&
	    (peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "update",
			 "--tid", "1", "--name", "HeaderDigest", "--value", "CRC32C,None", NULL) != 0 ||
	     peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "target", "--op", "update",
			 "--tid", "1", "--name", "DataDigest", "--value", "CRC32C,None", NULL) != 0))
		return -1;
	if (o->chap_user &&
	    (peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "account", "--op", "new",
			 "--user", o->chap_user, "--password",
			 o->chap_password ? o->chap_password : "", NULL) != 0 ||
	     peer_tgtadm(t, err, errlen, "--lld", "iscsi", "--mode", "account", "--op", "bind",
			 "--tid", "1", "--user", o->chap_user, NULL) != 0))
		return -1;
	return 0;
}

int peer_tgtd_start(const struct peer_tgtd_opts *o, struct peer_tgtd *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (!o || !o->workdir || !*o->workdir) {
		seterr(err, errlen, "peer_tgtd_start: no workdir");
		return -1;
	}
	if (peer_mkdir_p(o->workdir) != 0) {
		seterr(err, errlen, "cannot make %s: %s", o->workdir, strerror(errno));
		return -1;
	}
	char tgtd[PATH_MAX];
	if (!peer_which("tgtd", tgtd, sizeof tgtd)) {
		seterr(err, errlen, "tgtd (package tgt) not found in PATH or /usr/sbin");
		return -1;
	}
	int first = o->port_first > 0 ? o->port_first : PEER_PORT_FIRST;
	int last = o->port_last > 0 ? o->port_last : PEER_PORT_LAST;
	int start = o->port >= first && o->port <= last ? o->port : first;
	if (last < first || last > 65535) {
		seterr(err, errlen, "bad port range %d-%d", first, last);
		return -1;
	}
	snprintf(t->iqn, sizeof t->iqn, "%s", o->iqn ? o->iqn : PEER_DEFAULT_IQN);

	char reason[600];
	snprintf(reason, sizeof reason, "no port of %d-%d is free", first, last);
	int span = last - first + 1, rc = 1;
	for (int k = 0; k < span && rc > 0; k++) {
		int port = first + (start - first + k) % span;
		if (!peer_port_free(port))
			continue;
		rc = tgtd_try(tgtd, o, port, t, reason, sizeof reason);
	}
	if (rc != 0) {
		seterr(err, errlen, "cannot start tgtd: %s", reason);
		t->pid = 0;
		return -1;
	}
	if (tgtd_configure(o, t, reason, sizeof reason) != 0) {
		seterr(err, errlen, "cannot configure tgtd on port %d: %s", t->port, reason);
		char ignored[256];
		peer_tgtd_stop(t, ignored, sizeof ignored);
		return -1;
	}
	return 0;
}

int peer_tgtd_stop(struct peer_tgtd *t, char *err, size_t errlen)
{
	if (!t || t->pid <= 0)
		return 0;
	char ignored[512];
	/* either may fail when tgtd is already gone; the PID decides */
	peer_tgtadm(t, ignored, sizeof ignored, "--lld", "iscsi", "--mode", "target", "--op",
		    "delete", "--force", "--tid", "1", NULL);
	peer_tgtadm(t, ignored, sizeof ignored, "--mode", "system", "--op", "delete", NULL);
	t->killed = false;
	int rc = 0;
	if (!wait_pid(t->pid, EXIT_SECONDS, NULL)) {
		t->killed = true;
		kill(t->pid, SIGKILL);
		if (!wait_pid(t->pid, EXIT_SECONDS, NULL)) {
			seterr(err, errlen, "tgtd (PID %d) did not end even after SIGKILL", (int)t->pid);
			rc = -1;
		}
	}
	if (rc == 0) {
		reg_del(t->pid);
		t->pid = 0;
		if (t->lun_file[0])
			unlink(t->lun_file);
	}
	return rc;
}

/* ---- tcpdump ---- */

int peer_tcpdump_start(int port, const char *pcap, const char *log, struct peer_tcpdump *d,
		       char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	d->captured = d->received = d->dropped = -1;
	char path[PATH_MAX];
	if (!peer_which("tcpdump", path, sizeof path)) {
		seterr(err, errlen, "tcpdump (package tcpdump) not found in PATH or /usr/sbin");
		return -1;
	}
	snprintf(d->pcap, sizeof d->pcap, "%s", pcap);
	snprintf(d->log, sizeof d->log, "%s", log);
	unlink(pcap);
	int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (logfd < 0) {
		seterr(err, errlen, "cannot write %s: %s", log, strerror(errno));
		return -1;
	}
	char filter[32];
	snprintf(filter, sizeof filter, "tcp port %d", port);
	const char *argv[24];
	int n = 0;
	argv[n++] = path;
	argv[n++] = "-i";
	argv[n++] = "lo";
	argv[n++] = "-s";
	argv[n++] = "0";
	argv[n++] = "-U";
	argv[n++] = "-B";
	argv[n++] = "65536";
	argv[n++] = "--immediate-mode";
	argv[n++] = "-n";
	if (geteuid() == 0) {
		argv[n++] = "-Z";
		argv[n++] = "root";
	}
	argv[n++] = "-w";
	argv[n++] = pcap;
	argv[n++] = filter;
	argv[n] = NULL;
	d->pid = spawn(path, argv, NULL, logfd, logfd, err, errlen);
	close(logfd);
	if (d->pid < 0) {
		d->pid = 0;
		return -1;
	}
	reg_add(d->pid);

	double deadline = now_s() + READY_SECONDS;
	int rounds = (int)(READY_SECONDS * 1000 / POLL_MS) + 1;
	for (int i = 0; i < rounds && now_s() < deadline; i++) {
		int st;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			reg_del(d->pid);
			d->pid = 0;
			char *text = read_text(log, 1 << 16);
			seterr(err, errlen, "tcpdump exited before it listened: %s", tail(text, 400));
			free(text);
			return -1;
		}
		if (log_says(log, "listening on"))
			return 0;
		sleep_ms(POLL_MS);
	}
	char *text = read_text(log, 1 << 16);
	seterr(err, errlen, "tcpdump did not say \"listening on\" within %.0f s: %s", READY_SECONDS,
	       tail(text, 400));
	free(text);
	kill(d->pid, SIGKILL);
	wait_pid(d->pid, EXIT_SECONDS, NULL);
	reg_del(d->pid);
	d->pid = 0;
	return -1;
}

/* The number at the start of the line of text that contains phrase
 * (tcpdump's "56 packets captured"); -1 when there is none. */
int peer_harness_target_start(const char *bin, const char *workdir,
			      const char *const extra[],
			      struct peer_harness_target *t, char *err,
			      size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->exit_status = -1;
	if (peer_mkdir_p(workdir) != 0) {
		seterr(err, errlen, "cannot create %s: %s", workdir, strerror(errno));
		return -1;
	}
	t->port = peer_free_port(PEER_PORT_FIRST, PEER_PORT_LAST, PEER_PORT_FIRST);
	if (t->port < 0) {
		seterr(err, errlen, "no free port in %d-%d", PEER_PORT_FIRST, PEER_PORT_LAST);
		return -1;
	}
	snprintf(t->iqn, sizeof t->iqn, "%s", PEER_DEFAULT_IQN);
	snprintf(t->log, sizeof t->log, "%s/target.log", workdir);
	snprintf(t->pcap, sizeof t->pcap, "%s/target.pcap", workdir);
	snprintf(t->url, sizeof t->url, "iscsi://127.0.0.1:%d/%s/0", t->port, t->iqn);
	char listen[32];
	snprintf(listen, sizeof listen, "127.0.0.1:%d", t->port);
	const char *argv[48];
	int n = 0;
	const char *fixed[] = { bin, "target", "--listen", listen, "--pcap", t->pcap,
				"--nop-interval", "0", "--iqn", t->iqn };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[n++] = fixed[i];
	for (size_t i = 0; extra && extra[i] && n < 47; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	int logfd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (logfd < 0) {
		seterr(err, errlen, "cannot write %s: %s", t->log, strerror(errno));
		return -1;
	}
	t->pid = spawn(bin, argv, NULL, logfd, logfd, err, errlen);
	close(logfd);
	if (t->pid < 0) {
		t->pid = 0;
		return -1;
	}
	reg_add(t->pid);
	int rounds = (int)(READY_SECONDS * 1000 / POLL_MS) + 1;
	for (int i = 0; i < rounds; i++) {
		int st;
		if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
			reg_del(t->pid);
			t->pid = 0;
			char *text = read_text(t->log, 1 << 16);
			seterr(err, errlen, "the harness target exited at once: %s", tail(text, 400));
			free(text);
			return -1;
		}
		if (log_says(t->log, "listening on"))
			return 0;
		sleep_ms(POLL_MS);
	}
	char *text = read_text(t->log, 1 << 16);
	seterr(err, errlen, "the harness target did not listen within %.0f s: %s",
	       READY_SECONDS, tail(text, 400));
	free(text);
	peer_harness_target_stop(t, NULL, 0);
	return -1;
}

int peer_harness_target_stop(struct peer_harness_target *t, char *err,
			     size_t errlen)
{
	if (!t->pid)
		return 0;
	int st = 0;
	kill(t->pid, SIGTERM);
	if (!wait_pid(t->pid, EXIT_SECONDS, &st)) {
		kill(t->pid, SIGKILL);
		t->killed = true;
		wait_pid(t->pid, EXIT_SECONDS, &st);
	}
	reg_del(t->pid);
	t->pid = 0;
	t->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (t->killed || t->exit_status != 0) {
		char *text = read_text(t->log, 1 << 16);
		seterr(err, errlen, "the harness target %s (status %d): %s",
		       t->killed ? "had to be killed" : "did not exit cleanly",
		       t->exit_status, tail(text, 400));
		free(text);
		return -1;
	}
	return 0;
}

static long summary_count(const char *text, const char *phrase)
{
	const char *p = text ? strstr(text, phrase) : NULL;
	if (!p)
		return -1;
	while (p > text && p[-1] != '\n')
		p--;
	char *end;
	long v = strtol(p, &end, 10);
	return end == p ? -1 : v;
}

int peer_tcpdump_stop(struct peer_tcpdump *d, char *err, size_t errlen)
{
	if (!d || d->pid <= 0)
		return 0;
	/* the last packets: wait until the file stops growing */
	double deadline = now_s() + 2.0, since = now_s();
	long long last = -1;
	for (int i = 0; i < 2000 / 25 + 1 && now_s() < deadline; i++) {
		struct stat st;
		long long size = stat(d->pcap, &st) == 0 ? (long long)st.st_size : -1;
		if (size != last) {
			last = size;
			since = now_s();
		} else if (now_s() - since >= 0.3) {
			break;
		}
		sleep_ms(25);
	}
	kill(d->pid, SIGTERM);
	int status = 0;
	bool killed = false;
	if (!wait_pid(d->pid, EXIT_SECONDS, &status)) {
		killed = true;
		kill(d->pid, SIGKILL);
		if (!wait_pid(d->pid, EXIT_SECONDS, &status)) {
			seterr(err, errlen, "tcpdump (PID %d) did not end even after SIGKILL", (int)d->pid);
			return -1;
		}
	}
	reg_del(d->pid);
	d->pid = 0;
	char *text = read_text(d->log, 1 << 16);
	d->captured = summary_count(text, " packets captured");
	d->received = summary_count(text, " packets received by filter");
	d->dropped = summary_count(text, " packets dropped by kernel");
	long dropped_if = summary_count(text, " packets dropped by interface");
	int rc = 0;
	if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		seterr(err, errlen, "tcpdump did not exit cleanly on SIGTERM (%s): %s",
		       killed ? "killed after 5 s" : "non-zero status", tail(text, 400));
		rc = -1;
	} else if (d->captured < 0 || d->dropped < 0) {
		seterr(err, errlen, "tcpdump printed no summary: %s", tail(text, 400));
		rc = -1;
	} else if (d->dropped != 0 || dropped_if > 0) {
		seterr(err, errlen, "tcpdump dropped packets (%ld by the kernel, %ld by the interface)",
		       d->dropped, dropped_if > 0 ? dropped_if : 0);
		rc = -1;
	}
	free(text);
	return rc;
}

/* ---- the workload program ---- */

int peer_build_workload(const char *src, const char *out, char *err, size_t errlen)
{
	if (access(src, R_OK) != 0) {
		seterr(err, errlen, "%s: %s (run the tests from the repository root)", src,
		       strerror(errno));
		return -1;
	}
	char ccbuf[512];
	const char *argv[MAX_ARGS];
	int n = compiler_words(ccbuf, sizeof ccbuf, argv, 16);
	if (n == 0) {
		seterr(err, errlen, "CC is blank");
		return -1;
	}
	static const char *const flags[] = {
		"-std=c11", "-D_DEFAULT_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror", "-Wshadow",
		"-Wstrict-prototypes", "-Wmissing-prototypes",
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		argv[n++] = flags[i];
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = src;
	argv[n++] = "-liscsi";
	argv[n] = NULL;
	struct peer_result r;
	if (peer_run(argv, NULL, BUILD_SECONDS, &r, err, errlen) != 0)
		return -1;
	int rc = peer_result_ok(&r) && is_exe(out) ? 0 : -1;
	if (rc != 0)
		seterr(err, errlen, "%s could not build %s (%s %d): %.600s", argv[0], src,
		       r.timed_out ? "timed out;" : r.exited ? "exit status" : "signal", r.status,
		       r.out ? r.out : "");
	peer_result_free(&r);
	return rc;
}

/* ---- processes ---- */

bool peer_pid_gone(pid_t pid, const char *comm)
{
	if (pid <= 0)
		return true;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	char *name = read_text(path, 64);
	if (!name)
		return true;
	name[strcspn(name, "\n")] = '\0';
	bool other = strcmp(name, comm) != 0;
	free(name);
	return other;
}
