// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: module-wide queries, and readers of the objects.
 *
 * Owns SHM_LIST and STATS, checked for what must hold whatever the other
 * threads do (this thread's regions are listed, the counts are coherent),
 * and the readers of /proc/PID/fdinfo, the channels' sysfs attributes and
 * the debugfs table, which race with every change to what they show.
 */
#include "fuzz.h"

/*
 * SHM_LIST with a good or bad argument and a good or bad id array: every
 * region this thread tracks must be listed when the array was valid and
 * large enough.  Others' come and go: they are not checked.
 */
void op_shm_list(struct ctx *c)
{
	struct kipc_shm_list l;
	int32_t *ids = (int32_t *)c->vbuf;
	struct argp a;
	uint32_t nr = (uint32_t)below(&c->r, 300);
	enum ptr_kind ik = pick_ptr(c, 10);
	long ret;
	int err;

	memset(&l, 0, sizeof(l));
	l.nr_ids = nr;
	switch (ik) {
	case P_VALID:
	case P_MISALIGNED:
		l.ids = (uintptr_t)ids + (ik == P_MISALIGNED);
		break;
	case P_STRADDLE:
		l.ids = (uintptr_t)(c->rw_edge + PG - 8);
		break;
	case P_RDONLY:
		l.ids = (uintptr_t)c->ro;
		break;
	case P_KERNEL:
		l.ids = 0xffffffff81000000ULL;
		break;
	default:
		l.ids = 0;
		break;
	}
	if (chance(&c->r, 3))
		l.__reserved[0] = 1;
	a = arg_ptr(c, sizeof(l), pick_ptr(c, 5));
	arg_commit(&a, &l);
	note_op(c, OP_SHM_LIST, "SHM_LIST nr=%u ids-ptr=%d ptr=%d", nr, ik,
		a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_LIST, a.p);
	err = check_errno(c, OP_SHM_LIST, "SHM_LIST", ret, errno,
			  ERRS(EFAULT, EINVAL, ENOMEM));
	if (arg_unreadable(c, &a, "SHM_LIST", err) ||
	    arg_reserved(c, l.__reserved[0], "SHM_LIST", err))
		return;
	if (err || arg_out_faults(&a))
		return;
	arg_fetch(&a, &l);
	/* Our own regions (not removed) must all be there. */
	if (ik == P_VALID && l.count <= nr) {
		for (int i = 0; i < MAX_REG; i++) {
			struct preg *g = &c->rg[i];
			bool found = false;

			if (!g->used)
				continue;
			for (uint32_t j = 0; j < l.count; j++)
				found |= ids[j] == g->id;
			if (!found)
				violation(c, "SHM_LIST: region %d missing", g->id);
		}
	}
}

/*
 * STATS while everyone changes them: only relations that always hold
 * (named channels are channels, channels were created) can be checked.
 * Not bytes read against bytes written: what a mapped channel's producer
 * commits through its mapping read() counts, and write() never did.
 */
void op_stats(struct ctx *c)
{
	struct kipc_stats st;
	struct argp a = arg_ptr(c, sizeof(st), pick_ptr(c, 10));
	long ret;
	int err;

	note_op(c, OP_STATS, "STATS ptr=%d", a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_STATS, a.p);
	err = check_errno(c, OP_STATS, "STATS", ret, errno, ERRS(EFAULT));
	if (arg_unwritable(c, &a, "STATS", ret, err))
		return;
	arg_fetch(&a, &st);
	if (ret || st.named_chans > st.chans || st.chans > st.chans_created)
		violation(c, "STATS: chans %llu named %llu created %llu read "
			  "%llu written %llu", (unsigned long long)st.chans,
			  (unsigned long long)st.named_chans,
			  (unsigned long long)st.chans_created,
			  (unsigned long long)st.bytes_read,
			  (unsigned long long)st.bytes_written);
}


/*
 * fdinfo, sysfs attributes, the debugfs table: readers of the objects,
 * racing with the operations that change them.  Only a crash or a kernel
 * report can fail here.
 */
void op_proc(struct ctx *c)
{
	static const char *const attrs[] = {
		"queued", "capacity", "readers", "writers", "bytes_read",
		"bytes_written", "read_waits", "write_waits", "high_water",
		"messages", "kind",
	};
	const char *attr;
	char path[128];
	int fd, fdi;
	unsigned int k;
	struct pchan *ch;
	struct preg *g;

	switch (below(&c->r, 4)) {
	case 0:
		ch = ch_pick(c, false, false, &fdi);
		if (!ch)
			return;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 ch->fds[fdi].fd);
		break;
	case 1:
		g = rg_pick(c, true);
		if (!g)
			return;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 g->fds[0].fd);
		break;
	case 2:
		/* The attribute is drawn before the name: see fuzz.h. */
		attr = attrs[below(&c->r, sizeof(attrs) / sizeof(attrs[0]))];
		k = (unsigned int)below(&c->r, RACE_NAMES);
		snprintf(path, sizeof(path), "/sys/class/kipc/kfzr-%u/%s", k,
			 attr);
		break;
	default:
		snprintf(path, sizeof(path), "/sys/kernel/debug/kipc/shm");
		break;
	}
	note_op(c, OP_PROC, "read %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, c->vbuf, IOBUF) > 0)
		;
	close(fd);
}
