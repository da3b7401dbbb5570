/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc internals, shared by the source files and never installed.
 */
#ifndef LIBKIPC_INTERNAL_H
#define LIBKIPC_INTERNAL_H

#include <errno.h>
#include <linux/kipc.h>

#include "libkipc.h"

/* -fvisibility=hidden hides everything else; the version script agrees. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KIPC_EXPORT	__attribute__((visibility("default")))

#define KIPC_DEV_DIR		"/dev/kipc"
#define KIPC_CONTROL_PATH	KIPC_DEV_DIR "/control"

/* -errno of the last failed call, never 0 even if errno was clobbered. */
static inline int kipc_neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static inline int kipc_backend_is_chan(enum kipc_backend b)
{
	return (b >= KIPC_BACKEND_PIPE && b <= KIPC_BACKEND_KIPC_NAMED) ||
	       b == KIPC_BACKEND_KIPC_MAPPED;
}

static inline int kipc_backend_is_shm(enum kipc_backend b)
{
	return b >= KIPC_BACKEND_SYSV_SHM && b <= KIPC_BACKEND_KIPC_SHM;
}

static inline int kipc_reserved_zero(const uint64_t *reserved, size_t n)
{
	while (n--)
		if (reserved[n])
			return 0;
	return 1;
}

int kipc_control_open(void);
int kipc_control_ioctl(unsigned long cmd, void *arg);
int kipc_random_u32(unsigned int *v);

/* ring.c, for kipc-mapped channels: with read(2)'s and write(2)'s rules */
int kipc_ring_alive(const struct kipc_ring *ring);
int kipc_ring_fork_safe(const struct kipc_ring *ring);
ssize_t kipc_ring_chan_read(struct kipc_ring *ring, void *buf, size_t len);
ssize_t kipc_ring_chan_write(struct kipc_ring *ring, const void *buf,
			     size_t len);

#endif /* LIBKIPC_INTERNAL_H */
