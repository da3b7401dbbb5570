// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: shared names and keys, and untracked fds.
 *
 * Owns the objects no model can follow: named channels kfzr-0..3 and
 * region keys RACE_KEY+0..3, which every thread of every worker creates,
 * removes, opens and maps at once, and the fds and mappings they and the
 * fuzzed ioctls hand out.  Only errnos are checked here, and that a
 * mapping has all its pages (no SIGBUS): the point is the kernel's
 * locking and reference counts under races.
 */
#include "fuzz.h"

/* Keep @fd among the untracked; when full, one drawn at random goes. */
void ufd_add(struct ctx *c, int fd, enum ufd_kind kind)
{
	if (c->nufd == MAX_UFD) {
		int i = (int)below(&c->r, MAX_UFD);

		close(c->ufd[i].fd);
		c->ufd[i] = c->ufd[--c->nufd];
	}
	c->ufd[c->nufd++] = (struct ufd){ .fd = fd, .kind = kind };
}

/* The same for mappings of shared regions. */
static void umap_add(struct ctx *c, char *p, size_t len, bool writable)
{
	if (c->numap == MAX_UMAP) {
		int i = (int)below(&c->r, MAX_UMAP);

		munmap(c->umap[i].p, c->umap[i].len);
		c->umap[i] = c->umap[--c->numap];
	}
	c->umap[c->numap++] = (struct umap){ p, len, writable };
}

/*
 * KIPC_IOC_CHAN_OPEN of shared name @k with @flags, the wait bounded by
 * a timeout or by the timer, while other threads remove the name.
 */
static void race_open_by_name(struct ctx *c, unsigned int k, int flags)
{
	struct kipc_chan_open op;
	long ret;

	memset(&op, 0, sizeof(op));
	snprintf(op.name, sizeof(op.name), "kfzr-%u", k);
	op.flags = (uint32_t)flags;
	op.timeout_ns = chance(&c->r, 50) ? -1 :
			(int64_t)below(&c->r, SHORT_TIMEO_NS);
	note_op(c, OP_RACE_CHAN, "race CHAN_OPEN %s %#x timeout %lld", op.name,
		flags, (long long)op.timeout_ns);
	arm(c);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_OPEN, &op);
	disarm(c);
	if (ret) {
		check_errno(c, OP_RACE_CHAN, "race CHAN_OPEN", ret, errno,
			    ERRS(ENOENT, ENXIO, EINTR, ETIMEDOUT, ENOMEM,
				 EMFILE, ENFILE, EACCES));
		return;
	}
	ufd_add(c, op.fd, U_CHAN);
}

/*
 * Create, remove or open one of the shared names.  Opens are not always
 * O_NONBLOCK: a lone reader or writer then waits for its partner, until
 * the timer ends the wait, while other threads remove the name under it.
 */
void op_race_chan(struct ctx *c)
{
	struct kipc_chan_name n;
	char path[64];
	unsigned int k = (unsigned int)below(&c->r, RACE_NAMES);
	int fd, err, flags;
	long ret;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "kfzr-%u", k);
	switch (below(&c->r, 5)) {
	case 0:
		n.mode = 0666;
		n.capacity = chance(&c->r, 70) ? 0 : KIPC_CAPACITY_MIN +
			     below(&c->r, 32768);
		n.flags = chance(&c->r, 30) ? KIPC_CHAN_F_MESSAGE : 0;
		note_op(c, OP_RACE_CHAN, "race create %s flags %#x", n.name,
			n.flags);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
		check_errno(c, OP_RACE_CHAN, "race CHAN_CREATE", ret, errno,
			    ERRS(EEXIST, ENOSPC, ENOMEM, EPERM));
		return;
	case 1:
		note_op(c, OP_RACE_CHAN, "race remove %s", n.name);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		check_errno(c, OP_RACE_CHAN, "race CHAN_REMOVE", ret, errno,
			    ERRS(ENOENT, EPERM));
		return;
	default:
		break;
	}
	snprintf(path, sizeof(path), "/dev/kipc/kfzr-%u", k);
	flags = (int)below(&c->r, 3) | O_CLOEXEC;
	if (chance(&c->r, 80) || (flags & O_ACCMODE) != O_RDWR)
		flags |= O_NONBLOCK;
	if (chance(&c->r, 10))
		flags &= ~O_NONBLOCK;	/* waits: the timer ends it */
	if (chance(&c->r, 10))
		flags |= O_DIRECT;
	if (chance(&c->r, 30)) {
		race_open_by_name(c, k, flags);
		return;
	}
	note_op(c, OP_RACE_CHAN, "race open %s %#x", path, flags);
	arm(c);
	fd = open(path, flags);
	err = errno;
	disarm(c);
	if (fd < 0) {
		check_errno(c, OP_RACE_CHAN, "race open", fd, err,
			    ERRS(ENOENT, ENXIO, EINTR, ENOMEM, EMFILE, ENFILE,
				 EACCES));
		return;
	}
	ufd_add(c, fd, U_CHAN);
}

/*
 * Get one of the shared keys, then remove it, or open it and maybe map it
 * and touch every page, while other threads remove it under us.
 */
void op_race_shm(struct ctx *c)
{
	unsigned int k = (unsigned int)below(&c->r, RACE_NAMES);
	struct kipc_shm_get get;
	struct kipc_shm_open op;
	struct kipc_shm_id id;
	long ret;
	int err;

	memset(&get, 0, sizeof(get));
	get.key = RACE_KEY + k;
	get.size = PG * (1 + k);
	get.mode = 0666;
	get.flags = chance(&c->r, 70) ? KIPC_SHM_CREAT : 0;
	if (chance(&c->r, 20))
		get.flags |= KIPC_SHM_EXCL;
	note_op(c, OP_RACE_SHM, "race SHM_GET key %#llx flags %u",
		(unsigned long long)get.key, get.flags);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
	err = check_errno(c, OP_RACE_SHM, "race SHM_GET", ret, errno,
			  ERRS(ENOENT, EEXIST, ENOMEM, ENOSPC, ENFILE));
	if (ret)
		return;
	(void)err;
	switch (below(&c->r, 4)) {
	case 0:
		memset(&id, 0, sizeof(id));
		id.id = get.id;
		note_op(c, OP_RACE_SHM, "race SHM_RMID %d", get.id);
		ret = ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
		/* Another thread may have removed it and it is gone. */
		check_errno(c, OP_RACE_SHM, "race SHM_RMID", ret, errno,
			    ERRS(EINVAL, EPERM));
		return;
	default:
		memset(&op, 0, sizeof(op));
		op.id = get.id;
		op.flags = (chance(&c->r, 70) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
		note_op(c, OP_RACE_SHM, "race SHM_OPEN %d", get.id);
		ret = ioctl(c->ctl, KIPC_IOC_SHM_OPEN, &op);
		err = check_errno(c, OP_RACE_SHM, "race SHM_OPEN", ret, errno,
				  ERRS(EINVAL, ENOMEM, EMFILE, ENFILE));
		if (ret)
			return;
		ufd_add(c, op.fd, U_REGION);
		if (chance(&c->r, 60)) {
			bool w = (op.flags & O_ACCMODE) == O_RDWR &&
				 chance(&c->r, 70);
			char *p = mmap(NULL, get.size, PROT_READ |
				       (w ? PROT_WRITE : 0), MAP_SHARED, op.fd,
				       0);

			if (p == MAP_FAILED) {
				check_errno(c, OP_RACE_SHM, "race mmap", -1,
					    errno, ERRS(EPERM, ENOMEM));
				return;
			}
			/* The whole of it must be there: no SIGBUS. */
			for (size_t i = 0; i < get.size; i += PG) {
				if (w)
					p[i] = (char)k;
				else
					(void)*(volatile char *)(p + i);
			}
			umap_add(c, p, get.size, w);
		}
		return;
	}
}

/* ---------------------------------------------------------------- */
/* Untracked fds: anything goes, only the errnos are checked. */

/*
 * Untracked fds may be anything: a channel end of either direction, a
 * region, a FIFO with no partner.  So every call that may sleep runs
 * under the timer.
 */
static void ufd_io(struct ctx *c, struct ufd *u, bool wr)
{
	struct iovplan v;
	uint64_t len;
	bool vec;
	long ret;
	int err;

	/* Drawn in the order of the call they used to be the arguments of. */
	vec = chance(&c->r, 50);
	len = choose_len(c);
	plan_iov(c, &v, wr ? c->buf : c->vbuf, len, vec, true);
	if (wr)
		memset(c->buf, 'u', v.total < IOBUF ? v.total : IOBUF);
	note_op(c, OP_UFD, "ufd %s %d len %llu ptr %d", wr ? "write" : "read",
		u->fd, (unsigned long long)v.total, v.kind);
	arm(c);
	ret = wr ? writev(u->fd, v.iov, v.n) : readv(u->fd, v.iov, v.n);
	err = errno;
	disarm(c);
	/* EMSGSIZE: the fd may be a message channel's. */
	if (wr)
		check_errno(c, OP_UFD, "ufd write", ret, err,
			    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, EBADF, EINVAL,
				 ENOMEM, EMSGSIZE));
	else
		check_errno(c, OP_UFD, "ufd read", ret, err,
			    ERRS(EAGAIN, EFAULT, EINTR, EBADF, EINVAL,
				 EMSGSIZE));
}

/*
 * A channel or region ioctl on whatever the fd is: mostly plausible
 * arguments (a capacity, a wait timeout), sometimes a reserved byte set.
 */
static void ufd_ioctl(struct ctx *c, struct ufd *u)
{
	static const unsigned long cmds[] = {
		KIPC_IOC_GET_CAPACITY, KIPC_IOC_SET_CAPACITY,
		KIPC_IOC_CHAN_STATS, FIONREAD, KIPC_IOC_SHM_WAKE,
		KIPC_IOC_SHM_WAIT, KIPC_IOC_SHM_ADD_SEALS,
		KIPC_IOC_SHM_GET_SEALS,
	};
	unsigned long cmd = cmds[below(&c->r, 8)];
	struct argp a = arg_ptr(c, 64, pick_ptr(c, 20));
	char junk[64];
	long ret;
	int err;

	memset(junk, 0, sizeof(junk));
	if (cmd == KIPC_IOC_SET_CAPACITY) {
		uint64_t cap = choose_cap(c, false);

		/* Valid ones at most as big as tracked channels get. */
		if (cap > TRACKED_CAP_MAX && cap <= KIPC_CAPACITY_CEILING)
			cap = TRACKED_CAP_MAX;
		memcpy(junk, &cap, sizeof(cap));
	} else if (cmd == KIPC_IOC_SHM_WAIT) {
		int64_t t = (int64_t)below(&c->r, 3000000) - 1000;

		memcpy(junk + 8, &t, sizeof(t));
	} else {
		for (int j = 0; j < 8; j++)
			junk[j] = (char)rnd(&c->r);
	}
	if (chance(&c->r, 10))
		junk[16 + below(&c->r, 16)] = 1;
	arg_commit(&a, junk);
	note_op(c, OP_UFD, "ufd ioctl %d %#lx ptr %d", u->fd, cmd, a.kind);
	arm(c);
	ret = ioctl(u->fd, cmd, a.p);
	err = errno;
	disarm(c);
	check_errno(c, OP_UFD, "ufd ioctl", ret, err,
		    ERRS(EFAULT, EINVAL, ENOTTY, EPERM, EBUSY, ENOMEM,
			 ETIMEDOUT, EINTR));
}

/* A dup to keep, or a flag flipped under the other threads' calls. */
static void ufd_dup_fcntl(struct ctx *c, struct ufd *u)
{
	note_op(c, OP_UFD, "ufd dup/fcntl %d", u->fd);
	if (chance(&c->r, 50)) {
		int fd = dup(u->fd);

		if (fd >= 0)
			ufd_add(c, fd, u->kind);
	} else {
		int fl = fcntl(u->fd, F_GETFL);

		if (fl >= 0)
			fcntl(u->fd, F_SETFL, fl ^ (chance(&c->r, 50) ?
			      O_NONBLOCK : O_DIRECT));
	}
}

/* A region: map a few pages and read each (no SIGBUS), then unmap. */
static void ufd_mmap(struct ctx *c, struct ufd *u)
{
	size_t len = PG * (1 + below(&c->r, 4));
	int prot = PROT_READ | (chance(&c->r, 50) ? PROT_WRITE : 0);
	char *p;

	note_op(c, OP_UFD, "ufd mmap %d len %zu", u->fd, len);
	p = mmap(NULL, len, prot, MAP_SHARED, u->fd, PG * below(&c->r, 3));
	if (p == MAP_FAILED) {
		check_errno(c, OP_UFD, "ufd mmap", -1, errno,
			    ERRS(EINVAL, EACCES, EPERM, ENOMEM));
		return;
	}
	for (size_t j = 0; j < len; j += PG)
		(void)*(volatile char *)(p + j);
	munmap(p, len);
}

/* Anything else: splice out of it into the thread's pipe, then drain. */
static void ufd_splice(struct ctx *c, struct ufd *u)
{
	long ret;
	int err;

	note_op(c, OP_UFD, "ufd splice %d", u->fd);
	if (c->pipe_r < 0)
		return;
	/* The fd may block (SPLICE_F_NONBLOCK is the pipe's). */
	arm(c);
	ret = splice(u->fd, NULL, c->pipe_w, NULL, 1 + below(&c->r, 8192),
		     SPLICE_F_NONBLOCK);
	err = errno;
	disarm(c);
	check_errno(c, OP_UFD, "ufd splice", ret, err,
		    ERRS(EAGAIN, EINVAL, EBADF, EINTR, ENOMEM, EFAULT,
			 EMSGSIZE));
	while (read(c->pipe_r, c->vbuf, IOBUF) > 0)
		;
}

void op_ufd(struct ctx *c)
{
	struct pollfd pfd;
	struct ufd *u;
	long ret;
	int i;

	if (!c->nufd) {
		op_race_chan(c);
		return;
	}
	i = (int)below(&c->r, c->nufd);
	u = &c->ufd[i];
	switch (below(&c->r, 9)) {
	case 0:
		note_op(c, OP_UFD, "ufd close %d", u->fd);
		close(u->fd);
		*u = c->ufd[--c->nufd];
		return;
	case 1:
	case 2:
		ufd_io(c, u, true);
		return;
	case 3:
	case 4:
		ufd_io(c, u, false);
		return;
	case 5:
		pfd = (struct pollfd){ .fd = u->fd, .events = POLLIN | POLLOUT };
		note_op(c, OP_UFD, "ufd poll %d", u->fd);
		ret = poll(&pfd, 1, chance(&c->r, 90) ? 0 : 1);
		check_errno(c, OP_UFD, "ufd poll", ret, errno, ERRS(EINTR));
		return;
	case 6:
		ufd_ioctl(c, u);
		return;
	case 7:
		ufd_dup_fcntl(c, u);
		return;
	default:
		if (u->kind == U_REGION)
			ufd_mmap(c, u);
		else
			ufd_splice(c, u);
		return;
	}
}
