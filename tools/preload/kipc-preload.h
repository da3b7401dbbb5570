/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkipc-preload.so: what its two halves share.  kipc-preload.c holds the
 * setup, the messages, pipe(), pipe2() and fcntl(); splice.c holds
 * splice(), tee() and vmsplice().  Nothing here is exported: the library
 * is built with -fvisibility=hidden and only KP_EXPORT functions leave it.
 */
#ifndef KIPC_PRELOAD_H
#define KIPC_PRELOAD_H

#include <limits.h>
#include <sys/stat.h>

#include <linux/kipc.h>

#define KP_EXPORT	__attribute__((visibility("default")))

enum kp_mode { KP_ON, KP_OFF, KP_STRICT };

typedef int (*kp_pipe_fn)(int fds[2]);
typedef int (*kp_pipe2_fn)(int fds[2], int flags);
typedef int (*kp_fcntl_fn)(int fd, int cmd, ...);

/* The environment and the C library's functions: written once by kp_setup(). */
struct kp_config {
	kp_pipe_fn pipe;
	kp_pipe2_fn pipe2;
	kp_fcntl_fn fcntl;
	kp_fcntl_fn fcntl64;
	enum kp_mode mode;
	const char *bad_mode;		/* a KIPC_PRELOAD we did not understand */
	unsigned long page_size;
	char path[PATH_MAX];
	int path_err;			/* KIPC_CONTROL_PATH too long */
	int verbose;			/* KIPC_PRELOAD_VERBOSE */
};

extern struct kp_config kp;

/* Read the environment and find the C library's functions, once. */
void kp_setup(void);

/*
 * Write @n bytes of @line to stderr by write(2), so that no stdio buffer of
 * the program's is touched; errno is left alone.
 */
void kp_write_line(const char *line, int n);

/* Is @fd (whose fstat is @st) a kipc channel?  Its capacity goes to @c. */
int kp_is_kipc_st(int fd, const struct stat *st, struct kipc_capacity *c);

#endif /* KIPC_PRELOAD_H */
