// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: the end options of every channel.
 *
 * Owns KIPC_IOC_GET_OPTS and KIPC_IOC_SET_OPTS on the ends of the
 * channels a thread tracks, of bytes, of messages and mapped: random
 * timeouts, low-water marks and priorities, with bad pointers, reserved
 * fields, unknown flags and priorities past the last (EINVAL).  Options
 * belong to an open file, so that dups share them (struct ofd).  Each set
 * is checked by a poll of the end at once, the low-water marks being
 * poll's; the timeouts by every read and write that waits (chan_io() and
 * wait_result()), which a short timeout ends without the thread's timer.
 */
#include "fuzz.h"

/* An end of a tracked channel: of bytes or messages, or mapped. */
struct end {
	int fd;
	struct ofd *o;
	struct pchan *ch;
	struct mchan *m;
};

static bool end_pick(struct ctx *c, struct end *e)
{
	int fdi;

	memset(e, 0, sizeof(*e));
	if (chance(&c->r, 25)) {
		e->m = mc_pick(c);
		fdi = e->m ? mc_pick_fd(c, e->m, false, false) : -1;
		if (fdi < 0)
			return false;
		e->fd = e->m->fds[fdi].fd;
		e->o = &e->m->ofds[e->m->fds[fdi].ofd];
		return true;
	}
	e->ch = ch_pick(c, false, false, &fdi);
	if (!e->ch)
		return false;
	e->fd = e->ch->fds[fdi].fd;
	e->o = &e->ch->ofds[e->ch->fds[fdi].ofd];
	return true;
}

/*
 * A timeout: none, short ones that end a wait (SHORT_TIMEO_NS), a few
 * nanoseconds (a jiffy, rounded up), ones the timer or the timeout may
 * win, and long ones up to what must not wrap to nothing.
 */
static uint64_t choose_timeo(struct ctx *c)
{
	switch (below(&c->r, 12)) {
	case 0 ... 4:
		return 0;
	case 5 ... 7:
		return 1 + below(&c->r, SHORT_TIMEO_NS);
	case 8:
		return 1 + below(&c->r, 5);
	case 9:
		return SHORT_TIMEO_NS + 1 + below(&c->r, 100000000);
	default:
		switch (below(&c->r, 4)) {
		case 0:
			return 1000000000ULL * (1 + below(&c->r, 3600));
		case 1:
			return UINT64_MAX - below(&c->r, 3);
		case 2:
			return (uint64_t)INT64_MAX + below(&c->r, 3);
		default:
			return 1ULL << (40 + below(&c->r, 24));
		}
	}
}

/* A low-water mark near what the channel holds, or at its edges. */
static uint64_t choose_lowat(struct ctx *c, uint64_t cap, uint64_t queued)
{
	switch (below(&c->r, 10)) {
	case 0 ... 2:
		return 0;
	case 3:
		return 1;
	case 4 ... 5:
		return queued + below(&c->r, 3) - (queued ? 1 : 0);
	case 6:
		return below(&c->r, 2 * PIPE_BUF_SZ);
	case 7:
		return cap - below(&c->r, 2);
	case 8:
		return cap + 1 + below(&c->r, 100);
	default:
		return UINT64_MAX - below(&c->r, 2);
	}
}

/* The channel's capacity and what it holds, as the marks count them. */
static void end_level(const struct end *e, uint64_t *cap, uint64_t *queued)
{
	if (e->m) {
		*cap = e->m->cap;
		*queued = mc_in_range(e->m) ? e->m->prod - e->m->cons : 0;
	} else {
		*cap = e->ch->cap;
		*queued = e->ch->queued;
	}
}

/* Poll the end at once: revents must be what its new marks say. */
static void end_poll(struct ctx *c, const struct end *e)
{
	struct pollfd p = { .fd = e->fd, .events = POLLIN | POLLOUT |
					 POLLRDNORM | POLLWRNORM };
	int ret = poll(&p, 1, 0);

	if (ret < 0)
		check_errno(c, OP_CHAN_OPTS, "poll", ret, errno,
			    ERRS(EINTR, ENOMEM));
	if (e->m) {
		mc_polled(c, e->m, e->o, &p, ret);
		return;
	}
	if (ret >= 0 && ch_certain(c, e->ch) &&
	    ch_poll_differs(c, e->ch, e->o, &p))
		ch_describe(c, e->ch, e->fd);
}

/* O_NONBLOCK off: its reads and writes may now wait. */
static void end_blocking(struct ctx *c, const struct end *e)
{
	int fl = fcntl(e->fd, F_GETFL);

	note_op(c, OP_CHAN_OPTS, "F_SETFL fd=%d blocking", e->fd);
	if (fl < 0 || fcntl(e->fd, F_SETFL, fl & ~O_NONBLOCK)) {
		violation(c, "F_SETFL of fd %d: %s", e->fd, strerror(errno));
		return;
	}
	e->o->nonblock = false;
}

/*
 * GET_OPTS: what this open file was last given, the reserved fields
 * zeroed over the 0xa5 the argument starts as.
 */
static void opts_get(struct ctx *c, const struct end *e)
{
	struct kipc_end_opts got;
	struct argp a;
	long ret;
	int err;

	a = arg_ptr(c, sizeof(got), pick_ptr(c, 10));
	memset(&got, 0xa5, sizeof(got));
	arg_commit(&a, &got);
	note_op(c, OP_CHAN_OPTS, "GET_OPTS fd=%d ptr=%d", e->fd, a.kind);
	ret = ioctl(e->fd, KIPC_IOC_GET_OPTS, a.p);
	err = check_errno(c, OP_CHAN_OPTS, "GET_OPTS", ret, errno,
			  ERRS(EFAULT));
	if (arg_unwritable(c, &a, "GET_OPTS", ret, err))
		return;
	arg_fetch(&a, &got);
	if (ret || memcmp(&got, &e->o->opts, sizeof(got)))
		violation(c, "GET_OPTS fd %d: %ld, rcvtimeo %llu sndtimeo %llu "
			  "rcvlowat %llu sndlowat %llu prio %u flags %#x "
			  "reserved %#llx %#llx; expected %llu %llu %llu %llu "
			  "%u %#x", e->fd, ret,
			  (unsigned long long)got.rcvtimeo_ns,
			  (unsigned long long)got.sndtimeo_ns,
			  (unsigned long long)got.rcvlowat,
			  (unsigned long long)got.sndlowat, got.priority,
			  got.flags, (unsigned long long)got.__reserved[0],
			  (unsigned long long)got.__reserved[1],
			  (unsigned long long)e->o->opts.rcvtimeo_ns,
			  (unsigned long long)e->o->opts.sndtimeo_ns,
			  (unsigned long long)e->o->opts.rcvlowat,
			  (unsigned long long)e->o->opts.sndlowat,
			  e->o->opts.priority, e->o->opts.flags);
}

/*
 * SET_OPTS: some fields changed, each drawn near what matters; EFAULT
 * for what cannot be read, EINVAL for a reserved field, an unknown flag
 * or a priority past the last, else every field set.  Then a poll.
 */
static void opts_set(struct ctx *c, const struct end *e)
{
	struct kipc_end_opts op = e->o->opts;
	uint64_t cap, queued;
	bool junk = false;
	struct argp a;
	long ret;
	int err, want;

	end_level(e, &cap, &queued);
	if (chance(&c->r, 40))
		op.rcvtimeo_ns = choose_timeo(c);
	if (chance(&c->r, 40))
		op.sndtimeo_ns = choose_timeo(c);
	if (chance(&c->r, 40))
		op.rcvlowat = choose_lowat(c, cap, queued);
	if (chance(&c->r, 40))
		op.sndlowat = choose_lowat(c, cap, cap - (queued < cap ?
							  queued : cap));
	if (chance(&c->r, 40))
		op.priority = (uint32_t)below(&c->r, KIPC_MSG_PRIO_MAX);
	if (chance(&c->r, 30))
		op.flags = chance(&c->r, 50) ? KIPC_END_TRUNC : 0;
	if (chance(&c->r, 6)) {
		junk = true;
		switch (below(&c->r, 3)) {
		case 0:
			op.__reserved[below(&c->r, 2)] = 1 + below(&c->r, 9);
			break;
		case 1:
			op.flags |= 1U << (1 + below(&c->r, 31));
			break;
		default:
			op.priority = chance(&c->r, 50) ? UINT32_MAX :
				      KIPC_MSG_PRIO_MAX +
				      (uint32_t)below(&c->r, 100);
			break;
		}
	}
	a = arg_ptr(c, sizeof(op), pick_ptr(c, 8));
	arg_commit(&a, &op);
	want = arg_errno(&a, junk);
	note_op(c, OP_CHAN_OPTS, "SET_OPTS fd=%d rcvtimeo=%llu sndtimeo=%llu "
		"rcvlowat=%llu sndlowat=%llu prio=%u flags=%#x junk=%d ptr=%d",
		e->fd, (unsigned long long)op.rcvtimeo_ns,
		(unsigned long long)op.sndtimeo_ns,
		(unsigned long long)op.rcvlowat,
		(unsigned long long)op.sndlowat, op.priority, op.flags, junk,
		a.kind);
	ret = ioctl(e->fd, KIPC_IOC_SET_OPTS, a.p);
	err = check_errno(c, OP_CHAN_OPTS, "SET_OPTS", ret, errno,
			  ERRS(EFAULT, EINVAL));
	if (!err)
		e->o->opts = op;
	if (err != want) {
		violation(c, "SET_OPTS fd %d (junk %d, ptr %d): %s, expected %s",
			  e->fd, junk, a.kind, err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		return;
	}
	end_poll(c, e);
	/* Most ends never wait: let this one, now that a timeout ends it. */
	if (!err && e->o->nonblock && chance(&c->r, 50) &&
	    (end_timeo(e->o, false) || end_timeo(e->o, true)))
		end_blocking(c, e);
}

void op_chan_opts(struct ctx *c)
{
	struct end e;

	if (!end_pick(c, &e))
		return;
	if (chance(&c->r, 60))
		opts_set(c, &e);
	else
		opts_get(c, &e);
}
