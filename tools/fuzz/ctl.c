// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: fuzzed ioctls.
 *
 * Owns the calls whose arguments are garbage on purpose: every control
 * ioctl with random arguments, flipped bits and bad pointers (an errno of
 * its documented set, or a success, checked and undone), and random
 * commands on every kind of fd (ENOTTY for all that are not kipc's).
 */
#include "fuzz.h"

/* ---------------------------------------------------------------- */
/* Control ioctls: garbage in, an errno of the set out. */

/*
 * A name for CHAN_CREATE, CHAN_REMOVE or CHAN_OPEN, and whether kipc must
 * accept it:
 * empty, "." and "..", "control" (the device's own node), the longest
 * valid one, one with no NUL, and kfzg-N names (shared by all threads, so
 * only their errnos are checked), some with a byte no name may hold.
 */
void random_name(struct ctx *c, char *name, bool *valid)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
				 "RSTUVWXYZ0123456789._-";
	size_t len;

	*valid = true;
	switch (below(&c->r, 12)) {
	case 0:
		strcpy(name, "");
		*valid = false;
		return;
	case 1:
		strcpy(name, chance(&c->r, 50) ? "." : "..");
		*valid = false;
		return;
	case 2:
		strcpy(name, "control");
		*valid = false;
		return;
	case 3:
		/* 255 valid chars: the longest name */
		memset(name, 'z', KIPC_NAME_MAX);
		memcpy(name, "kfzg-", 5);
		name[5] = ok[below(&c->r, sizeof(ok) - 1)];
		name[KIPC_NAME_MAX] = 0;
		return;
	case 4:
		/* no NUL at all */
		memset(name, 'k', KIPC_NAME_MAX + 1);
		*valid = false;
		return;
	default:
		break;
	}
	snprintf(name, 32, "kfzg-%u", (unsigned int)below(&c->r, 64));
	len = strlen(name);
	if (chance(&c->r, 30)) {
		static const char bad[] = "/\\ \t\n*?:\xe9\x80\xff~!@";
		/* The byte is drawn before the place: see fuzz.h. */
		char b = bad[below(&c->r, sizeof(bad) - 1)];

		name[below(&c->r, len + 1)] = b;
		name[len + 1] = 0;
		*valid = false;
		/* Either a bad byte went in, or it landed on the NUL. */
		for (size_t i = 0; name[i]; i++)
			if (!strchr(ok, name[i]))
				return;
		*valid = strcmp(name, "control") != 0;
	}
}

/* The control ioctls, and the errnos kipc(4) documents for each. */
enum {
	C_VERSION, C_CHAN_PAIR, C_CHAN_CREATE, C_CHAN_REMOVE, C_STATS,
	C_SHM_GET, C_SHM_OPEN, C_SHM_STAT, C_SHM_SET, C_SHM_RMID, C_SHM_LIST,
	C_CHAN_OPEN, NR_CTL_CMDS
};

static const struct {
	unsigned long cmd;
	const char *name;
	const int *errs;
} ctl_cmds[NR_CTL_CMDS] = {
	[C_VERSION] = { KIPC_IOC_VERSION, "VERSION", ERRS(EFAULT, EINVAL) },
	[C_CHAN_PAIR] = { KIPC_IOC_CHAN_PAIR, "CHAN_PAIR",
		ERRS(EFAULT, EINVAL, EPERM, ENOMEM, ENFILE, EMFILE) },
	[C_CHAN_CREATE] = { KIPC_IOC_CHAN_CREATE, "CHAN_CREATE",
		ERRS(EFAULT, EINVAL, EPERM, EEXIST, ENOSPC, ENOMEM) },
	[C_CHAN_REMOVE] = { KIPC_IOC_CHAN_REMOVE, "CHAN_REMOVE",
		ERRS(EFAULT, EINVAL, ENOENT, EPERM) },
	[C_STATS] = { KIPC_IOC_STATS, "STATS", ERRS(EFAULT) },
	[C_SHM_GET] = { KIPC_IOC_SHM_GET, "SHM_GET",
		ERRS(EFAULT, EINVAL, ENOENT, EEXIST, EACCES, ENOSPC, ENOMEM,
		     ENFILE) },
	[C_SHM_OPEN] = { KIPC_IOC_SHM_OPEN, "SHM_OPEN",
		ERRS(EFAULT, EINVAL, EACCES, ENOMEM, EMFILE, ENFILE) },
	[C_SHM_STAT] = { KIPC_IOC_SHM_STAT, "SHM_STAT",
		ERRS(EFAULT, EINVAL, EACCES) },
	[C_SHM_SET] = { KIPC_IOC_SHM_SET, "SHM_SET",
		ERRS(EFAULT, EINVAL, EPERM) },
	[C_SHM_RMID] = { KIPC_IOC_SHM_RMID, "SHM_RMID",
		ERRS(EFAULT, EINVAL, EPERM) },
	[C_SHM_LIST] = { KIPC_IOC_SHM_LIST, "SHM_LIST",
		ERRS(EFAULT, EINVAL, ENOMEM) },
	[C_CHAN_OPEN] = { KIPC_IOC_CHAN_OPEN, "CHAN_OPEN",
		ERRS(EFAULT, EINVAL, ENOENT, EACCES, ENXIO, ETIMEDOUT, EINTR,
		     ENOMEM, EMFILE, ENFILE) },
};

/* Room for the argument of any of them. */
union ctl_arg {
	struct kipc_version v;
	struct kipc_chan_pair p;
	struct kipc_chan_name n;
	struct kipc_stats st;
	struct kipc_shm_get g;
	struct kipc_shm_open o;
	struct kipc_shm_stat s;
	struct kipc_shm_set set;
	struct kipc_shm_id id;
	struct kipc_shm_list l;
	struct kipc_chan_open co;
	char raw[512];
};

/*
 * A plausible argument for @which, mostly near the valid, so that the
 * checks past the first one are reached too.
 */
static void ctl_fill(struct ctx *c, int which, union ctl_arg *u,
		     bool *name_valid)
{
	switch (which) {
	case C_CHAN_PAIR:
		u->p.flags = chance(&c->r, 70) ? (uint32_t)(rnd(&c->r) &
			(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) :
			(uint32_t)rnd(&c->r);
		u->p.capacity = choose_cap(c, false);
		break;
	case C_CHAN_CREATE:
	case C_CHAN_REMOVE:
		random_name(c, u->n.name, name_valid);
		u->n.mode = chance(&c->r, 80) ? 0600 : (uint32_t)rnd(&c->r);
		if (which == C_CHAN_REMOVE)
			u->n.mode = chance(&c->r, 90) ? 0 : 1;
		u->n.capacity = which == C_CHAN_CREATE ? choose_cap(c, false) :
				(chance(&c->r, 90) ? 0 : 4096);
		break;
	case C_SHM_GET:
		u->g.key = chance(&c->r, 50) ? KIPC_SHM_PRIVATE :
			   (int64_t)(RACE_KEY + 16 + below(&c->r, 4));
		u->g.size = chance(&c->r, 80) ? choose_size(c) : rnd(&c->r);
		u->g.flags = (uint32_t)below(&c->r, 8);
		u->g.mode = chance(&c->r, 80) ? 0600 :
			    (uint32_t)below(&c->r, 04000);
		break;
	case C_SHM_OPEN:
		u->o.id = (int32_t)(chance(&c->r, 50) ? below(&c->r, 64) :
				    rnd(&c->r));
		u->o.flags = chance(&c->r, 70) ? (uint32_t)below(&c->r, 3) :
			     (uint32_t)rnd(&c->r);
		break;
	case C_SHM_STAT:
		u->s.id = (int32_t)(chance(&c->r, 50) ? below(&c->r, 64) :
				    rnd(&c->r));
		break;
	case C_SHM_SET:
	case C_SHM_RMID:
		/* Never the ids of other threads' tracked regions. */
		u->set.id = chance(&c->r, 50) ? -1 - (int32_t)below(&c->r, 9) :
			    INT32_MAX - (int32_t)below(&c->r, 9);
		u->set.mode = (uint32_t)rnd(&c->r);
		break;
	case C_CHAN_OPEN:
		random_name(c, u->co.name, name_valid);
		u->co.flags = chance(&c->r, 70) ? (uint32_t)(rnd(&c->r) &
			(O_ACCMODE | O_CLOEXEC | O_NONBLOCK | O_DIRECT)) :
			(uint32_t)rnd(&c->r);
		u->co.timeout_ns = chance(&c->r, 70) ?
				   (int64_t)below(&c->r, SHORT_TIMEO_NS) :
				   (int64_t)rnd(&c->r);
		break;
	case C_SHM_LIST:
		u->l.ids = (uintptr_t)c->vbuf;
		u->l.nr_ids = (uint32_t)(chance(&c->r, 80) ?
					 below(&c->r, 100) : rnd(&c->r));
		if (u->l.nr_ids > 4096 && chance(&c->r, 80))
			u->l.nr_ids = 4096;
		break;
	default:
		break;
	}
}

/*
 * @which succeeded with @u: check what it gave back, and undo it, so that
 * the objects it made do not pile up (and tracked ones stay untouched).
 */
static void ctl_undo(struct ctx *c, int which, union ctl_arg *u,
		     bool name_valid, bool junk)
{
	switch (which) {
	case C_VERSION:
		if (u->v.abi != KIPC_ABI_VERSION)
			violation(c, "VERSION: abi %u", u->v.abi);
		break;
	case C_CHAN_PAIR:
		if (u->p.rfd < 0 || u->p.wfd < 0 || u->p.rfd == u->p.wfd)
			violation(c, "CHAN_PAIR fds %d %d", u->p.rfd, u->p.wfd);
		ufd_add(c, u->p.rfd, U_CHAN);
		ufd_add(c, u->p.wfd, U_CHAN);
		break;
	case C_CHAN_CREATE:
		if (!name_valid && !junk)
			violation(c, "CHAN_CREATE of invalid name succeeded");
		memset(&u->n.mode, 0, sizeof(u->n) - sizeof(u->n.name));
		u->n.name[KIPC_NAME_MAX] = 0;
		/* kfzg-* names are everyone's: another thread may have won. */
		if (ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &u->n) &&
		    errno != ENOENT)
			violation(c, "CHAN_REMOVE of what CHAN_CREATE made: %s",
				  strerror(errno));
		break;
	case C_SHM_GET: {
		struct kipc_shm_id id = { .id = u->g.id };

		/* Shared keys are the race ops' business. */
		if (u->g.key == KIPC_SHM_PRIVATE)
			ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
		break;
	}
	case C_SHM_OPEN:
		/* It may be another thread's region: do nothing with it. */
		close(u->o.fd);
		break;
	case C_CHAN_OPEN:
		if (!name_valid && !junk)
			violation(c, "CHAN_OPEN of an invalid name succeeded");
		close(u->co.fd);
		break;
	default:
		break;
	}
}

/* The commands whose success means the kernel wrote the argument back. */
static bool ctl_writes_back(int which)
{
	return which == C_VERSION || which == C_CHAN_PAIR ||
	       which == C_STATS || which == C_SHM_GET ||
	       which == C_SHM_OPEN || which == C_SHM_STAT ||
	       which == C_SHM_LIST || which == C_CHAN_OPEN;
}

/*
 * A control ioctl with a plausible argument, then maybe flipped bits or
 * random bytes (junk) and a bad pointer: the result must be an errno of
 * the command's set, EFAULT for what cannot be read, EINVAL for an
 * invalid name, and a success is undone.
 */
void op_ctl_fuzz(struct ctx *c)
{
	int which = (int)below(&c->r, NR_CTL_CMDS);
	size_t size = _IOC_SIZE(ctl_cmds[which].cmd);
	const char *name = ctl_cmds[which].name;
	bool name_valid = true, junk = false;
	union ctl_arg u;
	struct argp a;
	long ret;
	int err;

	memset(&u, 0, sizeof(u));
	ctl_fill(c, which, &u, &name_valid);
	/* Reserved fields and random bytes. */
	if (chance(&c->r, 15)) {
		/* The new bits are drawn before their place: see fuzz.h. */
		char flip = (char)(1 + below(&c->r, 255));

		junk = true;
		u.raw[size - 1 - below(&c->r, 16)] ^= flip;
	}
	if (chance(&c->r, 5)) {
		junk = true;
		for (size_t i = 0; i < size; i++)
			u.raw[i] = (char)rnd(&c->r);
	}
	/* Even junk must not name another thread's tracked region. */
	if (which == C_SHM_SET || which == C_SHM_RMID)
		u.set.id = -1 - (int32_t)below(&c->r, 9);
	a = arg_ptr(c, size, pick_ptr(c, 20));
	arg_commit(&a, &u);
	note_op(c, OP_CTL_FUZZ, "%s ptr=%d junk=%d name_valid=%d", name,
		a.kind, junk, name_valid);
	/* An open by name may wait for a partner, for as long as it says. */
	if (which == C_CHAN_OPEN)
		arm(c);
	ret = ioctl(c->ctl, ctl_cmds[which].cmd, a.p);
	err = ret ? errno : 0;
	if (which == C_CHAN_OPEN)
		disarm(c);
	err = check_errno(c, OP_CTL_FUZZ, name, ret, err,
			  ctl_cmds[which].errs);
	if ((ptr_faults_early(a.kind) || arg_in_faults(&a)) && err != EFAULT)
		violation(c, "%s with an unreadable argument (ptr %d, %zu of "
			  "%zu bytes): %ld %s", name, a.kind, a.valid, size,
			  ret, strerror(err));
	if (!junk && !name_valid &&
	    (which == C_CHAN_CREATE || which == C_CHAN_REMOVE ||
	     which == C_CHAN_OPEN) &&
	    !ptr_faults_early(a.kind) && !arg_in_faults(&a) && err != EINVAL)
		violation(c, "%s of an invalid name: %s", name,
			  err ? strerror(err) : "success");
	if (ret)
		return;
	if (arg_out_faults(&a)) {
		if (ctl_writes_back(which))
			violation(c, "%s succeeded with an output it could not"
				  " write (ptr %d)", name, a.kind);
		return;
	}
	arg_fetch(&a, &u);
	ctl_undo(c, which, &u, name_valid, junk);
}

/* ---------------------------------------------------------------- */
/* Unknown commands. */

/* Commands the VFS answers before any driver sees them. */
static bool generic_vfs_ioctl(unsigned long cmd)
{
	/* do_vfs_ioctl(): FIFREEZE, FS_IOC_*XATTR, FICLONE* and friends. */
	switch (_IOC_TYPE(cmd)) {
	case 'X':
	case 'f':
	case 0x94:
		return true;
	}
	switch (cmd) {
	case FIOCLEX: case FIONCLEX: case FIONBIO: case FIOASYNC:
	case FIOQSIZE: case FIGETBSZ: case FIONREAD:
		return true;
	}
	return false;
}

/* kipc's own commands, on any of its files. */
static bool kipc_cmd(unsigned long cmd)
{
	static const unsigned long all[] = {
		KIPC_IOC_VERSION, KIPC_IOC_CHAN_PAIR, KIPC_IOC_CHAN_CREATE,
		KIPC_IOC_CHAN_REMOVE, KIPC_IOC_SHM_GET, KIPC_IOC_SHM_OPEN,
		KIPC_IOC_SHM_STAT, KIPC_IOC_SHM_SET, KIPC_IOC_SHM_RMID,
		KIPC_IOC_SHM_LIST, KIPC_IOC_STATS, KIPC_IOC_GET_CAPACITY,
		KIPC_IOC_SET_CAPACITY, KIPC_IOC_CHAN_STATS, KIPC_IOC_PEEK,
		KIPC_IOC_SHM_WAKE, KIPC_IOC_SHM_WAIT, KIPC_IOC_SHM_ADD_SEALS,
		KIPC_IOC_SHM_GET_SEALS, KIPC_IOC_RING_INFO, KIPC_IOC_RING_WAIT,
		KIPC_IOC_RING_WAKE, KIPC_IOC_CHAN_OPEN, KIPC_IOC_GET_OPTS,
		KIPC_IOC_SET_OPTS, KIPC_IOC_MSG_SEND, KIPC_IOC_MSG_RECV,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] == cmd)
			return true;
	return false;
}

/*
 * Mostly commands of kipc's own magic, with every direction and size,
 * near the real ones: a handler must not take one of them for its own.
 */
static unsigned long random_cmd(struct ctx *c)
{
	unsigned int dir, nr, size;

	if (!chance(&c->r, 60))
		return (unsigned int)rnd(&c->r);
	/* In _IOC()'s order of its arguments, as before: see fuzz.h. */
	dir = (unsigned int)below(&c->r, 4);
	nr = (unsigned int)below(&c->r, 0x40);
	size = (unsigned int)below(&c->r, 600);
	return _IOC(dir, KIPC_IOC_MAGIC, nr, size);
}

/* A random command on a random fd: ENOTTY for all that are not kipc's. */
void op_rand_ioctl(struct ctx *c)
{
	unsigned long cmd;
	struct argp a;
	int fd, fdi, err;
	long ret;
	struct pchan *ch;
	struct preg *g;

	do
		cmd = random_cmd(c);
	while (kipc_cmd(cmd) || generic_vfs_ioctl(cmd));
	switch (below(&c->r, 3)) {
	case 0:
		fd = c->ctl;
		break;
	case 1:
		ch = ch_pick(c, false, false, &fdi);
		fd = ch ? ch->fds[fdi].fd : c->ctl;
		break;
	default:
		g = rg_pick(c, true);
		fd = g ? g->fds[0].fd : c->ctl;
		break;
	}
	a = arg_ptr(c, 600, pick_ptr(c, 30));
	if (a.valid)
		memset(c->arg, 0, sizeof(c->arg));
	note_op(c, OP_RAND_IOCTL, "ioctl fd=%d cmd=%#lx", fd, cmd);
	ret = ioctl(fd, cmd, a.p);
	err = ret ? errno : 0;
	check_errno(c, OP_RAND_IOCTL, "unknown ioctl", ret, err, ERRS(ENOTTY));
	if (err != ENOTTY)
		violation(c, "ioctl %#lx on fd %d: %ld %s, expected ENOTTY", cmd,
			  fd, ret, strerror(err));
}
