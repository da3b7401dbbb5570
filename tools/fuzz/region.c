// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked regions, their life cycle.
 *
 * Owns the regions a thread tracks, System V style: SHM_GET (new keys,
 * private ones, and its own keys looked up again), SHM_OPEN for fds,
 * SHM_STAT held to the model, SHM_SET and SHM_RMID.  A removed region
 * lives on while an fd or a mapping holds it, as a removed shm segment
 * does.  Mappings are in region-map.c, the doorbell and seals in
 * region-fd.c.
 */
#include "fuzz.h"

/* A key of this thread's own: no other thread or worker can race on it. */
static int64_t reg_key(struct ctx *c)
{
	return ((int64_t)getpid() << 24) | ((int64_t)c->t << 16) |
	       (c->seq++ & 0xffff);
}

/* A tracked region, from a random start; with an fd if @with_fd. */
struct preg *rg_pick(struct ctx *c, bool with_fd)
{
	int i, start = (int)below(&c->r, MAX_REG);

	for (i = 0; i < MAX_REG; i++) {
		struct preg *g = &c->rg[(start + i) % MAX_REG];

		if (g->used && (!with_fd || g->nfds))
			return g;
	}
	return NULL;
}

static void rg_unmap_all(struct ctx *c, struct preg *g)
{
	while (g->nvma) {
		struct vma *m = &g->vmas[--g->nvma];

		if (munmap((void *)m->start, m->len))
			violation(c, "munmap: %s", strerror(errno));
	}
}

/* Stop tracking @g: unmap, close, and remove it if nobody did. */
void rg_drop(struct ctx *c, struct preg *g)
{
	struct kipc_shm_id id;

	rg_unmap_all(c, g);
	while (g->nfds)
		close(g->fds[--g->nfds].fd);
	if (!g->removed) {
		memset(&id, 0, sizeof(id));
		id.id = g->id;
		if (ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id))
			violation(c, "SHM_RMID %d: %s", g->id, strerror(errno));
	}
	g->used = false;
}

/*
 * SHM_OPEN: an fd on @g, read-write or read-only.  Like shmat() after
 * IPC_RMID, it works while the region is still held (an fd, a mapping);
 * once it is not, the id is gone.
 */
static void rg_open_fd(struct ctx *c, struct preg *g, bool rw)
{
	struct kipc_shm_open op;
	long ret;
	int err;

	if (g->nfds == MAX_RFD)
		return;
	memset(&op, 0, sizeof(op));
	op.id = g->id;
	op.flags = (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	ret = ioctl(c->ctl, KIPC_IOC_SHM_OPEN, &op);
	err = check_errno(c, OP_SHM_OPEN, "SHM_OPEN", ret, errno,
			  ERRS(ENOMEM, EMFILE, ENFILE, EINVAL));
	if (ret < 0) {
		/* A removed region with nothing left is gone: EINVAL. */
		if (err == EINVAL && !(g->removed && !g->nfds && !g->nvma))
			violation(c, "SHM_OPEN %d: EINVAL", g->id);
		return;
	}
	if (g->removed && !g->nfds && !g->nvma && certain(c))
		violation(c, "SHM_OPEN %d: a removed region with no fd and no "
			  "mapping still opens", g->id);
	g->fds[g->nfds++] = (struct rfd){ .fd = op.fd, .rw = rw,
					  .bell_seen = g->bell };
}

/*
 * SHM_GET of a key this thread already holds: the same id, EEXIST with
 * CREAT|EXCL, EINVAL for a size larger than the region's.
 */
static void shm_get_existing(struct ctx *c, struct preg *g)
{
	struct kipc_shm_get get;
	int err, want;
	long ret;

	memset(&get, 0, sizeof(get));
	get.key = g->key;
	get.size = below(&c->r, g->size + 2);
	get.flags = (uint32_t)below(&c->r, 4);
	note_op(c, OP_SHM_GET, "SHM_GET existing key=%lld size=%llu flags=%u",
		(long long)get.key, (unsigned long long)get.size, get.flags);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
	err = ret ? errno : 0;
	if (get.flags == (KIPC_SHM_CREAT | KIPC_SHM_EXCL))
		want = EEXIST;
	else if (get.size > g->size)
		want = EINVAL;
	else
		want = 0;
	if (err != want || (!ret && get.id != g->id))
		violation(c, "SHM_GET existing key %lld size %llu flags %u: %s "
			  "id %d, expected %s id %d", (long long)get.key,
			  (unsigned long long)get.size, get.flags,
			  strerror(err), get.id, strerror(want), g->id);
}

/*
 * A new region in a free slot; with none free, a slot drawn at random,
 * whose region is sometimes looked up again instead of dropped.
 */
void op_shm_get(struct ctx *c)
{
	struct kipc_shm_get get;
	struct preg *g;
	long ret;
	int i;

	for (i = 0; i < MAX_REG; i++)
		if (!c->rg[i].used)
			break;
	if (i == MAX_REG) {
		g = &c->rg[below(&c->r, MAX_REG)];
		if (!g->removed && g->key != KIPC_SHM_PRIVATE &&
		    chance(&c->r, 50)) {
			shm_get_existing(c, g);
			return;
		}
		rg_drop(c, g);
		i = (int)(g - c->rg);
	}
	g = &c->rg[i];
	memset(g, 0, sizeof(*g));
	memset(&get, 0, sizeof(get));
	get.key = chance(&c->r, 50) ? KIPC_SHM_PRIVATE : reg_key(c);
	get.size = choose_size(c);
	get.flags = KIPC_SHM_CREAT | (chance(&c->r, 50) ? KIPC_SHM_EXCL : 0);
	get.mode = chance(&c->r, 80) ? 0600 : (uint32_t)below(&c->r, 01000);
	/* Without CAP_IPC_OWNER the owner needs its own bits. */
	if (c->unpriv)
		get.mode |= 0600;
	note_op(c, OP_SHM_GET, "SHM_GET key=%lld size=%llu mode=%o",
		(long long)get.key, (unsigned long long)get.size, get.mode);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
	check_errno(c, OP_SHM_GET, "SHM_GET", ret, errno,
		    ERRS(ENOMEM, ENOSPC, ENFILE));
	if (ret < 0)
		return;
	if (ret || get.id < 0) {
		violation(c, "SHM_GET: %ld id %d", ret, get.id);
		return;
	}
	g->used = true;
	g->id = get.id;
	g->key = get.key;
	g->size = get.size;
	g->pages = (get.size + PG - 1) / PG;
	g->mode = get.mode;
	rg_open_fd(c, g, true);
	if (chance(&c->r, 30))
		rg_open_fd(c, g, false);
}

/* Another fd on a tracked region, or, with all slots taken, one fewer. */
void op_shm_open(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);

	if (!g) {
		op_shm_get(c);
		return;
	}
	note_op(c, OP_SHM_OPEN, "SHM_OPEN id=%d removed=%d", g->id,
		g->removed);
	if (g->nfds == MAX_RFD) {
		struct rfd *f = &g->fds[below(&c->r, g->nfds)];

		close(f->fd);
		*f = g->fds[--g->nfds];
		rg_maybe_gone(g);
		return;
	}
	rg_open_fd(c, g, chance(&c->r, 70));
	rg_maybe_gone(g);
}

/*
 * Everything SHM_STAT says of a region is the model's: size, mode (with
 * SHM_DEST once removed), key (private once removed, as IPC_RMID does),
 * seals, doorbell, creator; and nattch, while no child may hold copies of
 * the thread's mappings.
 */
void op_shm_stat(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_stat st;
	struct argp a;
	long ret;
	int err;

	if (!g) {
		op_shm_get(c);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.id = g->id;
	if (chance(&c->r, 4))
		st.__reserved[below(&c->r, 2)] = 1;
	a = arg_ptr(c, sizeof(st), pick_ptr(c, 8));
	arg_commit(&a, &st);
	note_op(c, OP_SHM_STAT, "SHM_STAT id=%d ptr=%d", g->id, a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_STAT, a.p);
	err = check_errno(c, OP_SHM_STAT, "SHM_STAT", ret, errno,
			  ERRS(EFAULT, EINVAL));
	if (ptr_faults_early(a.kind) || arg_in_faults(&a) ||
	    arg_out_faults(&a)) {
		if (err != EFAULT && !(err == EINVAL && !arg_in_faults(&a) &&
				       !ptr_faults_early(a.kind)))
			violation(c, "SHM_STAT ptr %d: %ld %s", a.kind, ret,
				  strerror(err));
		return;
	}
	if (st.__reserved[0] || st.__reserved[1]) {
		if (err != EINVAL)
			violation(c, "SHM_STAT with reserved set: %ld", ret);
		return;
	}
	if (err) {
		violation(c, "SHM_STAT %d: %s", g->id, strerror(err));
		return;
	}
	arg_fetch(&a, &st);
	if (st.id != g->id || st.size != g->size ||
	    st.mode != (g->mode | (g->removed ? KIPC_SHM_DEST : 0)) ||
	    st.key != (g->removed ? KIPC_SHM_PRIVATE : g->key) ||
	    st.seals != g->seals || st.doorbell != g->bell ||
	    st.cpid != getpid() || st.__reserved0 || st.__reserved[0])
		violation(c, "SHM_STAT %d: size %llu mode %o key %lld seals %#x"
			  " bell %llu cpid %d; expected %llu %o %lld %#x %llu "
			  "%d", g->id, (unsigned long long)st.size, st.mode,
			  (long long)st.key, st.seals,
			  (unsigned long long)st.doorbell, st.cpid,
			  (unsigned long long)g->size,
			  g->mode | (g->removed ? KIPC_SHM_DEST : 0),
			  (long long)(g->removed ? 0 : g->key), g->seals,
			  (unsigned long long)g->bell, (int)getpid());
	/* No child existed around the call: the mappings are ours. */
	if (certain(c) && st.nattch != (uint64_t)g->nvma)
		violation(c, "SHM_STAT %d: nattch %llu, this thread has %d "
			  "mappings of it", g->id,
			  (unsigned long long)st.nattch, g->nvma);
}

/*
 * New mode bits for a tracked region, as its owner; or an invalid
 * request (a bit past 0777, uid -1, a reserved field) that must change
 * nothing.
 */
void op_shm_set(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_set set;
	long ret;
	int err, want = 0;

	if (!g) {
		op_shm_get(c);
		return;
	}
	memset(&set, 0, sizeof(set));
	set.id = g->id;
	set.mode = (uint32_t)below(&c->r, 01000);
	if (c->unpriv)
		set.mode |= 0600;
	set.uid = geteuid();
	set.gid = getegid();
	if (chance(&c->r, 5)) {
		set.mode |= 01000;
		want = EINVAL;
	} else if (chance(&c->r, 5)) {
		set.uid = (uint32_t)-1;
		want = EINVAL;
	} else if (chance(&c->r, 5)) {
		set.__reserved[1] = 7;
		want = EINVAL;
	}
	note_op(c, OP_SHM_SET, "SHM_SET id=%d mode=%o", g->id, set.mode);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_SET, &set);
	err = check_errno(c, OP_SHM_SET, "SHM_SET", ret, errno, ERRS(EINVAL));
	if (err != want) {
		violation(c, "SHM_SET %d mode %o uid %u: %s, expected %s",
			  g->id, set.mode, set.uid, strerror(err),
			  strerror(want));
		return;
	}
	if (!err)
		g->mode = set.mode;
}

/* Remove a tracked region; again, if it is removed but still held. */
void op_shm_rmid(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_id id;
	long ret;

	if (!g) {
		op_shm_get(c);
		return;
	}
	memset(&id, 0, sizeof(id));
	id.id = g->id;
	note_op(c, OP_SHM_RMID, "SHM_RMID id=%d removed=%d", g->id,
		g->removed);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
	if (ret)
		violation(c, "SHM_RMID %d (removed=%d fds=%d maps=%d): %s",
			  g->id, g->removed, g->nfds, g->nvma,
			  strerror(errno));
	g->removed = true;
	rg_maybe_gone(g);
}
