// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channels: pipes and FIFOs with the semantics of fs/pipe.c, served
 * by a character device, with a byte-exact capacity.
 *
 * A channel is one ring of exactly @capacity bytes.  Anonymous pairs come
 * from KIPC_IOC_CHAN_PAIR (two anon-inode files, like pipe2()); named
 * channels are nodes /dev/kipc/NAME that open like a FIFO:
 *
 *	ioctl(ctl, KIPC_IOC_CHAN_CREATE, &(struct kipc_chan_name){
 *		.name = "jobs", .mode = 0600 });
 *	rfd = open("/dev/kipc/jobs", O_RDONLY);	// waits for a writer
 *
 * Everything user-visible (check order, errnos, wake-ups, PIPE_BUF
 * atomicity, EOF before EAGAIN, SIGPIPE to the writing thread, POLLHUP and
 * POLLERR, FIFO open rules, O_DIRECT packets) follows fs/pipe.c of 6.1,
 * except that capacity is counted in bytes, not page slots.  What pipes
 * lack comes from sockets: each open file's timeouts and low-water marks
 * (struct kipc_end_opts).  Mapped channels are in kipc_mring.c, message
 * channels in kipc_msg.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/dcache.h>
#include <linux/device.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <asm/ioctls.h>

#include <linux/kipc.h>

#include "kipc.h"
#include "kipc_chan.h"

/* Minors for named channels; max_channels is capped by this. */
#define KIPC_CHAN_MINORS	BIT(16)

static const struct file_operations kipcm_chan_fops;

static dev_t kipcm_chan_devt;
static struct cdev kipcm_chan_cdev;
static DEFINE_IDA(kipcm_chan_ida);

/*
 * Guards kipcm_chans and kipcm_nr_chans: the named channels.  Held only
 * for list work, so that opens and stats never wait for a node's removal.
 */
static DEFINE_MUTEX(kipcm_chans_lock);
/*
 * Serialises adding and deleting nodes, so that a name is never in sysfs
 * twice.  Held across device_add() and device_unregister(), which wait for
 * devtmpfs and for sysfs readers, never for a channel's lock.  (devtmpfs
 * itself may wait for a directory lock that a getdents() into a stalled
 * buffer holds: that is the kernel's, and only node creation and removal
 * wait behind this lock, interruptibly.)  Taken before kipcm_chans_lock.
 */
static DEFINE_MUTEX(kipcm_nodes_lock);
static LIST_HEAD(kipcm_chans);
static unsigned int kipcm_nr_chans;

/*
 * Module-wide totals for KIPC_IOC_STATS.  The byte counts are per-CPU so
 * that the data path adds to a local counter, not to a shared cache line.
 */
static struct percpu_counter kipcm_bytes_written;
static struct percpu_counter kipcm_bytes_read;
static atomic_long_t kipcm_chans_alive;
static atomic64_t kipcm_chans_created;

static inline u64 kipcm_chan_queued(const struct kipcm_chan *chan)
{
	return chan->head - chan->tail;
}

static inline u64 kipcm_chan_room(const struct kipcm_chan *chan)
{
	return chan->capacity - kipcm_chan_queued(chan);
}

/*
 * Readable: data or EOF.  Read without the lock by wait_event(), hence
 * READ_ONCE; the reader rechecks under the lock.  A mapped channel's
 * positions are in its pages; out of range, they wake the waiter, who
 * finds the channel broken under the lock.
 */
bool kipcm_chan_readable(const struct kipcm_chan *chan)
{
	u64 head, tail;

	if (chan->mapped) {
		if (!kipcm_mring_positions(chan, &head, &tail) ||
		    READ_ONCE(chan->broken))
			return true;
	} else {
		head = READ_ONCE(chan->head);
		tail = READ_ONCE(chan->tail);
	}
	return head != tail || !READ_ONCE(chan->writers);
}

/**
 * kipcm_chan_has_room - is there room for a write?
 * @chan: the channel
 * @need: bytes that must fit at once
 * @pkt: an O_DIRECT write, which needs a packet slot too
 *
 * The one answer to the question, asked by the writer under ->lock and
 * without it by the writers' wait condition, by poll and by a reader
 * deciding whether writers can be waiting (hence READ_ONCE).  Without a
 * packet table yet, a slot is free: the first O_DIRECT write makes one.
 * Read locklessly, @tail first: @head - @tail may then be too large, never
 * negative, and a wrong "no room" is corrected by the next wake-up.
 */
static bool kipcm_chan_has_room(const struct kipcm_chan *chan, u64 need,
				bool pkt)
{
	u64 tail = READ_ONCE(chan->tail);
	u64 queued = READ_ONCE(chan->head) - tail;
	u64 capacity = READ_ONCE(chan->capacity);

	if (pkt && READ_ONCE(chan->pkts.max) && kipcm_pkts_full(&chan->pkts))
		return false;
	return queued <= capacity && capacity - queued >= need;
}

/*
 * Full as a pipe is full: no room for an atomic PIPE_BUF write, or no
 * packet slot.  A writer only ever sleeps on a full channel, so a reader
 * that did not find it full has nobody to wake (pipe_read()'s was_full).
 */
static bool kipcm_chan_full(const struct kipcm_chan *chan)
{
	return !kipcm_chan_has_room(chan, PIPE_BUF, true);
}

/*
 * Must a reader that made room wake the writers?  When a writer may be
 * asleep: the channel was full, or an end polls for more room than
 * PIPE_BUF (its sndlowat), or a mapped producer sleeps on its own terms.
 */
static bool kipcm_chan_wake_writers(const struct kipcm_chan *chan)
{
	return chan->mapped || READ_ONCE(chan->lowat_used) ||
	       kipcm_chan_full(chan);
}

/*
 * The module-wide byte counts of KIPC_IOC_STATS.  Only ever summed
 * (percpu_counter_sum_positive()), never read approximately: each CPU
 * keeps its own count, and no I/O takes the counter's lock.
 */
void kipcm_chan_count_io(u64 read, u64 written)
{
	if (read)
		percpu_counter_add_local(&kipcm_bytes_read, read);
	if (written)
		percpu_counter_add_local(&kipcm_bytes_written, written);
}

/*
 * The writers' wait condition: room, or no readers left (for SIGPIPE).  On
 * a mapped channel from its pages, as kipcm_chan_readable().
 */
bool kipcm_chan_writable(const struct kipcm_chan *chan, u64 need, bool pkt)
{
	u64 head, tail;

	if (!READ_ONCE(chan->readers))
		return true;
	if (!chan->mapped)
		return kipcm_chan_has_room(chan, need, pkt);
	if (!kipcm_mring_positions(chan, &head, &tail) ||
	    READ_ONCE(chan->broken))
		return true;
	return READ_ONCE(chan->capacity) - (head - tail) >= need;
}

/**
 * kipcm_chan_name_valid - may @name be a node under /dev/kipc?
 * @name: NUL-terminated
 *
 * 1..KIPC_NAME_MAX characters of [A-Za-z0-9._-], not "." or "..", and not
 * "control", which is the control device.
 */
bool kipcm_chan_name_valid(const char *name)
{
	size_t len = strnlen(name, KIPC_NAME_MAX + 1);
	size_t i;

	if (len == 0 || len > KIPC_NAME_MAX)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, "..") ||
	    !strcmp(name, "control"))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		/* The kernel's isalnum() is Latin-1's: "\xe9" would pass. */
		if (!isascii(c) ||
		    (!isalnum(c) && c != '.' && c != '_' && c != '-'))
			return false;
	}
	return true;
}

/**
 * kipcm_capacity_check - validate a capacity asked for by user space
 * @capacity: bytes asked for
 * @now: the channel's capacity now, 0 for a new channel
 *
 * The order is that of F_SETPIPE_SZ: a size the ring cannot have is EINVAL
 * for everyone; growing past max_capacity needs CAP_SYS_RESOURCE, while
 * shrinking is always allowed.
 *
 * Return: 0 or -errno.
 */
int kipcm_capacity_check(u64 capacity, u64 now)
{
	if (capacity < KIPC_CAPACITY_MIN || capacity > KIPC_CAPACITY_CEILING)
		return -EINVAL;
	if (capacity > now && capacity > READ_ONCE(kipcm_max_capacity) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	return 0;
}

/*
 * The capacity of a channel created with capacity 0.  As alloc_pipe_info()
 * does with pipe-max-size: an administrator who lowers max_capacity below
 * the default lowers it for unprivileged users' new channels too.
 */
static u64 kipcm_default_cap(void)
{
	u64 capacity = READ_ONCE(kipcm_default_capacity);
	u64 max = READ_ONCE(kipcm_max_capacity);

	if (capacity > max && !capable(CAP_SYS_RESOURCE))
		capacity = max;
	return clamp_t(u64, capacity, KIPC_CAPACITY_MIN, KIPC_CAPACITY_CEILING);
}

static struct kipcm_chan *kipcm_chan_alloc(u64 capacity)
{
	struct kipcm_chan *chan;

	chan = kzalloc(sizeof(*chan), GFP_KERNEL_ACCOUNT);
	if (!chan)
		return NULL;
	atomic_long_inc(&kipcm_chans_alive);
	chan->id = atomic64_inc_return(&kipcm_chans_created);
	mutex_init(&chan->lock);
	mutex_init(&chan->rd_mutex);
	mutex_init(&chan->wr_mutex);
	init_waitqueue_head(&chan->rd_wait);
	init_waitqueue_head(&chan->wr_wait);
	init_waitqueue_head(&chan->open_wait);
	chan->capacity = capacity;
	chan->configured = capacity;
	/* Anonymous pairs have had a writer from the start: POLLHUP works. */
	chan->w_counter = 1;
	kref_init(&chan->ref);
	INIT_LIST_HEAD(&chan->node);
	return chan;
}

/*
 * Give the channel its ring of the configured capacity, charged to the
 * current user.  Once the user is over user_soft_bytes the ring gets the
 * pipe's minimum instead, as a FIFO's new pipe does, until the last close.
 * Over user_max_bytes: -ENFILE, pipe()'s errno.
 */
static int kipcm_chan_alloc_ring(struct kipcm_chan *chan)
{
	struct kipcm_user *user;
	u64 capacity;

	lockdep_assert_held(&chan->lock);

	user = kipcm_user_get();
	if (!user)
		return -ENOMEM;
	capacity = kipcm_user_soft_capacity(user, chan->configured);
	if (!kipcm_user_charge_bytes(user, capacity, false)) {
		kipcm_user_put(user);
		return -ENFILE;
	}
	if (chan->message) {
		/* No ring: the capacity bounds the messages' memory. */
		chan->msgq = kipcm_msgq_alloc();
	} else if (chan->mapped) {
		/* Pages user space maps; the soft capacity is two of them. */
		if (kipcm_mring_install(chan, capacity))
			chan->ring = NULL;
	} else {
		chan->ring = kvmalloc(capacity, GFP_KERNEL_ACCOUNT);
	}
	if (!chan->ring && !chan->msgq) {
		kipcm_user_uncharge_bytes(user, capacity);
		kipcm_user_put(user);
		return -ENOMEM;
	}
	WRITE_ONCE(chan->capacity, capacity);
	chan->user = user;
	chan->charged = capacity;
	chan->head = 0;
	chan->tail = 0;
	return 0;
}

/* The last file is gone: unread data goes with it, as for a FIFO. */
static void kipcm_chan_free_ring(struct kipcm_chan *chan)
{
	if (chan->mapped)
		kipcm_mring_uninstall(chan);
	else
		kvfree(chan->ring);
	chan->ring = NULL;
	kipcm_msgq_free(chan->msgq);
	chan->msgq = NULL;
	WRITE_ONCE(chan->messages, 0);
	kvfree(chan->pkts.slot);
	kipcm_pkts_init(&chan->pkts, NULL, 0);
	/* The data went with the ring: stats and sysfs must say 0 queued. */
	WRITE_ONCE(chan->head, 0);
	WRITE_ONCE(chan->tail, 0);
	WRITE_ONCE(chan->capacity, chan->configured);
	if (chan->user) {
		kipcm_user_uncharge_bytes(chan->user, chan->charged);
		kipcm_user_put(chan->user);
		chan->user = NULL;
		chan->charged = 0;
	}
}

static void kipcm_chan_release_ref(struct kref *ref)
{
	struct kipcm_chan *chan = container_of(ref, struct kipcm_chan, ref);

	kipcm_chan_free_ring(chan);
	kfree(chan);
	atomic_long_dec(&kipcm_chans_alive);
}

static void kipcm_chan_put(struct kipcm_chan *chan)
{
	kref_put(&chan->ref, kipcm_chan_release_ref);
}

/*
 * The byte ring, on its own so that KUnit can test the wrap-around: the
 * ring of @capacity bytes at @ring holds stream offset @pos at
 * @pos % @capacity, and a copy takes at most two pieces.
 */
size_t kipcm_ring_off(u64 capacity, u64 pos)
{
	u64 off;

	div64_u64_rem(pos, capacity, &off);
	return off;
}

/* Copy @len bytes out of the ring at @pos; returns how many were copied. */
size_t kipcm_ring_copy_out(const char *ring, u64 capacity, u64 pos,
			   size_t len, struct iov_iter *to)
{
	size_t off = kipcm_ring_off(capacity, pos);
	size_t first = min_t(u64, len, capacity - off);
	size_t done;

	done = copy_to_iter(ring + off, first, to);
	if (done < first || first == len)
		return done;
	return done + copy_to_iter(ring, len - first, to);
}

/* Copy @len bytes into the ring at @pos; returns how many were copied. */
size_t kipcm_ring_copy_in(char *ring, u64 capacity, u64 pos, size_t len,
			  struct iov_iter *from)
{
	size_t off = kipcm_ring_off(capacity, pos);
	size_t first = min_t(u64, len, capacity - off);
	size_t done;

	done = copy_from_iter(ring + off, first, from);
	if (done < first || first == len)
		return done;
	return done + copy_from_iter(ring, len - first, from);
}

/*
 * The packet ring (struct kipcm_pkts), on its own for the same reason.  All
 * index arithmetic is on u32 counters that wrap, masked into a table of a
 * power-of-two size: "% max" would move a slot at the wrap, as max is
 * rarely a power of two.
 */
size_t kipcm_pkts_table_size(u32 max)
{
	return (size_t)roundup_pow_of_two(max) * sizeof(struct kipcm_pkt);
}

void kipcm_pkts_init(struct kipcm_pkts *pkts, struct kipcm_pkt *slot, u32 max)
{
	pkts->slot = slot;
	pkts->mask = max ? roundup_pow_of_two(max) - 1 : 0;
	WRITE_ONCE(pkts->max, max);
	WRITE_ONCE(pkts->head, 0);
	WRITE_ONCE(pkts->tail, 0);
}

/* Lockless callers (wait conditions, poll) get a snapshot, hence READ_ONCE. */
u32 kipcm_pkts_queued(const struct kipcm_pkts *pkts)
{
	return READ_ONCE(pkts->head) - READ_ONCE(pkts->tail);
}

bool kipcm_pkts_full(const struct kipcm_pkts *pkts)
{
	return kipcm_pkts_queued(pkts) >= READ_ONCE(pkts->max);
}

/* The oldest packet; only when one is queued. */
struct kipcm_pkt *kipcm_pkts_first(const struct kipcm_pkts *pkts)
{
	return &pkts->slot[pkts->tail & pkts->mask];
}

/* Only when not full. */
void kipcm_pkts_push(struct kipcm_pkts *pkts, u64 start, u32 len)
{
	struct kipcm_pkt *pkt = &pkts->slot[pkts->head & pkts->mask];

	pkt->start = start;
	pkt->len = len;
	WRITE_ONCE(pkts->head, pkts->head + 1);
}

void kipcm_pkts_pop(struct kipcm_pkts *pkts)
{
	WRITE_ONCE(pkts->tail, pkts->tail + 1);
}

bool kipcm_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_filp->f_flags & O_NONBLOCK) ||
	       (iocb->ki_flags & IOCB_NOWAIT);
}

void kipcm_chan_unlock_io(struct kipcm_chan *chan, struct mutex *side)
{
	mutex_unlock(&chan->lock);
	mutex_unlock(side);
}

/*
 * On a mapped channel the kernel reads or writes only a side that no user
 * mapping owns (EBUSY), from positions checked first (EIO once broken).
 */
static int kipcm_chan_mapped_io(struct kipcm_chan *chan, struct mutex *side)
{
	unsigned int owners = side == &chan->rd_mutex ? chan->cons_maps :
							 chan->prod_maps;

	if (owners)
		return -EBUSY;
	return kipcm_mring_pull(chan);
}

/*
 * Take a side (->rd_mutex or ->wr_mutex), then ->lock, for an I/O.  The
 * side interruptibly: its holder may be stalled in a copy from memory that
 * another process controls.  With IOCB_NOWAIT neither is waited for.
 */
int kipcm_chan_lock_io(struct kipcm_chan *chan, struct mutex *side,
		       struct kiocb *iocb)
{
	int ret;

	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!mutex_trylock(side))
			return -EAGAIN;
		if (!mutex_trylock(&chan->lock)) {
			mutex_unlock(side);
			return -EAGAIN;
		}
	} else {
		if (mutex_lock_interruptible(side))
			return -ERESTARTSYS;
		mutex_lock(&chan->lock);
	}
	if (chan->mapped) {
		ret = kipcm_chan_mapped_io(chan, side);
		if (ret) {
			kipcm_chan_unlock_io(chan, side);
			return ret;
		}
	}
	return 0;
}

/*
 * Copy out what is queued, up to the next packet boundary; a packet is
 * read alone and whatever of it does not fit is dropped, as fs/pipe.c
 * does for O_DIRECT buffers.  Called with ->rd_mutex and ->lock held; drops
 * ->lock for the copy, since [@tail, @tail + n) stays put until this
 * reader moves @tail.  Writers may have filled the channel meanwhile:
 * @was_full is set if it is full when @tail moves, as a writer may then
 * be asleep.  Returns bytes copied, or -EFAULT.
 */
static ssize_t __kipcm_chan_read(struct kipcm_chan *chan, struct iov_iter *to,
				 bool *packet, bool *was_full)
{
	u64 avail = kipcm_chan_queued(chan);
	size_t want = iov_iter_count(to);
	u64 tail = chan->tail;
	u32 pkt_len = 0;
	size_t n, done;

	lockdep_assert_held(&chan->rd_mutex);
	lockdep_assert_held(&chan->lock);

	*packet = false;
	if (kipcm_pkts_queued(&chan->pkts)) {
		const struct kipcm_pkt *pkt = kipcm_pkts_first(&chan->pkts);

		if (pkt->start == tail) {
			*packet = true;
			pkt_len = pkt->len;
			avail = pkt_len;
		} else {
			avail = min(avail, pkt->start - tail);
		}
	}

	n = min_t(u64, avail, want);
	mutex_unlock(&chan->lock);
	done = kipcm_ring_copy_out(chan->ring, chan->capacity, tail, n, to);
	mutex_lock(&chan->lock);
	if (kipcm_chan_wake_writers(chan))
		*was_full = true;

	if (*packet) {
		/*
		 * As pipe_read(): a packet whose copy faulted stays queued,
		 * whole; consuming it would lose it behind an EFAULT (or a
		 * short count) the reader cannot tell from truncation.
		 */
		if (done < n)
			return -EFAULT;
		/* A packet is consumed whole, even when truncated. */
		WRITE_ONCE(chan->tail, tail + pkt_len);
		kipcm_pkts_pop(&chan->pkts);
	} else {
		WRITE_ONCE(chan->tail, tail + done);
	}
	if (chan->mapped)
		kipcm_mring_push(chan);
	chan->stats.bytes_read += done;
	if (!done && n)
		return -EFAULT;
	return done;
}

/* Readers of an unmapped channel wait exclusively: one wake, one reader. */
static int kipcm_chan_wait_readable(struct kipcm_chan *chan, long *timeo)
{
	if (chan->mapped)
		return kipcm_mring_wait(chan, true, 0, timeo);
	return kipcm_wait_timeout(chan->rd_wait, kipcm_chan_readable(chan), 1,
				  timeo);
}

static ssize_t kipcm_chan_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kipcm_chan_file *cf = iocb->ki_filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	bool was_full, wake_next_reader = false, packet;
	long timeo = READ_ONCE(cf->rcvtimeo);
	ssize_t ret, n;

	if (chan->message)
		return kipcm_msg_read_iter(iocb, to);
	/* What vfs_read() says of a write end: its f_mode may read (mmap). */
	if (!(cf->mode & FMODE_READ))
		return -EBADF;
	/* Zero-length reads return 0 before anything else, as pipe_read. */
	if (!iov_iter_count(to))
		return 0;

	ret = kipcm_chan_lock_io(chan, &chan->rd_mutex, iocb);
	if (ret)
		return ret;

	/*
	 * As pipe_read(): wake writers only if the channel was full, so that
	 * EPOLLET writers see an edge only when it stops being full (LTP
	 * epoll_wait06).  Every sleeping writer waits on a full channel.
	 */
	was_full = kipcm_chan_wake_writers(chan);
	for (;;) {
		if (kipcm_chan_queued(chan)) {
			n = __kipcm_chan_read(chan, to, &packet, &was_full);
			if (n < 0) {
				if (!ret)
					ret = n;
				break;
			}
			ret += n;
			if (packet || !iov_iter_count(to))
				break;
			continue;
		}

		/* EOF comes before EAGAIN. */
		if (!chan->writers)
			break;
		if (ret)
			break;
		if (kipcm_nonblock(iocb)) {
			ret = -EAGAIN;
			break;
		}

		/*
		 * Nothing was read, so no room was made since the last
		 * wake-up of writers: just sleep.
		 */
		chan->stats.read_waits++;
		kipcm_chan_unlock_io(chan, &chan->rd_mutex);
		n = kipcm_chan_wait_readable(chan, &timeo);
		if (n < 0)
			return n;
		ret = kipcm_chan_lock_io(chan, &chan->rd_mutex, iocb);
		if (ret) {
			/* Woken, then interrupted: pass the wake-up on. */
			wake_up_interruptible_poll(&chan->rd_wait,
						   EPOLLIN | EPOLLRDNORM);
			return ret;
		}
		was_full = kipcm_chan_wake_writers(chan);
		wake_next_reader = true;
	}

	/*
	 * Readers wait exclusively: one that was woken passes the baton if
	 * data is left.  One that never slept does not, as in pipe_read(),
	 * or an EPOLLET reader would see an edge on every partial read.
	 */
	if (!kipcm_chan_queued(chan))
		wake_next_reader = false;
	kipcm_chan_unlock_io(chan, &chan->rd_mutex);

	if (was_full)
		wake_up_interruptible_sync_poll(&chan->wr_wait,
						EPOLLOUT | EPOLLWRNORM);
	if (wake_next_reader)
		wake_up_interruptible_sync_poll(&chan->rd_wait,
						EPOLLIN | EPOLLRDNORM);
	kill_fasync(&chan->fasync_writers, SIGIO, POLL_OUT);
	if (ret > 0)
		kipcm_chan_count_io(ret, 0);
	return ret;
}

/*
 * The first O_DIRECT write makes the packet table: a pipe's slot count,
 * counted against the ring's user like the ring, but never refused.
 */
static int kipcm_chan_prepare_pkts(struct kipcm_chan *chan)
{
	u32 max = DIV_ROUND_UP(chan->capacity, PIPE_BUF);
	size_t size = kipcm_pkts_table_size(max);
	struct kipcm_pkt *slot;

	lockdep_assert_held(&chan->lock);
	if (chan->pkts.slot)
		return 0;
	kipcm_user_add_bytes(chan->user, size);
	slot = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!slot) {
		kipcm_user_uncharge_bytes(chan->user, size);
		return -ENOMEM;
	}
	chan->charged += size;
	kipcm_pkts_init(&chan->pkts, slot, max);
	return 0;
}

/*
 * Copy @n bytes in at @head, and queue them (as one packet if @packet).
 * Called with ->wr_mutex and ->lock held; drops ->lock for the copy, since
 * only this writer moves @head and no reader reads at or past it.  Readers
 * may have emptied the channel meanwhile and gone to sleep: @was_empty is
 * set if it is empty when @head moves.  Returns bytes copied.
 */
static size_t __kipcm_chan_write(struct kipcm_chan *chan, struct iov_iter *from,
				 size_t n, bool packet, bool *was_empty)
{
	u64 head = chan->head;
	size_t done;

	lockdep_assert_held(&chan->wr_mutex);
	lockdep_assert_held(&chan->lock);

	mutex_unlock(&chan->lock);
	done = kipcm_ring_copy_in(chan->ring, chan->capacity, head, n, from);
	mutex_lock(&chan->lock);

	if (done && (chan->mapped || !kipcm_chan_queued(chan)))
		*was_empty = true;
	if (done && packet)
		kipcm_pkts_push(&chan->pkts, head, done);
	WRITE_ONCE(chan->head, head + done);
	if (chan->mapped)
		kipcm_mring_push(chan);
	chan->stats.bytes_written += done;
	chan->stats.high_water = max(chan->stats.high_water,
				     kipcm_chan_queued(chan));
	return done;
}

/*
 * How much of the write must fit at once: PIPE_BUF atomicity.  A write of
 * at most PIPE_BUF bytes, or one packet, goes in whole or waits; a larger
 * one takes whatever room there is.
 */
static size_t kipcm_chan_write_need(size_t total, size_t left, bool packet)
{
	if (packet)
		return min_t(size_t, left, PIPE_BUF);
	return total <= PIPE_BUF ? left : 1;
}

/*
 * Sleep until a write of @need bytes fits or the readers are gone, with
 * both locks dropped, after waking readers if they may be asleep on what
 * this write queued; at most *@timeo jiffies.  Returns with the locks held
 * again, or -errno without them.
 */
static int kipcm_chan_wait_writable(struct kipcm_chan *chan,
				    struct kiocb *iocb, size_t need,
				    bool packet, bool wake_readers,
				    long *timeo)
{
	int ret;

	chan->stats.write_waits++;
	kipcm_chan_unlock_io(chan, &chan->wr_mutex);
	if (wake_readers) {
		wake_up_interruptible_sync_poll(&chan->rd_wait,
						EPOLLIN | EPOLLRDNORM);
		kill_fasync(&chan->fasync_readers, SIGIO, POLL_IN);
	}
	if (chan->mapped)
		ret = kipcm_mring_wait(chan, false, need, timeo);
	else
		ret = kipcm_wait_timeout(chan->wr_wait,
					 kipcm_chan_writable(chan, need, packet),
					 0, timeo);
	/* A signal is seen by the caller's loop, after what it wrote. */
	if (ret == -EAGAIN)
		return ret;
	return kipcm_chan_lock_io(chan, &chan->wr_mutex, iocb);
}

static ssize_t kipcm_chan_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *filp = iocb->ki_filp;
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	size_t total = iov_iter_count(from);
	bool packet = filp->f_flags & O_DIRECT;
	bool was_empty = false, wrote = false;
	long timeo = READ_ONCE(cf->sndtimeo);
	ssize_t ret, err;

	if (chan->message)
		return kipcm_msg_write_iter(iocb, from);
	/* What vfs_write() says of a read end (see kipcm_chan_read_iter()). */
	if (!(cf->mode & FMODE_WRITE))
		return -EBADF;
	/* Zero-length writes: 0, before the reader check (no SIGPIPE). */
	if (!total)
		return 0;

	ret = kipcm_chan_lock_io(chan, &chan->wr_mutex, iocb);
	if (ret)
		return ret;

	if (!chan->readers) {
		send_sig(SIGPIPE, current, 0);
		ret = -EPIPE;
		goto out;
	}
	if (packet) {
		ret = kipcm_chan_prepare_pkts(chan);
		if (ret)
			goto out;
	}

	for (;;) {
		size_t left = iov_iter_count(from);
		size_t need = kipcm_chan_write_need(total, left, packet);
		size_t n, done;

		if (!chan->readers) {
			send_sig(SIGPIPE, current, 0);
			if (!ret)
				ret = -EPIPE;
			break;
		}

		if (kipcm_chan_has_room(chan, need, packet)) {
			n = packet ? need : min_t(u64, left, kipcm_chan_room(chan));
			done = __kipcm_chan_write(chan, from, n, packet,
						  &was_empty);
			ret += done;
			if (done)
				wrote = true;
			if (done < n) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			if (!iov_iter_count(from))
				break;
			continue;
		}

		if (kipcm_nonblock(iocb)) {
			if (!ret)
				ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			if (!ret)
				ret = -ERESTARTSYS;
			break;
		}

		err = kipcm_chan_wait_writable(chan, iocb, need, packet,
					       was_empty ||
					       (wrote && READ_ONCE(chan->poll_used)),
					       &timeo);
		wrote = false;
		was_empty = false;
		if (err) {
			if (!ret)
				ret = err;
			goto out_unlocked;
		}
	}
out:
	kipcm_chan_unlock_io(chan, &chan->wr_mutex);
out_unlocked:
	/*
	 * Epoll wants a wake-up on every write, not only when the channel
	 * was empty, or EPOLLET readers hang: do as pipe_write once polled.
	 */
	if (wrote && (was_empty || READ_ONCE(chan->poll_used)))
		wake_up_interruptible_sync_poll(&chan->rd_wait,
						EPOLLIN | EPOLLRDNORM);
	kill_fasync(&chan->fasync_readers, SIGIO, POLL_IN);
	if (ret > 0)
		kipcm_chan_count_io(0, ret);
	return ret;
}

/*
 * An end's low-water marks, as poll uses them: at least one byte to read,
 * PIPE_BUF of room by default, and never more than the capacity, which
 * could never be met.
 */
static u64 kipcm_chan_rcvlowat(const struct kipcm_chan_file *cf, u64 capacity)
{
	return clamp_t(u64, READ_ONCE(cf->opts.rcvlowat), 1, capacity);
}

static u64 kipcm_chan_sndlowat(const struct kipcm_chan_file *cf, u64 capacity)
{
	return min_t(u64, READ_ONCE(cf->opts.sndlowat) ?: PIPE_BUF, capacity);
}

static __poll_t kipcm_chan_poll(struct file *filp, poll_table *wait)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	u64 head, tail, capacity, sndlowat;
	__poll_t mask = 0;
	bool room;

	/* Register first; the tests below are racy and that is fine. */
	WRITE_ONCE(chan->poll_used, true);
	if (cf->mode & FMODE_READ)
		poll_wait(filp, &chan->rd_wait, wait);
	if (cf->mode & FMODE_WRITE)
		poll_wait(filp, &chan->wr_wait, wait);

	capacity = READ_ONCE(chan->capacity);
	sndlowat = kipcm_chan_sndlowat(cf, capacity);
	if (chan->mapped) {
		/* Bit, barrier, then the positions: see kipc_mring.c. */
		kipcm_mring_polled(chan, cf->mode);
		if (!kipcm_mring_positions(chan, &head, &tail) ||
		    READ_ONCE(chan->broken))
			return EPOLLERR | (cf->mode & FMODE_READ ?
					   EPOLLIN | EPOLLRDNORM : 0);
		room = capacity - (head - tail) >= sndlowat;
	} else if (chan->message) {
		tail = READ_ONCE(chan->tail);
		head = READ_ONCE(chan->head);
		room = kipcm_msg_has_room(chan, sndlowat);
	} else {
		head = READ_ONCE(chan->head);
		tail = READ_ONCE(chan->tail);
		/*
		 * As a free pipe slot does: room for an atomic PIPE_BUF
		 * write (or the end's sndlowat), and for an O_DIRECT writer
		 * a packet slot as well.
		 */
		room = kipcm_chan_has_room(chan, sndlowat,
					   filp->f_flags & O_DIRECT);
	}

	if (cf->mode & FMODE_READ) {
		/* Any message is readable; bytes from the rcvlowat on. */
		if (head != tail &&
		    (chan->message ||
		     head - tail >= kipcm_chan_rcvlowat(cf, capacity) ||
		     !READ_ONCE(chan->writers)))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!READ_ONCE(chan->writers) &&
		    cf->w_counter_seen != READ_ONCE(chan->w_counter))
			mask |= EPOLLHUP;
	}
	if (cf->mode & FMODE_WRITE) {
		if (room)
			mask |= EPOLLOUT | EPOLLWRNORM;
		/* Linux gives POLLERR here where most Unices do not. */
		if (!READ_ONCE(chan->readers))
			mask |= EPOLLERR;
	}
	return mask;
}

/*
 * A new packet table of @max slots holding @chan's queued packets, their
 * starts rebased as the bytes are when the ring is linearised.
 */
static int kipcm_chan_move_pkts(struct kipcm_chan *chan, struct kipcm_pkts *to,
				u32 max)
{
	struct kipcm_pkts *from = &chan->pkts;
	struct kipcm_pkt *slot;
	u32 i, n = kipcm_pkts_queued(from);

	slot = kvzalloc(kipcm_pkts_table_size(max), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	kipcm_pkts_init(to, slot, max);
	for (i = 0; i < n; i++) {
		const struct kipcm_pkt *pkt = kipcm_pkts_first(from);

		kipcm_pkts_push(to, pkt->start - chan->tail, pkt->len);
		kipcm_pkts_pop(from);
	}
	return 0;
}

/*
 * A message channel has no ring to move: only the charge changes, and the
 * writers that a larger capacity lets in must be woken.  Under all three
 * locks, as any change of capacity.
 */
static int kipcm_chan_set_msg_capacity(struct kipcm_chan *chan, u64 capacity)
{
	if (capacity > chan->charged &&
	    !kipcm_user_charge_bytes(chan->user, capacity - chan->charged,
				     true))
		return -EPERM;
	if (capacity < chan->charged)
		kipcm_user_uncharge_bytes(chan->user, chan->charged - capacity);
	chan->charged = capacity;
	WRITE_ONCE(chan->capacity, capacity);
	if (uid_eq(current_fsuid(), chan->uid) || capable(CAP_SYS_RESOURCE))
		chan->configured = capacity;
	wake_up_interruptible_all(&chan->wr_wait);
	return 0;
}

/* F_SETPIPE_SZ's rules, in bytes: see kipcm_capacity_check(). */
static int kipcm_chan_set_capacity(struct kipcm_chan *chan, u64 capacity)
{
	struct kipcm_mring *mring = NULL;
	struct kipcm_pkts pkts = {};
	u64 queued, charge, grow;
	size_t table = 0;
	u32 max = 0;
	char *ring;
	int ret;

	/* The ring moves: no copy may be running, on either side. */
	if (mutex_lock_interruptible(&chan->rd_mutex))
		return -ERESTARTSYS;
	if (mutex_lock_interruptible(&chan->wr_mutex)) {
		mutex_unlock(&chan->rd_mutex);
		return -ERESTARTSYS;
	}
	mutex_lock(&chan->lock);
	ret = kipcm_capacity_check(capacity, chan->capacity);
	if (ret)
		goto out_unlock;
	if (chan->mapped) {
		/* Mapped pages cannot move under their mappings. */
		ret = kipcm_mring_capacity_check(capacity);
		if (!ret && chan->maps)
			ret = -EBUSY;
		if (!ret)
			ret = kipcm_mring_pull(chan);
		if (ret)
			goto out_unlock;
	}
	queued = kipcm_chan_queued(chan);
	if (capacity < queued + chan->reserved) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (capacity == chan->capacity)
		goto out_unlock;
	if (chan->message) {
		ret = kipcm_chan_set_msg_capacity(chan, capacity);
		goto out_unlock;
	}

	if (chan->pkts.slot) {
		max = DIV_ROUND_UP(capacity, PIPE_BUF);
		if (kipcm_pkts_queued(&chan->pkts) > max) {
			ret = -EBUSY;
			goto out_unlock;
		}
		table = kipcm_pkts_table_size(max);
	}

	/* Growing is F_SETPIPE_SZ's: refused over either per-user limit. */
	charge = capacity + table;
	grow = charge > chan->charged ? charge - chan->charged : 0;
	if (grow && !kipcm_user_charge_bytes(chan->user, grow, true)) {
		ret = -EPERM;
		goto out_unlock;
	}
	if (chan->mapped) {
		mring = kipcm_mring_create(capacity);
		ring = mring ? kipcm_mring_data(mring) : NULL;
	} else {
		ring = kvmalloc(capacity, GFP_KERNEL_ACCOUNT);
	}
	if (!ring) {
		ret = -ENOMEM;
		goto out_uncharge;
	}

	/* Linearise the queued bytes at the start of the new ring. */
	if (queued) {
		size_t off = kipcm_ring_off(chan->capacity, chan->tail);
		size_t first = min_t(u64, queued, chan->capacity - off);

		memcpy(ring, chan->ring + off, first);
		memcpy(ring + first, chan->ring, queued - first);
	}
	if (table) {
		ret = kipcm_chan_move_pkts(chan, &pkts, max);
		if (ret)
			goto out_free_ring;
		kvfree(chan->pkts.slot);
		chan->pkts.slot = pkts.slot;
		chan->pkts.mask = pkts.mask;
		WRITE_ONCE(chan->pkts.max, pkts.max);
		WRITE_ONCE(chan->pkts.tail, pkts.tail);
		WRITE_ONCE(chan->pkts.head, pkts.head);
	}
	if (chan->mapped)
		kipcm_mring_replace(chan, mring);
	else
		kvfree(chan->ring);
	chan->ring = ring;
	WRITE_ONCE(chan->tail, 0);
	WRITE_ONCE(chan->head, queued);
	WRITE_ONCE(chan->capacity, capacity);
	if (chan->mapped) {
		kipcm_mring_push(chan);
		kipcm_mring_update_state(chan);
		kipcm_mring_carry_bits(chan);
	}
	/* Any fd may resize this ring; the owner, the rings to come too. */
	if (uid_eq(current_fsuid(), chan->uid) || capable(CAP_SYS_RESOURCE))
		chan->configured = capacity;
	if (charge < chan->charged)
		kipcm_user_uncharge_bytes(chan->user, chan->charged - charge);
	chan->charged = charge;
	kipcm_chan_unlock_io(chan, &chan->wr_mutex);
	mutex_unlock(&chan->rd_mutex);

	wake_up_interruptible_all(&chan->wr_wait);
	return 0;

out_free_ring:
	if (mring)
		kipcm_mring_destroy(mring);
	else
		kvfree(ring);
out_uncharge:
	if (grow)
		kipcm_user_uncharge_bytes(chan->user, grow);
out_unlock:
	kipcm_chan_unlock_io(chan, &chan->wr_mutex);
	mutex_unlock(&chan->rd_mutex);
	return ret;
}

/*
 * A snapshot without ->lock, so that sysfs, fdinfo and the stats ioctl
 * never wait for a channel's users (device_unregister() waits for sysfs
 * readers).  Each value is one that the field had; @tail is read before
 * @head, so queued is never negative, and it is capped at the capacity.
 * A mapped channel's positions are in its pages, looked at under RCU
 * (without a file open there are none, and the channel's own copies
 * serve).  Its byte counters count what went through read() and write()
 * alone.
 */
static void kipcm_chan_get_stats(struct kipcm_chan *chan,
				 struct kipc_chan_stats *st)
{
	u64 tail, head;

	memset(st, 0, sizeof(*st));
	tail = READ_ONCE(chan->tail);
	smp_rmb();	/* pairs with the lock release after a head update */
	head = READ_ONCE(chan->head);
	if (chan->mapped)
		kipcm_mring_positions(chan, &head, &tail);
	st->capacity = READ_ONCE(chan->capacity);
	/* A message as long as the capacity costs a little more. */
	st->queued = head > tail ? min(head - tail, st->capacity +
				       (chan->message ? KIPC_MSG_OVERHEAD : 0)) :
				   0;
	st->readers = READ_ONCE(chan->readers);
	st->writers = READ_ONCE(chan->writers);
	st->bytes_read = READ_ONCE(chan->stats.bytes_read);
	st->bytes_written = READ_ONCE(chan->stats.bytes_written);
	st->read_waits = READ_ONCE(chan->stats.read_waits);
	st->write_waits = READ_ONCE(chan->stats.write_waits);
	st->high_water = READ_ONCE(chan->stats.high_water);
	st->messages = READ_ONCE(chan->messages);
}

/*
 * KIPC_IOC_PEEK: copy queued bytes out without consuming them, for tee().
 * ->rd_mutex keeps @tail, and so the bytes, where they are during the
 * copy, which runs without ->lock as a read's does.  Never waits.
 */
static long kipcm_chan_peek(struct file *filp, void __user *argp)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	struct kipc_peek req;
	struct iov_iter to;
	struct iovec iov;
	size_t n, done;
	u64 queued, pos;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (!(cf->mode & FMODE_READ))
		return -EBADF;
	if (chan->message)
		return kipcm_msg_peek(chan, &req);
	if (mutex_lock_interruptible(&chan->rd_mutex))
		return -ERESTARTSYS;
	mutex_lock(&chan->lock);
	if (chan->mapped) {
		long ret = kipcm_chan_mapped_io(chan, &chan->rd_mutex);

		if (ret) {
			kipcm_chan_unlock_io(chan, &chan->rd_mutex);
			return ret;
		}
	}
	queued = kipcm_chan_queued(chan);
	if (queued <= req.offset) {
		long ret = chan->writers ? -EAGAIN : 0;

		kipcm_chan_unlock_io(chan, &chan->rd_mutex);
		return ret;
	}
	/* The ioctl returns the count: an int, as read() caps at MAX_RW_COUNT. */
	n = min3(queued - req.offset, req.len, (u64)MAX_RW_COUNT);
	pos = chan->tail + req.offset;
	mutex_unlock(&chan->lock);

	iov.iov_base = u64_to_user_ptr(req.buf);
	iov.iov_len = n;
	iov_iter_init(&to, ITER_DEST, &iov, 1, n);
	done = kipcm_ring_copy_out(chan->ring, chan->capacity, pos, n, &to);
	mutex_unlock(&chan->rd_mutex);
	/* As read(): a fault before the first byte is EFAULT, len 0 is 0. */
	return done || !n ? done : -EFAULT;
}

/* A timeout in nanoseconds as jiffies, rounded up; 0 is none. */
static long kipcm_timeout_jiffies(u64 ns)
{
	u32 rem;
	u64 j;

	if (!ns)
		return MAX_SCHEDULE_TIMEOUT;
	j = div_u64_rem(ns, TICK_NSEC, &rem) + !!rem;
	return min_t(u64, j, MAX_SCHEDULE_TIMEOUT - 1);
}

static long kipcm_chan_get_opts(struct kipcm_chan_file *cf, void __user *argp)
{
	struct kipc_end_opts opts = {
		.rcvtimeo_ns = READ_ONCE(cf->opts.rcvtimeo_ns),
		.sndtimeo_ns = READ_ONCE(cf->opts.sndtimeo_ns),
		.rcvlowat = READ_ONCE(cf->opts.rcvlowat),
		.sndlowat = READ_ONCE(cf->opts.sndlowat),
		.priority = READ_ONCE(cf->opts.priority),
		.flags = READ_ONCE(cf->opts.flags),
	};

	return copy_to_user(argp, &opts, sizeof(opts)) ? -EFAULT : 0;
}

/*
 * KIPC_IOC_SET_OPTS: any end may set any option, as setsockopt() may;
 * each applies only where it means something (a write end never reads).
 */
static long kipcm_chan_set_opts(struct kipcm_chan_file *cf, void __user *argp)
{
	struct kipcm_chan *chan = cf->chan;
	struct kipc_end_opts opts;

	if (copy_from_user(&opts, argp, sizeof(opts)))
		return -EFAULT;
	if ((opts.flags & ~KIPC_END_TRUNC) ||
	    opts.priority >= KIPC_MSG_PRIO_MAX ||
	    !kipcm_reserved_zero(opts.__reserved, ARRAY_SIZE(opts.__reserved)))
		return -EINVAL;
	WRITE_ONCE(cf->rcvtimeo, kipcm_timeout_jiffies(opts.rcvtimeo_ns));
	WRITE_ONCE(cf->sndtimeo, kipcm_timeout_jiffies(opts.sndtimeo_ns));
	WRITE_ONCE(cf->opts.rcvtimeo_ns, opts.rcvtimeo_ns);
	WRITE_ONCE(cf->opts.sndtimeo_ns, opts.sndtimeo_ns);
	WRITE_ONCE(cf->opts.rcvlowat, opts.rcvlowat);
	WRITE_ONCE(cf->opts.sndlowat, opts.sndlowat);
	WRITE_ONCE(cf->opts.priority, opts.priority);
	WRITE_ONCE(cf->opts.flags, opts.flags);
	/* Readers wake writers only off a full channel unless told. */
	if (opts.sndlowat > PIPE_BUF && !READ_ONCE(chan->lowat_used))
		WRITE_ONCE(chan->lowat_used, true);
	return 0;
}

static long kipcm_chan_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	void __user *argp = (void __user *)arg;
	struct kipc_chan_stats st;
	struct kipc_capacity c;
	int ret;

	switch (cmd) {
	case FIONREAD:
		if (chan->message)
			return put_user(min_t(u64, kipcm_msg_next_len(chan),
					      INT_MAX), (int __user *)argp);
		mutex_lock(&chan->lock);
		ret = chan->mapped ? kipcm_mring_pull(chan) : 0;
		if (!ret)
			ret = min_t(u64, kipcm_chan_queued(chan), INT_MAX);
		mutex_unlock(&chan->lock);
		return ret < 0 ? ret : put_user(ret, (int __user *)argp);

	case KIPC_IOC_GET_CAPACITY:
		memset(&c, 0, sizeof(c));
		c.capacity = READ_ONCE(chan->capacity);
		return copy_to_user(argp, &c, sizeof(c)) ? -EFAULT : 0;

	case KIPC_IOC_SET_CAPACITY:
		if (copy_from_user(&c, argp, sizeof(c)))
			return -EFAULT;
		if (!kipcm_reserved_zero(c.__reserved, ARRAY_SIZE(c.__reserved)))
			return -EINVAL;
		ret = kipcm_chan_set_capacity(chan, c.capacity);
		if (ret)
			return ret;
		c.capacity = READ_ONCE(chan->capacity);
		return copy_to_user(argp, &c, sizeof(c)) ? -EFAULT : 0;

	case KIPC_IOC_CHAN_STATS:
		kipcm_chan_get_stats(chan, &st);
		return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;

	case KIPC_IOC_PEEK:
		return kipcm_chan_peek(filp, argp);

	case KIPC_IOC_GET_OPTS:
		return kipcm_chan_get_opts(cf, argp);

	case KIPC_IOC_SET_OPTS:
		return kipcm_chan_set_opts(cf, argp);

	case KIPC_IOC_MSG_SEND:
	case KIPC_IOC_MSG_RECV:
		return kipcm_msg_ioctl(filp, cmd, argp);
	}
	return kipcm_mring_ioctl(filp, cmd, argp);
}

static int kipcm_chan_fasync(int fd, struct file *filp, int on)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	int ret = 0;

	mutex_lock(&chan->lock);
	if (cf->mode & FMODE_READ)
		ret = fasync_helper(fd, filp, on, &chan->fasync_readers);
	if (ret >= 0 && (cf->mode & FMODE_WRITE)) {
		ret = fasync_helper(fd, filp, on, &chan->fasync_writers);
		if (ret < 0 && (cf->mode & FMODE_READ))
			fasync_helper(-1, filp, 0, &chan->fasync_readers);
	}
	mutex_unlock(&chan->lock);
	return ret < 0 ? ret : 0;
}

/*
 * One end goes: its counts, and the reference it held.  The last file
 * frees the ring; the last reference the channel.
 */
static void kipcm_chan_put_end(struct kipcm_chan *chan, fmode_t mode)
{
	mutex_lock(&chan->lock);
	if (mode & FMODE_READ)
		chan->readers--;
	if (mode & FMODE_WRITE)
		chan->writers--;
	/* A mapped side sees it without a system call. */
	kipcm_mring_update_state(chan);

	/* One side is gone for good: everybody waiting must see it. */
	if (!chan->readers != !chan->writers) {
		if (!chan->writers && chan->message)
			kipcm_msg_writers_gone(chan);
		wake_up_interruptible_all(&chan->rd_wait);
		wake_up_interruptible_all(&chan->wr_wait);
		kill_fasync(&chan->fasync_readers, SIGIO, POLL_IN);
		kill_fasync(&chan->fasync_writers, SIGIO, POLL_OUT);
	}
	if (!--chan->files)
		kipcm_chan_free_ring(chan);
	mutex_unlock(&chan->lock);
	kipcm_chan_put(chan);
}

static int kipcm_chan_release(struct inode *inode, struct file *filp)
{
	struct kipcm_chan_file *cf = filp->private_data;

	if (cf->chan->mapped)
		filp->f_mode = (filp->f_mode & ~(FMODE_READ | FMODE_WRITE)) |
			       cf->mode;
	kipcm_chan_put_end(cf->chan, cf->mode);
	kfree(cf);
	return 0;
}

static void kipcm_chan_show_fdinfo(struct seq_file *m, struct file *filp)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipc_chan_stats st;

	kipcm_chan_get_stats(cf->chan, &st);
	seq_printf(m, "kipc-chan:\t%s\n",
		   cf->chan->name[0] ? cf->chan->name : "[anonymous]");
	seq_printf(m, "kipc-id:\t%llu\n", cf->chan->id);
	seq_printf(m, "kipc-capacity:\t%llu\n", st.capacity);
	seq_printf(m, "kipc-mapped:\t%d\n", cf->chan->mapped);
	seq_printf(m, "kipc-message:\t%d\n", cf->chan->message);
	seq_printf(m, "kipc-messages:\t%llu\n", st.messages);
	seq_printf(m, "kipc-queued:\t%llu\n", st.queued);
	seq_printf(m, "kipc-readers:\t%llu\n", st.readers);
	seq_printf(m, "kipc-writers:\t%llu\n", st.writers);
	seq_printf(m, "kipc-bytes-read:\t%llu\n", st.bytes_read);
	seq_printf(m, "kipc-bytes-written:\t%llu\n", st.bytes_written);
}

/*
 * Opening a named channel: the FIFO rules of fs/pipe.c's fifo_open(),
 * whether through its node or by name (KIPC_IOC_CHAN_OPEN, which may bound
 * the wait for a partner).
 */
static int kipcm_chan_wait_for_partner(struct kipcm_chan *chan,
				       unsigned int *counter, long *timeo)
{
	unsigned int cur = *counter;
	int ret;

	mutex_unlock(&chan->lock);
	ret = kipcm_wait_timeout(chan->open_wait, cur != READ_ONCE(*counter),
				 0, timeo);
	mutex_lock(&chan->lock);
	return ret == -EAGAIN ? -ETIMEDOUT : ret;
}

static void kipcm_chan_wake_partner(struct kipcm_chan *chan)
{
	wake_up_interruptible_all(&chan->open_wait);
}

/*
 * The channel behind a node, if the node is still its node.  A node that
 * was removed opens nothing: an open that raced with the removal, or a
 * reopen through /proc/PID/fd of a removed node's fd, holds an inode whose
 * minor may already belong to a new channel (ida hands out the lowest free
 * one), with another owner and mode than the open was checked against.
 * Removal unlinks the node (device_del() waits for devtmpfs) before it
 * frees the minor, and a new channel is listed under kipcm_chans_lock; so
 * a linked inode found here with a listed channel on its minor is that
 * channel's node: identity, not a name that may be reused.
 */
static struct kipcm_chan *kipcm_chan_lookup_node(struct inode *inode)
{
	unsigned int minor = iminor(inode);
	struct kipcm_chan *chan, *found = NULL;

	mutex_lock(&kipcm_chans_lock);
	list_for_each_entry(chan, &kipcm_chans, node) {
		if (MINOR(chan->dev->devt) == minor) {
			if (inode->i_nlink) {
				kref_get(&chan->ref);
				found = chan;
			}
			break;
		}
	}
	mutex_unlock(&kipcm_chans_lock);
	return found;
}

/* A new end's private data: no options, so no timeouts. */
static struct kipcm_chan_file *kipcm_chan_file_alloc(struct kipcm_chan *chan)
{
	struct kipcm_chan_file *cf;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL_ACCOUNT);
	if (!cf)
		return NULL;
	cf->chan = chan;
	cf->rcvtimeo = MAX_SCHEDULE_TIMEOUT;
	cf->sndtimeo = MAX_SCHEDULE_TIMEOUT;
	return cf;
}

/* What an end may do is its access mode, kept apart from f_mode. */
static void kipcm_chan_file_mode(struct file *filp)
{
	struct kipcm_chan_file *cf = filp->private_data;

	cf->mode = filp->f_mode & (FMODE_READ | FMODE_WRITE);
	filp->f_mode |= FMODE_NOWAIT;
	/* O_DIRECT is packet mode, not a page-cache bypass: not mapped. */
	if (!cf->chan->mapped)
		filp->f_mode |= FMODE_CAN_ODIRECT;
}

/*
 * An end of a mapped channel, once open: mmap() maps a file only with
 * FMODE_READ, and writable only with FMODE_WRITE, so every end gets both.
 * What it may do is still @cf->mode, which read, write, poll and mmap
 * check; kipcm_chan_release() gives f_mode back its own bits for the
 * VFS's accounting (i_readcount) at the final fput.
 */
static void kipcm_chan_grant_map(struct file *filp)
{
	struct kipcm_chan_file *cf = filp->private_data;

	if (cf->chan->mapped)
		filp->f_mode |= FMODE_READ | FMODE_WRITE;
}

/*
 * Count a new end of a named channel with access @cf->mode, waiting for a
 * partner as a FIFO's open does, at most *@timeo jiffies.  Returns 0 with
 * the end counted (from then on its release gives it back), or -errno
 * with nothing counted; the caller's channel reference is its own.
 */
static int kipcm_chan_open_end(struct kipcm_chan_file *cf,
			       unsigned int f_flags, long *timeo)
{
	struct kipcm_chan *chan = cf->chan;
	int ret;

	mutex_lock(&chan->lock);
	if (!chan->files) {
		ret = kipcm_chan_alloc_ring(chan);
		/* Over the limit a FIFO open is ENOMEM, not pipe()'s ENFILE. */
		if (ret == -ENFILE)
			ret = -ENOMEM;
		if (ret)
			goto out_unlock;
	}
	chan->files++;

	switch (cf->mode) {
	case FMODE_READ:
		chan->r_counter++;
		if (chan->readers++ == 0)
			kipcm_chan_wake_partner(chan);
		if (chan->writers)
			break;
		if (f_flags & O_NONBLOCK) {
			/* No POLLHUP until a writer has been seen. */
			cf->w_counter_seen = chan->w_counter;
			break;
		}
		ret = kipcm_chan_wait_for_partner(chan, &chan->w_counter,
						  timeo);
		if (ret)
			goto out_no_reader;
		break;

	case FMODE_WRITE:
		ret = -ENXIO;
		if ((f_flags & O_NONBLOCK) && !chan->readers)
			goto out_no_file;
		chan->w_counter++;
		if (!chan->writers++)
			kipcm_chan_wake_partner(chan);
		if (!chan->readers) {
			ret = kipcm_chan_wait_for_partner(chan,
							  &chan->r_counter,
							  timeo);
			if (ret)
				goto out_no_writer;
		}
		break;

	case FMODE_READ | FMODE_WRITE:
		/* Never blocks: it is its own partner, as on Linux. */
		chan->readers++;
		chan->writers++;
		chan->r_counter++;
		chan->w_counter++;
		if (chan->readers == 1 || chan->writers == 1)
			kipcm_chan_wake_partner(chan);
		break;

	default:
		ret = -EINVAL;
		goto out_no_file;
	}
	kipcm_mring_update_state(chan);
	mutex_unlock(&chan->lock);
	return 0;

out_no_reader:
	if (!--chan->readers)
		wake_up_interruptible(&chan->wr_wait);
	goto out_no_file;
out_no_writer:
	if (!--chan->writers)
		wake_up_interruptible_all(&chan->rd_wait);
out_no_file:
	if (!--chan->files)
		kipcm_chan_free_ring(chan);
	kipcm_mring_update_state(chan);
out_unlock:
	mutex_unlock(&chan->lock);
	return ret;
}

static int kipcm_chan_node_open(struct inode *inode, struct file *filp)
{
	long timeo = MAX_SCHEDULE_TIMEOUT;
	struct kipcm_chan_file *cf;
	struct kipcm_chan *chan;
	int ret;

	chan = kipcm_chan_lookup_node(inode);
	if (!chan)
		return -ENXIO;
	cf = kipcm_chan_file_alloc(chan);
	if (!cf) {
		ret = -ENOMEM;
		goto out_put;
	}
	filp->private_data = cf;
	stream_open(inode, filp);
	kipcm_chan_file_mode(filp);
	/*
	 * A write end of a mapped channel sees the ring's bytes through its
	 * mapping (no page is write-only): it needs the right to read too.
	 */
	if (chan->mapped && cf->mode == FMODE_WRITE) {
		ret = file_permission(filp, MAY_READ);
		if (ret)
			goto out_free;
	}
	ret = kipcm_chan_open_end(cf, filp->f_flags, &timeo);
	if (ret)
		goto out_free;
	kipcm_chan_grant_map(filp);
	return 0;

out_free:
	kfree(cf);
out_put:
	kipcm_chan_put(chan);
	return ret;
}

/*
 * Capacity from user space: 0 means the default, anything else is checked
 * like a later KIPC_IOC_SET_CAPACITY would be.
 */
static int kipcm_chan_capacity_arg(u64 *capacity, bool mapped)
{
	int ret;

	if (!*capacity) {
		*capacity = kipcm_default_cap();
		/* Down, so as not to pass max_capacity: 65536 stays. */
		if (mapped)
			*capacity = max_t(u64, rounddown_pow_of_two(*capacity),
					  PAGE_SIZE);
		return 0;
	}
	ret = kipcm_capacity_check(*capacity, 0);
	if (!ret && mapped)
		ret = kipcm_mring_capacity_check(*capacity);
	return ret;
}

static struct file *kipcm_chan_anon_file(struct kipcm_chan *chan, int flags)
{
	struct kipcm_chan_file *cf;
	struct file *filp;

	cf = kipcm_chan_file_alloc(chan);
	if (!cf)
		return ERR_PTR(-ENOMEM);
	filp = anon_inode_getfile("[kipc]", &kipcm_chan_fops, cf, flags);
	if (IS_ERR(filp)) {
		kfree(cf);
		return filp;
	}
	/* anon_inode_getfile() keeps only the access mode and O_NONBLOCK. */
	filp->f_flags |= flags & O_DIRECT;
	filp->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	filp->f_mode |= FMODE_STREAM;
	kipcm_chan_file_mode(filp);
	kipcm_chan_grant_map(filp);
	/* A node's open gets these from the VFS, after ->open. */
	if (chan->mapped)
		filp->f_mode |= FMODE_CAN_READ | FMODE_CAN_WRITE;
	return filp;
}

/*
 * A new anonymous channel and its two files, or nothing, as
 * create_pipe_files() makes them.  Each end's counts and reference are
 * taken before its file exists; from then on the file's release gives
 * them back.
 */
static int kipcm_chan_pair_files(u64 capacity, int flags,
				 struct file **rfile, struct file **wfile)
{
	struct kipcm_chan *chan;
	int ret;

	chan = kipcm_chan_alloc(capacity);
	if (!chan)
		return -ENOMEM;
	chan->mapped = flags & KIPC_CHAN_F_MAPPED;
	chan->message = flags & KIPC_CHAN_F_MESSAGE;
	mutex_lock(&chan->lock);
	ret = kipcm_chan_alloc_ring(chan);
	if (!ret) {
		chan->readers = 1;
		chan->writers = 1;
		chan->files = 2;
		kref_get(&chan->ref);
		kipcm_mring_update_state(chan);
	}
	mutex_unlock(&chan->lock);
	if (ret) {
		kipcm_chan_put(chan);
		return ret;
	}

	*rfile = kipcm_chan_anon_file(chan, O_RDONLY | (flags & O_NONBLOCK));
	if (IS_ERR(*rfile)) {
		ret = PTR_ERR(*rfile);
		goto out_put_ends;
	}
	*wfile = kipcm_chan_anon_file(chan, O_WRONLY |
				      (flags & (O_NONBLOCK | O_DIRECT)));
	if (IS_ERR(*wfile)) {
		ret = PTR_ERR(*wfile);
		goto out_fput_reader;
	}
	return 0;

out_fput_reader:
	/* Its release gives the read end back. */
	fput(*rfile);
	kipcm_chan_put_end(chan, FMODE_WRITE);
	return ret;
out_put_ends:
	kipcm_chan_put_end(chan, FMODE_WRITE);
	kipcm_chan_put_end(chan, FMODE_READ);
	return ret;
}

long kipcm_chan_pair_ioctl(void __user *argp)
{
	struct kipc_chan_pair req;
	struct file *rfile, *wfile;
	int rfd, wfd, ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT |
			  KIPC_CHAN_F_MAPPED | KIPC_CHAN_F_MESSAGE) ||
	    req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	/*
	 * No packets in a ring user space reads as bytes, and none in a
	 * message channel, whose every write is one already.
	 */
	if ((req.flags & (KIPC_CHAN_F_MAPPED | KIPC_CHAN_F_MESSAGE)) &&
	    (req.flags & O_DIRECT))
		return -EINVAL;
	if ((req.flags & KIPC_CHAN_F_MAPPED) &&
	    (req.flags & KIPC_CHAN_F_MESSAGE))
		return -EINVAL;
	ret = kipcm_chan_capacity_arg(&req.capacity,
				      req.flags & KIPC_CHAN_F_MAPPED);
	if (ret)
		return ret;

	ret = kipcm_chan_pair_files(req.capacity, req.flags, &rfile, &wfile);
	if (ret)
		return ret;
	/* What it got: over the soft limit, less than asked for. */
	req.capacity = kipcm_file_chan(rfile)->capacity;

	rfd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (rfd < 0) {
		ret = rfd;
		goto out_fput;
	}
	wfd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (wfd < 0) {
		ret = wfd;
		goto out_put_rfd;
	}

	/* Like pipe2(): on EFAULT no fd exists and nothing was written. */
	req.rfd = rfd;
	req.wfd = wfd;
	if (copy_to_user(argp, &req, sizeof(req))) {
		ret = -EFAULT;
		goto out_put_wfd;
	}
	fd_install(rfd, rfile);
	fd_install(wfd, wfile);
	return 0;

out_put_wfd:
	put_unused_fd(wfd);
out_put_rfd:
	put_unused_fd(rfd);
out_fput:
	/* Each release gives its end back; the last frees the channel. */
	fput(wfile);
	fput(rfile);
	return ret;
}

/* Named channels: the nodes under /dev/kipc and their sysfs attributes. */

static struct kipcm_chan *kipcm_dev_chan(struct device *dev)
{
	return dev_get_drvdata(dev);
}

#define KIPC_CHAN_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct kipc_chan_stats st;					\
									\
	kipcm_chan_get_stats(kipcm_dev_chan(dev), &st);			\
	return sysfs_emit(buf, "%llu\n", st._field);			\
}									\
static DEVICE_ATTR_RO(_name)

KIPC_CHAN_ATTR(queued, queued);
KIPC_CHAN_ATTR(capacity, capacity);
KIPC_CHAN_ATTR(readers, readers);
KIPC_CHAN_ATTR(writers, writers);
KIPC_CHAN_ATTR(bytes_read, bytes_read);
KIPC_CHAN_ATTR(bytes_written, bytes_written);
KIPC_CHAN_ATTR(read_waits, read_waits);
KIPC_CHAN_ATTR(write_waits, write_waits);
KIPC_CHAN_ATTR(high_water, high_water);
KIPC_CHAN_ATTR(messages, messages);

/* "byte", "mapped" or "message": what the channel was created as. */
static ssize_t kind_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct kipcm_chan *chan = kipcm_dev_chan(dev);

	return sysfs_emit(buf, "%s\n", chan->message ? "message" :
				      chan->mapped ? "mapped" : "byte");
}
static DEVICE_ATTR_RO(kind);

static struct attribute *kipcm_chan_attrs[] = {
	&dev_attr_queued.attr,
	&dev_attr_capacity.attr,
	&dev_attr_readers.attr,
	&dev_attr_writers.attr,
	&dev_attr_bytes_read.attr,
	&dev_attr_bytes_written.attr,
	&dev_attr_read_waits.attr,
	&dev_attr_write_waits.attr,
	&dev_attr_high_water.attr,
	&dev_attr_messages.attr,
	&dev_attr_kind.attr,
	NULL,
};

/*
 * A channel's counters are for those who may open it: high_water alone
 * tells the length of a secret.  Each class (owner, group, other) that may
 * open the node for reading or writing may read them; others get EACCES
 * from sysfs, as from the node.  The files belong to the node's owner and
 * group (kipcm_chan_get_ownership()), and root reads them all.
 */
static umode_t kipcm_chan_attr_visible(struct kobject *kobj,
				       struct attribute *attr, int n)
{
	struct kipcm_chan *chan = dev_get_drvdata(kobj_to_dev(kobj));
	umode_t mode = 0;

	if (chan->mode & 0600)
		mode |= 0400;
	if (chan->mode & 0060)
		mode |= 0040;
	if (chan->mode & 0006)
		mode |= 0004;
	/* 0 would hide the file from root too: root's alone, then. */
	return mode ?: 0400;
}

static const struct attribute_group kipcm_chan_group = {
	.attrs		= kipcm_chan_attrs,
	.is_visible	= kipcm_chan_attr_visible,
};

static const struct attribute_group *kipcm_chan_groups[] = {
	&kipcm_chan_group,
	NULL,
};

static char *kipcm_chan_devnode(KIPC_DEV_CONST struct device *dev,
				umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	struct kipcm_chan *chan = dev_get_drvdata(dev);

	if (mode)
		*mode = chan->mode;
	if (uid)
		*uid = chan->uid;
	if (gid)
		*gid = chan->gid;
	/*
	 * This name must not fail: on NULL the device core falls back on
	 * the bare device name, so devtmpfs would make the node as
	 * /dev/NAME on device_add(), and on device_del() would delete
	 * /dev/NAME, leaving a stale /dev/kipc/NAME on a minor that the next
	 * channel reuses.  Neither caller can report an error.  At most
	 * "kipc/" plus KIPC_NAME_MAX bytes: a small slab object.
	 */
	return kasprintf(GFP_KERNEL | __GFP_NOFAIL, "kipc/%s", chan->name);
}

static const struct device_type kipcm_chan_type = {
	.name		= "kipc_chan",
	.groups		= kipcm_chan_groups,
	.devnode	= kipcm_chan_devnode,
};

static void kipcm_chan_get_ownership(KIPC_DEV_CONST struct device *dev,
				     kuid_t *uid, kgid_t *gid)
{
	const struct kipcm_chan *chan = dev_get_drvdata(dev);

	/* With no access for anybody, the counters are root's alone. */
	*uid = chan->mode & 0777 ? chan->uid : GLOBAL_ROOT_UID;
	*gid = chan->mode & 0777 ? chan->gid : GLOBAL_ROOT_GID;
}

static struct class kipcm_chan_class = {
	.name		= "kipc",
	.get_ownership	= kipcm_chan_get_ownership,
};

static void kipcm_chan_dev_release(struct device *dev)
{
	kfree(dev);
}

static struct kipcm_chan *__kipcm_chan_find(const char *name)
{
	struct kipcm_chan *chan;

	lockdep_assert_held(&kipcm_chans_lock);
	list_for_each_entry(chan, &kipcm_chans, node)
		if (!strcmp(chan->name, name))
			return chan;
	return NULL;
}

/*
 * List a new named channel under its name, within the global and the
 * creator's limits: the name is taken from here on.  Called with
 * kipcm_nodes_lock held.
 */
static int __kipcm_chan_reserve(struct kipcm_chan *chan)
{
	struct kipcm_user *owner;
	int ret = 0;

	lockdep_assert_held(&kipcm_nodes_lock);
	owner = kipcm_user_get();
	if (!owner)
		return -ENOMEM;

	mutex_lock(&kipcm_chans_lock);
	if (__kipcm_chan_find(chan->name)) {
		ret = -EEXIST;
	} else if (kipcm_nr_chans >= min(READ_ONCE(kipcm_max_channels),
					KIPC_CHAN_MINORS)) {
		ret = -ENOSPC;
	} else if (!kipcm_user_add_chan(owner)) {
		/* This user's share of max_channels is used up. */
		ret = -ENOSPC;
	} else {
		chan->owner = owner;
		list_add_tail(&chan->node, &kipcm_chans);
		kipcm_nr_chans++;
	}
	mutex_unlock(&kipcm_chans_lock);
	if (ret)
		kipcm_user_put(owner);
	return ret;
}

/* Take a channel off the list, and off its creator's count. */
static void __kipcm_chan_unlist(struct kipcm_chan *chan)
{
	lockdep_assert_held(&kipcm_chans_lock);
	list_del_init(&chan->node);
	kipcm_nr_chans--;
	kipcm_user_sub_chan(chan->owner);
	kipcm_user_put(chan->owner);
	chan->owner = NULL;
}

static int kipcm_chan_name_arg(void __user *argp, struct kipc_chan_name *req,
			       u32 flags)
{
	if (copy_from_user(req, argp, sizeof(*req)))
		return -EFAULT;
	if ((req->flags & ~flags) ||
	    !kipcm_reserved_zero(req->__reserved, ARRAY_SIZE(req->__reserved)))
		return -EINVAL;
	if (!memchr(req->name, '\0', sizeof(req->name)) ||
	    !kipcm_chan_name_valid(req->name))
		return -EINVAL;
	return 0;
}

long kipcm_chan_create_ioctl(void __user *argp)
{
	struct kipc_chan_name req;
	struct kipcm_chan *chan;
	struct device *dev;
	int minor, ret;

	ret = kipcm_chan_name_arg(argp, &req,
				  KIPC_CHAN_F_MAPPED | KIPC_CHAN_F_MESSAGE);
	if (ret)
		return ret;
	if (req.mode & ~0777 ||
	    (req.flags & KIPC_CHAN_F_MAPPED && req.flags & KIPC_CHAN_F_MESSAGE))
		return -EINVAL;
	ret = kipcm_chan_capacity_arg(&req.capacity,
				      req.flags & KIPC_CHAN_F_MAPPED);
	if (ret)
		return ret;

	chan = kipcm_chan_alloc(req.capacity);
	if (!chan)
		return -ENOMEM;
	chan->mapped = req.flags & KIPC_CHAN_F_MAPPED;
	chan->message = req.flags & KIPC_CHAN_F_MESSAGE;
	/* A FIFO has seen no writer yet: counters start at zero. */
	chan->w_counter = 0;
	strscpy(chan->name, req.name, sizeof(chan->name));
	chan->uid = current_fsuid();
	chan->gid = current_fsgid();
	chan->mode = req.mode & ~current_umask() & 0777;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (mutex_lock_interruptible(&kipcm_nodes_lock)) {
		kfree(dev);
		ret = -ERESTARTSYS;
		goto out_put;
	}
	minor = ida_alloc_max(&kipcm_chan_ida, KIPC_CHAN_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(dev);
		ret = minor == -ENOMEM ? -ENOMEM : -ENOSPC;
		goto out_unlock_nodes;
	}
	device_initialize(dev);
	dev->class = &kipcm_chan_class;
	dev->type = &kipcm_chan_type;
	dev->devt = MKDEV(MAJOR(kipcm_chan_devt), minor);
	dev->release = kipcm_chan_dev_release;
	dev_set_drvdata(dev, chan);
	chan->dev = dev;
	ret = dev_set_name(dev, "%s", req.name);
	if (ret)
		goto out_put_dev;

	ret = __kipcm_chan_reserve(chan);
	if (ret)
		goto out_put_dev;
	ret = device_add(dev);
	if (ret)
		goto out_unreserve;
	/*
	 * A named channel pins the module until it is removed: rmmod must
	 * not destroy what a user left.  The caller's control fd holds the
	 * module, so this cannot race an unload.
	 */
	__module_get(THIS_MODULE);
	mutex_unlock(&kipcm_nodes_lock);
	return 0;

out_unreserve:
	mutex_lock(&kipcm_chans_lock);
	__kipcm_chan_unlist(chan);
	mutex_unlock(&kipcm_chans_lock);
out_put_dev:
	chan->dev = NULL;
	put_device(dev);
	ida_free(&kipcm_chan_ida, minor);
out_unlock_nodes:
	mutex_unlock(&kipcm_nodes_lock);
out_put:
	kipcm_chan_put(chan);
	return ret;
}

/*
 * Take a named channel off /dev/kipc.  Open fds keep working; the list's
 * reference dies here and the last fd frees the channel.  Called with
 * kipcm_nodes_lock held, after __kipcm_chan_unlist(): the node goes before
 * its minor is free for another channel (see kipcm_chan_lookup_node()).
 */
static void __kipcm_chan_delete_node(struct kipcm_chan *chan)
{
	unsigned int minor = MINOR(chan->dev->devt);

	lockdep_assert_held(&kipcm_nodes_lock);
	device_unregister(chan->dev);
	ida_free(&kipcm_chan_ida, minor);
	kipcm_chan_put(chan);
}

long kipcm_chan_remove_ioctl(void __user *argp)
{
	struct kipc_chan_name req;
	struct kipcm_chan *chan;
	int ret;

	ret = kipcm_chan_name_arg(argp, &req, 0);
	if (ret)
		return ret;
	if (req.mode || req.capacity)
		return -EINVAL;

	if (mutex_lock_interruptible(&kipcm_nodes_lock))
		return -ERESTARTSYS;
	mutex_lock(&kipcm_chans_lock);
	chan = __kipcm_chan_find(req.name);
	if (!chan) {
		ret = -ENOENT;
	} else if (!uid_eq(current_fsuid(), chan->uid) &&
		   !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		__kipcm_chan_unlist(chan);
		ret = 0;
	}
	mutex_unlock(&kipcm_chans_lock);
	if (!ret) {
		__kipcm_chan_delete_node(chan);
		/* The caller's control fd still holds the module. */
		module_put(THIS_MODULE);
	}
	mutex_unlock(&kipcm_nodes_lock);
	return ret;
}

/*
 * What open() of the node checks, without the node: its creation mode
 * against the caller's fsuid and groups, or CAP_DAC_OVERRIDE (for reading
 * alone, CAP_DAC_READ_SEARCH).  A chmod of the node by udev or an admin is
 * not seen here: kipc(4) says so.
 */
static int kipcm_chan_permission(const struct kipcm_chan *chan, int mask)
{
	umode_t mode = chan->mode;

	if (uid_eq(current_fsuid(), chan->uid))
		mode >>= 6;
	else if (in_group_p(chan->gid))
		mode >>= 3;
	if (!(mask & ~mode & (MAY_READ | MAY_WRITE)))
		return 0;
	if (capable(CAP_DAC_OVERRIDE))
		return 0;
	if (!(mask & MAY_WRITE) && capable(CAP_DAC_READ_SEARCH))
		return 0;
	return -EACCES;
}

/* A listed named channel by name, with a reference for a new end. */
static struct kipcm_chan *kipcm_chan_get_by_name(const char *name)
{
	struct kipcm_chan *chan;

	mutex_lock(&kipcm_chans_lock);
	chan = __kipcm_chan_find(name);
	if (chan)
		kref_get(&chan->ref);
	mutex_unlock(&kipcm_chans_lock);
	return chan;
}

/*
 * KIPC_IOC_CHAN_OPEN: open a named channel by name, as open() of its node
 * would, but with a bound on the wait for a partner, and from where the
 * node cannot be reached.  The file is an anonymous one, as a pair's ends.
 */
long kipcm_chan_open_ioctl(void __user *argp)
{
	struct kipc_chan_open __user *uarg = argp;
	struct kipcm_chan_file *cf, *end;
	struct kipc_chan_open req;
	struct kipcm_chan *chan;
	struct file *filp;
	fmode_t mode;
	long timeo;
	int fd, ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~(O_ACCMODE | O_NONBLOCK | O_CLOEXEC | O_DIRECT)) ||
	    (req.flags & O_ACCMODE) == O_ACCMODE ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (!memchr(req.name, '\0', sizeof(req.name)) ||
	    !kipcm_chan_name_valid(req.name))
		return -EINVAL;
	mode = (req.flags & O_ACCMODE) == O_RDONLY ? FMODE_READ :
	       (req.flags & O_ACCMODE) == O_WRONLY ? FMODE_WRITE :
						     FMODE_READ | FMODE_WRITE;
	timeo = req.timeout_ns < 0 ? MAX_SCHEDULE_TIMEOUT :
		req.timeout_ns ? kipcm_timeout_jiffies(req.timeout_ns) : 0;

	chan = kipcm_chan_get_by_name(req.name);
	if (!chan)
		return -ENOENT;
	/* As the node's open: no packet mode on a mapped ring (no CAN_ODIRECT). */
	if (chan->mapped && (req.flags & O_DIRECT)) {
		ret = -EINVAL;
		goto out_put;
	}
	/* A mapped write end sees the ring: see kipcm_chan_node_open(). */
	ret = kipcm_chan_permission(chan, (mode & FMODE_READ ||
					   chan->mapped ? MAY_READ : 0) |
					  (mode & FMODE_WRITE ? MAY_WRITE : 0));
	if (ret)
		goto out_put;
	cf = kipcm_chan_file_alloc(chan);
	if (!cf) {
		ret = -ENOMEM;
		goto out_put;
	}
	cf->mode = mode;
	ret = kipcm_chan_open_end(cf, req.flags, &timeo);
	if (ret) {
		kfree(cf);
		goto out_put;
	}

	/* From here the end is counted: kipcm_chan_put_end() undoes it. */
	filp = kipcm_chan_anon_file(chan, req.flags & (O_ACCMODE | O_NONBLOCK |
						       O_DIRECT));
	if (IS_ERR(filp)) {
		ret = PTR_ERR(filp);
		goto out_put_end;
	}
	end = filp->private_data;
	end->w_counter_seen = cf->w_counter_seen;
	kfree(cf);
	fd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (fd < 0) {
		fput(filp);
		return fd;
	}
	if (put_user(fd, &uarg->fd)) {
		put_unused_fd(fd);
		fput(filp);
		return -EFAULT;
	}
	fd_install(fd, filp);
	return 0;

out_put_end:
	kfree(cf);
	kipcm_chan_put_end(chan, mode);
	return ret;
out_put:
	kipcm_chan_put(chan);
	return ret;
}

static const struct file_operations kipcm_chan_fops = {
	.owner		= THIS_MODULE,
	.open		= kipcm_chan_node_open,
	.read_iter	= kipcm_chan_read_iter,
	.write_iter	= kipcm_chan_write_iter,
	.poll		= kipcm_chan_poll,
	.mmap		= kipcm_mring_mmap,
	.unlocked_ioctl	= kipcm_chan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.fasync		= kipcm_chan_fasync,
	.release	= kipcm_chan_release,
	.show_fdinfo	= kipcm_chan_show_fdinfo,
#ifdef KIPC_HAVE_COPY_SPLICE_READ
	.splice_read	= copy_splice_read,
#else
	.splice_read	= generic_file_splice_read,
#endif
	.splice_write	= iter_file_splice_write,
};

void kipcm_chan_fill_stats(struct kipc_stats *st)
{
	st->chans = atomic_long_read(&kipcm_chans_alive);
	st->chans_created = atomic64_read(&kipcm_chans_created);
	st->bytes_written = percpu_counter_sum_positive(&kipcm_bytes_written);
	st->bytes_read = percpu_counter_sum_positive(&kipcm_bytes_read);
	mutex_lock(&kipcm_chans_lock);
	st->named_chans = kipcm_nr_chans;
	mutex_unlock(&kipcm_chans_lock);
}

int kipcm_chan_init(void)
{
	int ret;

	ret = percpu_counter_init(&kipcm_bytes_written, 0, GFP_KERNEL);
	if (ret)
		return ret;
	ret = percpu_counter_init(&kipcm_bytes_read, 0, GFP_KERNEL);
	if (ret)
		goto out_destroy_written;

	ret = alloc_chrdev_region(&kipcm_chan_devt, 0, KIPC_CHAN_MINORS,
				  "kipc");
	if (ret)
		goto out_destroy_read;

	cdev_init(&kipcm_chan_cdev, &kipcm_chan_fops);
	kipcm_chan_cdev.owner = THIS_MODULE;
	ret = cdev_add(&kipcm_chan_cdev, kipcm_chan_devt, KIPC_CHAN_MINORS);
	if (ret)
		goto out_unregister_region;

	ret = class_register(&kipcm_chan_class);
	if (ret)
		goto out_del_cdev;
	return 0;

out_del_cdev:
	cdev_del(&kipcm_chan_cdev);
out_unregister_region:
	unregister_chrdev_region(kipcm_chan_devt, KIPC_CHAN_MINORS);
out_destroy_read:
	percpu_counter_destroy(&kipcm_bytes_read);
out_destroy_written:
	percpu_counter_destroy(&kipcm_bytes_written);
	return ret;
}

void kipcm_chan_exit(void)
{
	/* Every fd and every named channel pins the module: none is left. */
	class_unregister(&kipcm_chan_class);
	cdev_del(&kipcm_chan_cdev);
	unregister_chrdev_region(kipcm_chan_devt, KIPC_CHAN_MINORS);
	ida_destroy(&kipcm_chan_ida);
	percpu_counter_destroy(&kipcm_bytes_read);
	percpu_counter_destroy(&kipcm_bytes_written);
}
