// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked mapped channels, their life cycle.
 *
 * Owns the channels made with KIPC_CHAN_F_MAPPED that a thread tracks:
 * pairs and named ones, with capacities valid and not; opening a named
 * one (a write end needs read permission, and O_DIRECT is refused);
 * closing, dup and removal.  An open file lives while an fd or a mapping
 * of its ring holds it, and the ring goes with the last.  The mappings
 * are made in chan-mmap.c, used in chan-ring.c; the system calls are in
 * chan-map-io.c and chan-map-ctl.c.
 */
#include "fuzz.h"

/* ---------------------------------------------------------------- */
/* Slots, fds, open files and mappings. */

struct mchan *mc_pick(struct ctx *c)
{
	int i, start = (int)below(&c->r, MAX_MCHAN);

	for (i = 0; i < MAX_MCHAN; i++) {
		struct mchan *m = &c->mc[(start + i) % MAX_MCHAN];

		if (m->used)
			return c->cur_mc = m;
	}
	return NULL;
}

/* A tracked named mapped channel, removed or not. */
struct mchan *mc_pick_named(struct ctx *c)
{
	int i, start = (int)below(&c->r, MAX_MCHAN);

	for (i = 0; i < MAX_MCHAN; i++) {
		struct mchan *m = &c->mc[(start + i) % MAX_MCHAN];

		if (m->used && m->named)
			return c->cur_mc = m;
	}
	return NULL;
}

/* An fd of @m that can @want_rd / @want_wr, from a random start; or -1. */
int mc_pick_fd(struct ctx *c, struct mchan *m, bool want_rd, bool want_wr)
{
	int n = m->nfds, start;

	if (!n)
		return -1;
	start = (int)below(&c->r, n);
	for (int j = 0; j < n; j++) {
		int i = (start + j) % n;
		struct ofd *o = &m->ofds[m->fds[i].ofd];

		if ((!want_rd || o->rd) && (!want_wr || o->wr))
			return i;
	}
	return -1;
}

static void mc_add_fd(struct mchan *m, int fd, bool rd, bool wr,
		      bool nonblock, unsigned int w_seen)
{
	int i;

	for (i = 0; i < MAX_PFD; i++)
		if (!ofd_alive(&m->ofds[i]))
			break;
	m->ofds[i] = (struct ofd){ .refs = 1, .rd = rd, .wr = wr,
				   .nonblock = nonblock, .w_seen = w_seen };
	m->fds[m->nfds++] = (struct pfd){ .fd = fd, .ofd = i };
}

bool mc_ofd_room(const struct mchan *m)
{
	for (int i = 0; i < MAX_PFD; i++)
		if (!ofd_alive(&m->ofds[i]))
			return m->nfds < MAX_PFD;
	return false;
}

static void mc_remove_name(struct ctx *c, struct mchan *m)
{
	struct kipc_chan_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", m->name);
	if (ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n))
		violation(c, "CHAN_REMOVE %s: %s", m->name, strerror(errno));
	m->removed = true;
}

bool mc_all_gone(const struct mchan *m)
{
	for (int i = 0; i < MAX_PFD; i++)
		if (ofd_alive(&m->ofds[i]))
			return false;
	return true;
}

/*
 * An fd or a mapping of open file @i went.  The last of both closes the
 * file, unless a child holds a copy of it (a ghost, see model.c); the last
 * file frees the ring.  A named channel whose ring a child may keep alive
 * loses its name, so that no later open meets that ring.
 */
static void mc_ofd_put(struct ctx *c, struct mchan *m, int i)
{
	if (ofd_alive(&m->ofds[i]))
		return;
	if (atomic_load(&kids_alive)) {
		m->ghost = true;
		m->ghost_epoch = atomic_load(&kids_gone_epoch);
	}
	if (!mc_all_gone(m))
		return;
	if (m->named && !m->removed && !mc_certain(c, m))
		mc_remove_name(c, m);
	mc_ring_fresh(m);
	if (!m->named || m->removed)
		m->used = false;
}

static void mc_close_fd(struct ctx *c, struct mchan *m, int i)
{
	struct pfd pf = m->fds[i];

	if (close(pf.fd))
		violation(c, "close(%d) of a mapped channel fd: %s", pf.fd,
			  strerror(errno));
	m->fds[i] = m->fds[--m->nfds];
	m->ofds[pf.ofd].refs--;
	mc_ofd_put(c, m, pf.ofd);
}

/*
 * munmap() of mapping @i, whole: the kernel takes back the side it owned
 * (kipcm_mring_vm_close() pulls the positions), then lets the file go.
 */
void mc_unmap(struct ctx *c, struct mchan *m, int i)
{
	struct rmap r = m->maps[i];

	if (munmap(r.p, r.len))
		violation(c, "munmap of a whole ring mapping: %s",
			  strerror(errno));
	if (r.owner)
		mc_pull(m);
	m->maps[i] = m->maps[--m->nmaps];
	m->ofds[r.ofd].maps--;
	mc_ofd_put(c, m, r.ofd);
}

/* Stop tracking @m: unmap, close, and remove its name. */
void mc_drop(struct ctx *c, struct mchan *m)
{
	while (m->nmaps && m->used)
		mc_unmap(c, m, m->nmaps - 1);
	while (m->nfds && m->used)
		mc_close_fd(c, m, 0);
	if (m->used && m->named && !m->removed)
		mc_remove_name(c, m);
	m->used = false;
}

/*
 * In a forked child: the parent's channels are not ours to model.  Their
 * mappings were not inherited (VM_DONTCOPY), so only the fds go; the
 * addresses may hold something else of ours later.
 */
void mc_forget(struct ctx *c)
{
	for (int i = 0; i < MAX_MCHAN; i++) {
		struct mchan *m = &c->mc[i];

		for (int j = 0; j < m->nfds; j++)
			close(m->fds[j].fd);
		m->nfds = 0;
		m->nmaps = 0;
		m->used = false;
	}
}

void mc_cleanup(struct ctx *c)
{
	for (int i = 0; i < MAX_MCHAN; i++)
		if (c->mc[i].used)
			mc_drop(c, &c->mc[i]);
}

static struct mchan *mc_new_slot(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_MCHAN; i++)
		if (!c->mc[i].used)
			goto found;
	i = (int)below(&c->r, MAX_MCHAN);
	mc_drop(c, &c->mc[i]);
found:
	memset(&c->mc[i], 0, sizeof(c->mc[i]));
	c->mc[i].key = (uint32_t)rnd(&c->r);
	return c->cur_mc = &c->mc[i];
}

/* Model against the kernel, for a violation's report. */
void mc_describe(struct mchan *m, int fd)
{
	struct kipc_chan_stats st;

	memset(&st, 0, sizeof(st));
	ioctl(fd, KIPC_IOC_CHAN_STATS, &st);
	say("#   mapped channel %s: model prod=%llu cons=%llu cap=%llu "
	    "broken=%d maps=%d r=%d w=%d read=%llu written=%llu; kernel "
	    "q=%llu cap=%llu r=%llu w=%llu read=%llu written=%llu; kids=%d",
	    m->named ? m->name : "(pair)", (unsigned long long)m->prod,
	    (unsigned long long)m->cons, (unsigned long long)m->cap,
	    m->broken, m->nmaps, mc_readers(m), mc_writers(m),
	    (unsigned long long)m->st_read, (unsigned long long)m->st_written,
	    (unsigned long long)st.queued, (unsigned long long)st.capacity,
	    (unsigned long long)st.readers, (unsigned long long)st.writers,
	    (unsigned long long)st.bytes_read,
	    (unsigned long long)st.bytes_written, atomic_load(&kids_alive));
	for (unsigned int i = m->nhist > 8 ? m->nhist - 8 : 0; i < m->nhist;
	     i++)
		say("#   its op %u: %s", i, m->hist[i % 8]);
	for (int i = 0; i < m->nmaps; i++) {
		struct rmap *r = &m->maps[i];
		const struct kipc_ring_pos *pp = (const void *)r->p;

		if ((r->area == RA_PROD || r->area == RA_CONS) &&
		    (r->prot & PROT_READ))
			say("#   %s page: pos %llu waiting %#x",
			    r->area == RA_PROD ? "prod" : "cons",
			    (unsigned long long)load_acq(&pp->pos),
			    load_word(&pp->waiting));
	}
}

/* ---------------------------------------------------------------- */
/* Creating, opening, closing. */

/* Mostly valid: 0, 4 KiB to 256 KiB; sometimes not a power of two. */
static uint64_t mc_choose_cap(struct ctx *c)
{
	switch (below(&c->r, 10)) {
	case 0 ... 3:
		return 0;
	case 4 ... 7:
		return KIPC_CAPACITY_MIN << below(&c->r, 7);
	case 8:
		return PG * (3 + 2 * below(&c->r, 20));
	default:
		switch (below(&c->r, 6)) {
		case 0:
			return below(&c->r, KIPC_CAPACITY_MIN);
		case 1:
			return KIPC_CAPACITY_MIN + 1 + below(&c->r, 60000);
		case 2:
			return KIPC_CAPACITY_CEILING << 1;
		case 3:
			return UINT64_MAX - below(&c->r, 3);
		case 4:
			return 1ULL << (32 + below(&c->r, 31));
		default:
			return TRACKED_CAP_MAX;	/* EPERM unprivileged */
		}
	}
}

static const struct maybe_bit mpair_flags[] = {
	{ 75, O_NONBLOCK }, { 50, O_CLOEXEC }, { 4, O_DIRECT },
};

/*
 * CHAN_PAIR with KIPC_CHAN_F_MAPPED: EINVAL with O_DIRECT or a capacity
 * that is not a power of two of pages, else two fds whose F_GETFL is a
 * pipe's; the capacity written back is the ring's.
 */
void mc_pair(struct ctx *c)
{
	struct kipc_chan_pair p;
	struct mchan *m;
	uint64_t want_cap;
	int flags, want, err, fl;
	long ret;

	flags = (int)draw_bits(c, mpair_flags, 3) | KIPC_CHAN_F_MAPPED;
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.capacity = mc_choose_cap(c);
	want = p.capacity ? mc_cap_errno(c, p.capacity, 0) : 0;
	if (flags & O_DIRECT)
		want = EINVAL;
	want_cap = p.capacity ? p.capacity : mc_default_cap();
	note_op(c, OP_MCHAN, "mapped pair flags=%#x cap=%llu", flags,
		(unsigned long long)p.capacity);
	m = mc_new_slot(c);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_PAIR, &p);
	err = check_errno(c, OP_MCHAN, "mapped CHAN_PAIR", ret, errno,
			  ERRS(EINVAL, EPERM, ENOMEM, ENFILE, EMFILE));
	if (ret < 0) {
		if (err != want && (want || err == EINVAL || err == EPERM))
			violation(c, "mapped CHAN_PAIR flags=%#x cap=%llu: %s, "
				  "expected %s", flags,
				  (unsigned long long)want_cap, strerror(err),
				  want ? strerror(want) : "success");
		return;
	}
	if (want) {
		violation(c, "mapped CHAN_PAIR flags=%#x cap=%llu succeeded, "
			  "expected %s", flags, (unsigned long long)want_cap,
			  strerror(want));
		close(p.rfd);
		close(p.wfd);
		return;
	}
	/* Unprivileged, over the soft limit: the pipe's two pages. */
	if (p.capacity != want_cap && !(c->unpriv && p.capacity == 2 * PG))
		violation(c, "mapped CHAN_PAIR: capacity %llu, expected %llu",
			  (unsigned long long)p.capacity,
			  (unsigned long long)want_cap);
	/* Every end may map, but F_GETFL is a pipe's still. */
	fl = fcntl(p.rfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_RDONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK))
		violation(c, "mapped CHAN_PAIR read end: flags %#x", fl);
	fl = fcntl(p.wfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK))
		violation(c, "mapped CHAN_PAIR write end: flags %#x", fl);
	m->used = true;
	m->cap = p.capacity;
	m->w_counter = 1;
	mc_add_fd(m, p.rfd, true, false, flags & O_NONBLOCK, 0);
	mc_add_fd(m, p.wfd, false, true, flags & O_NONBLOCK, 0);
}

/*
 * The errno an open of @m's node with @flags owes: fifo_open_errno()'s (a
 * write end needs read permission too: it sees the ring's bytes), and
 * O_DIRECT refused by the VFS only after ->open ran.
 */
int mc_open_errno(struct ctx *c, struct mchan *m, int flags)
{
	int err = fifo_open_errno(c, m->removed, m->mode, true, mc_readers(m),
				  mc_writers(m), flags);

	return err || !(flags & O_DIRECT) ? err : EINVAL;
}

/*
 * An open of @m with @flags got past the FIFO's rules, so that its
 * effects stay even where O_DIRECT then failed it (@fd < 0): a fresh ring
 * if no file held the old one (@fresh), a writer counted in w_counter.
 * @sure: mc_certain() before the open.
 */
void mc_opened(struct mchan *m, int fd, int flags, bool fresh, bool sure)
{
	int mode = flags & O_ACCMODE;
	unsigned int w_seen = 0;

	if (fresh)
		mc_ring_fresh(m);
	if (mode != O_RDONLY)
		m->w_counter++;
	if (fd < 0)
		return;
	if (mode == O_RDONLY && !mc_writers(m))
		w_seen = m->w_counter;
	mc_add_fd(m, fd, mode != O_WRONLY, mode != O_RDONLY,
		  flags & O_NONBLOCK, w_seen);
	if (mode == O_RDONLY && !mc_writers(m) && !sure)
		m->ofds[m->fds[m->nfds - 1].ofd].w_seen_unknown = true;
}

/* Open the node of @m, never blocking (a lone end is O_NONBLOCK). */
static void mc_named_open(struct ctx *c, struct mchan *m)
{
	char path[96];
	int mode, flags, fd, err, want;
	bool direct = chance(&c->r, 5);
	bool nonblock = chance(&c->r, 70);
	bool fresh, sure = mc_certain(c, m);

	if (!mc_ofd_room(m))
		return;
	mode = (int)below(&c->r, 3);
	if (mode == O_WRONLY && !mc_readers(m) && chance(&c->r, 70))
		mode = O_RDONLY;
	if (mode != O_RDWR)
		nonblock = true;
	flags = mode | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0) |
		(direct ? O_DIRECT : 0);
	want = mc_open_errno(c, m, flags);
	snprintf(path, sizeof(path), "/dev/kipc/%s", m->name);
	note_op(c, OP_MCHAN, "open mapped %s flags=%#x mode=%o", path, flags,
		m->mode);
	fresh = mc_all_gone(m);
	fd = open(path, flags);
	err = fd < 0 ? errno : 0;
	check_errno(c, OP_MCHAN, "open mapped", fd, err,
		    ERRS(ENXIO, ENOMEM, ENOENT, EMFILE, ENFILE, EACCES,
			 EINVAL));
	if (err == ENOMEM || err == EMFILE || err == ENFILE)
		return;
	/* A child's copy of a reader may still count for the kernel. */
	if (!sure && want == ENXIO && (!err || err == EINVAL))
		want = err;
	if (!sure && !want && err == ENXIO)
		want = ENXIO;
	if (err != want) {
		violation(c, "open %s flags %#x (mode %o, unpriv %d, readers "
			  "%d): %s, expected %s", path, flags, m->mode,
			  c->unpriv, mc_readers(m),
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (fd >= 0)
			close(fd);
		return;
	}
	if (err == ENOENT || err == EACCES || err == ENXIO)
		return;
	/* EINVAL: O_DIRECT, refused once ->open ran, and released at once. */
	mc_opened(m, fd, flags, fresh, sure);
}

/*
 * CHAN_CREATE of a mapped name of this thread's own, with permission bits
 * that may lack read or write for the owner (EACCES for an unprivileged
 * open), then an open or two.
 */
static void mc_named(struct ctx *c)
{
	static const unsigned int modes[] = { 0600, 0600, 0600, 0600, 0400,
					      0200, 0644, 0604 };
	struct kipc_chan_name n;
	struct mchan *m;
	bool junk = chance(&c->r, 3);
	int want, err;
	long ret;

	m = mc_new_slot(c);
	memset(&n, 0, sizeof(n));
	snprintf(m->name, sizeof(m->name), "kfz-%d-%d-m%u", (int)getpid(),
		 c->t, c->seq++);
	snprintf(n.name, sizeof(n.name), "%s", m->name);
	n.mode = modes[below(&c->r, 8)];
	n.flags = KIPC_CHAN_F_MAPPED | (junk ? O_NONBLOCK : 0);
	n.capacity = mc_choose_cap(c);
	want = junk ? EINVAL :
	       n.capacity ? mc_cap_errno(c, n.capacity, 0) : 0;
	note_op(c, OP_MCHAN, "create mapped %s cap=%llu mode=%o flags=%#x",
		n.name, (unsigned long long)n.capacity, n.mode, n.flags);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
	err = check_errno(c, OP_MCHAN, "mapped CHAN_CREATE", ret, errno,
			  ERRS(EINVAL, EPERM, ENOSPC, ENOMEM));
	if (ret < 0) {
		if (err != want && err != ENOSPC && err != ENOMEM)
			violation(c, "mapped CHAN_CREATE %s cap=%llu: %s, "
				  "expected %s", n.name,
				  (unsigned long long)n.capacity,
				  strerror(err), want ? strerror(want) : "0");
		return;
	}
	if (want) {
		violation(c, "mapped CHAN_CREATE cap=%llu flags=%#x succeeded, "
			  "expected %s", (unsigned long long)n.capacity,
			  n.flags, strerror(want));
		n.capacity = 0;
		n.flags = 0;
		ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		return;
	}
	m->used = true;
	m->named = true;
	m->mode = n.mode;
	m->cap = n.capacity ? n.capacity : mc_default_cap();
	mc_named_open(c, m);
	mc_named_open(c, m);
}

/* A dup shares the open file; a removal leaves open files alone. */
static void mc_dup_or_remove(struct ctx *c, struct mchan *m)
{
	struct kipc_chan_name n;
	int fdi, fd;
	long ret;

	if (m->named && chance(&c->r, 40)) {
		note_op(c, OP_MCHAN, "remove mapped %s (removed=%d)", m->name,
			m->removed);
		memset(&n, 0, sizeof(n));
		snprintf(n.name, sizeof(n.name), "%s", m->name);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		if (m->removed ? (ret != -1 || errno != ENOENT) : ret != 0)
			violation(c, "CHAN_REMOVE %s (removed %d): %ld %s",
				  m->name, m->removed, ret, strerror(errno));
		m->removed = true;
		if (mc_all_gone(m))
			m->used = false;
		return;
	}
	fdi = mc_pick_fd(c, m, false, false);
	if (fdi < 0 || m->nfds == MAX_PFD)
		return;
	note_op(c, OP_MCHAN, "dup mapped %d", m->fds[fdi].fd);
	fd = fcntl(m->fds[fdi].fd, F_DUPFD_CLOEXEC, 3 + below(&c->r, 200));
	if (fd < 0) {
		check_errno(c, OP_MCHAN, "dup", fd, errno, ERRS(EMFILE, EINVAL));
		return;
	}
	m->ofds[m->fds[fdi].ofd].refs++;
	m->fds[m->nfds++] = (struct pfd){ .fd = fd, .ofd = m->fds[fdi].ofd };
}

void op_mchan(struct ctx *c)
{
	struct mchan *m = mc_pick(c);
	int fdi;

	switch (below(&c->r, 10)) {
	case 0 ... 3:
		mc_pair(c);
		return;
	case 4 ... 5:
		mc_named(c);
		return;
	case 6 ... 7:
		if (m && m->named && !m->removed)
			mc_named_open(c, m);
		else
			mc_named(c);
		return;
	case 8:
		if (!m || (fdi = mc_pick_fd(c, m, false, false)) < 0)
			return;
		note_op(c, OP_MCHAN, "close mapped fd %d (maps %d)",
			m->fds[fdi].fd, m->nmaps);
		mc_close_fd(c, m, fdi);
		return;
	default:
		if (m)
			mc_dup_or_remove(c, m);
		return;
	}
}
