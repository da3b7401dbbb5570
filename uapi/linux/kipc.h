/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc: pipes, FIFOs and shared memory served by a character device.
 *
 * User space talks to /dev/kipc/control, the channel fds it hands out and
 * the named channel nodes /dev/kipc/NAME:
 *
 *	int ctl = open("/dev/kipc/control", O_RDWR | O_CLOEXEC);
 *	struct kipc_chan_pair p = { .flags = O_CLOEXEC };
 *	ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p);	// p.rfd, p.wfd: like pipe2()
 *
 * Rules for every command: sizes and counts travel in __u64 fields, never
 * as the ioctl's return value; fields named __reserved* and any flag bit
 * not defined here must be zero (else EINVAL), so that they can be given a
 * meaning later; an unknown command fails with ENOTTY.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Bumped on every ABI addition; user space may require a minimum. */
#define KIPC_ABI_VERSION	5

/* Free in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1, 6.12). */
#define KIPC_IOC_MAGIC		0xE8

/*
 * Channel capacity bounds, in bytes.  Below PIPE_BUF a write of PIPE_BUF
 * bytes could never be atomic; the ceiling keeps a ring one kvmalloc().
 */
#define KIPC_CAPACITY_MIN	4096ULL
#define KIPC_CAPACITY_CEILING	0x40000000ULL	/* 1 GiB */

/* Longest channel name, without the terminating NUL (NAME_MAX). */
#define KIPC_NAME_MAX		255

/**
 * struct kipc_version - what KIPC_IOC_VERSION reports
 * @abi: KIPC_ABI_VERSION of the module (out)
 * @major: module version, major (out)
 * @minor: module version, minor (out)
 * @patch: module version, patch level (out)
 * @__reserved: must be zero on input
 */
struct kipc_version {
	__u32 abi;
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u64 __reserved[2];
};

/*
 * kipc_chan_pair.flags and kipc_chan_name.flags: a mapped channel, whose
 * ends can mmap its ring (struct kipc_ring_info).  Its capacity is a power
 * of two number of pages.  Since ABI 4.
 */
#define KIPC_CHAN_F_MAPPED	0x40000000

/*
 * kipc_chan_pair.flags and kipc_chan_name.flags: a message channel.  Every
 * write() (or KIPC_IOC_MSG_SEND) queues one message of 0 bytes up to the
 * capacity, delivered whole and never merged or split; read() takes one
 * message, or fails with EMSGSIZE, leaving it queued, when the buffer is
 * too small.  Each queued message costs its length plus KIPC_MSG_OVERHEAD
 * bytes of the capacity; a message fits when the channel is empty or
 * when its cost fits in the room left.  Not with KIPC_CHAN_F_MAPPED or
 * O_DIRECT.  Since ABI 5.
 */
#define KIPC_CHAN_F_MESSAGE	0x20000000

/* What one queued message costs of a message channel's capacity, besides its bytes. */
#define KIPC_MSG_OVERHEAD	32

/* Message priorities are 0 (the lowest, the default) to KIPC_MSG_PRIO_MAX - 1. */
#define KIPC_MSG_PRIO_MAX	32

/**
 * struct kipc_chan_pair - KIPC_IOC_CHAN_PAIR, the pipe2() of kipc
 * @flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT as for pipe2(), and
 *	KIPC_CHAN_F_MAPPED (in). As for pipe2(), O_DIRECT (packet mode)
 *	applies to the write end only.
 * @__reserved0: must be zero
 * @capacity: capacity in bytes, 0 for the module's default (in)
 * @rfd: the read end (out)
 * @wfd: the write end (out)
 * @__reserved: must be zero
 */
struct kipc_chan_pair {
	__u32 flags;
	__u32 __reserved0;
	__u64 capacity;
	__s32 rfd;
	__s32 wfd;
	__u64 __reserved[2];
};

/**
 * struct kipc_chan_name - create or remove a named channel /dev/kipc/NAME
 * @name: 1..KIPC_NAME_MAX characters of [A-Za-z0-9._-], NUL-terminated,
 *	not "." or ".." or "control"
 * @mode: permission bits of the node, less the caller's umask (create)
 * @flags: KIPC_CHAN_F_MAPPED (create); zero (remove)
 * @capacity: capacity in bytes, 0 for the module's default (create)
 * @__reserved: must be zero
 */
struct kipc_chan_name {
	char name[KIPC_NAME_MAX + 1];
	__u32 mode;
	__u32 flags;
	__u64 capacity;
	__u64 __reserved[2];
};

/**
 * struct kipc_chan_open - KIPC_IOC_CHAN_OPEN: open a named channel by name
 * @name: the channel's name, as for KIPC_IOC_CHAN_CREATE
 * @flags: O_RDONLY, O_WRONLY or O_RDWR, plus O_NONBLOCK, O_CLOEXEC and
 *	O_DIRECT, with the meanings open() of /dev/kipc/NAME gives them
 * @fd: the new fd (out)
 * @timeout_ns: how long an open that waits for a partner (a FIFO's
 *	rules) may wait: ETIMEDOUT after that; <0 waits as long as open()
 * @__reserved: must be zero
 *
 * The same permission check as the node's (owner, group, other bits of
 * its mode; CAP_DAC_OVERRIDE), without a path: the fd is an anonymous
 * inode, like a pair's ends.  Since ABI 5.
 */
struct kipc_chan_open {
	char name[KIPC_NAME_MAX + 1];
	__u32 flags;
	__s32 fd;
	__s64 timeout_ns;
	__u64 __reserved[2];
};

/**
 * struct kipc_capacity - KIPC_IOC_GET_CAPACITY / KIPC_IOC_SET_CAPACITY
 * @capacity: in: the new capacity in bytes (set); out: the capacity now.
 *	Unlike F_SETPIPE_SZ the capacity is byte-exact: not rounded.
 * @__reserved: must be zero
 */
struct kipc_capacity {
	__u64 capacity;
	__u64 __reserved[3];
};

/**
 * struct kipc_peek - KIPC_IOC_PEEK: copy queued bytes without consuming them
 * @buf: where to copy them (a user pointer)
 * @len: the most bytes to copy
 * @offset: how many queued bytes to skip first
 * @__reserved: must be zero
 *
 * On a read end.  Never waits: returns the bytes copied, 0 at end of file
 * (no writers and nothing queued past @offset), or EAGAIN when nothing is
 * queued past @offset but writers remain; poll() for POLLIN to wait.
 * Packet boundaries (O_DIRECT) are not reported.  On a message channel
 * (ABI 5) the bytes are those of the next message, from @offset on (0
 * past its end): KIPC_MSG_PEEK gives its length and priority too.
 * Since ABI 3.
 */
struct kipc_peek {
	__u64 buf;
	__u64 len;
	__u64 offset;
	__u64 __reserved[2];
};

/* kipc_msg.flags (in) */
#define KIPC_MSG_DONTWAIT	0x1	/* do not wait, as with O_NONBLOCK */
#define KIPC_MSG_PEEK		0x2	/* receive: leave the message queued */
#define KIPC_MSG_TRUNC		0x4	/* receive: drop what does not fit */

/* kipc_msg.result (out, receive) */
#define KIPC_MSG_TRUNCATED	0x1	/* @size > @len: only @len bytes copied */
#define KIPC_MSG_EOF		0x2	/* end of file: no message, no writer */

/**
 * struct kipc_msg - KIPC_IOC_MSG_SEND / KIPC_IOC_MSG_RECV on a message channel
 * @buf: the message (send) or where to copy it (receive): a user pointer
 * @len: the message's length (send); the room at @buf (receive)
 * @size: receive (out): the message's whole length; min(@size, @len)
 *	bytes were copied
 * @priority: send (in): 0..KIPC_MSG_PRIO_MAX - 1, else EINVAL; receive
 *	(out): the message's
 * @flags: KIPC_MSG_DONTWAIT; for receive also KIPC_MSG_PEEK and
 *	KIPC_MSG_TRUNC (without it a message longer than @len is EMSGSIZE
 *	and stays queued)
 * @result: receive (out): KIPC_MSG_TRUNCATED, KIPC_MSG_EOF
 * @__reserved0: must be zero
 * @__reserved: must be zero
 *
 * write() and read() are these calls with the end's priority and flags
 * (struct kipc_end_opts).  EOPNOTSUPP on a byte channel.  Since ABI 5.
 */
struct kipc_msg {
	__u64 buf;
	__u64 len;
	__u64 size;
	__u32 priority;
	__u32 flags;
	__u32 result;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/* kipc_end_opts.flags: read() of a message channel truncates (KIPC_MSG_TRUNC) */
#define KIPC_END_TRUNC		0x1

/**
 * struct kipc_end_opts - KIPC_IOC_GET_OPTS / KIPC_IOC_SET_OPTS: one open
 *	file's options (shared by its dup()s, as a socket's are)
 * @rcvtimeo_ns: a read() that waits longer fails with EAGAIN (or returns
 *	what it has), as SO_RCVTIMEO; 0: no limit
 * @sndtimeo_ns: the same for write(), as SO_SNDTIMEO
 * @rcvlowat: poll() reports POLLIN only once this many bytes are queued,
 *	or no writer is left, as SO_RCVLOWAT; 0 and 1 mean one byte.  Byte
 *	channels; a message channel is readable with any message queued
 * @sndlowat: poll() reports POLLOUT only once this many bytes fit (a
 *	message channel: a message of this many bytes); 0: PIPE_BUF, as a
 *	pipe.  Both marks are capped at the capacity when used
 * @priority: the priority of this end's write()s on a message channel
 * @flags: KIPC_END_TRUNC
 * @__reserved: must be zero
 *
 * Since ABI 5.
 */
struct kipc_end_opts {
	__u64 rcvtimeo_ns;
	__u64 sndtimeo_ns;
	__u64 rcvlowat;
	__u64 sndlowat;
	__u32 priority;
	__u32 flags;
	__u64 __reserved[2];
};

/*
 * Mapped channels (ABI 4).  The ring is mmap'd from a channel fd in four
 * areas, at the offsets KIPC_IOC_RING_INFO gives:
 *
 *	state	struct kipc_ring_state, written by the kernel only
 *	prod	struct kipc_ring_pos of the producer: writable by write ends
 *	cons	struct kipc_ring_pos of the consumer: writable by read ends
 *	data	the data_size bytes of the ring, mapped twice back to back,
 *		so that any span of up to data_size bytes is contiguous:
 *		writable by write ends, read-only for read ends
 *
 * Positions are free-running byte counts: the ring holds prod - cons bytes,
 * byte p at data[p % data_size].  Each side has one owner at a time: a
 * write end's mapping of prod makes it the producer, a read end's mapping
 * of cons the consumer (EBUSY for a second), and while a side is owned,
 * read() or write() on that side fail with EBUSY.  Mappings are not
 * inherited across fork(), and each must lie inside one area.
 *
 * Protocol (kipc(4) has it in full): publish a position with a release
 * store, read the peer's with an acquire load; then, after a full barrier,
 * if the peer's @waiting is non-zero, call KIPC_IOC_RING_WAKE.  To sleep,
 * call KIPC_IOC_RING_WAIT, which sets this side's @waiting for you.
 */
#define KIPC_RING_MAGIC		0x6b697072	/* "kipr" */

/* kipc_ring_state.flags */
#define KIPC_RING_WRITERS_GONE	0x1	/* no write end left: EOF once empty */
#define KIPC_RING_READERS_GONE	0x2	/* no read end left: EPIPE */
#define KIPC_RING_BROKEN	0x4	/* a position went out of range: EIO */

/* kipc_ring_pos.waiting */
#define KIPC_RING_WAITING	0x1	/* this side sleeps in the kernel */
#define KIPC_RING_POLLED	0x2	/* this side polls: wake on every move */

/**
 * struct kipc_ring_state - the read-only page of a mapped channel
 * @magic: KIPC_RING_MAGIC
 * @flags: KIPC_RING_WRITERS_GONE, KIPC_RING_READERS_GONE, KIPC_RING_BROKEN
 * @data_size: the ring's capacity in bytes
 */
struct kipc_ring_state {
	__u32 magic;
	__u32 flags;
	__u64 data_size;
};

/**
 * struct kipc_ring_pos - a side's page of a mapped channel
 * @pos: bytes committed (producer) or released (consumer), ever
 * @waiting: KIPC_RING_WAITING, KIPC_RING_POLLED: set by the kernel for
 *	this side, read by the other side
 * @__pad: zero
 */
struct kipc_ring_pos {
	__u64 pos;
	__u32 waiting;
	__u32 __pad;
};

/* kipc_ring_info.role, and kipc_ring_wait.flags */
#define KIPC_RING_READ		0x1	/* the consumer: a read end */
#define KIPC_RING_WRITE		0x2	/* the producer: a write end */

/**
 * struct kipc_ring_info - KIPC_IOC_RING_INFO: where to mmap a mapped channel
 * @page_size: the page size the offsets are in multiples of
 * @data_size: the ring's capacity in bytes
 * @state_off: mmap offset of struct kipc_ring_state (one page)
 * @prod_off: mmap offset of the producer's struct kipc_ring_pos (one page)
 * @cons_off: mmap offset of the consumer's struct kipc_ring_pos (one page)
 * @data_off: mmap offset of the data, 2 * @data_size bytes long
 * @role: KIPC_RING_READ and/or KIPC_RING_WRITE: what this fd may be
 * @__reserved0: zero
 * @__reserved: zero
 */
struct kipc_ring_info {
	__u64 page_size;
	__u64 data_size;
	__u64 state_off;
	__u64 prod_off;
	__u64 cons_off;
	__u64 data_off;
	__u32 role;
	__u32 __reserved0;
	__u64 __reserved[4];
};

/**
 * struct kipc_ring_wait - KIPC_IOC_RING_WAIT: sleep until the ring moves
 * @flags: KIPC_RING_READ: wait until data is queued or no writer is left;
 *	KIPC_RING_WRITE: until @need bytes fit or no reader is left (then
 *	EPIPE and SIGPIPE, as write()).  Exactly one.
 * @__reserved0: must be zero
 * @need: bytes that must fit (KIPC_RING_WRITE), 1..data_size
 * @__reserved: must be zero
 *
 * Interruptible (EINTR).  Returns 0 when the condition holds; never
 * consumes anything.
 */
struct kipc_ring_wait {
	__u32 flags;
	__u32 __reserved0;
	__u64 need;
	__u64 __reserved[2];
};

/**
 * struct kipc_chan_stats - KIPC_IOC_CHAN_STATS, a snapshot of a channel
 * @queued: bytes waiting to be read
 * @capacity: capacity in bytes
 * @readers: open files that may read (a dup() adds none)
 * @writers: open files that may write
 * @bytes_read: bytes read since the channel was created
 * @bytes_written: bytes written since the channel was created
 * @read_waits: times a reader slept for data
 * @write_waits: times a writer slept for room
 * @high_water: the most bytes ever queued at once
 * @messages: messages queued (message channels; since ABI 5)
 * @__reserved: zero
 *
 * On a message channel @queued and @high_water count each message's
 * KIPC_MSG_OVERHEAD too, as the capacity does; the byte counts do not.
 */
struct kipc_chan_stats {
	__u64 queued;
	__u64 capacity;
	__u64 readers;
	__u64 writers;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 read_waits;
	__u64 write_waits;
	__u64 high_water;
	__u64 messages;
	__u64 __reserved[2];
};

/**
 * struct kipc_stats - KIPC_IOC_STATS: the module as a whole
 * @chans: channels that exist now, anonymous and named
 * @named_chans: named channels now
 * @chans_created: channels ever created
 * @bytes_written: bytes ever written to any channel (0 without
 *	CAP_SYS_ADMIN)
 * @bytes_read: bytes ever read from any channel (0 without CAP_SYS_ADMIN)
 * @regions: regions that exist now
 * @region_pages: pages of all regions
 * @__reserved: zero
 */
struct kipc_stats {
	__u64 chans;
	__u64 named_chans;
	__u64 chans_created;
	__u64 bytes_written;
	__u64 bytes_read;
	__u64 regions;
	__u64 region_pages;
	__u64 __reserved[5];
};

/* Regions: the shared memory of kipc, with SysV shm's lifecycle. */

/* kipc_shm_get.key that always creates a new region, as IPC_PRIVATE. */
#define KIPC_SHM_PRIVATE	0

/* kipc_shm_get.flags */
#define KIPC_SHM_CREAT		0x1	/* IPC_CREAT */
#define KIPC_SHM_EXCL		0x2	/* IPC_EXCL */

/* kipc_shm_stat.mode: marked for destruction, as SysV's SHM_DEST */
#define KIPC_SHM_DEST		01000

/* Seals, with the meanings and values of memfd's F_SEAL_* */
#define KIPC_SEAL_SEAL		0x0001	/* no more seals */
#define KIPC_SEAL_WRITE		0x0008	/* no writes, no writable mappings */
#define KIPC_SEAL_FUTURE_WRITE	0x0010	/* no new writable mappings */

/**
 * struct kipc_shm_get - KIPC_IOC_SHM_GET, the shmget() of kipc
 * @key: the region's key; KIPC_SHM_PRIVATE always creates
 * @size: bytes (create), or at most the region's size (get)
 * @flags: KIPC_SHM_CREAT, KIPC_SHM_EXCL
 * @mode: permission bits of a new region (not masked by the umask), or the
 *	access asked for when getting an existing one, as shmget()'s shmflg
 * @id: the region's id (out)
 * @__reserved0: must be zero
 * @__reserved: must be zero
 */
struct kipc_shm_get {
	__s64 key;
	__u64 size;
	__u32 flags;
	__u32 mode;
	__s32 id;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_open - KIPC_IOC_SHM_OPEN: an fd to mmap a region with
 * @id: the region
 * @flags: O_RDONLY or O_RDWR, plus O_CLOEXEC
 * @fd: the new fd (out)
 * @__reserved0: must be zero
 * @__reserved: must be zero
 */
struct kipc_shm_open {
	__s32 id;
	__u32 flags;
	__s32 fd;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_stat - KIPC_IOC_SHM_STAT, the IPC_STAT of kipc
 * @id: the region (in)
 * @mode: permission bits, plus KIPC_SHM_DEST once removed
 * @key: the key, KIPC_SHM_PRIVATE once removed
 * @size: bytes, as created
 * @nattch: mappings, counted like SysV shm_nattch
 * @cpid: creator's pid
 * @lpid: pid of the last map or unmap
 * @uid: owner
 * @gid: owner's group
 * @cuid: creator
 * @cgid: creator's group
 * @atime: last map, seconds since the epoch
 * @dtime: last unmap
 * @ctime: creation or last KIPC_IOC_SHM_SET
 * @doorbell: the doorbell's counter
 * @seals: KIPC_SEAL_* set
 * @__reserved: zero
 */
struct kipc_shm_stat {
	__s32 id;
	__u32 mode;
	__s64 key;
	__u64 size;
	__u64 nattch;
	__s32 cpid;
	__s32 lpid;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__s64 atime;
	__s64 dtime;
	__s64 ctime;
	__u64 doorbell;
	__u32 seals;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_set - KIPC_IOC_SHM_SET, the IPC_SET of kipc
 * @id: the region
 * @mode: new permission bits (low 9)
 * @uid: new owner
 * @gid: new group
 * @__reserved: must be zero
 */
struct kipc_shm_set {
	__s32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_id - KIPC_IOC_SHM_RMID, the IPC_RMID of kipc
 * @id: the region
 * @__reserved0: must be zero
 * @__reserved: must be zero
 */
struct kipc_shm_id {
	__s32 id;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_list - KIPC_IOC_SHM_LIST: the ids of all regions
 * @ids: user pointer to an array of __s32 (in)
 * @nr_ids: room in @ids (in)
 * @count: regions in all (out); only min(@nr_ids, @count) are written
 * @__reserved: must be zero
 */
struct kipc_shm_list {
	__u64 ids;
	__u32 nr_ids;
	__u32 count;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_doorbell - KIPC_IOC_SHM_WAKE / KIPC_IOC_SHM_WAIT
 * @seq: WAKE: the counter after the bump (out).  WAIT: sleep until the
 *	counter differs from @seq (in); the counter then (out).
 * @timeout_ns: WAIT: give up with ETIMEDOUT after this long, <0 = never
 * @__reserved: must be zero
 */
struct kipc_shm_doorbell {
	__u64 seq;
	__s64 timeout_ns;
	__u64 __reserved[2];
};

/**
 * struct kipc_shm_seals - KIPC_IOC_SHM_ADD_SEALS / KIPC_IOC_SHM_GET_SEALS
 * @seals: KIPC_SEAL_* to add (in), or set (out)
 * @__reserved0: must be zero
 * @__reserved: must be zero
 */
struct kipc_shm_seals {
	__u32 seals;
	__u32 __reserved0;
	__u64 __reserved[2];
};

/* On /dev/kipc/control */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_CHAN_PAIR	_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_chan_pair)
#define KIPC_IOC_CHAN_CREATE	_IOW(KIPC_IOC_MAGIC, 0x02, struct kipc_chan_name)
#define KIPC_IOC_CHAN_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x03, struct kipc_chan_name)
#define KIPC_IOC_CHAN_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x05, struct kipc_chan_open)
#define KIPC_IOC_SHM_GET	_IOWR(KIPC_IOC_MAGIC, 0x20, struct kipc_shm_get)
#define KIPC_IOC_SHM_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x21, struct kipc_shm_open)
#define KIPC_IOC_SHM_STAT	_IOWR(KIPC_IOC_MAGIC, 0x22, struct kipc_shm_stat)
#define KIPC_IOC_SHM_SET	_IOW(KIPC_IOC_MAGIC, 0x23, struct kipc_shm_set)
#define KIPC_IOC_SHM_RMID	_IOW(KIPC_IOC_MAGIC, 0x24, struct kipc_shm_id)
#define KIPC_IOC_SHM_LIST	_IOWR(KIPC_IOC_MAGIC, 0x25, struct kipc_shm_list)
#define KIPC_IOC_STATS		_IOR(KIPC_IOC_MAGIC, 0x04, struct kipc_stats)

/*
 * On a channel fd (either end, anonymous or named); FIONREAD works too,
 * and on a message channel gives the length of the next message (0 when
 * none is queued), as on a SOCK_DGRAM socket (SOCK_SEQPACKET gives all).
 */
#define KIPC_IOC_GET_CAPACITY	_IOR(KIPC_IOC_MAGIC, 0x10, struct kipc_capacity)
#define KIPC_IOC_SET_CAPACITY	_IOWR(KIPC_IOC_MAGIC, 0x11, struct kipc_capacity)
#define KIPC_IOC_CHAN_STATS	_IOR(KIPC_IOC_MAGIC, 0x12, struct kipc_chan_stats)
#define KIPC_IOC_PEEK		_IOW(KIPC_IOC_MAGIC, 0x13, struct kipc_peek)
#define KIPC_IOC_GET_OPTS	_IOR(KIPC_IOC_MAGIC, 0x19, struct kipc_end_opts)
#define KIPC_IOC_SET_OPTS	_IOW(KIPC_IOC_MAGIC, 0x1a, struct kipc_end_opts)
/* On a message channel fd (ABI 5) */
#define KIPC_IOC_MSG_SEND	_IOW(KIPC_IOC_MAGIC, 0x17, struct kipc_msg)
#define KIPC_IOC_MSG_RECV	_IOWR(KIPC_IOC_MAGIC, 0x18, struct kipc_msg)
/* On a mapped channel fd (ABI 4) */
#define KIPC_IOC_RING_INFO	_IOR(KIPC_IOC_MAGIC, 0x14, struct kipc_ring_info)
#define KIPC_IOC_RING_WAIT	_IOW(KIPC_IOC_MAGIC, 0x15, struct kipc_ring_wait)
#define KIPC_IOC_RING_WAKE	_IO(KIPC_IOC_MAGIC, 0x16)

/* On a region fd */
#define KIPC_IOC_SHM_WAKE	_IOWR(KIPC_IOC_MAGIC, 0x30, struct kipc_shm_doorbell)
#define KIPC_IOC_SHM_WAIT	_IOWR(KIPC_IOC_MAGIC, 0x31, struct kipc_shm_doorbell)
#define KIPC_IOC_SHM_ADD_SEALS	_IOW(KIPC_IOC_MAGIC, 0x32, struct kipc_shm_seals)
#define KIPC_IOC_SHM_GET_SEALS	_IOR(KIPC_IOC_MAGIC, 0x33, struct kipc_shm_seals)

#endif /* _UAPI_LINUX_KIPC_H */
