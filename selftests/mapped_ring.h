/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapped_ring.h - the raw ring protocol of a mapped kipc channel, as the
 * selftests speak it to the kernel: no libkipc, only uapi/linux/kipc.h.
 *
 * A struct mring is one process's mapping of a channel fd in one role:
 *
 *	KIPC_RING_WRITE	the producer: state, cons read-only; prod, data
 *			writable.  Owns the producer side (write() is EBUSY).
 *	KIPC_RING_READ	the consumer: state, prod, data read-only; cons
 *			writable.  Owns the consumer side (read() is EBUSY).
 *
 * (A mapping of its own side's page by an end owns that side, read-only
 * or not; a view of the peer's page owns nothing.)
 *
 * The protocol is the contract's, step by step, with the orderings it
 * names (acquire loads of the peer's position, release stores of one's
 * own, a full fence before looking at the peer's @waiting).  A test that
 * finds the kernel at fault must be able to trust these few lines.
 *
 * Everything returns 0 (or a count) or -errno and never asserts, so the
 * helpers are safe in forked children.  The names are mring_*: kipc_ring_*
 * is libkipc's public API, which the selftests do not link.
 */
#ifndef KIPC_SELFTEST_MAPPED_RING_H
#define KIPC_SELFTEST_MAPPED_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/kipc.h>

/* mring_write() and mring_read() flags */
#define MRING_NONBLOCK	0x1	/* -EAGAIN rather than KIPC_IOC_RING_WAIT */
#define MRING_WHOLE	0x2	/* write: all @len bytes at once, or none */

struct mring {
	int fd;
	unsigned int role;
	struct kipc_ring_info info;
	const struct kipc_ring_state *state;
	struct kipc_ring_pos *prod;
	struct kipc_ring_pos *cons;
	unsigned char *data;		/* 2 * size bytes: the data twice */
	uint64_t size;
	uint64_t mask;
	/* What the protocol did, for tests that want it to have happened. */
	unsigned long waits;		/* KIPC_IOC_RING_WAIT calls */
	unsigned long wakes;		/* KIPC_IOC_RING_WAKE calls */
	unsigned long wake_errors;	/* ...that failed */
};

static inline int mring_info(int fd, struct kipc_ring_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, KIPC_IOC_RING_INFO, info) ? -errno : 0;
}

/* mmap() one area of a channel fd, MAP_SHARED: the address, or MAP_FAILED. */
static inline void *mring_mmap(int fd, uint64_t off, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)off);
}

/* mmap() an area; 0 with *@addr set, or -errno. */
static inline int mring_mmap_at(int fd, uint64_t off, size_t len, int prot,
				void **addr)
{
	void *p = mring_mmap(fd, off, len, prot);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static inline int mring_wait(int fd, unsigned int flags, uint64_t need)
{
	struct kipc_ring_wait w = { .flags = flags, .need = need };

	return ioctl(fd, KIPC_IOC_RING_WAIT, &w) ? -errno : 0;
}

static inline int mring_wake(int fd)
{
	return ioctl(fd, KIPC_IOC_RING_WAKE) ? -errno : 0;
}

/* Undo mring_map(): the side goes back to the kernel.  0 or -errno. */
static inline int mring_unmap(struct mring *r)
{
	size_t pg = r->info.page_size;
	int err = 0;

	if (r->data && munmap(r->data, 2 * r->size))
		err = -errno;
	if (r->cons && munmap(r->cons, pg) && !err)
		err = -errno;
	if (r->prod && munmap(r->prod, pg) && !err)
		err = -errno;
	if (r->state && munmap((void *)r->state, pg) && !err)
		err = -errno;
	r->data = NULL;
	r->cons = r->prod = NULL;
	r->state = NULL;
	return err;
}

/*
 * Map the four areas of @fd for @role.  The side's own page is mapped
 * last, so that a failure before it never holds the side.
 */
static inline int mring_map(struct mring *r, int fd, unsigned int role)
{
	int prod_prot = PROT_READ, cons_prot = PROT_READ, data_prot = PROT_READ;
	struct mring z = { .fd = fd, .role = role };
	void *p = NULL;
	int err;

	*r = z;
	err = mring_info(fd, &r->info);
	if (err)
		return err;
	r->size = r->info.data_size;
	r->mask = r->size - 1;
	if (role == KIPC_RING_WRITE)
		prod_prot = data_prot = PROT_READ | PROT_WRITE;
	else if (role == KIPC_RING_READ)
		cons_prot = PROT_READ | PROT_WRITE;
	else
		return -EINVAL;

	err = mring_mmap_at(fd, r->info.state_off, r->info.page_size,
			    PROT_READ, &p);
	if (err)
		goto fail;
	r->state = p;
	err = mring_mmap_at(fd, r->info.data_off, 2 * r->size, data_prot, &p);
	if (err)
		goto fail;
	r->data = p;
	if (role == KIPC_RING_WRITE) {
		err = mring_mmap_at(fd, r->info.cons_off, r->info.page_size,
				    cons_prot, &p);
		if (err)
			goto fail;
		r->cons = p;
		err = mring_mmap_at(fd, r->info.prod_off, r->info.page_size,
				    prod_prot, &p);
		if (err)
			goto fail;
		r->prod = p;
	} else {
		err = mring_mmap_at(fd, r->info.prod_off, r->info.page_size,
				    prod_prot, &p);
		if (err)
			goto fail;
		r->prod = p;
		err = mring_mmap_at(fd, r->info.cons_off, r->info.page_size,
				    cons_prot, &p);
		if (err)
			goto fail;
		r->cons = p;
	}
	return 0;
fail:
	mring_unmap(r);
	return err;
}

static inline uint64_t mring_load(const __u64 *pos)
{
	return __atomic_load_n(pos, __ATOMIC_ACQUIRE);
}

static inline uint32_t mring_flags(const struct mring *r)
{
	return __atomic_load_n(&r->state->flags, __ATOMIC_ACQUIRE);
}

/* Bytes queued as the mapping sees them (no validation). */
static inline uint64_t mring_queued(const struct mring *r)
{
	return mring_load(&r->prod->pos) - mring_load(&r->cons->pos);
}

/*
 * After publishing a position: a full fence orders that store before the
 * load of the peer's @waiting (the kernel sets @waiting, then re-checks
 * the position), so that one of the two always sees the other.
 */
static inline void mring_kick(struct mring *r, const struct kipc_ring_pos *peer)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&peer->waiting, __ATOMIC_RELAXED)) {
		r->wakes++;
		if (mring_wake(r->fd))
			r->wake_errors++;
	}
}

/*
 * Producer: commit up to @len bytes (all of them with MRING_WHOLE, which
 * needs @len <= size).  Returns the bytes committed; -EAGAIN when full
 * under MRING_NONBLOCK; -EPIPE when no reader is left (the kernel's
 * KIPC_IOC_RING_WAIT has raised SIGPIPE by then); -EIO when the peer's
 * position is out of range or the ring is broken; or what
 * KIPC_IOC_RING_WAIT failed with (-EINTR).
 */
static inline ssize_t mring_write(struct mring *r, const void *buf, size_t len,
				  unsigned int flags)
{
	uint64_t p, c, room, need;
	uint32_t st;
	int err;

	if (!len)
		return 0;
	if ((flags & MRING_WHOLE) && len > r->size)
		return -EINVAL;
	need = flags & MRING_WHOLE ? len : 1;
	for (;;) {
		p = r->prod->pos;	/* our own: no one else stores it */
		c = mring_load(&r->cons->pos);
		st = mring_flags(r);
		if (p - c > r->size || (st & KIPC_RING_BROKEN))
			return -EIO;
		if (st & KIPC_RING_READERS_GONE) {
			/* The kernel says EPIPE and raises SIGPIPE. */
			r->waits++;
			err = mring_wait(r->fd, KIPC_RING_WRITE, need);
			return err ? err : -EPROTO;
		}
		room = r->size - (p - c);
		if (room >= need)
			break;
		if (flags & MRING_NONBLOCK)
			return -EAGAIN;
		r->waits++;
		err = mring_wait(r->fd, KIPC_RING_WRITE, need);
		if (err)
			return err;
	}
	if (len > room)
		len = room;
	/* The double map makes every span of up to size bytes contiguous. */
	memcpy(r->data + (p & r->mask), buf, len);
	__atomic_store_n(&r->prod->pos, p + len, __ATOMIC_RELEASE);
	mring_kick(r, r->cons);
	return len;
}

/* Producer: all of @buf, waiting as needed: @len, or -errno. */
static inline ssize_t mring_write_all(struct mring *r, const void *buf,
				      size_t len)
{
	const unsigned char *b = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = mring_write(r, b + done, len - done, 0);
		if (n < 0)
			return n;
		done += n;
	}
	return len;
}

/*
 * Consumer: take up to @len bytes.  Returns the bytes taken; 0 at end of
 * file (the ring empty and no writer left); -EAGAIN when empty under
 * MRING_NONBLOCK; -EIO when the producer's position is out of range or
 * the ring is broken; or what KIPC_IOC_RING_WAIT failed with.
 */
static inline ssize_t mring_read(struct mring *r, void *buf, size_t len,
				 unsigned int flags)
{
	uint64_t p, c, queued;
	uint32_t st;
	int err;

	if (!len)
		return 0;
	for (;;) {
		c = r->cons->pos;	/* our own */
		p = mring_load(&r->prod->pos);
		queued = p - c;
		if (queued > r->size)
			return -EIO;
		if (queued)
			break;
		st = mring_flags(r);
		if (st & KIPC_RING_BROKEN)
			return -EIO;
		if (st & KIPC_RING_WRITERS_GONE) {
			/* Bytes committed before the last writer went? */
			p = mring_load(&r->prod->pos);
			if (p == c)
				return 0;
			continue;
		}
		if (flags & MRING_NONBLOCK)
			return -EAGAIN;
		r->waits++;
		err = mring_wait(r->fd, KIPC_RING_READ, 0);
		if (err)
			return err;
	}
	if (len > queued)
		len = queued;
	memcpy(buf, r->data + (c & r->mask), len);
	__atomic_store_n(&r->cons->pos, c + len, __ATOMIC_RELEASE);
	mring_kick(r, r->prod);
	return len;
}

/* Consumer: exactly @len bytes, waiting as needed: @len, or 0 at EOF first. */
static inline ssize_t mring_read_full(struct mring *r, void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = mring_read(r, b + done, len - done, 0);
		if (n <= 0)
			return n;
		done += n;
	}
	return len;
}

#endif /* KIPC_SELFTEST_MAPPED_RING_H */
