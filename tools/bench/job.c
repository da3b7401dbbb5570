// SPDX-License-Identifier: GPL-2.0
/*
 * job.c: the main process's side of a row.  It makes the links through
 * the backend's family and forks the workers (job_setup), starts each
 * repetition and waits for it while watching for dead workers, ^C and a
 * hang (job_rep), finds how many messages make a repetition long enough
 * (job_calibrate), and takes everything down again (job_teardown).
 */
#include "job.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

volatile sig_atomic_t interrupted;
pid_t main_pid;

/* No SA_RESTART (main.c): the signal itself ends job_rep's futex wait. */
void on_signal(int sig)
{
	if (sig == SIGINT || sig == SIGTERM)
		interrupted = sig;
}

/* A worker blocked in I/O does not see quit: kill it after a while. */
static void reap(pid_t pid)
{
	unsigned int p;
	int st;

	for (p = 0; p < 50; p++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		if (p == 10)
			kill(pid, SIGKILL);
		usleep(p < 10 ? 1000 : 20000);
	}
	waitpid(pid, &st, 0);
}

void job_teardown(struct job *j)
{
	unsigned int i;

	if (j->ctl) {
		j->ctl->quit = 1;
		atomic_fetch_add(&j->ctl->gen, 1);
		futex_wake(&j->ctl->gen, INT_MAX);
	}
	for (i = 0; i < j->nworkers; i++) {
		if (j->pid[i] > 0)
			reap(j->pid[i]);
		j->pid[i] = 0;
	}
	/* Links are zeroed until made, and every unlink copes with that. */
	for (i = 0; i < j->pairs; i++) {
		j->b->fam->unlink(&j->lk[i]);
		memset(&j->lk[i], 0, sizeof(j->lk[i]));
	}
	if (j->b->fam->finish)
		j->b->fam->finish(j);
	if (j->ctl)
		munmap(j->ctl, j->ctl_len);
	j->ctl = NULL;
}

/*
 * Make the channels or regions and fork the workers.  0, or -errno with
 * the reason in @why; job_teardown() undoes what was done either way.
 */
int job_setup(struct job *j, char *why, size_t len)
{
	unsigned int p, i;
	int ret = 0;
	pid_t pid;

	j->capacity = -1;
	j->ipc_ns = -1;
	j->ctl_len = (sizeof(struct ctl) + 4095) & ~(size_t)4095;
	j->ctl = mmap(NULL, j->ctl_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->ctl == MAP_FAILED) {
		j->ctl = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	if (j->b->fam->prepare)
		ret = j->b->fam->prepare(j, why, len);
	for (p = 0; p < j->pairs && !ret; p++)
		ret = j->b->fam->link(j, &j->lk[p], why, len);
	if (ret)
		return ret;

	/* Buffered output would be written again by every child. */
	fflush(NULL);
	main_pid = getpid();
	j->nworkers = 2 * j->pairs;
	for (i = 0; i < j->nworkers; i++) {
		pid = fork();
		if (pid < 0) {
			ret = -errno;
			snprintf(why, len, "fork: %s", strerror(errno));
			return ret;
		}
		if (!pid)
			worker_main(j, i);
		j->pid[i] = pid;
	}
	return 0;
}

/* A worker that ended on its own: its slot says why, or its status. */
static int worker_died(struct job *j, unsigned int i, int st, char *why,
		       size_t len)
{
	struct slot *sl = &j->ctl->slot[i];

	j->pid[i] = 0;
	if (sl->err)
		snprintf(why, len, "%s", sl->msg);
	else if (WIFSIGNALED(st))
		snprintf(why, len, "worker %u killed by signal %d", i,
			 WTERMSIG(st));
	else
		snprintf(why, len, "worker %u exited with %d", i,
			 WEXITSTATUS(st));
	return sl->err ? sl->err : -ECHILD;
}

/*
 * Wait until every worker has reported; the futex wait wakes at least
 * once a second (and on SIGCHLD or SIGINT) to look for dead workers, an
 * interruption, and a repetition that takes far too long.
 */
static int job_wait(struct job *j, char *why, size_t len)
{
	struct ctl *ctl = j->ctl;
	int64_t deadline = now_ns() +
			   (int64_t)(fmax(300, 100 * cfg.min_time) * 1e9);
	struct timespec ts = { 1, 0 };
	unsigned int i;
	uint32_t d;
	int st;

	while ((d = atomic_load(&ctl->done)) < j->nworkers) {
		futex_wait(&ctl->done, d, &ts);
		if (interrupted) {
			snprintf(why, len, "interrupted");
			return -EINTR;
		}
		for (i = 0; i < j->nworkers; i++)
			if (waitpid(j->pid[i], &st, WNOHANG) == j->pid[i])
				return worker_died(j, i, st, why, len);
		if (now_ns() > deadline) {
			snprintf(why, len, "repetition timed out");
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/*
 * One repetition: every worker moves @n messages (or round trips).  The
 * elapsed time runs from the first worker's start to the last one's end.
 */
int job_rep(struct job *j, uint64_t n, double *elapsed, char *why, size_t len)
{
	struct ctl *ctl = j->ctl;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	unsigned int i;
	int ret;

	memset(ctl->slot, 0, sizeof(ctl->slot));
	ctl->n = n;
	atomic_store(&ctl->done, 0);
	atomic_fetch_add(&ctl->gen, 1);
	futex_wake(&ctl->gen, INT_MAX);
	ret = job_wait(j, why, len);
	if (ret)
		return ret;
	for (i = 0; i < j->nworkers; i++) {
		if (ctl->slot[i].err) {
			snprintf(why, len, "%s", ctl->slot[i].msg);
			return ctl->slot[i].err;
		}
		if (ctl->slot[i].t0 < t0)
			t0 = ctl->slot[i].t0;
		if (ctl->slot[i].t1 > t1)
			t1 = ctl->slot[i].t1;
	}
	*elapsed = (double)(t1 - t0 > 0 ? t1 - t0 : 1) / 1e9;
	return 0;
}

/*
 * Find a message count whose repetition lasts at least --min-time.  The
 * calibration runs double as the warm-up.  Growth is bounded (2x to 16x
 * a step) so that one noisy short run does not overshoot by far.
 */
int job_calibrate(struct job *j, uint64_t n, uint64_t floor_n, uint64_t *out,
		  char *why, size_t len)
{
	double el = 0, f;
	int ret, i;

	for (i = 0; i < 30; i++) {
		ret = job_rep(j, n, &el, why, len);
		if (ret)
			return ret;
		if (el >= cfg.min_time * 0.5)
			break;
		f = el > 0 ? cfg.min_time / el : 16;
		f = f > 16 ? 16 : f < 2 ? 2 : f;
		n = (uint64_t)ceil((double)n * f);
	}
	n = (uint64_t)ceil((double)n * cfg.min_time * 1.05 / el);
	*out = n > floor_n ? n : floor_n;
	return 0;
}
