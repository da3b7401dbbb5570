// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: the mappings of tracked mapped channels.
 *
 * Owns mmap of random areas of a ring (the state page, either position
 * page, the data, across two areas, past the end), with random lengths,
 * offsets, protections and flags, by each end, each errno predicted in
 * the order the kernel checks: core mmap, then kipcm_mring_mmap().  And
 * munmap, mremap and mprotect of the mappings, whose splits the kernel
 * refuses, and mmap of channels that are not mapped.  A mapping of a
 * side's page by an end of that side owns the side.
 */
#include "fuzz.h"

/* kipcm_mring_area(): the area [@pgoff, +@n) lies in, or RA_BAD. */
static enum ring_area ring_area_of(uint64_t pgoff, uint64_t n,
				   uint64_t nr_data)
{
	if (!n)
		return RA_BAD;
	if (pgoff < RA_DATA)
		return n == 1 ? (enum ring_area)pgoff : RA_BAD;
	if (pgoff - RA_DATA >= 2 * nr_data || n > 2 * nr_data -
	    (pgoff - RA_DATA))
		return RA_BAD;
	return RA_DATA;
}

/* May an end of open file @o write to @area? */
static bool area_writable(enum ring_area area, const struct ofd *o)
{
	switch (area) {
	case RA_PROD:
	case RA_DATA:
		return o->wr;
	case RA_CONS:
		return o->rd;
	default:
		return false;
	}
}

/* kipcm_mring_vma_owner(): the side a mapping of @area by @o owns. */
static bool area_owner(enum ring_area area, const struct ofd *o)
{
	return (area == RA_PROD && o->wr) || (area == RA_CONS && o->rd);
}

/* Where to map, in pages: mostly one whole area, sometimes across two. */
static void pick_area(struct ctx *c, uint64_t nr_data, uint64_t *pgoff,
		      uint64_t *npages, bool *huge)
{
	uint64_t k;

	*huge = false;
	switch (below(&c->r, 20)) {
	case 0 ... 1:
		*pgoff = RA_STATE;
		*npages = 1;
		return;
	case 2 ... 6:
		*pgoff = RA_PROD;
		*npages = 1;
		return;
	case 7 ... 11:
		*pgoff = RA_CONS;
		*npages = 1;
		return;
	case 12 ... 14:
		*pgoff = RA_DATA;
		*npages = 2 * nr_data;
		return;
	case 15 ... 17:
		k = below(&c->r, 2 * nr_data);
		*pgoff = RA_DATA + k;
		*npages = 1 + below(&c->r, 2 * nr_data - k);
		return;
	default:
		break;
	}
	switch (below(&c->r, 6)) {
	case 0:
		*pgoff = below(&c->r, RA_DATA);
		*npages = 2;		/* two areas */
		return;
	case 1:
		*pgoff = RA_DATA + 2 * nr_data + below(&c->r, 3);
		*npages = 1;		/* past the end */
		return;
	case 2:
		k = below(&c->r, 2 * nr_data);
		*pgoff = RA_DATA + k;
		*npages = 2 * nr_data - k + 1;	/* one page too many */
		return;
	case 3:
		*pgoff = RA_CONS;
		*npages = 1 + 2 * nr_data;	/* cons and all the data */
		return;
	default:
		*huge = true;
		*pgoff = chance(&c->r, 50) ?
			 (uint64_t)1 << (28 + below(&c->r, 24)) :
			 (UINT64_MAX >> 12) - below(&c->r, 4);
		*npages = 1 + below(&c->r, 2);
		return;
	}
}

/* An mmap() to try. */
struct map_plan {
	uint64_t pgoff, npages, len, off;
	int prot, flags;
	bool huge;
	enum ring_area area;
};

/*
 * The errno it owes, in the order core mmap and ->mmap check; an offset
 * past what a file may have is EOVERFLOW, or EINVAL from ->mmap.
 */
static int map_errno(struct mchan *m, const struct ofd *o,
		     const struct map_plan *mp)
{
	if (!mp->len || (mp->off & (PG - 1)))
		return EINVAL;
	if ((mp->flags & MAP_TYPE) == MAP_SHARED_VALIDATE &&
	    (mp->flags & MAP_SYNC))
		return EOPNOTSUPP;
	if ((mp->flags & MAP_TYPE) == MAP_PRIVATE)
		return EINVAL;
	if (mp->area == RA_BAD)
		return EINVAL;
	if ((mp->prot & PROT_WRITE) && !area_writable(mp->area, o))
		return EACCES;
	if (area_owner(mp->area, o) && mc_owned(m, mp->area))
		return EBUSY;
	return 0;
}

/*
 * mmap() a part of @m's ring through one of its fds.  A mapping of a
 * side's page by an end of that side makes it the side's owner, whatever
 * its protection; a mapping of an area the end may not write loses
 * VM_MAYWRITE.
 */
static void mc_mmap(struct ctx *c, struct mchan *m)
{
	uint64_t nr_data = m->cap / PG;
	struct map_plan mp;
	struct ofd *o;
	int fdi, fd, want, err;
	char *p;

	fdi = mc_pick_fd(c, m, false, false);
	if (fdi < 0)
		return;
	if (m->nmaps == MAX_RMAP) {
		note_op(c, OP_RING_MAP, "munmap mapped (room)");
		mc_unmap(c, m, (int)below(&c->r, m->nmaps));
		return;
	}
	fd = m->fds[fdi].fd;
	o = &m->ofds[m->fds[fdi].ofd];
	memset(&mp, 0, sizeof(mp));
	pick_area(c, nr_data, &mp.pgoff, &mp.npages, &mp.huge);
	mp.area = ring_area_of(mp.pgoff, mp.npages, nr_data);
	mp.len = mp.npages * PG;
	if (chance(&c->r, 10))
		mp.len -= below(&c->r, PG);	/* rounded up again */
	if (chance(&c->r, 2))
		mp.len = 0;
	mp.off = mp.pgoff * PG;
	if (chance(&c->r, 2))
		mp.off += 1 + below(&c->r, PG - 1);
	switch (below(&c->r, 10)) {
	case 0 ... 3:
		mp.prot = PROT_READ;
		break;
	case 4 ... 7:
		mp.prot = PROT_READ | PROT_WRITE;
		break;
	case 8:
		mp.prot = PROT_WRITE;
		break;
	default:
		mp.prot = PROT_NONE;
		break;
	}
	switch (below(&c->r, 20)) {
	case 0:
		mp.flags = MAP_PRIVATE;
		break;
	case 1:
		mp.flags = MAP_SHARED_VALIDATE |
			   (chance(&c->r, 50) ? MAP_SYNC : 0);
		break;
	default:
		mp.flags = MAP_SHARED;
		break;
	}
	if (chance(&c->r, 20))
		mp.flags |= MAP_POPULATE;
	if (chance(&c->r, 10))
		mp.flags |= MAP_NORESERVE;
	want = map_errno(m, o, &mp);
	note_op(c, OP_RING_MAP, "mmap mapped fd=%d rd=%d wr=%d pgoff=%llu "
		"len=%llu off=%#llx prot=%d flags=%#x area=%d", fd, o->rd,
		o->wr, (unsigned long long)mp.pgoff,
		(unsigned long long)mp.len, (unsigned long long)mp.off,
		mp.prot, mp.flags, mp.area);
	p = mmap(NULL, mp.len, mp.prot, mp.flags, fd, (off_t)mp.off);
	err = p == MAP_FAILED ? errno : 0;
	check_errno(c, OP_RING_MAP, "mmap mapped", p == MAP_FAILED ? -1 : 0,
		    err, ERRS(EINVAL, EACCES, EBUSY, ENOMEM, EOPNOTSUPP,
			      EOVERFLOW));
	if (err == ENOMEM && !want)
		return;
	/* Past what a file offset may reach: before or after ->mmap. */
	if (mp.huge && err == EOVERFLOW && mp.len && !(mp.off & (PG - 1)))
		want = EOVERFLOW;
	if (err != want) {
		violation(c, "mmap of a mapped channel (cap %llu) fd rd=%d "
			  "wr=%d pgoff %llu len %llu off %#llx prot %d flags "
			  "%#x: %s, expected %s", (unsigned long long)m->cap,
			  o->rd, o->wr, (unsigned long long)mp.pgoff,
			  (unsigned long long)mp.len,
			  (unsigned long long)mp.off, mp.prot, mp.flags,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (!err)
			munmap(p, mp.len);
		return;
	}
	if (err)
		return;
	m->maps[m->nmaps++] = (struct rmap){
		.p = p, .len = mp.npages * PG, .pgoff = mp.pgoff,
		.area = mp.area, .prot = mp.prot, .ofd = m->fds[fdi].ofd,
		.owner = area_owner(mp.area, o),
		.maywrite = area_writable(mp.area, o),
	};
	o->maps++;
	mc_check_pages(c, m, mp.area == RA_DATA);
}

/*
 * Take @side (RA_PROD or RA_CONS) with a writable mapping of its page,
 * through an fd of its role, if no mapping owns it yet: NULL if none can.
 */
struct rmap *mc_map_side(struct ctx *c, struct mchan *m, enum ring_area side)
{
	int fdi = mc_pick_fd(c, m, side == RA_CONS, side == RA_PROD);
	struct ofd *o;
	char *p;

	if (fdi < 0 || mc_owned(m, side) || m->nmaps == MAX_RMAP)
		return NULL;
	o = &m->ofds[m->fds[fdi].ofd];
	note_op(c, OP_RING_HOSTILE, "mmap side %d of mapped fd %d", side,
		m->fds[fdi].fd);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		 m->fds[fdi].fd, (off_t)side * PG);
	if (p == MAP_FAILED) {
		if (errno != ENOMEM)
			violation(c, "mmap of unowned side %d, rd=%d wr=%d: %s",
				  side, o->rd, o->wr, strerror(errno));
		return NULL;
	}
	m->maps[m->nmaps++] = (struct rmap){
		.p = p, .len = PG, .pgoff = side, .area = side,
		.prot = PROT_READ | PROT_WRITE, .ofd = m->fds[fdi].ofd,
		.owner = true, .maywrite = true,
	};
	o->maps++;
	return &m->maps[m->nmaps - 1];
}

/*
 * mmap() of a channel that is not mapped: the core's checks of the fd's
 * own access first (a write end may not be mapped at all, a read end not
 * writable), then ENODEV from kipc.
 */
static void pchan_mmap(struct ctx *c)
{
	struct pchan *ch;
	struct ofd *o;
	int fdi, prot, want;
	void *p;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch)
		return;
	o = &ch->ofds[ch->fds[fdi].ofd];
	prot = PROT_READ | (chance(&c->r, 50) ? PROT_WRITE : 0);
	want = !o->rd || ((prot & PROT_WRITE) && !o->wr) ? EACCES : ENODEV;
	note_op(c, OP_RING_MAP, "mmap unmapped channel fd=%d prot=%d",
		ch->fds[fdi].fd, prot);
	p = mmap(NULL, PG, prot, MAP_SHARED, ch->fds[fdi].fd,
		 PG * below(&c->r, 4));
	if (p != MAP_FAILED) {
		violation(c, "mmap of an unmapped channel succeeded");
		munmap(p, PG);
		return;
	}
	if (errno != want)
		violation(c, "mmap of an unmapped channel (rd=%d wr=%d prot "
			  "%d): %s, expected %s", o->rd, o->wr, prot,
			  strerror(errno), strerror(want));
}

void op_ring_map(struct ctx *c)
{
	struct mchan *m = mc_pick(c);

	if (chance(&c->r, 5)) {
		pchan_mmap(c);
		return;
	}
	if (!m) {
		mc_pair(c);
		return;
	}
	mc_mmap(c, m);
}

/* munmap() of part of a mapping, or of the whole. */
static void mc_munmap(struct ctx *c, struct mchan *m, int i)
{
	struct rmap *r = &m->maps[i];
	size_t pages = r->len / PG, first, n;

	if (pages == 1 || chance(&c->r, 75)) {
		note_op(c, OP_RING_UNMAP, "munmap mapped area %d owner %d",
			r->area, r->owner);
		mc_unmap(c, m, i);
		return;
	}
	/* A part would split it: refused. */
	do {
		first = below(&c->r, pages);
		n = 1 + below(&c->r, pages - first);
	} while (!first && n == pages);
	note_op(c, OP_RING_UNMAP, "munmap part of a mapped area %d: %zu+%zu "
		"of %zu pages", r->area, first, n, pages);
	if (munmap(r->p + first * PG, n * PG) != -1 || errno != EINVAL)
		violation(c, "partial munmap of a ring mapping: %s, expected "
			  "EINVAL", errno ? strerror(errno) : "success");
}

/*
 * mremap(): growing is EFAULT (VM_DONTEXPAND), shrinking a split
 * (EINVAL), keeping a mapping MREMAP_DONTUNMAP is EINVAL, and a move to
 * a new address works: the copy opens (+1) and the old one closes, which
 * pulls the positions if it owned a side.
 */
static void mc_mremap(struct ctx *c, struct mchan *m, int i)
{
	struct rmap *r = &m->maps[i];
	size_t pages = r->len / PG, new_len = r->len, old_len = r->len;
	int kind = (int)below(&c->r, 6), flags = 0, want = 0;
	void *dst = NULL, *p;

	switch (kind) {
	case 0:
		new_len = r->len + PG * (1 + below(&c->r, 3));
		flags = chance(&c->r, 50) ? MREMAP_MAYMOVE : 0;
		want = EFAULT;
		break;
	case 1:
		if (pages == 1)
			return;
		new_len = r->len - PG * (1 + below(&c->r, pages - 1));
		want = EINVAL;
		break;
	case 2:
		flags = chance(&c->r, 50) ? MREMAP_MAYMOVE : 0;
		break;
	case 3:
		dst = mmap(NULL, r->len, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED)
			return;
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		break;
	case 4:
		flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		want = EINVAL;
		break;
	default:
		old_len = 0;	/* duplicate a shared mapping: grows it */
		flags = MREMAP_MAYMOVE;
		want = EFAULT;
		break;
	}
	note_op(c, OP_RING_UNMAP, "mremap mapped area %d owner %d kind %d "
		"%zu -> %zu flags %#x", r->area, r->owner, kind, old_len,
		new_len, flags);
	p = mremap(r->p, old_len, new_len, flags, dst);
	if (p == MAP_FAILED) {
		check_errno(c, OP_RING_UNMAP, "mremap", -1, errno,
			    ERRS(EINVAL, EFAULT, ENOMEM));
		if (errno != want && !(errno == ENOMEM && !want))
			violation(c, "mremap of a ring mapping (kind %d, %zu -> "
				  "%zu, flags %#x): %s, expected %s", kind,
				  old_len, new_len, flags, strerror(errno),
				  want ? strerror(want) : "success");
		if (dst)
			munmap(dst, r->len);
		return;
	}
	if (want) {
		violation(c, "mremap of a ring mapping (kind %d, %zu -> %zu, "
			  "flags %#x) succeeded, expected %s", kind, old_len,
			  new_len, flags, strerror(want));
		mc_drop(c, m);
		return;
	}
	if (kind == 3) {
		if (p != dst)
			violation(c, "mremap MREMAP_FIXED went to %p, not %p",
				  p, dst);
		if (r->owner)
			mc_pull(m);
	} else if (p != r->p) {
		violation(c, "mremap of the same size moved the mapping");
	}
	r->p = p;
	mc_check_pages(c, m, false);
}

/*
 * mprotect(): writable only where the end may write (VM_MAYWRITE), never
 * executable (no VM_MAYEXEC), and a part of a mapping only with the
 * protection it has (anything else would split it).
 */
static void mc_mprotect(struct ctx *c, struct mchan *m, int i)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE, PROT_WRITE,
				     PROT_READ | PROT_EXEC };
	struct rmap *r = &m->maps[i];
	size_t pages = r->len / PG, first = 0, n = pages;
	int prot = prots[below(&c->r, 5)], want = 0;
	bool part = pages > 1 && chance(&c->r, 30);

	if (part) {
		do {
			first = below(&c->r, pages);
			n = 1 + below(&c->r, pages - first);
		} while (!first && n == pages);
	}
	if (((prot & PROT_WRITE) && !r->maywrite) || (prot & PROT_EXEC))
		want = EACCES;
	else if (part && prot != r->prot)
		want = EINVAL;
	note_op(c, OP_RING_UNMAP, "mprotect mapped area %d %zu+%zu of %zu "
		"prot %d -> %d", r->area, first, n, pages, r->prot, prot);
	if (mprotect(r->p + first * PG, n * PG, prot)) {
		check_errno(c, OP_RING_UNMAP, "mprotect", -1, errno,
			    ERRS(EINVAL, EACCES, ENOMEM));
		if (errno != want && !(errno == ENOMEM && !want))
			violation(c, "mprotect of a ring mapping (area %d, "
				  "maywrite %d, %zu+%zu of %zu pages, prot %d "
				  "-> %d): %s, expected %s", r->area,
				  r->maywrite, first, n, pages, r->prot, prot,
				  strerror(errno),
				  want ? strerror(want) : "success");
		return;
	}
	if (want) {
		violation(c, "mprotect of a ring mapping (area %d, maywrite "
			  "%d, part %d, prot %d -> %d) succeeded, expected %s",
			  r->area, r->maywrite, part, r->prot, prot,
			  strerror(want));
		mc_drop(c, m);
		return;
	}
	r->prot = prot;
}

void op_ring_unmap(struct ctx *c)
{
	struct mchan *m = mc_pick(c);
	int i;

	if (!m || !m->nmaps) {
		if (m)
			mc_mmap(c, m);
		return;
	}
	i = (int)below(&c->r, m->nmaps);
	switch (below(&c->r, 10)) {
	case 0 ... 4:
		mc_munmap(c, m, i);
		return;
	case 5 ... 7:
		mc_mremap(c, m, i);
		return;
	default:
		mc_mprotect(c, m, i);
		return;
	}
}
