/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc selftests share: finding the control device, one value for
 * a call's result or its errno, small /proc files, and telling from /proc
 * that a task is blocked.
 *
 * Outside the guest a missing module is a skip with a hint; the guest
 * runner sets KIPC_REQUIRE=1, and there a missing module is a failure.
 */
#ifndef _KIPC_UTIL_H
#define _KIPC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define KIPC_CONTROL "/dev/kipc/control"

/*
 * What @call returned, or -errno if it failed (-1): one value to compare.
 * @call runs once: it may be a read() that must not run twice.
 */
#define ERRNO_OF(call) ({						\
	long __ret;							\
									\
	errno = 0;							\
	__ret = (long)(call);						\
	__ret == -1 ? -errno : __ret;					\
})

static inline bool module_required(void)
{
	const char *req = getenv("KIPC_REQUIRE");

	return req && !strcmp(req, "1");
}

/*
 * Open the control device or end the test: a skip, or with KIPC_REQUIRE=1
 * a failure.  A macro because SKIP() and ASSERT_*() need the test's context.
 * The 6.1 harness runs the test body even after a SKIP() in FIXTURE_SETUP,
 * so skip by leaving the test's child with the harness's skip status.
 */
#define KIPC_SKIP_EXIT 255

#define open_control_or_skip(_metadata) ({					\
	int __fd = open(KIPC_CONTROL, O_RDWR | O_CLOEXEC);		\
	if (__fd < 0) {							\
		if (module_required())					\
			ASSERT_LE(0, __fd)				\
				TH_LOG("open %s: %s", KIPC_CONTROL,	\
				       strerror(errno));		\
		SKIP(_exit(KIPC_SKIP_EXIT), "%s: %s (load it: insmod kipc.ko)",	\
		     KIPC_CONTROL, strerror(errno));			\
	}								\
	__fd;								\
})

/* Read a small file whole, NUL-terminated: its length, or -errno. */
static inline int proc_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The value of @key in /proc/self/fdinfo/@fd ("key:\tvalue"): 0, or -errno. */
static inline int fdinfo_get(int fd, const char *key, char *val, size_t len)
{
	char path[64], buf[4096], *p, *end;
	size_t klen = strlen(key);
	int n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = proc_read(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != ':')
			continue;
		p += klen + 1;
		p += strspn(p, " \t");
		end = strchrnul(p, '\n');
		snprintf(val, len, "%.*s", (int)(end - p), p);
		return 0;
	}
	return -ENOENT;
}

/* thread_sleeps_in() looks at /proc every millisecond, this many times. */
#define SLEEP_POLLS	20000

/* The state letter of /proc/PID/task/TID/stat, or 0 if the task is gone. */
static inline char thread_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	if (proc_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* "tid (comm) S ...": comm may hold anything, even ") ". */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The system call a task is blocked in, from /proc, or -1. */
static inline long thread_syscall(pid_t pid, pid_t tid)
{
	char path[64], buf[256];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid,
		 (int)tid);
	if (proc_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* "running" while it runs, else "NR ARGS... SP PC". */
	return sscanf(buf, "%ld", &nr) == 1 ? nr : -1;
}

/*
 * Wait until task @tid of process @pid sleeps interruptibly (state S) in
 * system call @nr: what "blocked" means in these tests, read from /proc
 * rather than guessed from elapsed time.  False if that never happens, or
 * at once if the task has exited (a child that failed a check).
 */
static inline bool thread_sleeps_in(pid_t pid, pid_t tid, long nr)
{
	char state;
	int i;

	for (i = 0; i < SLEEP_POLLS; i++) {
		state = thread_state(pid, tid);
		if (!state || state == 'Z' || state == 'X')
			return false;
		if (state == 'S' && thread_syscall(pid, tid) == nr &&
		    thread_state(pid, tid) == 'S')
			return true;
		usleep(1000);
	}
	return false;
}

/* The same for a single-threaded process. */
static inline bool task_sleeps_in(pid_t pid, long nr)
{
	return thread_sleeps_in(pid, pid, nr);
}

#endif /* _KIPC_UTIL_H */
