/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc: what the module's objects share with each other.  User space sees
 * only <uapi/linux/kipc.h>.
 */
#ifndef _KIPC_H
#define _KIPC_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/types.h>

#include <linux/kipc.h>

/*
 * KIPC_VERSION_{STRING,MAJOR,MINOR,PATCH} come from Kbuild, which reads
 * the tree's VERSION file: kipc has one version, for the module, the
 * library, the tools and the man pages.
 */
#ifndef KIPC_VERSION_STRING
#error "KIPC_VERSION_STRING is set by Kbuild from the VERSION file"
#endif

/*
 * Device core callbacks take a const struct device from 6.2 on; Kbuild
 * looks at the kernel's headers and tells us (feature tests, not version
 * numbers, so that backports are handled too).
 */
#ifdef KIPC_HAVE_CONST_DEVNODE
#define KIPC_DEV_CONST const
#else
#define KIPC_DEV_CONST
#endif

/* Module parameters (kipc_main.c), read with READ_ONCE() at each use. */
extern unsigned long kipcm_default_capacity;
extern unsigned long kipcm_max_capacity;
extern unsigned int kipcm_max_channels;
extern unsigned long kipcm_user_max_bytes;
extern unsigned long kipcm_user_soft_bytes;
extern unsigned int kipcm_user_max_channels;
extern unsigned int kipcm_user_shm_mni;
extern unsigned long kipcm_shm_max;
extern unsigned long kipcm_shm_all;
extern unsigned int kipcm_shm_mni;

/*
 * What a new ring gets once its user is over user_soft_bytes: a pipe's
 * PIPE_MIN_DEF_BUFFERS, two pages.
 */
#define KIPC_SOFT_CAPACITY	(2 * PAGE_SIZE)

/* Users (kipc_user.c): what each real uid holds, and its limits. */
struct kipcm_user;
struct kipcm_user *kipcm_user_get(void);
void kipcm_user_put(struct kipcm_user *user);
bool kipcm_user_privileged(void);
bool kipcm_user_charge_bytes(struct kipcm_user *user, u64 bytes, bool grow);
void kipcm_user_add_bytes(struct kipcm_user *user, u64 bytes);
void kipcm_user_uncharge_bytes(struct kipcm_user *user, u64 bytes);
u64 kipcm_user_soft_capacity(struct kipcm_user *user, u64 capacity);
bool kipcm_user_add_chan(struct kipcm_user *user);
void kipcm_user_sub_chan(struct kipcm_user *user);
bool kipcm_user_add_region(struct kipcm_user *user);
void kipcm_user_sub_region(struct kipcm_user *user);

/*
 * Reserved fields of an ioctl struct must be zero, so that a later ABI
 * can give them a meaning without old modules misreading it.
 */
static inline bool kipcm_reserved_zero(const u64 *reserved, size_t n)
{
	while (n--)
		if (reserved[n])
			return false;
	return true;
}

/* Channels (kipc_chan.c) */
int kipcm_chan_init(void);
void kipcm_chan_exit(void);
long kipcm_chan_pair_ioctl(void __user *argp);
long kipcm_chan_create_ioctl(void __user *argp);
long kipcm_chan_remove_ioctl(void __user *argp);
long kipcm_chan_open_ioctl(void __user *argp);
struct kipc_stats;
void kipcm_chan_fill_stats(struct kipc_stats *st);

/* Regions (kipc_region.c) */
struct dentry;
int kipcm_region_init(struct dentry *debugfs_dir);
void kipcm_region_exit(void);
long kipcm_region_get_ioctl(void __user *argp);
long kipcm_region_open_ioctl(void __user *argp);
long kipcm_region_stat_ioctl(void __user *argp);
long kipcm_region_set_ioctl(void __user *argp);
long kipcm_region_rmid_ioctl(void __user *argp);
long kipcm_region_list_ioctl(void __user *argp);
void kipcm_region_fill_stats(struct kipc_stats *st);

/*
 * O_DIRECT packets queued on a channel.  The data lives in the byte ring;
 * this ring of slots only remembers where each packet starts and how long
 * it is.  @head and @tail count packets ever queued and consumed and wrap
 * at 2^32; the table has a power-of-two number of slots so that a slot
 * index survives that wrap, and @max (a pipe's slot count) bounds how many
 * are queued.  Guarded by the channel's lock; @head, @tail and @max are
 * also read locklessly by the wait conditions and poll.
 */
struct kipcm_pkt {
	u64 start;
	u32 len;
};

struct kipcm_pkts {
	struct kipcm_pkt *slot;
	u32 mask;
	u32 max;
	u32 head;
	u32 tail;
};

/*
 * The messages of a message channel (kipc_msg.c): one FIFO list per
 * priority, and a bit per non-empty list, so that the next message is the
 * first of the highest set bit.  Buffers of messages read are kept in
 * @hot and on @spares for the next writers, up to the capacity in bytes,
 * so that a steady stream allocates nothing.  Readers asleep on an empty queue
 * wait on @waiters, where a writer hands them its message directly.  The
 * lists, @nonempty and @waiters are guarded by the channel's lock;
 * @spares is pushed locklessly by readers and popped under the lock by
 * writers (llist's one-consumer rule), and @hot is exchanged atomically.
 */
struct kipcm_msg {
	union {
		struct list_head node;
		struct llist_node spare;
	};
	size_t len;
	size_t room;
	u32 priority;
	char data[];
};

struct kipcm_msgq {
	struct list_head prio[KIPC_MSG_PRIO_MAX];
	u32 nonempty;
	struct list_head waiters;
	struct kipcm_msg *hot;
	struct llist_head spares;
	atomic_long_t spare_bytes;
};

/* Pure helpers, shared with the KUnit tests. */
struct iov_iter;
size_t kipcm_pkts_table_size(u32 max);
void kipcm_pkts_init(struct kipcm_pkts *pkts, struct kipcm_pkt *slot, u32 max);
u32 kipcm_pkts_queued(const struct kipcm_pkts *pkts);
bool kipcm_pkts_full(const struct kipcm_pkts *pkts);
struct kipcm_pkt *kipcm_pkts_first(const struct kipcm_pkts *pkts);
void kipcm_pkts_push(struct kipcm_pkts *pkts, u64 start, u32 len);
void kipcm_pkts_pop(struct kipcm_pkts *pkts);
size_t kipcm_ring_off(u64 capacity, u64 pos);
size_t kipcm_ring_copy_out(const char *ring, u64 capacity, u64 pos,
			   size_t len, struct iov_iter *to);
size_t kipcm_ring_copy_in(char *ring, u64 capacity, u64 pos, size_t len,
			  struct iov_iter *from);
bool kipcm_chan_name_valid(const char *name);
void kipcm_msgq_init(struct kipcm_msgq *q);
void kipcm_msgq_push(struct kipcm_msgq *q, struct kipcm_msg *msg);
void kipcm_msgq_push_front(struct kipcm_msgq *q, struct kipcm_msg *msg);
struct kipcm_msg *kipcm_msgq_first(const struct kipcm_msgq *q);
void kipcm_msgq_unlink(struct kipcm_msgq *q, struct kipcm_msg *msg);
u64 kipcm_msg_cost(size_t len);
bool kipcm_msg_fits(u64 used, u64 capacity, u64 len);
int kipcm_capacity_check(u64 capacity, u64 now);
int kipcm_region_limits_check(u64 size, unsigned int nr, u64 pages_now,
			      u64 shm_max, u64 shm_all, unsigned int shm_mni);

#endif /* _KIPC_H */
