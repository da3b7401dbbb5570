// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: KIPC_IOC_CHAN_OPEN, a named channel opened by its name.
 *
 * Owns the opens by name: of the named channels a thread tracks (of
 * bytes, of messages, mapped), each then tracked as an open of its node
 * would be; of names of its own that no channel has (ENOENT); of names
 * no channel may have (EINVAL) and of names all threads race on.  Flags
 * valid and not, reserved fields, bad pointers, and timeouts: a wait for
 * a partner, by a FIFO's rules, ends with ETIMEDOUT after a timeout of 0
 * or more (at once for 0) and with the thread's timer for a negative one.
 * The fd is an anonymous inode with the access mode and flags asked for.
 */
#include "fuzz.h"

/* Flags CHAN_OPEN never takes: EINVAL. */
static const uint32_t bad_open_flags[] = {
	O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_NOCTTY, O_SYNC, O_PATH,
	0x80000000,
};

/* Most waits bounded, some at once, some only by the timer. */
static int64_t choose_open_timeo(struct ctx *c)
{
	switch (below(&c->r, 10)) {
	case 0 ... 1:
		return -1;
	case 2:
		return chance(&c->r, 50) ? INT64_MIN : -1 - (int64_t)rnd(&c->r) /
						       2;
	case 3 ... 4:
		return 0;
	case 5 ... 8:
		return 1 + (int64_t)below(&c->r, SHORT_TIMEO_NS);
	default:
		return chance(&c->r, 50) ? INT64_MAX :
		       1000000000LL * (1 + (int64_t)below(&c->r, 1000));
	}
}

/* What to open: a tracked channel, or a name nobody tracks. */
struct open_target {
	struct pchan *ch;
	struct mchan *m;
	bool known;		/* tracked, or a name that cannot exist */
	bool name_valid;
};

static void pick_target(struct ctx *c, struct open_target *t, char *name)
{
	memset(t, 0, sizeof(*t));
	t->name_valid = true;
	switch (below(&c->r, 10)) {
	case 0 ... 4:
		t->ch = ch_pick_named(c, CK_ANY);
		break;
	case 5 ... 6:
		t->m = mc_pick_named(c);
		break;
	case 7:
		break;
	default:
		random_name(c, name, &t->name_valid);
		t->known = !t->name_valid;
		return;
	}
	if (t->ch && t->ch->nfds < MAX_PFD)
		snprintf(name, KIPC_NAME_MAX + 1, "%s", t->ch->name);
	else if (t->m && mc_ofd_room(t->m))
		snprintf(name, KIPC_NAME_MAX + 1, "%s", t->m->name);
	else
		snprintf(name, KIPC_NAME_MAX + 1, "kfz-%d-%d-none%u",
			 (int)getpid(), c->t,
			 (unsigned int)below(&c->r, 1000));
	if (t->ch && t->ch->nfds == MAX_PFD)
		t->ch = NULL;
	if (t->m && !mc_ofd_room(t->m))
		t->m = NULL;
	t->known = true;
}

/*
 * An access mode that finds @t without a partner, if it lacks one: a
 * reader where no writer is, a writer where no reader is (a wait, or
 * ENXIO); else @acc.
 */
static int lonely_mode(const struct open_target *t, int acc)
{
	int r = t->ch ? ch_readers(t->ch) : t->m ? mc_readers(t->m) : 1;
	int w = t->ch ? ch_writers(t->ch) : t->m ? mc_writers(t->m) : 1;

	return !w ? O_RDONLY : !r ? O_WRONLY : acc;
}

/* The new fd is an end as asked: access mode, flags, an anonymous inode. */
static void check_open_fd(struct ctx *c, int fd, uint32_t flags)
{
	char link[64], path[64];
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	if (fl < 0 || (fl & O_ACCMODE) != (int)(flags & O_ACCMODE) ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK) ||
	    !!(fl & O_DIRECT) != !!(flags & O_DIRECT) ||
	    !!(fdfl & FD_CLOEXEC) != !!(flags & O_CLOEXEC) ||
	    strcmp(link, "anon_inode:[kipc]"))
		violation(c, "CHAN_OPEN fd %d: F_GETFL %#x F_GETFD %#x, %s; "
			  "asked %#x", fd, fl, fdfl, link, flags);
}

/*
 * The errno the open owes, past the argument's checks: ENOENT, EACCES,
 * ENXIO as an open of the node, but a mapped channel's O_DIRECT is
 * EINVAL before anything is counted, not after as the node's; where it
 * waits for a partner, the end of the wait (*@waits).
 */
static int open_errno(struct ctx *c, const struct open_target *t,
		      uint32_t flags, int64_t timeo, bool *waits)
{
	int want;

	if (t->ch)
		want = ch_open_errno(c, t->ch, (int)flags);
	else if (!t->m || t->m->removed)
		want = ENOENT;
	else if (flags & O_DIRECT)
		want = EINVAL;
	else
		want = mc_open_errno(c, t->m, (int)flags);
	*waits = want < 0;
	if (want >= 0)
		return want;
	return !timeo ? ETIMEDOUT : wait_end(timeo > 0 ? (uint64_t)timeo : 0,
					     ETIMEDOUT);
}

/*
 * The open got past a FIFO's rules with @fd (or @fd < 0: released at
 * once, its copy out having faulted): track it, or count what it did.
 */
static void open_done(struct ctx *c, const struct open_target *t, int fd,
		      uint32_t flags, bool fresh, bool sure)
{
	if (t->m) {
		mc_opened(t->m, fd, (int)flags, fresh, sure);
		return;
	}
	if (fd >= 0) {
		ch_opened(c, t->ch, fd, (int)flags);
		return;
	}
	/* Opened and closed: a writer was seen, a lone file's ring went. */
	if ((flags & O_ACCMODE) != O_RDONLY)
		t->ch->w_counter++;
}

void op_chan_open(struct ctx *c)
{
	struct kipc_chan_open op;
	struct open_target t;
	struct argp a;
	uint32_t flags;
	int64_t timeo;
	bool bad, checked, waits = false, sure, fresh, unsure = false;
	int want, err, low, acc;
	long ret;

	memset(&op, 0, sizeof(op));
	pick_target(c, &t, op.name);
	acc = below(&c->r, 16) ? (int)below(&c->r, 3) : O_ACCMODE;
	if (acc != O_ACCMODE && chance(&c->r, 40))
		acc = lonely_mode(&t, acc);
	flags = (uint32_t)acc | (chance(&c->r, 50) ? O_NONBLOCK : 0) |
		(chance(&c->r, 50) ? O_CLOEXEC : 0) |
		(chance(&c->r, 10) ? O_DIRECT : 0);
	bad = acc == O_ACCMODE || !t.name_valid;
	if (chance(&c->r, 4)) {
		flags |= bad_open_flags[below(&c->r, 8)];
		bad = true;
	}
	if (chance(&c->r, 3)) {
		op.__reserved[below(&c->r, 2)] = 1;
		bad = true;
	}
	timeo = choose_open_timeo(c);
	op.flags = flags;
	op.timeout_ns = timeo;
	op.fd = -1;
	a = arg_ptr(c, sizeof(op), pick_ptr(c, 6));
	arg_commit(&a, &op);
	sure = t.ch ? ch_certain(c, t.ch) : t.m ? mc_certain(c, t.m) : true;
	fresh = t.m && mc_all_gone(t.m);

	want = arg_errno(&a, bad);
	checked = !want;
	if (!checked) {
		t.known = true;
	} else {
		want = open_errno(c, &t, flags, timeo, &waits);
		/* A child's copy of a partner may still count. */
		unsure = !sure && (waits || want == ENXIO);
	}
	note_op(c, OP_CHAN_OPEN, "CHAN_OPEN %.40s flags=%#x timeout=%lld "
		"ptr=%d bad=%d (tracked %d, want %d)", op.name, flags,
		(long long)timeo, a.kind, bad, t.ch || t.m, want);
	low = c->t == 0 && opt_threads == 1 ? lowest_free_fd() : -1;
	arm_wait(c, timeo > 0 ? (uint64_t)timeo : 0);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_OPEN, a.p);
	err = ret ? errno : 0;
	disarm_wait(c);
	check_errno(c, OP_CHAN_OPEN, "CHAN_OPEN", ret, err,
		    ERRS(EFAULT, EINVAL, ENOENT, EACCES, ENXIO, ETIMEDOUT,
			 EINTR, ENOMEM, EMFILE, ENFILE));
	if (!ret && !arg_out_faults(&a))
		arg_fetch(&a, &op);
	else
		op.fd = -1;
	if (ret && low >= 0 && fd_open(low))
		violation(c, "CHAN_OPEN failed but fd %d appeared", low);
	if (err == ENOMEM || err == EMFILE || err == ENFILE)
		return;
	if (!t.known) {
		/* A name all threads race on: any answer of the set. */
		if (!ret)
			ufd_add(c, op.fd, U_CHAN);
		return;
	}
	if (waits && ret && err != EFAULT)
		want = !timeo ? want : wait_result(c, timeo > 0 ?
						   (uint64_t)timeo : 0,
						   ETIMEDOUT, err);
	if (unsure && !ret)
		want = 0;
	/* Open, then the copy of the fd out faulted: closed at once. */
	if (!want && a.kind == P_RDONLY)
		want = EFAULT;
	if (err != want) {
		violation(c, "CHAN_OPEN %s flags %#x timeout %lld (bad %d, ptr "
			  "%d, unpriv %d): %s, expected %s", op.name, flags,
			  (long long)timeo, bad, a.kind, c->unpriv,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		/* Not tracked, but a writer opened and closed: POLLHUP. */
		if (!ret) {
			close(op.fd);
			if (checked && (t.ch || t.m))
				open_done(c, &t, -1, flags, fresh, sure);
		}
		return;
	}
	if (!checked || (!t.ch && !t.m))
		return;
	if (!ret) {
		check_open_fd(c, op.fd, flags);
		open_done(c, &t, op.fd, flags, fresh, sure);
	} else if (waits) {
		/* A writer that waited was counted in w_counter. */
		if ((flags & O_ACCMODE) != O_WRONLY)
			return;
		if (t.ch)
			t.ch->w_counter++;
		else
			t.m->w_counter++;
	} else if (err == EFAULT) {
		/* Opened, then its fd could not be copied out. */
		open_done(c, &t, -1, flags, fresh, sure);
	}
}
