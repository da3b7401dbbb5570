// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Asynchronous channel I/O on the caller's io_uring.
 *
 * kipc_chan_prep_read() and kipc_chan_prep_write() fill one SQE, for
 * callers that drive the ring themselves.  kipc_aio adds a queue in front
 * of the ring: any number of requests may be queued; at most as many as
 * the completion ring holds are in the kernel at once (so the CQ never
 * overflows), and every completion makes room for the next request.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct kipc_aio_req {
	uint64_t user_data;
	const void *buf;
	unsigned int len;
	int fd;
	int write;
};

struct kipc_aio {
	struct io_uring *ring;

	/* Queued, not yet in an SQE: a growable FIFO. */
	struct kipc_aio_req *queue;
	unsigned int q_size;	/* slots, a power of two */
	unsigned int q_head;	/* next to take out */
	unsigned int q_tail;	/* next to put in */

	/* In an SQE or in the kernel: the user_data of each slot. */
	uint64_t *slot_data;
	unsigned int *free_slots;	/* a stack of free slot numbers */
	unsigned int nr_free;
	unsigned int max_inflight;
};

KIPC_EXPORT void kipc_chan_prep_read(struct io_uring_sqe *sqe,
				     const struct kipc_chan *chan, void *buf,
				     unsigned int len)
{
	int fd = kipc_chan_get_fd(chan, KIPC_CHAN_READ);

	/* Offset -1: a stream has no position to read at. */
	io_uring_prep_read(sqe, fd, buf, len, (__u64)-1);
}

KIPC_EXPORT void kipc_chan_prep_write(struct io_uring_sqe *sqe,
				      const struct kipc_chan *chan,
				      const void *buf, unsigned int len)
{
	int fd = kipc_chan_get_fd(chan, KIPC_CHAN_WRITE);

	io_uring_prep_write(sqe, fd, buf, len, (__u64)-1);
}

KIPC_EXPORT int kipc_aio_create(struct kipc_aio **aiop, struct io_uring *ring)
{
	struct kipc_aio *aio;
	unsigned int i;

	if (!aiop || !ring || !ring->cq.ring_entries)
		return -EINVAL;
	*aiop = NULL;
	aio = calloc(1, sizeof(*aio));
	if (!aio)
		return -ENOMEM;
	aio->ring = ring;
	aio->max_inflight = ring->cq.ring_entries;
	aio->slot_data = calloc(aio->max_inflight, sizeof(*aio->slot_data));
	aio->free_slots = calloc(aio->max_inflight, sizeof(*aio->free_slots));
	aio->q_size = 64;
	aio->queue = calloc(aio->q_size, sizeof(*aio->queue));
	if (!aio->slot_data || !aio->free_slots || !aio->queue) {
		kipc_aio_destroy(aio);
		return -ENOMEM;
	}
	for (i = 0; i < aio->max_inflight; i++)
		aio->free_slots[i] = aio->max_inflight - 1 - i;
	aio->nr_free = aio->max_inflight;
	*aiop = aio;
	return 0;
}

/*
 * The ring stays the caller's; requests still in the kernel complete into
 * it, and their CQEs are the caller's to reap.
 */
KIPC_EXPORT void kipc_aio_destroy(struct kipc_aio *aio)
{
	if (!aio)
		return;
	free(aio->queue);
	free(aio->slot_data);
	free(aio->free_slots);
	free(aio);
}

static unsigned int kipc_aio_queued(const struct kipc_aio *aio)
{
	return aio->q_tail - aio->q_head;
}

static int kipc_aio_grow(struct kipc_aio *aio)
{
	unsigned int n = kipc_aio_queued(aio), i;
	struct kipc_aio_req *q;

	if (aio->q_size > UINT32_MAX / 2)
		return -ENOMEM;
	q = calloc(aio->q_size * 2, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		q[i] = aio->queue[(aio->q_head + i) & (aio->q_size - 1)];
	free(aio->queue);
	aio->queue = q;
	aio->q_size *= 2;
	aio->q_head = 0;
	aio->q_tail = n;
	return 0;
}

/* Move queued requests into SQEs while there are SQEs and slots. */
static void kipc_aio_fill(struct kipc_aio *aio)
{
	struct io_uring_sqe *sqe;
	struct kipc_aio_req *req;
	unsigned int slot;

	while (kipc_aio_queued(aio) && aio->nr_free) {
		sqe = io_uring_get_sqe(aio->ring);
		if (!sqe)
			break;
		req = &aio->queue[aio->q_head++ & (aio->q_size - 1)];
		slot = aio->free_slots[--aio->nr_free];
		aio->slot_data[slot] = req->user_data;
		if (req->write)
			io_uring_prep_write(sqe, req->fd, req->buf, req->len,
					    (__u64)-1);
		else
			io_uring_prep_read(sqe, req->fd, (void *)req->buf,
					   req->len, (__u64)-1);
		io_uring_sqe_set_data64(sqe, slot);
	}
}

static int kipc_aio_queue(struct kipc_aio *aio, int fd, const void *buf,
			  unsigned int len, uint64_t user_data, int write)
{
	struct kipc_aio_req *req;
	int ret;

	if (kipc_aio_queued(aio) == aio->q_size) {
		ret = kipc_aio_grow(aio);
		if (ret)
			return ret;
	}
	req = &aio->queue[aio->q_tail++ & (aio->q_size - 1)];
	req->fd = fd;
	req->buf = buf;
	req->len = len;
	req->user_data = user_data;
	req->write = write;
	kipc_aio_fill(aio);
	return 0;
}

KIPC_EXPORT int kipc_aio_read(struct kipc_aio *aio, struct kipc_chan *chan,
			      void *buf, unsigned int len, uint64_t user_data)
{
	int fd;

	if (!aio || !chan)
		return -EINVAL;
	fd = kipc_chan_get_fd(chan, KIPC_CHAN_READ);
	if (fd < 0)
		return fd;
	return kipc_aio_queue(aio, fd, buf, len, user_data, 0);
}

KIPC_EXPORT int kipc_aio_write(struct kipc_aio *aio, struct kipc_chan *chan,
			       const void *buf, unsigned int len,
			       uint64_t user_data)
{
	int fd;

	if (!aio || !chan)
		return -EINVAL;
	fd = kipc_chan_get_fd(chan, KIPC_CHAN_WRITE);
	if (fd < 0)
		return fd;
	return kipc_aio_queue(aio, fd, buf, len, user_data, 1);
}

/* Returns the number of SQEs handed to the kernel, or -errno. */
KIPC_EXPORT int kipc_aio_submit(struct kipc_aio *aio)
{
	if (!aio)
		return -EINVAL;
	kipc_aio_fill(aio);
	return io_uring_submit(aio->ring);
}

KIPC_EXPORT unsigned int kipc_aio_pending(const struct kipc_aio *aio)
{
	return kipc_aio_queued(aio) + aio->max_inflight - aio->nr_free;
}

/* Reap what has completed, up to @max; refills the ring as it goes. */
static unsigned int kipc_aio_reap(struct kipc_aio *aio,
				  struct kipc_aio_result *results,
				  unsigned int max)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0, slot;

	while (n < max && !io_uring_peek_cqe(aio->ring, &cqe)) {
		slot = (unsigned int)io_uring_cqe_get_data64(cqe);
		results[n].user_data = aio->slot_data[slot];
		results[n].res = cqe->res;
		io_uring_cqe_seen(aio->ring, cqe);
		aio->free_slots[aio->nr_free++] = slot;
		n++;
	}
	return n;
}

/**
 * kipc_aio_wait - collect completions
 * @results: room for @max results
 * @min: wait until at least this many (fewer if fewer are pending)
 *
 * Queued requests are submitted as completions make room for them.
 * Returns the number of results, or -errno if none was collected (-EINTR
 * if a signal came first).  A short read or write is a result like any
 * other: resubmitting the rest is the caller's choice.
 */
KIPC_EXPORT int kipc_aio_wait(struct kipc_aio *aio,
			      struct kipc_aio_result *results,
			      unsigned int max, unsigned int min)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	int ret;

	if (!aio || (!results && max))
		return -EINVAL;
	if (min > max)
		min = max;

	for (;;) {
		n += kipc_aio_reap(aio, results + n, max - n);
		/* Slots came free: let queued requests take them. */
		kipc_aio_fill(aio);
		ret = io_uring_submit(aio->ring);
		if (ret < 0 && !n)
			return ret;
		if (n >= min || n >= max)
			break;
		/* Nothing in the kernel and nothing to submit: done. */
		if (aio->nr_free == aio->max_inflight)
			break;
		ret = io_uring_wait_cqe(aio->ring, &cqe);
		if (ret < 0) {
			if (n)
				break;
			return ret;
		}
	}
	return (int)n;
}
