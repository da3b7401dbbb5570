// SPDX-License-Identifier: GPL-2.0
/*
 * worker.c: a forked worker process.  It pins itself, makes its buffers,
 * then waits on the control page for each repetition and runs it: a
 * stream (the writer sends n messages, the reader takes n * size bytes)
 * or a ping-pong (the client times n round trips of a message one by
 * one, for their percentiles).  The data path is its backend family's;
 * a failure is written to the worker's slot and ends the process, and
 * the main process turns it into the row's error.
 */
#include "job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

/* Say why in our slot, tell the main process, and end. */
void wfail(struct wctx *w, int err, const char *fmt, ...)
{
	struct slot *sl = &w->j->ctl->slot[w->idx];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sl->msg, sizeof(sl->msg), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(sl->msg))
		snprintf(sl->msg + n, sizeof(sl->msg) - n, ": %s",
			 kipc_strerror(err));
	sl->err = err ? err : -EIO;
	atomic_fetch_add(&w->j->ctl->done, 1);
	futex_wake(&w->j->ctl->done, 1);
	_exit(3);
}

/* The same bytes for writer and reader: a message is a xorshift stream. */
static void fill_pattern(uint8_t *p, size_t len)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* --verify: the chunk at stream offset w->vpos matches the pattern. */
static void verify_chunk(struct wctx *w, const uint8_t *p, size_t len)
{
	uint64_t size = w->j->size;

	while (len) {
		uint64_t off = w->vpos % size;
		size_t n = len < size - off ? len : (size_t)(size - off);

		if (memcmp(p, w->pattern + off, n))
			wfail(w, -EBADMSG, "data mismatch near stream offset %" PRIu64,
			      w->vpos);
		p += n;
		len -= n;
		w->vpos += n;
	}
}

/* ------------------------------------------------------------------ */
/* The repetitions                                                     */

/*
 * A reader takes what comes, in pieces of any length up to a message:
 * a channel need not keep the writer's message boundaries.
 */
static void stream_rep(struct wctx *w, uint64_t n, struct slot *sl)
{
	const struct family *fam = w->j->b->fam;
	uint64_t size = w->j->size, total = n * size, got = 0, i;
	size_t r;

	sl->t0 = now_ns();
	if (w->role == 0) {
		for (i = 0; i < n; i++)
			fam->send(w, 0, w->buf, size);
	} else {
		while (got < total) {
			r = fam->recv_some(w, 0, w->buf,
					   total - got < size ? total - got : size);
			if (cfg.verify)
				verify_chunk(w, w->buf, r);
			got += r;
		}
	}
	sl->t1 = now_ns();
}

/* The client keeps up to MAX_RTTS samples: percentiles need no more. */
static void pingpong_rep(struct wctx *w, uint64_t n, struct slot *sl)
{
	const struct family *fam = w->j->b->fam;
	uint64_t *samples = NULL, keep = n < MAX_RTTS ? n : MAX_RTTS, i;
	int64_t t;

	if (w->role == 0) {
		samples = malloc(keep * sizeof(*samples));
		if (!samples)
			wfail(w, -ENOMEM, "samples");
	}
	sl->t0 = now_ns();
	for (i = 0; i < n; i++) {
		/* The shm sequence number keeps going across repetitions. */
		uint32_t k = (uint32_t)(w->pos + i + 1);

		if (w->role == 1) {
			fam->pong(w, k);
			continue;
		}
		t = now_ns();
		fam->ping(w, k);
		if (i < keep)
			samples[i] = (uint64_t)(now_ns() - t);
	}
	sl->t1 = now_ns();
	w->pos += n;
	if (w->role == 0) {
		rtt_percentiles(samples, keep, &sl->p50, &sl->p99, &sl->p999);
		free(samples);
	}
}

/* ------------------------------------------------------------------ */
/* The process                                                         */

/* Both ends of a pair on one CPU, unless --split; pairs take turns. */
static int worker_cpu(unsigned int idx)
{
	unsigned int pair = idx / 2, role = idx % 2;

	if (cfg.split)
		return cfg.cpus[(2 * pair + role) % cfg.ncpus];
	return cfg.cpus[pair % cfg.ncpus];
}

static void worker_start(struct wctx *w)
{
	struct job *j = w->j;
	size_t bufsz;

	/* The main process cleans up and kills us; if it dies, so do we. */
	signal(SIGINT, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != main_pid)
		_exit(1);
	if (cfg.pin) {
		CPU_ZERO(&w->cpu);
		CPU_SET(worker_cpu(w->idx), &w->cpu);
		if (sched_setaffinity(0, sizeof(w->cpu), &w->cpu))
			wfail(w, -errno, "sched_setaffinity(CPU %d)",
			      worker_cpu(w->idx));
	}
	/*
	 * A message of the row's size, streamed or sent there and back (a
	 * byte channel's round trip is 1 byte).  Page-aligned for every row
	 * alike: alignment is not what differs.
	 */
	bufsz = j->size > 64 ? j->size : 64;
	w->buf = aligned_alloc(4096, (bufsz + 4095) & ~(size_t)4095);
	if (!w->buf)
		wfail(w, -ENOMEM, "buffer");
	fill_pattern(w->buf, bufsz);
	if (cfg.verify && j->kind == JOB_STREAM && w->role == 1) {
		w->pattern = malloc(bufsz);
		if (!w->pattern)
			wfail(w, -ENOMEM, "buffer");
		fill_pattern(w->pattern, bufsz);
	}
	if (j->b->fam->worker_init)
		j->b->fam->worker_init(w);
}

void worker_main(struct job *j, unsigned int idx)
{
	struct ctl *ctl = j->ctl;
	struct wctx w;
	uint32_t gen = 0, g;

	memset(&w, 0, sizeof(w));
	w.j = j;
	w.idx = idx;
	w.role = idx % 2;
	w.pair = idx / 2;
	w.lk = &j->lk[w.pair];
	worker_start(&w);
	for (;;) {
		while ((g = atomic_load(&ctl->gen)) == gen)
			futex_wait(&ctl->gen, gen, NULL);
		gen = g;
		if (ctl->quit)
			_exit(0);
		if (j->kind == JOB_STREAM)
			stream_rep(&w, ctl->n, &ctl->slot[idx]);
		else
			pingpong_rep(&w, ctl->n, &ctl->slot[idx]);
		atomic_fetch_add(&ctl->done, 1);
		futex_wake(&ctl->done, 1);
	}
}
