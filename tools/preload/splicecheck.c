// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-splicecheck: splice(2), tee(2) and vmsplice(2) on the pipes a
 * program gets from pipe(), as a program sees them: return values, errnos
 * and the bytes moved.  Run once on kernel pipes (the reference) and once
 * with libkipc-preload.so, whose pipes are kipc channels; the shim is right
 * when both runs print the same lines.
 *
 *	kipc-splicecheck --expect fifo > ref
 *	KIPC_PRELOAD=strict LD_PRELOAD=libkipc-preload.so \
 *		kipc-splicecheck --expect kipc > out
 *
 * One line per case on stdout, "NAME: RESULT"; the first line says what
 * pipe() gave ("pipe() gives: kipc" or "fifo") and is checked against
 * --expect.  "kpipe" below is a kernel pipe made with the pipe2 system call
 * itself, which the shim does not see; "pipe" is one made by pipe2().
 * tools/preload/test.sh compares the two runs line by line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#define FILE_SIZE	10000

static char pattern[FILE_SIZE];
static char tmpl[] = "/tmp/kipc-splicecheck.XXXXXX";
static int nb = SPLICE_F_NONBLOCK;

static const char *ename(int e)
{
	switch (e) {
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case EFAULT: return "EFAULT";
	case EINTR: return "EINTR";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(e);
	}
}

/* "NAME: RESULT", RESULT being the return value or -1 and the errno, + extra */
static void line(const char *name, long ret, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	printf("%s: ", name);
	if (ret < 0)
		printf("-1 %s", ename(e));
	else
		printf("%ld", ret);
	if (fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static void die(const char *what)
{
	printf("FATAL %s: %s\n", what, strerror(errno));
	exit(1);
}

static void mkpipe(int p[2], int flags)
{
	if (pipe2(p, flags))
		die("pipe2");
}

/* A kernel pipe the shim does not see. */
static void mkkpipe(int p[2], int flags)
{
	if (syscall(SYS_pipe2, p, flags))
		die("SYS_pipe2");
}

static void closep(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* The helpers below keep errno: line() prints the call's. */
static int queued(int fd)
{
	int n = -1, e = errno;

	if (ioctl(fd, FIONREAD, &n))
		n = -1;
	errno = e;
	return n;
}

/* A file of FILE_SIZE pattern bytes. */
static int mkfile(void)
{
	char path[sizeof(tmpl)];
	int fd;

	memcpy(path, tmpl, sizeof(tmpl));
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	if (pwrite(fd, pattern, FILE_SIZE, 0) != FILE_SIZE)
		die("pwrite");
	return fd;
}

static int empty_file(void)
{
	char path[sizeof(tmpl)];
	int fd;

	memcpy(path, tmpl, sizeof(tmpl));
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	return fd;
}

/* Read up to @n bytes (nonblocking tries) and say whether they are @want. */
static const char *drain_is(int fd, const char *want, size_t n)
{
	static char buf[200000];
	int fl = fcntl(fd, F_GETFL), e = errno;
	size_t got = 0;
	ssize_t r;

	/* Never wait: what is not queued now is missing. */
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	fcntl(fd, F_SETFL, fl);
	errno = e;
	if (got != n)
		return "short";
	return memcmp(buf, want, n) ? "differ" : "same";
}

static void fill(int fd, size_t n)
{
	if (write(fd, pattern, n) != (ssize_t)n)
		die("write");
}

/* Fill a pipe end with nonblocking writes; the bytes it took. */
static long fill_full(int wfd)
{
	int fl = fcntl(wfd, F_GETFL);
	long total = 0;
	ssize_t r;

	fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
	while ((r = write(wfd, pattern, 4096)) > 0)
		total += r;
	fcntl(wfd, F_SETFL, fl);
	return total;
}

static void check_kind(const char *expect)
{
	struct kipc_capacity c;
	struct stat st;
	int p[2], kipc;

	mkpipe(p, 0);
	memset(&c, 0, sizeof(c));
	kipc = !ioctl(p[0], KIPC_IOC_GET_CAPACITY, &c);
	fstat(p[0], &st);
	printf("pipe() gives: %s\n", expect);
	if (strcmp(expect, kipc ? "kipc" : S_ISFIFO(st.st_mode) ? "fifo" :
		   "other")) {
		printf("FATAL pipe() gives %s\n", kipc ? "kipc" : "other");
		exit(1);
	}
	closep(p);
}

static void check_file_to_pipe(void)
{
	int p[2], fd = mkfile();
	loff_t off = 100;
	ssize_t r;

	mkpipe(p, 0);
	r = splice(fd, &off, p[1], NULL, 5000, 0);
	line("splice file->pipe, offset", r, "off=%lld pos=%ld data=%s",
	     (long long)off, (long)lseek(fd, 0, SEEK_CUR),
	     drain_is(p[0], pattern + 100, 5000));
	r = splice(fd, NULL, p[1], NULL, 3000, 0);
	line("splice file->pipe, file position", r, "pos=%ld data=%s",
	     (long)lseek(fd, 0, SEEK_CUR), drain_is(p[0], pattern, 3000));
	off = FILE_SIZE - 1000;
	r = splice(fd, &off, p[1], NULL, 5000, 0);
	line("splice file->pipe, short at end of file", r,
	     "off=%lld data=%s", (long long)off,
	     drain_is(p[0], pattern + FILE_SIZE - 1000, 1000));
	r = splice(fd, &off, p[1], NULL, 5000, 0);
	line("splice file->pipe, at end of file", r, "off=%lld",
	     (long long)off);
	off = 0;
	r = splice(fd, NULL, p[1], &off, 10, 0);
	line("splice file->pipe, offset on the pipe side", r, NULL);
	r = splice(fd, NULL, p[0], NULL, 10, 0);
	line("splice file->pipe read end", r, NULL);
	close(fd);
	closep(p);
}

static void check_pipe_to_file(void)
{
	int p[2], fd = empty_file();
	loff_t off = 50;
	char buf[6000];
	ssize_t r;

	mkpipe(p, 0);
	fill(p[1], 6000);
	r = splice(p[0], NULL, fd, &off, 10000, 0);
	line("splice pipe->file, offset, len > queued", r,
	     "off=%lld pos=%ld queued=%d data=%s", (long long)off,
	     (long)lseek(fd, 0, SEEK_CUR), queued(p[0]),
	     pread(fd, buf, 6000, 50) == 6000 &&
	     !memcmp(buf, pattern, 6000) ? "same" : "differ");
	fill(p[1], 700);
	r = splice(p[0], NULL, fd, NULL, 500, 0);
	line("splice pipe->file, file position", r, "pos=%ld queued=%d",
	     (long)lseek(fd, 0, SEEK_CUR), queued(p[0]));
	off = 0;
	r = splice(p[0], &off, fd, NULL, 10, 0);
	line("splice pipe->file, offset on the pipe side", r, "queued=%d",
	     queued(p[0]));
	r = splice(p[1], NULL, fd, NULL, 10, 0);
	line("splice pipe write end->file", r, NULL);
	r = splice(p[0], NULL, fd, NULL, 0, 0);
	line("splice len 0", r, NULL);
	r = splice(p[0], NULL, fd, NULL, 10, 0x100);
	line("splice unknown flag", r, NULL);
	close(fd);
	fd = open("/proc/self/exe", O_RDONLY);
	r = splice(p[0], NULL, fd, NULL, 10, 0);
	line("splice pipe->read-only file", r, "queued=%d", queued(p[0]));
	close(fd);
	closep(p);
}

static void check_pipe_to_pipe(void)
{
	int a[2], b[2], k[2];
	ssize_t r;

	mkpipe(a, 0);
	mkpipe(b, 0);
	fill(a[1], 3000);
	r = splice(a[0], NULL, b[1], NULL, 10000, 0);
	line("splice pipe->pipe", r, "a=%d data=%s", queued(a[0]),
	     drain_is(b[0], pattern, 3000));
	fill(a[1], 10);
	r = splice(a[0], NULL, a[1], NULL, 10, 0);
	line("splice pipe->same pipe", r, "queued=%d", queued(a[0]));
	r = splice(b[0], NULL, a[1], NULL, 10, nb);
	line("splice empty pipe->pipe NONBLOCK", r, NULL);
	r = fill_full(b[1]);
	line("fill a pipe", r, NULL);
	r = splice(a[0], NULL, b[1], NULL, 10, nb);
	line("splice pipe->full pipe NONBLOCK", r, "a=%d", queued(a[0]));

	mkkpipe(k, 0);
	r = splice(a[0], NULL, k[1], NULL, 100, 0);
	line("splice pipe->kpipe", r, "data=%s", drain_is(k[0], pattern, 10));
	r = splice(a[0], NULL, k[1], NULL, 100, nb);
	line("splice empty pipe->kpipe NONBLOCK", r, NULL);
	fill(k[1], 2000);
	r = splice(k[0], NULL, a[1], NULL, 5000, 0);
	line("splice kpipe->pipe", r, "data=%s", drain_is(a[0], pattern, 2000));
	r = splice(k[0], NULL, a[1], NULL, 100, nb);
	line("splice empty kpipe->pipe NONBLOCK", r, NULL);
	fill(k[1], 100);
	r = splice(k[0], NULL, b[1], NULL, 100, nb);
	line("splice kpipe->full pipe NONBLOCK", r, "k=%d", queued(k[0]));
	closep(k);
	closep(a);
	closep(b);
}

static void check_devices(void)
{
	int p[2], z = open("/dev/zero", O_RDONLY), n = open("/dev/null",
		O_WRONLY), f = open("/dev/full", O_WRONLY);
	static char zeros[65536];
	ssize_t r;

	mkpipe(p, 0);
	r = splice(z, NULL, p[1], NULL, 10000, 0);
	line("splice /dev/zero->pipe", r, "data=%s",
	     drain_is(p[0], zeros, 10000));
	r = splice(z, NULL, p[1], NULL, 100000, 0);
	line("splice /dev/zero->empty pipe, len > capacity", r, "queued=%d",
	     queued(p[0]));
	r = splice(z, NULL, p[1], NULL, 100, nb);
	line("splice /dev/zero->full pipe NONBLOCK", r, NULL);
	/* Linux 6.1's /dev/zero cannot splice: start again from here. */
	closep(p);
	mkpipe(p, 0);
	fill(p[1], 7000);
	r = splice(p[0], NULL, n, NULL, 100000, 0);
	line("splice pipe->/dev/null", r, "queued=%d", queued(p[0]));
	r = splice(p[0], NULL, n, NULL, 100, nb);
	line("splice empty pipe->/dev/null NONBLOCK", r, NULL);
	fill(p[1], 100);
	r = splice(p[0], NULL, f, NULL, 100, 0);
	line("splice pipe->/dev/full", r, "queued=%d", queued(p[0]));
	r = splice(p[0], NULL, n, NULL, 5000, SPLICE_F_MORE);
	line("splice pipe->/dev/null MORE, len > queued", r, "queued=%d",
	     queued(p[0]));
	close(z);
	close(n);
	close(f);
	closep(p);
}

static void check_socket(void)
{
	int p[2], s[2];
	char buf[5000];
	ssize_t r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		die("socketpair");
	mkpipe(p, 0);
	fill(p[1], 4000);
	r = splice(p[0], NULL, s[0], NULL, 4000, SPLICE_F_MORE);
	line("splice pipe->socket", r, "queued=%d data=%s", queued(p[0]),
	     r == 4000 && recv(s[1], buf, 4000, MSG_WAITALL) == 4000 &&
	     !memcmp(buf, pattern, 4000) ? "same" : "differ");
	if (send(s[1], pattern, 3000, 0) != 3000)
		die("send");
	r = splice(s[0], NULL, p[1], NULL, 10000, 0);
	line("splice socket->pipe", r, "data=%s",
	     drain_is(p[0], pattern, 3000));
	r = splice(s[0], NULL, p[1], NULL, 100, nb);
	line("splice empty socket->pipe NONBLOCK", r, NULL);
	close(s[0]);
	close(s[1]);
	closep(p);
}

static void check_nonblock(void)
{
	int p[2], fd = mkfile(), out = empty_file();
	ssize_t r;

	mkpipe(p, 0);
	r = splice(p[0], NULL, out, NULL, 100, nb);
	line("splice empty pipe->file NONBLOCK", r, NULL);
	r = fill_full(p[1]);
	line("fill a pipe", r, NULL);
	r = splice(fd, NULL, p[1], NULL, 100, nb);
	line("splice file->full pipe NONBLOCK", r, "pos=%ld",
	     (long)lseek(fd, 0, SEEK_CUR));
	closep(p);

	mkpipe(p, O_NONBLOCK);
	r = splice(p[0], NULL, out, NULL, 100, 0);
	line("splice empty O_NONBLOCK pipe->file", r, NULL);
	fill_full(p[1]);
	r = splice(fd, NULL, p[1], NULL, 100, 0);
	line("splice file->full O_NONBLOCK pipe", r, NULL);
	closep(p);
	close(fd);
	close(out);
}

static void check_eof(void)
{
	int p[2], k[2], out = empty_file();
	ssize_t r;
	pid_t pid;

	mkpipe(p, 0);
	fill(p[1], 10);
	close(p[1]);
	r = splice(p[0], NULL, out, NULL, 100, 0);
	line("splice pipe->file, writer gone, 10 queued", r, NULL);
	r = splice(p[0], NULL, out, NULL, 100, 0);
	line("splice pipe->file at EOF", r, NULL);
	r = splice(p[0], NULL, out, NULL, 100, nb);
	line("splice pipe->file at EOF NONBLOCK", r, NULL);
	mkkpipe(k, 0);
	r = splice(p[0], NULL, k[1], NULL, 100, 0);
	line("splice pipe->kpipe at EOF", r, NULL);
	closep(k);
	close(p[0]);

	mkpipe(p, 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	r = splice(out, NULL, p[1], NULL, 10, 0);
	line("splice file->pipe, reader gone", r, NULL);
	close(p[1]);

	/* A splice that waits for a writer. */
	mkpipe(p, 0);
	pid = fork();
	if (!pid) {
		usleep(200000);
		if (write(p[1], "late", 4) != 4)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	r = splice(p[0], NULL, out, NULL, 100, 0);
	line("splice pipe->file waits for the writer", r, NULL);
	r = splice(p[0], NULL, out, NULL, 100, 0);
	line("... then EOF", r, NULL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(out);
	signal(SIGPIPE, SIG_DFL);
}

static void check_tee(void)
{
	int a[2], b[2], k[2], fd = mkfile(), q;
	ssize_t r;

	mkpipe(a, 0);
	mkpipe(b, 0);
	fill(a[1], 11);
	r = tee(a[0], b[1], 100, 0);
	q = queued(a[0]);
	line("tee pipe->pipe", r, "a=%d b=%s", q, drain_is(b[0], pattern, 11));
	line("... and the source still reads", 0, "a=%s",
	     drain_is(a[0], pattern, 11));
	fill(a[1], 11);
	r = tee(a[0], a[1], 100, 0);
	line("tee pipe->same pipe", r, "queued=%d", queued(a[0]));
	r = tee(a[0], a[0], 100, 0);
	line("tee in == out", r, NULL);
	r = tee(fd, b[1], 100, 0);
	line("tee file->pipe", r, NULL);
	r = tee(a[0], fd, 100, 0);
	line("tee pipe->file", r, NULL);
	r = tee(a[0], b[1], 5, 0);
	line("tee pipe->pipe, len < queued", r, "a=%d b=%d", queued(a[0]),
	     queued(b[0]));
	drain_is(a[0], pattern, 11);
	drain_is(b[0], pattern, 5);
	r = tee(a[0], b[1], 100, nb);
	line("tee empty pipe NONBLOCK", r, NULL);

	mkkpipe(k, 0);
	fill(a[1], 20);
	r = tee(a[0], k[1], 100, 0);
	line("tee pipe->kpipe", r, "k=%s a=%d", drain_is(k[0], pattern, 20),
	     queued(a[0]));
	drain_is(a[0], pattern, 20);
	fill(k[1], 30);
	r = tee(k[0], a[1], 100, 0);
	line("tee kpipe->pipe", r, "a=%s k=%d", drain_is(a[0], pattern, 30),
	     queued(k[0]));
	fill(a[1], 5);
	fill_full(b[1]);
	r = tee(a[0], b[1], 5, nb);
	line("tee pipe->full pipe NONBLOCK", r, NULL);
	drain_is(a[0], pattern, 5);
	close(a[1]);
	r = tee(a[0], k[1], 100, 0);
	line("tee at EOF", r, NULL);
	closep(k);
	closep(a);
	closep(b);
	close(fd);
}

static void check_vmsplice(void)
{
	char x[4], y[6], big[100];
	struct iovec w[2] = { { "abc", 3 }, { "defgh", 5 } };
	struct iovec rd[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct iovec one = { big, sizeof(big) };
	int p[2], fd = mkfile();
	ssize_t r;

	mkpipe(p, 0);
	r = vmsplice(p[1], w, 2, 0);
	line("vmsplice write", r, "data=%s", drain_is(p[0], "abcdefgh", 8));
	fill(p[1], 10);
	r = vmsplice(p[0], rd, 2, 0);
	line("vmsplice read", r, "data=%s",
	     !memcmp(x, pattern, 4) && !memcmp(y, pattern + 4, 6) ?
	     "same" : "differ");
	fill(p[1], 3);
	r = vmsplice(p[0], &one, 1, 0);
	line("vmsplice read, len > queued", r, NULL);
	r = vmsplice(p[0], &one, 1, nb);
	line("vmsplice read empty NONBLOCK", r, NULL);
	r = vmsplice(fd, w, 2, 0);
	line("vmsplice on a file", r, NULL);
	r = vmsplice(p[1], w, 0, 0);
	line("vmsplice write nothing", r, NULL);
	r = vmsplice(p[1], w, 2, 0x100);
	line("vmsplice unknown flag", r, NULL);
	fill_full(p[1]);
	r = vmsplice(p[1], w, 2, nb);
	line("vmsplice write full NONBLOCK", r, NULL);
	closep(p);

	mkpipe(p, 0);
	close(p[1]);
	r = vmsplice(p[0], &one, 1, 0);
	line("vmsplice read at EOF", r, NULL);
	close(p[0]);
	mkpipe(p, 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	r = vmsplice(p[1], w, 2, 0);
	line("vmsplice write, reader gone", r, NULL);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	close(fd);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 3 || strcmp(argv[1], "--expect") ||
	    (strcmp(argv[2], "kipc") && strcmp(argv[2], "fifo"))) {
		fprintf(stderr, "usage: kipc-splicecheck --expect kipc|fifo\n");
		return 2;
	}
	/* A call that waits where a pipe's would not: fail, do not hang. */
	alarm(120);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = 'A' + (i * 7 + i / 251) % 53;
	check_kind(argv[2]);
	check_file_to_pipe();
	check_pipe_to_file();
	check_pipe_to_pipe();
	check_devices();
	check_socket();
	check_nonblock();
	check_eof();
	check_tee();
	check_vmsplice();
	return 0;
}
