// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked channels, their life cycle.
 *
 * Owns the fds and open files of the channels a thread tracks: anonymous
 * pairs (CHAN_PAIR) and named channels (CHAN_CREATE), of bytes here and
 * of messages through chan-msg.c, opening /dev/kipc/NAME as a FIFO opens
 * (and what an open by name shares of it, chan-open.c), removing a name,
 * dup, fcntl, and closing, where the model learns that a ring and its
 * bytes, or messages, are gone.  Reading and writing are in chan-io.c,
 * poll and the ioctls in chan-ctl.c.
 */
#include "fuzz.h"

/* The lowest free fd now: after a failed call, nothing must be there. */
int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* ---------------------------------------------------------------- */
/* Slots, fds and open files. */

/* A new open file of @ch, with its first fd. */
static void ch_add_fd(struct pchan *ch, int fd, bool rd, bool wr,
		      bool nonblock, bool direct, unsigned int w_seen)
{
	int i;

	for (i = 0; i < MAX_PFD; i++)
		if (!ch->ofds[i].refs)
			break;
	ch->ofds[i] = (struct ofd){ .refs = 1, .rd = rd, .wr = wr,
				    .nonblock = nonblock, .direct = direct,
				    .w_seen = w_seen };
	ch->fds[ch->nfds++] = (struct pfd){ .fd = fd, .ofd = i };
}

static void ch_remove_name(struct ctx *c, struct pchan *ch);

/*
 * Close fd @i of @ch.  The last fd of an open file closes the open file,
 * unless a child holds a copy: then the kernel may still count it (a
 * ghost, see model.c).  The last fd of all frees the ring and its bytes.
 */
void ch_close_fd(struct ctx *c, struct pchan *ch, int i)
{
	struct pfd pf = ch->fds[i];

	if (close(pf.fd))
		violation(c, "close(%d) of a channel fd: %s", pf.fd,
			  strerror(errno));
	ch->fds[i] = ch->fds[--ch->nfds];
	if (!--ch->ofds[pf.ofd].refs) {
		/* After the close: a child forked later has no copy. */
		unsigned int epoch = atomic_load(&kids_gone_epoch);

		if (atomic_load(&kids_alive)) {
			ch->ghost = true;
			ch->ghost_epoch = epoch;
		}
	}
	if (!ch->nfds) {
		/*
		 * The ring goes with the last open file: a child's copies
		 * may keep it, and its bytes, alive.  Then stop tracking.
		 */
		if (ch->named && !ch->removed && !ch_certain(c, ch))
			ch_remove_name(c, ch);
		ch_ring_freed(ch);
		if (!ch->named || ch->removed)
			ch->used = false;
	}
}

/* CHAN_REMOVE of a tracked name: it is ours, so it must work. */
static void ch_remove_name(struct ctx *c, struct pchan *ch)
{
	struct kipc_chan_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", ch->name);
	if (ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n))
		violation(c, "CHAN_REMOVE %s: %s", ch->name, strerror(errno));
	ch->removed = true;
	if (!ch->nfds)
		ch->used = false;
}

/* Stop tracking @ch: close its fds, and remove its name. */
void ch_drop(struct ctx *c, struct pchan *ch)
{
	while (ch->nfds)
		ch_close_fd(c, ch, 0);
	if (ch->used && ch->named && !ch->removed)
		ch_remove_name(c, ch);
	ch->used = false;
}

/*
 * A free slot for a new channel; with none, one drawn at random is
 * dropped.  Each channel gets a new stream key, so that bytes of one
 * channel can never pass for another's.
 */
static struct pchan *ch_new_slot(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_PCHAN; i++)
		if (!c->ch[i].used)
			goto found;
	i = (int)below(&c->r, MAX_PCHAN);
	ch_drop(c, &c->ch[i]);
found:
	memset(&c->ch[i], 0, sizeof(c->ch[i]));
	c->ch[i].key = (uint32_t)rnd(&c->r);
	return &c->ch[i];
}

static bool ch_is(const struct pchan *ch, enum ch_kind kind)
{
	return kind == CK_ANY || ch->msg == (kind == CK_MSG);
}

/* An fd of @ch that can @want_rd / @want_wr, from a random start; or -1. */
static int ch_pick_fd(struct ctx *c, struct pchan *ch, bool want_rd,
		      bool want_wr)
{
	int j, n = ch->nfds, start;

	if (!n)
		return -1;
	start = (int)below(&c->r, n);
	for (j = 0; j < n; j++) {
		struct ofd *o = &ch->ofds[ch->fds[(start + j) % n].ofd];

		if ((!want_rd || o->rd) && (!want_wr || o->wr))
			return (start + j) % n;
	}
	return -1;
}

/* The same, as the fd in *@fd and its open file; NULL if none. */
struct ofd *ch_pick_end(struct ctx *c, struct pchan *ch, bool want_rd,
			bool want_wr, int *fd)
{
	int fdi = ch_pick_fd(c, ch, want_rd, want_wr);

	if (fdi < 0)
		return NULL;
	*fd = ch->fds[fdi].fd;
	return &ch->ofds[ch->fds[fdi].ofd];
}

/*
 * A tracked channel of @kind (bytes, messages or either) with an fd that
 * can @want_rd / @want_wr.
 */
struct pchan *ch_pick_kind(struct ctx *c, enum ch_kind kind, bool want_rd,
			   bool want_wr, int *fdi)
{
	int i, start = (int)below(&c->r, MAX_PCHAN);

	for (i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[(start + i) % MAX_PCHAN];

		if (!ch->used || !ch->nfds || !ch_is(ch, kind))
			continue;
		*fdi = ch_pick_fd(c, ch, want_rd, want_wr);
		if (*fdi >= 0)
			return ch;
	}
	return NULL;
}

struct pchan *ch_pick(struct ctx *c, bool want_rd, bool want_wr, int *fdi)
{
	return ch_pick_kind(c, CK_ANY, want_rd, want_wr, fdi);
}

/* A tracked named channel of @kind, removed or not, fds or not. */
struct pchan *ch_pick_named(struct ctx *c, enum ch_kind kind)
{
	int i, start = (int)below(&c->r, MAX_PCHAN);

	for (i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[(start + i) % MAX_PCHAN];

		if (ch->used && ch->named && ch_is(ch, kind))
			return ch;
	}
	return NULL;
}

/* Model against the kernel, for a violation's report. */
void ch_describe(struct ctx *c, struct pchan *ch, int fd)
{
	struct kipc_chan_stats st;
	char fds[64] = "";
	int n = 0;

	memset(&st, 0, sizeof(st));
	ioctl(fd, KIPC_IOC_CHAN_STATS, &st);
	for (int i = 0; i < ch->nfds && n < (int)sizeof(fds) - 8; i++)
		n += snprintf(fds + n, sizeof(fds) - n, " %d/%d%s%s",
			      ch->fds[i].fd, ch->fds[i].ofd,
			      ch->ofds[ch->fds[i].ofd].rd ? "r" : "",
			      ch->ofds[ch->fds[i].ofd].wr ? "w" : "");
	say("#   %schannel %s: fds%s; model q=%llu cap=%llu read=%llu "
	    "written=%llu r=%d w=%d msgs=%u; kernel q=%llu cap=%llu read=%llu "
	    "written=%llu r=%llu w=%llu msgs=%llu; kids=%d",
	    ch->msg ? "message " : "", ch->named ? ch->name : "(pair)", fds,
	    (unsigned long long)ch->queued, (unsigned long long)ch->cap,
	    (unsigned long long)ch->st_read, (unsigned long long)ch->st_written,
	    ch_readers(ch), ch_writers(ch), ch->mq.n,
	    (unsigned long long)st.queued, (unsigned long long)st.capacity,
	    (unsigned long long)st.bytes_read,
	    (unsigned long long)st.bytes_written,
	    (unsigned long long)st.readers, (unsigned long long)st.writers,
	    (unsigned long long)st.messages, atomic_load(&kids_alive));
	(void)c;
}

/* ---------------------------------------------------------------- */
/* Creating and opening. */

/* A new pair's flags: mostly non-blocking, as a wait costs 10 ms. */
static const struct maybe_bit pair_flags[] = {
	{ 75, O_NONBLOCK }, { 50, O_CLOEXEC }, { 30, O_DIRECT },
};

/*
 * CHAN_PAIR with @flags and @cap, for operation @k: the errno @want, or
 * two fds with the flags asked for, tracked in a new slot (a message
 * channel with KIPC_CHAN_F_MESSAGE).  With one thread, a failure must
 * leave no fd behind either.
 */
void ch_pair(struct ctx *c, enum op_kind k, uint32_t flags, uint64_t cap,
	     int want)
{
	struct kipc_chan_pair p;
	struct pchan *ch;
	int err, low, fl;
	long ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.capacity = cap;
	ch = ch_new_slot(c);
	low = c->t == 0 && opt_threads == 1 ? lowest_free_fd() : -1;
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_PAIR, &p);
	err = check_errno(c, k, "CHAN_PAIR", ret, errno,
			  ERRS(EINVAL, EPERM, ENOMEM, ENFILE, EMFILE));
	if (ret < 0) {
		if (want && err != want)
			violation(c, "CHAN_PAIR flags=%#x cap=%llu: %s, "
				  "expected %s", flags,
				  (unsigned long long)cap, strerror(err),
				  strerror(want));
		else if (!want && (err == EINVAL || err == EPERM))
			violation(c, "CHAN_PAIR flags=%#x cap=%llu: %s",
				  flags, (unsigned long long)cap,
				  strerror(err));
		if (low >= 0 && fd_open(low))
			violation(c, "CHAN_PAIR failed but fd %d appeared",
				  low);
		return;
	}
	if (ret != 0 || want) {
		violation(c, "CHAN_PAIR flags=%#x cap=%llu returned %ld, "
			  "expected %s", flags, (unsigned long long)cap, ret,
			  want ? strerror(want) : "0");
		if (p.rfd >= 0)
			close(p.rfd);
		if (p.wfd >= 0)
			close(p.wfd);
		return;
	}
	fl = fcntl(p.rfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_RDONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK))
		violation(c, "CHAN_PAIR read end: flags %#x (asked %#x)", fl,
			  flags);
	fl = fcntl(p.wfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK) ||
	    !!(fl & O_DIRECT) != !!(flags & O_DIRECT))
		violation(c, "CHAN_PAIR write end: flags %#x (asked %#x)", fl,
			  flags);
	if (!!(fcntl(p.wfd, F_GETFD) & FD_CLOEXEC) != !!(flags & O_CLOEXEC))
		violation(c, "CHAN_PAIR: FD_CLOEXEC not as asked");
	ch->used = true;
	ch->msg = flags & KIPC_CHAN_F_MESSAGE;
	ch->cap = cap ? cap : default_cap();
	ch->w_counter = 1;
	ch_add_fd(ch, p.rfd, true, false, flags & O_NONBLOCK, false, 0);
	ch_add_fd(ch, p.wfd, false, true, flags & O_NONBLOCK,
		  flags & O_DIRECT, 0);
}

/*
 * CHAN_PAIR, the pipe2() of kipc: with a capacity (0, the default, most
 * often), the errno cap_errno() predicts, or two fds with the flags asked
 * for.
 */
void op_pair(struct ctx *c)
{
	uint32_t flags = draw_bits(c, pair_flags, 3);
	uint64_t cap = choose_cap(c, true);

	note_op(c, OP_PAIR, "pair flags=%#x cap=%llu", flags,
		(unsigned long long)cap);
	ch_pair(c, OP_PAIR, flags, cap, cap ? cap_errno(c, cap, 0) : 0);
}

/* fifo_open_errno() of tracked named channel @ch. */
int ch_open_errno(struct ctx *c, struct pchan *ch, int flags)
{
	return fifo_open_errno(c, ch->removed, ch->mode, false, ch_readers(ch),
			       ch_writers(ch), flags);
}

/*
 * @fd is a new open file of @ch, opened with @flags (by its node or by
 * KIPC_IOC_CHAN_OPEN): the first one has a fresh ring, a writer is one
 * more for POLLHUP.
 */
void ch_opened(struct ctx *c, struct pchan *ch, int fd, int flags)
{
	int mode = flags & O_ACCMODE;
	unsigned int w_seen = 0;

	if (!ch->nfds)
		ch_ring_freed(ch);	/* a fresh ring */
	if (mode != O_RDONLY)
		ch->w_counter++;
	/* A non-blocking reader with no writer: no POLLHUP until one. */
	if (mode == O_RDONLY && !ch_writers(ch))
		w_seen = ch->w_counter;
	ch_add_fd(ch, fd, mode != O_WRONLY, mode != O_RDONLY,
		  flags & O_NONBLOCK, flags & O_DIRECT, w_seen);
	/*
	 * A child's copy of a writer the model has closed still counts: the
	 * kernel then saw a writer and will report POLLHUP once the child is
	 * gone (a FIFO does the same), so this reader's POLLHUP is unknown.
	 */
	if (mode == O_RDONLY && !ch_writers(ch) && !ch_certain(c, ch))
		ch->ofds[ch->fds[ch->nfds - 1].ofd].w_seen_unknown = true;
}

/* Open /dev/kipc/NAME of a tracked named channel, never blocking. */
void ch_named_open(struct ctx *c, struct pchan *ch)
{
	char path[96];
	int mode, flags, fd, err, want;
	bool direct = chance(&c->r, 20);
	bool nonblock = chance(&c->r, 80);

	if (ch->nfds == MAX_PFD)
		return;
	mode = (int)below(&c->r, 3);
	if (mode == O_WRONLY && !ch_readers(ch) && chance(&c->r, 70))
		mode = O_RDONLY;
	/* A lone reader or writer would wait for its partner. */
	if (mode != O_RDWR)
		nonblock = true;
	flags = mode | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0) |
		(direct ? O_DIRECT : 0);
	want = ch_open_errno(c, ch, flags);
	snprintf(path, sizeof(path), "/dev/kipc/%s", ch->name);
	note_op(c, OP_NAMED_OPEN, "open %s flags=%#x", path, flags);
	fd = open(path, flags);
	err = check_errno(c, OP_NAMED_OPEN, "open named", fd, errno,
			  ERRS(ENXIO, ENOMEM, ENOENT, EMFILE, ENFILE, EACCES));
	if (err == ENOMEM || err == EMFILE || err == ENFILE)
		return;
	/* A child's copy of a reader may still count for the kernel. */
	if (want == ENXIO && !ch_certain(c, ch) && !err)
		want = 0;
	if (err != want) {
		violation(c, "open %s flags %#x (mode %o, unpriv %d, readers "
			  "%d, removed %d): %s, expected %s", path, flags,
			  ch->mode, c->unpriv, ch_readers(ch), ch->removed,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd >= 0)
		ch_opened(c, ch, fd, flags);
}

/*
 * CHAN_CREATE, for operation @k, of a name of this thread's own
 * (kfz-PID-T-N) with @flags (KIPC_CHAN_F_MESSAGE, or nothing) and @mode:
 * EINVAL for @bad_flags, else the errno of the capacity; then an open or
 * two.  Creating it again must be EEXIST.
 */
void ch_create(struct ctx *c, enum op_kind k, uint32_t flags,
	       unsigned int mode, bool bad_flags)
{
	struct kipc_chan_name n;
	struct pchan *ch;
	int want, err;
	long ret;

	ch = ch_new_slot(c);
	memset(&n, 0, sizeof(n));
	snprintf(ch->name, sizeof(ch->name), "kfz-%d-%d-%u", (int)getpid(),
		 c->t, c->seq++);
	snprintf(n.name, sizeof(n.name), "%s", ch->name);
	n.mode = mode;
	n.flags = flags;
	n.capacity = choose_cap(c, true);
	want = bad_flags ? EINVAL :
	       n.capacity ? cap_errno(c, n.capacity, 0) : 0;
	note_op(c, k, "create %s cap=%llu flags=%#x mode=%o", n.name,
		(unsigned long long)n.capacity, flags, mode);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
	err = check_errno(c, k, "CHAN_CREATE", ret, errno,
			  ERRS(EINVAL, EPERM, ENOSPC, ENOMEM));
	if (ret < 0) {
		if (err != want && err != ENOSPC && err != ENOMEM)
			violation(c, "CHAN_CREATE %s flags=%#x cap=%llu: %s, "
				  "expected %s", n.name, flags,
				  (unsigned long long)n.capacity,
				  strerror(err), want ? strerror(want) : "0");
		return;
	}
	if (want) {
		violation(c, "CHAN_CREATE flags=%#x cap=%llu succeeded, "
			  "expected %s", flags, (unsigned long long)n.capacity,
			  strerror(want));
		memset(&n.mode, 0, sizeof(n) - sizeof(n.name));
		ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		return;
	}
	ch->used = true;
	ch->named = true;
	ch->msg = flags & KIPC_CHAN_F_MESSAGE;
	ch->mode = mode;
	ch->cap = n.capacity ? n.capacity : default_cap();
	/* Same name again: EEXIST. */
	if (chance(&c->r, 10)) {
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
		if (ret != -1 || errno != EEXIST)
			violation(c, "CHAN_CREATE of an existing name: %ld %s",
				  ret, strerror(errno));
	}
	ch_named_open(c, ch);
	ch_named_open(c, ch);
}

void op_named(struct ctx *c)
{
	ch_create(c, OP_NAMED, 0, 0600, false);
}

/* Another open of a tracked named channel, or a new one if none. */
void op_named_open(struct ctx *c)
{
	struct pchan *ch = ch_pick_named(c, CK_ANY);

	if (ch)
		ch_named_open(c, ch);
	else
		op_named(c);
}

/*
 * Remove a tracked name: open files keep the channel, as an unlinked FIFO
 * lives on; a second removal is ENOENT.
 */
void op_named_remove(struct ctx *c)
{
	struct pchan *ch = ch_pick_named(c, CK_ANY);
	struct kipc_chan_name n;
	long ret;

	if (!ch)
		return;
	note_op(c, OP_NAMED_REMOVE, "remove %s (removed=%d)", ch->name,
		ch->removed);
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", ch->name);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
	if (ch->removed) {
		if (ret != -1 || errno != ENOENT)
			violation(c, "second CHAN_REMOVE %s: %ld %s", n.name,
				  ret, strerror(errno));
	} else if (ret) {
		violation(c, "CHAN_REMOVE %s: %s", n.name, strerror(errno));
	}
	ch->removed = true;
	if (!ch->nfds)
		ch->used = false;
}

/* ---------------------------------------------------------------- */
/* Duplicating, and changing the flags of an open file. */

/* A dup shares the open file: it changes no count the model keeps. */
void op_dup(struct ctx *c)
{
	struct pchan *ch;
	int fdi, fd;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch || ch->nfds == MAX_PFD)
		return;
	note_op(c, OP_DUP, "dup %d", ch->fds[fdi].fd);
	fd = chance(&c->r, 50) ? dup(ch->fds[fdi].fd) :
	     fcntl(ch->fds[fdi].fd, F_DUPFD_CLOEXEC, 3 + below(&c->r, 200));
	if (fd < 0) {
		check_errno(c, OP_DUP, "dup", fd, errno, ERRS(EMFILE, EINVAL));
		return;
	}
	ch->ofds[ch->fds[fdi].ofd].refs++;
	ch->fds[ch->nfds++] = (struct pfd){ .fd = fd, .ofd = ch->fds[fdi].ofd };
}

/*
 * F_GETFL must show the model's flags; then flip O_NONBLOCK, O_DIRECT
 * (packet mode, mixing packets with bytes) or O_ASYNC, or try
 * F_SETPIPE_SZ, which is the pipe's and not kipc's: EBADF.
 */
void op_fcntl(struct ctx *c)
{
	struct pchan *ch;
	struct ofd *o;
	int fdi, fd, fl, nfl, ret;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch)
		return;
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	fl = fcntl(fd, F_GETFL);
	note_op(c, OP_FCNTL, "fcntl fd=%d fl=%#x", fd, fl);
	if (fl < 0 || !!(fl & O_NONBLOCK) != o->nonblock ||
	    !!(fl & O_DIRECT) != o->direct) {
		violation(c, "F_GETFL %d: %#x, model nonblock=%d direct=%d",
			  fd, fl, o->nonblock, o->direct);
		return;
	}
	switch (below(&c->r, 4)) {
	case 0:
		nfl = fl ^ O_NONBLOCK;
		break;
	case 1:
		/* Packet mode on the fly: mixes packets with bytes. */
		nfl = fl ^ O_DIRECT;
		break;
	case 2:
		ret = fcntl(fd, F_SETPIPE_SZ, 1 << 16);
		if (ret != -1 || errno != EBADF)
			violation(c, "F_SETPIPE_SZ on a kipc fd: %d %s", ret,
				  strerror(errno));
		return;
	default:
		/* O_ASYNC: SIGIO is ignored, fasync still runs. */
		nfl = fl ^ O_ASYNC;
		if (!(fl & O_ASYNC))
			fcntl(fd, F_SETOWN, getpid());
		break;
	}
	ret = fcntl(fd, F_SETFL, nfl);
	if (ret) {
		violation(c, "F_SETFL %#x on %d: %s", nfl, fd,
			  strerror(errno));
		return;
	}
	o->nonblock = nfl & O_NONBLOCK;
	o->direct = nfl & O_DIRECT;
}
