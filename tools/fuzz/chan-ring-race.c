// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: a peer in another process, racing a mapped channel.
 *
 * Owns the forked peer that maps one side of a tracked mapped channel and
 * runs it by kipc(4)'s protocol, valid and then maybe hostile, while this
 * thread reads or writes the other side with system calls.  Here the
 * kernel's view is racy: this thread's calls may see the peer's bytes or
 * not yet, and, once it stored a hostile position, EIO or the old answer;
 * never anything else.  The peer's exit unmaps its side, and the kernel
 * judges its last position then: after the race the model is exact again.
 */
#include "fuzz.h"

/* What the peer reports: its last valid position, and its last. */
struct race_report {
	uint64_t valid, last;
	uint32_t hostile;
	uint32_t ok;		/* it mapped its side and ran */
};

/*
 * Whether the model knows the byte at @p during a race: known before it,
 * or written since, in order, from @prod0 on by the racing producer.
 */
static bool race_known(const struct mchan *m, uint64_t p, uint64_t prod0)
{
	return (p >= m->known_from && p < m->known_to) ||
	       p - prod0 < (1ULL << 40);
}

static char *race_map(struct ctx *c, int fd, uint64_t pgoff, size_t len,
		      int prot)
{
	char *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)(pgoff * PG));

	if (p == MAP_FAILED) {
		violation(c, "race peer: mmap pgoff %llu len %zu prot %d: %s",
			  (unsigned long long)pgoff, len, prot,
			  strerror(errno));
		return NULL;
	}
	return p;
}

/*
 * The peer as the producer, through the write end @fd: commits by the
 * protocol, never sleeping in the kernel (a full ring: wait a little),
 * then maybe a last position out of range of any the consumer may have
 * (past full, or behind where it was at the fork).
 */
static void race_producer(struct ctx *c, struct mchan *m, int fd,
			  bool hostile, struct race_report *rep)
{
	uint64_t cap = m->cap, prod = m->prod, cons, room, n;
	struct kipc_ring_pos *pp, *cp;
	int commits = 1 + (int)below(&c->r, 40), tries = 0;
	char *data;

	pp = (void *)race_map(c, fd, RA_PROD, PG, PROT_READ | PROT_WRITE);
	cp = (void *)race_map(c, fd, RA_CONS, PG, PROT_READ);
	data = race_map(c, fd, RA_DATA, 2 * cap, PROT_READ | PROT_WRITE);
	if (!pp || !cp || !data)
		return;
	while (commits > 0 && tries < 100) {
		cons = load_acq(&cp->pos);
		if (prod - cons > cap) {
			violation(c, "race producer: cons %llu with prod %llu "
				  "cap %llu", (unsigned long long)cons,
				  (unsigned long long)prod,
				  (unsigned long long)cap);
			return;
		}
		room = cap - (prod - cons);
		if (!room) {
			tries++;
			usleep(200);
			continue;
		}
		n = 1 + below(&c->r, room < 2 * PG ? room : 2 * PG);
		gen_fill(data + (prod & (cap - 1)), m->key, prod + m->delta, n);
		store_rel(&pp->pos, prod + n);
		prod += n;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_word(&cp->waiting) && ioctl(fd, KIPC_IOC_RING_WAKE))
			violation(c, "race producer: RING_WAKE: %s",
				  strerror(errno));
		commits--;
	}
	rep->valid = rep->last = prod;
	rep->ok = 1;
	if (hostile) {
		rep->last = chance(&c->r, 50) ? prod + cap + 1 +
			    below(&c->r, 1 << 20) :
			    m->cons - 1 - below(&c->r, 4096);
		rep->hostile = 1;
		store_rel(&pp->pos, rep->last);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ioctl(fd, KIPC_IOC_RING_WAKE);
	}
}

/*
 * The peer as the consumer, through the read end @fd: releases by the
 * protocol, each byte checked where the model knows it (race_known()),
 * then maybe a last position out of range of any the producer may reach.
 */
static void race_consumer(struct ctx *c, struct mchan *m, int fd,
			  bool hostile, struct race_report *rep)
{
	uint64_t cap = m->cap, cons = m->cons, prod = m->prod, n, p;
	uint64_t prod0 = m->prod;
	struct kipc_ring_pos *pp, *cp;
	int releases = 1 + (int)below(&c->r, 40), tries = 0;
	char *data;

	cp = (void *)race_map(c, fd, RA_CONS, PG, PROT_READ | PROT_WRITE);
	pp = (void *)race_map(c, fd, RA_PROD, PG, PROT_READ);
	data = race_map(c, fd, RA_DATA, 2 * cap, PROT_READ);
	if (!pp || !cp || !data)
		return;
	while (releases > 0 && tries < 100) {
		prod = load_acq(&pp->pos);
		if (prod - cons > cap) {
			violation(c, "race consumer: prod %llu with cons %llu "
				  "cap %llu", (unsigned long long)prod,
				  (unsigned long long)cons,
				  (unsigned long long)cap);
			return;
		}
		if (prod == cons) {
			tries++;
			usleep(200);
			continue;
		}
		n = 1 + below(&c->r, prod - cons);
		for (p = cons; p < cons + n; p++) {
			uint8_t b = (uint8_t)data[p & (cap - 1)];

			if (!race_known(m, p, prod0))
				continue;
			if (b != gen_byte(m->key, p + m->delta)) {
				violation(c, "race consumer: byte at %llu is "
					  "%#x, the stream's is %#x",
					  (unsigned long long)p, b,
					  gen_byte(m->key, p + m->delta));
				break;
			}
		}
		store_rel(&cp->pos, cons + n);
		cons += n;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_word(&pp->waiting) && ioctl(fd, KIPC_IOC_RING_WAKE))
			violation(c, "race consumer: RING_WAKE: %s",
				  strerror(errno));
		releases--;
	}
	rep->valid = rep->last = cons;
	rep->ok = 1;
	if (hostile) {
		rep->last = chance(&c->r, 50) ? prod - cap - 1 -
			    below(&c->r, 4096) :
			    cons + 2 * cap + 1 + below(&c->r, 1 << 20);
		rep->hostile = 1;
		store_rel(&cp->pos, rep->last);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ioctl(fd, KIPC_IOC_RING_WAKE);
	}
}

/*
 * One blocking call of this thread's while the peer runs: the results
 * any timing allows, and the model moved by what was read or written.
 */
static void race_step(struct ctx *c, struct mchan *m, int fd, bool reader,
		      bool hostile, uint64_t prod0)
{
	struct ofd *o = &m->ofds[m->fds[0].ofd];
	struct kipc_ring_wait w;
	uint64_t n, at;
	long ret;
	int err;

	for (int i = 0; i < m->nfds; i++)
		if (m->fds[i].fd == fd)
			o = &m->ofds[m->fds[i].ofd];
	if (chance(&c->r, 30)) {
		memset(&w, 0, sizeof(w));
		w.flags = reader ? KIPC_RING_READ : KIPC_RING_WRITE;
		w.need = reader ? 0 : 1 + below(&c->r, PIPE_BUF_SZ);
		arm(c);
		ret = ioctl(fd, KIPC_IOC_RING_WAIT, &w);
		err = errno;
		disarm(c);
		if (ret && err != EINTR && !(err == EIO && hostile))
			violation(c, "race: RING_WAIT %s: %s",
				  reader ? "read" : "write", strerror(err));
		return;
	}
	n = 1 + below(&c->r, 3 * PIPE_BUF_SZ);
	if (!reader)
		gen_fill(c->buf, m->key, m->prod + m->delta, n);
	if (!o->nonblock)
		arm(c);
	ret = reader ? read(fd, c->vbuf, n) : write(fd, c->buf, n);
	err = errno;
	if (!o->nonblock)
		disarm(c);
	if (ret > 0 && (uint64_t)ret <= n) {
		if (!reader) {
			mc_prod_moved(m, m->prod + ret, true);
			m->st_written += ret;
			return;
		}
		for (at = 0; at < (uint64_t)ret; at++) {
			uint64_t p = m->cons + at;

			if (!race_known(m, p, prod0))
				continue;
			if ((uint8_t)c->vbuf[at] !=
			    gen_byte(m->key, p + m->delta)) {
				violation(c, "race: read byte at %llu is %#x, "
					  "the stream's is %#x",
					  (unsigned long long)p,
					  (uint8_t)c->vbuf[at],
					  gen_byte(m->key, p + m->delta));
				break;
			}
		}
		m->cons += ret;
		m->st_read += ret;
		return;
	}
	/* A blocking call ends with the timer, or with the end's timeout. */
	if (ret < 0 && ((!o->nonblock && (err == EINTR ||
					  (err == EAGAIN &&
					   end_timeo(o, !reader)))) ||
			(err == EAGAIN && o->nonblock) ||
			(err == EIO && hostile)))
		return;
	violation(c, "race: %s of %llu (nonblock %d, hostile peer %d): %ld "
		  "%s", reader ? "read" : "write", (unsigned long long)n,
		  o->nonblock, hostile, ret, ret < 0 ? strerror(err) : "");
}

/*
 * A mapped channel this thread may race on: no side owned, and an end of
 * each role alone.  Through an O_RDWR end, the peer's read-only mapping
 * of the other side's page would own that side.
 */
static struct mchan *race_pick(struct ctx *c, int *rfd, int *wfd)
{
	struct mchan *m = mc_pick(c);

	if (!m || m->broken || !mc_in_range(m) || mc_owned(m, RA_PROD) ||
	    mc_owned(m, RA_CONS))
		return NULL;
	*rfd = *wfd = -1;
	for (int i = 0; i < m->nfds; i++) {
		struct ofd *o = &m->ofds[m->fds[i].ofd];

		if (o->rd && !o->wr)
			*rfd = m->fds[i].fd;
		if (o->wr && !o->rd)
			*wfd = m->fds[i].fd;
	}
	return *rfd >= 0 && *wfd >= 0 ? m : NULL;
}

/*
 * Fork a peer that maps one side of a mapped channel and runs it by the
 * protocol, maybe ending with a hostile position, while this thread reads
 * or writes the other side with system calls.  This thread's calls may
 * see the peer's bytes or not yet, and, once it stored the hostile
 * position, EIO or not yet; never anything else.  When the peer has
 * exited, its mapping is gone and the kernel has judged its last
 * position: the model takes it from the peer's report.  A replayable run
 * lets the peer finish first.
 */
void op_ring_race(struct ctx *c)
{
	bool producer = chance(&c->r, 50), hostile = chance(&c->r, 30);
	uint64_t seed = rnd(&c->r), prod0;
	struct race_report rep;
	struct mchan *m;
	int rfd, wfd, pp[2], st, steps;
	bool done = false;
	pid_t pid;

	if (c->kid) {
		op_ring_use(c);
		return;
	}
	m = race_pick(c, &rfd, &wfd);
	if (!m || pipe2(pp, O_CLOEXEC))
		return;
	note_op(c, OP_RING_RACE, "race with a %s%s peer: prod %llu cons %llu "
		"cap %llu", hostile ? "hostile " : "",
		producer ? "producer" : "consumer", (unsigned long long)m->prod,
		(unsigned long long)m->cons, (unsigned long long)m->cap);
	prod0 = m->prod;
	atomic_fetch_add(&kids_alive, 1);
	atomic_fetch_add(&fork_gen, 1);
	pid = fork();
	if (pid == 0) {
		memset(&rep, 0, sizeof(rep));
		close(pp[0]);
		c->kid = true;
		rng_seed(&c->r, seed);
		if (producer)
			race_producer(c, m, wfd, hostile, &rep);
		else
			race_consumer(c, m, rfd, hostile, &rep);
		if (write(pp[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		_exit(0);
	}
	close(pp[1]);
	if (pid < 0) {
		close(pp[0]);
		if (atomic_fetch_sub(&kids_alive, 1) == 1)
			atomic_fetch_add(&kids_gone_epoch, 1);
		return;
	}
	if (deterministic)
		done = waitpid(pid, &st, 0) == pid;
	steps = deterministic ? 1 + (int)below(&c->r, 4) : 100;
	for (int i = 0; i < steps && !(done && !deterministic); i++) {
		race_step(c, m, producer ? rfd : wfd, producer, hostile,
			  prod0);
		if (!done && waitpid(pid, &st, WNOHANG) == pid)
			done = true;
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (atomic_fetch_sub(&kids_alive, 1) == 1)
		atomic_fetch_add(&kids_gone_epoch, 1);
	memset(&rep, 0, sizeof(rep));
	if (!done || !WIFEXITED(st) || WEXITSTATUS(st) ||
	    read(pp[0], &rep, sizeof(rep)) != sizeof(rep) || !rep.ok) {
		/* Killed, or it could not map: its last position unknown. */
		close(pp[0]);
		if (done && WIFSIGNALED(st))
			violation(c, "race peer died of signal %d",
				  WTERMSIG(st));
		mc_drop(c, m);
		return;
	}
	close(pp[0]);
	/* Its exit unmapped the side: the kernel pulled the last position. */
	if (producer)
		mc_prod_moved(m, rep.valid, true);
	else
		m->cons = rep.valid;
	if (producer)
		mc_prod_moved(m, rep.last, rep.last == rep.valid);
	else
		m->cons = rep.last;
	/*
	 * The kernel broke the channel when it saw the hostile position, at
	 * the latest when the peer's exit unmapped its side.  A read() or
	 * write() of this thread's in flight then may publish the kernel's
	 * last checked position over the hostile one: which of the two the
	 * page holds is not known.
	 */
	if (rep.hostile) {
		m->broken = true;
		m->pos_unknown = true;
	}
	/* Sleeps of this thread's and the peer's wake-ups clear the bits. */
	m->cons_unknown |= m->cons_waiting & KIPC_RING_WAITING;
	m->prod_unknown |= m->prod_waiting & KIPC_RING_WAITING;
	mc_check_pages(c, m, true);
}
