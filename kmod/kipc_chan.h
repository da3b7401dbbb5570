/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc channels: the channel object, shared by kipc_chan.c (its I/O, its
 * nodes) and kipc_mring.c (the mapped ring of a mapped channel).
 */
#ifndef _KIPC_CHAN_H
#define _KIPC_CHAN_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/kipc.h>

#include "kipc.h"

struct kipcm_mring;

/**
 * struct kipcm_chan - a channel, anonymous or named
 * @lock: guards everything below that is not marked otherwise.  Held only
 *	for short sections that never touch user memory, so that open,
 *	close, stats and sysfs never wait behind a stalled copy
 * @rd_mutex: serialises readers, and is held across their copy to user
 *	memory, which a user can stall (userfaultfd, FUSE): taken
 *	interruptibly, and never while @lock is held
 * @wr_mutex: the same for writers; order: @rd_mutex, @wr_mutex, @lock
 * @rd_wait: readers waiting for data or EOF
 * @wr_wait: writers waiting for room or for the readers to go
 * @open_wait: FIFO opens waiting for a partner (named channels only)
 * @fasync_readers: SIGIO on data, for read ends with O_ASYNC
 * @fasync_writers: SIGIO on room, for write ends with O_ASYNC
 * @ring: @capacity bytes; NULL while a named channel has no open fd.  The
 *	pointer and @capacity change only under all three locks.  For a
 *	mapped channel, the data pages of @mring
 * @mring: the pages user space maps, for a mapped channel; allocated and
 *	freed with @ring (kipc_mring.c).  Changed under ->lock; read without
 *	it under RCU, as KIPC_IOC_SET_CAPACITY may replace it under a poll
 * @capacity: the ring size in bytes, exact
 * @configured: the capacity each new ring of a named channel gets: set at
 *	creation, and by the owner or CAP_SYS_RESOURCE; what others set
 *	lasts until the last close, as F_SETPIPE_SZ on a FIFO does
 * @head: bytes ever written; the ring index is @head % @capacity.  On a
 *	mapped channel whose producer is mapped, only the last value the
 *	kernel checked: the truth is in user memory (kipcm_mring_pull()).  A
 *	writer fills [@head, @head + n) without @lock, which no reader reads
 *	until it moves @head under @lock
 * @tail: bytes ever read (or discarded); @head - @tail are queued.  The
 *	same holds for a mapped consumer.  A
 *	reader copies out of [@tail, @tail + n) without @lock, which no
 *	writer reuses until it moves @tail under @lock
 * @pkts: O_DIRECT packets queued; no table until the first O_DIRECT write
 * @readers: open files with FMODE_READ
 * @writers: open files with FMODE_WRITE
 * @files: open files
 * @r_counter: readers ever opened, for FIFO open
 * @w_counter: writers ever opened, for FIFO open and POLLHUP
 * @poll_used: someone polled: writers must then wake readers on every
 *	write, for EPOLLET (read locklessly, hence WRITE_ONCE)
 * @lowat_used: an end asked for POLLOUT only with more room than
 *	PIPE_BUF: readers must then wake writers on every read, not only
 *	when the channel was full (sticky; read locklessly)
 * @message: KIPC_CHAN_F_MESSAGE (immutable)
 * @msgq: a message channel's messages, allocated and freed with the ring
 *	would be (the channel has no byte ring); @head and @tail count the
 *	cost of the messages queued and taken (kipcm_msg_cost())
 * @reserved: cost reserved by writers that are copying a message in:
 *	they waited for room first, so that no blocked writer holds memory
 * @messages: messages queued (read locklessly by stats)
 * @mapped: KIPC_CHAN_F_MAPPED (immutable)
 * @broken: a mapped position was out of range: I/O fails with EIO for good
 * @maps: live user mappings of @mring
 * @prod_maps: live mappings that make user space the producer: while
 *	non-zero the kernel does not write (EBUSY)
 * @cons_maps: the same for the consumer and read()
 * @rd_sleepers: kernel sleepers for data on a mapped channel, who keep
 *	KIPC_RING_WAITING set in the consumer's page (under @rd_wait.lock)
 * @wr_sleepers: the same for room, in the producer's page (@wr_wait.lock)
 * @user: who the ring's memory is charged to
 * @charged: bytes charged to @user: the ring and the packet table
 * @owner: the creator of a named channel, charged for it (immutable)
 * @stats: counters for KIPC_IOC_CHAN_STATS, sysfs and fdinfo
 * @ref: one per open file, plus one for the node of a named channel
 * @id: a number no other channel of this module load has (immutable):
 *	fdinfo shows it, so that user space can tell whether two fds are
 *	ends of one channel, which fstat() of the shared anon inode cannot
 * @name: the node name, "" for an anonymous pair (immutable)
 * @dev: the node of a named channel (immutable)
 * @node: on kipcm_chans, under kipcm_chans_lock
 * @uid: owner of the node (immutable)
 * @gid: group of the node (immutable)
 * @mode: permission bits of the node (immutable)
 */
struct kipcm_chan {
	struct mutex lock;		/* guards the channel: see @lock */
	struct mutex rd_mutex;		/* serialises readers' copies */
	struct mutex wr_mutex;		/* serialises writers' copies */
	wait_queue_head_t rd_wait;
	wait_queue_head_t wr_wait;
	wait_queue_head_t open_wait;
	struct fasync_struct *fasync_readers;
	struct fasync_struct *fasync_writers;

	char *ring;
	u64 capacity;
	u64 configured;
	u64 head;
	u64 tail;
	struct kipcm_pkts pkts;

	unsigned int readers;
	unsigned int writers;
	unsigned int files;
	unsigned int r_counter;
	unsigned int w_counter;
	bool poll_used;
	bool lowat_used;

	bool message;
	struct kipcm_msgq *msgq;
	u64 reserved;
	u64 messages;

	struct kipcm_mring __rcu *mring;
	bool mapped;
	bool broken;
	unsigned int maps;
	unsigned int prod_maps;
	unsigned int cons_maps;
	unsigned int rd_sleepers;
	unsigned int wr_sleepers;

	struct kipcm_user *user;
	u64 charged;
	struct kipcm_user *owner;

	struct {
		u64 bytes_read;
		u64 bytes_written;
		u64 read_waits;
		u64 write_waits;
		u64 high_water;
	} stats;

	struct kref ref;
	u64 id;

	char name[KIPC_NAME_MAX + 1];
	struct device *dev;
	struct list_head node;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
};

/**
 * struct kipcm_chan_file - an open end
 * @chan: its channel
 * @w_counter_seen: what POLLHUP must compare with, as fs/pipe.c's f_version
 * @mode: FMODE_READ and/or FMODE_WRITE: what this end may do.  For an
 *	unmapped channel the file's own access mode; an end of a mapped
 *	channel has both in f_mode, because mmap() needs FMODE_READ to map
 *	at all and FMODE_WRITE to map writable, so this is what counts
 * @opts: KIPC_IOC_SET_OPTS, as given (for KIPC_IOC_GET_OPTS)
 * @rcvtimeo: @opts.rcvtimeo_ns in jiffies, MAX_SCHEDULE_TIMEOUT for none
 * @sndtimeo: the same for @opts.sndtimeo_ns
 *
 * The options are set without a lock, each field with WRITE_ONCE() and
 * read with READ_ONCE(): an I/O racing a change sees the old or the new
 * value of each, as with setsockopt().
 */
struct kipcm_chan_file {
	struct kipcm_chan *chan;
	unsigned int w_counter_seen;
	fmode_t mode;
	struct kipc_end_opts opts;
	long rcvtimeo;
	long sndtimeo;
};

static inline struct kipcm_chan *kipcm_file_chan(struct file *filp)
{
	struct kipcm_chan_file *cf = filp->private_data;

	return cf->chan;
}

/* Mapped channels (kipc_mring.c), called by kipc_chan.c. */
int kipcm_mring_capacity_check(u64 capacity);
int kipcm_mring_install(struct kipcm_chan *chan, u64 capacity);
void kipcm_mring_uninstall(struct kipcm_chan *chan);
struct kipcm_mring *kipcm_mring_create(u64 capacity);
char *kipcm_mring_data(struct kipcm_mring *mr);
void kipcm_mring_destroy(struct kipcm_mring *mr);
void kipcm_mring_replace(struct kipcm_chan *chan, struct kipcm_mring *mr);
int kipcm_mring_pull(struct kipcm_chan *chan);
void kipcm_mring_push(struct kipcm_chan *chan);
bool kipcm_mring_positions(const struct kipcm_chan *chan, u64 *head,
			   u64 *tail);
void kipcm_mring_update_state(struct kipcm_chan *chan);
int kipcm_mring_wait(struct kipcm_chan *chan, bool reader, u64 need,
		     long *timeo);
void kipcm_mring_polled(struct kipcm_chan *chan, fmode_t mode);
void kipcm_mring_carry_bits(struct kipcm_chan *chan);
int kipcm_mring_mmap(struct file *filp, struct vm_area_struct *vma);
long kipcm_mring_ioctl(struct file *filp, unsigned int cmd,
		       void __user *argp);

/* kipc_chan.c, for kipc_mring.c and kipc_msg.c */
bool kipcm_chan_readable(const struct kipcm_chan *chan);
bool kipcm_chan_writable(const struct kipcm_chan *chan, u64 need, bool pkt);
int kipcm_chan_lock_io(struct kipcm_chan *chan, struct mutex *side,
		       struct kiocb *iocb);
void kipcm_chan_unlock_io(struct kipcm_chan *chan, struct mutex *side);
bool kipcm_nonblock(struct kiocb *iocb);
void kipcm_chan_count_io(u64 read, u64 written);

/*
 * Sleep on @wq until @cond, a signal, or the end of *@timeo jiffies (an
 * end's timeout; MAX_SCHEDULE_TIMEOUT for none), exclusively or not.
 * Returns 0 with the time left in *@timeo, -ERESTARTSYS, or -EAGAIN once
 * the time is up: what a socket's SO_RCVTIMEO gives.  Callers have seen
 * @cond false, so it is not tested before the wait queue is joined.
 */
#define kipcm_wait_timeout(wq, cond, exclusive, timeo)			\
({									\
	long *__timeo = (timeo);					\
	long __left;							\
									\
	might_sleep();							\
	__left = ___wait_event(wq, ___wait_cond_timeout(cond),		\
			       TASK_INTERRUPTIBLE, exclusive, *__timeo,	\
			       __ret = schedule_timeout(__ret));	\
	if (__left > 0)							\
		*__timeo = __left;					\
	__left < 0 ? -ERESTARTSYS : __left ? 0 : -EAGAIN;		\
})

/*
 * Why a wait loop of its own (a mapped ring's, a message reader's) stops:
 * a signal (-ERESTARTSYS) or the end of the caller's timeout (-EAGAIN),
 * else 0, to sleep on.
 */
static inline int kipcm_wait_ended(long timeo)
{
	if (signal_pending(current))
		return -ERESTARTSYS;
	return timeo ? 0 : -EAGAIN;
}

/* Message channels (kipc_msg.c), called by kipc_chan.c. */
struct kipcm_msgq *kipcm_msgq_alloc(void);
void kipcm_msgq_free(struct kipcm_msgq *q);
bool kipcm_msg_has_room(const struct kipcm_chan *chan, u64 len);
ssize_t kipcm_msg_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t kipcm_msg_write_iter(struct kiocb *iocb, struct iov_iter *from);
long kipcm_msg_ioctl(struct file *filp, unsigned int cmd, void __user *argp);
long kipcm_msg_peek(struct kipcm_chan *chan, const struct kipc_peek *req);
u64 kipcm_msg_next_len(struct kipcm_chan *chan);
void kipcm_msg_writers_gone(struct kipcm_chan *chan);

#endif /* _KIPC_CHAN_H */
