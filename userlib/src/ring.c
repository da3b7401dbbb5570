// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Mapped channels: the producer and the consumer of a KIPC_CHAN_F_MAPPED
 * channel share its ring and move bytes with plain loads and stores.  The
 * kernel is entered only to sleep (KIPC_IOC_RING_WAIT) and to wake a
 * sleeper (KIPC_IOC_RING_WAKE); kipc_ring(3) has the protocol.
 *
 * The peer's position is checked every time it is read
 * (0 <= prod - cons <= size, unsigned): a peer that writes nonsense gets
 * -EIO from then on, and no access ever leaves the mapping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* kipc_ring.alive of a handle whose page was not wiped by fork(). */
#define KIPC_RING_ALIVE	0x6b726e67

struct kipc_ring {
	/*
	 * The handle has a page of its own, with MADV_WIPEONFORK.  The
	 * ring's mappings are not inherited (VM_DONTCOPY), so a child must
	 * not follow the pointers below: there the page reads as zeros, and
	 * alive says so with one load, instead of a getpid() per call.
	 */
	unsigned int alive;
	unsigned int fork_safe;		/* the page is wiped on fork */
	unsigned int role;		/* KIPC_RING_READ or KIPC_RING_WRITE */
	int fd;
	int broken;			/* a bad position was seen: -EIO */
	uint64_t size;			/* data_size, a power of two */
	uint64_t pos;			/* ours; nobody else moves it */
	uint64_t pending;		/* reserved or peeked, not published */
	size_t page_size;
	const struct kipc_ring_state *state;
	struct kipc_ring_pos *own;
	const struct kipc_ring_pos *peer;
	unsigned char *data;		/* 2 * size bytes: the ring twice */
};

static void kipc_ring_unmap_areas(struct kipc_ring *ring)
{
	if (ring->state)
		munmap((void *)ring->state, ring->page_size);
	if (ring->own)
		munmap(ring->own, ring->page_size);
	if (ring->peer)
		munmap((void *)ring->peer, ring->page_size);
	if (ring->data)
		munmap(ring->data, 2 * ring->size);
}

static void *kipc_ring_mmap(int fd, size_t len, int prot, uint64_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/* What RING_INFO says must be mappable before anything is mapped. */
static int kipc_ring_info_sane(const struct kipc_ring_info *info)
{
	uint64_t pg = info->page_size, ds = info->data_size;
	long sys_pg = sysconf(_SC_PAGESIZE);

	if (sys_pg <= 0 || pg != (uint64_t)sys_pg)
		return 0;
	if (ds < pg || ds > KIPC_CAPACITY_CEILING || ds & (ds - 1))
		return 0;
	return !((info->state_off | info->prod_off | info->cons_off |
		  info->data_off) & (pg - 1)) &&
	       info->state_off < INT64_MAX / 2 &&
	       info->prod_off < INT64_MAX / 2 &&
	       info->cons_off < INT64_MAX / 2 &&
	       info->data_off < INT64_MAX / 2;
}

/*
 * State first (is this the ring RING_INFO described?), then our own
 * position page, whose writable mapping makes us the side's owner (EBUSY
 * if another mapping is), then the peer's and the data.
 */
static int kipc_ring_map_areas(struct kipc_ring *ring,
			       const struct kipc_ring_info *info)
{
	int wr = ring->role == KIPC_RING_WRITE;
	size_t pg = ring->page_size;

	ring->state = kipc_ring_mmap(ring->fd, pg, PROT_READ, info->state_off);
	if (!ring->state)
		return kipc_neg_errno();
	if (ring->state->magic != KIPC_RING_MAGIC ||
	    ring->state->data_size != info->data_size)
		return -EPROTO;
	ring->own = kipc_ring_mmap(ring->fd, pg, PROT_READ | PROT_WRITE,
				   wr ? info->prod_off : info->cons_off);
	if (!ring->own)
		return kipc_neg_errno();
	ring->peer = kipc_ring_mmap(ring->fd, pg, PROT_READ,
				    wr ? info->cons_off : info->prod_off);
	if (!ring->peer)
		return kipc_neg_errno();
	ring->data = kipc_ring_mmap(ring->fd, 2 * ring->size,
				    wr ? PROT_READ | PROT_WRITE : PROT_READ,
				    info->data_off);
	if (!ring->data)
		return kipc_neg_errno();
	/* Where the kernel's read() or write(), or the last owner, left it. */
	ring->pos = __atomic_load_n(&ring->own->pos, __ATOMIC_ACQUIRE);
	return 0;
}

KIPC_EXPORT int kipc_ring_map(int fd, unsigned int role,
			      struct kipc_ring **ringp)
{
	struct kipc_ring_info info;
	struct kipc_ring *ring;
	int ret;

	if (!ringp)
		return -EINVAL;
	*ringp = NULL;
	if (role != KIPC_RING_READ && role != KIPC_RING_WRITE)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, KIPC_IOC_RING_INFO, &info) < 0)
		return kipc_neg_errno();
	if (!(info.role & role))
		return -EBADF;
	if (!kipc_ring_info_sane(&info))
		return -EPROTO;

	ring = mmap(NULL, sizeof(*ring), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ring == MAP_FAILED)
		return -ENOMEM;
	/*
	 * A kernel built without madvise() (ENOSYS), or before 4.14
	 * (EINVAL), cannot wipe the page: the handle then works as well,
	 * but a child's copy is not detected (kipc_ring(3), BUGS).
	 */
	if (!madvise(ring, sizeof(*ring), MADV_WIPEONFORK)) {
		ring->fork_safe = 1;
	} else if (errno != ENOSYS && errno != EINVAL) {
		ret = kipc_neg_errno();
		munmap(ring, sizeof(*ring));
		return ret;
	}
	ring->role = role;
	ring->fd = fd;
	ring->size = info.data_size;
	ring->page_size = info.page_size;
	ret = kipc_ring_map_areas(ring, &info);
	if (ret) {
		kipc_ring_unmap_areas(ring);
		munmap(ring, sizeof(*ring));
		return ret;
	}
	ring->alive = KIPC_RING_ALIVE;
	*ringp = ring;
	return 0;
}

/*
 * In a child of fork() the handle's page is zeros and the ring's areas
 * are not there: free the page only, never munmap() addresses that the
 * child may have reused since.
 */
KIPC_EXPORT void kipc_ring_unmap(struct kipc_ring *ring)
{
	if (!ring)
		return;
	if (ring->alive == KIPC_RING_ALIVE)
		kipc_ring_unmap_areas(ring);
	munmap(ring, sizeof(*ring));
}

int kipc_ring_fork_safe(const struct kipc_ring *ring)
{
	return kipc_ring_alive(ring) && ring->fork_safe;
}

int kipc_ring_alive(const struct kipc_ring *ring)
{
	return ring && ring->alive == KIPC_RING_ALIVE;
}

KIPC_EXPORT int kipc_ring_fd(const struct kipc_ring *ring)
{
	if (!ring)
		return -EINVAL;
	return kipc_ring_alive(ring) ? ring->fd : -EFAULT;
}

KIPC_EXPORT size_t kipc_ring_size(const struct kipc_ring *ring)
{
	return kipc_ring_alive(ring) ? ring->size : 0;
}

/* The checks every call makes; role 0 takes either side. */
static int kipc_ring_usable(const struct kipc_ring *ring, unsigned int role)
{
	if (!ring)
		return -EINVAL;
	if (ring->alive != KIPC_RING_ALIVE)
		return -EFAULT;
	if (role && ring->role != role)
		return -EBADF;
	return ring->broken ? -EIO : 0;
}

static int kipc_ring_break(struct kipc_ring *ring)
{
	ring->broken = 1;
	return -EIO;
}

static unsigned int kipc_ring_flags(const struct kipc_ring *ring)
{
	return __atomic_load_n(&ring->state->flags, __ATOMIC_ACQUIRE);
}

static int kipc_ring_wait_ioctl(const struct kipc_ring *ring, uint64_t need)
{
	struct kipc_ring_wait w;

	memset(&w, 0, sizeof(w));
	w.flags = ring->role;
	if (ring->role == KIPC_RING_WRITE)
		w.need = need;
	return ioctl(ring->fd, KIPC_IOC_RING_WAIT, &w) < 0 ?
	       kipc_neg_errno() : 0;
}

/*
 * Make @len more bytes the peer's.  The fence orders our position's store
 * before the load of the peer's @waiting, as the kernel orders setting
 * @waiting before its re-check of our position: one of the two sees the
 * other, so a sleeper is never left behind.  Returns the wake-up's error,
 * if any; the bytes are published either way.
 */
static int kipc_ring_publish(struct kipc_ring *ring, uint64_t len)
{
	ring->pos += len;
	__atomic_store_n(&ring->own->pos, ring->pos, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ring->peer->waiting, __ATOMIC_RELAXED) &&
	    ioctl(ring->fd, KIPC_IOC_RING_WAKE) < 0)
		return kipc_neg_errno();
	return 0;
}

/*
 * The producer's view: room for how many bytes.  No reader left is EPIPE,
 * which the kernel gives (raising SIGPIPE, as write() does) when asked to
 * wait; if it waits instead, a reader came back (a named channel's node).
 */
static int kipc_ring_room(struct kipc_ring *ring, uint64_t *room)
{
	unsigned int flags = kipc_ring_flags(ring);
	uint64_t used;
	int ret;

	if (flags & KIPC_RING_BROKEN)
		return kipc_ring_break(ring);
	if (flags & KIPC_RING_READERS_GONE) {
		ret = kipc_ring_wait_ioctl(ring, 1);
		if (ret)
			return ret;
		if (kipc_ring_flags(ring) & KIPC_RING_READERS_GONE)
			return -EPIPE;
	}
	used = ring->pos - __atomic_load_n(&ring->peer->pos, __ATOMIC_ACQUIRE);
	if (used > ring->size)
		return kipc_ring_break(ring);
	*room = ring->size - used;
	return 0;
}

/* The consumer's view: how many bytes are queued. */
static int kipc_ring_queued(struct kipc_ring *ring, uint64_t *queued)
{
	if (kipc_ring_flags(ring) & KIPC_RING_BROKEN)
		return kipc_ring_break(ring);
	*queued = __atomic_load_n(&ring->peer->pos, __ATOMIC_ACQUIRE) -
		  ring->pos;
	if (*queued > ring->size)
		return kipc_ring_break(ring);
	return 0;
}

static void *kipc_ring_at(const struct kipc_ring *ring)
{
	return ring->data + (ring->pos & (ring->size - 1));
}

KIPC_EXPORT int kipc_ring_reserve(struct kipc_ring *ring, size_t len,
				  void **buf)
{
	uint64_t room;
	int ret = kipc_ring_usable(ring, KIPC_RING_WRITE);

	if (ret)
		return ret;
	if (!buf || !len || len > ring->size)
		return -EINVAL;
	ret = kipc_ring_room(ring, &room);
	if (ret)
		return ret;
	if (room < len)
		return -EAGAIN;
	ring->pending = len;
	*buf = kipc_ring_at(ring);
	return 0;
}

KIPC_EXPORT int kipc_ring_commit(struct kipc_ring *ring, size_t len)
{
	int ret = kipc_ring_usable(ring, KIPC_RING_WRITE);

	if (ret)
		return ret;
	if (len > ring->pending)
		return -EINVAL;
	if (!len)
		return 0;
	ring->pending -= len;
	return kipc_ring_publish(ring, len);
}

/*
 * Empty is end of file once no writer is left: the kernel sets
 * WRITERS_GONE after the last writer's bytes were published, so the
 * position read after the flag is the final one.
 */
KIPC_EXPORT ssize_t kipc_ring_peek(struct kipc_ring *ring, const void **buf)
{
	uint64_t queued;
	int ret = kipc_ring_usable(ring, KIPC_RING_READ);

	if (ret)
		return ret;
	if (!buf)
		return -EINVAL;
	ret = kipc_ring_queued(ring, &queued);
	if (ret)
		return ret;
	if (!queued) {
		if (!(kipc_ring_flags(ring) & KIPC_RING_WRITERS_GONE))
			return -EAGAIN;
		ret = kipc_ring_queued(ring, &queued);
		if (ret)
			return ret;
		if (!queued)
			return 0;
	}
	ring->pending = queued;
	*buf = kipc_ring_at(ring);
	return (ssize_t)queued;
}

KIPC_EXPORT int kipc_ring_release(struct kipc_ring *ring, size_t len)
{
	int ret = kipc_ring_usable(ring, KIPC_RING_READ);

	if (ret)
		return ret;
	if (len > ring->pending)
		return -EINVAL;
	if (!len)
		return 0;
	ring->pending -= len;
	return kipc_ring_publish(ring, len);
}

KIPC_EXPORT int kipc_ring_wait(struct kipc_ring *ring, size_t need)
{
	int ret = kipc_ring_usable(ring, 0);

	if (ret)
		return ret;
	/* The kernel wakes a consumer for any byte: it has no @need. */
	if (ring->role == KIPC_RING_READ ? need > 1 : need > ring->size)
		return -EINVAL;
	return kipc_ring_wait_ioctl(ring, need ? need : 1);
}

static int kipc_fd_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? kipc_neg_errno() : !!(fl & O_NONBLOCK);
}

/*
 * Copy out of the ring.  As read(2) (@as_read): O_NONBLOCK gives -EAGAIN
 * and a signal -EINTR; otherwise it waits through both.  O_NONBLOCK is
 * looked up only when the ring is empty, where a system call follows
 * anyway, so that fcntl() on the fd behind the library's back still
 * counts.
 */
static ssize_t kipc_ring_copy_out(struct kipc_ring *ring, void *buf,
				  size_t len, int as_read)
{
	const void *src;
	ssize_t n;
	int ret;

	if (!len)
		return kipc_ring_usable(ring, KIPC_RING_READ);
	for (;;) {
		n = kipc_ring_peek(ring, &src);
		if (n != -EAGAIN)
			break;
		if (as_read) {
			ret = kipc_fd_nonblocking(ring->fd);
			if (ret)
				return ret > 0 ? -EAGAIN : ret;
		}
		ret = kipc_ring_wait_ioctl(ring, 1);
		if (ret && (ret != -EINTR || as_read))
			return ret;
	}
	if (n <= 0)
		return n;
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(buf, src, (size_t)n);
	/* The bytes are ours now; a failed wake-up shows on the next call. */
	kipc_ring_release(ring, (size_t)n);
	return n;
}

/*
 * Copy into the ring.  As write(2) (@as_write): PIPE_BUF bytes or fewer go
 * in at once or not at all, O_NONBLOCK gives -EAGAIN and a signal -EINTR,
 * or the count so far.  Otherwise everything goes, in pieces of what
 * fits, through signals.  A producer that sleeps for half the ring rather
 * than for a byte is woken half as often per turn of the ring.
 */
static ssize_t kipc_ring_copy_in(struct kipc_ring *ring, const void *buf,
				 size_t len, int as_write)
{
	int atomic = as_write && len <= PIPE_BUF;
	uint64_t room, n, want;
	size_t done = 0;
	int ret;

	ret = kipc_ring_usable(ring, KIPC_RING_WRITE);
	if (ret || !len)
		return ret;
	ring->pending = 0;
	while (done < len) {
		want = len - done;
		ret = kipc_ring_room(ring, &room);
		if (ret)
			break;
		if (room >= want || (room && !atomic)) {
			n = room < want ? room : want;
			memcpy(kipc_ring_at(ring), (const char *)buf + done, n);
			kipc_ring_publish(ring, n);
			done += n;
			continue;
		}
		if (as_write) {
			ret = kipc_fd_nonblocking(ring->fd);
			if (ret) {
				ret = ret > 0 ? -EAGAIN : ret;
				break;
			}
		}
		if (!atomic && want > ring->size / 2)
			want = ring->size / 2;
		ret = kipc_ring_wait_ioctl(ring, want);
		if (ret && (ret != -EINTR || as_write))
			break;
	}
	return done ? (ssize_t)done : ret;
}

KIPC_EXPORT ssize_t kipc_ring_read(struct kipc_ring *ring, void *buf,
				   size_t len)
{
	if (len && !buf)
		return -EINVAL;
	return kipc_ring_copy_out(ring, buf, len, 0);
}

KIPC_EXPORT ssize_t kipc_ring_write(struct kipc_ring *ring, const void *buf,
				    size_t len)
{
	if (len && !buf)
		return -EINVAL;
	return kipc_ring_copy_in(ring, buf, len, 0);
}

ssize_t kipc_ring_chan_read(struct kipc_ring *ring, void *buf, size_t len)
{
	return kipc_ring_copy_out(ring, buf, len, 1);
}

ssize_t kipc_ring_chan_write(struct kipc_ring *ring, const void *buf,
			     size_t len)
{
	return kipc_ring_copy_in(ring, buf, len, 1);
}
