/* peers.h — test helper: real iSCSI peers on loopback. Starts and stops tgtd
 * (the Linux SCSI target framework daemon) as a target with a file-backed
 * LUN, captures a port on lo with tcpdump, runs programs such as
 * libiscsi's tools with a timeout while collecting their output, and finds
 * free ports. Everything is fork + exec, never a shell, and every wait is
 * bounded in both count and time.
 *
 * Cleanup: every tgtd and tcpdump started here is registered; the test
 * should stop them itself (peer_tgtd_stop, peer_tcpdump_stop: in a cmocka
 * teardown, so a failing test stops them too), and whatever is still
 * registered at exit is killed by an atexit handler. Each child also gets
 * PR_SET_PDEATHSIG SIGKILL, so none survives a test process that crashes
 * or is killed. Children run in their own process group, so a terminal's
 * Ctrl-C does not reach them before the test has had its say.
 *
 * What these recipes rely on (tested with tgt 1.0.85, libiscsi 1.19 and
 * tcpdump 4.99 on Debian 12):
 *  - tgtd -f -C N --iscsi portal=127.0.0.1:PORT runs in the foreground with
 *    the management socket /var/run/tgtd/socket.N; tgtadm -C N talks to it.
 *    Here N is always PORT. tgtd ignores SIGTERM: it stops on tgtadm
 *    --mode system --op delete (within about 2 s). When PORT is taken tgtd
 *    keeps running without the portal and logs "failed to create/bind to
 *    portal"; when another tgtd holds N it exits ("another tgtd is using").
 *    Both make peer_tgtd_start try the next port.
 *  - LUN 0 is tgtd's controller LUN; the disk (the file) is LUN 1.
 *  - tcpdump needs --immediate-mode (else short captures come out empty)
 *    and -B 65536 (else large writes drop packets); it prints "listening
 *    on" once it captures, and its drop count when it stops on SIGTERM.
 *  - On lo the kernel leaves TCP checksums to "hardware" that never fills
 *    them in, so every captured segment has a partial checksum: anything
 *    that verifies TCP checksums on these captures must not (tshark:
 *    -o tcp.check_checksum:FALSE).
 */
#ifndef TESTS_SUPPORT_PEERS_H
#define TESTS_SUPPORT_PEERS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The ports the peer tests use, for the portal and tgtd's -C. tshark's
 * checks of the committed captures decode iSCSI on 3260-3270. */
#define PEER_PORT_FIRST 3261
#define PEER_PORT_LAST 3270

#define PEER_DEFAULT_IQN "iqn.2024-01.org.iscsi-harness:peers-disk"
#define PEER_LUN_BYTES (64LL * 1024 * 1024)

/* Output kept from one program run; more is read and dropped. */
#define PEER_OUT_MAX (4u * 1024 * 1024)

/* ---- finding programs and prerequisites ---- */

/* The absolute path of program name: searched in PATH and then in
 * /usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin, /sbin, /bin (tgtd
 * lives in /usr/sbin, which a non-login PATH may lack). A name containing
 * '/' is taken as is. False when there is no executable of that name. */
bool peer_which(const char *name, char *path, size_t len);

/* Checks what the peer tests need: running as root, and tgtd, tgtadm,
 * iscsi-ls, iscsi-inq, iscsi-readcapacity16, iscsi-test-cu, tcpdump,
 * tshark, a C compiler ($CC, else cc) and libiscsi's header. True when all
 * are there; otherwise missing says exactly what is not, with the Debian
 * package that provides it ("tgtd (package tgt); ..."). */
bool peer_prereqs(char *missing, size_t len);

/* ---- running a program ---- */

struct peer_result {
	bool exited;      /* it exited: status is its exit status */
	int status;       /* exit status, or the signal that ended it */
	bool timed_out;   /* it was still running at the timeout and was killed
	                   * (SIGKILL to its whole process group) */
	char *out;        /* its stdout and stderr, interleaved as written,
	                   * NUL-terminated (at most PEER_OUT_MAX bytes kept) */
	size_t out_len;
	double seconds;   /* wall time */
};

/* Runs argv (argv[0] a name looked up with peer_which, or a path) with
 * stdin from /dev/null, in its own process group, and waits at most
 * timeout_s seconds for it to exit and close its output. env (NULL, or a
 * NULL-terminated list) changes the child's environment: "NAME=VALUE" sets,
 * "NAME" removes. Returns 0 when the program ran (whatever its status: see
 * r), -1 with a message in err when it could not be started (then r holds
 * nothing to free). */
int peer_run(const char *const argv[], const char *const env[], double timeout_s,
	     struct peer_result *r, char *err, size_t errlen);

/* True when r says the program exited with status 0 in time. */
bool peer_result_ok(const struct peer_result *r);

void peer_result_free(struct peer_result *r);

/* ---- ports ---- */

/* True when nothing listens on 127.0.0.1:port and a listening socket
 * could bind it now. */
bool peer_port_free(int port);

/* The first free port in [first, last], trying from start and wrapping
 * round; -1 when none is. */
int peer_free_port(int first, int last, int start);

/* ---- tgtd ---- */

struct peer_tgtd_opts {
	const char *workdir;        /* tgtd's log and the LUN's file go here
	                             * (created when missing); required */
	int port;                   /* the first port tried; 0: port_first */
	int port_first, port_last;  /* the range tried; 0: PEER_PORT_FIRST and
	                             * PEER_PORT_LAST */
	const char *iqn;            /* NULL: PEER_DEFAULT_IQN */
	int max_connections;        /* MaxConnections offered; 0: tgtd's (1) */
	int erl;                    /* ErrorRecoveryLevel offered; 0: tgtd's (0) */
	bool digests;               /* offer HeaderDigest and DataDigest
	                             * "CRC32C,None" (tgtd's default: None) */
	const char *chap_user;      /* non-NULL: a CHAP account bound to the
	                             * target, so every normal login needs it */
	const char *chap_password;
};

struct peer_tgtd {
	pid_t pid;                /* 0 when not running */
	int port;                 /* portal port, and tgtd's -C number */
	char iqn[224];
	char lun_file[PATH_MAX];  /* LUN 1's backing file: PEER_LUN_BYTES, sparse */
	char log[PATH_MAX];       /* tgtd's stdout and stderr */
	char portal_url[64];      /* "iscsi://127.0.0.1:PORT" (discovery) */
	char url[320];            /* "iscsi://127.0.0.1:PORT/IQN/1" */
	bool killed;              /* after stop: it did not exit on its own and
	                           * was killed with SIGKILL */
};

/* Starts tgtd on the first free port of the range (from opts->port), waits
 * until it is ready (its management socket answers and the portal accepts
 * connections: at most 5 s), and configures target 1 with opts->iqn, LUN 1
 * on a fresh sparse file, access for every initiator address, and the
 * options asked for. Tries the next port when the chosen one turns out to
 * be taken. Returns 0, or -1 with err set (tgtd is then stopped). */
int peer_tgtd_start(const struct peer_tgtd_opts *opts, struct peer_tgtd *t,
		    char *err, size_t errlen);

/* Runs tgtadm -C PORT with the arguments that follow (NULL-terminated),
 * with a 10 s timeout. Returns 0 when it succeeded, else -1 with err set
 * to the command and what it said. */
int peer_tgtadm(const struct peer_tgtd *t, char *err, size_t errlen, ...)
	__attribute__((sentinel));

/* Stops tgtd by its PID: deletes target 1 (--force), asks tgtd to exit
 * (tgtadm --mode system --op delete), waits at most 5 s for the PID, then
 * kills it with SIGKILL; reaps it either way and removes the LUN's file.
 * Does nothing when t->pid is 0. Returns 0 once the process is gone (see
 * t->killed for how), -1 with err set when it could not be reaped. */
int peer_tgtd_stop(struct peer_tgtd *t, char *err, size_t errlen);

/* ---- tcpdump ---- */

struct peer_tcpdump {
	pid_t pid;                 /* 0 when not running */
	char pcap[PATH_MAX];
	char log[PATH_MAX];        /* tcpdump's stderr */
	long captured, received, dropped;  /* its summary after stop; -1 when
	                                    * it did not print that line */
};

/* Starts tcpdump -i lo -s 0 -U -B 65536 --immediate-mode -n -w pcap
 * 'tcp port PORT' (and -Z root when root, so the file stays the caller's
 * and no privilege drop clears the parent-death signal), stderr into log,
 * and waits at most 5 s for "listening on". Returns 0, or -1 with err set
 * (tcpdump is then stopped). */
int peer_tcpdump_start(int port, const char *pcap, const char *log, struct peer_tcpdump *d,
		       char *err, size_t errlen);

/* Lets the last packets reach the file (waits until its size has not
 * changed for 300 ms, at most 2 s), sends SIGTERM, waits at most 5 s
 * (then SIGKILL), reaps tcpdump and reads its summary. Returns 0 when
 * tcpdump exited with status 0 after printing its summary and dropped
 * nothing; -1 with err set otherwise. Does nothing when d->pid is 0. */
int peer_tcpdump_stop(struct peer_tcpdump *d, char *err, size_t errlen);

/* ---- the harness's own target, as a peer ---- */

struct peer_harness_target {
	pid_t pid;                /* 0 when not running */
	int port;
	char iqn[224];
	char log[PATH_MAX];       /* its stdout and stderr */
	char pcap[PATH_MAX];      /* the capture it writes */
	char url[320];            /* "iscsi://127.0.0.1:PORT/IQN/0" */
	int exit_status;          /* after stop: its exit status, or -1 */
	bool killed;              /* after stop: it had to be killed */
};

/* Starts `bin target --listen 127.0.0.1:PORT --pcap WORKDIR/target.pcap
 * --nop-interval 0 --iqn IQN` plus extra (NULL-terminated, may be NULL)
 * on the first free port of the peer range, output into
 * WORKDIR/target.log, and waits at most 5 s for it to say it listens.
 * LUN 0 is its first --lun. Returns 0, or -1 with err set (then it is
 * stopped). */
int peer_harness_target_start(const char *bin, const char *workdir,
			      const char *const extra[],
			      struct peer_harness_target *t, char *err,
			      size_t errlen);
/* SIGTERM by PID, at most 5 s for it to flush its pcap and exit (then
 * SIGKILL), reaped either way. Returns 0 when it exited with status 0 on
 * its own; -1 with err set otherwise. Does nothing when t->pid is 0. */
int peer_harness_target_stop(struct peer_harness_target *t, char *err,
			     size_t errlen);

/* ---- the libiscsi workload program ---- */

/* Compiles src (tests/peers/iscsi_workload.c) into out with $CC (else cc)
 * and -liscsi, with the project's warning flags. Returns 0, or -1 with err
 * set to the compiler's first lines of complaint. */
int peer_build_workload(const char *src, const char *out, char *err, size_t errlen);

/* ---- files and processes ---- */

/* mkdir -p dir (mode 0755). Returns 0, or -1 with errno set. */
int peer_mkdir_p(const char *dir);

/* True when no process pid exists, or the one that does now is not named
 * comm (/proc/PID/comm: the PID was reused by something else). */
bool peer_pid_gone(pid_t pid, const char *comm);

/* Kills (SIGKILL) and reaps every tgtd and tcpdump still registered; runs
 * at exit by itself. Returns how many there were. */
int peer_kill_all(void);

#endif
