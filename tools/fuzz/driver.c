// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: the process and thread driver.
 *
 * Owns how operations run.  P worker processes of T threads each share
 * the budget; every thread draws its operations, by weight, from its own
 * generator, seeded from the seed, the worker and the thread, and runs
 * them on its own objects.  Forked children run a few operations of their
 * own and exit, or are killed (and what they left is removed).  A
 * per-thread timer interrupts every call that could block, unless a short
 * timeout of the call's own must end it (what such a wait must end with
 * is here too), and a crash signal names the last operation.
 */
#include "fuzz.h"

/* Per worker process: see fuzz.h. */
_Atomic int kids_alive;
_Atomic unsigned int fork_gen;
_Atomic unsigned int kids_gone_epoch;
bool no_madvise;

/* The summary's names of the operations. */
const char *const op_names[NR_OPS] = {
	"pair", "named_create", "named_open", "named_remove", "write", "read",
	"poll", "chan_ioctl", "close", "dup", "fcntl", "splice",
	"fork", "shm_get", "shm_open", "shm_stat", "shm_set",
	"shm_rmid", "mmap", "munmap", "mprotect", "touch", "madvise",
	"doorbell", "seals", "shm_list", "stats", "ctl_fuzz",
	"rand_ioctl", "proc", "race_chan", "race_shm", "ufd", "kill",
	"mapped_chan", "ring_mmap", "ring_munmap", "ring_use",
	"ring_hostile", "mapped_io", "mapped_ctl", "ring_race",
	"msg_chan", "msg_write", "msg_read", "msg_ctl", "chan_open",
	"chan_opts",
};

/*
 * Relative weights of the operations.  Changing one changes which
 * operation every later draw picks: a seed then means another run.
 */
static const unsigned int op_weight[NR_OPS] = {
	[OP_PAIR] = 4, [OP_NAMED] = 2, [OP_NAMED_OPEN] = 3,
	[OP_NAMED_REMOVE] = 1, [OP_WRITE] = 16, [OP_READ] = 16,
	[OP_POLL] = 5, [OP_CHAN_IOCTL] = 6, [OP_CLOSE] = 4, [OP_DUP] = 2,
	[OP_FCNTL] = 3, [OP_SPLICE] = 3, [OP_FORK] = 1, [OP_SHM_GET] = 3,
	[OP_SHM_OPEN] = 2, [OP_SHM_STAT] = 3, [OP_SHM_SET] = 1,
	[OP_SHM_RMID] = 1, [OP_MMAP] = 5, [OP_MUNMAP] = 3, [OP_MPROTECT] = 3,
	[OP_TOUCH] = 6, [OP_MADVISE] = 2, [OP_DOORBELL] = 4, [OP_SEALS] = 2,
	[OP_SHM_LIST] = 1, [OP_STATS] = 1, [OP_CTL_FUZZ] = 10,
	[OP_RAND_IOCTL] = 4, [OP_PROC] = 2, [OP_RACE_CHAN] = 5,
	[OP_RACE_SHM] = 5, [OP_UFD] = 8, [OP_KILL] = 1,
	[OP_MCHAN] = 3, [OP_RING_MAP] = 5, [OP_RING_UNMAP] = 3,
	[OP_RING_USE] = 8, [OP_RING_HOSTILE] = 3, [OP_MCHAN_IO] = 7,
	[OP_MCHAN_CTL] = 5, [OP_RING_RACE] = 1,
	[OP_MSG_CHAN] = 3, [OP_MSG_WRITE] = 10, [OP_MSG_READ] = 9,
	[OP_MSG_CTL] = 8, [OP_CHAN_OPEN] = 4, [OP_CHAN_OPTS] = 5,
};

/* ---------------------------------------------------------------- */
/* Signals: a per-thread timer interrupts what could block. */

/* Nothing to do: the signal's work is the EINTR it causes. */
static void on_timer(int sig)
{
	(void)sig;
}

static void on_crash(int sig)
{
	char line[256];
	int slot = -1, i, n;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	/* Best effort: the slot of this thread is not known here. */
	for (i = 0; i < MAX_WORKERS && sh; i++)
		if (sh->last[i][0])
			slot = i;
	n = snprintf(line, sizeof(line),
		     "# crash: signal %d in task %d (a last op: %s)\n", sig,
		     (int)tid, slot >= 0 ? sh->last[slot] : "?");
	if (write(STDOUT_FILENO, line, n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Each thread its own timer, signalling that very thread (not the process). */
static void timer_setup(struct ctx *c)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	c->have_timer = !timer_create(CLOCK_MONOTONIC, &sev, &c->timer);
}

/* The timer fires after @ns, and every @ns after that. */
static void arm_every(struct ctx *c, uint64_t ns)
{
	struct timespec t = { .tv_sec = (time_t)(ns / 1000000000ULL),
			      .tv_nsec = (long)(ns % 1000000000ULL) };
	struct itimerspec its = { .it_value = t, .it_interval = t };

	if (c->have_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

/*
 * Arm before a call that may sleep, disarm after.  The timer repeats: a
 * signal that lands before the call went to sleep (a busy machine) must
 * not leave it sleeping for good.
 */
void arm(struct ctx *c)
{
	arm_every(c, 10 * 1000 * 1000ULL);
}

void disarm(struct ctx *c)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (c->have_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* How long a call with a short timeout may take before it is stuck. */
#define GUARD_NS	(3 * 1000000000ULL)

static bool timeo_short(uint64_t timeo_ns)
{
	return timeo_ns && timeo_ns <= SHORT_TIMEO_NS;
}

/*
 * Around a call that may wait, bounded by a timeout of its own
 * (@timeo_ns, 0 for none): a short one must end the wait, so the 10 ms
 * timer keeps away and only a slow one guards against a wait that never
 * ends; otherwise the timer ends it.  disarm_wait() keeps the time the
 * call took, for wait_result().
 */
void arm_wait(struct ctx *c, uint64_t timeo_ns)
{
	c->wait_t0 = now_ns();
	if (timeo_short(timeo_ns))
		arm_every(c, GUARD_NS);
	else
		arm(c);
}

void disarm_wait(struct ctx *c)
{
	disarm(c);
	c->waited_ns = now_ns() - c->wait_t0;
}

/*
 * The errno a wait the model expects ends with: @timeout_err (EAGAIN for
 * I/O, ETIMEDOUT for an open) once a short timeout ran out, else the
 * timer's EINTR.
 */
int wait_end(uint64_t timeo_ns, int timeout_err)
{
	return timeo_short(timeo_ns) ? timeout_err : EINTR;
}

/*
 * What a read or write that finds no data or no room must give now: with
 * @blocking it waits (*@waits) and ends as wait_end() says, with the end's
 * timeout @timeo_ns; without, EAGAIN.
 */
int io_wait_errno(bool blocking, uint64_t timeo_ns, bool *waits)
{
	*waits = blocking;
	return blocking ? wait_end(timeo_ns, EAGAIN) : EAGAIN;
}

/*
 * A call the model expected to wait failed with @err: the errno to hold
 * it to, @err itself when it ended right.  A long timeout may win over
 * the timer too, when the thread waited for a CPU past it; but no timeout
 * may end a wait before its time, less a jiffy of rounding.
 */
int wait_result(struct ctx *c, uint64_t timeo_ns, int timeout_err, int err)
{
	int want = wait_end(timeo_ns, timeout_err);

	if (err != timeout_err || !timeo_ns)
		return want;
	if (c->waited_ns + JIFFY_NS < timeo_ns)
		violation(c, "a timeout of %llu ns ended a wait after %llu ns",
			  (unsigned long long)timeo_ns,
			  (unsigned long long)c->waited_ns);
	return err;
}

/*
 * Before the workers start.  SIGPIPE is ignored, so that a write to a
 * channel without readers gives EPIPE to check; SIGIO is ignored, as
 * fcntl(O_ASYNC) only needs fasync to run.
 */
void signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;	/* no SA_RESTART: sleepers see EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_crash;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
}

/* ---------------------------------------------------------------- */
/* Closing, forking, killing. */

void op_close(struct ctx *c)
{
	struct pchan *ch;
	struct preg *g;
	int fdi;

	switch (below(&c->r, 4)) {
	case 0:
		g = rg_pick(c, true);
		if (!g)
			return;
		note_op(c, OP_CLOSE, "close region fd %d", g->fds[0].fd);
		fdi = (int)below(&c->r, g->nfds);
		close(g->fds[fdi].fd);
		g->fds[fdi] = g->fds[--g->nfds];
		rg_maybe_gone(g);
		return;
	case 1:
		if (c->numap) {
			int i = (int)below(&c->r, c->numap);

			note_op(c, OP_CLOSE, "munmap untracked %p",
				(void *)c->umap[i].p);
			munmap(c->umap[i].p, c->umap[i].len);
			c->umap[i] = c->umap[--c->numap];
			return;
		}
		/* fall through */
	default:
		ch = ch_pick(c, false, false, &fdi);
		if (!ch)
			return;
		note_op(c, OP_CLOSE, "close channel fd %d", ch->fds[fdi].fd);
		ch_close_fd(c, ch, fdi);
		return;
	}
}

/* Reap children that are done; a crash of one is a failure. */
static void reap(struct ctx *c, bool block)
{
	for (int i = 0; i < c->nkids; i++) {
		int st;
		pid_t p = waitpid(c->kids[i], &st, block ? 0 : WNOHANG);

		if (p == 0)
			continue;
		if (p == c->kids[i] && WIFSIGNALED(st) &&
		    WTERMSIG(st) != SIGKILL)
			violation(c, "child %d died of signal %d", (int)p,
				  WTERMSIG(st));
		else if (p == c->kids[i] && WIFEXITED(st) && WEXITSTATUS(st))
			violation(c, "child %d exited %d", (int)p,
				  WEXITSTATUS(st));
		c->kids[i] = c->kids[--c->nkids];
		if (atomic_fetch_sub(&kids_alive, 1) == 1)
			atomic_fetch_add(&kids_gone_epoch, 1);
		i--;
	}
}

static void run_ops(struct ctx *c, uint64_t n);
static void ctx_cleanup(struct ctx *c);

/*
 * The child of op_fork(): @n operations on objects of its own, from its own
 * generator (@seed), as nobody if @drop, then exit.  The parent's tracked
 * objects are not its to model, so it closes their fds; it unmaps some of
 * their mappings (those @seed's bits pick) and keeps others to exit with,
 * so that both ways of losing a mapping meet the parent's nattch.
 */
static void __attribute__((noreturn))
fork_child(struct ctx *c, uint64_t seed, uint64_t n, bool drop)
{
	for (int i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[i];

		for (int j = 0; j < ch->nfds; j++)
			close(ch->fds[j].fd);
		ch->nfds = 0;
		ch->used = false;
	}
	for (int i = 0; i < MAX_REG; i++) {
		struct preg *g = &c->rg[i];

		for (int j = 0; j < g->nfds; j++)
			close(g->fds[j].fd);
		for (int j = 0; j < g->nvma; j++)
			if (seed & (1ULL << j))
				munmap((void *)g->vmas[j].start,
				       g->vmas[j].len);
		g->used = false;
	}
	mc_forget(c);
	/* The pipe for splice is the parent's: make our own. */
	if (c->pipe_r >= 0) {
		int p[2];

		close(c->pipe_r);
		close(c->pipe_w);
		c->pipe_r = c->pipe_w = -1;
		if (!pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
			c->pipe_r = p[0];
			c->pipe_w = p[1];
		}
	}
	c->kid = true;
	c->nkids = 0;
	atomic_store(&kids_alive, 0);
	rng_seed(&c->r, seed);
	/* Timers are not inherited across fork(). */
	timer_setup(c);
	/* Without capabilities: the permission checks and per-user limits. */
	if (drop) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(0);
		c->unpriv = true;
	}
	run_ops(c, n);
	ctx_cleanup(c);
	_exit(0);
}

/*
 * A child holds copies of this thread's fds and mappings: the model's
 * certainty (model.c) counts the children alive and the forks done.
 */
void op_fork(struct ctx *c)
{
	uint64_t seed = rnd(&c->r), n = 5 + below(&c->r, 40);
	bool drop = chance(&c->r, 25);
	pid_t pid;

	reap(c, false);
	if (c->kid || c->nkids == MAX_KIDS)
		return;
	note_op(c, OP_FORK, "fork: %llu ops%s", (unsigned long long)n,
		drop ? " unprivileged" : "");
	atomic_fetch_add(&kids_alive, 1);
	atomic_fetch_add(&fork_gen, 1);
	pid = fork();
	if (pid < 0) {
		if (atomic_fetch_sub(&kids_alive, 1) == 1)
			atomic_fetch_add(&kids_gone_epoch, 1);
		return;
	}
	if (pid == 0)
		fork_child(c, seed, n, drop);
	c->kids[c->nkids++] = pid;
	/* A replay needs the child's operations before the parent's next. */
	if (deterministic)
		reap(c, true);
}

/* Remove every named channel whose name starts with @prefix. */
void remove_chan_names(int ctl, const char *prefix)
{
	struct kipc_chan_name n;
	struct dirent *e;
	DIR *d = opendir("/sys/class/kipc");

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		memset(&n, 0, sizeof(n));
		snprintf(n.name, sizeof(n.name), "%s", e->d_name);
		ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n);
	}
	closedir(d);
}

/*
 * A killed child never cleaned up: remove its named channels and its
 * private regions, or a long run fills max_channels and shm_mni with them
 * and then tests little but ENOSPC.  They were only ever the child's.
 */
static void forget_killed_child(struct ctx *c, pid_t pid)
{
	int32_t ids[512];
	struct kipc_shm_list l = { .ids = (uintptr_t)ids,
				   .nr_ids = sizeof(ids) / sizeof(ids[0]) };
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "kfz-%d-", (int)pid);
	remove_chan_names(c->ctl, prefix);
	if (ioctl(c->ctl, KIPC_IOC_SHM_LIST, &l))
		return;
	for (uint32_t i = 0; i < l.count && i < l.nr_ids; i++) {
		struct kipc_shm_stat st = { .id = ids[i] };
		struct kipc_shm_id id = { .id = ids[i] };

		if (!ioctl(c->ctl, KIPC_IOC_SHM_STAT, &st) &&
		    st.cpid == pid && st.key == KIPC_SHM_PRIVATE &&
		    !(st.mode & KIPC_SHM_DEST))
			ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
	}
}

void op_kill(struct ctx *c)
{
	pid_t pid;

	if (!c->nkids) {
		op_fork(c);
		return;
	}
	pid = c->kids[0];
	note_op(c, OP_KILL, "kill child %d", (int)pid);
	kill(pid, SIGKILL);
	reap(c, true);
	forget_killed_child(c, pid);
}

/* ---------------------------------------------------------------- */
/* The loop. */

typedef void (*op_fn)(struct ctx *c);

static const op_fn op_fns[NR_OPS] = {
	[OP_PAIR] = op_pair, [OP_NAMED] = op_named,
	[OP_NAMED_OPEN] = op_named_open, [OP_NAMED_REMOVE] = op_named_remove,
	[OP_WRITE] = op_write, [OP_READ] = op_read, [OP_POLL] = op_poll,
	[OP_CHAN_IOCTL] = op_chan_ioctl, [OP_CLOSE] = op_close,
	[OP_DUP] = op_dup, [OP_FCNTL] = op_fcntl, [OP_SPLICE] = op_splice,
	[OP_FORK] = op_fork, [OP_SHM_GET] = op_shm_get,
	[OP_SHM_OPEN] = op_shm_open, [OP_SHM_STAT] = op_shm_stat,
	[OP_SHM_SET] = op_shm_set, [OP_SHM_RMID] = op_shm_rmid,
	[OP_MMAP] = op_mmap, [OP_MUNMAP] = op_munmap,
	[OP_MPROTECT] = op_mprotect, [OP_TOUCH] = op_touch,
	[OP_MADVISE] = op_madvise, [OP_DOORBELL] = op_doorbell,
	[OP_SEALS] = op_seals, [OP_SHM_LIST] = op_shm_list,
	[OP_STATS] = op_stats, [OP_CTL_FUZZ] = op_ctl_fuzz,
	[OP_RAND_IOCTL] = op_rand_ioctl, [OP_PROC] = op_proc,
	[OP_RACE_CHAN] = op_race_chan, [OP_RACE_SHM] = op_race_shm,
	[OP_UFD] = op_ufd, [OP_KILL] = op_kill,
	[OP_MCHAN] = op_mchan, [OP_RING_MAP] = op_ring_map,
	[OP_RING_UNMAP] = op_ring_unmap, [OP_RING_USE] = op_ring_use,
	[OP_RING_HOSTILE] = op_ring_hostile, [OP_MCHAN_IO] = op_mchan_io,
	[OP_MCHAN_CTL] = op_mchan_ctl, [OP_RING_RACE] = op_ring_race,
	[OP_MSG_CHAN] = op_msg_chan, [OP_MSG_WRITE] = op_msg_write,
	[OP_MSG_READ] = op_msg_read, [OP_MSG_CTL] = op_msg_ctl,
	[OP_CHAN_OPEN] = op_chan_open, [OP_CHAN_OPTS] = op_chan_opts,
};

static unsigned int weight_total(void)
{
	unsigned int sum = 0;

	for (int k = 0; k < NR_OPS; k++)
		sum += op_weight[k];
	return sum;
}

/*
 * Draw and run @n operations.  One draw picks the kind; the operation
 * then draws what it needs.  Only a worker's threads keep children (one
 * level deep), so a child turns fork and kill into a write (and a race
 * with a forked peer into a use of its own mappings); once madvise() gave
 * ENOSYS, a touch stands in for it.
 */
static void run_ops(struct ctx *c, uint64_t n)
{
	unsigned int total = weight_total();
	struct timespec t0, t1;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t w = below(&c->r, total);
		int k;

		for (k = 0; k < NR_OPS; k++) {
			if (w < op_weight[k])
				break;
			w -= op_weight[k];
		}
		if (c->kid && (k == OP_FORK || k == OP_KILL))
			k = OP_WRITE;
		if (k == OP_MADVISE && no_madvise)
			k = OP_TOUCH;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		certainty_begin(c);
		c->cur_mc = NULL;
		op_fns[k](c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_fetch_add(&sh->ns[k], (uint64_t)((t1.tv_sec - t0.tv_sec) *
			1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
		if (c->kid)
			atomic_fetch_add(&sh->kid_ops, 1);
		else
			atomic_fetch_add(&sh->ops, 1);
		if (!c->kid && (i & 15) == 0)
			reap(c, false);
	}
}

/* Everything this thread holds goes; its names and keys too. */
static void ctx_cleanup(struct ctx *c)
{
	while (c->nkids) {
		kill(c->kids[0], SIGKILL);
		reap(c, true);
	}
	certainty_begin(c);
	for (int i = 0; i < MAX_PCHAN; i++)
		if (c->ch[i].used)
			ch_drop(c, &c->ch[i]);
	for (int i = 0; i < MAX_REG; i++)
		if (c->rg[i].used)
			rg_drop(c, &c->rg[i]);
	mc_cleanup(c);
	while (c->nufd)
		close(c->ufd[--c->nufd].fd);
	while (c->numap) {
		c->numap--;
		munmap(c->umap[c->numap].p, c->umap[c->numap].len);
	}
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("kipc-fuzz: mmap");
		exit(2);
	}
	return p;
}

/*
 * The thread's buffers, and the pages its bad pointers aim at: one RW page
 * followed by PROT_NONE ones (an argument that straddles the two), PROT_NONE
 * pages, and a read-only page (an argument that cannot be written back).
 */
static void ctx_init_io(struct ctx *c)
{
	int p[2];
	char *edge;

	c->buf = map_or_die(IOBUF, PROT_READ | PROT_WRITE);
	c->vbuf = map_or_die(IOBUF, PROT_READ | PROT_WRITE);
	edge = map_or_die(3 * PG, PROT_READ | PROT_WRITE);
	mprotect(edge + PG, 2 * PG, PROT_NONE);
	c->rw_edge = edge;
	c->none = map_or_die(16 * PG + PG, PROT_NONE);
	c->ro = map_or_die(PG, PROT_READ);
	c->pipe_r = c->pipe_w = -1;
	if (!pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		c->pipe_r = p[0];
		c->pipe_w = p[1];
	}
}

struct thread_arg {
	struct ctx *c;
	uint64_t n;
};

static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;
	struct ctx *c = ta->c;

	timer_setup(c);
	run_ops(c, ta->n);
	ctx_cleanup(c);
	return NULL;
}

/*
 * Worker process @w: its threads share @quota operations.  A thread's
 * seed depends on the seed, @w and its index only, so that its sequence
 * is the same whatever the other threads do.  The contexts are mapped,
 * not on a stack: each holds every tracked channel's queue.
 */
int worker(int w, uint64_t seed, uint64_t quota)
{
	struct thread_arg ta[MAX_WORKERS];
	pthread_t th[MAX_WORKERS];
	struct ctx *cs;
	int t;

	cs = map_or_die(sizeof(*cs) * opt_threads, PROT_READ | PROT_WRITE);
	for (t = 0; t < opt_threads; t++) {
		struct ctx *c = &cs[t];
		uint64_t s = seed ^ (0x1000193ULL * (uint64_t)(w + 1)) ^
			     (0x9e3779b1ULL * (uint64_t)(t + 1));
		uint64_t share = quota / opt_threads +
				 ((uint64_t)t < quota % opt_threads);

		rng_seed(&c->r, splitmix64(&s));
		c->slot = w * opt_threads + t;
		c->t = t;
		c->unpriv = geteuid() != 0;
		c->ctl = open(CONTROL, O_RDWR | O_CLOEXEC);
		if (c->ctl < 0) {
			say("# worker %d: %s: %s", w, CONTROL, strerror(errno));
			return 2;
		}
		ctx_init_io(c);
		ta[t] = (struct thread_arg){ c, share };
	}
	for (t = 1; t < opt_threads; t++)
		if (pthread_create(&th[t], NULL, thread_main, &ta[t])) {
			say("# worker %d: pthread_create failed", w);
			return 2;
		}
	thread_main(&ta[0]);
	for (t = 1; t < opt_threads; t++)
		pthread_join(th[t], NULL);
	return 0;
}
