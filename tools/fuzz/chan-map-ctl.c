// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: mapped channels, poll and the ioctls.
 *
 * Owns poll, KIPC_IOC_RING_WAIT (always under the thread's timer: it may
 * sleep), KIPC_IOC_RING_WAKE, FIONREAD, KIPC_IOC_CHAN_STATS, the capacity
 * ioctls and KIPC_IOC_RING_INFO on the mapped channels a thread tracks,
 * and the ring ioctls on channels that are not mapped (EINVAL).  poll,
 * CHAN_STATS and a wait's condition see the positions in the pages
 * without judging them; FIONREAD, WAIT and SET_CAPACITY take them in
 * (mc_pull()) and fail with EIO once they are out of range.
 */
#include "fuzz.h"

/*
 * poll() of end @o of @m gave @p, or failed (@ret < 0): revents must be
 * mc_poll_mask()'s.  The poll set KIPC_RING_POLLED in the waiting words
 * of its end's sides, for good (and KIPC_RING_WAITING as the kernel's
 * sleepers say: none here).
 */
void mc_polled(struct ctx *c, struct mchan *m, struct ofd *o,
	       const struct pollfd *p, int ret)
{
	short want, got = p->revents;

	if (ret >= 0 && mc_certain(c, m)) {
		want = mc_poll_mask(m, o) & (p->events | POLLHUP | POLLERR);
		if (o->w_seen_unknown) {
			want &= ~POLLHUP;
			got &= ~POLLHUP;
		}
		if (got != want) {
			violation(c, "poll of a mapped channel's fd %d (rd %d wr "
				  "%d, prod %llu cons %llu cap %llu broken %d "
				  "r %d w %d lowat %llu/%llu): revents %#x, "
				  "expected %#x", p->fd, o->rd, o->wr,
				  (unsigned long long)m->prod,
				  (unsigned long long)m->cons,
				  (unsigned long long)m->cap, m->broken,
				  mc_readers(m), mc_writers(m),
				  (unsigned long long)o->opts.rcvlowat,
				  (unsigned long long)o->opts.sndlowat,
				  p->revents, want);
			mc_describe(m, p->fd);
		}
	}
	m->polled = true;
	if (o->rd)
		mc_side_touched(m, RA_CONS, KIPC_RING_POLLED);
	if (o->wr)
		mc_side_touched(m, RA_PROD, KIPC_RING_POLLED);
	if (ret < 0) {
		m->cons_unknown |= KIPC_RING_POLLED | KIPC_RING_WAITING;
		m->prod_unknown |= KIPC_RING_POLLED | KIPC_RING_WAITING;
	}
}

/* Up to four ends of mapped channels, polled without waiting. */
static void mc_poll(struct ctx *c)
{
	struct pollfd pfd[4];
	struct mchan *ms[4];
	struct ofd *os[4];
	int n = 0, i, ret;

	for (i = 0; i < 4; i++) {
		struct mchan *m = mc_pick(c);
		int fdi = m ? mc_pick_fd(c, m, false, false) : -1;

		if (fdi < 0)
			break;
		ms[n] = m;
		os[n] = &m->ofds[m->fds[fdi].ofd];
		pfd[n].fd = m->fds[fdi].fd;
		pfd[n].events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
		pfd[n].revents = 0;
		n++;
		if (chance(&c->r, 50))
			break;
	}
	if (!n)
		return;
	note_op(c, OP_MCHAN_CTL, "poll %d mapped fds, first %d", n, pfd[0].fd);
	ret = poll(pfd, n, 0);
	if (ret < 0)
		check_errno(c, OP_MCHAN_CTL, "poll mapped", ret, errno,
			    ERRS(EINTR, ENOMEM));
	for (i = 0; i < n; i++)
		mc_polled(c, ms[i], os[i], &pfd[i], ret);
	for (i = 0; i < n; i++)
		mc_check_pages(c, ms[i], false);
}

/*
 * KIPC_IOC_RING_WAIT, always under the timer, so that a wait the model
 * expects ends with EINTR.  The argument's checks come first, then the
 * role (EBADF), the positions (EIO), no reader for a writer (EPIPE); it
 * returns at once if the condition holds.  Once past its checks it set
 * and cleared its side's KIPC_RING_WAITING.
 */
static void mc_wait(struct ctx *c, struct mchan *m)
{
	struct kipc_ring_wait w;
	struct argp a;
	struct ofd *o;
	uint64_t q;
	int fdi, fd, err, want = 0, kind = (int)below(&c->r, 20);
	bool junk = chance(&c->r, 4), reader, pulls = false, unsure = false;
	long ret;

	fdi = mc_pick_fd(c, m, false, false);
	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	memset(&w, 0, sizeof(w));
	if (kind < 9) {
		w.flags = KIPC_RING_READ;
	} else if (kind < 18) {
		w.flags = KIPC_RING_WRITE;
		w.need = chance(&c->r, 70) ? 1 + below(&c->r, PIPE_BUF_SZ) :
			 1 + below(&c->r, m->cap);
	} else if (kind == 18) {
		static const uint32_t bad[] = { 0, 3, 4, 0x80000000 };

		w.flags = bad[below(&c->r, 4)];
	} else if (chance(&c->r, 50)) {
		w.flags = KIPC_RING_READ;
		w.need = 1;
	} else {
		w.flags = KIPC_RING_WRITE;
		w.need = chance(&c->r, 50) ? 0 : m->cap + 1;
	}
	if (junk) {
		if (chance(&c->r, 50))
			w.__reserved0 = 1;
		else
			w.__reserved[below(&c->r, 2)] = 1;
	}
	reader = w.flags == KIPC_RING_READ;
	a = arg_ptr(c, sizeof(w), pick_ptr(c, 8));
	arg_commit(&a, &w);
	q = m->prod - m->cons;
	if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
		want = EFAULT;
	} else if (junk) {
		want = EINVAL;
	} else if (reader ? w.need != 0 : w.flags != KIPC_RING_WRITE ||
		   !w.need || w.need > m->cap) {
		want = EINVAL;
	} else if (reader ? !o->rd : !o->wr) {
		want = EBADF;
	} else {
		pulls = true;
		if (!mc_in_range(m) || m->broken) {
			want = EIO;
		} else if (!reader && !mc_readers(m)) {
			want = EPIPE;
			unsure = !mc_certain(c, m);
		} else if (reader) {
			want = q || !mc_writers(m) ? 0 : EINTR;
			unsure = !q && !mc_writers(m) && !mc_certain(c, m);
		} else {
			want = m->cap - q >= w.need ? 0 : EINTR;
		}
	}
	note_op(c, OP_MCHAN_CTL, "RING_WAIT fd=%d rd=%d wr=%d flags=%#x "
		"need=%llu prod=%llu cons=%llu ptr=%d", fd, o->rd, o->wr,
		w.flags, (unsigned long long)w.need,
		(unsigned long long)m->prod, (unsigned long long)m->cons,
		a.kind);
	arm(c);
	ret = ioctl(fd, KIPC_IOC_RING_WAIT, a.p);
	err = ret ? errno : 0;
	disarm(c);
	check_errno(c, OP_MCHAN_CTL, "RING_WAIT", ret, err,
		    ERRS(EFAULT, EINVAL, EBADF, EIO, EPIPE, EINTR));
	if (pulls)
		mc_pull(m);
	/* Past its checks: wait_begin() and wait_end() ran. */
	if (pulls && !m->broken && err != EPIPE)
		mc_side_touched(m, reader ? RA_CONS : RA_PROD, 0);
	if (unsure && (!err || err == EINTR || err == EPIPE))
		return;
	if (err != want) {
		violation(c, "RING_WAIT flags %#x need %llu on fd rd=%d wr=%d "
			  "(prod %llu cons %llu cap %llu broken %d, r %d w %d, "
			  "ptr %d): %s, expected %s", w.flags,
			  (unsigned long long)w.need, o->rd, o->wr,
			  (unsigned long long)m->prod,
			  (unsigned long long)m->cons,
			  (unsigned long long)m->cap, m->broken, mc_readers(m),
			  mc_writers(m), a.kind,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		mc_lost(c, m, fd);
	}
}

/* FIONREAD looks at the positions under the lock: EIO once out of range. */
void mc_fionread(struct ctx *c, struct mchan *m, int fdi)
{
	int fd = m->fds[fdi].fd, n = -1, err;
	uint64_t q = m->prod - m->cons;
	long ret;

	note_op(c, OP_MCHAN_CTL, "FIONREAD mapped fd=%d prod=%llu cons=%llu",
		fd, (unsigned long long)m->prod, (unsigned long long)m->cons);
	ret = ioctl(fd, FIONREAD, &n);
	err = check_errno(c, OP_MCHAN_CTL, "FIONREAD mapped", ret, errno,
			  ERRS(EIO));
	mc_pull(m);
	if (m->broken ? ret != -1 || err != EIO :
	    ret || (uint64_t)n != (q > INT_MAX ? INT_MAX : q)) {
		violation(c, "FIONREAD of a mapped channel (prod %llu cons %llu "
			  "cap %llu broken %d): %ld, %d", (unsigned long long)
			  m->prod, (unsigned long long)m->cons,
			  (unsigned long long)m->cap, m->broken, ret, n);
		mc_lost(c, m, fd);
	}
}

/*
 * CHAN_STATS reads the positions in the pages, without judging them:
 * queued is prod - cons capped at the capacity, 0 if prod is behind.
 * The byte counts are read()'s and write()'s only.
 */
static void mc_stats(struct ctx *c, struct mchan *m, int fd)
{
	struct kipc_chan_stats st;
	struct argp a;
	uint64_t q;
	long ret;
	int err;

	a = arg_ptr(c, sizeof(st), pick_ptr(c, 8));
	note_op(c, OP_MCHAN_CTL, "CHAN_STATS mapped fd=%d ptr=%d", fd, a.kind);
	ret = ioctl(fd, KIPC_IOC_CHAN_STATS, a.p);
	err = check_errno(c, OP_MCHAN_CTL, "CHAN_STATS mapped", ret, errno,
			  ERRS(EFAULT));
	if (arg_unwritable(c, &a, "CHAN_STATS mapped", ret, err))
		return;
	arg_fetch(&a, &st);
	q = m->prod > m->cons ? m->prod - m->cons : 0;
	if (q > m->cap)
		q = m->cap;
	if (ret || (st.queued != q && !m->pos_unknown) ||
	    st.capacity != m->cap ||
	    st.bytes_read != m->st_read || st.bytes_written != m->st_written ||
	    st.__reserved[0] || st.__reserved[1] || st.messages ||
	    (mc_certain(c, m) && (st.readers != (uint64_t)mc_readers(m) ||
				  st.writers != (uint64_t)mc_writers(m)))) {
		violation(c, "CHAN_STATS of a mapped channel: q=%llu cap=%llu "
			  "read=%llu written=%llu r=%llu w=%llu; expected "
			  "q=%llu cap=%llu read=%llu written=%llu r=%d w=%d",
			  (unsigned long long)st.queued,
			  (unsigned long long)st.capacity,
			  (unsigned long long)st.bytes_read,
			  (unsigned long long)st.bytes_written,
			  (unsigned long long)st.readers,
			  (unsigned long long)st.writers,
			  (unsigned long long)q, (unsigned long long)m->cap,
			  (unsigned long long)m->st_read,
			  (unsigned long long)m->st_written, mc_readers(m),
			  mc_writers(m));
		mc_lost(c, m, fd);
	}
}

/*
 * SET_CAPACITY of a mapped channel: a power of two of pages (EINVAL), no
 * mapping left (EBUSY), positions in range (EIO), room for what is
 * queued (EBUSY).  The queued bytes then start the new ring at 0.
 */
static void mc_set_capacity(struct ctx *c, struct mchan *m, int fd)
{
	struct kipc_capacity cap;
	uint64_t want_cap, q = m->prod - m->cons;
	bool junk = chance(&c->r, 5), pulls = false;
	struct argp a;
	int want = 0, err;
	long ret;

	switch (below(&c->r, 10)) {
	case 0 ... 4:
		want_cap = KIPC_CAPACITY_MIN << below(&c->r, 7);
		break;
	case 5 ... 7:
		want_cap = choose_cap(c, true);
		break;
	case 8:
		want_cap = q + below(&c->r, 8192);
		break;
	default:
		want_cap = PG * (3 + 2 * below(&c->r, 20));
		break;
	}
	memset(&cap, 0, sizeof(cap));
	cap.capacity = want_cap;
	if (junk)
		cap.__reserved[below(&c->r, 3)] = 1;
	a = arg_ptr(c, sizeof(cap), pick_ptr(c, 8));
	arg_commit(&a, &cap);
	want = arg_errno(&a, junk);
	if (!want)
		want = mc_cap_errno(c, want_cap, m->cap);
	if (!want && m->nmaps) {
		want = EBUSY;
	} else if (!want) {
		pulls = true;
		if (!mc_in_range(m) || m->broken)
			want = EIO;
		else if (want_cap < q)
			want = EBUSY;
	}
	note_op(c, OP_MCHAN_CTL, "SET_CAPACITY mapped fd=%d %llu (cap %llu q "
		"%llu maps %d) ptr=%d", fd, (unsigned long long)want_cap,
		(unsigned long long)m->cap, (unsigned long long)q, m->nmaps,
		a.kind);
	ret = ioctl(fd, KIPC_IOC_SET_CAPACITY, a.p);
	err = check_errno(c, OP_MCHAN_CTL, "SET_CAPACITY mapped", ret, errno,
			  ERRS(EFAULT, EINVAL, EPERM, EBUSY, ENOMEM, EIO));
	if (pulls)
		mc_pull(m);
	if (err == ENOMEM && !want)
		return;
	/* Set, then the copy back to a read-only argument faulted. */
	if (!want && a.kind == P_RDONLY)
		want = EFAULT;
	if (err != want) {
		violation(c, "SET_CAPACITY %llu of a mapped channel (cap %llu, "
			  "q %llu, maps %d, broken %d): %s, expected %s",
			  (unsigned long long)want_cap,
			  (unsigned long long)m->cap, (unsigned long long)q,
			  m->nmaps, m->broken, err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		mc_lost(c, m, fd);
		return;
	}
	if (err && !(err == EFAULT && a.kind == P_RDONLY))
		return;
	if (want_cap != m->cap)
		mc_ring_moved(m, want_cap);
	if (!err) {
		arg_fetch(&a, &cap);
		if (cap.capacity != want_cap)
			violation(c, "SET_CAPACITY mapped returned %llu, set "
				  "%llu", (unsigned long long)cap.capacity,
				  (unsigned long long)want_cap);
	}
}

/* KIPC_IOC_RING_INFO: where each area is, and this end's role. */
static void mc_info(struct ctx *c, struct mchan *m, int fdi)
{
	struct ofd *o = &m->ofds[m->fds[fdi].ofd];
	int fd = m->fds[fdi].fd, err;
	struct kipc_ring_info ri;
	struct argp a;
	uint32_t role = (o->rd ? KIPC_RING_READ : 0) |
			(o->wr ? KIPC_RING_WRITE : 0);
	long ret;

	a = arg_ptr(c, sizeof(ri), pick_ptr(c, 10));
	memset(&ri, 0xa5, sizeof(ri));
	arg_commit(&a, &ri);
	note_op(c, OP_MCHAN_CTL, "RING_INFO fd=%d ptr=%d", fd, a.kind);
	ret = ioctl(fd, KIPC_IOC_RING_INFO, a.p);
	err = check_errno(c, OP_MCHAN_CTL, "RING_INFO", ret, errno,
			  ERRS(EFAULT));
	if (arg_unwritable(c, &a, "RING_INFO", ret, err))
		return;
	arg_fetch(&a, &ri);
	if (ret || ri.page_size != PG || ri.data_size != m->cap ||
	    ri.state_off != RA_STATE * PG || ri.prod_off != RA_PROD * PG ||
	    ri.cons_off != RA_CONS * PG || ri.data_off != RA_DATA * PG ||
	    ri.role != role || ri.__reserved0 || ri.__reserved[0] ||
	    ri.__reserved[1] || ri.__reserved[2] || ri.__reserved[3])
		violation(c, "RING_INFO: %ld page %llu size %llu offs %llu %llu "
			  "%llu %llu role %u; expected size %llu role %u", ret,
			  (unsigned long long)ri.page_size,
			  (unsigned long long)ri.data_size,
			  (unsigned long long)ri.state_off,
			  (unsigned long long)ri.prod_off,
			  (unsigned long long)ri.cons_off,
			  (unsigned long long)ri.data_off, ri.role,
			  (unsigned long long)m->cap, role);
}

/* The ring ioctls on a channel that is not mapped: EINVAL, whatever. */
static void pchan_ring_ioctl(struct ctx *c)
{
	static const unsigned long cmds[] = {
		KIPC_IOC_RING_INFO, KIPC_IOC_RING_WAIT, KIPC_IOC_RING_WAKE,
	};
	unsigned long cmd = cmds[below(&c->r, 3)];
	struct argp a = arg_ptr(c, 64, pick_ptr(c, 30));
	struct pchan *ch;
	int fdi;
	long ret;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch)
		return;
	if (a.valid)
		memset(c->arg, 0, sizeof(c->arg));
	note_op(c, OP_MCHAN_CTL, "ring ioctl %#lx on unmapped fd %d ptr %d",
		cmd, ch->fds[fdi].fd, a.kind);
	ret = ioctl(ch->fds[fdi].fd, cmd, a.p);
	if (ret != -1 || errno != EINVAL)
		violation(c, "ring ioctl %#lx on a channel not mapped: %ld %s",
			  cmd, ret, strerror(errno));
}

void op_mchan_ctl(struct ctx *c)
{
	struct mchan *m = mc_pick(c);
	int fdi, fd;

	if (chance(&c->r, 6)) {
		pchan_ring_ioctl(c);
		return;
	}
	if (!m) {
		op_mchan(c);
		return;
	}
	fdi = mc_pick_fd(c, m, false, false);
	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	switch (below(&c->r, 12)) {
	case 0 ... 2:
		mc_poll(c);
		return;
	case 3 ... 4:
		mc_wait(c, m);
		return;
	case 5:
		note_op(c, OP_MCHAN_CTL, "RING_WAKE fd=%d", fd);
		mc_wake(c, m, fd);
		return;
	case 6:
		mc_fionread(c, m, fdi);
		return;
	case 7 ... 8:
		mc_stats(c, m, fd);
		return;
	case 9:
		mc_set_capacity(c, m, fd);
		return;
	default:
		if (chance(&c->r, 50)) {
			mc_info(c, m, fdi);
			return;
		}
		{
			struct kipc_capacity cap = { 0 };

			note_op(c, OP_MCHAN_CTL, "GET_CAPACITY mapped fd=%d",
				fd);
			if (ioctl(fd, KIPC_IOC_GET_CAPACITY, &cap) ||
			    cap.capacity != m->cap)
				violation(c, "GET_CAPACITY mapped: %llu, "
					  "expected %llu",
					  (unsigned long long)cap.capacity,
					  (unsigned long long)m->cap);
		}
		return;
	}
}
