/* SPDX-License-Identifier: GPL-2.0 */
/*
 * job.h: the measuring machinery shared by job.c (the main process's
 * side), worker.c (the forked workers) and the backend families (chan.c,
 * uring.c, ring.c).
 *
 * A job is one row's worth of channels or regions ("links", one per pair
 * of workers) and the worker processes that use them.  The main process
 * makes the links, forks the workers, and then only starts repetitions
 * and collects their times through a shared control page: it never
 * touches the data path, so it cannot slow it down.
 */
#ifndef KIPC_BENCH_JOB_H
#define KIPC_BENCH_JOB_H

#include "bench.h"

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include <liburing.h>

/* What a repetition does: move a stream, or bounce one message. */
enum { JOB_STREAM, JOB_PINGPONG };

/* A worker's report of one repetition, in the control page. */
struct slot {
	int64_t t0, t1;			/* monotonic ns: start, end */
	int32_t err;			/* -errno, 0 */
	uint32_t pad;
	double p50, p99, p999;		/* latency client: ns */
	char msg[ERRMSG_LEN];
};

/* One page (or a few) of MAP_SHARED memory between main and workers. */
struct ctl {
	_Atomic uint32_t gen;		/* futex: bumped to start a rep */
	_Atomic uint32_t done;		/* futex: workers finished */
	uint64_t n;			/* messages or round trips this rep */
	uint32_t quit;
	struct slot slot[MAX_WORKERS];
};

struct ring_hdr;		/* ring.c */

/* One pair's channel(s) or region; the family says which fields. */
struct link {
	struct kipc_chan *ch[2];	/* [0]: a->b; [1]: b->a (latency) */
	struct kipc_msgq *mq[2];	/* the same, for messages */
	int fd[2][2];			/* unix: [dir][0 read, 1 write] */
	struct kipc_shm *shm;
	struct ring_hdr *hdr;
	uint8_t *data;
	uint64_t ring_cap;
};

struct job {
	const struct backend *b;
	int kind;			/* JOB_* */
	uint64_t size;
	unsigned int pairs;
	struct link lk[MAX_PAIRS];
	pid_t pid[MAX_WORKERS];
	unsigned int nworkers;
	struct ctl *ctl;
	size_t ctl_len;
	int64_t capacity;
	bool limited;			/* a system limit refused: skip */
	int ipc_ns;			/* msg.c: where to go back; -1 none */
};

/* A worker's own state; idx is its slot, even for writers/clients. */
struct wctx {
	struct job *j;
	unsigned int idx, role, pair;	/* role 0: writer/client */
	struct link *lk;
	cpu_set_t cpu;			/* where it is pinned (cfg.pin) */
	struct io_uring ring;
	struct kipc_aio *aio;
	uint8_t *buf, *pattern;
	uint64_t pos;			/* ring: local tail or head */
	uint64_t db_seen;		/* doorbell: a lower bound */
	uint64_t vpos;			/* --verify: stream offset */
};

/*
 * A family of backends: how their links are made and unmade (main
 * process), and how the workers move bytes over them.  The table of
 * backends points each entry at one, so that nothing else asks which
 * mechanism it is driving.
 */
struct family {
	/*
	 * Before the links are made and after they are gone, in the main
	 * process; may be NULL.  0, or -errno with the reason in @why.
	 */
	int (*prepare)(struct job *j, char *why, size_t len);
	void (*finish)(struct job *j);
	/* Make @lk; 0, or -errno with the reason in @why. */
	int (*link)(struct job *j, struct link *lk, char *why, size_t len);
	void (*unlink)(struct link *lk);
	/* In the worker, before the first repetition; may be NULL. */
	void (*worker_init)(struct wctx *w);
	/* Direction @dir: 0 writer to reader (client to server), 1 back. */
	void (*send)(struct wctx *w, int dir, const uint8_t *buf, size_t len);
	size_t (*recv_some)(struct wctx *w, int dir, uint8_t *buf, size_t len);
	/* Round trip number @k: the client's whole trip, the server's echo. */
	void (*ping)(struct wctx *w, uint32_t k);
	void (*pong)(struct wctx *w, uint32_t k);
};

extern const struct family fam_chan, fam_unix, fam_uring, fam_ring, fam_msg;

/* chan.c: what the byte-channel families share. */
int chan_link(struct job *j, struct link *lk, char *why, size_t len);
void chan_unlink(struct link *lk);
bool chan_got(struct wctx *w, ssize_t n);
void chan_ping(struct wctx *w, uint32_t k);
void chan_pong(struct wctx *w, uint32_t k);

/* job.c */
extern volatile sig_atomic_t interrupted;
extern pid_t main_pid;
void on_signal(int sig);
int job_setup(struct job *j, char *why, size_t len);
void job_teardown(struct job *j);
int job_rep(struct job *j, uint64_t n, double *elapsed, char *why,
	    size_t len);
int job_calibrate(struct job *j, uint64_t n, uint64_t floor_n,
		  uint64_t *out, char *why, size_t len);

/* worker.c */
void worker_main(struct job *j, unsigned int idx) __attribute__((noreturn));
void wfail(struct wctx *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#endif /* KIPC_BENCH_JOB_H */
