// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: message channels, write and read.
 *
 * Owns write, writev and pwritev2(RWF_NOWAIT), read, readv and preadv2 on
 * the message channels a thread tracks, on either end: every write is one
 * message of 0 bytes up to one past the capacity, at the end's priority,
 * and every read one message, whole, truncated (KIPC_END_TRUNC) or
 * EMSGSIZE.  model-msg.c predicts each result, the order of priorities
 * and the fit rule included; what a read gets is checked against the
 * bytes of the message the model says comes next.
 */
#include "fuzz.h"

static const char *const io_suffix[] = { "", "v", "v2" };

/* A result the model did not predict: it no longer knows @ch. */
void msg_lost(struct ctx *c, struct pchan *ch, int fd)
{
	ch_describe(c, ch, fd);
	ch_drop(c, ch);
}

/*
 * What a message's read or write on an end that may (@end_ok) gets before
 * the channel is looked at: EFAULT for what access_ok() refuses (for a
 * vector on 6.1 before the VFS looks at the end: *@alt is EBADF then),
 * EBADF, and 0 with *@vfs_zero for a vector of no bytes, which the VFS
 * answers alone; -1 when the channel decides.
 */
static int msg_io_precheck(const struct iovplan *v, int how, bool end_ok,
			   int *alt, bool *vfs_zero)
{
	*alt = 0;
	*vfs_zero = false;
	if (v->early_fault && how != IO_PLAIN) {
		*alt = end_ok ? 0 : EBADF;
		return EFAULT;
	}
	if (!end_ok)
		return EBADF;
	if (v->early_fault)
		return EFAULT;
	*vfs_zero = !v->total && how != IO_PLAIN;
	return *vfs_zero ? 0 : -1;
}

/*
 * A message's length: empty ones, small ones, the edges of the fit rule
 * (the room left, the capacity) and of EMSGSIZE (one past the capacity).
 * Longer than the I/O buffer only where the kernel must refuse it unread.
 */
uint64_t msg_choose_len(struct ctx *c, const struct pchan *ch)
{
	uint64_t room = ch->queued + KIPC_MSG_OVERHEAD <= ch->cap ?
			ch->cap - ch->queued - KIPC_MSG_OVERHEAD : 0;
	uint64_t len;

	switch (below(&c->r, 12)) {
	case 0 ... 1:
		len = 0;
		break;
	case 2 ... 4:
		len = below(&c->r, 200);
		break;
	case 5 ... 6:
		len = room + below(&c->r, 3);
		len = len ? len - 1 : 0;
		break;
	case 7:
		len = ch->cap - below(&c->r, 2);
		break;
	case 8:
		len = ch->cap + 1 + below(&c->r, 2);
		break;
	default:
		len = choose_len(c);
		break;
	}
	if (len <= ch->cap && len > IOBUF)
		len = IOBUF;
	return len;
}

/*
 * A write of one message: EBADF on a read end, EFAULT for what access_ok()
 * refuses (before EBADF for a vector, on 6.1), a vector of no bytes
 * answered by the VFS (nothing queued), then msg_send_errno()'s order,
 * with EAGAIN or a wait where it does not fit.
 */
void op_msg_write(struct ctx *c)
{
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t total;
	int fdi, fd, how, err, want = 0, alt = 0;
	bool blocking, waits = false, vfs_zero;
	long ret;

	ch = ch_pick_kind(c, CK_MSG, false, !chance(&c->r, 6), &fdi);
	if (!ch) {
		op_msg_chan(c);
		return;
	}
	if (msg_model_full(ch))
		return;
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	total = msg_choose_len(c, ch);
	how = (int)below(&c->r, 3);	/* enum io_how */
	plan_iov(c, &v, c->buf, total, how != IO_PLAIN, total <= IOBUF);
	total = v.total;
	if (total <= IOBUF)
		iov_fill(&v, ch->key, ch->wr_off);
	blocking = !o->nonblock && how != IO_NOWAIT;

	want = msg_io_precheck(&v, how, o->wr, &alt, &vfs_zero);
	if (want < 0) {
		want = msg_send_errno(ch, total, v.valid);
		if (want < 0)
			want = io_wait_errno(blocking, o->opts.sndtimeo_ns,
					     &waits);
	}
	note_op(c, OP_MSG_WRITE, "write%s message fd=%d wr=%d len=%llu q=%llu "
		"cap=%llu msgs=%u prio=%u nb=%d ptr=%d valid=%llu",
		io_suffix[how], fd, o->wr, (unsigned long long)total,
		(unsigned long long)ch->queued, (unsigned long long)ch->cap,
		ch->mq.n, o->opts.priority, o->nonblock, v.kind,
		(unsigned long long)v.valid);
	ret = chan_io(c, fd, &v, how, o, true, &err);
	check_errno(c, OP_MSG_WRITE, "write message", ret, err,
		    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, EBADF, EMSGSIZE,
			 ENOMEM));
	if (nowait_contended(c, how, ret, err) || err == ENOMEM)
		return;
	if (want == EPIPE && !ch_certain(c, ch)) {
		/* A child may hold a copy of a read end: no telling. */
		if (ret >= 0 && !vfs_zero)
			msg_push(ch, (uint32_t)total, (uint8_t)o->opts.priority);
		return;
	}
	if (waits && ret < 0)
		want = wait_result(c, o->opts.sndtimeo_ns, EAGAIN, err);
	if (ret < 0 ? err != want && err != alt :
	    want || (uint64_t)ret != total) {
		violation(c, "write%s of a message (wr %d, len %llu, valid "
			  "%llu, q %llu, cap %llu, msgs %u, r %d): %ld %s, "
			  "expected %s", io_suffix[how], o->wr,
			  (unsigned long long)total,
			  (unsigned long long)v.valid,
			  (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap, ch->mq.n,
			  ch_readers(ch), ret, ret < 0 ? strerror(err) : "",
			  want ? strerror(want) : "the length");
		msg_lost(c, ch, fd);
		return;
	}
	if (ret >= 0 && !vfs_zero)
		msg_push(ch, (uint32_t)total, (uint8_t)o->opts.priority);
}

/* A read's length: the next message's and its edges, or any. */
static uint64_t msg_read_len(struct ctx *c, const struct pchan *ch)
{
	const struct qmsg *m = msg_next(ch);
	uint64_t len;

	if (m && chance(&c->r, 60)) {
		len = m->len + below(&c->r, 3);
		len = len ? len - 1 : 0;
	} else {
		len = chance(&c->r, 10) ? 0 : choose_len(c);
	}
	return len < IOBUF ? len : IOBUF;
}

/*
 * A read of one message, whole or truncated (the end's KIPC_END_TRUNC);
 * EMSGSIZE and EFAULT leave it queued.  EBADF on a write end, EOF with no
 * writer, EAGAIN or a wait when nothing is queued.
 */
void op_msg_read(struct ctx *c)
{
	struct msg_recv r;
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t want_len, at;
	int fdi, fd, how, err, want = 0, alt = 0;
	bool blocking, trunc, waits = false, vfs_zero;
	long ret;

	ch = ch_pick_kind(c, CK_MSG, !chance(&c->r, 6), false, &fdi);
	if (!ch) {
		op_msg_chan(c);
		return;
	}
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	want_len = msg_read_len(c, ch);
	how = (int)below(&c->r, 3);	/* enum io_how */
	plan_iov(c, &v, c->vbuf, want_len, how != IO_PLAIN, true);
	want_len = v.total;
	blocking = !o->nonblock && how != IO_NOWAIT;
	trunc = o->opts.flags & KIPC_END_TRUNC;
	memset(&r, 0, sizeof(r));

	want = msg_io_precheck(&v, how, o->rd, &alt, &vfs_zero);
	if (want < 0) {
		msg_recv_predict(ch, want_len, v.valid, trunc, &r);
		want = r.waits ? io_wait_errno(blocking, o->opts.rcvtimeo_ns,
					       &waits) : r.err;
	}
	note_op(c, OP_MSG_READ, "read%s message fd=%d rd=%d len=%llu next=%lld "
		"msgs=%u trunc=%d nb=%d ptr=%d valid=%llu", io_suffix[how], fd,
		o->rd, (unsigned long long)want_len,
		msg_next(ch) ? (long long)msg_next(ch)->len : -1LL, ch->mq.n,
		trunc, o->nonblock, v.kind, (unsigned long long)v.valid);
	ret = chan_io(c, fd, &v, how, o, false, &err);
	check_errno(c, OP_MSG_READ, "read message", ret, err,
		    ERRS(EAGAIN, EFAULT, EINTR, EBADF, EMSGSIZE));
	if (nowait_contended(c, how, ret, err))
		return;
	if (r.eof && !ch_certain(c, ch) &&
	    (ret == 0 || err == EAGAIN || err == EINTR))
		return;		/* a child may hold a copy of a write end */
	if (waits && ret < 0)
		want = wait_result(c, o->opts.rcvtimeo_ns, EAGAIN, err);
	if (ret < 0 ? err != want && err != alt :
	    want || (uint64_t)ret != r.copy) {
		violation(c, "read%s of a message (rd %d, len %llu, valid %llu, "
			  "trunc %d, next %llu, msgs %u, w %d): %ld %s, "
			  "expected %llu %s", io_suffix[how], o->rd,
			  (unsigned long long)want_len,
			  (unsigned long long)v.valid, trunc,
			  (unsigned long long)r.size, ch->mq.n,
			  ch_writers(ch), ret, ret < 0 ? strerror(err) : "",
			  (unsigned long long)r.copy,
			  want ? strerror(want) : "");
		msg_lost(c, ch, fd);
		return;
	}
	if (ret < 0 || vfs_zero || !r.any)
		return;
	iov_gather(&v, c->buf, r.copy);
	if (msg_differs(ch, &r.m, c->buf, r.copy, &at))
		violation(c, "read of a message of %llu bytes (prio %u): byte "
			  "%llu is %#x, its own is %#x",
			  (unsigned long long)r.size, r.m.prio,
			  (unsigned long long)at, (uint8_t)c->buf[at],
			  gen_byte(ch->key, r.m.off + at));
	msg_pop(ch, r.copy);
}
