// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Shared memory: every lifecycle step over SysV, POSIX and kipc regions,
 * and the kipc-only doorbell (across processes) and seals.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "ktap.h"

static const enum kipc_backend shm_backends[] = {
	KIPC_BACKEND_SYSV_SHM, KIPC_BACKEND_POSIX_SHM, KIPC_BACKEND_KIPC_SHM,
};

/* A key or name of this process and case: nobody else's. */
static int64_t case_key(const struct kt_case *tc)
{
	return 0x4b000000 | ((kt_runner_pid & 0xffff) << 8) | tc->index;
}

static void case_name(const struct kt_case *tc, char *buf, size_t len)
{
	snprintf(buf, len, "/libkipc-test-%d-%d", (int)kt_runner_pid,
		 tc->index);
}

static void opts_for(const struct kt_case *tc, struct kipc_shm_opts *o,
		     char *name, size_t size, int flags)
{
	memset(o, 0, sizeof(*o));
	if (tc->backend == KIPC_BACKEND_POSIX_SHM)
		o->name = name;
	else
		o->key = case_key(tc);
	o->size = size;
	o->flags = flags;
}

/* After each case, in its process: whatever it left under its key. */
static void shm_cleanup(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	char name[64];

	case_name(tc, name, sizeof(name));
	opts_for(tc, &o, name, 0, 0);
	while (!kipc_shm_create(&shm, tc->backend, &o)) {
		int ret = kipc_shm_remove(shm);

		kipc_shm_destroy(shm);
		if (ret)
			break;
	}
}

static int test_lifecycle(const struct kt_case *tc)
{
	unsigned int caps = kipc_backend_caps(tc->backend);
	int nattch = caps & KIPC_CAP_ATTACH_COUNT;
	struct kipc_shm *a, *b, *c;
	struct kipc_shm_info info;
	struct kipc_shm_opts o;
	char name[64];
	char *pa, *pb;
	void *p;
	int ret;

	case_name(tc, name, sizeof(name));

	/* Get before create: nothing there. */
	opts_for(tc, &o, name, 0, 0);
	CHECK_EQ(kipc_shm_create(&a, tc->backend, &o), -ENOENT);

	/* Exclusive create, then its stat. */
	opts_for(tc, &o, name, 10000, O_CREAT | O_EXCL);
	o.mode = 0640;
	CHECK_OK(kipc_shm_create(&a, tc->backend, &o));
	CHECK_EQ(kipc_shm_backend(a), tc->backend);
	CHECK_EQ(kipc_shm_size(a), 10000);
	CHECK_OK(kipc_shm_stat(a, &info));
	CHECK_EQ(info.size, 10000);
	CHECK_EQ(info.uid, geteuid());
	CHECK_EQ(info.gid, getegid());
	/* POSIX applies the umask; SysV and kipc do not. */
	if (!(caps & KIPC_CAP_UMASK))
		CHECK_EQ(info.mode, 0640);
	CHECK_EQ(!!(info.flags & KIPC_SHM_INFO_NATTCH), !!nattch);
	CHECK_EQ(info.flags & KIPC_SHM_INFO_REMOVED, 0);
	if (nattch) {
		CHECK_EQ(info.nattch, 0);
		CHECK_EQ(info.cpid, getpid());
	}
	CHECK_EQ(kipc_shm_create(&b, tc->backend, &o), -EEXIST);

	/* Get: the same object, never bigger than it is. */
	opts_for(tc, &o, name, 20000, 0);
	CHECK_EQ(kipc_shm_create(&b, tc->backend, &o), -EINVAL);
	opts_for(tc, &o, name, 0, 0);
	CHECK_OK(kipc_shm_create(&b, tc->backend, &o));
	CHECK_EQ(kipc_shm_size(b), 10000);
	opts_for(tc, &o, name, 5000, O_CREAT);
	CHECK_OK(kipc_shm_create(&c, tc->backend, &o));
	CHECK_EQ(kipc_shm_size(c), 10000);
	kipc_shm_destroy(c);

	/* Attach both, write through one, read through the other. */
	CHECK_OK(kipc_shm_attach(a, O_RDWR, &p));
	pa = p;
	CHECK_EQ(kipc_shm_attach(a, O_RDWR, &p), -EBUSY);
	CHECK_OK(kipc_shm_attach(b, O_RDONLY, &p));
	pb = p;
	strcpy(pa + 9990, "shared");
	CHECK(!strcmp(pb + 9990, "shared"), "data");
	CHECK_OK(kipc_shm_stat(a, &info));
	if (nattch)
		CHECK_EQ(info.nattch, 2);

	/* Detach one. */
	CHECK_OK(kipc_shm_detach(b));
	CHECK_EQ(kipc_shm_detach(b), -EINVAL);
	CHECK_OK(kipc_shm_stat(a, &info));
	if (nattch)
		CHECK_EQ(info.nattch, 1);

	/* Remove: the key or name goes, the attached memory stays. */
	CHECK_OK(kipc_shm_remove(a));
	CHECK_OK(kipc_shm_stat(a, &info));
	CHECK(info.flags & KIPC_SHM_INFO_REMOVED, "flags %#x", info.flags);
	opts_for(tc, &o, name, 0, 0);
	CHECK_EQ(kipc_shm_create(&c, tc->backend, &o), -ENOENT);
	CHECK(!strcmp(pa + 9990, "shared"), "data after remove");
	/* The same key or name now makes a new object. */
	opts_for(tc, &o, name, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&c, tc->backend, &o));
	CHECK_OK(kipc_shm_attach(c, O_RDWR, &p));
	CHECK(((char *)p)[0] == 0, "a new object is not zeroed");
	CHECK_OK(kipc_shm_remove(c));
	kipc_shm_destroy(c);

	/* The last detach of a removed object frees it (SysV: id gone). */
	CHECK_OK(kipc_shm_detach(a));
	ret = kipc_shm_stat(a, &info);
	CHECK(ret == 0 || ret == -EINVAL || ret == -EIDRM, "stat %d", ret);
	if (!ret && nattch)
		CHECK_EQ(info.nattch, 0);
	kipc_shm_destroy(a);
	kipc_shm_destroy(b);
	return 0;
}

/* Read-only attachments cannot be written: SIGSEGV, for every backend. */
static int test_readonly(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	char name[64];
	int status;
	void *p;
	pid_t pid;

	case_name(tc, name, sizeof(name));
	opts_for(tc, &o, name, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	CHECK_OK(kipc_shm_attach(shm, O_RDONLY, &p));
	CHECK_EQ(((volatile char *)p)[0], 0);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);
		((volatile char *)p)[0] = 1;
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	      "write to a read-only attachment: status %#x", status);
	CHECK_OK(kipc_shm_detach(shm));
	CHECK_EQ(kipc_shm_attach(shm, O_WRONLY, &p), -EINVAL);
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

/* Private objects: always new, found by nobody else. */
static int test_private(const struct kt_case *tc)
{
	struct kipc_shm *a, *b;
	struct kipc_shm_opts o;
	char *pa, *pb;
	void *p;

	memset(&o, 0, sizeof(o));
	o.size = 4096;
	o.flags = O_CREAT;
	CHECK_OK(kipc_shm_create(&a, tc->backend, &o));
	CHECK_OK(kipc_shm_create(&b, tc->backend, &o));
	if (tc->backend == KIPC_BACKEND_POSIX_SHM) {
		CHECK(kipc_shm_name(a) && kipc_shm_name(b) &&
		      strcmp(kipc_shm_name(a), kipc_shm_name(b)),
		      "generated names");
	} else {
		CHECK(kipc_shm_name(a) == NULL, "name");
	}
	CHECK_OK(kipc_shm_attach(a, O_RDWR, &p));
	pa = p;
	CHECK_OK(kipc_shm_attach(b, O_RDWR, &p));
	pb = p;
	pa[0] = 'a';
	pb[0] = 'b';
	CHECK(pa[0] == 'a', "private objects share memory");
	CHECK_OK(kipc_shm_remove(a));
	CHECK_OK(kipc_shm_remove(b));
	kipc_shm_destroy(a);
	kipc_shm_destroy(b);
	return 0;
}

/* Two processes, one object by key or name: what one writes, the other sees. */
static int test_fork_share(const struct kt_case *tc)
{
	struct kipc_shm_info info;
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	volatile int *word;
	char name[64];
	int status;
	void *p;
	pid_t pid;

	case_name(tc, name, sizeof(name));
	opts_for(tc, &o, name, 8192, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	CHECK_OK(kipc_shm_attach(shm, O_RDWR, &p));
	word = p;
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct kipc_shm *own;
		void *q;

		/* A handle of its own, found by key or name. */
		opts_for(tc, &o, name, 0, 0);
		if (kipc_shm_create(&own, tc->backend, &o) ||
		    kipc_shm_attach(own, O_RDWR, &q))
			_exit(1);
		((volatile int *)q)[1] = 4242;
		while (((volatile int *)q)[0] != 1)
			usleep(1000);
		kipc_shm_destroy(own);
		_exit(0);
	}
	while (word[1] != 4242) {
		CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
		usleep(1000);
	}
	/* The child's attachment and the one it inherited count. */
	CHECK_OK(kipc_shm_stat(shm, &info));
	if (info.flags & KIPC_SHM_INFO_NATTCH)
		CHECK_EQ(info.nattch, 3);
	word[0] = 1;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	CHECK_OK(kipc_shm_stat(shm, &info));
	if (info.flags & KIPC_SHM_INFO_NATTCH)
		CHECK_EQ(info.nattch, 1);
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

/* What only kipc regions have: -EOPNOTSUPP elsewhere. */
static int test_kipc_only(const struct kt_case *tc)
{
	int has = kipc_backend_caps(tc->backend) & KIPC_CAP_DOORBELL;
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	unsigned int seals;
	char name[64];
	uint64_t seq = 0;

	case_name(tc, name, sizeof(name));
	opts_for(tc, &o, name, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	if (has) {
		CHECK_OK(kipc_shm_get_doorbell(shm, &seq));
		CHECK_OK(kipc_shm_get_seals(shm, &seals));
		CHECK(kipc_shm_get_fd(shm) >= 0, "fd");
	} else {
		CHECK_EQ(kipc_shm_wake(shm, &seq), -EOPNOTSUPP);
		CHECK_EQ(kipc_shm_wait(shm, &seq, 0), -EOPNOTSUPP);
		CHECK_EQ(kipc_shm_get_doorbell(shm, &seq), -EOPNOTSUPP);
		CHECK_EQ(kipc_shm_add_seals(shm, KIPC_SHM_SEAL_WRITE),
			 -EOPNOTSUPP);
		CHECK_EQ(kipc_shm_get_seals(shm, &seals), -EOPNOTSUPP);
		if (tc->backend == KIPC_BACKEND_SYSV_SHM)
			CHECK_EQ(kipc_shm_get_fd(shm), -EOPNOTSUPP);
		else
			CHECK(kipc_shm_get_fd(shm) >= 0, "fd");
	}
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

static int test_doorbell_timeout(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	uint64_t seq, now;
	struct pollfd pfd;

	opts_for(tc, &o, NULL, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	CHECK_OK(kipc_shm_get_doorbell(shm, &seq));
	now = seq;
	CHECK_EQ(kipc_shm_wait(shm, &now, 20 * 1000000LL), -ETIMEDOUT);
	CHECK_EQ(now, seq);

	pfd.fd = kipc_shm_get_fd(shm);
	pfd.events = POLLIN;
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_OK(kipc_shm_wake(shm, &now));
	CHECK_EQ(now, seq + 1);
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_EQ(pfd.revents, POLLIN);

	/* Moved already: no sleep at all, and the value now. */
	now = seq;
	CHECK_OK(kipc_shm_wait(shm, &now, 0));
	CHECK_EQ(now, seq + 1);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

/*
 * Ping-pong across processes: the parent writes and rings, the child
 * (with its own handle, by key) waits, answers and rings back.
 */
static int test_doorbell_processes(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	volatile int *word;
	uint64_t seq, mine;
	int status, i;
	void *p;
	pid_t pid;

	opts_for(tc, &o, NULL, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	CHECK_OK(kipc_shm_attach(shm, O_RDWR, &p));
	word = p;
	CHECK_OK(kipc_shm_get_doorbell(shm, &seq));

	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct kipc_shm *own;
		uint64_t s = seq;
		void *q;

		opts_for(tc, &o, NULL, 0, 0);
		if (kipc_shm_create(&own, tc->backend, &o) ||
		    kipc_shm_attach(own, O_RDWR, &q))
			_exit(1);
		for (i = 1; i <= 50; i++) {
			/* Wait for the parent's ring, skipping our own. */
			do {
				if (kipc_shm_wait(own, &s, 10000000000LL))
					_exit(2);
			} while (((volatile int *)q)[0] != 2 * i - 1);
			((volatile int *)q)[0] = 2 * i;
			if (kipc_shm_wake(own, &s))
				_exit(3);
		}
		kipc_shm_destroy(own);
		_exit(0);
	}
	mine = seq;
	for (i = 1; i <= 50; i++) {
		word[0] = 2 * i - 1;
		CHECK_OK(kipc_shm_wake(shm, &mine));
		do {
			CHECK_OK(kipc_shm_wait(shm, &mine, 10000000000LL));
		} while (word[0] != 2 * i);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	CHECK_OK(kipc_shm_get_doorbell(shm, &mine));
	CHECK_EQ(mine, seq + 100);
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

static int test_seals(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	unsigned int seals;
	void *p;

	opts_for(tc, &o, NULL, 4096, O_CREAT | O_EXCL);
	CHECK_OK(kipc_shm_create(&shm, tc->backend, &o));
	CHECK_OK(kipc_shm_get_seals(shm, &seals));
	CHECK_EQ(seals, 0);
	CHECK_EQ(kipc_shm_add_seals(shm, 0x4), -EINVAL);

	/* No write seal while a writable attachment exists. */
	CHECK_OK(kipc_shm_attach(shm, O_RDWR, &p));
	((char *)p)[0] = 's';
	CHECK_EQ(kipc_shm_add_seals(shm, KIPC_SHM_SEAL_WRITE), -EBUSY);
	CHECK_OK(kipc_shm_detach(shm));
	CHECK_OK(kipc_shm_add_seals(shm, KIPC_SHM_SEAL_WRITE));
	CHECK_OK(kipc_shm_get_seals(shm, &seals));
	CHECK_EQ(seals, KIPC_SHM_SEAL_WRITE);
	CHECK_EQ(kipc_shm_attach(shm, O_RDWR, &p), -EPERM);
	CHECK_OK(kipc_shm_attach(shm, O_RDONLY, &p));
	CHECK_EQ(((char *)p)[0], 's');
	CHECK_OK(kipc_shm_detach(shm));

	CHECK_OK(kipc_shm_add_seals(shm, KIPC_SHM_SEAL_SEAL));
	CHECK_EQ(kipc_shm_add_seals(shm, KIPC_SHM_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_OK(kipc_shm_remove(shm));
	kipc_shm_destroy(shm);
	return 0;
}

static int test_invalid(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_shm *shm;

	opts_for(tc, &o, NULL, 4096, O_CREAT);
	o.reserved[3] = 1;
	CHECK_EQ(kipc_shm_create(&shm, tc->backend, &o), -EINVAL);
	CHECK(shm == NULL, "handle on failure");
	opts_for(tc, &o, NULL, 4096, O_CREAT | O_TRUNC);
	CHECK_EQ(kipc_shm_create(&shm, tc->backend, &o), -EINVAL);
	CHECK_EQ(kipc_shm_create(&shm, tc->backend, NULL), -EINVAL);
	/* Keys for SysV and kipc, names for POSIX. */
	opts_for(tc, &o, NULL, 4096, O_CREAT);
	if (tc->backend == KIPC_BACKEND_POSIX_SHM)
		o.key = 1;
	else
		o.name = "/x";
	CHECK_EQ(kipc_shm_create(&shm, tc->backend, &o), -EINVAL);
	/* Size 0 makes nothing. */
	opts_for(tc, &o, NULL, 0, O_CREAT);
	CHECK_EQ(kipc_shm_create(&shm, tc->backend, &o), -EINVAL);
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;
	static const struct {
		const char *name;
		kt_fn fn;
		unsigned int needs;	/* KIPC_CAP_* */
	} cases[] = {
		{ "lifecycle: get, create, stat, attach, detach, remove",
		  test_lifecycle, 0 },
		{ "read-only attach", test_readonly, 0 },
		{ "private objects", test_private, 0 },
		{ "two processes, one object", test_fork_share, 0 },
		{ "doorbell and seals only on kipc", test_kipc_only, 0 },
		{ "invalid arguments", test_invalid, 0 },
		{ "doorbell wait, timeout, poll", test_doorbell_timeout,
		  KIPC_CAP_DOORBELL },
		{ "doorbell across processes", test_doorbell_processes,
		  KIPC_CAP_DOORBELL },
		{ "seals", test_seals, KIPC_CAP_SEALS },
	};
	size_t i, b;

	s.cleanup = shm_cleanup;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (b = 0; b < ARRAY_SIZE(shm_backends); b++) {
			if ((kipc_backend_caps(shm_backends[b]) & cases[i].needs) !=
			    cases[i].needs)
				continue;
			kt_add(&s, shm_backends[b], cases[i].name, cases[i].fn);
		}
	return kt_run(&s, argc, argv);
}
