// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked regions, their mappings.
 *
 * Owns mmap, munmap, mprotect, loads and stores, and madvise on the
 * regions a thread tracks.  The model keeps every mapping (struct vma),
 * split as the kernel splits it, so that nattch and the permission checks
 * (EACCES, EPERM for seals) are predicted, and the first 8 bytes of each
 * of the first pages, so that every load is checked.
 */
#include "fuzz.h"

/*
 * Map a few pages of a tracked region through one of its fds, sometimes
 * past the end or MAP_PRIVATE.  The errno is predicted in the order the
 * checks run: the fd's access, MAP_SHARED only, the bounds, the seals.
 * A mapping made while write-sealed, or through a read-only fd, can never
 * be made writable: maywrite, which mprotect() is held to.
 */
void op_mmap(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct rfd *f;
	uint64_t pgoff, npages;
	int prot, flags, want = 0, err;
	bool sealed;
	void *p;

	if (!g) {
		op_shm_get(c);
		return;
	}
	/* Room for this mapping, and for a split of one later. */
	if (g->nvma >= MAX_VMA - 2)
		return;
	f = &g->fds[below(&c->r, g->nfds)];
	pgoff = g->pages > 1 ? below(&c->r, g->pages) : 0;
	npages = 1 + below(&c->r, g->pages - pgoff < MAP_PAGES_MAX ?
			   g->pages - pgoff : MAP_PAGES_MAX);
	if (chance(&c->r, 8))
		pgoff = g->pages + below(&c->r, 3);
	else if (chance(&c->r, 8))
		npages = g->pages - pgoff + 1;
	if (npages > MAP_PAGES_MAX + 1)
		npages = MAP_PAGES_MAX + 1;
	prot = PROT_READ | (chance(&c->r, 60) ? PROT_WRITE : 0);
	flags = chance(&c->r, 95) ? MAP_SHARED : MAP_PRIVATE;
	sealed = g->seals & (KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE);

	if ((prot & PROT_WRITE) && flags == MAP_SHARED && !f->rw)
		want = EACCES;
	else if (flags != MAP_SHARED)
		want = EINVAL;
	else if (pgoff >= g->pages || npages > g->pages - pgoff)
		want = EINVAL;
	else if (sealed && (prot & PROT_WRITE))
		want = EPERM;
	note_op(c, OP_MMAP, "mmap id=%d pgoff=%llu pages=%llu prot=%d "
		"flags=%d rw=%d seals=%#x", g->id, (unsigned long long)pgoff,
		(unsigned long long)npages, prot, flags, f->rw, g->seals);
	p = mmap(NULL, npages * PG, prot, flags, f->fd, pgoff * PG);
	err = p == MAP_FAILED ? errno : 0;
	check_errno(c, OP_MMAP, "mmap", p == MAP_FAILED ? -1 : 0, err,
		    ERRS(EINVAL, EACCES, EPERM, ENOMEM));
	if (err == ENOMEM && !want)
		return;
	/*
	 * A write-sealed region's shared writable mapping out of bounds:
	 * core checks the seal (i_mmap_writable, the shmem seals) before or
	 * after ->mmap checks the bounds, depending on the kernel: either
	 * errno is right.
	 */
	if (want == EINVAL && err == EPERM && sealed && flags == MAP_SHARED &&
	    (prot & PROT_WRITE))
		want = EPERM;
	if (err != want) {
		violation(c, "mmap region %d (%llu pages) pgoff %llu pages "
			  "%llu prot %d flags %d rw=%d seals %#x: %s, "
			  "expected %s", g->id, (unsigned long long)g->pages,
			  (unsigned long long)pgoff,
			  (unsigned long long)npages, prot, flags, f->rw,
			  g->seals, err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (!err)
			munmap(p, npages * PG);
		return;
	}
	if (err)
		return;
	g->vmas[g->nvma++] = (struct vma){
		.start = (uintptr_t)p, .len = npages * PG, .prot = prot,
		.pgoff = pgoff, .shared = f->rw && !sealed,
		.maywrite = f->rw && !sealed,
	};
}

/* A page-aligned sub-range of a tracked mapping. */
static struct vma *vma_pick(struct ctx *c, struct preg **gp,
			    uintptr_t *a, size_t *len)
{
	int i, start = (int)below(&c->r, MAX_REG);
	struct preg *g = NULL;
	struct vma *m;
	uint64_t pages, first, n;

	for (i = 0; i < MAX_REG; i++) {
		g = &c->rg[(start + i) % MAX_REG];
		if (g->used && g->nvma)
			break;
	}
	if (i == MAX_REG)
		return NULL;
	m = &g->vmas[below(&c->r, g->nvma)];
	pages = m->len / PG;
	first = chance(&c->r, 50) ? 0 : below(&c->r, pages);
	n = chance(&c->r, 50) ? pages - first : 1 + below(&c->r, pages - first);
	*a = m->start + first * PG;
	*len = n * PG;
	*gp = g;
	return m;
}

/* Unmap a sub-range: the model splits the mapping as the kernel does. */
void op_munmap(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;

	m = vma_pick(c, &g, &a, &len);
	if (!m) {
		op_mmap(c);
		return;
	}
	note_op(c, OP_MUNMAP, "munmap id=%d %#lx+%zu of %#lx+%zu", g->id,
		(unsigned long)a, len, (unsigned long)m->start, m->len);
	if (munmap((void *)a, len)) {
		violation(c, "munmap: %s", strerror(errno));
		return;
	}
	vma_split(g, m, a, len, true, 0);
	rg_maybe_gone(g);
}

/*
 * Change the protection of a sub-range: PROT_WRITE is EACCES where the
 * mapping may not write (see op_mmap()); otherwise the range becomes a
 * mapping of its own.
 */
void op_mprotect(struct ctx *c)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	int prot, ret, err, want = 0;

	m = vma_pick(c, &g, &a, &len);
	if (!m) {
		op_mmap(c);
		return;
	}
	/* Splitting a mapping in three takes two more slots. */
	if (g->nvma >= MAX_VMA - 2)
		return;
	prot = prots[below(&c->r, 3)];
	if ((prot & PROT_WRITE) && !m->maywrite)
		want = EACCES;
	note_op(c, OP_MPROTECT, "mprotect id=%d %#lx+%zu prot %d->%d may=%d",
		g->id, (unsigned long)a, len, m->prot, prot, m->maywrite);
	ret = mprotect((void *)a, len, prot);
	err = ret ? errno : 0;
	check_errno(c, OP_MPROTECT, "mprotect", ret, err,
		    ERRS(EACCES, ENOMEM));
	if (err == ENOMEM)
		return;
	if (err != want) {
		violation(c, "mprotect to %d of a mapping with maywrite=%d "
			  "(region %d seals %#x): %s, expected %s", prot,
			  m->maywrite, g->id, g->seals,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (err)
			return;
	}
	if (err || prot == m->prot)
		return;
	vma_split(g, m, a, len, false, prot);
}

/*
 * Store a stamp in, or load one from, the first 8 bytes of a mapped page:
 * every mapping of a region shares its pages, so a load must see the
 * last store through any of them (or zero after MADV_REMOVE).
 */
void op_touch(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	uint64_t pg, v;

	m = vma_pick(c, &g, &a, &len);
	if (!m) {
		op_mmap(c);
		return;
	}
	pg = m->pgoff + (a - m->start) / PG;
	if (!(m->prot & PROT_READ) || pg >= STAMP_PAGES ||
	    pg * PG + 8 > g->size)
		return;
	if ((m->prot & PROT_WRITE) && chance(&c->r, 50)) {
		v = rnd(&c->r) | 1;
		note_op(c, OP_TOUCH, "store id=%d page %llu", g->id,
			(unsigned long long)pg);
		memcpy((void *)a, &v, sizeof(v));
		g->stamp[pg] = v;
		return;
	}
	note_op(c, OP_TOUCH, "load id=%d page %llu", g->id,
		(unsigned long long)pg);
	memcpy(&v, (void *)a, sizeof(v));
	if (v != g->stamp[pg])
		violation(c, "region %d page %llu holds %#llx, stored %#llx",
			  g->id, (unsigned long long)pg, (unsigned long long)v,
			  (unsigned long long)g->stamp[pg]);
}

/*
 * madvise() on a sub-range.  MADV_REMOVE frees the region's pages (as
 * fallocate(PUNCH_HOLE) on shmem): the stamps read as zero after, and it
 * needs a shared writable mapping, or EACCES.
 */
void op_madvise(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	int adv, ret, err, want = 0;

	m = vma_pick(c, &g, &a, &len);
	if (!m) {
		op_mmap(c);
		return;
	}
	switch (below(&c->r, 4)) {
	case 0:
		adv = MADV_DONTNEED;
		break;
	case 1:
		adv = MADV_WILLNEED;
		break;
	case 2:
		adv = MADV_COLD;
		break;
	default:
		adv = MADV_REMOVE;
		if (!m->shared || !(m->prot & PROT_WRITE))
			want = EACCES;
		break;
	}
	note_op(c, OP_MADVISE, "madvise id=%d %#lx+%zu %d", g->id,
		(unsigned long)a, len, adv);
	ret = madvise((void *)a, len, adv);
	err = ret ? errno : 0;
	if (err == ENOSYS) {
		no_madvise = true;
		return;
	}
	check_errno(c, OP_MADVISE, "madvise", ret, err, ERRS(EACCES, ENOMEM,
							     EINVAL));
	if (err != want) {
		violation(c, "madvise %d: %s, expected %s", adv,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		return;
	}
	if (!err && adv == MADV_REMOVE) {
		uint64_t pg = m->pgoff + (a - m->start) / PG;

		for (uint64_t i = 0; i < len / PG; i++)
			if (pg + i < STAMP_PAGES)
				g->stamp[pg + i] = 0;
	}
}
