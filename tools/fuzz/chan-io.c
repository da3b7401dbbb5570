// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked channels, their data.
 *
 * Owns write, writev and pwritev2(RWF_NOWAIT), read, readv and preadv2 on
 * channels of bytes, and splice to and from a real pipe.  Before each
 * call the model says what it must do (how many bytes, or which errno);
 * after it, every byte read is compared with the stream that was written.
 * chan_io() makes the calls of every kind of channel, so that a call that
 * waits ends by the end's timeout or by the thread's timer.
 */
#include "fuzz.h"

static const char *const io_suffix[] = { "", "v", "v2" };

/*
 * Write (@wr) or read @v on @fd, whose open file is @o, the @how way;
 * errno in *@err (0 on success).  A call that may sleep runs under
 * arm_wait(), with the end's timeout: it ends with EAGAIN or EINTR where
 * the model expects the wait (wait_end()).  Every kind of channel's read
 * and write.
 */
long chan_io(struct ctx *c, int fd, struct iovplan *v, int how,
	     const struct ofd *o, bool wr, int *err)
{
	bool blocking = !o->nonblock && how != IO_NOWAIT;
	long ret;

	if (blocking)
		arm_wait(c, end_timeo(o, wr));
	if (how == IO_PLAIN)
		ret = wr ? write(fd, v->iov[0].iov_base, v->iov[0].iov_len) :
			   read(fd, v->iov[0].iov_base, v->iov[0].iov_len);
	else if (how == IO_VEC)
		ret = wr ? writev(fd, v->iov, v->n) : readv(fd, v->iov, v->n);
	else
		ret = wr ? pwritev2(fd, v->iov, v->n, -1, RWF_NOWAIT) :
			   preadv2(fd, v->iov, v->n, -1, RWF_NOWAIT);
	*err = ret < 0 ? errno : 0;
	if (blocking)
		disarm_wait(c);
	return ret;
}

/*
 * A write the model predicts to the byte: how much lands (room, PIPE_BUF
 * atomicity, packets), or which errno (EPIPE without readers, EAGAIN or
 * EINTR when full, EFAULT when nothing could be copied).
 */
void op_write(struct ctx *c)
{
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t total, amount, expect;
	int fdi, fd, how, err, want_err = 0;
	bool rdrs, blocking, made_pkts, waits = false;
	long ret;

	ch = ch_pick_kind(c, CK_BYTES, false, true, &fdi);
	if (!ch) {
		op_pair(c);
		return;
	}
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	total = choose_len(c);
	how = (int)below(&c->r, 3);	/* enum io_how */
	plan_iov(c, &v, c->buf, total, how != IO_PLAIN, true);
	total = v.total;
	iov_fill(&v, ch->key, ch->wr_off);
	blocking = !o->nonblock && how != IO_NOWAIT;

	rdrs = ch_readers(ch) > 0;
	/* The first O_DIRECT write makes the packet table, room or not. */
	made_pkts = o->direct && total && !v.early_fault && !ch->pkts_alloc &&
		    (rdrs || !ch_certain(c, ch));
	if (made_pkts) {
		ch->pkts_alloc = true;
		ch->nr_pkts = nr_pkts_for(ch->cap);
	}
	if (!total || v.early_fault)
		amount = 0;
	else
		amount = ch_write_amount(ch, o->direct, total);
	expect = amount < v.valid ? amount : v.valid;
	if (v.early_fault)
		want_err = EFAULT;
	else if (!total)
		want_err = 0;
	else if (!rdrs)
		want_err = EPIPE;
	else if (!amount)
		want_err = io_wait_errno(blocking, o->opts.sndtimeo_ns,
					 &waits);
	else if (!expect)
		want_err = EFAULT;

	note_op(c, OP_WRITE, "write%s fd=%d len=%llu q=%llu cap=%llu "
		"direct=%d nb=%d ptr=%d valid=%llu",
		io_suffix[how], fd,
		(unsigned long long)total, (unsigned long long)ch->queued,
		(unsigned long long)ch->cap, o->direct, o->nonblock, v.kind,
		(unsigned long long)v.valid);
	ret = chan_io(c, fd, &v, how, o, true, &err);
	check_errno(c, OP_WRITE, "write", ret, err,
		    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, ENOMEM));
	if (waits && ret < 0)
		want_err = wait_result(c, o->opts.sndtimeo_ns, EAGAIN, err);

	if (made_pkts && ret < 0 && (err == ENOMEM || err == EPIPE)) {
		ch->pkts_alloc = false;
		ch->nr_pkts = 0;
	}
	/*
	 * A packet table the model counts but the kernel did not make for a
	 * contended call is harmless: it holds no packet either way.
	 */
	if (nowait_contended(c, how, ret, err))
		return;
	if (!rdrs && !ch_certain(c, ch)) {
		/* A child may hold a copy of a read end: no telling. */
		if (ret > 0)
			ch_apply_write(ch, o->direct, (uint64_t)ret);
		return;
	}
	if (ret < 0) {
		if (err == ENOMEM)
			return;
		if (err != want_err)
			violation(c, "write len=%llu q=%llu cap=%llu direct=%d "
				  "valid=%llu: %s, expected %s (%llu bytes)",
				  (unsigned long long)total,
				  (unsigned long long)ch->queued,
				  (unsigned long long)ch->cap, o->direct,
				  (unsigned long long)v.valid, strerror(err),
				  want_err ? strerror(want_err) : "success",
				  (unsigned long long)expect);
		return;
	}
	if (want_err || (uint64_t)ret != expect) {
		violation(c, "write len=%llu q=%llu cap=%llu direct=%d "
			  "valid=%llu: wrote %ld, expected %llu%s%s",
			  (unsigned long long)total,
			  (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap, o->direct,
			  (unsigned long long)v.valid, ret,
			  (unsigned long long)expect,
			  want_err ? " / " : "",
			  want_err ? strerror(want_err) : "");
		/* Keep the model in step with what happened. */
		if ((uint64_t)ret > v.valid)
			ret = (long)v.valid;
	}
	ch_apply_write(ch, o->direct, (uint64_t)ret);
}

/*
 * A read the model predicts to the byte: which segments it takes (a
 * packet alone, bytes up to a fault), or which errno; then every byte is
 * compared with the stream that was written.
 */
void op_read(struct ctx *c)
{
	struct piece pieces[MAX_SEGS];
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t want, expect, got, at, off;
	int fdi, fd, how, err, np = 0, want_err = 0;
	bool blocking, efault, wrs, waits = false;
	long ret;

	ch = ch_pick_kind(c, CK_BYTES, true, false, &fdi);
	if (!ch) {
		op_pair(c);
		return;
	}
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	want = choose_len(c);
	if (chance(&c->r, 30))
		want = ch->queued + below(&c->r, 100);
	if (want > IOBUF)
		want = IOBUF;
	how = (int)below(&c->r, 3);	/* enum io_how */
	plan_iov(c, &v, c->vbuf, want, how != IO_PLAIN, true);
	want = v.total;
	blocking = !o->nonblock && how != IO_NOWAIT;
	wrs = ch_writers(ch) > 0;

	expect = 0;
	efault = false;
	if (v.early_fault)
		want_err = EFAULT;
	else if (!want)
		want_err = 0;
	else if (!ch->queued && wrs)
		want_err = io_wait_errno(blocking, o->opts.rcvtimeo_ns,
					 &waits);
	else if (!ch->queued)
		want_err = 0;
	else {
		expect = ch_read_sim(ch, want, v.valid, pieces, &np, false,
				     &efault);
		if (efault)
			want_err = EFAULT;
	}
	note_op(c, OP_READ, "read%s fd=%d len=%llu q=%llu nseg=%d nb=%d "
		"ptr=%d valid=%llu", io_suffix[how],
		fd, (unsigned long long)want, (unsigned long long)ch->queued,
		ch->nseg, o->nonblock, v.kind, (unsigned long long)v.valid);
	ret = chan_io(c, fd, &v, how, o, false, &err);
	check_errno(c, OP_READ, "read", ret, err,
		    ERRS(EAGAIN, EFAULT, EINTR));
	if (nowait_contended(c, how, ret, err))
		return;
	if (waits && ret < 0)
		want_err = wait_result(c, o->opts.rcvtimeo_ns, EAGAIN, err);

	if (!ch->queued && !wrs && !ch_certain(c, ch)) {
		/* A child may hold a copy of a write end. */
		if (ret == 0 || (ret < 0 && (err == EAGAIN || err == EINTR)))
			return;
	}
	if (ret < 0) {
		if (err != want_err)
			violation(c, "read len=%llu q=%llu valid=%llu: %s, "
				  "expected %s (%llu bytes)",
				  (unsigned long long)want,
				  (unsigned long long)ch->queued,
				  (unsigned long long)v.valid, strerror(err),
				  want_err ? strerror(want_err) : "success",
				  (unsigned long long)expect);
		return;
	}
	if (want_err || (uint64_t)ret != expect) {
		violation(c, "read len=%llu q=%llu valid=%llu nseg=%d: got %ld,"
			  " expected %llu %s", (unsigned long long)want,
			  (unsigned long long)ch->queued,
			  (unsigned long long)v.valid, ch->nseg, ret,
			  (unsigned long long)expect,
			  want_err ? strerror(want_err) : "");
		ch_describe(c, ch, fd);
		return;
	}
	if (!ret)
		return;
	got = (uint64_t)ret;
	ch_read_sim(ch, want, v.valid, pieces, &np, true, &efault);
	iov_gather(&v, c->buf, got);
	if (stream_differs(ch->key, c->buf, pieces, np, &at, &off))
		violation(c, "read: byte %llu of %llu (stream offset %llu) is "
			  "%#x, wrote %#x", (unsigned long long)at,
			  (unsigned long long)got, (unsigned long long)off,
			  (uint8_t)c->buf[at], gen_byte(ch->key, off));
}

/*
 * Channel -> pipe, as a read of up to @len bytes: the pipe must then hold
 * what the model says a read would have delivered.
 */
static void splice_from_chan(struct ctx *c)
{
	struct piece pieces[MAX_SEGS];
	uint64_t len, expect, at, off;
	struct pchan *ch;
	int fdi, fd, err, np;
	bool efault;
	long ret, n;

	ch = ch_pick_kind(c, CK_BYTES, true, false, &fdi);
	if (!ch || !ch->queued)
		return;
	fd = ch->fds[fdi].fd;
	len = 1 + below(&c->r, 16 * PG);
	expect = ch_read_sim(ch, len, len, pieces, &np, false, &efault);
	note_op(c, OP_SPLICE, "splice chan %d -> pipe len=%llu q=%llu",
		fd, (unsigned long long)len,
		(unsigned long long)ch->queued);
	ret = splice(fd, NULL, c->pipe_w, NULL, len, SPLICE_F_NONBLOCK);
	err = errno;
	check_errno(c, OP_SPLICE, "splice from channel", ret, err,
		    ERRS(EAGAIN, EINTR, ENOMEM));
	if (ret < 0)
		return;
	if ((uint64_t)ret != expect)
		violation(c, "splice from channel len=%llu: %ld, expected %llu",
			  (unsigned long long)len, ret,
			  (unsigned long long)expect);
	/* The pipe is drained whole either way: it starts empty next time. */
	n = read(c->pipe_r, c->buf, IOBUF);
	if (n != ret) {
		violation(c, "splice: the pipe holds %ld, spliced %ld", n, ret);
		return;
	}
	ch_read_sim(ch, len, len, pieces, &np, true, &efault);
	if (stream_differs(ch->key, c->buf, pieces, np, &at, &off))
		violation(c, "splice: byte %llu differs",
			  (unsigned long long)at);
}

/*
 * Pipe -> channel, as a write of what the pipe holds: the next bytes of
 * the channel's stream, so that a later read checks them too.
 */
static void splice_to_chan(struct ctx *c)
{
	struct pchan *ch;
	struct ofd *o;
	uint64_t len;
	int fdi, fd, err;
	long ret;

	ch = ch_pick_kind(c, CK_BYTES, false, true, &fdi);
	if (!ch || !ch_readers(ch))
		return;
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	if (!o->nonblock)
		return;		/* a blocking splice would wait */
	len = 1 + below(&c->r, 8 * PG);
	gen_fill(c->buf, ch->key, ch->wr_off, len);
	if (write(c->pipe_w, c->buf, len) != (ssize_t)len)
		return;
	note_op(c, OP_SPLICE, "splice pipe -> chan %d len=%llu q=%llu cap=%llu"
		" direct=%d", fd, (unsigned long long)len,
		(unsigned long long)ch->queued, (unsigned long long)ch->cap,
		o->direct);
	/* Like the first O_DIRECT write, the first splice makes the table. */
	if (o->direct && !ch->pkts_alloc) {
		ch->pkts_alloc = true;
		ch->nr_pkts = nr_pkts_for(ch->cap);
	}
	ret = splice(c->pipe_r, NULL, fd, NULL, len, SPLICE_F_NONBLOCK);
	err = errno;
	check_errno(c, OP_SPLICE, "splice to channel", ret, err,
		    ERRS(EAGAIN, EINTR, ENOMEM));
	/* Whatever stayed in the pipe goes. */
	while (read(c->pipe_r, c->vbuf, IOBUF) > 0)
		;
	if (ret < 0) {
		if (err == EAGAIN && ch_write_amount(ch, o->direct, len) &&
		    ch_certain(c, ch))
			violation(c, "splice to channel: EAGAIN with room for "
				  "%llu", (unsigned long long)
				  ch_write_amount(ch, o->direct, len));
		return;
	}
	if ((uint64_t)ret != ch_write_amount(ch, o->direct, len) &&
	    ch_certain(c, ch))
		violation(c, "splice to channel: %ld bytes, expected %llu", ret,
			  (unsigned long long)ch_write_amount(ch, o->direct,
							      len));
	ch_apply_write(ch, o->direct, (uint64_t)ret);
}

/* Between a tracked channel and a real pipe, both ways. */
void op_splice(struct ctx *c)
{
	if (c->pipe_r < 0)
		return;
	if (chance(&c->r, 50))
		splice_from_chan(c);
	else
		splice_to_chan(c);
}
