/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc_util.h - children and /proc for the message and end-option suites:
 * forking a watched child, telling from /proc that it sleeps in a given
 * system call, dropping privileges, and a monotonic clock in milliseconds.
 *
 * Blocking is never guessed from elapsed time: a child is "blocked" once
 * /proc says it sleeps interruptibly (state S) in the system call under
 * test.  Every child carries an alarm() watchdog, so a hang kills it and
 * fails the test instead of stalling the run.  Children check with
 * CHILD_CHECK() (never ASSERT_*(), which would unwind into the harness)
 * and end with _exit(); the exit status carries the verdict.
 *
 * Include it after defining _GNU_SOURCE.
 */
#ifndef KIPC_SELFTEST_PROC_UTIL_H
#define KIPC_SELFTEST_PROC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc_util.h"

/* A child that outlives this many seconds is hung: SIGALRM kills it. */
#define CHILD_WATCHDOG	25

/* The unprivileged user and group that permission tests become. */
#define NOBODY		65534

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* fork() a child that dies with its parent and after CHILD_WATCHDOG s. */
static inline pid_t spawn_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(CHILD_WATCHDOG);
	}
	return pid;
}

/* Reap @pid: its exit status, 256 + the signal that killed it, or -errno. */
static inline int reap_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

static inline void __attribute__((noreturn))
child_fail(const char *file, int line, const char *what)
{
	int err = errno;

	fprintf(stderr, "# %s:%d: child %d: check failed: %s (errno %d: %s)\n",
		file, line, (int)getpid(), what, err, strerror(err));
	_exit(1);
}

#define CHILD_CHECK(cond) do {						\
	if (!(cond))							\
		child_fail(__FILE__, __LINE__, #cond);			\
} while (0)

/* The effective capabilities, from /proc/self/status (~0 if unknown). */
static inline unsigned long long cap_effective(void)
{
	char buf[4096], *p;

	if (proc_read("/proc/self/status", buf, sizeof(buf)) <= 0)
		return ~0ULL;
	p = strstr(buf, "CapEff:");
	return p ? strtoull(p + 7, NULL, 16) : ~0ULL;
}

/*
 * Become NOBODY with no supplementary groups, hence no capabilities.
 * Dumpable again afterwards, so that /proc/self/fd stays the process's own
 * to look into (a uid change makes it root's).
 */
static inline int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1))
		return -errno;
	return cap_effective() ? -EPERM : 0;
}

#endif /* KIPC_SELFTEST_PROC_UTIL_H */
