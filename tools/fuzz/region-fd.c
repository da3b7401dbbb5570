// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked regions, what goes through a region fd.
 *
 * Owns the doorbell (SHM_WAKE, SHM_WAIT, and poll) and the seals
 * (SHM_ADD_SEALS, SHM_GET_SEALS) of the regions a thread tracks.  The
 * model counts the doorbell's rings and what each fd last saw of it, and
 * keeps the seals, so that every sequence number, wait result, poll bit
 * and seal errno is predicted.
 */
#include "fuzz.h"

/*
 * Ring: the sequence number comes back one higher.  A reserved field set
 * is EINVAL before anything rings; an argument that can be read but not
 * written back rings, then gives EFAULT.
 */
static void bell_wake(struct ctx *c, struct preg *g, struct rfd *f)
{
	struct kipc_shm_doorbell db;
	struct argp a;
	long ret;
	int err;

	memset(&db, 0, sizeof(db));
	if (chance(&c->r, 4))
		db.__reserved[0] = 1;
	a = arg_ptr(c, sizeof(db), pick_ptr(c, 5));
	arg_commit(&a, &db);
	note_op(c, OP_DOORBELL, "WAKE id=%d ptr=%d", g->id, a.kind);
	ret = ioctl(f->fd, KIPC_IOC_SHM_WAKE, a.p);
	err = check_errno(c, OP_DOORBELL, "SHM_WAKE", ret, errno,
			  ERRS(EFAULT, EINVAL));
	if (arg_unreadable(c, &a, "SHM_WAKE", err) ||
	    arg_reserved(c, db.__reserved[0], "SHM_WAKE", err))
		return;
	g->bell++;
	if (arg_out_faults(&a)) {
		if (err != EFAULT)
			violation(c, "SHM_WAKE ro arg: %s", strerror(err));
		return;
	}
	arg_fetch(&a, &db);
	if (err || db.seq != g->bell)
		violation(c, "SHM_WAKE: %s seq %llu, expected %llu",
			  strerror(err), (unsigned long long)db.seq,
			  (unsigned long long)g->bell);
}

/*
 * SHM_WAIT returns once the doorbell's number is not the one given: an
 * older one returns at once, with the current number.  The current one
 * sleeps until its timeout (ETIMEDOUT) or the thread's 10 ms timer
 * (EINTR); which comes first is the machine's, so with a finite timeout
 * either will do, and without one only EINTR.
 */
static void bell_wait(struct ctx *c, struct preg *g, struct rfd *f)
{
	struct kipc_shm_doorbell db;
	bool same = chance(&c->r, 50);
	int err, want = 0;
	long ret;

	memset(&db, 0, sizeof(db));
	db.seq = same ? g->bell : g->bell - 1 - below(&c->r, 5);
	db.timeout_ns = chance(&c->r, 30) ? -1 :
			(int64_t)below(&c->r, 2000000);
	if (chance(&c->r, 20))
		db.timeout_ns = 50 * 1000 * 1000;
	if (same)
		want = db.timeout_ns >= 0 && db.timeout_ns < 5000000 ?
		       ETIMEDOUT : EINTR;
	note_op(c, OP_DOORBELL, "WAIT id=%d seq=%llu (bell %llu) "
		"timeout=%lld", g->id, (unsigned long long)db.seq,
		(unsigned long long)g->bell, (long long)db.timeout_ns);
	arm(c);
	ret = ioctl(f->fd, KIPC_IOC_SHM_WAIT, &db);
	err = ret ? errno : 0;
	disarm(c);
	check_errno(c, OP_DOORBELL, "SHM_WAIT", ret, err,
		    ERRS(ETIMEDOUT, EINTR));
	/* A short timeout may beat the timer or lose to it. */
	if (same && (err == ETIMEDOUT || err == EINTR) && db.timeout_ns >= 0)
		return;
	if (err != want || (!err && db.seq != g->bell)) {
		violation(c, "SHM_WAIT seq %llu bell %llu timeout %lld: %s seq "
			  "%llu, expected %s",
			  (unsigned long long)(same ? g->bell : 0),
			  (unsigned long long)g->bell, (long long)db.timeout_ns,
			  err ? strerror(err) : "success",
			  (unsigned long long)db.seq,
			  want ? strerror(want) : "success");
		return;
	}
	if (!err)
		f->bell_seen = g->bell;
}

/* POLLIN while the doorbell rang since this fd last waited on it. */
static void bell_poll(struct ctx *c, struct preg *g, struct rfd *f)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	long ret;

	note_op(c, OP_DOORBELL, "poll region id=%d", g->id);
	ret = poll(&pfd, 1, 0);
	if (ret < 0 || !!(pfd.revents & POLLIN) != (g->bell != f->bell_seen))
		violation(c, "poll region %d: %ld revents %#x, bell %llu seen "
			  "%llu", g->id, ret, pfd.revents,
			  (unsigned long long)g->bell,
			  (unsigned long long)f->bell_seen);
}

void op_doorbell(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct rfd *f;

	if (!g) {
		op_shm_get(c);
		return;
	}
	f = &g->fds[below(&c->r, g->nfds)];
	switch (below(&c->r, 5)) {
	case 0:
	case 1:
		bell_wake(c, g, f);
		return;
	case 2:
	case 3:
		bell_wait(c, g, f);
		return;
	default:
		bell_poll(c, g, f);
		return;
	}
}

/*
 * The errno ADD_SEALS owes for @add on fd @f: memfd's rules.  Only a
 * writable fd may seal; unknown bits are EINVAL; SEAL_SEAL ends all
 * sealing; SEAL_WRITE waits for every writable shared mapping to go.
 */
static int seals_errno(struct preg *g, struct rfd *f, uint32_t add)
{
	if (!f->rw)
		return EPERM;
	if (add & ~(KIPC_SEAL_SEAL | KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE))
		return EINVAL;
	if (g->seals & KIPC_SEAL_SEAL)
		return EPERM;
	if ((add & KIPC_SEAL_WRITE) && !(g->seals & KIPC_SEAL_WRITE) &&
	    rg_shared_vma(g))
		return EBUSY;
	return 0;
}

static const struct maybe_bit seal_bits[] = {
	{ 40, KIPC_SEAL_WRITE }, { 40, KIPC_SEAL_FUTURE_WRITE },
	{ 15, KIPC_SEAL_SEAL },
};

/*
 * GET_SEALS must give the model's seals; ADD_SEALS of a random set, held
 * to seals_errno().  A child's writable mapping may make SEAL_WRITE EBUSY
 * where the model sees none.
 */
void op_seals(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct kipc_shm_seals s;
	struct rfd *f;
	uint32_t add;
	long ret;
	int err, want;

	if (!g) {
		op_shm_get(c);
		return;
	}
	f = &g->fds[below(&c->r, g->nfds)];
	memset(&s, 0, sizeof(s));
	if (chance(&c->r, 40)) {
		note_op(c, OP_SEALS, "GET_SEALS id=%d", g->id);
		ret = ioctl(f->fd, KIPC_IOC_SHM_GET_SEALS, &s);
		if (ret || s.seals != g->seals)
			violation(c, "GET_SEALS: %ld %#x, expected %#x", ret,
				  s.seals, g->seals);
		return;
	}
	add = draw_bits(c, seal_bits, 3);
	/* Sometimes a bit no seal has. */
	if (chance(&c->r, 5))
		add |= 1u << (5 + below(&c->r, 27));
	s.seals = add;
	want = seals_errno(g, f, add);
	note_op(c, OP_SEALS, "ADD_SEALS id=%d %#x (has %#x) rw=%d", g->id,
		add, g->seals, f->rw);
	ret = ioctl(f->fd, KIPC_IOC_SHM_ADD_SEALS, &s);
	err = ret ? errno : 0;
	check_errno(c, OP_SEALS, "ADD_SEALS", ret, err,
		    ERRS(EPERM, EINVAL, EBUSY));
	if (err == EBUSY && !want && !certain(c))
		return;		/* a child holds a writable mapping */
	if (err != want) {
		violation(c, "ADD_SEALS %#x on %#x (rw fd=%d, shared maps=%d):"
			  " %s, expected %s", add, g->seals, f->rw,
			  rg_shared_vma(g), err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (err)
			return;
	}
	if (!err)
		g->seals |= add;
}
