// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: mapped channels, their data through system calls.
 *
 * Owns read, write and KIPC_IOC_PEEK on the mapped channels a thread
 * tracks (sometimes into or out of the ring's own mappings), and fcntl.
 * Each errno is predicted in the kernel's order: EBADF for the wrong
 * role, EBUSY while a mapping owns the side, then the look at the
 * positions (mc_pull()) that gives EIO once they are out of range; and
 * every byte read is compared with the stream where the model knows it.
 */
#include "fuzz.h"

static const char *const io_name[] = { "", "v", "v2" };

/* The I/O buffer is one of the ring's own data mappings. */
static void plan_ring_buf(struct iovplan *v, struct rmap *r, uint64_t len,
			  bool readable)
{
	memset(v, 0, sizeof(*v));
	if (len > r->len)
		len = r->len;
	v->n = 1;
	v->iov[0].iov_base = r->p;
	v->iov[0].iov_len = len;
	v->total = len;
	v->valid = readable ? len : 0;
	v->kind = P_VALID;
}

/* After a result the model did not predict it no longer knows @m. */
void mc_lost(struct ctx *c, struct mchan *m, int fd)
{
	mc_describe(m, fd);
	mc_drop(c, m);
}

/* ---------------------------------------------------------------- */
/* read, write, peek, fcntl. */

/*
 * What a mapped channel's read or write gets before the ring matters, in
 * the VFS's and kipc's order: an early fault, a zero-length vectored call
 * (answered before ->read_iter or ->write_iter), the wrong end, zero
 * length, a side a mapping owns.  -1: the ring decides.
 */
static int mc_io_precheck(const struct iovplan *v, uint64_t len, int how,
			  bool end_ok, bool owned)
{
	if (v->early_fault)
		return EFAULT;
	if (!len && how != IO_PLAIN)
		return 0;
	if (!end_ok)
		return EBADF;
	if (!len)
		return 0;
	if (owned)
		return EBUSY;
	return -1;
}
/*
 * read() of a mapped channel: EBADF on a write end (but a vector of no
 * bytes is 0 for the VFS, as every end may read for mmap's sake), EBUSY
 * while the consumer is mapped, EIO once the positions are out of range; then a
 * pipe's read of prod - cons bytes, each checked where the model knows
 * it.  Into a writable data mapping of the ring itself, the copy lands in
 * the ring: those bytes are nobody's now.
 */
static void mc_read(struct ctx *c, struct mchan *m)
{
	struct rmap *dst = NULL;
	struct iovplan v;
	struct ofd *o;
	uint64_t want, q = 0, expect = 0, at;
	int fdi, fd, how, err, want_err = 0;
	bool blocking, wrs, pulls = false, waits = false;
	bool sure = mc_certain(c, m);
	long ret;

	fdi = mc_pick_fd(c, m, !chance(&c->r, 8), false);
	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	want = choose_len(c);
	if (chance(&c->r, 30) && mc_in_range(m))
		want = m->prod - m->cons + below(&c->r, 100);
	if (want > IOBUF)
		want = IOBUF;
	how = (int)below(&c->r, 3);
	if (chance(&c->r, 8))
		dst = mc_map_of(c, m, RA_DATA, false, PROT_NONE);
	if (dst)
		plan_ring_buf(&v, dst, want, dst->prot & PROT_WRITE);
	else
		plan_iov(c, &v, c->vbuf, want, how != IO_PLAIN, true);
	want = v.total;
	blocking = !o->nonblock && how != IO_NOWAIT;
	wrs = mc_writers(m) > 0;

	want_err = mc_io_precheck(&v, want, how, o->rd, mc_owned(m, RA_CONS));
	if (want_err < 0) {
		want_err = 0;
		pulls = true;
		q = m->prod - m->cons;
		expect = q < want ? q : want;
		if (expect > v.valid)
			expect = v.valid;
		if (!mc_in_range(m) || m->broken)
			want_err = EIO;
		else if (!q && wrs)
			want_err = io_wait_errno(blocking,
						 o->opts.rcvtimeo_ns, &waits);
		else if (!q)
			want_err = 0;
		else if (!expect)
			want_err = EFAULT;
	}
	note_op(c, OP_MCHAN_IO, "read%s mapped fd=%d rd=%d len=%llu prod=%llu "
		"cons=%llu nb=%d ptr=%d valid=%llu ring=%d", io_name[how], fd,
		o->rd, (unsigned long long)want, (unsigned long long)m->prod,
		(unsigned long long)m->cons, o->nonblock, v.kind,
		(unsigned long long)v.valid, dst != NULL);
	ret = chan_io(c, fd, &v, how, o, false, &err);
	check_errno(c, OP_MCHAN_IO, "read mapped", ret, err,
		    ERRS(EAGAIN, EFAULT, EINTR, EBADF, EBUSY, EIO));
	if (nowait_contended(c, how, ret, err))
		return;
	if (pulls)
		mc_pull(m);
	if (pulls && !m->broken && !q && !wrs && !sure) {
		/* A child may hold a copy of a write end: EOF or a wait. */
		if (m->cons_waiting & KIPC_RING_WAITING)
			m->cons_unknown |= KIPC_RING_WAITING;
		if (ret == 0 || (ret < 0 && (err == EAGAIN || err == EINTR)))
			return;
	}
	/* It slept: wait_begin() and wait_end() ran. */
	if (waits) {
		mc_side_touched(m, RA_CONS, 0);
		if (ret < 0)
			want_err = wait_result(c, o->opts.rcvtimeo_ns, EAGAIN,
					       err);
	}
	if (ret < 0 ? err != want_err : (want_err || (uint64_t)ret != expect)) {
		violation(c, "read of a mapped channel (rd %d, len %llu, prod "
			  "%llu cons %llu cap %llu broken %d, cons owned %d, "
			  "valid %llu): %ld %s, expected %llu %s", o->rd,
			  (unsigned long long)want, (unsigned long long)m->prod,
			  (unsigned long long)m->cons,
			  (unsigned long long)m->cap, m->broken,
			  mc_owned(m, RA_CONS), (unsigned long long)v.valid,
			  ret, ret < 0 ? strerror(err) : "",
			  (unsigned long long)expect,
			  want_err ? strerror(want_err) : "");
		mc_lost(c, m, fd);
		return;
	}
	if (ret <= 0)
		return;
	if (dst) {
		/* Copied over the ring's own bytes. */
		if (m->prod > m->known_from)
			m->known_from = m->prod;
	} else {
		iov_gather(&v, c->buf, (uint64_t)ret);
		if (mc_bytes_differ(m, c->buf, m->cons, (uint64_t)ret, &at))
			violation(c, "read of a mapped channel: byte %llu "
				  "(position %llu) is %#x, the stream's is %#x",
				  (unsigned long long)at,
				  (unsigned long long)(m->cons + at),
				  (uint8_t)c->buf[at],
				  gen_byte(m->key, m->cons + at + m->delta));
	}
	m->cons += (uint64_t)ret;
	m->st_read += (uint64_t)ret;
}

/* A write's bytes that go in without sleeping: PIPE_BUF atomicity. */
static uint64_t mc_write_amount(struct mchan *m, uint64_t total)
{
	uint64_t room = m->cap - (m->prod - m->cons);

	if (total <= PIPE_BUF_SZ)
		return room >= total ? total : 0;
	return total < room ? total : room;
}

/*
 * write() of a mapped channel: EBADF on a read end, EBUSY while the
 * producer is mapped, EIO once the positions are out of range, EPIPE with
 * no reader; then a pipe's write into the room prod - cons leaves.  Out of
 * a data mapping of the ring itself, the bytes are nobody's.
 */
static void mc_write(struct ctx *c, struct mchan *m)
{
	struct rmap *src = NULL;
	struct iovplan v;
	struct ofd *o;
	uint64_t total, amount = 0, expect = 0;
	int fdi, fd, how, err, want_err = 0;
	bool blocking, rdrs, pulls = false, waits = false;
	bool sure = mc_certain(c, m);
	long ret;

	fdi = mc_pick_fd(c, m, false, !chance(&c->r, 8));
	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	total = choose_len(c);
	how = (int)below(&c->r, 3);
	if (chance(&c->r, 8))
		src = mc_map_of(c, m, RA_DATA, false, PROT_NONE);
	if (src) {
		plan_ring_buf(&v, src, total, src->prot != PROT_NONE);
	} else {
		plan_iov(c, &v, c->buf, total, how != IO_PLAIN, true);
		iov_fill(&v, m->key, m->prod + m->delta);
	}
	total = v.total;
	blocking = !o->nonblock && how != IO_NOWAIT;
	rdrs = mc_readers(m) > 0;

	want_err = mc_io_precheck(&v, total, how, o->wr, mc_owned(m, RA_PROD));
	if (want_err < 0) {
		want_err = 0;
		pulls = true;
		if (mc_in_range(m))
			amount = mc_write_amount(m, total);
		expect = amount < v.valid ? amount : v.valid;
		if (!mc_in_range(m) || m->broken)
			want_err = EIO;
		else if (!rdrs)
			want_err = EPIPE;
		else if (!amount)
			want_err = io_wait_errno(blocking,
						 o->opts.sndtimeo_ns, &waits);
		else if (!expect)
			want_err = EFAULT;
	}
	note_op(c, OP_MCHAN_IO, "write%s mapped fd=%d wr=%d len=%llu prod=%llu "
		"cons=%llu nb=%d ptr=%d valid=%llu ring=%d", io_name[how], fd,
		o->wr, (unsigned long long)total, (unsigned long long)m->prod,
		(unsigned long long)m->cons, o->nonblock, v.kind,
		(unsigned long long)v.valid, src != NULL);
	ret = chan_io(c, fd, &v, how, o, true, &err);
	check_errno(c, OP_MCHAN_IO, "write mapped", ret, err,
		    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, EBADF, EBUSY, EIO));
	if (waits && ret < 0)
		want_err = wait_result(c, o->opts.sndtimeo_ns, EAGAIN, err);
	if (nowait_contended(c, how, ret, err))
		return;
	if (pulls)
		mc_pull(m);
	/* A blocking write that did not all fit may have slept, or not. */
	if (blocking && pulls && !m->broken && amount < total &&
	    want_err != EPIPE && (m->prod_waiting & KIPC_RING_WAITING))
		m->prod_unknown |= KIPC_RING_WAITING;
	if (pulls && !m->broken && !rdrs && !sure) {
		/* A child may hold a copy of a read end. */
		if (ret > 0)
			mc_prod_moved(m, m->prod + ret, !src);
		if (ret > 0)
			m->st_written += (uint64_t)ret;
		return;
	}
	if (ret < 0 ? err != want_err : (want_err || (uint64_t)ret != expect)) {
		violation(c, "write of a mapped channel (wr %d, len %llu, prod "
			  "%llu cons %llu cap %llu broken %d, prod owned %d, "
			  "valid %llu): %ld %s, expected %llu %s", o->wr,
			  (unsigned long long)total, (unsigned long long)m->prod,
			  (unsigned long long)m->cons,
			  (unsigned long long)m->cap, m->broken,
			  mc_owned(m, RA_PROD), (unsigned long long)v.valid,
			  ret, ret < 0 ? strerror(err) : "",
			  (unsigned long long)expect,
			  want_err ? strerror(want_err) : "");
		mc_lost(c, m, fd);
		return;
	}
	if (ret <= 0)
		return;
	mc_prod_moved(m, m->prod + (uint64_t)ret, !src);
	m->st_written += (uint64_t)ret;
}

/*
 * KIPC_IOC_PEEK: the checks of read(), then bytes from @offset on without
 * consuming them; EAGAIN past the end while writers remain, 0 after.
 */
static void mc_peek(struct ctx *c, struct mchan *m)
{
	struct kipc_peek pk;
	struct argp a;
	struct ofd *o;
	uint64_t q = 0, n = 0, at;
	int fdi, fd, err, want = 0;
	bool junk = chance(&c->r, 4), pulls = false, sure = mc_certain(c, m);
	long ret;

	fdi = mc_pick_fd(c, m, !chance(&c->r, 8), false);
	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	memset(&pk, 0, sizeof(pk));
	pk.buf = (uintptr_t)c->vbuf;
	pk.len = choose_len(c);
	if (pk.len > IOBUF)
		pk.len = IOBUF;
	if (mc_in_range(m) && chance(&c->r, 50))
		pk.offset = below(&c->r, m->prod - m->cons + 16);
	if (junk)
		pk.__reserved[below(&c->r, 2)] = 1;
	a = arg_ptr(c, sizeof(pk), pick_ptr(c, 8));
	arg_commit(&a, &pk);
	if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
		want = EFAULT;
	} else if (junk) {
		want = EINVAL;
	} else if (!o->rd) {
		want = EBADF;
	} else if (mc_owned(m, RA_CONS)) {
		want = EBUSY;
	} else {
		pulls = true;
		q = m->prod - m->cons;
		if (!mc_in_range(m) || m->broken)
			want = EIO;
		else if (q <= pk.offset)
			want = mc_writers(m) ? EAGAIN : 0;
		else
			n = q - pk.offset < pk.len ? q - pk.offset : pk.len;
	}
	note_op(c, OP_MCHAN_IO, "peek mapped fd=%d len=%llu off=%llu prod=%llu "
		"cons=%llu ptr=%d", fd, (unsigned long long)pk.len,
		(unsigned long long)pk.offset, (unsigned long long)m->prod,
		(unsigned long long)m->cons, a.kind);
	ret = ioctl(fd, KIPC_IOC_PEEK, a.p);
	err = check_errno(c, OP_MCHAN_IO, "PEEK mapped", ret, errno,
			  ERRS(EFAULT, EINVAL, EBADF, EBUSY, EIO, EAGAIN,
			       EINTR));
	if (pulls)
		mc_pull(m);
	if (pulls && !m->broken && q <= pk.offset && !sure &&
	    (ret == 0 || err == EAGAIN))
		return;
	if (ret < 0 ? err != want : (want || (uint64_t)ret != n)) {
		violation(c, "PEEK of a mapped channel (len %llu off %llu, "
			  "prod %llu cons %llu): %ld %s, expected %llu %s",
			  (unsigned long long)pk.len,
			  (unsigned long long)pk.offset,
			  (unsigned long long)m->prod,
			  (unsigned long long)m->cons, ret,
			  ret < 0 ? strerror(err) : "", (unsigned long long)n,
			  want ? strerror(want) : "");
		mc_lost(c, m, fd);
		return;
	}
	if (ret > 0 && mc_bytes_differ(m, c->vbuf, m->cons + pk.offset,
				       (uint64_t)ret, &at))
		violation(c, "PEEK of a mapped channel: byte at position %llu "
			  "is %#x, the stream's is %#x",
			  (unsigned long long)(m->cons + pk.offset + at),
			  (uint8_t)c->vbuf[at],
			  gen_byte(m->key, m->cons + pk.offset + at + m->delta));
}

/*
 * F_GETFL is a pipe's (an end's own access mode, though every end may
 * map); O_NONBLOCK flips, O_DIRECT is refused (no packets in a ring).
 */
static void mc_fcntl(struct ctx *c, struct mchan *m)
{
	int fdi = mc_pick_fd(c, m, false, false), fd, fl, acc, ret;
	struct ofd *o;

	if (fdi < 0)
		return;
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	acc = o->rd && o->wr ? O_RDWR : o->rd ? O_RDONLY : O_WRONLY;
	fl = fcntl(fd, F_GETFL);
	note_op(c, OP_MCHAN_IO, "fcntl mapped fd=%d fl=%#x", fd, fl);
	if (fl < 0 || (fl & O_ACCMODE) != acc ||
	    !!(fl & O_NONBLOCK) != o->nonblock || (fl & O_DIRECT)) {
		violation(c, "F_GETFL of a mapped channel's %d: %#x, expected "
			  "access %d nonblock %d", fd, fl, acc, o->nonblock);
		return;
	}
	if (chance(&c->r, 50)) {
		ret = fcntl(fd, F_SETFL, fl | O_DIRECT);
		if (ret != -1 || errno != EINVAL)
			violation(c, "F_SETFL O_DIRECT on a mapped channel: "
				  "%d %s", ret, strerror(errno));
		return;
	}
	if (fcntl(fd, F_SETFL, fl ^ O_NONBLOCK)) {
		violation(c, "F_SETFL on a mapped channel: %s",
			  strerror(errno));
		return;
	}
	o->nonblock = !o->nonblock;
}

void op_mchan_io(struct ctx *c)
{
	struct mchan *m = mc_pick(c);

	if (!m) {
		op_mchan(c);
		return;
	}
	switch (below(&c->r, 25)) {
	case 0 ... 9:
		mc_read(c, m);
		return;
	case 10 ... 19:
		mc_write(c, m);
		return;
	case 20 ... 22:
		mc_peek(c, m);
		return;
	default:
		mc_fcntl(c, m);
		return;
	}
}
