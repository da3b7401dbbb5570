// SPDX-License-Identifier: GPL-2.0
/*
 * kipc mapped channels: the ring of a channel created with
 * KIPC_CHAN_F_MAPPED, as user space maps it, so that a producer and a
 * consumer exchange bytes with plain loads and stores while the kernel
 * keeps pipe semantics (EOF, EPIPE, poll, sleeping, a dead peer noticed).
 *
 * The pages, in mmap offsets (page numbers), and in the kernel's vmap:
 *
 *	0	state		struct kipc_ring_state: written by the kernel only
 *	1	producer	struct kipc_ring_pos: the producer's position
 *	2	consumer	struct kipc_ring_pos: the consumer's position
 *	3..	data		capacity bytes, then the same pages again, so that
 *			any span of up to capacity bytes is contiguous (as
 *			kernel/bpf/ringbuf.c maps its data twice)
 *
 * Each side has one owner at a time: the kernel (read() or write() on any
 * end), or the one user mapping that may write the side's position page.
 * The kernel keeps the positions it owns in the channel and publishes them
 * to the pages; a position user space owns is read as hostile input, each
 * time it is used, and checked against the other (0 <= head - tail <=
 * capacity).  A position out of range breaks the channel for good (EIO):
 * a corrupt peer spoils its own channel's data and nothing else.
 *
 * Sleeping follows io_uring's SQPOLL wake-up (the Dekker pairing): a side
 * about to sleep sets KIPC_RING_WAITING in its page, issues a full barrier
 * and checks the ring again; the other side publishes its position, issues
 * a full barrier and, if it sees the bit, calls KIPC_IOC_RING_WAKE.  One of
 * the two always sees the other.  The kernel sets and clears the bit for
 * every sleeper, in the kernel or in KIPC_IOC_RING_WAIT; user space only
 * reads it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <linux/kipc.h>

#include "kipc.h"
#include "kipc_chan.h"

enum kipcm_mring_page {
	KIPCM_PG_STATE,
	KIPCM_PG_PROD,
	KIPCM_PG_CONS,
	KIPCM_PG_DATA,
};

/**
 * struct kipcm_mring - the pages of a mapped channel
 * @pages: state, producer, consumer, the data pages, and the data pages
 *	again: the kernel's vmap and every user mapping take them from here
 * @nr_pages: entries of @pages
 * @nr_data: data pages, each in @pages twice
 * @size: the data's bytes: the capacity this ring was made for
 * @vaddr: the kernel's mapping of @pages
 * @state: in @vaddr, the read-only page
 * @prod: in @vaddr, the producer's page
 * @cons: in @vaddr, the consumer's page
 *
 * Allocated with the channel's ring and freed with it, when the last file
 * goes; every user mapping holds a file, so no mapping outlives it.
 */
struct kipcm_mring {
	struct page **pages;
	unsigned long nr_pages;
	unsigned long nr_data;
	u64 size;
	void *vaddr;
	struct kipc_ring_state *state;
	struct kipc_ring_pos *prod;
	struct kipc_ring_pos *cons;
};

/* A mapped ring is a power-of-two number of pages, as the BPF ring. */
int kipcm_mring_capacity_check(u64 capacity)
{
	if (capacity < PAGE_SIZE || !is_power_of_2(capacity))
		return -EINVAL;
	return 0;
}

static void kipcm_mring_free_pages(struct kipcm_mring *mr, unsigned long n)
{
	while (n--)
		__free_page(mr->pages[n]);
	kvfree(mr->pages);
	kfree(mr);
}

/*
 * The pages of a ring of @capacity bytes, zeroed, so that both positions
 * start at 0; NULL if out of memory.  The channel installs it as its ring
 * (kipcm_mring_data()) where an unmapped channel would kvmalloc() one.
 */
struct kipcm_mring *kipcm_mring_create(u64 capacity)
{
	unsigned long nr_data = capacity >> PAGE_SHIFT;
	unsigned long own = KIPCM_PG_DATA + nr_data;
	struct kipcm_mring *mr;
	unsigned long i;

	if (kipcm_mring_capacity_check(capacity))
		return NULL;
	mr = kzalloc(sizeof(*mr), GFP_KERNEL_ACCOUNT);
	if (!mr)
		return NULL;
	mr->nr_data = nr_data;
	mr->size = capacity;
	mr->nr_pages = own + nr_data;
	mr->pages = kvcalloc(mr->nr_pages, sizeof(*mr->pages),
			     GFP_KERNEL_ACCOUNT);
	if (!mr->pages) {
		kfree(mr);
		return NULL;
	}
	for (i = 0; i < own; i++) {
		mr->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!mr->pages[i]) {
			kipcm_mring_free_pages(mr, i);
			return NULL;
		}
	}
	for (i = 0; i < nr_data; i++)
		mr->pages[own + i] = mr->pages[KIPCM_PG_DATA + i];
	mr->vaddr = vmap(mr->pages, mr->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!mr->vaddr) {
		kipcm_mring_free_pages(mr, own);
		return NULL;
	}
	mr->state = mr->vaddr;
	mr->prod = mr->vaddr + KIPCM_PG_PROD * PAGE_SIZE;
	mr->cons = mr->vaddr + KIPCM_PG_CONS * PAGE_SIZE;
	mr->state->magic = KIPC_RING_MAGIC;
	mr->state->data_size = capacity;
	return mr;
}

/* The ring's bytes, for read() and write(). */
char *kipcm_mring_data(struct kipcm_mring *mr)
{
	return mr->vaddr + KIPCM_PG_DATA * PAGE_SIZE;
}

/* Pages no mapping, no file and no RCU reader can reach any more. */
void kipcm_mring_destroy(struct kipcm_mring *mr)
{
	if (!mr)
		return;
	vunmap(mr->vaddr);
	kipcm_mring_free_pages(mr, KIPCM_PG_DATA + mr->nr_data);
}

static struct kipcm_mring *kipcm_mring_held(struct kipcm_chan *chan)
{
	return rcu_dereference_protected(chan->mring,
					 lockdep_is_held(&chan->lock));
}

/* The ring of a mapped channel, when its first file opens: under ->lock. */
int kipcm_mring_install(struct kipcm_chan *chan, u64 capacity)
{
	struct kipcm_mring *mr;

	lockdep_assert_held(&chan->lock);
	mr = kipcm_mring_create(capacity);
	if (!mr)
		return -ENOMEM;
	rcu_assign_pointer(chan->mring, mr);
	chan->ring = kipcm_mring_data(mr);
	chan->broken = false;
	return 0;
}

/*
 * When the last file goes, under ->lock; or when the last reference goes,
 * with nobody left to take it.  Every lockless reader holds a file (a
 * waiter, a poller), so none is left: no grace period is needed.
 */
void kipcm_mring_uninstall(struct kipcm_chan *chan)
{
	struct kipcm_mring *mr;

	mr = rcu_dereference_protected(chan->mring,
				       lockdep_is_held(&chan->lock) ||
				       !kref_read(&chan->ref));

	RCU_INIT_POINTER(chan->mring, NULL);
	kipcm_mring_destroy(mr);
}

/*
 * KIPC_IOC_SET_CAPACITY, with no mapping: @mr takes the old ring's place.
 * Pollers and sleepers of other files may be looking at the old pages
 * under RCU: they are freed after a grace period.  Under all three locks.
 */
void kipcm_mring_replace(struct kipcm_chan *chan, struct kipcm_mring *mr)
{
	struct kipcm_mring *old = kipcm_mring_held(chan);

	rcu_assign_pointer(chan->mring, mr);
	synchronize_rcu();
	kipcm_mring_destroy(old);
}

/*
 * What user space reads in the state page: whether the other side is
 * gone, and whether the ring is broken.  Called under ->lock whenever one
 * of these changes.  Release: a consumer that sees WRITERS_GONE and then
 * loads the producer's position sees every byte committed before.
 */
void kipcm_mring_update_state(struct kipcm_chan *chan)
{
	u32 flags = 0;

	struct kipcm_mring *mr = kipcm_mring_held(chan);

	lockdep_assert_held(&chan->lock);
	if (!mr)
		return;
	if (!chan->writers)
		flags |= KIPC_RING_WRITERS_GONE;
	if (!chan->readers)
		flags |= KIPC_RING_READERS_GONE;
	if (chan->broken)
		flags |= KIPC_RING_BROKEN;
	/* Pairs with the consumer's acquire of the flags before its EOF. */
	smp_store_release(&mr->state->flags, flags);
}

/* A position was out of range: this channel fails with EIO from now on. */
static void kipcm_mring_break(struct kipcm_chan *chan)
{
	lockdep_assert_held(&chan->lock);
	WRITE_ONCE(chan->broken, true);
	kipcm_mring_update_state(chan);
	wake_up_interruptible_all(&chan->rd_wait);
	wake_up_interruptible_all(&chan->wr_wait);
}

/*
 * Both positions from the pages, without ->lock: the consumer's twice,
 * around the producer's.  When the two agree, the pair existed at one
 * instant and can be judged; otherwise the consumer moved meanwhile and
 * the values only serve as a hint.  Returns whether they can be judged.
 */
static bool kipcm_mring_snapshot(const struct kipcm_mring *mr, u64 *head,
				 u64 *tail)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		/* Each pairs with the release that published the position. */
		u64 t1 = smp_load_acquire(&mr->cons->pos);
		/* Ordered after t1, before t2. */
		u64 h = smp_load_acquire(&mr->prod->pos);
		/* And after h: the consumer did not move around it. */
		u64 t2 = smp_load_acquire(&mr->cons->pos);

		*head = h;
		*tail = t2;
		if (t1 == t2)
			return true;
	}
	return false;
}

/**
 * kipcm_mring_positions - the ring's positions, without ->lock
 * @chan: a mapped channel the caller holds a file of
 * @head: the producer's position
 * @tail: the consumer's position
 *
 * For wait conditions, poll and stats.  The kernel publishes the
 * positions it owns, so the pages always hold both.  Under RCU, as a
 * capacity change may replace the ring meanwhile; with no ring (no file
 * open) @head and @tail are left alone.
 *
 * Return: false if the two are out of range of each other (or moving): a
 * caller that waits should wake and look again under ->lock.
 */
bool kipcm_mring_positions(const struct kipcm_chan *chan, u64 *head,
			   u64 *tail)
{
	struct kipcm_mring *mr;
	bool ok = false;

	rcu_read_lock();
	mr = rcu_dereference(chan->mring);
	if (mr)
		ok = kipcm_mring_snapshot(mr, head, tail) &&
		     *head - *tail <= mr->size;
	rcu_read_unlock();
	return ok;
}

/**
 * kipcm_mring_pull - take in the positions user space owns
 * @chan: a mapped channel, with ->lock held and a file open
 *
 * Each position a user mapping owns is loaded once and checked against
 * the other one (the kernel's own, or, when both are in user memory, a
 * consistent snapshot) before @head and @tail take it.  The kernel then
 * works only with these checked copies.
 *
 * Return: 0, or -EIO once the channel is broken.
 */
int kipcm_mring_pull(struct kipcm_chan *chan)
{
	struct kipcm_mring *mr = kipcm_mring_held(chan);
	u64 head = chan->head, tail = chan->tail;

	lockdep_assert_held(&chan->lock);
	if (chan->broken)
		return -EIO;
	if (chan->prod_maps && chan->cons_maps) {
		if (!kipcm_mring_snapshot(mr, &head, &tail))
			return 0;
	} else if (chan->prod_maps) {
		/* Pairs with the producer's release: its bytes are there. */
		head = smp_load_acquire(&mr->prod->pos);
	} else if (chan->cons_maps) {
		/* Pairs with the consumer's release: it is done with them. */
		tail = smp_load_acquire(&mr->cons->pos);
	}
	if (head - tail > chan->capacity) {
		kipcm_mring_break(chan);
		return -EIO;
	}
	WRITE_ONCE(chan->head, head);
	WRITE_ONCE(chan->tail, tail);
	return 0;
}

/*
 * Publish the positions the kernel owns, after read() or write() moved
 * one, under ->lock.  Release: the bytes before the position are there.
 */
void kipcm_mring_push(struct kipcm_chan *chan)
{
	struct kipcm_mring *mr = kipcm_mring_held(chan);

	lockdep_assert_held(&chan->lock);
	if (!chan->prod_maps)	/* pairs with the consumer's acquire */
		smp_store_release(&mr->prod->pos, chan->head);
	if (!chan->cons_maps)	/* pairs with the producer's acquire */
		smp_store_release(&mr->cons->pos, chan->tail);
}

/*
 * A side's bits in its page: @delta sleepers come or go, @set is added,
 * and KIPC_RING_WAITING is then on exactly while the side has sleepers,
 * or off if @disarm.  Under the side's wait queue lock, which orders the
 * sleepers' count, and under RCU, as a capacity change may replace the
 * pages.
 */
static void kipcm_mring_side_bits(struct kipcm_chan *chan, bool reader,
				  int delta, u32 set, bool disarm)
{
	wait_queue_head_t *wq = reader ? &chan->rd_wait : &chan->wr_wait;
	unsigned int *sleepers = reader ? &chan->rd_sleepers :
					  &chan->wr_sleepers;
	struct kipcm_mring *mr;
	u32 *waiting, bits;

	spin_lock_irq(&wq->lock);
	*sleepers += delta;
	rcu_read_lock();
	mr = rcu_dereference(chan->mring);
	if (mr) {
		waiting = reader ? &mr->cons->waiting : &mr->prod->waiting;
		bits = READ_ONCE(*waiting) | set;
		if (*sleepers && !disarm)
			bits |= KIPC_RING_WAITING;
		else
			bits &= ~KIPC_RING_WAITING;
		WRITE_ONCE(*waiting, bits);
	}
	rcu_read_unlock();
	spin_unlock_irq(&wq->lock);
}

/**
 * kipcm_mring_wait - sleep on a mapped channel, saying so in its page
 * @chan: a mapped channel the caller holds a file of
 * @reader: for data (the consumer's page, ->rd_wait) or for room
 *	(the producer's page, ->wr_wait)
 * @need: bytes of room a writer needs
 * @timeo: jiffies left of the caller's timeout (MAX_SCHEDULE_TIMEOUT:
 *	none), updated
 *
 * Each time round, on the wait queue first: KIPC_RING_WAITING, a full
 * barrier, and only then the condition.  The side that publishes a
 * position checks the bit after its own barrier, so one of the two sees
 * the other.  KIPC_IOC_RING_WAKE clears the bit as it wakes everyone, so
 * that a producer does not call it again for a consumer that is already
 * awake; a sleeper that must sleep on sets it again first.  The waiters
 * are not exclusive, for that reason: a wake-up reaches all of them.
 *
 * Return: 0 when the condition holds, -ERESTARTSYS, or -EAGAIN when
 * the time is up.
 */
int kipcm_mring_wait(struct kipcm_chan *chan, bool reader, u64 need,
		     long *timeo)
{
	wait_queue_head_t *wq = reader ? &chan->rd_wait : &chan->wr_wait;
	DEFINE_WAIT(wait);
	int ret = 0;

	kipcm_mring_side_bits(chan, reader, 1, 0, false);
	for (;;) {
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		kipcm_mring_side_bits(chan, reader, 0, 0, false);
		smp_mb();	/* pairs with the barrier after a publication */
		if (reader ? kipcm_chan_readable(chan) :
			     kipcm_chan_writable(chan, need, false))
			break;
		ret = kipcm_wait_ended(*timeo);
		if (ret)
			break;
		*timeo = schedule_timeout(*timeo);
	}
	finish_wait(wq, &wait);
	kipcm_mring_side_bits(chan, reader, -1, 0, false);
	return ret;
}

/*
 * A new ring (KIPC_IOC_SET_CAPACITY) starts with the bits of the old one:
 * kernel sleepers may be waiting, and a poller may not call ->poll again.
 * After the grace period, so that no sleeper still counts into the old.
 */
void kipcm_mring_carry_bits(struct kipcm_chan *chan)
{
	u32 polled = READ_ONCE(chan->poll_used) ? KIPC_RING_POLLED : 0;

	kipcm_mring_side_bits(chan, true, 0, polled, false);
	kipcm_mring_side_bits(chan, false, 0, polled, false);
}

/*
 * poll and epoll: an edge-triggered waiter does not call ->poll again
 * before the next wake-up, so the other side must wake on every move from
 * now on, as pipe_write() does once a pipe was polled.  Sticky.
 */
void kipcm_mring_polled(struct kipcm_chan *chan, fmode_t mode)
{
	if (mode & FMODE_READ)
		kipcm_mring_side_bits(chan, true, 0, KIPC_RING_POLLED, false);
	if (mode & FMODE_WRITE)
		kipcm_mring_side_bits(chan, false, 0, KIPC_RING_POLLED, false);
	smp_mb();	/* as in kipcm_mring_wait() */
}

/* User mappings. */

#ifdef KIPC_HAVE_VM_FLAGS_SET
#define kipcm_vm_flags_set(vma, flags)		vm_flags_set(vma, flags)
#define kipcm_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
static inline void kipcm_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void kipcm_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* Which side a mapping owns: none, or the position page it may write. */
enum kipcm_mring_owner {
	KIPCM_OWNS_NONE,
	KIPCM_OWNS_PROD,
	KIPCM_OWNS_CONS,
};

static enum kipcm_mring_owner kipcm_mring_vma_owner(struct vm_area_struct *vma)
{
	struct kipcm_chan_file *cf = vma->vm_file->private_data;

	if (vma->vm_pgoff == KIPCM_PG_PROD && (cf->mode & FMODE_WRITE))
		return KIPCM_OWNS_PROD;
	if (vma->vm_pgoff == KIPCM_PG_CONS && (cf->mode & FMODE_READ))
		return KIPCM_OWNS_CONS;
	return KIPCM_OWNS_NONE;
}

static void kipcm_mring_count(struct kipcm_chan *chan,
			      enum kipcm_mring_owner owner, int delta)
{
	lockdep_assert_held(&chan->lock);
	chan->maps += delta;
	if (owner == KIPCM_OWNS_PROD)
		chan->prod_maps += delta;
	else if (owner == KIPCM_OWNS_CONS)
		chan->cons_maps += delta;
}

/* A copy of a mapping: mremap() moving it (no split, no fork copies). */
static void kipcm_mring_vm_open(struct vm_area_struct *vma)
{
	struct kipcm_chan *chan = kipcm_file_chan(vma->vm_file);

	mutex_lock(&chan->lock);
	kipcm_mring_count(chan, kipcm_mring_vma_owner(vma), 1);
	mutex_unlock(&chan->lock);
}

/*
 * munmap(), exit, or death: when the owner of a side goes, the kernel
 * takes the side back, from the last position the owner published,
 * checked like any other.
 */
static void kipcm_mring_vm_close(struct vm_area_struct *vma)
{
	struct kipcm_chan *chan = kipcm_file_chan(vma->vm_file);
	enum kipcm_mring_owner owner = kipcm_mring_vma_owner(vma);

	mutex_lock(&chan->lock);
	if (owner != KIPCM_OWNS_NONE)
		kipcm_mring_pull(chan);
	kipcm_mring_count(chan, owner, -1);
	mutex_unlock(&chan->lock);
	/* read() or write() may go on now; and poll waiters re-check. */
	wake_up_interruptible_all(&chan->rd_wait);
	wake_up_interruptible_all(&chan->wr_wait);
}

/* A partial munmap or mprotect would make two mappings of one: refused. */
static int kipcm_mring_vm_may_split(struct vm_area_struct *vma,
				    unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct kipcm_mring_vm_ops = {
	.open		= kipcm_mring_vm_open,
	.close		= kipcm_mring_vm_close,
	.may_split	= kipcm_mring_vm_may_split,
};

/*
 * The area [@pgoff, @pgoff + @n) lies in, or -1 if it is not inside one:
 * each area has its own permissions, and a mapping has one.
 */
static int kipcm_mring_area(unsigned long pgoff, unsigned long n,
			    unsigned long nr_data)
{
	if (!n)
		return -1;
	if (pgoff < KIPCM_PG_DATA)
		return n == 1 ? (int)pgoff : -1;
	if (pgoff - KIPCM_PG_DATA >= 2 * nr_data ||
	    n > 2 * nr_data - (pgoff - KIPCM_PG_DATA))
		return -1;
	return KIPCM_PG_DATA;
}

/* May an end with @mode write to @area? */
static bool kipcm_mring_area_writable(int area, fmode_t mode)
{
	switch (area) {
	case KIPCM_PG_PROD:
	case KIPCM_PG_DATA:
		return mode & FMODE_WRITE;
	case KIPCM_PG_CONS:
		return mode & FMODE_READ;
	}
	return false;
}

/**
 * kipcm_mring_mmap - the ->mmap of a channel end
 * @filp: the end
 * @vma: the new mapping
 *
 * Check order: a mapped channel (ENODEV), MAP_SHARED (EINVAL, a private
 * copy would see nothing), inside one area (EINVAL), write permission for
 * the area (EACCES), then one owner per side (EBUSY).  A mapping that may
 * not write the area loses VM_MAYWRITE, so mprotect() cannot add it.
 *
 * Return: 0 or -errno.
 */
int kipcm_mring_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct kipcm_chan_file *cf = filp->private_data;
	struct kipcm_chan *chan = cf->chan;
	enum kipcm_mring_owner owner;
	struct mutex *side = NULL;
	struct kipcm_mring *mr;
	bool writable;
	int area, ret;

	if (!chan->mapped)
		return -ENODEV;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	mutex_lock(&chan->lock);
	mr = kipcm_mring_held(chan);
	area = kipcm_mring_area(vma->vm_pgoff, vma_pages(vma), mr->nr_data);
	if (area < 0) {
		ret = -EINVAL;
		goto out_unlock;
	}
	writable = kipcm_mring_area_writable(area, cf->mode);
	if (!writable && (vma->vm_flags & VM_WRITE)) {
		ret = -EACCES;
		goto out_unlock;
	}

	/*
	 * The owner of a side: none may exist yet, and no read() or write()
	 * may be copying on that side, as it would go on from a position
	 * the owner moves.  A trylock, as the copier may be faulting on
	 * this very mm, whose mmap_lock our caller holds.
	 */
	owner = kipcm_mring_vma_owner(vma);
	if (owner == KIPCM_OWNS_PROD) {
		side = &chan->wr_mutex;
		ret = chan->prod_maps ? -EBUSY : 0;
	} else if (owner == KIPCM_OWNS_CONS) {
		side = &chan->rd_mutex;
		ret = chan->cons_maps ? -EBUSY : 0;
	}
	if (side && !ret && !mutex_trylock(side))
		ret = -EBUSY;
	if (ret)
		goto out_unlock;

	kipcm_vm_flags_clear(vma, VM_MAYEXEC | (writable ? 0 : VM_MAYWRITE));
	/*
	 * Not copied on fork: a child would be a second owner.  An owner's
	 * mapping is VM_IO too, so that MADV_DOFORK cannot undo that
	 * (EINVAL); it costs nothing on a page of two words, where the data
	 * keeps get_user_pages() for O_DIRECT and vmsplice().
	 */
	kipcm_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY |
			   (owner != KIPCM_OWNS_NONE ? VM_IO : 0));
	vma->vm_ops = &kipcm_mring_vm_ops;
	ret = vm_map_pages(vma, mr->pages, mr->nr_pages);
	if (!ret)
		kipcm_mring_count(chan, owner, 1);
	if (side)
		mutex_unlock(side);
out_unlock:
	mutex_unlock(&chan->lock);
	return ret;
}

/* Ioctls of a mapped channel's ends. */

static long kipcm_mring_info(struct kipcm_chan_file *cf, void __user *argp)
{
	struct kipc_ring_info info = {
		.page_size	= PAGE_SIZE,
		.data_size	= READ_ONCE(cf->chan->capacity),
		.state_off	= KIPCM_PG_STATE * PAGE_SIZE,
		.prod_off	= KIPCM_PG_PROD * PAGE_SIZE,
		.cons_off	= KIPCM_PG_CONS * PAGE_SIZE,
		.data_off	= KIPCM_PG_DATA * PAGE_SIZE,
	};

	if (cf->mode & FMODE_READ)
		info.role |= KIPC_RING_READ;
	if (cf->mode & FMODE_WRITE)
		info.role |= KIPC_RING_WRITE;
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * KIPC_IOC_RING_WAIT: the sleep of a side that runs in user space.  It
 * checks what write() checks first (no reader: EPIPE and SIGPIPE), then
 * sleeps as read() or write() would, and tells the caller nothing but
 * that the condition held: it consumes nothing and copies nothing.
 */
static long kipcm_mring_wait_ioctl(struct kipcm_chan_file *cf,
				   void __user *argp)
{
	struct kipcm_chan *chan = cf->chan;
	struct kipc_ring_wait req;
	bool reader;
	long timeo;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (req.flags == KIPC_RING_READ) {
		if (req.need)
			return -EINVAL;
		reader = true;
	} else if (req.flags == KIPC_RING_WRITE) {
		if (!req.need || req.need > READ_ONCE(chan->capacity))
			return -EINVAL;
		reader = false;
	} else {
		return -EINVAL;
	}
	if (!(cf->mode & (reader ? FMODE_READ : FMODE_WRITE)))
		return -EBADF;

	mutex_lock(&chan->lock);
	ret = kipcm_mring_pull(chan);
	if (!ret && !reader && !chan->readers)
		ret = -EPIPE;
	mutex_unlock(&chan->lock);
	if (ret)
		goto out;

	timeo = MAX_SCHEDULE_TIMEOUT;
	ret = kipcm_mring_wait(chan, reader, req.need, &timeo);
	if (ret)
		return ret;

	mutex_lock(&chan->lock);
	ret = kipcm_mring_pull(chan);
	if (!ret && !reader && !chan->readers)
		ret = -EPIPE;
	mutex_unlock(&chan->lock);
out:
	if (ret == -EPIPE)
		send_sig(SIGPIPE, current, 0);
	return ret;
}

/*
 * KIPC_IOC_RING_WAKE: a position moved; whoever sleeps looks again.  A
 * sync wake-up, as pipe_write() does: the caller mostly waits next (a
 * round trip, or a full ring), so the woken should not preempt it on
 * another CPU.
 */
static long kipcm_mring_wake(struct kipcm_chan *chan)
{
	kipcm_mring_side_bits(chan, true, 0, 0, true);
	kipcm_mring_side_bits(chan, false, 0, 0, true);
	wake_up_interruptible_sync_poll(&chan->rd_wait, EPOLLIN | EPOLLRDNORM);
	wake_up_interruptible_sync_poll(&chan->wr_wait,
					EPOLLOUT | EPOLLWRNORM);
	kill_fasync(&chan->fasync_readers, SIGIO, POLL_IN);
	kill_fasync(&chan->fasync_writers, SIGIO, POLL_OUT);
	return 0;
}

long kipcm_mring_ioctl(struct file *filp, unsigned int cmd, void __user *argp)
{
	struct kipcm_chan_file *cf = filp->private_data;

	switch (cmd) {
	case KIPC_IOC_RING_INFO:
	case KIPC_IOC_RING_WAIT:
	case KIPC_IOC_RING_WAKE:
		if (!cf->chan->mapped)
			return -EINVAL;
		break;
	default:
		return -ENOTTY;
	}

	switch (cmd) {
	case KIPC_IOC_RING_INFO:
		return kipcm_mring_info(cf, argp);
	case KIPC_IOC_RING_WAIT:
		return kipcm_mring_wait_ioctl(cf, argp);
	default:
		return kipcm_mring_wake(cf->chan);
	}
}
