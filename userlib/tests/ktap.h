/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * A small KTAP harness for the libkipc tests: each case runs in its own
 * child process with a timeout, so that a hang, a crash or a leaked fd
 * stays in that case.  Cases are usually one body run over several
 * backends.
 *
 *	static int test_roundtrip(const struct kt_case *tc) { ... return 0; }
 *	kt_add(&suite, KIPC_BACKEND_PIPE, "roundtrip", test_roundtrip);
 *	return kt_run(&suite, argc, argv);
 *
 * A case returns 0 (pass), 1 (fail) or calls kt_skip().  A case on a
 * backend this machine lacks is skipped with kipc_strerror()'s reason, or
 * fails if KIPC_REQUIRE=1 and the backend is a kipc one: in the guest the
 * module must be there.
 */
#ifndef KIPC_TESTS_KTAP_H
#define KIPC_TESTS_KTAP_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkipc.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KT_SKIP		77
#define KT_MAX_CASES	256
#define KT_TIMEOUT	120	/* seconds per case; TCG guests are slow */

struct kt_case;
typedef int (*kt_fn)(const struct kt_case *tc);

struct kt_case {
	char name[96];
	enum kipc_backend backend;	/* 0: none needed */
	kt_fn fn;
	int index;			/* 1-based, for unique keys and names */
};

struct kt_suite {
	struct kt_case cases[KT_MAX_CASES];
	int nr;
	void (*cleanup)(const struct kt_case *tc);	/* in the child, always */
};

/* Shared with the children: why a case skipped. */
static char *kt_reason;
/* The runner's pid: cases make their keys and names unique with it. */
static pid_t kt_runner_pid;

static inline void kt_add(struct kt_suite *s, enum kipc_backend backend,
			  const char *what, kt_fn fn)
{
	struct kt_case *tc = &s->cases[s->nr];

	if (s->nr == KT_MAX_CASES) {
		fprintf(stderr, "ktap: too many cases\n");
		exit(2);
	}
	if (backend)
		snprintf(tc->name, sizeof(tc->name), "%s: %s",
			 kipc_backend_name(backend), what);
	else
		snprintf(tc->name, sizeof(tc->name), "%s", what);
	tc->backend = backend;
	tc->fn = fn;
	tc->index = ++s->nr;
}

/* A diagnostic line: KTAP's "# ", on stdout with the results. */
static inline void kt_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline __attribute__((noreturn)) void kt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kt_reason, 256, fmt, ap);
	va_end(ap);
	fflush(stdout);
	_exit(KT_SKIP);
}

static inline int kt_kipc_required(void)
{
	const char *req = getenv("KIPC_REQUIRE");

	return req && !strcmp(req, "1");
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		kt_diag("%s:%d: check failed: %s", __FILE__, __LINE__,	\
			#cond);						\
		kt_diag(__VA_ARGS__);					\
		return 1;						\
	}								\
} while (0)

/* expr must give exactly want; errors are shown with their message. */
#define CHECK_EQ(expr, want) do {					\
	long long __got = (long long)(expr);				\
	long long __want = (long long)(want);				\
	if (__got != __want) {						\
		kt_diag("%s:%d: %s = %lld (%s), want %lld (%s)",	\
			__FILE__, __LINE__, #expr, __got,		\
			__got < 0 && __got > -4096 ?			\
			kipc_strerror((int)__got) : "-",		\
			__want, __want < 0 && __want > -4096 ?		\
			kipc_strerror((int)__want) : "-");		\
		return 1;						\
	}								\
} while (0)

#define CHECK_OK(expr) CHECK_EQ(expr, 0)

/* Run one case in a child; returns 0 pass, 1 fail, KT_SKIP skip. */
static inline int kt_run_one(const struct kt_suite *s,
			     const struct kt_case *tc)
{
	int status, ret;
	pid_t pid;

	kt_reason[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		kt_diag("fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(KT_TIMEOUT);
		ret = tc->fn(tc);
		if (s->cleanup)
			s->cleanup(tc);
		fflush(stdout);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) < 0) {
		kt_diag("waitpid: %s", strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status)) {
		kt_diag("%s: killed by signal %d%s", tc->name,
			WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		if (s->cleanup && !fork()) {
			s->cleanup(tc);
			_exit(0);
		}
		wait(NULL);
		return 1;
	}
	ret = WEXITSTATUS(status);
	return ret == 0 || ret == KT_SKIP ? ret : 1;
}

/*
 * Run the suite: every case, or those whose name contains argv[1].
 * Exits 0 if nothing failed.
 */
static inline int kt_run(struct kt_suite *s, int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int i, n = 0, failed = 0, ret, avail;
	struct kt_case *tc;

	kt_runner_pid = getpid();
	kt_reason = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kt_reason == MAP_FAILED)
		return 2;
	/* EPIPE, not death: every test wants to see the error. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < s->nr; i++)
		if (!filter || strstr(s->cases[i].name, filter))
			n++;
	printf("TAP version 13\n1..%d\n", n);

	n = 0;
	for (i = 0; i < s->nr; i++) {
		tc = &s->cases[i];
		if (filter && !strstr(tc->name, filter))
			continue;
		n++;
		avail = tc->backend ? kipc_backend_available(tc->backend) : 0;
		if (avail < 0) {
			if (kt_kipc_required() &&
			    kipc_backend_caps(tc->backend) & KIPC_CAP_MODULE) {
				kt_diag("KIPC_REQUIRE=1: %s",
					kipc_strerror(avail));
				printf("not ok %d %s\n", n, tc->name);
				failed++;
			} else {
				printf("ok %d %s # SKIP %s\n", n, tc->name,
				       kipc_strerror(avail));
			}
			continue;
		}
		ret = kt_run_one(s, tc);
		if (ret == KT_SKIP)
			printf("ok %d %s # SKIP %s\n", n, tc->name, kt_reason);
		else if (ret == 0)
			printf("ok %d %s\n", n, tc->name);
		else
			printf("not ok %d %s\n", n, tc->name);
		failed += ret == 1;
	}
	printf("# %d failed of %d\n", failed, n);
	return failed ? 1 : 0;
}

/* What the case's backend is and does (kipc_backend_caps()). */
static inline unsigned int kt_caps(const struct kt_case *tc)
{
	return kipc_backend_caps(tc->backend);
}

/*
 * Test data that tells where it came from: byte i of a stream (or of the
 * message numbered @seed) is a function of @seed + i, so that a byte out
 * of place, lost or repeated shows.
 */
static inline void kt_fill_pattern(unsigned char *p, size_t len, size_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((seed + i) * 131 % 251);
}

/* Where @p first differs from the pattern, or @len if it does not. */
static inline size_t kt_check_pattern(const unsigned char *p, size_t len,
				      size_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)((seed + i) * 131 % 251))
			return i;
	return len;
}

#endif /* KIPC_TESTS_KTAP_H */
