// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: message channels, the ioctls.
 *
 * Owns KIPC_IOC_MSG_SEND and KIPC_IOC_MSG_RECV with random and hostile
 * arguments (bad pointers for the argument and for the message, unknown
 * flags, priorities past the last, reserved and output fields set,
 * DONTWAIT, PEEK and TRUNC), KIPC_IOC_PEEK of the next message, their
 * EOPNOTSUPP on a channel of bytes, and the fdinfo lines of a message
 * channel; FIONREAD, CHAN_STATS and SET_CAPACITY are chan-ctl.c's, which
 * know messages.  Each result is model-msg.c's.
 */
#include "fuzz.h"

/*
 * The buffer of a message at a pointer of kind @k, over @base (c->buf to
 * send, c->vbuf to receive), for @len bytes: *@valid of them accessible.
 */
static uint64_t msg_user_buf(struct ctx *c, enum ptr_kind k, char *base,
			     uint64_t len, uint64_t *valid)
{
	uint64_t n;

	*valid = 0;
	switch (k) {
	case P_VALID:
	case P_RDONLY:
		*valid = len;
		return (uintptr_t)base;
	case P_MISALIGNED:
		*valid = len;
		return (uintptr_t)base + (len <= IOBUF - 8 ? 1 + below(&c->r, 7) :
					  0);
	case P_STRADDLE:
		n = below(&c->r, (len < PG ? len : PG) + 1);
		*valid = n;
		return (uintptr_t)(c->rw_edge + PG - n);
	case P_NONE:
		return (uintptr_t)c->none;
	case P_LOW:
		return 0x2000;
	case P_KERNEL:
		return 0xffffffff81000000ULL;
	case P_NONCANON:
		return 0x0000800000000000ULL;
	default:
		return 0;
	}
}

/*
 * MSG_SEND or MSG_RECV (@cmd) on @fd: the errno, or 0.  Unless @nonblock,
 * whatever the model expects, a call that waits must end: by the end's
 * timeout @timeo_ns or the thread's timer (arm_wait()).
 */
static int msg_ioctl(struct ctx *c, int fd, unsigned long cmd, void *arg,
		     bool nonblock, uint64_t timeo_ns)
{
	int err;

	if (!nonblock)
		arm_wait(c, timeo_ns);
	err = ioctl(fd, cmd, arg) ? errno : 0;
	if (!nonblock)
		disarm_wait(c);
	return err;
}

/*
 * Fields a message ioctl must find zero, set at random (true: EINVAL):
 * the reserved ones, and the outputs of a receive for a send.  A
 * receive's outputs on input are another receive's, left in a loop: they
 * must change nothing.
 */
static bool msg_junk(struct ctx *c, struct kipc_msg *m, bool send)
{
	if (!send && chance(&c->r, 10)) {
		m->size = rnd(&c->r);
		m->priority = (uint32_t)rnd(&c->r);
		m->result = (uint32_t)rnd(&c->r);
	}
	if (!chance(&c->r, 5))
		return false;
	switch (below(&c->r, send ? 4 : 2)) {
	case 0:
		m->__reserved0 = 1;
		break;
	case 1:
		m->__reserved[below(&c->r, 2)] = 1 + below(&c->r, 9);
		break;
	case 2:
		m->size = 1 + below(&c->r, 9);
		break;
	default:
		m->result = chance(&c->r, 50) ? KIPC_MSG_TRUNCATED :
			    KIPC_MSG_EOF;
		break;
	}
	return true;
}

/*
 * KIPC_IOC_MSG_SEND: the checks of the argument (EFAULT, then EINVAL for
 * flags, priority and the fields that must be zero), EBADF on a read end,
 * then write()'s order with the message's own priority; DONTWAIT is
 * O_NONBLOCK.  Returns 0.
 */
static void msg_send_ioctl(struct ctx *c, struct pchan *ch)
{
	struct kipc_msg m;
	struct ofd *o;
	struct argp a;
	uint64_t valid;
	enum ptr_kind bk = pick_ptr(c, 15);
	bool bad, nonblock, waits = false;
	int fd, err, want;
	long ret;

	o = ch_pick_end(c, ch, false, !chance(&c->r, 8), &fd);
	if (!o || msg_model_full(ch))
		return;
	memset(&m, 0, sizeof(m));
	m.len = msg_choose_len(c, ch);
	if (m.len > IOBUF)
		bk = P_VALID;	/* EMSGSIZE: the kernel reads none of it */
	m.buf = msg_user_buf(c, bk, c->buf, m.len, &valid);
	if (valid && m.len <= IOBUF)
		gen_fill((char *)(uintptr_t)m.buf, ch->key, ch->wr_off, valid);
	m.priority = (uint32_t)below(&c->r, KIPC_MSG_PRIO_MAX);
	m.flags = chance(&c->r, 50) ? KIPC_MSG_DONTWAIT : 0;
	bad = chance(&c->r, 4);
	if (bad && chance(&c->r, 50))
		m.priority = chance(&c->r, 50) ? KIPC_MSG_PRIO_MAX +
			     (uint32_t)below(&c->r, 300) : UINT32_MAX;
	else if (bad)
		m.flags |= chance(&c->r, 50) ? KIPC_MSG_PEEK | KIPC_MSG_TRUNC :
			   1U << (3 + below(&c->r, 29));
	bad |= msg_junk(c, &m, true);
	a = arg_ptr(c, sizeof(m), pick_ptr(c, 8));
	arg_commit(&a, &m);
	nonblock = o->nonblock || (m.flags & KIPC_MSG_DONTWAIT);

	want = arg_errno(&a, bad);
	if (!want && !o->wr) {
		want = EBADF;
	} else if (!want) {
		want = msg_send_errno(ch, m.len, valid);
		if (want < 0)
			want = io_wait_errno(!nonblock, o->opts.sndtimeo_ns,
					     &waits);
	}
	note_op(c, OP_MSG_CTL, "MSG_SEND fd=%d wr=%d len=%llu prio=%u flags=%#x "
		"q=%llu cap=%llu msgs=%u buf=%d valid=%llu ptr=%d bad=%d", fd,
		o->wr, (unsigned long long)m.len, m.priority, m.flags,
		(unsigned long long)ch->queued, (unsigned long long)ch->cap,
		ch->mq.n, bk, (unsigned long long)valid, a.kind, bad);
	err = msg_ioctl(c, fd, KIPC_IOC_MSG_SEND, a.p, nonblock,
			o->opts.sndtimeo_ns);
	ret = err ? -1 : 0;
	check_errno(c, OP_MSG_CTL, "MSG_SEND", ret, err,
		    ERRS(EFAULT, EINVAL, EBADF, EMSGSIZE, EPIPE, EAGAIN, EINTR,
			 ENOMEM));
	if (err == ENOMEM)
		return;
	if (want == EPIPE && !ch_certain(c, ch)) {
		if (!ret)	/* a child's copy of a read end */
			msg_push(ch, (uint32_t)m.len, (uint8_t)m.priority);
		return;
	}
	if (waits && ret)
		want = wait_result(c, o->opts.sndtimeo_ns, EAGAIN, err);
	if (err != want) {
		violation(c, "MSG_SEND (wr %d, len %llu, valid %llu, prio %u, "
			  "flags %#x, bad %d, ptr %d; q %llu cap %llu msgs %u "
			  "r %d): %ld %s, expected %s", o->wr,
			  (unsigned long long)m.len,
			  (unsigned long long)valid, m.priority, m.flags, bad,
			  a.kind, (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap, ch->mq.n,
			  ch_readers(ch), ret, err ? strerror(err) : "",
			  want ? strerror(want) : "success");
		msg_lost(c, ch, fd);
		return;
	}
	if (!ret)
		msg_push(ch, (uint32_t)m.len, (uint8_t)m.priority);
}

/* A receive's room: the next message's length and its edges, or not. */
static uint64_t msg_recv_len(struct ctx *c, const struct pchan *ch)
{
	const struct qmsg *n = msg_next(ch);
	uint64_t len;

	switch (below(&c->r, 30)) {
	case 0 ... 17:
		len = (n ? n->len : 0) + below(&c->r, 3);
		return len ? len - 1 : 0;
	case 18 ... 20:
		return 0;
	case 21:
		/* Room enough for any message: as read()'s count, no limit. */
		return chance(&c->r, 50) ? UINT64_MAX : 1ULL << 40;
	default:
		return choose_len(c);
	}
}

/*
 * KIPC_IOC_MSG_RECV: the checks of the argument, EBADF on a write end,
 * then a read's rules with the flags' PEEK and TRUNC, DONTWAIT for
 * O_NONBLOCK; out come the message's whole size, its priority and the
 * result bits.  The argument is written back last: where that faults the
 * message is gone all the same (EFAULT).
 */
static void msg_recv_ioctl(struct ctx *c, struct pchan *ch)
{
	struct msg_recv r;
	struct kipc_msg m, out;
	struct ofd *o;
	struct argp a;
	uint64_t valid, at;
	enum ptr_kind bk = pick_ptr(c, 12);
	bool bad, nonblock, peek, waits = false, done = false;
	uint32_t result = 0;
	int fd, err, want;
	long ret;

	o = ch_pick_end(c, ch, !chance(&c->r, 8), false, &fd);
	if (!o)
		return;
	memset(&m, 0, sizeof(m));
	m.len = msg_recv_len(c, ch);
	if (m.len > IOBUF)
		bk = P_VALID;	/* only the message's bytes are written */
	m.buf = msg_user_buf(c, bk, c->vbuf, m.len < IOBUF ? m.len : IOBUF,
			     &valid);
	if (m.len > IOBUF && bk == P_VALID)
		valid = m.len;
	m.flags = (uint32_t)below(&c->r, 8);	/* DONTWAIT, PEEK, TRUNC */
	bad = chance(&c->r, 3);
	if (bad)
		m.flags |= 1U << (3 + below(&c->r, 29));
	bad |= msg_junk(c, &m, false);
	a = arg_ptr(c, sizeof(m), pick_ptr(c, 10));
	arg_commit(&a, &m);
	nonblock = o->nonblock || (m.flags & KIPC_MSG_DONTWAIT);
	peek = m.flags & KIPC_MSG_PEEK;
	memset(&r, 0, sizeof(r));

	want = arg_errno(&a, bad);
	if (!want && !o->rd) {
		want = EBADF;
	} else if (!want) {
		msg_recv_predict(ch, m.len, valid, m.flags & KIPC_MSG_TRUNC,
				 &r);
		want = r.waits ? io_wait_errno(!nonblock, o->opts.rcvtimeo_ns,
					       &waits) : r.err;
		done = !want;
		if (r.eof)
			result = KIPC_MSG_EOF;
		else if (r.truncated)
			result = KIPC_MSG_TRUNCATED;
		/* Done, then the copy back faults. */
		if (done && arg_out_faults(&a))
			want = EFAULT;
	}
	note_op(c, OP_MSG_CTL, "MSG_RECV fd=%d rd=%d len=%llu flags=%#x next=%lld "
		"msgs=%u buf=%d valid=%llu ptr=%d bad=%d", fd, o->rd,
		(unsigned long long)m.len, m.flags,
		msg_next(ch) ? (long long)msg_next(ch)->len : -1LL, ch->mq.n,
		bk, (unsigned long long)valid, a.kind, bad);
	err = msg_ioctl(c, fd, KIPC_IOC_MSG_RECV, a.p, nonblock,
			o->opts.rcvtimeo_ns);
	ret = err ? -1 : 0;
	check_errno(c, OP_MSG_CTL, "MSG_RECV", ret, err,
		    ERRS(EFAULT, EINVAL, EBADF, EMSGSIZE, EAGAIN, EINTR));
	if (r.eof && !ch_certain(c, ch) && (err == EAGAIN || err == EINTR))
		return;		/* a child may hold a copy of a write end */
	if (waits && ret)
		want = wait_result(c, o->opts.rcvtimeo_ns, EAGAIN, err);
	out = m;
	arg_fetch(&a, &out);
	if (err != want ||
	    (!ret && (out.size != r.size || out.result != result ||
		      out.priority != (r.any ? r.m.prio : 0) ||
		      out.buf != m.buf || out.len != m.len ||
		      out.flags != m.flags))) {
		violation(c, "MSG_RECV (rd %d, len %llu, valid %llu, flags %#x, "
			  "bad %d, ptr %d; next %llu prio %u, msgs %u, w %d): "
			  "%ld %s, size %llu prio %u result %#x; expected %s, "
			  "size %llu result %#x", o->rd,
			  (unsigned long long)m.len,
			  (unsigned long long)valid, m.flags, bad, a.kind,
			  (unsigned long long)r.size, r.m.prio, ch->mq.n,
			  ch_writers(ch), ret, err ? strerror(err) : "",
			  (unsigned long long)out.size, out.priority,
			  out.result, want ? strerror(want) : "success",
			  (unsigned long long)r.size, result);
		msg_lost(c, ch, fd);
		return;
	}
	if (!done || !r.any)
		return;
	if (msg_differs(ch, &r.m, (char *)(uintptr_t)m.buf, r.copy, &at))
		violation(c, "MSG_RECV of a message of %llu bytes (prio %u): "
			  "byte %llu is %#x, its own is %#x",
			  (unsigned long long)r.size, r.m.prio,
			  (unsigned long long)at,
			  ((uint8_t *)(uintptr_t)m.buf)[at],
			  gen_byte(ch->key, r.m.off + at));
	if (!peek)
		msg_pop(ch, r.copy);
}

/*
 * KIPC_IOC_PEEK of a message channel: the next message's bytes from
 * @offset on, never consumed: 0 past its end or at EOF, EAGAIN with
 * nothing queued and a writer left; a copy that faults is EFAULT, as a
 * read of a message is, where a byte channel's gives what it copied.
 */
static void msg_peek(struct ctx *c, struct pchan *ch)
{
	struct qmsg from = { 0 };
	const struct qmsg *n;
	struct kipc_peek pk;
	struct argp a;
	struct ofd *o;
	uint64_t valid, expect = 0, at;
	enum ptr_kind bk = pick_ptr(c, 12);
	bool junk = chance(&c->r, 4), unsure = false;
	int fd, err, want = 0;
	long ret;

	o = ch_pick_end(c, ch, !chance(&c->r, 8), false, &fd);
	if (!o)
		return;
	n = msg_next(ch);
	memset(&pk, 0, sizeof(pk));
	pk.len = chance(&c->r, 50) && n ? n->len : choose_len(c);
	if (pk.len > IOBUF)
		pk.len = IOBUF;
	if (chance(&c->r, 40))
		pk.offset = n && chance(&c->r, 80) ?
			    below(&c->r, n->len + 3) : rnd(&c->r);
	pk.buf = msg_user_buf(c, bk, c->vbuf, pk.len, &valid);
	if (junk)
		pk.__reserved[below(&c->r, 2)] = 1;
	a = arg_ptr(c, sizeof(pk), pick_ptr(c, 8));
	arg_commit(&a, &pk);
	want = arg_errno(&a, junk);
	if (!want && !o->rd) {
		want = EBADF;
	} else if (!want && !n) {
		want = ch_writers(ch) ? EAGAIN : 0;
		unsure = !ch_writers(ch) && !ch_certain(c, ch);
	} else if (!want && pk.offset < n->len) {
		expect = n->len - pk.offset < pk.len ? n->len - pk.offset :
			 pk.len;
		if (expect > valid)
			want = EFAULT;
	}
	note_op(c, OP_MSG_CTL, "PEEK message fd=%d rd=%d len=%llu off=%llu "
		"next=%lld buf=%d valid=%llu ptr=%d", fd, o->rd,
		(unsigned long long)pk.len, (unsigned long long)pk.offset,
		n ? (long long)n->len : -1LL, bk, (unsigned long long)valid,
		a.kind);
	ret = ioctl(fd, KIPC_IOC_PEEK, a.p);
	err = ret < 0 ? errno : 0;
	check_errno(c, OP_MSG_CTL, "PEEK message", ret, err,
		    ERRS(EFAULT, EINVAL, EBADF, EAGAIN, EINTR));
	if (unsure && (!ret || err == EAGAIN))
		return;
	if (ret < 0 ? err != want : (want || (uint64_t)ret != expect)) {
		violation(c, "PEEK of a message channel (rd %d, len %llu, off "
			  "%llu, valid %llu; next %lld, w %d): %ld %s, expected "
			  "%llu %s", o->rd, (unsigned long long)pk.len,
			  (unsigned long long)pk.offset,
			  (unsigned long long)valid,
			  n ? (long long)n->len : -1LL, ch_writers(ch), ret,
			  ret < 0 ? strerror(err) : "",
			  (unsigned long long)expect,
			  want ? strerror(want) : "");
		msg_lost(c, ch, fd);
		return;
	}
	if (ret <= 0)
		return;
	/* From @offset on: the message's bytes past as many of its own. */
	from.off = n->off + pk.offset;
	if (msg_differs(ch, &from, (char *)(uintptr_t)pk.buf, (uint64_t)ret,
			&at))
		violation(c, "PEEK of a message: byte %llu (offset %llu) "
			  "differs", (unsigned long long)at,
			  (unsigned long long)pk.offset);
}

/*
 * The fdinfo of any tracked channel's end says whether it is a message
 * channel, and how many messages it holds.
 */
static void msg_fdinfo(struct ctx *c, struct pchan *ch, int fd)
{
	char path[64], *p, *buf = c->vbuf;
	unsigned long long msgs = ~0ULL;
	int f, is_msg = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	note_op(c, OP_MSG_CTL, "read %s (msg %d, msgs %u)", path, ch->msg,
		ch->mq.n);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		violation(c, "%s: %s", path, strerror(errno));
		return;
	}
	n = read(f, buf, 4095);
	close(f);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "kipc-message:\t");
	if (p)
		is_msg = atoi(p + strlen("kipc-message:\t"));
	p = strstr(buf, "kipc-messages:\t");
	if (p)
		msgs = strtoull(p + strlen("kipc-messages:\t"), NULL, 10);
	if (is_msg != ch->msg || msgs != ch->mq.n)
		violation(c, "%s: kipc-message %d kipc-messages %lld, expected "
			  "%d %u", path, is_msg, (long long)msgs, ch->msg,
			  ch->mq.n);
}

/* The message ioctls on a channel of bytes, mapped or not: EOPNOTSUPP. */
static void msg_ioctl_on_bytes(struct ctx *c)
{
	struct kipc_msg m;
	struct mchan *mc;
	struct pchan *ch;
	unsigned long cmd = chance(&c->r, 50) ? KIPC_IOC_MSG_SEND :
				 KIPC_IOC_MSG_RECV;
	int fdi, fd;
	long ret;

	if (chance(&c->r, 70)) {
		ch = ch_pick_kind(c, CK_BYTES, false, false, &fdi);
		if (!ch)
			return;
		fd = ch->fds[fdi].fd;
	} else {
		mc = mc_pick(c);
		fdi = mc ? mc_pick_fd(c, mc, false, false) : -1;
		if (fdi < 0)
			return;
		fd = mc->fds[fdi].fd;
	}
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)c->vbuf;
	m.flags = KIPC_MSG_DONTWAIT;
	note_op(c, OP_MSG_CTL, "%s on a byte channel fd=%d",
		cmd == KIPC_IOC_MSG_SEND ? "MSG_SEND" : "MSG_RECV", fd);
	ret = ioctl(fd, cmd, &m);
	if (ret != -1 || errno != EOPNOTSUPP)
		violation(c, "%s on a byte channel: %ld %s, expected "
			  "EOPNOTSUPP",
			  cmd == KIPC_IOC_MSG_SEND ? "MSG_SEND" : "MSG_RECV",
			  ret, strerror(errno));
}

void op_msg_ctl(struct ctx *c)
{
	struct pchan *ch;
	int fdi;

	ch = ch_pick_kind(c, chance(&c->r, 90) ? CK_MSG : CK_ANY, false, false,
			  &fdi);
	if (!ch || (!ch->msg && !chance(&c->r, 20))) {
		msg_ioctl_on_bytes(c);
		return;
	}
	if (!ch->msg) {
		msg_fdinfo(c, ch, ch->fds[fdi].fd);
		return;
	}
	switch (below(&c->r, 20)) {
	case 0 ... 5:
		msg_send_ioctl(c, ch);
		return;
	case 6 ... 11:
		msg_recv_ioctl(c, ch);
		return;
	case 12 ... 13:
		msg_peek(c, ch);
		return;
	case 14:
		chan_fionread(c, ch, ch->fds[fdi].fd);
		return;
	case 15:
		chan_stats(c, ch, ch->fds[fdi].fd);
		return;
	case 16:
		chan_set_capacity(c, ch, ch->fds[fdi].fd);
		return;
	case 17:
		msg_fdinfo(c, ch, ch->fds[fdi].fd);
		return;
	default:
		msg_ioctl_on_bytes(c);
		return;
	}
}
