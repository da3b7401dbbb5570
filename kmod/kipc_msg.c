// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message channels (KIPC_CHAN_F_MESSAGE): every write() is one
 * message, delivered whole by one read(), highest priority first and in
 * order within a priority, as POSIX message queues deliver them; with the
 * file semantics of a channel (EOF, EPIPE and SIGPIPE, poll, FIFO opens).
 *
 * A message channel has no byte ring.  Each message is its own buffer on
 * one of KIPC_MSG_PRIO_MAX lists (struct kipcm_msgq), and the channel's
 * @head and @tail count cost, not bytes: a message costs its length plus
 * KIPC_MSG_OVERHEAD, so that the capacity bounds the memory of the queue,
 * empty messages included.  A writer first waits for room and reserves its
 * cost, and only then allocates and copies: a blocked writer holds no
 * memory, and the queue never holds more than the capacity plus one
 * message (the one that fits an empty channel), besides the buffers kept
 * for reuse (struct kipcm_msgq), which are at most the capacity again.
 *
 * Readers and writers take only ->lock, briefly, and never across a copy
 * to or from user memory: a reader takes its message off the queue and
 * copies it out afterwards; if that copy faults, or the message does not
 * fit, it goes back at the head of its priority, so that nothing is lost.
 * A peek copies the message into a buffer of its own under the lock.
 *
 * A reader that finds the queue empty sleeps on the queue's own list of
 * waiters (struct kipcm_msg_waiter), and a writer that finds one there
 * hands it the message without queueing it, as ipc/mqueue.c's pipelined
 * send does: the reader wakes with its message and never takes the lock
 * again.  Peeks and poll() wait on ->rd_wait as on any channel.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include <linux/kipc.h>

#include "kipc.h"
#include "kipc_chan.h"

void kipcm_msgq_init(struct kipcm_msgq *q)
{
	int i;

	for (i = 0; i < KIPC_MSG_PRIO_MAX; i++)
		INIT_LIST_HEAD(&q->prio[i]);
	q->nonempty = 0;
	q->hot = NULL;
	INIT_LIST_HEAD(&q->waiters);
	init_llist_head(&q->spares);
	atomic_long_set(&q->spare_bytes, 0);
}

void kipcm_msgq_push(struct kipcm_msgq *q, struct kipcm_msg *msg)
{
	list_add_tail(&msg->node, &q->prio[msg->priority]);
	q->nonempty |= BIT(msg->priority);
}

/* A message whose copy out faulted goes back where it was. */
void kipcm_msgq_push_front(struct kipcm_msgq *q, struct kipcm_msg *msg)
{
	list_add(&msg->node, &q->prio[msg->priority]);
	q->nonempty |= BIT(msg->priority);
}

/* The message a read takes next: the oldest of the highest priority. */
struct kipcm_msg *kipcm_msgq_first(const struct kipcm_msgq *q)
{
	if (!q->nonempty)
		return NULL;
	return list_first_entry(&q->prio[__fls(q->nonempty)],
				struct kipcm_msg, node);
}

void kipcm_msgq_unlink(struct kipcm_msgq *q, struct kipcm_msg *msg)
{
	list_del(&msg->node);
	if (list_empty(&q->prio[msg->priority]))
		q->nonempty &= ~BIT(msg->priority);
}

u64 kipcm_msg_cost(size_t len)
{
	return (u64)len + KIPC_MSG_OVERHEAD;
}

/*
 * May a message of @len bytes join @used bytes of cost in @capacity?  Into
 * an empty channel any message up to the capacity fits, or a message as
 * long as the capacity could never be sent.
 */
bool kipcm_msg_fits(u64 used, u64 capacity, u64 len)
{
	if (len > capacity)
		return false;
	if (!used)
		return true;
	return used <= capacity && capacity - used >= kipcm_msg_cost(len);
}

struct kipcm_msgq *kipcm_msgq_alloc(void)
{
	struct kipcm_msgq *q = kmalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);

	if (q)
		kipcm_msgq_init(q);
	return q;
}

/* The last file is gone: so are the messages, as a FIFO's bytes. */
void kipcm_msgq_free(struct kipcm_msgq *q)
{
	struct kipcm_msg *msg, *next;

	if (!q)
		return;
	while ((msg = kipcm_msgq_first(q))) {
		kipcm_msgq_unlink(q, msg);
		kvfree(msg);
	}
	llist_for_each_entry_safe(msg, next, llist_del_all(&q->spares), spare)
		kvfree(msg);
	kvfree(q->hot);
	kfree(q);
}

/*
 * Would a spare buffer of @room bytes do for @len?  Not one much larger:
 * the spares follow the sizes in use, rather than pin the largest ever.
 */
static bool kipcm_msg_spare_fits(size_t room, size_t len)
{
	return room >= len && room - len <= max_t(size_t, len, SZ_256);
}

/* A writer's buffer: a spare, under ->lock, if the first one fits. */
static struct kipcm_msg *kipcm_msg_take_spare(struct kipcm_msgq *q)
{
	struct llist_node *node = llist_del_first(&q->spares);
	struct kipcm_msg *msg;

	if (!node)
		return NULL;
	msg = llist_entry(node, struct kipcm_msg, spare);
	atomic_long_sub(msg->room, &q->spare_bytes);
	return msg;
}

/*
 * A read message's buffer: kept for a writer while within the capacity,
 * in @hot if that is free (a writer takes it without the lock), else on
 * the list.
 */
static void kipcm_msg_recycle(struct kipcm_chan *chan, struct kipcm_msg *msg)
{
	struct kipcm_msgq *q = chan->msgq;

	if (atomic_long_add_return(msg->room, &q->spare_bytes) >
	    READ_ONCE(chan->capacity)) {
		atomic_long_sub(msg->room, &q->spare_bytes);
		kvfree(msg);
		return;
	}
	if (!cmpxchg(&q->hot, NULL, msg))
		return;
	llist_add(&msg->spare, &q->spares);
}

/* The buffer in @hot, if it does for @len bytes; any other is freed. */
static struct kipcm_msg *kipcm_msg_take_hot(struct kipcm_msgq *q, size_t len)
{
	struct kipcm_msg *msg = xchg(&q->hot, NULL);

	if (!msg)
		return NULL;
	atomic_long_sub(msg->room, &q->spare_bytes);
	if (kipcm_msg_spare_fits(msg->room, len))
		return msg;
	kvfree(msg);
	return NULL;
}

/* Cost queued or reserved: what a new message must fit beside. */
static u64 kipcm_msg_used(const struct kipcm_chan *chan)
{
	return READ_ONCE(chan->head) - READ_ONCE(chan->tail) +
	       READ_ONCE(chan->reserved);
}

/* Would a message of @len bytes fit now?  Poll asks with the sndlowat. */
bool kipcm_msg_has_room(const struct kipcm_chan *chan, u64 len)
{
	return kipcm_msg_fits(kipcm_msg_used(chan), READ_ONCE(chan->capacity),
			      len);
}

/* The writers' wait condition: room, or no reader left.  Lockless. */
static bool kipcm_msg_writable(const struct kipcm_chan *chan, u64 len)
{
	return !READ_ONCE(chan->readers) || kipcm_msg_has_room(chan, len);
}

/* Readers wait exclusively, as on a byte channel: one message, one reader. */
static int kipcm_msg_wait_readable(struct kipcm_chan *chan, long *timeo)
{
	return kipcm_wait_timeout(chan->rd_wait, kipcm_chan_readable(chan), 1,
				  timeo);
}

/* What one receive asked for and what it got. */
struct kipcm_msg_recv {
	u32 flags;		/* KIPC_MSG_PEEK, KIPC_MSG_TRUNC */
	bool nonblock;
	u64 size;		/* out: the message's length */
	u32 priority;		/* out */
	u32 result;		/* out: KIPC_MSG_TRUNCATED, KIPC_MSG_EOF */
};

static int kipcm_msg_lock(struct kipcm_chan *chan, struct kiocb *iocb)
{
	if (iocb && (iocb->ki_flags & IOCB_NOWAIT))
		return mutex_trylock(&chan->lock) ? 0 : -EAGAIN;
	mutex_lock(&chan->lock);
	return 0;
}

/*
 * A reader asleep on an empty queue, on its @waiters list: a writer sets
 * @msg, takes it off the list and wakes @task.  On the reader's stack;
 * under ->lock.
 */
struct kipcm_msg_waiter {
	struct list_head node;
	struct task_struct *task;
	struct kipcm_msg *msg;
};

/* Everybody who waits for a message: the queue changed under them. */
static void kipcm_msg_wake_readers(struct kipcm_chan *chan)
{
	struct kipcm_msg_waiter *w;

	lockdep_assert_held(&chan->lock);
	list_for_each_entry(w, &chan->msgq->waiters, node)
		wake_up_process(w->task);
	wake_up_interruptible_poll(&chan->rd_wait, EPOLLIN | EPOLLRDNORM);
}

/* The last writer went: readers asleep for a message get end of file. */
void kipcm_msg_writers_gone(struct kipcm_chan *chan)
{
	if (chan->msgq)
		kipcm_msg_wake_readers(chan);
}

/*
 * Sleep, with ->lock held and dropped meanwhile, until a writer hands
 * over a message (returned, never queued, with ->lock NOT held), a
 * message is queued or the writers go (NULL: look again), a signal or the
 * timeout (ERR_PTR); ->lock is held again in those cases.
 */
static struct kipcm_msg *kipcm_msg_wait_handed(struct kipcm_chan *chan,
					       long *timeo)
{
	struct kipcm_msg_waiter w = { .task = current };
	struct kipcm_msg *msg = NULL;
	int ret = 0;

	list_add_tail(&w.node, &chan->msgq->waiters);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		mutex_unlock(&chan->lock);
		if (!READ_ONCE(w.msg))
			*timeo = schedule_timeout(*timeo);
		__set_current_state(TASK_RUNNING);
		/* Off the list already: the writer's last touch of @w. */
		msg = smp_load_acquire(&w.msg);
		if (msg)
			return msg;
		mutex_lock(&chan->lock);
		/* Handed over while we took the lock. */
		if (w.msg)
			break;
		if (kipcm_msgq_first(chan->msgq) || !chan->writers)
			break;
		ret = kipcm_wait_ended(*timeo);
		if (ret)
			break;
	}
	if (w.msg) {
		mutex_unlock(&chan->lock);
		return w.msg;
	}
	list_del(&w.node);
	return ret ? ERR_PTR(ret) : NULL;
}

/*
 * Wait, with ->lock held, for the next message, and take it off the queue
 * (not for a peek): NULL at end of file (KIPC_MSG_EOF), else the message,
 * or an ERR_PTR without the lock.  A message a writer handed over
 * (*@handed) comes without the lock too.
 */
static struct kipcm_msg *kipcm_msg_wait_first(struct kipcm_chan_file *cf,
					      struct kiocb *iocb,
					      struct kipcm_msg_recv *r,
					      bool *woken, bool *handed)
{
	struct kipcm_chan *chan = cf->chan;
	long timeo = READ_ONCE(cf->rcvtimeo);
	struct kipcm_msg *msg;
	int ret;

	while (!(msg = kipcm_msgq_first(chan->msgq))) {
		if (!chan->writers) {
			r->result = KIPC_MSG_EOF;
			return NULL;
		}
		ret = -EAGAIN;
		if (r->nonblock)
			goto out_unlock;
		chan->stats.read_waits++;
		if (!(r->flags & KIPC_MSG_PEEK)) {
			msg = kipcm_msg_wait_handed(chan, &timeo);
			if (!msg)
				continue;
			if (!IS_ERR(msg)) {
				*handed = true;
				return msg;
			}
			ret = PTR_ERR(msg);
			goto out_unlock;
		}
		mutex_unlock(&chan->lock);
		ret = kipcm_msg_wait_readable(chan, &timeo);
		if (ret)
			return ERR_PTR(ret);
		ret = kipcm_msg_lock(chan, iocb);
		if (ret) {
			/* Woken, then refused the lock: pass the wake-up on. */
			wake_up_interruptible_poll(&chan->rd_wait,
						   EPOLLIN | EPOLLRDNORM);
			return ERR_PTR(ret);
		}
		*woken = true;
	}
	if (!(r->flags & KIPC_MSG_PEEK)) {
		kipcm_msgq_unlink(chan->msgq, msg);
		WRITE_ONCE(chan->tail, chan->tail + kipcm_msg_cost(msg->len));
		WRITE_ONCE(chan->messages, chan->messages - 1);
	}
	return msg;

out_unlock:
	mutex_unlock(&chan->lock);
	return ERR_PTR(ret);
}

/* A peek: the first @n bytes of @msg, copied under ->lock, then out. */
static ssize_t kipcm_msg_copy_peek(struct kipcm_chan *chan,
				   const struct kipcm_msg *msg, size_t off,
				   size_t n, struct iov_iter *to)
{
	char *copy = NULL;
	size_t done;

	lockdep_assert_held(&chan->lock);
	if (n) {
		copy = kvmalloc(n, GFP_KERNEL_ACCOUNT);
		if (!copy) {
			mutex_unlock(&chan->lock);
			return -ENOMEM;
		}
		memcpy(copy, msg->data + off, n);
	}
	mutex_unlock(&chan->lock);
	done = n ? copy_to_iter(copy, n, to) : 0;
	kvfree(copy);
	return done < n ? -EFAULT : n;
}

/*
 * A taken message that was not delivered (too long for the buffer, or its
 * copy faulted) goes back at the head of its priority, as if never taken.
 */
static void kipcm_msg_untake(struct kipcm_chan *chan, struct kipcm_msg *msg)
{
	mutex_lock(&chan->lock);
	kipcm_msgq_push_front(chan->msgq, msg);
	WRITE_ONCE(chan->tail, chan->tail - kipcm_msg_cost(msg->len));
	WRITE_ONCE(chan->messages, chan->messages + 1);
	kipcm_msg_wake_readers(chan);
	mutex_unlock(&chan->lock);
}

/*
 * Take (or with KIPC_MSG_PEEK, copy) the next message into @to.  Returns
 * the bytes copied, 0 at end of file (KIPC_MSG_EOF), or -errno: EMSGSIZE
 * leaves the message queued, and so does EFAULT.
 */
static ssize_t kipcm_msg_recv(struct kipcm_chan_file *cf, struct kiocb *iocb,
			      struct iov_iter *to, struct kipcm_msg_recv *r)
{
	struct kipcm_chan *chan = cf->chan;
	bool woken = false, handed = false;
	struct kipcm_msg *msg;
	size_t n, done;
	ssize_t ret;

	ret = kipcm_msg_lock(chan, iocb);
	if (ret)
		return ret;
	msg = kipcm_msg_wait_first(cf, iocb, r, &woken, &handed);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (!msg) {
		mutex_unlock(&chan->lock);
		return 0;
	}

	r->size = msg->len;
	r->priority = msg->priority;
	n = min(iov_iter_count(to), msg->len);
	if (msg->len > n)
		r->result = KIPC_MSG_TRUNCATED;
	if (r->flags & KIPC_MSG_PEEK) {
		if (msg->len > n && !(r->flags & KIPC_MSG_TRUNC)) {
			mutex_unlock(&chan->lock);
			ret = -EMSGSIZE;
		} else {
			ret = kipcm_msg_copy_peek(chan, msg, 0, n, to);
		}
		goto out_wake;
	}
	if (!handed) {
		woken = woken && chan->messages;
		mutex_unlock(&chan->lock);
	}

	if (msg->len > n && !(r->flags & KIPC_MSG_TRUNC)) {
		kipcm_msg_untake(chan, msg);
		return -EMSGSIZE;
	}
	/* Writers wait for room of their own size: any room may do. */
	if (wq_has_sleeper(&chan->wr_wait))
		wake_up_interruptible_sync_poll(&chan->wr_wait,
						EPOLLOUT | EPOLLWRNORM);
	kill_fasync(&chan->fasync_writers, SIGIO, POLL_OUT);

	done = copy_to_iter(msg->data, n, to);
	if (done < n) {
		kipcm_msg_untake(chan, msg);
		return -EFAULT;
	}
	WRITE_ONCE(chan->stats.bytes_read, chan->stats.bytes_read + n);
	kipcm_msg_recycle(chan, msg);
	kipcm_chan_count_io(n, 0);
	ret = n;

out_wake:
	/*
	 * One woken reader passes the baton on while messages are left, as
	 * on a byte channel: a writer woke only one of them.
	 */
	if (woken && READ_ONCE(chan->messages))
		wake_up_interruptible_sync_poll(&chan->rd_wait,
						EPOLLIN | EPOLLRDNORM);
	return ret;
}

/* Give back a writer's reservation that queued nothing. */
static void kipcm_msg_unreserve(struct kipcm_chan *chan, u64 cost)
{
	mutex_lock(&chan->lock);
	WRITE_ONCE(chan->reserved, chan->reserved - cost);
	mutex_unlock(&chan->lock);
	wake_up_interruptible_sync_poll(&chan->wr_wait, EPOLLOUT | EPOLLWRNORM);
}

/* EPIPE, and SIGPIPE to the writing thread, as pipe_write(). */
static int kipcm_msg_no_reader(void)
{
	send_sig(SIGPIPE, current, 0);
	return -EPIPE;
}

/*
 * Reserve room for a message of @len bytes: wait until it fits, within
 * the end's send timeout.  Returns 0 with the cost reserved, or -errno.
 */
static int kipcm_msg_reserve(struct kipcm_chan_file *cf, struct kiocb *iocb,
			     size_t len, bool nonblock,
			     struct kipcm_msg **spare)
{
	struct kipcm_chan *chan = cf->chan;
	long timeo = READ_ONCE(cf->sndtimeo);
	int ret;

	ret = kipcm_msg_lock(chan, iocb);
	if (ret)
		return ret;
	for (;;) {
		if (!chan->readers) {
			ret = kipcm_msg_no_reader();
			break;
		}
		/* KIPC_IOC_SET_CAPACITY may have shrunk it meanwhile. */
		if (len > chan->capacity) {
			ret = -EMSGSIZE;
			break;
		}
		if (kipcm_msg_fits(chan->head - chan->tail + chan->reserved,
				   chan->capacity, len)) {
			WRITE_ONCE(chan->reserved,
				   chan->reserved + kipcm_msg_cost(len));
			*spare = kipcm_msg_take_spare(chan->msgq);
			ret = 0;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		chan->stats.write_waits++;
		mutex_unlock(&chan->lock);
		ret = kipcm_wait_timeout(chan->wr_wait,
					 kipcm_msg_writable(chan, len), 0,
					 &timeo);
		if (!ret)
			ret = kipcm_msg_lock(chan, iocb);
		if (ret)
			return ret;
	}
	mutex_unlock(&chan->lock);
	return ret;
}

/*
 * Give @msg to the first reader asleep on the empty queue, and drop
 * ->lock: it was sent and taken at once.  The waiter is on its reader's
 * stack, gone once that reader runs: only the task is used after.
 */
static void kipcm_msg_hand_over(struct kipcm_chan *chan, struct kipcm_msg *msg)
{
	struct kipcm_msg_waiter *w;
	struct task_struct *task;
	u64 cost = kipcm_msg_cost(msg->len);

	w = list_first_entry(&chan->msgq->waiters, struct kipcm_msg_waiter,
			     node);
	list_del_init(&w->node);
	task = w->task;
	get_task_struct(task);
	/* The last touch of @w: the reader may return as soon as it sees it. */
	smp_store_release(&w->msg, msg);
	WRITE_ONCE(chan->head, chan->head + cost);
	WRITE_ONCE(chan->tail, chan->tail + cost);
	chan->stats.high_water = max(chan->stats.high_water, cost);
	mutex_unlock(&chan->lock);
	wake_up_process(task);
	put_task_struct(task);
}

/*
 * Queue @msg, already copied in, or hand it to a waiting reader; called
 * with ->lock held, which it drops.  Returns its length, or -EPIPE (with
 * SIGPIPE) if the readers went meanwhile: nobody will ever read it.
 */
static ssize_t kipcm_msg_queue(struct kipcm_chan *chan, struct kipcm_msg *msg)
{
	u64 cost = kipcm_msg_cost(msg->len);
	size_t len = msg->len;
	bool was_empty;

	if (!chan->readers) {
		mutex_unlock(&chan->lock);
		kipcm_msg_recycle(chan, msg);
		wake_up_interruptible_sync_poll(&chan->wr_wait,
						EPOLLOUT | EPOLLWRNORM);
		return kipcm_msg_no_reader();
	}
	chan->stats.bytes_written += len;
	if (!chan->msgq->nonempty && !list_empty(&chan->msgq->waiters)) {
		kipcm_msg_hand_over(chan, msg);
		kipcm_chan_count_io(0, len);
		return len;
	}
	was_empty = chan->head == chan->tail;
	kipcm_msgq_push(chan->msgq, msg);
	WRITE_ONCE(chan->head, chan->head + cost);
	WRITE_ONCE(chan->messages, chan->messages + 1);
	chan->stats.high_water = max(chan->stats.high_water,
				     chan->head - chan->tail);
	mutex_unlock(&chan->lock);

	/* As a byte channel: on every message once polled, for EPOLLET. */
	if (was_empty || READ_ONCE(chan->poll_used))
		wake_up_interruptible_sync_poll(&chan->rd_wait,
						EPOLLIN | EPOLLRDNORM);
	kill_fasync(&chan->fasync_readers, SIGIO, POLL_IN);
	kipcm_chan_count_io(0, len);
	return len;
}

/*
 * The common case, with one trip through ->lock: a reader is there, the
 * message fits, and the buffer the last reader gave back does for it.
 * Returns false when the slow path must run (no such buffer, or no room
 * any more), with @from as it came; else true, with the length or -errno
 * in *@ret.
 */
static bool kipcm_msg_send_fast(struct kipcm_chan *chan, struct kiocb *iocb,
				struct iov_iter *from, u32 priority,
				ssize_t *ret)
{
	size_t len = iov_iter_count(from);
	struct kipcm_msg *msg;

	if (!READ_ONCE(chan->readers) || !kipcm_msg_has_room(chan, len))
		return false;
	msg = kipcm_msg_take_hot(chan->msgq, len);
	if (!msg)
		return false;
	if (!copy_from_iter_full(msg->data, len, from)) {
		kipcm_msg_recycle(chan, msg);
		*ret = -EFAULT;
		return true;
	}
	msg->len = len;
	msg->priority = priority;
	/* Only IOCB_NOWAIT fails to lock: the slow path says EAGAIN. */
	if (kipcm_msg_lock(chan, iocb))
		goto out_revert;
	if (chan->readers &&
	    !kipcm_msg_fits(chan->head - chan->tail + chan->reserved,
			    chan->capacity, len)) {
		mutex_unlock(&chan->lock);
		goto out_revert;
	}
	*ret = kipcm_msg_queue(chan, msg);
	return true;

out_revert:
	iov_iter_revert(from, len);
	kipcm_msg_recycle(chan, msg);
	return false;
}

/*
 * Queue the message in @from at @priority.  Returns its length, or
 * -errno with nothing queued.
 */
static ssize_t kipcm_msg_send(struct kipcm_chan_file *cf, struct kiocb *iocb,
			      struct iov_iter *from, u32 priority,
			      bool nonblock)
{
	struct kipcm_chan *chan = cf->chan;
	size_t len = iov_iter_count(from);
	u64 cost = kipcm_msg_cost(len);
	bool nowait = iocb && (iocb->ki_flags & IOCB_NOWAIT);
	struct kipcm_msg *msg = NULL;
	ssize_t ret;

	if (len > READ_ONCE(chan->capacity))
		return -EMSGSIZE;
	if (kipcm_msg_send_fast(chan, iocb, from, priority, &ret))
		return ret;
	ret = kipcm_msg_reserve(cf, iocb, len, nonblock, &msg);
	if (ret)
		return ret;

	if (msg && !kipcm_msg_spare_fits(msg->room, len)) {
		kvfree(msg);
		msg = NULL;
	}
	if (!msg) {
		/* Never waits under IOCB_NOWAIT: io_uring retries later. */
		msg = kvmalloc(struct_size(msg, data, len),
			       nowait ? GFP_NOWAIT | __GFP_ACCOUNT |
					__GFP_NOWARN : GFP_KERNEL_ACCOUNT);
		if (!msg) {
			ret = nowait ? -EAGAIN : -ENOMEM;
			goto out_unreserve;
		}
		msg->room = len;
	}
	if (!copy_from_iter_full(msg->data, len, from)) {
		ret = -EFAULT;
		goto out_free;
	}
	msg->len = len;
	msg->priority = priority;

	mutex_lock(&chan->lock);
	WRITE_ONCE(chan->reserved, chan->reserved - cost);
	return kipcm_msg_queue(chan, msg);

out_free:
	kipcm_msg_recycle(chan, msg);
out_unreserve:
	kipcm_msg_unreserve(chan, cost);
	return ret;
}

ssize_t kipcm_msg_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kipcm_chan_file *cf = iocb->ki_filp->private_data;
	struct kipcm_msg_recv r = {
		.nonblock = kipcm_nonblock(iocb),
	};

	if (!(cf->mode & FMODE_READ))
		return -EBADF;
	if (READ_ONCE(cf->opts.flags) & KIPC_END_TRUNC)
		r.flags |= KIPC_MSG_TRUNC;
	return kipcm_msg_recv(cf, iocb, to, &r);
}

ssize_t kipcm_msg_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct kipcm_chan_file *cf = iocb->ki_filp->private_data;

	if (!(cf->mode & FMODE_WRITE))
		return -EBADF;
	return kipcm_msg_send(cf, iocb, from, READ_ONCE(cf->opts.priority),
			      kipcm_nonblock(iocb));
}

/* The user buffer of a struct kipc_msg as an iterator. */
static int kipcm_msg_iter(const struct kipc_msg *req, int dir,
			  struct iov_iter *iter)
{
	size_t len = req->len;

	/*
	 * One message is at most a capacity, and a capacity 1 GiB: a larger
	 * send can never fit, while a receive's room is clipped as read()'s.
	 */
	if (req->len > MAX_RW_COUNT) {
		if (dir == ITER_SOURCE)
			return -EMSGSIZE;
		len = MAX_RW_COUNT;
	}
	/* The copy checks the range (access_ok()), as read() and write(). */
	iov_iter_ubuf(iter, dir, u64_to_user_ptr(req->buf), len);
	return 0;
}

static long kipcm_msg_send_ioctl(struct file *filp, void __user *argp)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipc_msg req;
	struct iov_iter from;
	ssize_t ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~KIPC_MSG_DONTWAIT) || req.size || req.result ||
	    req.__reserved0 || req.priority >= KIPC_MSG_PRIO_MAX ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (!(cf->mode & FMODE_WRITE))
		return -EBADF;
	ret = kipcm_msg_iter(&req, ITER_SOURCE, &from);
	if (ret)
		return ret;
	ret = kipcm_msg_send(cf, NULL, &from, req.priority,
			     (filp->f_flags & O_NONBLOCK) ||
			     (req.flags & KIPC_MSG_DONTWAIT));
	return ret < 0 ? ret : 0;
}

static long kipcm_msg_recv_ioctl(struct file *filp, void __user *argp)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipc_msg __user *uarg = argp;
	struct kipcm_msg_recv r = {};
	struct kipc_msg req;
	struct iov_iter to;
	ssize_t ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	/* @size, @priority and @result are outputs: a loop may reuse them. */
	if ((req.flags & ~(KIPC_MSG_DONTWAIT | KIPC_MSG_PEEK |
			   KIPC_MSG_TRUNC)) || req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (!(cf->mode & FMODE_READ))
		return -EBADF;
	ret = kipcm_msg_iter(&req, ITER_DEST, &to);
	if (ret)
		return ret;
	r.flags = req.flags & (KIPC_MSG_PEEK | KIPC_MSG_TRUNC);
	r.nonblock = (filp->f_flags & O_NONBLOCK) ||
		     (req.flags & KIPC_MSG_DONTWAIT);
	/* No kiocb: a blocking call, never IOCB_NOWAIT. */
	ret = kipcm_msg_recv(cf, NULL, &to, &r);
	if (ret < 0)
		return ret;
	/* Taken already: as recvmsg(), a fault here loses nothing queued. */
	if (put_user(r.size, &uarg->size) ||
	    put_user(r.priority, &uarg->priority) ||
	    put_user(r.result, &uarg->result))
		return -EFAULT;
	return 0;
}

long kipcm_msg_ioctl(struct file *filp, unsigned int cmd, void __user *argp)
{
	struct kipcm_chan *chan = kipcm_file_chan(filp);

	if (!chan->message)
		return -EOPNOTSUPP;
	if (cmd == KIPC_IOC_MSG_SEND)
		return kipcm_msg_send_ioctl(filp, argp);
	return kipcm_msg_recv_ioctl(filp, argp);
}

/*
 * KIPC_IOC_PEEK on a message channel: the next message's bytes from
 * @req->offset on.  Never waits.
 */
long kipcm_msg_peek(struct kipcm_chan *chan, const struct kipc_peek *req)
{
	struct kipcm_msg *msg;
	struct iov_iter to;
	size_t n;

	mutex_lock(&chan->lock);
	msg = kipcm_msgq_first(chan->msgq);
	if (!msg) {
		long ret = chan->writers ? -EAGAIN : 0;

		mutex_unlock(&chan->lock);
		return ret;
	}
	n = req->offset < msg->len ?
	    min3(msg->len - req->offset, req->len, (u64)MAX_RW_COUNT) : 0;
	iov_iter_ubuf(&to, ITER_DEST, u64_to_user_ptr(req->buf), n);
	return kipcm_msg_copy_peek(chan, msg, n ? req->offset : 0, n, &to);
}

/* FIONREAD: the next message's length, as a SOCK_DGRAM socket's. */
u64 kipcm_msg_next_len(struct kipcm_chan *chan)
{
	struct kipcm_msg *msg;
	u64 len;

	mutex_lock(&chan->lock);
	msg = chan->msgq ? kipcm_msgq_first(chan->msgq) : NULL;
	len = msg ? msg->len : 0;
	mutex_unlock(&chan->lock);
	return len;
}
