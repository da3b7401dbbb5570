// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-pipecheck: what a program sees of pipe(), pipe2(), fcntl() and
 * FIONREAD, checked the same way whether the pipes are the kernel's or
 * kipc's through libkipc-preload.so: the shim is right when every check
 * passes both ways.
 *
 *	kipc-pipecheck --expect fifo
 *	LD_PRELOAD=libkipc-preload.so kipc-pipecheck --expect kipc
 *
 * One line per check on stdout, "PASS what" or "FAIL what: why";
 * tools/preload/test.sh numbers them as KTAP.  Exits 1 if any failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

static int failed;
static int expect_kipc;
static long page;

static void result(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", what);
	} else {
		printf("FAIL %s: ", what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		failed = 1;
	}
	fflush(stdout);
}

/* A call that must fail with @err. */
static void fails_with(const char *what, int ret, int err)
{
	int e = errno;

	result(ret == -1 && e == err, what, "returned %d, errno %d (%s), want %s",
	       ret, ret == -1 ? e : 0, ret == -1 ? strerror(e) : "-",
	       strerror(err));
}

/* A call that must return @want. */
static void returns(const char *what, long ret, long want)
{
	int e = errno;

	result(ret == want, what, "returned %ld (errno %s), want %ld", ret,
	       ret == -1 ? strerror(e) : "-", want);
}

static int new_pipe(int fds[2], int flags)
{
	if (pipe2(fds, flags)) {
		printf("FAIL pipe2(%#x): %s\n", flags, strerror(errno));
		exit(1);
	}
	return 0;
}

static void close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static int is_kipc(int fd)
{
	struct kipc_capacity c;

	memset(&c, 0, sizeof(c));
	return !ioctl(fd, KIPC_IOC_GET_CAPACITY, &c);
}

static void check_kind(void)
{
	struct stat st;
	int fds[2];

	new_pipe(fds, 0);
	fstat(fds[0], &st);
	if (expect_kipc)
		result(!S_ISFIFO(st.st_mode) && is_kipc(fds[0]) &&
		       is_kipc(fds[1]), "pipe() gives a kipc channel",
		       "mode %#o", st.st_mode);
	else
		result(S_ISFIFO(st.st_mode), "pipe() gives a kernel pipe",
		       "mode %#o", st.st_mode);
	close_pair(fds);
}

static void check_flags(void)
{
	int *volatile nofds = NULL;
	int fds[2];
	char c;

	fails_with("pipe2 rejects an unknown flag with EINVAL",
		   pipe2(fds, O_APPEND), EINVAL);
	fails_with("pipe(NULL) fails with EFAULT", pipe(nofds), EFAULT);

	new_pipe(fds, 0);
	returns("the read end is O_RDONLY", fcntl(fds[0], F_GETFL) & O_ACCMODE,
		O_RDONLY);
	returns("the write end is O_WRONLY", fcntl(fds[1], F_GETFL) & O_ACCMODE,
		O_WRONLY);
	returns("pipe() fds are not close-on-exec",
		fcntl(fds[0], F_GETFD) | fcntl(fds[1], F_GETFD), 0);
	close_pair(fds);

	new_pipe(fds, O_CLOEXEC);
	returns("pipe2(O_CLOEXEC) sets FD_CLOEXEC on both ends",
		fcntl(fds[0], F_GETFD) & fcntl(fds[1], F_GETFD), FD_CLOEXEC);
	close_pair(fds);

	new_pipe(fds, O_NONBLOCK);
	returns("pipe2(O_NONBLOCK) sets O_NONBLOCK on both ends",
		fcntl(fds[0], F_GETFL) & fcntl(fds[1], F_GETFL) & O_NONBLOCK,
		O_NONBLOCK);
	fails_with("an empty O_NONBLOCK pipe reads EAGAIN", read(fds[0], &c, 1),
		   EAGAIN);
	close_pair(fds);

	new_pipe(fds, 0);
	returns("F_SETFL O_NONBLOCK is forwarded", fcntl(fds[0], F_SETFL,
							 O_NONBLOCK), 0);
	fails_with("... and then an empty read gives EAGAIN",
		   read(fds[0], &c, 1), EAGAIN);
	close_pair(fds);

	new_pipe(fds, O_DIRECT);
	if (write(fds[1], "abc", 3) != 3 || write(fds[1], "defgh", 5) != 5)
		result(0, "O_DIRECT writes", "%s", strerror(errno));
	{
		char buf[100];

		returns("O_DIRECT keeps packet boundaries",
			read(fds[0], buf, sizeof(buf)), 3);
	}
	close_pair(fds);
}

static void check_capacity(void)
{
	char buf[5000];
	int fds[2], n = -1, fd;

	memset(buf, 'x', sizeof(buf));
	new_pipe(fds, 0);
	returns("F_GETPIPE_SZ of a new pipe is 16 pages",
		fcntl(fds[0], F_GETPIPE_SZ), 16 * page);
	returns("F_SETPIPE_SZ rounds up to a power of two and returns it",
		fcntl(fds[1], F_SETPIPE_SZ, 100000), 131072);
	returns("F_GETPIPE_SZ returns what F_SETPIPE_SZ set",
		fcntl(fds[0], F_GETPIPE_SZ), 131072);
	returns("F_SETPIPE_SZ below a page gives a page",
		fcntl(fds[0], F_SETPIPE_SZ, 1), page);
	returns("F_GETPIPE_SZ after that", fcntl(fds[1], F_GETPIPE_SZ), page);
	fails_with("F_SETPIPE_SZ over 2^31 fails with EINVAL",
		   fcntl(fds[0], F_SETPIPE_SZ, (int)0x80000001U), EINVAL);
	returns("F_SETPIPE_SZ 8192", fcntl(fds[0], F_SETPIPE_SZ, 8192), 8192);
	returns("write 1000 bytes", write(fds[1], buf, 1000), 1000);
	ioctl(fds[0], FIONREAD, &n);
	returns("FIONREAD counts the queued bytes", n, 1000);
	returns("read them", read(fds[0], buf, sizeof(buf)), 1000);
	returns("write 5000 bytes", write(fds[1], buf, 5000), 5000);
	fails_with("F_SETPIPE_SZ below the queued bytes fails with EBUSY",
		   fcntl(fds[0], F_SETPIPE_SZ, 4096), EBUSY);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 28)
	returns("fcntl64 F_GETPIPE_SZ answers like fcntl",
		fcntl64(fds[0], F_GETPIPE_SZ), 8192);
#endif
	close_pair(fds);

	fd = open("/dev/null", O_RDWR);
	fails_with("F_GETPIPE_SZ on /dev/null fails with EBADF",
		   fcntl(fd, F_GETPIPE_SZ), EBADF);
	fails_with("F_SETPIPE_SZ on /dev/null fails with EBADF",
		   fcntl(fd, F_SETPIPE_SZ, 8192), EBADF);
	close(fd);
	fd = open("/proc/self/exe", O_RDONLY);
	fails_with("F_GETPIPE_SZ on a regular file fails with EBADF",
		   fcntl(fd, F_GETPIPE_SZ), EBADF);
	close(fd);
	fails_with("F_GETPIPE_SZ on a closed fd fails with EBADF",
		   fcntl(fd, F_GETPIPE_SZ), EBADF);
}

/* Commands with int and pointer arguments reach the C library intact. */
static void check_forwarding(void)
{
	char path[] = "/tmp/kipc-pipecheck.XXXXXX";
	struct flock fl;
	int fds[2], d, fd, status;
	pid_t pid;
	char c = 0;

	new_pipe(fds, 0);
	d = fcntl(fds[0], F_DUPFD, 100);
	result(d >= 100, "F_DUPFD gets its int argument", "returned %d", d);
	returns("... and the duplicate reads the same pipe",
		write(fds[1], "q", 1) + read(d, &c, 1) + (c == 'q'), 3);
	close(d);
	d = fcntl(fds[1], F_DUPFD_CLOEXEC, 50);
	result(d >= 50 && fcntl(d, F_GETFD) == FD_CLOEXEC,
	       "F_DUPFD_CLOEXEC gets its int argument", "returned %d", d);
	close(d);
	close_pair(fds);

	fd = mkstemp(path);
	if (fd < 0) {
		result(0, "mkstemp", "%s", strerror(errno));
		return;
	}
	unlink(path);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 10;
	returns("F_SETLK gets its struct flock", fcntl(fd, F_SETLK, &fl), 0);
	pid = fork();
	if (!pid) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_len = 1;
		if (fcntl(fd, F_GETLK, &fl))
			_exit(2);
		_exit(fl.l_type == F_WRLCK && fl.l_pid == getppid() ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && !WEXITSTATUS(status),
	       "F_GETLK writes through its struct flock",
	       "child status %#x", status);
	close(fd);
}

static void check_ends(void)
{
	int fds[2];
	char c;

	new_pipe(fds, 0);
	close(fds[1]);
	returns("EOF once the write end is closed", read(fds[0], &c, 1), 0);
	close(fds[0]);

	new_pipe(fds, 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	fails_with("EPIPE once the read end is closed", write(fds[1], "x", 1),
		   EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

static void check_fork(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		int fds[2];
		char buf[8];

		if (pipe(fds) || (is_kipc(fds[0]) != expect_kipc))
			_exit(1);
		if (write(fds[1], "forked", 6) != 6 ||
		    read(fds[0], buf, sizeof(buf)) != 6)
			_exit(2);
		_exit(memcmp(buf, "forked", 6) ? 3 : 0);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && !WEXITSTATUS(status),
	       "a forked child makes pipes of the same kind",
	       "child status %#x", status);
}

/* The fds open now whose /proc/self/fd link is @target, or all if NULL. */
static int count_fds(const char *target, int *last)
{
	char link[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		ssize_t len;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		if (target) {
			len = readlinkat(dirfd(d), e->d_name, link,
					 sizeof(link) - 1);
			if (len < 0)
				continue;
			link[len] = 0;
			if (strcmp(link, target))
				continue;
		}
		if (last)
			*last = atoi(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void *make_pipes(void *arg)
{
	int i, fds[2];

	(void)arg;
	for (i = 0; i < 64; i++) {
		if (pipe(fds) || is_kipc(fds[0]) != expect_kipc)
			return (void *)1;
		close_pair(fds);
	}
	return NULL;
}

static void check_threads(void)
{
	pthread_t t[4];
	int i, before, bad = 0;
	void *ret;

	before = count_fds(NULL, NULL);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, make_pipes, NULL);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
	}
	result(!bad, "four threads make 256 pipes at once", "a thread failed");
	returns("... and no fd is left behind", count_fds(NULL, NULL), before);
}

/* The shim's one control fd: there, close-on-exec, and hard to break. */
static void check_control(const char *path)
{
	int fds[2], ctl = -1, n, nul;
	char link[64], buf[PATH_MAX];
	ssize_t len;

	n = count_fds(path, &ctl);
	if (!expect_kipc) {
		returns("no control fd is open", n, 0);
		return;
	}
	returns("one control fd per process", n, 1);
	returns("... and it is close-on-exec", fcntl(ctl, F_GETFD), FD_CLOEXEC);

	close(ctl);
	new_pipe(fds, 0);
	result(is_kipc(fds[0]), "pipe() still works after the program closed it",
	       "not a kipc channel");
	close_pair(fds);

	n = count_fds(path, &ctl);
	nul = open("/dev/null", O_RDWR);
	dup2(nul, ctl);
	close(nul);
	new_pipe(fds, 0);
	result(is_kipc(fds[0]), "pipe() still works after a dup2() over it",
	       "not a kipc channel");
	close_pair(fds);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", ctl);
	len = readlink(link, buf, sizeof(buf) - 1);
	buf[len > 0 ? len : 0] = 0;
	result(!strcmp(buf, "/dev/null"), "... and the program's fd is untouched",
	       "fd %d is %s", ctl, buf);
	close(ctl);
	returns("one control fd again", count_fds(path, NULL), 1);
}

int main(int argc, char **argv)
{
	const char *path = getenv("KIPC_CONTROL_PATH");

	if (argc != 3 || strcmp(argv[1], "--expect") ||
	    (strcmp(argv[2], "kipc") && strcmp(argv[2], "fifo"))) {
		fprintf(stderr, "usage: kipc-pipecheck --expect kipc|fifo\n");
		return 2;
	}
	expect_kipc = !strcmp(argv[2], "kipc");
	page = sysconf(_SC_PAGESIZE);
	if (!path || !*path)
		path = "/dev/kipc/control";

	check_kind();
	check_flags();
	check_capacity();
	check_forwarding();
	check_ends();
	check_fork();
	check_threads();
	check_control(path);
	return failed;
}
