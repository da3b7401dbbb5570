// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: mapped channels from user space.
 *
 * Owns what a thread does through the mappings of its mapped channels:
 * the checks of what the pages hold (the state page, both positions and
 * waiting words, the data twice, the queued bytes), commits and releases
 * by the protocol of kipc(4), and hostile values stored where this
 * process may store: its own side's position (random, backwards, past the
 * other side, one past full), its waiting word and the rest of its page.
 * The kernel may only judge a hostile position when it looks (model.c's
 * mc_pull()); until then every answer is the old one.  Last, a peer in
 * another process, valid or hostile, racing this thread's read() or
 * write(): there the kernel's view is racy, and EIO or the old answer are
 * both right.
 */
#include "fuzz.h"

/* A mapping of @area (an owner if @owner) whose protection has @prot. */
struct rmap *mc_map_of(struct ctx *c, struct mchan *m, enum ring_area area,
		       bool owner, int prot)
{
	int start = m->nmaps ? (int)below(&c->r, m->nmaps) : 0;

	for (int j = 0; j < m->nmaps; j++) {
		struct rmap *r = &m->maps[(start + j) % m->nmaps];

		if (r->area == area && (!owner || r->owner) &&
		    (r->prot & prot) == prot)
			return r;
	}
	return NULL;
}

/*
 * Where in a data mapping with @prot the bytes from position @pos are:
 * at pos % cap or one ring further, up to *@n of them (fewer if the
 * mapping ends first).  NULL if no such mapping holds the first.
 */
static char *data_at(struct mchan *m, uint64_t pos, int prot, uint64_t *n)
{
	uint64_t o = pos & (m->cap - 1);

	for (int i = 0; i < m->nmaps; i++) {
		struct rmap *r = &m->maps[i];
		uint64_t a = (r->pgoff - RA_DATA) * PG, b = a + r->len;

		if (r->area != RA_DATA || (r->prot & prot) != prot)
			continue;
		for (uint64_t x = o; x < 2 * m->cap; x += m->cap) {
			if (x < a || x >= b)
				continue;
			if (*n > b - x)
				*n = b - x;
			return r->p + (x - a);
		}
	}
	return NULL;
}

/*
 * KIPC_IOC_RING_WAKE never fails on a mapped channel; it clears both
 * sides' KIPC_RING_WAITING as it wakes every sleeper.
 */
void mc_wake(struct ctx *c, struct mchan *m, int fd)
{
	if (fd < 0)
		return;
	if (ioctl(fd, KIPC_IOC_RING_WAKE, rnd(&c->r)))
		violation(c, "RING_WAKE: %s", strerror(errno));
	mc_side_touched(m, RA_CONS, 0);
	mc_side_touched(m, RA_PROD, 0);
}

/* ---------------------------------------------------------------- */
/* What the pages hold. */

static void check_state(struct ctx *c, struct mchan *m, struct rmap *r)
{
	struct kipc_ring_state *s = (struct kipc_ring_state *)r->p;
	uint32_t flags = __atomic_load_n(&s->flags, __ATOMIC_ACQUIRE);
	uint32_t want = mc_state_flags(m), mask = KIPC_RING_BROKEN;

	if (mc_certain(c, m))
		mask = ~0u;
	if (s->magic != KIPC_RING_MAGIC || s->data_size != m->cap ||
	    (flags & mask) != (want & mask)) {
		violation(c, "state page: magic %#x size %llu flags %#x, "
			  "expected size %llu flags %#x (mask %#x)", s->magic,
			  (unsigned long long)s->data_size, flags,
			  (unsigned long long)m->cap, want, mask);
		mc_describe(m, m->nfds ? m->fds[0].fd : -1);
		/* Go on from what the kernel says, not from a cascade. */
		m->broken = flags & KIPC_RING_BROKEN;
	}
}

static void check_pos(struct ctx *c, struct mchan *m, struct rmap *r)
{
	struct kipc_ring_pos *pp = (struct kipc_ring_pos *)r->p;
	bool prod = r->area == RA_PROD;
	uint64_t *pos = prod ? &m->prod : &m->cons;
	uint32_t *w = prod ? &m->prod_waiting : &m->cons_waiting;
	uint32_t unknown = prod ? m->prod_unknown : m->cons_unknown;
	uint64_t got = load_acq(&pp->pos);
	uint32_t gw = load_word(&pp->waiting);

	if ((got != *pos && !m->pos_unknown) ||
	    (gw & ~unknown) != (*w & ~unknown)) {
		violation(c, "%s page: pos %llu waiting %#x, expected %llu "
			  "%#x (unknown %#x)", prod ? "prod" : "cons",
			  (unsigned long long)got, gw, (unsigned long long)*pos,
			  *w, unknown);
		mc_describe(m, m->nfds ? m->fds[0].fd : -1);
		*pos = got;
		*w = gw;
	}
}

/*
 * The data are mapped twice: both copies of a byte are one.  The queued
 * bytes whose stream offsets the model knows must be the stream's.
 */
static void check_data(struct ctx *c, struct mchan *m, struct rmap *r)
{
	uint64_t a = (r->pgoff - RA_DATA) * PG, b = a + r->len, p, at;

	if (b - a > m->cap && memcmp(r->p, r->p + m->cap, b - a - m->cap))
		violation(c, "data mapping [%llu, %llu): the second copy of "
			  "the ring differs from the first",
			  (unsigned long long)a, (unsigned long long)b);
	if (m->broken || !mc_in_range(m))
		return;
	for (p = m->cons; p != m->prod; p++) {
		uint64_t n = 1;
		const char *x = NULL;
		uint64_t o = p & (m->cap - 1);

		for (uint64_t y = o; y < 2 * m->cap && !x; y += m->cap)
			if (y >= a && y < b)
				x = r->p + (y - a);
		if (x && mc_bytes_differ(m, x, p, n, &at)) {
			violation(c, "data mapping: byte at position %llu is "
				  "%#x, the stream's is %#x",
				  (unsigned long long)p, (uint8_t)*x,
				  gen_byte(m->key, p + m->delta));
			return;
		}
	}
}

/*
 * Everything the readable mappings of @m show against the model; the
 * data (queued bytes and the second copy) only if @data.  On a difference
 * the model takes the kernel's word, so that one fault is one report.
 */
void mc_check_pages(struct ctx *c, struct mchan *m, bool data)
{
	for (int i = 0; i < m->nmaps; i++) {
		struct rmap *r = &m->maps[i];

		if (!(r->prot & PROT_READ))
			continue;
		switch (r->area) {
		case RA_STATE:
			check_state(c, m, r);
			break;
		case RA_PROD:
		case RA_CONS:
			check_pos(c, m, r);
			break;
		case RA_DATA:
			if (data)
				check_data(c, m, r);
			break;
		default:
			break;
		}
	}
}

/* ---------------------------------------------------------------- */
/* The protocol, through the mappings. */

/*
 * A producer's commit: load the consumer's position (acquire), copy bytes
 * to data + (prod % cap), publish prod + n (release), full barrier, and
 * KIPC_IOC_RING_WAKE if the consumer's waiting word says so.  Only on a
 * ring that is not broken and whose positions are in range: a producer
 * that knows better stops there.
 */
static void ring_commit(struct ctx *c, struct mchan *m)
{
	struct rmap *pm = mc_map_of(c, m, RA_PROD, true, PROT_WRITE);
	struct rmap *cm = mc_map_of(c, m, RA_CONS, false, PROT_READ);
	struct kipc_ring_pos *pp, *cp;
	uint64_t room, n;
	uint32_t waiting;
	char *dst;

	if (!pm || m->broken || !mc_in_range(m))
		return;
	pp = (struct kipc_ring_pos *)pm->p;
	cp = cm ? (struct kipc_ring_pos *)cm->p : NULL;
	if (cp && load_acq(&cp->pos) != m->cons)
		violation(c, "commit: cons page says %llu, expected %llu",
			  (unsigned long long)load_acq(&cp->pos),
			  (unsigned long long)m->cons);
	room = m->cap - (m->prod - m->cons);
	if (!room)
		return;
	n = chance(&c->r, 20) ? room :
	    1 + below(&c->r, room < 3 * PG ? room : 3 * PG);
	dst = data_at(m, m->prod, PROT_WRITE, &n);
	if (!dst)
		return;
	note_op(c, OP_RING_USE, "commit %llu at %llu (cons %llu cap %llu)",
		(unsigned long long)n, (unsigned long long)m->prod,
		(unsigned long long)m->cons, (unsigned long long)m->cap);
	gen_fill(dst, m->key, m->prod + m->delta, n);
	store_rel(&pp->pos, m->prod + n);
	mc_prod_moved(m, m->prod + n, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	waiting = cp ? load_word(&cp->waiting) : m->cons_waiting;
	if (waiting)
		mc_wake(c, m, m->nfds ? m->fds[0].fd : -1);
}

/*
 * A consumer's release: load the producer's position (acquire), check the
 * bytes from data + (cons % cap) where a data mapping shows them, publish
 * cons + n (release), barrier, and wake a producer that waits.
 */
static void ring_release(struct ctx *c, struct mchan *m)
{
	struct rmap *cm = mc_map_of(c, m, RA_CONS, true, PROT_WRITE);
	struct rmap *pm = mc_map_of(c, m, RA_PROD, false, PROT_READ);
	struct kipc_ring_pos *pp, *cp;
	uint64_t q, n, shown, at;
	uint32_t waiting;
	char *src;

	if (!cm || m->broken || !mc_in_range(m))
		return;
	cp = (struct kipc_ring_pos *)cm->p;
	pp = pm ? (struct kipc_ring_pos *)pm->p : NULL;
	if (pp && load_acq(&pp->pos) != m->prod)
		violation(c, "release: prod page says %llu, expected %llu",
			  (unsigned long long)load_acq(&pp->pos),
			  (unsigned long long)m->prod);
	q = m->prod - m->cons;
	if (!q)
		return;
	n = chance(&c->r, 30) ? q : 1 + below(&c->r, q);
	shown = n;
	src = data_at(m, m->cons, PROT_READ, &shown);
	note_op(c, OP_RING_USE, "release %llu at %llu (prod %llu, %s)",
		(unsigned long long)n, (unsigned long long)m->cons,
		(unsigned long long)m->prod, src ? "checked" : "unseen");
	if (src && mc_bytes_differ(m, src, m->cons, shown, &at))
		violation(c, "release: byte at position %llu is %#x, the "
			  "stream's is %#x", (unsigned long long)(m->cons + at),
			  (uint8_t)src[at],
			  gen_byte(m->key, m->cons + at + m->delta));
	store_rel(&cp->pos, m->cons + n);
	m->cons += n;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	waiting = pp ? load_word(&pp->waiting) : m->prod_waiting;
	if (waiting)
		mc_wake(c, m, m->nfds ? m->fds[0].fd : -1);
}

/* Commit, release, or look at everything the mappings show. */
void op_ring_use(struct ctx *c)
{
	struct mchan *m = mc_pick(c);

	if (!m) {
		op_mchan(c);
		return;
	}
	switch (below(&c->r, 10)) {
	case 0 ... 3:
		ring_commit(c, m);
		return;
	case 4 ... 7:
		ring_release(c, m);
		return;
	default:
		note_op(c, OP_RING_USE, "check pages of a mapped channel");
		mc_check_pages(c, m, true);
		return;
	}
}

/* ---------------------------------------------------------------- */
/* Hostile values. */

/* A value for the position of @side: in range or far out of it. */
static uint64_t hostile_pos(struct ctx *c, struct mchan *m,
			    enum ring_area side)
{
	bool prod = side == RA_PROD;
	uint64_t own = prod ? m->prod : m->cons;
	uint64_t peer = prod ? m->cons : m->prod, cap = m->cap;

	switch (below(&c->r, 12)) {
	case 0:
		return rnd(&c->r);
	case 1:
		return own - 1 - below(&c->r, 2 * cap);	/* backwards */
	case 2:
		return prod ? peer - 1 : peer + 1;	/* past the other */
	case 3:
		return prod ? peer + cap + 1 : peer - cap - 1; /* past full */
	case 4:
		return prod ? peer + cap : peer - cap;	/* full: in range */
	case 5:
		return peer;				/* empty: in range */
	case 6:
		return own + cap + 1 + below(&c->r, cap);
	case 7:
		return UINT64_MAX - below(&c->r, 3);
	case 8:
		return 0;
	case 9:
		return own + 1 + below(&c->r, 16);
	case 10:
		return own - below(&c->r, 16);
	default:
		return 1ULL << below(&c->r, 64);
	}
}

static uint32_t hostile_word(struct ctx *c)
{
	switch (below(&c->r, 5)) {
	case 0:
		return (uint32_t)rnd(&c->r);
	case 1:
		return 0;
	case 2:
		return KIPC_RING_WAITING;
	case 3:
		return KIPC_RING_POLLED;
	default:
		return UINT32_MAX;
	}
}

/*
 * Store a hostile value through a writable mapping of a side this process
 * owns (mapping one first if need be).  Nothing changes for the kernel
 * until it looks: the state page must not say BROKEN yet.  Half the time
 * it is made to look at once (FIONREAD), where an out-of-range pair must
 * break the channel and give EIO.
 */
void op_ring_hostile(struct ctx *c)
{
	struct mchan *m = mc_pick(c);
	struct kipc_ring_pos *pp;
	enum ring_area side;
	struct rmap *r;
	uint64_t v;
	uint32_t w;
	int fdi;

	if (!m) {
		op_mchan(c);
		return;
	}
	side = chance(&c->r, 50) ? RA_PROD : RA_CONS;
	r = mc_map_of(c, m, side, true, PROT_WRITE);
	if (!r)
		r = mc_map_side(c, m, side);
	if (!r)
		return;
	pp = (struct kipc_ring_pos *)r->p;
	switch (below(&c->r, 10)) {
	case 0 ... 6:
		v = hostile_pos(c, m, side);
		note_op(c, OP_RING_HOSTILE, "hostile %s pos %llu (prod %llu "
			"cons %llu cap %llu)", side == RA_PROD ? "prod" : "cons",
			(unsigned long long)v, (unsigned long long)m->prod,
			(unsigned long long)m->cons, (unsigned long long)m->cap);
		if (chance(&c->r, 50))
			store_rel(&pp->pos, v);
		else
			*(volatile __u64 *)&pp->pos = v;
		if (side == RA_PROD)
			mc_prod_moved(m, v, false);
		else
			m->cons = v;
		break;
	case 7 ... 8:
		w = hostile_word(c);
		note_op(c, OP_RING_HOSTILE, "hostile %s waiting %#x",
			side == RA_PROD ? "prod" : "cons", w);
		*(volatile __u32 *)&pp->waiting = w;
		if (side == RA_PROD) {
			m->prod_waiting = w;
			m->prod_unknown = 0;
		} else {
			m->cons_waiting = w;
			m->cons_unknown = 0;
		}
		break;
	default:
		v = 12 + below(&c->r, PG - 12);
		note_op(c, OP_RING_HOSTILE, "hostile byte at %llu of %s page",
			(unsigned long long)v,
			side == RA_PROD ? "prod" : "cons");
		((volatile char *)r->p)[v] = (char)rnd(&c->r);
		break;
	}
	mc_check_pages(c, m, false);
	if (chance(&c->r, 50) && (fdi = mc_pick_fd(c, m, false, false)) >= 0)
		mc_fionread(c, m, fdi);
}
