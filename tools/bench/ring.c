// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c: the shared-memory family.  A region (System V segment, POSIX
 * shm object or kipc region, through libkipc) holds a single-producer,
 * single-consumer byte ring: copy in, copy out.  A side that keeps up
 * makes no system call; one that must wait sleeps on a futex in the
 * region, or, with XP_DOORBELL, on the kipc region's doorbell.  Latency
 * rows bounce a sequence number through the same region instead.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/*
 * The header page of a region used as an SPSC byte ring; the data follow
 * at RING_DATA_OFF.  Each side owns one cache line; the waiting flags tell
 * the other side that a wake-up is needed, so that a side that keeps up
 * makes no system call at all.
 */
struct ring_hdr {
	_Alignas(64) _Atomic uint64_t tail;	/* bytes produced (writer) */
	_Atomic uint32_t data_seq;		/* futex: data was added */
	_Atomic uint32_t reader_waiting;
	_Alignas(64) _Atomic uint64_t head;	/* bytes consumed (reader) */
	_Atomic uint32_t space_seq;		/* futex: room was made */
	_Atomic uint32_t writer_waiting;
	/* Last doorbell value a waker saw: a lower bound of the counter. */
	_Alignas(64) _Atomic uint64_t db_mirror;
	/* Ping-pong: the client bumps ping, the server copies it to pong. */
	_Alignas(64) _Atomic uint32_t ping;
	_Alignas(64) _Atomic uint32_t pong;
};

#define RING_DATA_OFF	4096

/* ------------------------------------------------------------------ */
/* The region, made in the main process                                */

static int ring_link(struct job *j, struct link *lk, char *why, size_t len)
{
	struct kipc_shm_opts o;
	void *addr;
	int ret;

	memset(&o, 0, sizeof(o));
	o.size = RING_DATA_OFF + cfg.ring_bytes;
	o.flags = O_CREAT | O_EXCL;
	ret = kipc_shm_create(&lk->shm, j->b->lib, &o);
	if (ret) {
		snprintf(why, len, "kipc_shm_create(%s): %s", j->b->mech,
			 kipc_strerror(ret));
		return ret;
	}
	ret = kipc_shm_attach(lk->shm, O_RDWR, &addr);
	if (ret) {
		snprintf(why, len, "kipc_shm_attach: %s", kipc_strerror(ret));
		return ret;
	}
	/*
	 * Remove the key or name at once: the mapping (inherited by the
	 * workers) keeps the memory, and nothing is left behind if we die.
	 */
	ret = kipc_shm_remove(lk->shm);
	if (ret) {
		snprintf(why, len, "kipc_shm_remove: %s", kipc_strerror(ret));
		return ret;
	}
	lk->hdr = addr;
	lk->data = (uint8_t *)addr + RING_DATA_OFF;
	lk->ring_cap = cfg.ring_bytes;
	memset(addr, 0, RING_DATA_OFF);
	j->capacity = (int64_t)cfg.ring_bytes;
	return 0;
}

static void ring_unlink(struct link *lk)
{
	kipc_shm_destroy(lk->shm);
}

/* ------------------------------------------------------------------ */
/* Sleeping and waking                                                 */

static bool use_bell(const struct wctx *w)
{
	return w->j->b->xp == XP_DOORBELL;
}

/*
 * Sleep on the doorbell past *@tok.  -EINTR is a spurious wake-up; the
 * callers look again in any case.
 */
static void bell_wait(struct wctx *w, uint64_t *tok)
{
	int ret = kipc_shm_wait(w->lk->shm, tok, -1);

	if (ret && ret != -EINTR)
		wfail(w, ret, "kipc_shm_wait");
	if (!ret)
		w->db_seen = *tok;
}

static uint64_t bell_ring(struct wctx *w)
{
	uint64_t seq;
	int ret = kipc_shm_wake(w->lk->shm, &seq);

	if (ret)
		wfail(w, ret, "kipc_shm_wake");
	w->db_seen = seq;
	return seq;
}

/* Sleep while *@word is @v; EAGAIN says it is not (any more). */
static void word_wait(struct wctx *w, _Atomic uint32_t *word, uint32_t v)
{
	if (futex_wait(word, v, NULL) && errno != EAGAIN && errno != EINTR)
		wfail(w, -errno, "futex wait");
}

/* ------------------------------------------------------------------ */
/* The byte ring                                                       */

static bool ring_ready(struct wctx *w, bool for_data, uint64_t pos)
{
	struct ring_hdr *h = w->lk->hdr;

	if (for_data)
		return atomic_load_explicit(&h->tail, memory_order_acquire) != pos;
	return pos - atomic_load_explicit(&h->head, memory_order_acquire) <
	       w->lk->ring_cap;
}

/* The wait token: the futex's value, or a lower bound of the doorbell. */
static uint64_t ring_token(struct wctx *w, _Atomic uint32_t *seq)
{
	uint64_t tok;

	if (!use_bell(w))
		return atomic_load(seq);
	tok = atomic_load(&w->lk->hdr->db_mirror);
	return tok < w->db_seen ? w->db_seen : tok;
}

/*
 * Sleep until the ring has data (reader) or room (writer).  The order
 * makes wake-ups impossible to lose: take the wait token (futex value or
 * doorbell bound), then raise the flag, then a full fence, then look
 * again; the other side publishes, fences, and wakes only if it sees the
 * flag.  With the doorbell, one counter serves both directions and the
 * token is only a lower bound, so a wait may return at once: harmless.
 */
static void ring_wait(struct wctx *w, bool for_data, uint64_t pos)
{
	struct ring_hdr *h = w->lk->hdr;
	_Atomic uint32_t *seq = for_data ? &h->data_seq : &h->space_seq;
	_Atomic uint32_t *flag = for_data ? &h->reader_waiting :
					    &h->writer_waiting;
	unsigned int i;
	uint64_t tok;

	for (;;) {
		for (i = 0; i < cfg.spin; i++) {
			if (ring_ready(w, for_data, pos))
				return;
			cpu_relax();
		}
		tok = ring_token(w, seq);
		atomic_store(flag, 1);
		atomic_thread_fence(memory_order_seq_cst);
		if (ring_ready(w, for_data, pos)) {
			atomic_store(flag, 0);
			return;
		}
		if (use_bell(w))
			bell_wait(w, &tok);
		else
			word_wait(w, seq, (uint32_t)tok);
		atomic_store(flag, 0);
		if (ring_ready(w, for_data, pos))
			return;
	}
}

/* Wake the other side if, and only if, it said it sleeps. */
static void ring_notify(struct wctx *w, bool data)
{
	struct ring_hdr *h = w->lk->hdr;
	_Atomic uint32_t *flag = data ? &h->reader_waiting : &h->writer_waiting;
	_Atomic uint32_t *seq = data ? &h->data_seq : &h->space_seq;

	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(flag, memory_order_relaxed) ||
	    !atomic_exchange(flag, 0))
		return;
	if (use_bell(w)) {
		atomic_store(&h->db_mirror, bell_ring(w));
	} else {
		atomic_fetch_add(seq, 1);
		futex_wake(seq, 1);
	}
}

/*
 * The longest run that can be copied at once: no more than @len, than
 * what is there (@avail), or than what is left before the ring wraps.
 */
static size_t ring_chunk(const struct link *lk, uint64_t pos, size_t len,
			 uint64_t avail)
{
	uint64_t off = pos & (lk->ring_cap - 1);
	size_t chunk = len;

	if (chunk > avail)
		chunk = avail;
	if (chunk > lk->ring_cap - off)
		chunk = lk->ring_cap - off;
	return chunk;
}

static void ring_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	struct link *lk = w->lk;
	uint64_t space;
	size_t chunk;

	(void)dir;
	while (len) {
		space = lk->ring_cap - (w->pos -
			atomic_load_explicit(&lk->hdr->head, memory_order_acquire));
		if (!space) {
			ring_wait(w, false, w->pos);
			continue;
		}
		chunk = ring_chunk(lk, w->pos, len, space);
		memcpy(lk->data + (w->pos & (lk->ring_cap - 1)), buf, chunk);
		w->pos += chunk;
		atomic_store_explicit(&lk->hdr->tail, w->pos,
				      memory_order_release);
		ring_notify(w, true);
		buf += chunk;
		len -= chunk;
	}
}

static size_t ring_recv_some(struct wctx *w, int dir, uint8_t *buf, size_t len)
{
	struct link *lk = w->lk;
	uint64_t avail;
	size_t chunk;

	(void)dir;
	for (;;) {
		avail = atomic_load_explicit(&lk->hdr->tail,
					     memory_order_acquire) - w->pos;
		if (avail)
			break;
		ring_wait(w, true, w->pos);
	}
	chunk = ring_chunk(lk, w->pos, len, avail);
	memcpy(buf, lk->data + (w->pos & (lk->ring_cap - 1)), chunk);
	w->pos += chunk;
	atomic_store_explicit(&lk->hdr->head, w->pos, memory_order_release);
	ring_notify(w, false);
	return chunk;
}

/* ------------------------------------------------------------------ */
/* Ping-pong: a sequence number is the 1-byte message                  */

/* Sleep while *@word is still @v, on whichever the backend uses. */
static void pp_wait(struct wctx *w, _Atomic uint32_t *word, uint32_t v)
{
	uint64_t seq = w->db_seen;

	if (use_bell(w))
		bell_wait(w, &seq);
	else
		word_wait(w, word, v);
}

static void pp_wake(struct wctx *w, _Atomic uint32_t *word)
{
	if (use_bell(w))
		bell_ring(w);
	else
		futex_wake(word, 1);
}

static void ring_ping(struct wctx *w, uint32_t k)
{
	struct ring_hdr *h = w->lk->hdr;
	uint32_t v;

	atomic_store(&h->ping, k);
	pp_wake(w, &h->ping);
	while ((v = atomic_load(&h->pong)) != k)
		pp_wait(w, &h->pong, v);
}

static void ring_pong(struct wctx *w, uint32_t k)
{
	struct ring_hdr *h = w->lk->hdr;
	uint32_t v;

	/* Until the client posts @k, ping still holds the one before. */
	while ((v = atomic_load(&h->ping)) == k - 1)
		pp_wait(w, &h->ping, v);
	atomic_store(&h->pong, v);
	pp_wake(w, &h->pong);
}

const struct family fam_ring = {
	.link = ring_link,
	.unlink = ring_unlink,
	.send = ring_send,
	.recv_some = ring_recv_some,
	.ping = ring_ping,
	.pong = ring_pong,
};
