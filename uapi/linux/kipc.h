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
#define KIPC_ABI_VERSION	1

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

/**
 * struct kipc_chan_pair - KIPC_IOC_CHAN_PAIR, the pipe2() of kipc
 * @flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT as for pipe2() (in). As for
 *	pipe2(), O_DIRECT (packet mode) applies to the write end only.
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
 * @flags: must be zero
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
 * struct kipc_chan_stats - KIPC_IOC_CHAN_STATS, a snapshot of a channel
 * @queued: bytes waiting to be read
 * @capacity: capacity in bytes
 * @readers: open fds that may read
 * @writers: open fds that may write
 * @bytes_read: bytes read since the channel was created
 * @bytes_written: bytes written since the channel was created
 * @read_waits: times a reader slept for data
 * @write_waits: times a writer slept for room
 * @high_water: the most bytes ever queued at once
 * @__reserved: zero
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
	__u64 __reserved[3];
};

/* On /dev/kipc/control */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_CHAN_PAIR	_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_chan_pair)
#define KIPC_IOC_CHAN_CREATE	_IOW(KIPC_IOC_MAGIC, 0x02, struct kipc_chan_name)
#define KIPC_IOC_CHAN_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x03, struct kipc_chan_name)

/* On a channel fd (either end, anonymous or named); FIONREAD works too */
#define KIPC_IOC_GET_CAPACITY	_IOR(KIPC_IOC_MAGIC, 0x10, struct kipc_capacity)
#define KIPC_IOC_SET_CAPACITY	_IOWR(KIPC_IOC_MAGIC, 0x11, struct kipc_capacity)
#define KIPC_IOC_CHAN_STATS	_IOR(KIPC_IOC_MAGIC, 0x12, struct kipc_chan_stats)

#endif /* _UAPI_LINUX_KIPC_H */
