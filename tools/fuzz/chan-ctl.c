// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked channels, poll and ioctls.
 *
 * Owns poll() over a few channel fds, and FIONREAD, GET_CAPACITY,
 * SET_CAPACITY and CHAN_STATS with good and bad argument pointers, each
 * result held to the model; on byte and message channels alike.
 */
#include "fuzz.h"

/*
 * Up to four tracked channel fds, byte or message, polled without
 * waiting: each revents must be what the model says (ch_poll_mask()).
 */
void op_poll(struct ctx *c)
{
	struct pollfd pfd[4];
	struct pchan *chs[4];
	struct ofd *os[4];
	int n = 0, i, ret;

	for (i = 0; i < 4; i++) {
		int fdi;
		struct pchan *ch = ch_pick(c, false, false, &fdi);

		if (!ch)
			break;
		chs[n] = ch;
		os[n] = &ch->ofds[ch->fds[fdi].ofd];
		pfd[n].fd = ch->fds[fdi].fd;
		pfd[n].events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM |
				(chance(&c->r, 20) ? POLLPRI : 0);
		pfd[n].revents = 0;
		n++;
		if (chance(&c->r, 50))
			break;
	}
	if (!n) {
		op_pair(c);
		return;
	}
	note_op(c, OP_POLL, "poll %d fds, first %d", n, pfd[0].fd);
	ret = poll(pfd, n, 0);
	if (ret < 0) {
		check_errno(c, OP_POLL, "poll", ret, errno, ERRS(EINTR, ENOMEM));
		return;
	}
	for (i = 0; i < n; i++)
		if (ch_certain(c, chs[i]) &&
		    ch_poll_differs(c, chs[i], os[i], &pfd[i]))
			ch_describe(c, chs[i], pfd[i].fd);
}

/*
 * A tracked end's revents against ch_poll_mask(), POLLHUP aside where a
 * child's copy of a writer left it unknown; true (and a violation) when
 * they differ.
 */
bool ch_poll_differs(struct ctx *c, struct pchan *ch, struct ofd *o,
		     const struct pollfd *p)
{
	short want = ch_poll_mask(ch, o) & (p->events | POLLHUP | POLLERR);
	short got = p->revents;

	if (o->w_seen_unknown) {
		want &= ~POLLHUP;
		got &= ~POLLHUP;
	}
	if (got == want)
		return false;
	violation(c, "poll fd %d (rd=%d wr=%d direct=%d msg=%d q=%llu cap=%llu "
		  "r=%d w=%d lowat %llu/%llu): revents %#x, expected %#x",
		  p->fd, o->rd, o->wr, o->direct, ch->msg,
		  (unsigned long long)ch->queued, (unsigned long long)ch->cap,
		  ch_readers(ch), ch_writers(ch),
		  (unsigned long long)o->opts.rcvlowat,
		  (unsigned long long)o->opts.sndlowat, p->revents, want);
	return true;
}

/* FIONREAD: the bytes queued, or the length of the next message. */
void chan_fionread(struct ctx *c, struct pchan *ch, int fd)
{
	const struct qmsg *m = ch->msg ? msg_next(ch) : NULL;
	uint64_t want = ch->msg ? (m ? m->len : 0) : ch->queued;
	int nread;
	long ret;

	note_op(c, OP_CHAN_IOCTL, "FIONREAD fd=%d", fd);
	ret = ioctl(fd, FIONREAD, &nread);
	if (ret || (uint64_t)nread != want) {
		violation(c, "FIONREAD: %ld, %d, expected %llu", ret, nread,
			  (unsigned long long)want);
		ch_describe(c, ch, fd);
	}
}

/*
 * The argument starts as 0xa5 bytes: the kernel must write the capacity
 * and zero the reserved fields, not leave what was there.
 */
static void chan_get_capacity(struct ctx *c, struct pchan *ch, int fd)
{
	struct kipc_capacity cap;
	struct argp a;
	long ret;
	int err;

	a = arg_ptr(c, sizeof(cap), pick_ptr(c, 15));
	note_op(c, OP_CHAN_IOCTL, "GET_CAPACITY fd=%d ptr=%d", fd, a.kind);
	memset(&cap, 0xa5, sizeof(cap));
	arg_commit(&a, &cap);
	ret = ioctl(fd, KIPC_IOC_GET_CAPACITY, a.p);
	err = check_errno(c, OP_CHAN_IOCTL, "GET_CAPACITY", ret, errno,
			  ERRS(EFAULT));
	if (arg_out_faults(&a)) {
		if (err != EFAULT)
			violation(c, "GET_CAPACITY ptr kind %d: %ld", a.kind,
				  ret);
		return;
	}
	arg_fetch(&a, &cap);
	if (ret || cap.capacity != ch->cap || cap.__reserved[0] ||
	    cap.__reserved[1] || cap.__reserved[2])
		violation(c, "GET_CAPACITY: %ld, %llu, expected %llu", ret,
			  (unsigned long long)cap.capacity,
			  (unsigned long long)ch->cap);
}

/*
 * The errno SET_CAPACITY owes a request for @want_cap (@junk: a reserved
 * field set): F_SETPIPE_SZ's rules, and EBUSY when what is queued, bytes
 * or packets, would not fit; on a message channel, the messages' cost.
 */
static int set_capacity_errno(struct ctx *c, struct pchan *ch,
			      uint64_t want_cap, bool junk)
{
	int want = junk ? EINVAL : cap_errno(c, want_cap, ch->cap);

	if (!want && want_cap < ch->queued)
		want = EBUSY;
	if (!want && want_cap != ch->cap && ch->pkts_alloc &&
	    ch->npkts > nr_pkts_for(want_cap))
		want = EBUSY;
	return want;
}

void chan_set_capacity(struct ctx *c, struct pchan *ch, int fd)
{
	uint64_t want_cap = choose_cap(c, true);
	bool junk = chance(&c->r, 5);
	struct kipc_capacity cap;
	struct argp a;
	int err, want;
	long ret;

	/* Often just above what is queued: the edge of EBUSY. */
	if (chance(&c->r, 30))
		want_cap = ch->queued + below(&c->r, 8192);
	memset(&cap, 0, sizeof(cap));
	cap.capacity = want_cap;
	if (junk) {
		uint64_t v = 1 + below(&c->r, 9);

		cap.__reserved[below(&c->r, 3)] = v;
	}
	a = arg_ptr(c, sizeof(cap), pick_ptr(c, 8));
	arg_commit(&a, &cap);
	want = set_capacity_errno(c, ch, want_cap, junk);
	note_op(c, OP_CHAN_IOCTL, "SET_CAPACITY fd=%d %llu q=%llu ptr=%d", fd,
		(unsigned long long)want_cap, (unsigned long long)ch->queued,
		a.kind);
	ret = ioctl(fd, KIPC_IOC_SET_CAPACITY, a.p);
	err = check_errno(c, OP_CHAN_IOCTL, "SET_CAPACITY", ret, errno,
			  ERRS(EFAULT, EINVAL, EPERM, EBUSY, ENOMEM));
	if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
		if (err != EFAULT)
			violation(c, "SET_CAPACITY ptr %d: %ld %s", a.kind,
				  ret, strerror(err));
		return;
	}
	if (err == ENOMEM && !want)
		return;
	if (arg_out_faults(&a) && !want) {
		/* Changed, then the copy back faulted. */
		if (err != EFAULT)
			violation(c, "SET_CAPACITY to a read-only arg: %ld %s",
				  ret, strerror(err));
	} else if (err != want) {
		violation(c, "SET_CAPACITY %llu (q=%llu cap=%llu pkts=%u): %s, "
			  "expected %s", (unsigned long long)want_cap,
			  (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap, ch->npkts,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		return;
	}
	if (want)
		return;
	if (want_cap != ch->cap && ch->pkts_alloc)
		ch->nr_pkts = nr_pkts_for(want_cap);
	ch->cap = want_cap;
	if (!err) {
		arg_fetch(&a, &cap);
		if (cap.capacity != want_cap)
			violation(c, "SET_CAPACITY returned %llu, set %llu",
				  (unsigned long long)cap.capacity,
				  (unsigned long long)want_cap);
	}
}

/*
 * The byte counts are always the model's; readers and writers only when
 * no child may hold a copy of an open file the model has closed.  On a
 * message channel queued is the messages' cost.
 */
void chan_stats(struct ctx *c, struct pchan *ch, int fd)
{
	struct kipc_chan_stats st;
	struct argp a;
	long ret;
	int err;

	a = arg_ptr(c, sizeof(st), pick_ptr(c, 10));
	note_op(c, OP_CHAN_IOCTL, "CHAN_STATS fd=%d ptr=%d", fd, a.kind);
	ret = ioctl(fd, KIPC_IOC_CHAN_STATS, a.p);
	err = check_errno(c, OP_CHAN_IOCTL, "CHAN_STATS", ret, errno,
			  ERRS(EFAULT));
	if (arg_unwritable(c, &a, "CHAN_STATS", ret, err))
		return;
	arg_fetch(&a, &st);
	if (ret || st.queued != ch->queued || st.capacity != ch->cap ||
	    st.bytes_read != ch->st_read ||
	    st.bytes_written != ch->st_written ||
	    st.high_water < st.queued || st.messages != ch->mq.n ||
	    st.__reserved[0] || st.__reserved[1])
		violation(c, "CHAN_STATS: q=%llu cap=%llu read=%llu "
			  "written=%llu hw=%llu msgs=%llu; expected q=%llu "
			  "cap=%llu read=%llu written=%llu msgs=%u",
			  (unsigned long long)st.queued,
			  (unsigned long long)st.capacity,
			  (unsigned long long)st.bytes_read,
			  (unsigned long long)st.bytes_written,
			  (unsigned long long)st.high_water,
			  (unsigned long long)st.messages,
			  (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap,
			  (unsigned long long)ch->st_read,
			  (unsigned long long)ch->st_written, ch->mq.n);
	if (ch_certain(c, ch) &&
	    (st.readers != (uint64_t)ch_readers(ch) ||
	     st.writers != (uint64_t)ch_writers(ch)))
		violation(c, "CHAN_STATS: readers %llu writers %llu, expected "
			  "%d %d", (unsigned long long)st.readers,
			  (unsigned long long)st.writers, ch_readers(ch),
			  ch_writers(ch));
}

/* One of the channel ioctls on a tracked channel fd; CHAN_STATS most. */
void op_chan_ioctl(struct ctx *c)
{
	struct pchan *ch;
	int fdi, fd;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch) {
		op_pair(c);
		return;
	}
	fd = ch->fds[fdi].fd;
	switch (below(&c->r, 5)) {
	case 0:
		chan_fionread(c, ch, fd);
		return;
	case 1:
		chan_get_capacity(c, ch, fd);
		return;
	case 2:
		chan_set_capacity(c, ch, fd);
		return;
	default:
		chan_stats(c, ch, fd);
		return;
	}
}
