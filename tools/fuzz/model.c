// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: the model, what the kernel must answer.
 *
 * Each thread keeps objects of three kinds:
 *
 *  - tracked channels (anonymous pairs and named channels of its own): a
 *    model of the bytes and packets, or the messages (model-msg.c),
 *    queued, so that every read is compared byte for byte with what was
 *    written, and every non-blocking result (count, EAGAIN, EPIPE, EOF,
 *    poll bits, FIONREAD, stats) is predicted;
 *  - tracked regions (private keys or keys of its own): a model of the
 *    mappings (VMAs) the thread made, so that nattch, the seals, the
 *    doorbell and the contents of the first pages are predicted;
 *  - untracked objects: named channels and regions whose names and keys
 *    all threads of all workers share and race on (create, remove, open,
 *    map), and fds handed out by fuzzed ioctls; only their errnos are
 *    checked.
 *
 * This file owns the predictions for the first two kinds: a channel's
 * queue of byte runs and packets, what a write queues and a read
 * delivers, its poll bits with the end's low-water marks, the capacity
 * rules, and a region's mappings.
 *
 * Where the model cannot know the truth, it does not predict: a channel's
 * counts while a live child may still hold an open file the model has
 * closed (a "ghost"), a region's nattch while any child of the worker
 * lives, and RWF_NOWAIT's EAGAIN while a child closing its copy may hold
 * the channel's lock.  Certainty must hold from the start of an operation
 * to its check, as another thread may reap a child meanwhile.
 *
 * Nothing here makes a system call or draws from the generator: asking
 * the model a question never changes the run.
 */
#include "fuzz.h"

/* The module's parameters, read by main() before the workers start. */
uint64_t mod_default_cap = 65536;
uint64_t mod_max_cap = 1 << 20;

/* ---------------------------------------------------------------- */
/* Certainty: when the model may predict counts. */

/*
 * Can the model be sure of the kernel's counts?  A child's copies of fds
 * the model has since closed still count, so only if no child of this
 * worker was alive at any time since the operation began: none then, and
 * no fork since.  One look at kids_alive after a call is not enough:
 * another thread may have reaped the child that held a copy during it.
 */
void certainty_begin(struct ctx *c)
{
	c->gone_epoch = atomic_load(&kids_gone_epoch);
	c->sure_gen = atomic_load(&fork_gen);
	c->sure = atomic_load(&kids_alive) == 0;
}

bool certain(const struct ctx *c)
{
	return c->sure && atomic_load(&fork_gen) == c->sure_gen;
}

/*
 * A channel's counts are finer: children hold copies of its open files,
 * but those count for the kernel only once the model has closed its own
 * (see pchan's ghost); a copy of an open file the model still holds
 * changes nothing, as readers and writers count open files, not fds.
 */
bool ch_certain(const struct ctx *c, struct pchan *ch)
{
	if (ch->ghost && (int)(c->gone_epoch - ch->ghost_epoch) > 0)
		ch->ghost = false;
	return !ch->ghost;
}

/*
 * RWF_NOWAIT gives EAGAIN when another task holds the channel's lock, as
 * it should: io_uring then retries from a worker.  Here that is a child
 * closing its copy of the channel, so it can only happen while one lives.
 */
bool nowait_contended(const struct ctx *c, int how, long ret, int err)
{
	return how == IO_NOWAIT && ret < 0 && err == EAGAIN && !certain(c);
}

/* ---------------------------------------------------------------- */
/* The data stream: what a reader must find at each offset. */

void gen_fill(char *dst, uint32_t key, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (char)gen_byte(key, off + i);
}

/*
 * Compare @buf with the @np pieces of stream @key it should hold, back to
 * back.  On a difference, say where: *@at in @buf, *@off in the stream.
 */
bool stream_differs(uint32_t key, const char *buf, const struct piece *pieces,
		    int np, uint64_t *at, uint64_t *off)
{
	uint64_t pos = 0;

	for (int i = 0; i < np; i++) {
		for (uint64_t j = 0; j < pieces[i].len; j++) {
			if ((uint8_t)buf[pos + j] !=
			    gen_byte(key, pieces[i].off + j)) {
				*at = pos + j;
				*off = pieces[i].off + j;
				return true;
			}
		}
		pos += pieces[i].len;
	}
	return false;
}

/* ---------------------------------------------------------------- */
/* Capacities. */

/* What a channel that asks for no capacity gets. */
uint64_t default_cap(void)
{
	uint64_t c = mod_default_cap;

	if (c < KIPC_CAPACITY_MIN)
		c = KIPC_CAPACITY_MIN;
	if (c > KIPC_CAPACITY_CEILING)
		c = KIPC_CAPACITY_CEILING;
	return c;
}

/* kipc_capacity_check(): 0, EINVAL or EPERM for a capacity asked for. */
int cap_errno(struct ctx *c, uint64_t cap, uint64_t now)
{
	if (cap < KIPC_CAPACITY_MIN || cap > KIPC_CAPACITY_CEILING)
		return EINVAL;
	if (cap > now && cap > mod_max_cap && c->unpriv)
		return EPERM;
	return 0;
}

/*
 * EACCES or 0 for an open with @accmode of a node with mode bits @mode.
 * Tracked channels are the process's own, so the owner's bits decide;
 * root passes.  A write end of a mapped channel (@mapped) needs read
 * permission too: it sees the ring's bytes.
 */
static int open_perm_errno(const struct ctx *c, unsigned int mode,
			   int accmode, bool mapped)
{
	bool r = accmode != O_WRONLY || mapped, w = accmode != O_RDONLY;

	if (c->unpriv && ((r && !(mode & 0400)) || (w && !(mode & 0200))))
		return EACCES;
	return 0;
}

/*
 * The errno an open with @flags of a tracked named channel owes, by its
 * node or by KIPC_IOC_CHAN_OPEN, with a FIFO's rules: ENOENT once
 * @removed, EACCES by the mode bits, ENXIO for a non-blocking writer
 * without readers; -1 where it would wait for a partner (a reader for a
 * writer, a writer for a blocking reader); else 0.  @readers and
 * @writers are the model's open files.
 */
int fifo_open_errno(const struct ctx *c, bool removed, unsigned int mode,
		    bool mapped, int readers, int writers, int flags)
{
	int acc = flags & O_ACCMODE;

	if (removed)
		return ENOENT;
	if (open_perm_errno(c, mode, acc, mapped))
		return EACCES;
	if (acc == O_WRONLY && !readers)
		return flags & O_NONBLOCK ? ENXIO : -1;
	if (acc == O_RDONLY && !writers && !(flags & O_NONBLOCK))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Tracked channels: the queue, as fs/pipe.c keeps it. */

/* Open files (not fds: dups share one) that read, or write. */
int ch_readers(struct pchan *ch)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ch->ofds[i].refs && ch->ofds[i].rd;
	return n;
}

int ch_writers(struct pchan *ch)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ch->ofds[i].refs && ch->ofds[i].wr;
	return n;
}

static struct seg *seg_at(struct pchan *ch, int i)
{
	return &ch->segs[(ch->seg_head + i) % MAX_SEGS];
}

static void seg_push(struct pchan *ch, uint32_t len, bool pkt)
{
	struct seg *last = ch->nseg ? seg_at(ch, ch->nseg - 1) : NULL;

	if (!len)
		return;
	if (!pkt && last && !last->pkt) {
		last->len += len;
	} else {
		*seg_at(ch, ch->nseg) = (struct seg){ .len = len, .pkt = pkt };
		ch->nseg++;
		if (pkt)
			ch->npkts++;
	}
	ch->queued += len;
}

static void seg_pop(struct pchan *ch)
{
	struct seg *s = seg_at(ch, 0);

	if (s->pkt)
		ch->npkts--;
	ch->seg_head = (ch->seg_head + 1) % MAX_SEGS;
	ch->nseg--;
}

unsigned int nr_pkts_for(uint64_t cap)
{
	return (unsigned int)((cap + PIPE_BUF_SZ - 1) / PIPE_BUF_SZ);
}

/* The ring went with the last fd: what was queued is gone. */
void ch_ring_freed(struct pchan *ch)
{
	ch->rd_off = ch->wr_off;
	ch->queued = 0;
	ch->nseg = 0;
	ch->seg_head = 0;
	ch->npkts = 0;
	ch->pkts_alloc = false;
	ch->nr_pkts = 0;
	msg_clear(&ch->mq);
}

/* Bytes a write of @total would queue now, without sleeping. */
uint64_t ch_write_amount(struct pchan *ch, bool direct, uint64_t total)
{
	uint64_t room = ch->cap - ch->queued, done = 0;
	unsigned int pkts = ch->npkts;

	if (!direct) {
		if (total <= PIPE_BUF_SZ)
			return room >= total ? total : 0;
		return total < room ? total : room;
	}
	while (done < total) {
		uint64_t need = total - done;

		if (need > PIPE_BUF_SZ)
			need = PIPE_BUF_SZ;
		if (room < need || pkts >= ch->nr_pkts)
			break;
		room -= need;
		done += need;
		pkts++;
	}
	return done;
}

void ch_apply_write(struct pchan *ch, bool direct, uint64_t n)
{
	ch->wr_off += n;
	ch->st_written += n;
	if (!direct) {
		seg_push(ch, (uint32_t)n, false);
		return;
	}
	while (n) {
		uint64_t k = n > PIPE_BUF_SZ ? PIPE_BUF_SZ : n;

		seg_push(ch, (uint32_t)k, true);
		n -= k;
	}
}

/*
 * A read of @want bytes into a buffer whose first @valid bytes are
 * accessible: fill @pieces with (stream offset, length) of what is
 * delivered, return the bytes delivered, and consume if @apply.
 * *@efault tells that the copy faulted before anything was delivered.
 */

uint64_t ch_read_sim(struct pchan *ch, uint64_t want, uint64_t valid,
			    struct piece *pieces, int *npieces, bool apply,
			    bool *efault)
{
	uint64_t r = 0, rd_off = ch->rd_off, partial = 0, gone = 0;
	int i = 0, whole = 0, np = 0;

	*efault = false;
	while (want && i < ch->nseg) {
		struct seg *s = seg_at(ch, i);
		uint64_t n = s->len < want ? s->len : want;
		uint64_t d = valid - r < n ? valid - r : n;

		if (!s->pkt) {
			/* Bytes: what was copied is consumed, up to a fault. */
			if (d)
				pieces[np++] = (struct piece){ rd_off, d };
			r += d;
			rd_off += d;
			want -= d;
			if (d == s->len) {
				whole++;
				gone += d;
				i++;
				continue;
			}
			partial = d;
			if (d < n)
				*efault = !r;
			break;
		}
		/*
		 * A packet: read alone, the rest of it dropped.  One whose
		 * copy faults stays queued, whole, as in pipe_read().
		 */
		if (d < n) {
			*efault = !r;
			break;
		}
		pieces[np++] = (struct piece){ rd_off, d };
		r += d;
		rd_off += s->len;
		gone += s->len;
		whole++;
		break;
	}
	if (apply) {
		while (whole--)
			seg_pop(ch);
		if (partial)
			seg_at(ch, 0)->len -= (uint32_t)partial;
		ch->queued -= gone + partial;
		ch->rd_off = rd_off;
		ch->st_read += r;
	}
	*npieces = np;
	return r;
}

/* ---------------------------------------------------------------- */
/* An end's options (struct kipc_end_opts), as the kernel uses them. */

/* The timeout of an end's reads, or (@wr) of its writes; 0: none. */
uint64_t end_timeo(const struct ofd *o, bool wr)
{
	return wr ? o->opts.sndtimeo_ns : o->opts.rcvtimeo_ns;
}

/* Bytes queued before poll says POLLIN: 1 at least, the capacity at most. */
uint64_t rcvlowat_of(const struct ofd *o, uint64_t cap)
{
	uint64_t w = o->opts.rcvlowat ? o->opts.rcvlowat : 1;

	return w < cap ? w : cap;
}

/* Room (a message's length) for POLLOUT: PIPE_BUF unless set, capped. */
uint64_t sndlowat_of(const struct ofd *o, uint64_t cap)
{
	uint64_t w = o->opts.sndlowat ? o->opts.sndlowat : PIPE_BUF_SZ;

	return w < cap ? w : cap;
}

/*
 * What poll() must say of a tracked channel fd: bytes from the end's
 * rcvlowat on, or whatever is left once no writer is; room for its
 * sndlowat (and a packet slot for an O_DIRECT writer).  A message channel
 * is readable with any message queued, and writable when a message of
 * sndlowat bytes fits.
 */
short ch_poll_mask(struct pchan *ch, struct ofd *o)
{
	short m = 0;

	if (o->rd) {
		if (ch->queued && (ch->msg || !ch_writers(ch) ||
				   ch->queued >= rcvlowat_of(o, ch->cap)))
			m |= POLLIN | POLLRDNORM;
		if (!ch_writers(ch) && o->w_seen != ch->w_counter)
			m |= POLLHUP;
	}
	if (o->wr) {
		if (ch->msg ? msg_writable(ch, o) :
		    ch->queued <= ch->cap &&
		    ch->cap - ch->queued >= sndlowat_of(o, ch->cap) &&
		    (!o->direct || !ch->pkts_alloc || ch->npkts < ch->nr_pkts))
			m |= POLLOUT | POLLWRNORM;
		if (!ch_readers(ch))
			m |= POLLERR;
	}
	return m;
}

/* ---------------------------------------------------------------- */
/* Tracked regions: the mappings this thread made. */

/*
 * A mapping through which the region may be written (a writable fd, not
 * write-sealed when mapped): while one exists, SEAL_WRITE is EBUSY, as it
 * is for memfd.
 */
bool rg_shared_vma(struct preg *g)
{
	for (int i = 0; i < g->nvma; i++)
		if (g->vmas[i].shared)
			return true;
	return false;
}

/* The last fd and mapping of a removed region are gone: so is it. */
void rg_maybe_gone(struct preg *g)
{
	if (g->removed && !g->nfds && !g->nvma)
		g->used = false;
}

/* Split @m around [a, a+len): keep the outer pieces, return the middle. */
void vma_split(struct preg *g, struct vma *m, uintptr_t a, size_t len,
		      bool drop_middle, int newprot)
{
	struct vma old = *m;
	uintptr_t end = a + len, oend = old.start + old.len;
	int idx = (int)(m - g->vmas);

	g->vmas[idx] = g->vmas[--g->nvma];
	if (a > old.start) {
		struct vma left = old;

		left.len = a - old.start;
		g->vmas[g->nvma++] = left;
	}
	if (!drop_middle) {
		struct vma mid = old;

		mid.start = a;
		mid.len = len;
		mid.pgoff = old.pgoff + (a - old.start) / PG;
		mid.prot = newprot;
		g->vmas[g->nvma++] = mid;
	}
	if (end < oend) {
		struct vma right = old;

		right.start = end;
		right.len = oend - end;
		right.pgoff = old.pgoff + (end - old.start) / PG;
		g->vmas[g->nvma++] = right;
	}
}

/* ---------------------------------------------------------------- */
/* Mapped channels: positions in shared pages, hostile or not. */

/* An open file lives while an fd or a mapping of its ring holds it. */
bool ofd_alive(const struct ofd *o)
{
	return o->refs || o->maps;
}

int mc_readers(struct mchan *m)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ofd_alive(&m->ofds[i]) && m->ofds[i].rd;
	return n;
}

int mc_writers(struct mchan *m)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ofd_alive(&m->ofds[i]) && m->ofds[i].wr;
	return n;
}

/* As ch_certain(): no child may hold an open file the model let go. */
bool mc_certain(const struct ctx *c, struct mchan *m)
{
	if (m->ghost && (int)(c->gone_epoch - m->ghost_epoch) > 0)
		m->ghost = false;
	return !m->ghost;
}

/* A side (RA_PROD, RA_CONS) belongs to a mapping of its page. */
bool mc_owned(const struct mchan *m, enum ring_area side)
{
	for (int i = 0; i < m->nmaps; i++)
		if (m->maps[i].area == side && m->maps[i].owner)
			return true;
	return false;
}

/* 0 <= prod - cons <= capacity, in the pages: kipcm_mring_positions(). */
bool mc_in_range(const struct mchan *m)
{
	return m->prod - m->cons <= m->cap;
}

/*
 * The kernel takes the positions in (kipcm_mring_pull()): whatever
 * wrote them, a pair out of range breaks the channel for good.  The
 * pages hold the kernel's own positions for the sides it owns, so the
 * model's pair is what the kernel judges.  Returns whether it is broken.
 */
bool mc_pull(struct mchan *m)
{
	if (!mc_in_range(m))
		m->broken = true;
	return m->broken;
}

/* What the state page must say (kipcm_mring_update_state()). */
uint32_t mc_state_flags(struct mchan *m)
{
	uint32_t f = 0;

	if (!mc_writers(m))
		f |= KIPC_RING_WRITERS_GONE;
	if (!mc_readers(m))
		f |= KIPC_RING_READERS_GONE;
	if (m->broken)
		f |= KIPC_RING_BROKEN;
	return f;
}

/* Capacity 0: the default, rounded down to a power of two of pages. */
uint64_t mc_default_cap(void)
{
	uint64_t d = default_cap(), c = PG;

	while (c * 2 <= d)
		c *= 2;
	return c;
}

/* The errno of a mapped channel's capacity: as any, and a power of two. */
int mc_cap_errno(struct ctx *c, uint64_t cap, uint64_t now)
{
	int err = cap_errno(c, cap, now);

	if (!err && (cap & (cap - 1)))
		err = EINVAL;
	return err;
}

/* A new ring: zeroed pages.  Its stream goes on where the old one was. */
void mc_ring_fresh(struct mchan *m)
{
	m->delta += m->prod;
	m->prod = m->cons = 0;
	m->prod_waiting = m->cons_waiting = 0;
	m->prod_unknown = m->cons_unknown = 0;
	m->broken = false;
	m->pos_unknown = false;
	m->known_from = m->known_to = 0;
}

/*
 * KIPC_IOC_SET_CAPACITY: the queued bytes start the new ring at 0, and
 * the waiting words start over from what the channel knows (poll's bit;
 * no sleeper here).
 */
void mc_ring_moved(struct mchan *m, uint64_t cap)
{
	uint64_t tail = m->cons;
	uint32_t polled = m->polled ? KIPC_RING_POLLED : 0;

	m->delta += tail;
	m->prod -= tail;
	m->cons = 0;
	m->known_from = m->known_from > tail ? m->known_from - tail : 0;
	m->known_to = m->known_to > tail ? m->known_to - tail : 0;
	m->cap = cap;
	m->prod_waiting = m->cons_waiting = polled;
	m->prod_unknown = m->cons_unknown = 0;
}

/*
 * The kernel touched a side's waiting word (kipcm_mring_side_bits()): it
 * adds @set, and KIPC_RING_WAITING says whether kernel sleepers are left,
 * which no operation of this thread's leaves behind.
 */
void mc_side_touched(struct mchan *m, enum ring_area side, uint32_t set)
{
	uint32_t *w = side == RA_PROD ? &m->prod_waiting : &m->cons_waiting;
	uint32_t *u = side == RA_PROD ? &m->prod_unknown : &m->cons_unknown;

	*w = (*w | set) & ~KIPC_RING_WAITING;
	*u &= ~(set | KIPC_RING_WAITING);
}

/*
 * The producer's position is now @prod: after its bytes (a write, a
 * commit), or without them (a hostile value).  Bytes at the old positions
 * stay where they were; a position moved blindly makes everything below
 * it unknown, which is more than needed but never wrong.
 */
void mc_prod_moved(struct mchan *m, uint64_t prod, bool with_bytes)
{
	if (with_bytes) {
		if (prod > m->known_to)
			m->known_to = prod;
	} else if (prod != m->prod && prod > m->known_from) {
		m->known_from = prod;
	}
	m->prod = prod;
}

/*
 * Compare @n bytes read from position @pos with the stream, where the
 * model knows them; *@at is the first that differs.
 */
bool mc_bytes_differ(const struct mchan *m, const char *buf, uint64_t pos,
		     uint64_t n, uint64_t *at)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = pos + i;

		if (p < m->known_from || p >= m->known_to)
			continue;
		if ((uint8_t)buf[i] != gen_byte(m->key, p + m->delta)) {
			*at = i;
			return true;
		}
	}
	return false;
}

/*
 * poll() on a mapped channel: from the positions in the pages, without
 * the lock; out of range or broken is POLLERR (and POLLIN for a reader,
 * so that it reads and gets EIO).  The low-water marks as a byte
 * channel's: room is the end's sndlowat, PIPE_BUF unless set.
 */
short mc_poll_mask(struct mchan *m, struct ofd *o)
{
	uint64_t q = m->prod - m->cons;
	short mask = 0;

	if (!mc_in_range(m) || m->broken)
		return POLLERR | (o->rd ? POLLIN | POLLRDNORM : 0);
	if (o->rd) {
		if (q && (q >= rcvlowat_of(o, m->cap) || !mc_writers(m)))
			mask |= POLLIN | POLLRDNORM;
		if (!mc_writers(m) && o->w_seen != m->w_counter)
			mask |= POLLHUP;
	}
	if (o->wr) {
		if (m->cap - q >= sndlowat_of(o, m->cap))
			mask |= POLLOUT | POLLWRNORM;
		if (!mc_readers(m))
			mask |= POLLERR;
	}
	return mask;
}
