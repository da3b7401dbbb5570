// SPDX-License-Identifier: GPL-2.0
/*
 * Everything about a channel but its bytes: readiness (poll, select,
 * epoll), SIGIO, the FIFO open rules, splice and tee, O_DIRECT packets,
 * pipe2() flags, capacity and FIONREAD, and kipc's own statistics, fdinfo,
 * sysfs files, names and ioctl argument checks.  The data path (read,
 * write, EOF, SIGPIPE, atomicity) is kipc_chan_io_test.c's.
 *
 * Each TEST_F(chan, ...) runs over six variants (chan_backend.h): a kernel
 * pipe, a kernel FIFO, a kipc pair and a kipc named channel, each of those
 * two also made mapped (KIPC_CHAN_F_MAPPED, used here through the kernel
 * alone: no ring mapped), and holds all of them to one contract.  The kernel variants are the reference: a body
 * that passes on them and fails on kipc has found a kipc bug.  Where kipc
 * differs by design (capacity in bytes, a char device is no pipe for tee()
 * or for splice() at an offset; a mapped channel has no packets and a
 * capacity of a power of two pages) the body spells out each side.  A variant
 * a behaviour does not apply to is skipped with the reason.
 * TEST_F(ctl, ...) covers the control commands, which have no kernel
 * counterpart.
 *
 * Children forked by a test never use ASSERT_*() (it would unwind into the
 * harness in the child): they check with CHILD_CHECK() and report through
 * their exit status.  They are killed in the teardown should a test end
 * early, so that none is left blocked in an open() of a kipc node.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "chan_backend.h"

#define NOBODY		65534
#define DEF_CAP		65536		/* default capacity, pipe and kipc */
#define LONG_MS		10000		/* for what must happen (TCG is slow) */
#define SHORT_MS	200		/* for what must not: still blocked */
#define SYSFS_KIPC	"/sys/class/kipc"
#define KIPC_PARAM(p)	"/sys/module/kipc/parameters/" p
#define POLL_ALL	(POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | \
			 POLLOUT | POLLWRNORM | POLLWRBAND)

/* In a forked child: say what failed on stderr and exit 1. */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: child: %s (errno %d)\n",	\
			__FILE__, __LINE__, #cond, errno);		\
		_exit(1);						\
	}								\
} while (0)

#define SKIP_IF(cond, why) do {						\
	if (cond)							\
		SKIP(return, "%s", why);				\
} while (0)

/* Children of the running test; every test is a process of its own. */
static pid_t kids[8];

static pid_t spawn(void)
{
	pid_t pid;
	size_t i;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid > 0) {
		for (i = 0; i < ARRAY_SIZE(kids); i++) {
			if (!kids[i]) {
				kids[i] = pid;
				break;
			}
		}
	}
	return pid;
}

/* Reap a spawn()ed child: its exit status, or 256 + the killing signal. */
static int reap(pid_t pid)
{
	size_t i;
	int st;

	for (i = 0; i < ARRAY_SIZE(kids); i++)
		if (kids[i] == pid)
			kids[i] = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

static void kill_kids(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kids); i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			kids[i] = 0;
		}
	}
}

/* poll() one fd for every event, without waiting: revents, or -errno. */
static int revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLL_ALL };

	if (poll(&p, 1, 0) < 0)
		return -errno;
	return p.revents;
}

/* Is @fd readable within @ms?  1, 0 on timeout, or -errno. */
static int readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -errno : n;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static long long read_ull(const char *path)
{
	char buf[64];
	int n = proc_read(path, buf, sizeof(buf));

	return n < 0 ? n : strtoll(buf, NULL, 10);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* snprintf() that says whether it all fit: 0, or -ENAMETOOLONG. */
static int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The state letter of @pid in /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (proc_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait until @pid sleeps interruptibly.  The children here sleep nowhere
 * but in the call under test, so 'S' means it is blocked there.
 */
static int wait_sleeping(pid_t pid)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < LONG_MS; i++) {
		char s = proc_state(pid);

		if (s == 'S')
			return 0;
		if (!s || s == 'Z')
			return -ESRCH;
		nanosleep(&ms, NULL);
	}
	return -ETIMEDOUT;
}

/* The effective capability set, from /proc/self/status (~0 if unknown). */
static unsigned long long cap_eff(void)
{
	char buf[4096], *p;

	if (proc_read("/proc/self/status", buf, sizeof(buf)) <= 0)
		return ~0ULL;
	p = strstr(buf, "CapEff:");
	return p ? strtoull(p + 7, NULL, 16) : ~0ULL;
}

static bool has_cap(int cap)
{
	return cap_eff() & (1ULL << cap);
}

/* Become uid and gid 65534, with no supplementary groups and no caps. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return cap_eff() ? -EPERM : 0;
}

/* Drain what is queued without blocking: bytes read, or -errno. */
static long long chan_drain(int rfd)
{
	static char buf[65536];
	long long total = 0;
	int fl = fcntl(rfd, F_GETFL);
	ssize_t n;

	if (fl < 0 || fcntl(rfd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0 && errno != EAGAIN)
		total = -errno;
	fcntl(rfd, F_SETFL, fl);
	return total;
}

/* Write one byte at a time until EAGAIN: how many went in, or -errno. */
static long long count_byte_writes(int wfd)
{
	int fl = fcntl(wfd, F_GETFL);
	long long n = 0;

	if (fl < 0 || fcntl(wfd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	while (write(wfd, "b", 1) == 1)
		n++;
	if (errno != EAGAIN)
		n = -errno;
	fcntl(wfd, F_SETFL, fl);
	return n;
}

static int epoll_add(int ep, int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Take a pending (blocked) @sig: its number, or -1 with EAGAIN if none. */
static int take_signal(int sig, siginfo_t *si)
{
	struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &zero);
}

/* O_ASYNC on @fd, owned by this process, with F_SETSIG @sig (0: SIGIO). */
static int set_async(int fd, int sig)
{
	if (fcntl(fd, F_SETOWN, getpid()) || fcntl(fd, F_SETSIG, sig))
		return -errno;
	return fd_change_flags(fd, O_ASYNC, 0);
}

/*
 * A child that open()s a node, to watch the FIFO open rules from outside.
 * It installs a SIGUSR1 handler with the given sa_flags first (which
 * writes a byte to @handled), and may read() one byte after the open.
 */
struct open_report {
	int fd;		/* what open() returned */
	int err;	/* errno, if it failed */
	int io;		/* the follow-up read(): bytes, or -errno */
};

struct opener {
	pid_t pid;
	int report;	/* readable once open() returned */
	int handled;	/* a byte per SIGUSR1 handled */
};

static int opener_handled_fd = -1;

static void opener_on_sigusr1(int sig)
{
	char b = 'h';

	if (write(opener_handled_fd, &b, 1) < 0)
		_exit(3);
}

static int opener_start(struct opener *o, const char *path, int flags,
			int sa_flags, bool then_read)
{
	int rep[2], hnd[2];

	if (pipe2(rep, O_CLOEXEC))
		return -errno;
	if (pipe2(hnd, O_CLOEXEC)) {
		close(rep[0]);
		close(rep[1]);
		return -errno;
	}
	o->pid = spawn();
	if (o->pid < 0)
		return -errno;
	if (!o->pid) {
		struct sigaction sa = {
			.sa_handler = opener_on_sigusr1,
			.sa_flags = sa_flags,
		};
		struct open_report r = { 0 };
		char b;

		opener_handled_fd = hnd[1];
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(2);
		r.fd = open(path, flags);
		r.err = r.fd < 0 ? errno : 0;
		if (r.fd >= 0 && then_read) {
			ssize_t n = read(r.fd, &b, 1);

			r.io = n < 0 ? -errno : (int)n;
		}
		if (write(rep[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(rep[1]);
	close(hnd[1]);
	o->report = rep[0];
	o->handled = hnd[0];
	return 0;
}

/* 1 and *r once the child's open() returned, 0 if it still blocks. */
static int opener_report(struct opener *o, int ms, struct open_report *r)
{
	int n = readable_within(o->report, ms);

	if (n <= 0)
		return n;
	return read(o->report, r, sizeof(*r)) == sizeof(*r) ? 1 : -EIO;
}

static int opener_finish(struct opener *o)
{
	int st = reap(o->pid);

	close(o->report);
	close(o->handled);
	return st;
}

/*
 * A second node beside the fixture's: a FIFO in its directory, or a kipc
 * named channel whose name extends the fixture's (so that a child, with
 * another pid, computes no other name).  Tracked for the teardown.
 */
struct node {
	char name[KIPC_NAME_MAX + 1];
	char path[PATH_MAX];
};

static struct node extra_nodes[4];

static void node_init(const struct chan *c, const char *tag, struct node *n)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	if (c->kind == CHAN_FIFO) {
		path_fmt(n->path, sizeof(n->path), "%s/%s", c->dir, tag);
	} else {
		path_fmt(n->name, sizeof(n->name), "%s.%s", c->name, tag);
		node_path(n->path, sizeof(n->path), n->name);
	}
	for (i = 0; i < ARRAY_SIZE(extra_nodes); i++) {
		if (!extra_nodes[i].path[0]) {
			extra_nodes[i] = *n;
			break;
		}
	}
}

static int node_create(const struct chan *c, const struct node *n,
		       mode_t mode)
{
	if (c->kind == CHAN_FIFO)
		return mkfifo(n->path, mode) ? -errno : 0;
	return ctl_chan_create_flags(c->ctl, n->name, mode,
				     chan_create_flags(c), 0);
}

static int node_remove(const struct chan *c, const struct node *n)
{
	if (c->kind == CHAN_FIFO)
		return unlink(n->path) ? -errno : 0;
	return ctl_chan_remove(c->ctl, n->name);
}

FIXTURE(chan) {
	struct chan c;
	char *page;		/* a read-write page, then a PROT_NONE one */
	size_t page_size;
};

FIXTURE_VARIANT(chan) {
	enum chan_kind kind;
};

FIXTURE_VARIANT_ADD(chan, pipe) { .kind = CHAN_PIPE };
FIXTURE_VARIANT_ADD(chan, fifo) { .kind = CHAN_FIFO };
FIXTURE_VARIANT_ADD(chan, kipc_pair) { .kind = CHAN_KIPC_PAIR };
FIXTURE_VARIANT_ADD(chan, kipc_named) { .kind = CHAN_KIPC_NAMED };
FIXTURE_VARIANT_ADD(chan, kipc_mapped) { .kind = CHAN_KIPC_MAPPED };
FIXTURE_VARIANT_ADD(chan, kipc_mapped_named) {
	.kind = CHAN_KIPC_MAPPED_NAMED
};

FIXTURE_SETUP(chan)
{
	int err;

	/* Skip with a hint, or fail under KIPC_REQUIRE=1. */
	if (chan_kind_is_kipc(variant->kind))
		close(open_control_or_skip(_metadata));
	err = chan_init(&self->c, variant->kind);
	ASSERT_EQ(0, err) TH_LOG("chan_init: %s", strerror(-err));

	self->page_size = sysconf(_SC_PAGESIZE);
	self->page = mmap(NULL, 2 * self->page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	ASSERT_EQ(0, mprotect(self->page + self->page_size, self->page_size,
			      PROT_NONE));
	/* EPIPE is asserted here, SIGPIPE in kipc_chan_io_test. */
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(chan)
{
	size_t i;

	kill_kids();
	for (i = 0; i < ARRAY_SIZE(extra_nodes); i++)
		if (extra_nodes[i].path[0])
			node_remove(&self->c, &extra_nodes[i]);
	if (self->c.kind == CHAN_FIFO)
		chmod(self->c.dir, 0700);
	chan_fini(&self->c);
	munmap(self->page, 2 * self->page_size);
}

#define NOT_NAMED	"an anonymous pair has no node to open"
#define NOT_PAIR	"a node is opened by path: the flags are open(2)'s"
#define NOT_KIPC	"kipc's own interface, no kernel counterpart"
#define NOT_PACKETS	"a mapped channel has no packet mode (odirect_packets)"

/* poll01: POLLIN|POLLRDNORM with data, POLLOUT|POLLWRNORM with room. */
TEST_F(chan, poll_in_out)
{
	struct chan *c = &self->c;
	char b;

	ASSERT_EQ(0, chan_open(c, 0));
	EXPECT_EQ(0, revents(c->rfd));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(c->wfd));

	ASSERT_EQ(1, write(c->wfd, "x", 1));
	EXPECT_EQ(POLLIN | POLLRDNORM, revents(c->rfd));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(c->wfd));

	ASSERT_EQ(1, read(c->rfd, &b, 1));
	EXPECT_EQ(0, revents(c->rfd));
}

/*
 * Full means no POLLOUT until PIPE_BUF bytes fit again: for a pipe until
 * a slot is free, for kipc until PIPE_BUF bytes are.  Filled with whole
 * pages, both turn writable at the same byte.
 */
TEST_F(chan, poll_full)
{
	struct chan *c = &self->c;
	static char buf[PIPE_BUF];

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	EXPECT_EQ(POLLIN | POLLRDNORM, revents(c->rfd));
	EXPECT_EQ(0, revents(c->wfd));

	ASSERT_EQ(1, read(c->rfd, buf, 1));
	EXPECT_EQ(0, revents(c->wfd));
	ASSERT_EQ(PIPE_BUF - 1, read(c->rfd, buf, PIPE_BUF - 1));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(c->wfd));

	/* And POLLOUT keeps its promise: PIPE_BUF bytes go in at once. */
	ASSERT_EQ(0, fd_change_flags(c->wfd, O_NONBLOCK, 0));
	EXPECT_EQ(PIPE_BUF, write(c->wfd, buf, PIPE_BUF));
	EXPECT_EQ(0, revents(c->wfd));
}

/* select04: the fd bit is cleared on an empty read end, a full write end. */
TEST_F(chan, select_full_empty)
{
	struct chan *c = &self->c;
	struct timeval tv = { 0 };
	fd_set fds;

	ASSERT_EQ(0, chan_open(c, 0));
	FD_ZERO(&fds);
	FD_SET(c->rfd, &fds);
	EXPECT_EQ(0, select(c->rfd + 1, &fds, NULL, NULL, &tv));
	EXPECT_FALSE(FD_ISSET(c->rfd, &fds));

	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	FD_ZERO(&fds);
	FD_SET(c->wfd, &fds);
	tv = (struct timeval){ 0 };
	EXPECT_EQ(0, select(c->wfd + 1, NULL, &fds, NULL, &tv));
	EXPECT_FALSE(FD_ISSET(c->wfd, &fds));

	/* And set in the opposite states. */
	FD_ZERO(&fds);
	FD_SET(c->rfd, &fds);
	tv = (struct timeval){ 0 };
	EXPECT_EQ(1, select(c->rfd + 1, &fds, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(c->rfd, &fds));

	ASSERT_EQ(DEF_CAP, chan_drain(c->rfd));
	FD_ZERO(&fds);
	FD_SET(c->wfd, &fds);
	tv = (struct timeval){ 0 };
	EXPECT_EQ(1, select(c->wfd + 1, NULL, &fds, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(c->wfd, &fds));
}

/* poll03: POLLHUP on the read side once every writer is gone. */
TEST_F(chan, pollhup_writers_gone)
{
	struct chan *c = &self->c;
	char buf[8];

	/* Data left: POLLIN and POLLHUP together, until it is read. */
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(3, write(c->wfd, "abc", 3));
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLHUP, revents(c->rfd));
	ASSERT_EQ(3, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, revents(c->rfd));
	EXPECT_EQ(0, read(c->rfd, buf, sizeof(buf)));
	ASSERT_EQ(0, chan_close(c));

	/* Nothing left: POLLHUP alone. */
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(POLLHUP, revents(c->rfd));
	EXPECT_EQ(0, read(c->rfd, buf, sizeof(buf)));
}

/* POLLERR on the write side once every reader is gone, never POLLHUP. */
TEST_F(chan, pollerr_readers_gone)
{
	struct chan *c = &self->c;

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(1, write(c->wfd, "x", 1));
	ASSERT_EQ(0, close_fd(&c->rfd));
	EXPECT_EQ(POLLOUT | POLLWRNORM | POLLERR, revents(c->wfd));
	ASSERT_EQ(0, chan_close(c));

	/* Full: POLLERR alone. */
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	ASSERT_EQ(0, close_fd(&c->rfd));
	EXPECT_EQ(POLLERR, revents(c->wfd));
	errno = 0;
	EXPECT_EQ(-1, write(c->wfd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
}

/*
 * A FIFO reader opened O_NONBLOCK before any writer gets no POLLHUP (it
 * would spin); it gets it once a writer has come and gone.  A reader that
 * opened after that writer left has not seen it: no POLLHUP for that one.
 */
TEST_F(chan, fifo_pollhup_needs_a_writer)
{
	struct chan *c = &self->c;
	int late;
	char b;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	c->rfd = chan_open_node(c, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, c->rfd);
	EXPECT_EQ(0, revents(c->rfd));
	EXPECT_EQ(0, read(c->rfd, &b, 1));
	EXPECT_EQ(0, revents(c->rfd));

	c->wfd = chan_open_node(c, O_WRONLY | O_NONBLOCK);
	ASSERT_LE(0, c->wfd);
	EXPECT_EQ(0, revents(c->rfd));
	errno = 0;
	EXPECT_EQ(-1, read(c->rfd, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(POLLHUP, revents(c->rfd));

	late = chan_open_node(c, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, late);
	EXPECT_EQ(0, revents(late));
	EXPECT_EQ(POLLHUP, revents(c->rfd));
	close(late);
}

/*
 * An EPOLLET reader is woken by every write, not only by the one that made
 * the channel non-empty: once polled, fs/pipe.c wakes readers on each write
 * ("Epoll nonsensically wants a wakeup whether the pipe was already empty
 * or not"), and edge-triggered users depend on it.
 */
TEST_F(chan, epollet_every_write)
{
	struct chan *c = &self->c;
	struct epoll_event ev;
	pid_t pid;
	int ep;

	ASSERT_EQ(0, chan_open(c, 0));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_add(ep, c->rfd, EPOLLIN | EPOLLET));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(1, write(c->wfd, "a", 1));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	/* Not empty, nothing read: a second edge all the same. */
	ASSERT_EQ(1, write(c->wfd, "b", 1));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	/* A third, for a waiter blocked in epoll_wait(). */
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!wait_sleeping(getppid()));
		CHILD_CHECK(write(c->wfd, "c", 1) == 1);
		_exit(0);
	}
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(3, fd_queued(c->rfd));
	close(ep);
}

/*
 * epoll_wait06, and what it rests on in pipe_read(): a read wakes writers
 * only if the channel was full (no POLLOUT) when it began, and wakes other
 * readers only if it had to sleep itself.  So an EPOLLET waiter gets no
 * edge from a read that changed nothing it was told about.
 */
TEST_F(chan, epollet_edges)
{
	struct chan *c = &self->c;
	struct epoll_event ev[2];
	char buf[PIPE_BUF];
	int ep, i;

	ASSERT_EQ(0, chan_open(c, O_NONBLOCK));
	ASSERT_EQ(PIPE_BUF, chan_set_capacity(c, c->wfd, PIPE_BUF));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_add(ep, c->rfd, EPOLLIN | EPOLLET));
	ASSERT_EQ(0, epoll_add(ep, c->wfd, EPOLLOUT | EPOLLET));

	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(PIPE_BUF, write(c->wfd, buf, PIPE_BUF));
	errno = 0;
	EXPECT_EQ(-1, write(c->wfd, buf, PIPE_BUF));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(1, epoll_wait(ep, ev, 2, 0));
	EXPECT_EQ(c->rfd, ev[0].data.fd);
	EXPECT_EQ(EPOLLIN, ev[0].events);

	/* Half read: still readable, still not writable; no edge at all. */
	ASSERT_EQ(PIPE_BUF / 2, read(c->rfd, buf, PIPE_BUF / 2));
	EXPECT_EQ(0, epoll_wait(ep, ev, 2, 0));

	/* The rest: writable again, an EPOLLOUT edge. */
	ASSERT_EQ(PIPE_BUF / 2, read(c->rfd, buf, PIPE_BUF / 2));
	ASSERT_EQ(1, epoll_wait(ep, ev, 2, 0));
	EXPECT_EQ(c->wfd, ev[0].data.fd);
	EXPECT_EQ(EPOLLOUT, ev[0].events);
	EXPECT_EQ(0, epoll_wait(ep, ev, 2, 0));

	/* Not full to begin with: a read is no news to writers. */
	ASSERT_EQ(DEF_CAP, chan_set_capacity(c, c->wfd, DEF_CAP));
	for (i = 0; i < 4 && epoll_wait(ep, ev, 2, 0) > 0; i++)
		;	/* the resize may wake writers */
	ASSERT_EQ(100, write(c->wfd, buf, 100));
	ASSERT_EQ(1, epoll_wait(ep, ev, 2, 0));
	EXPECT_EQ(c->rfd, ev[0].data.fd);
	ASSERT_EQ(50, read(c->rfd, buf, 50));
	if (chan_is_mapped(c)) {
		/*
		 * Except on a mapped channel: once polled, each side wakes
		 * the other on every move (a ring producer may wait for
		 * more room than PIPE_BUF), so the read is an EPOLLOUT edge.
		 */
		ASSERT_EQ(1, epoll_wait(ep, ev, 2, 0));
		EXPECT_EQ(c->wfd, ev[0].data.fd);
		EXPECT_EQ(EPOLLOUT, ev[0].events);
	}
	EXPECT_EQ(0, epoll_wait(ep, ev, 2, 0));
	close(ep);
}

/* epoll_wait11: EPOLLHUP for a waiter blocked when the last writer goes. */
TEST_F(chan, epollhup_blocked_waiter)
{
	struct chan *c = &self->c;
	pid_t pid;
	int ep;

	ASSERT_EQ(0, chan_open(c, 0));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_add(ep, c->rfd, EPOLLIN));
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct epoll_event ev;
		int n;

		close(c->wfd);
		n = epoll_wait(ep, &ev, 1, LONG_MS);
		CHILD_CHECK(n == 1 && ev.data.fd == c->rfd);
		_exit(ev.events);	/* < 256: EPOLLIN|OUT|ERR|HUP at most */
	}
	ASSERT_EQ(0, wait_sleeping(pid));
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(EPOLLHUP, reap(pid));
	close(ep);
}

/* epoll_wait12: EPOLLERR on a full write end when the last reader goes. */
TEST_F(chan, epollerr_blocked_waiter)
{
	struct chan *c = &self->c;
	pid_t pid;
	int ep;

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_add(ep, c->wfd, EPOLLOUT));
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct epoll_event ev;
		int n;

		close(c->rfd);
		n = epoll_wait(ep, &ev, 1, LONG_MS);
		CHILD_CHECK(n == 1 && ev.data.fd == c->wfd);
		_exit(ev.events);
	}
	ASSERT_EQ(0, wait_sleeping(pid));
	ASSERT_EQ(0, close_fd(&c->rfd));
	/* Still full: EPOLLERR alone, and no EPOLLHUP on a write end. */
	EXPECT_EQ(EPOLLERR, reap(pid));
	close(ep);
}

/* O_ASYNC on the read end: SIGIO on every write and when writers go. */
TEST_F(chan, sigio_read_end)
{
	struct chan *c = &self->c;
	siginfo_t si;
	char b;

	block_signal(SIGIO);
	ASSERT_EQ(0, chan_open(c, O_NONBLOCK));
	ASSERT_EQ(0, set_async(c->rfd, 0));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));

	/* Every write, not only the first into an empty channel. */
	ASSERT_EQ(1, write(c->wfd, "a", 1));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));
	ASSERT_EQ(1, write(c->wfd, "b", 1));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));

	/* Reads are news to writers, not to readers. */
	ASSERT_EQ(1, read(c->rfd, &b, 1));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));

	/* The last writer leaving is. */
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));
}

/* O_ASYNC on the write end: SIGIO after every read and when readers go. */
TEST_F(chan, sigio_write_end)
{
	struct chan *c = &self->c;
	siginfo_t si;
	char b;

	block_signal(SIGIO);
	ASSERT_EQ(0, chan_open(c, O_NONBLOCK));
	ASSERT_EQ(0, set_async(c->wfd, 0));

	ASSERT_EQ(2, write(c->wfd, "ab", 2));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));
	ASSERT_EQ(1, read(c->rfd, &b, 1));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));
	ASSERT_EQ(1, read(c->rfd, &b, 1));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));

	/*
	 * pipe_read() signals even when it found nothing; a read of 0 bytes
	 * returns before it does anything at all.
	 */
	errno = 0;
	EXPECT_EQ(-1, read(c->rfd, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));
	EXPECT_EQ(0, read(c->rfd, &b, 0));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));

	ASSERT_EQ(0, close_fd(&c->rfd));
	EXPECT_EQ(SIGIO, take_signal(SIGIO, &si));
	EXPECT_EQ(-1, take_signal(SIGIO, &si));
}

/*
 * F_SETSIG: the chosen RT signal, one per event, with si_code POLL_IN or
 * POLL_OUT, si_band as poll() would say, and si_fd the fd O_ASYNC was set
 * on.
 */
TEST_F(chan, sigio_setsig)
{
	struct chan *c = &self->c;
	int sig = SIGRTMIN + 1;
	siginfo_t si;
	char b;

	block_signal(sig);
	block_signal(SIGIO);
	ASSERT_EQ(0, chan_open(c, O_NONBLOCK));
	ASSERT_EQ(0, set_async(c->rfd, sig));
	ASSERT_EQ(0, set_async(c->wfd, sig));
	EXPECT_EQ(sig, fcntl(c->rfd, F_GETSIG));
	EXPECT_EQ(getpid(), fcntl(c->wfd, F_GETOWN));

	ASSERT_EQ(1, write(c->wfd, "a", 1));
	ASSERT_EQ(sig, take_signal(sig, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(c->rfd, si.si_fd);
	EXPECT_EQ(POLLIN | POLLRDNORM, si.si_band);
	EXPECT_EQ(-1, take_signal(sig, &si));

	ASSERT_EQ(1, read(c->rfd, &b, 1));
	ASSERT_EQ(sig, take_signal(sig, &si));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(c->wfd, si.si_fd);
	EXPECT_EQ(POLLOUT | POLLWRNORM | POLLWRBAND, si.si_band);
	EXPECT_EQ(-1, take_signal(sig, &si));

	/* The write end's O_ASYNC goes with it; the read end hears it go. */
	ASSERT_EQ(0, close_fd(&c->wfd));
	ASSERT_EQ(sig, take_signal(sig, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(c->rfd, si.si_fd);
	EXPECT_EQ(-1, take_signal(sig, &si));
	/* Queued every time: no fallback to plain SIGIO. */
	EXPECT_EQ(-1, take_signal(SIGIO, &si));
}

/*
 * O_RDONLY waits for a writer: for the writers' counter to move, so a
 * writer that opened and closed again in the meantime releases it too.
 */
TEST_F(chan, fifo_open_rdonly_waits)
{
	struct chan *c = &self->c;
	struct open_report r;
	struct opener o;
	int fd;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	ASSERT_EQ(0, opener_start(&o, c->path, O_RDONLY, 0, true));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));

	fd = open(c->path, O_WRONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, r.io);	/* and then EOF: no writer */
	EXPECT_EQ(0, opener_finish(&o));

	/* A writer that stays. */
	ASSERT_EQ(0, opener_start(&o, c->path, O_RDONLY, 0, false));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));
	c->wfd = open(c->path, O_WRONLY);	/* a reader waits: no wait */
	ASSERT_LE(0, c->wfd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, opener_finish(&o));
}

/* O_WRONLY waits for a reader, by the readers' counter likewise. */
TEST_F(chan, fifo_open_wronly_waits)
{
	struct chan *c = &self->c;
	struct open_report r;
	struct opener o;
	int fd;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	ASSERT_EQ(0, opener_start(&o, c->path, O_WRONLY, 0, false));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));

	fd = open(c->path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, opener_finish(&o));

	ASSERT_EQ(0, opener_start(&o, c->path, O_WRONLY, 0, false));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));
	c->rfd = open(c->path, O_RDONLY);	/* a writer waits: no wait */
	ASSERT_LE(0, c->rfd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, opener_finish(&o));
}

/*
 * open06 and fifo(7): O_WRONLY|O_NONBLOCK without a reader is ENXIO;
 * O_RDONLY|O_NONBLOCK without a writer succeeds and reads EOF; an invalid
 * access mode is EINVAL.
 */
TEST_F(chan, fifo_open_nonblock)
{
	struct chan *c = &self->c;
	char b;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	errno = 0;
	EXPECT_EQ(-1, open(c->path, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);

	c->rfd = open(c->path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, c->rfd);
	EXPECT_EQ(0, read(c->rfd, &b, 1));
	/* Blocking makes no difference: no writer to wait for, EOF. */
	ASSERT_EQ(0, fd_change_flags(c->rfd, 0, O_NONBLOCK));
	EXPECT_EQ(0, read(c->rfd, &b, 1));

	c->wfd = open(c->path, O_WRONLY | O_NONBLOCK);
	ASSERT_LE(0, c->wfd);
	ASSERT_EQ(0, chan_close(c));

	errno = 0;
	EXPECT_EQ(-1, open(c->path, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);

	errno = 0;
	EXPECT_EQ(-1, open(c->path, O_ACCMODE));
	EXPECT_EQ(EINVAL, errno);
}

/* O_RDWR never blocks; it is a reader and a writer to everybody else. */
TEST_F(chan, fifo_open_rdwr)
{
	struct chan *c = &self->c;
	struct open_report r;
	struct opener o;
	int fd;
	char b;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	c->rfd = open(c->path, O_RDWR);
	ASSERT_LE(0, c->rfd);
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(c->rfd));
	ASSERT_EQ(1, write(c->rfd, "x", 1));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, revents(c->rfd));
	ASSERT_EQ(1, read(c->rfd, &b, 1));

	fd = open(c->path, O_WRONLY | O_NONBLOCK);
	EXPECT_LE(0, fd);
	close(fd);
	fd = open(c->path, O_RDONLY);
	EXPECT_LE(0, fd);
	close(fd);
	fd = open(c->path, O_RDWR | O_NONBLOCK);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, close_fd(&c->rfd));

	/* And it lets a waiting reader through. */
	ASSERT_EQ(0, opener_start(&o, c->path, O_RDONLY, 0, false));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));
	c->rfd = open(c->path, O_RDWR);
	ASSERT_LE(0, c->rfd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, opener_finish(&o));
}

/*
 * A signal ends a blocked open() with EINTR when the handler has no
 * SA_RESTART, and the open takes back the count it had raised.
 */
TEST_F(chan, fifo_open_eintr)
{
	static const int modes[] = { O_RDONLY, O_WRONLY };
	struct chan *c = &self->c;
	struct open_report r;
	struct opener o;
	size_t i;
	int fd;
	char b;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ASSERT_EQ(0, opener_start(&o, c->path, modes[i], 0, false));
		ASSERT_EQ(0, wait_sleeping(o.pid));
		ASSERT_EQ(0, kill(o.pid, SIGUSR1));
		ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
		EXPECT_EQ(-1, r.fd);
		EXPECT_EQ(EINTR, r.err);
		EXPECT_EQ(1, readable_within(o.handled, 0));
		EXPECT_EQ(0, opener_finish(&o));

		if (modes[i] == O_RDONLY) {
			/* No reader left behind. */
			errno = 0;
			EXPECT_EQ(-1, open(c->path, O_WRONLY | O_NONBLOCK));
			EXPECT_EQ(ENXIO, errno);
		} else {
			/* No writer left behind: EOF, not EAGAIN. */
			fd = open(c->path, O_RDONLY | O_NONBLOCK);
			ASSERT_LE(0, fd);
			EXPECT_EQ(0, read(fd, &b, 1));
			close(fd);
		}
	}
}

/* With SA_RESTART the open() is restarted and completes with a partner. */
TEST_F(chan, fifo_open_sa_restart)
{
	struct chan *c = &self->c;
	struct open_report r;
	struct opener o;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	ASSERT_EQ(0, opener_start(&o, c->path, O_RDONLY, SA_RESTART, false));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	ASSERT_EQ(0, kill(o.pid, SIGUSR1));
	ASSERT_EQ(1, readable_within(o.handled, LONG_MS));
	ASSERT_EQ(0, wait_sleeping(o.pid));
	EXPECT_EQ(0, opener_report(&o, SHORT_MS, &r));

	c->wfd = open(c->path, O_WRONLY | O_NONBLOCK);
	ASSERT_LE(0, c->wfd);
	ASSERT_EQ(1, opener_report(&o, LONG_MS, &r));
	EXPECT_LE(0, r.fd) TH_LOG("open: %s", strerror(r.err));
	EXPECT_EQ(0, opener_finish(&o));
}

/* splice() out of a channel into a kernel pipe (for a pipe: a second one). */
TEST_F(chan, splice_to_pipe)
{
	struct chan *c = &self->c;
	char buf[16];
	loff_t off = 0;
	int p[2];

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(5, write(c->wfd, "hello", 5));
	EXPECT_EQ(5, splice(c->rfd, NULL, p[1], NULL, 64, 0));
	EXPECT_EQ(0, fd_queued(c->rfd));
	ASSERT_EQ(5, read(p[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));

	ASSERT_EQ(0, fd_change_flags(c->rfd, O_NONBLOCK, 0));
	errno = 0;
	EXPECT_EQ(-1, splice(c->rfd, NULL, p[1], NULL, 64, 0));
	EXPECT_EQ(EAGAIN, errno);

	/*
	 * An input offset: a pipe has none (ESPIPE).  To splice() kipc is
	 * a file, not a pipe, and a file without pread is EINVAL there.
	 */
	ASSERT_EQ(1, write(c->wfd, "x", 1));
	errno = 0;
	EXPECT_EQ(-1, splice(c->rfd, &off, p[1], NULL, 1, 0));
	EXPECT_EQ(chan_is_kipc(c) ? EINVAL : ESPIPE, errno);
	EXPECT_EQ(1, fd_queued(c->rfd));

	ASSERT_EQ(1, read(c->rfd, buf, 1));
	ASSERT_EQ(0, close_fd(&c->wfd));
	EXPECT_EQ(0, splice(c->rfd, NULL, p[1], NULL, 64, 0));
	close(p[0]);
	close(p[1]);
}

/* splice() from a kernel pipe into a channel. */
TEST_F(chan, splice_from_pipe)
{
	struct chan *c = &self->c;
	char buf[16];
	int p[2];

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(5, write(p[1], "world", 5));
	EXPECT_EQ(5, splice(p[0], NULL, c->wfd, NULL, 64, 0));
	EXPECT_EQ(0, fd_queued(p[0]));
	ASSERT_EQ(5, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "world", 5));

	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	ASSERT_EQ(0, fd_change_flags(c->wfd, O_NONBLOCK, 0));
	ASSERT_EQ(1, write(p[1], "y", 1));
	errno = 0;
	EXPECT_EQ(-1, splice(p[0], NULL, c->wfd, NULL, 1, 0));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, close_fd(&c->rfd));
	errno = 0;
	EXPECT_EQ(-1, splice(p[0], NULL, c->wfd, NULL, 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, fd_queued(p[0]));
	close(p[0]);
	close(p[1]);
}

/*
 * tee() duplicates between two pipes, and only pipes: get_pipe_info()
 * knows pipefifo_fops alone, so a kipc fd on either side is EINVAL.  The
 * pipe variants show the same calls succeed.
 */
TEST_F(chan, tee)
{
	struct chan *c = &self->c;
	int p[2];

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(3, write(c->wfd, "tee", 3));
	ASSERT_EQ(1, write(p[1], "p", 1));
	if (!chan_is_kipc(c)) {
		/* "p" then "tee" in p, and all of that back again. */
		EXPECT_EQ(3, tee(c->rfd, p[1], 64, 0));
		EXPECT_EQ(4, tee(p[0], c->wfd, 64, 0));
		EXPECT_EQ(7, fd_queued(c->rfd));
		EXPECT_EQ(4, fd_queued(p[0]));
	} else {
		errno = 0;
		EXPECT_EQ(-1, tee(c->rfd, p[1], 64, 0));
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, tee(p[0], c->wfd, 64, 0));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(3, fd_queued(c->rfd));
		EXPECT_EQ(1, fd_queued(p[0]));
	}
	close(p[0]);
	close(p[1]);
}

/*
 * pipe2_01: the flags land where pipe2() puts them, and only there:
 * O_NONBLOCK on both ends, O_DIRECT (packet mode) on the write end only,
 * O_CLOEXEC as FD_CLOEXEC on both fds.
 */
TEST_F(chan, pair_flags)
{
	static const int flags[] = {
		0, O_NONBLOCK, O_CLOEXEC, O_DIRECT,
		O_NONBLOCK | O_CLOEXEC | O_DIRECT,
	};
	struct chan *c = &self->c;
	size_t i;
	char b;

	SKIP_IF(!chan_is_pair(c), NOT_PAIR);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		int f = flags[i], cloexec = f & O_CLOEXEC ? FD_CLOEXEC : 0;

		if (chan_is_mapped(c) && (f & O_DIRECT)) {
			/* No packet mode on a mapped channel. */
			EXPECT_EQ(-EINVAL, chan_open(c, f))
				TH_LOG("flags %#x", f);
			continue;
		}
		ASSERT_EQ(0, chan_open(c, f));
		/* O_DIRECT is the write end's only: packets are written. */
		EXPECT_EQ(O_RDONLY | (f & O_NONBLOCK), fcntl(c->rfd, F_GETFL))
			TH_LOG("flags %#x", f);
		EXPECT_EQ(O_WRONLY | (f & (O_NONBLOCK | O_DIRECT)),
			  fcntl(c->wfd, F_GETFL))
			TH_LOG("flags %#x", f);
		EXPECT_EQ(cloexec, fcntl(c->rfd, F_GETFD));
		EXPECT_EQ(cloexec, fcntl(c->wfd, F_GETFD));
		if (f & O_NONBLOCK) {
			errno = 0;
			EXPECT_EQ(-1, read(c->rfd, &b, 1));
			EXPECT_EQ(EAGAIN, errno);
		}
		ASSERT_EQ(0, chan_close(c));
	}
}

/* pipe2(): any other flag is EINVAL, with no fd left behind. */
TEST_F(chan, pair_unknown_flags)
{
	static const int bad[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_NOCTTY, O_TRUNC, O_APPEND,
		O_ASYNC, O_DSYNC, O_SYNC, O_DIRECTORY, O_NOFOLLOW,
		O_NOATIME, O_PATH, (int)(1U << 31),
	};
	struct chan *c = &self->c;
	int before = count_fds();
	size_t i;

	SKIP_IF(!chan_is_pair(c), NOT_PAIR);
	ASSERT_LT(0, before);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, chan_open(c, bad[i]))
			TH_LOG("flags %#x", bad[i]);
	EXPECT_EQ(before, count_fds());
}

/* pipe05: a bad fd array is EFAULT, and the fds made are undone. */
TEST_F(chan, pair_bad_pointer)
{
	struct chan *c = &self->c;
	char *none = self->page + self->page_size;
	void *bad[] = {
		NULL, none,
		/* straddling: begins readable, ends in the PROT_NONE page */
		none - (chan_is_kipc(c) ? 8 : sizeof(int)),
		/* readable, not writable: only the result cannot land */
		self->page,
	};
	int before = count_fds();
	size_t i;
	int ret;

	SKIP_IF(!chan_is_pair(c), NOT_PAIR);
	ASSERT_LT(0, before);
	memset(self->page, 0, self->page_size);	/* a valid request */
	ASSERT_EQ(0, mprotect(self->page, self->page_size, PROT_READ));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		if (chan_is_kipc(c))
			ret = ioctl(c->ctl, KIPC_IOC_CHAN_PAIR, bad[i]);
		else
			ret = pipe2(bad[i], 0);
		EXPECT_EQ(-1, ret) TH_LOG("case %zu", i);
		EXPECT_EQ(EFAULT, errno) TH_LOG("case %zu", i);
	}
	ASSERT_EQ(0, mprotect(self->page, self->page_size,
			      PROT_READ | PROT_WRITE));
	EXPECT_EQ(before, count_fds());
}

/*
 * A mapped channel's bytes are a plain ring that a peer may be reading
 * through its mapping: no packet mode.  O_DIRECT at creation (pair), at
 * open() of the node, and by F_SETFL are all EINVAL, and change nothing.
 */
static void expect_no_packet_mode(struct __test_metadata *_metadata,
				  struct chan *c)
{
	int fd;

	EXPECT_EQ(-EINVAL, chan_open(c, O_DIRECT));
	EXPECT_EQ(-1, c->rfd);
	EXPECT_EQ(-1, c->wfd);
	if (chan_is_named(c)) {
		c->rfd = chan_open_node(c, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		ASSERT_LE(0, c->rfd);
		fd = chan_open_node(c, O_WRONLY | O_DIRECT | O_CLOEXEC);
		EXPECT_EQ(-EINVAL, fd);
		if (fd >= 0)
			close(fd);
		fd = chan_open_node(c, O_RDWR | O_DIRECT | O_CLOEXEC);
		EXPECT_EQ(-EINVAL, fd);
		if (fd >= 0)
			close(fd);
		ASSERT_EQ(0, close_fd(&c->rfd));
	}
	ASSERT_EQ(0, chan_open(c, 0));
	EXPECT_EQ(-EINVAL, fd_change_flags(c->wfd, O_DIRECT, 0));
	EXPECT_EQ(0, fcntl(c->wfd, F_GETFL) & O_DIRECT);
	/* Still a stream: two writes, one read. */
	ASSERT_EQ(2, write(c->wfd, "ab", 2));
	ASSERT_EQ(2, write(c->wfd, "cd", 2));
	EXPECT_EQ(4, fd_queued(c->rfd));
}

/*
 * Each write is a packet and each read takes at most one; what does not
 * fit the read is dropped; writes over PIPE_BUF are PIPE_BUF packets.
 */
TEST_F(chan, odirect_packets)
{
	struct chan *c = &self->c;
	static char big[10000], in[65536];
	char buf[64];
	size_t i;

	if (chan_is_mapped(c)) {
		expect_no_packet_mode(_metadata, c);
		return;
	}
	ASSERT_EQ(0, chan_open(c, O_DIRECT));
	ASSERT_EQ(3, write(c->wfd, "abc", 3));
	ASSERT_EQ(5, write(c->wfd, "defgh", 5));
	ASSERT_EQ(3, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(5, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "defgh", 5));

	ASSERT_EQ(5, write(c->wfd, "12345", 5));
	ASSERT_EQ(2, write(c->wfd, "xy", 2));
	EXPECT_EQ(7, fd_queued(c->rfd));
	ASSERT_EQ(2, read(c->rfd, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "12", 2));
	EXPECT_EQ(2, fd_queued(c->rfd));
	ASSERT_EQ(2, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "xy", 2));

	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 7 + i / PIPE_BUF;
	ASSERT_EQ(sizeof(big), write(c->wfd, big, sizeof(big)));
	ASSERT_EQ(PIPE_BUF, read(c->rfd, in, sizeof(in)));
	ASSERT_EQ(PIPE_BUF, read(c->rfd, in + PIPE_BUF, sizeof(in) - PIPE_BUF));
	ASSERT_EQ(sizeof(big) - 2 * PIPE_BUF,
		  read(c->rfd, in + 2 * PIPE_BUF, sizeof(in) - 2 * PIPE_BUF));
	EXPECT_EQ(0, memcmp(big, in, sizeof(big)));
}

/* F_SETFL toggles packet mode on a write end, of a pipe, FIFO or node. */
TEST_F(chan, odirect_setfl)
{
	struct chan *c = &self->c;
	char buf[64];

	if (chan_is_mapped(c)) {
		expect_no_packet_mode(_metadata, c);
		return;
	}
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(0, fd_change_flags(c->wfd, O_DIRECT, 0));
	EXPECT_EQ(O_DIRECT, fcntl(c->wfd, F_GETFL) & O_DIRECT);
	ASSERT_EQ(2, write(c->wfd, "ab", 2));
	ASSERT_EQ(2, write(c->wfd, "cd", 2));
	ASSERT_EQ(2, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(2, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));

	ASSERT_EQ(0, fd_change_flags(c->wfd, 0, O_DIRECT));
	EXPECT_EQ(0, fcntl(c->wfd, F_GETFL) & O_DIRECT);
	ASSERT_EQ(2, write(c->wfd, "ef", 2));
	ASSERT_EQ(2, write(c->wfd, "gh", 2));
	ASSERT_EQ(4, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "efgh", 4));
}

/*
 * A pipe holds as many packets as it has slots, however small, and kipc
 * as many as capacity / PIPE_BUF: 16 by default.  Out of them, a packet
 * write end is not writable: EAGAIN, and no POLLOUT.
 */
TEST_F(chan, odirect_packet_slots)
{
	struct chan *c = &self->c;
	char buf[64];
	int i;

	SKIP_IF(chan_is_mapped(c), NOT_PACKETS);
	ASSERT_EQ(0, chan_open(c, O_DIRECT | O_NONBLOCK));
	for (i = 0; i < DEF_CAP / PIPE_BUF; i++)
		ASSERT_EQ(1, write(c->wfd, "p", 1));
	errno = 0;
	EXPECT_EQ(-1, write(c->wfd, "p", 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(DEF_CAP / PIPE_BUF, fd_queued(c->rfd));
	EXPECT_EQ(0, revents(c->wfd));

	ASSERT_EQ(1, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(c->wfd));
	EXPECT_EQ(1, write(c->wfd, "p", 1));
}

/*
 * 64 KiB by default; F_GETPIPE_SZ for a kernel pipe, the ioctl for kipc,
 * and neither works on the other: fcntl() knows pipes only (EBADF), a pipe
 * knows no kipc ioctl (ENOTTY).
 */
TEST_F(chan, capacity_default)
{
	struct chan *c = &self->c;
	struct kipc_capacity cap = { 0 };

	ASSERT_EQ(0, chan_open(c, 0));
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->rfd));
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));
	EXPECT_EQ(DEF_CAP, chan_fill(c->wfd));

	errno = 0;
	if (chan_is_kipc(c)) {
		EXPECT_EQ(-1, fcntl(c->rfd, F_GETPIPE_SZ));
		EXPECT_EQ(EBADF, errno);
		errno = 0;
		EXPECT_EQ(-1, fcntl(c->wfd, F_SETPIPE_SZ, 2 * DEF_CAP));
		EXPECT_EQ(EBADF, errno);
	} else {
		EXPECT_EQ(-1, ioctl(c->rfd, KIPC_IOC_GET_CAPACITY, &cap));
		EXPECT_EQ(ENOTTY, errno);
	}
}

/*
 * fcntl37: shrinking below what is queued is EBUSY.  A pipe counts slots,
 * kipc bytes (and packets, as slots); the assertions show each contract.
 */
TEST_F(chan, capacity_shrink_busy)
{
	struct chan *c = &self->c;
	static char buf[2 * PIPE_BUF];
	bool kipc = chan_is_kipc(c);

	ASSERT_EQ(0, chan_open(c, O_NONBLOCK));
	ASSERT_EQ(PIPE_BUF + 1, write(c->wfd, buf, PIPE_BUF + 1));
	EXPECT_EQ(-EBUSY, chan_set_capacity(c, c->wfd, PIPE_BUF));
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));
	EXPECT_EQ(PIPE_BUF + 1, fd_queued(c->rfd));

	if (chan_is_mapped(c)) {
		/*
		 * Whole pages, a power of two of them: the exact fit is
		 * EINVAL, the next power of two fits; then as kipc below.
		 */
		EXPECT_EQ(-EINVAL, chan_set_capacity(c, c->wfd, PIPE_BUF + 1));
		EXPECT_EQ(2 * PIPE_BUF,
			  chan_set_capacity(c, c->wfd, 2 * PIPE_BUF));
		EXPECT_EQ(PIPE_BUF + 1, fd_queued(c->rfd));
		ASSERT_EQ(PIPE_BUF, read(c->rfd, buf, PIPE_BUF));
		EXPECT_EQ(PIPE_BUF, chan_set_capacity(c, c->wfd, PIPE_BUF));
		ASSERT_EQ(1, read(c->rfd, buf, 1));
		EXPECT_EQ(0, buf[0]);
		return;		/* the packet half: NOT_PACKETS */
	}
	if (kipc) {
		/* Bytes: exactly what is queued fits, and fills it. */
		EXPECT_EQ(PIPE_BUF + 1,
			  chan_set_capacity(c, c->wfd, PIPE_BUF + 1));
		errno = 0;
		EXPECT_EQ(-1, write(c->wfd, "x", 1));
		EXPECT_EQ(EAGAIN, errno);
	} else {
		/* Slots: 4097 rounds up to two pages, two slots fit. */
		EXPECT_EQ(2 * PIPE_BUF,
			  chan_set_capacity(c, c->wfd, PIPE_BUF + 1));
	}
	/* One byte left, in one slot: a page holds it either way. */
	ASSERT_EQ(PIPE_BUF, read(c->rfd, buf, PIPE_BUF));
	EXPECT_EQ(PIPE_BUF, chan_set_capacity(c, c->wfd, PIPE_BUF));
	ASSERT_EQ(1, read(c->rfd, buf, 1));

	/*
	 * Two bytes in two slots: a packet, then a plain write that cannot
	 * merge into it.  A pipe counts two slots for one page: EBUSY; kipc
	 * two bytes and one packet: they fit.
	 */
	ASSERT_EQ(DEF_CAP, chan_set_capacity(c, c->wfd, DEF_CAP));
	ASSERT_EQ(0, fd_change_flags(c->wfd, O_DIRECT, 0));
	ASSERT_EQ(1, write(c->wfd, "a", 1));
	ASSERT_EQ(0, fd_change_flags(c->wfd, 0, O_DIRECT));
	ASSERT_EQ(1, write(c->wfd, "b", 1));
	EXPECT_EQ(2, fd_queued(c->rfd));
	EXPECT_EQ(kipc ? PIPE_BUF : -EBUSY,
		  chan_set_capacity(c, c->wfd, PIPE_BUF));
}

/*
 * fcntl37 and pipe-max-size: without CAP_SYS_RESOURCE a channel cannot
 * grow past the limit (EPERM), a size no channel can have is EINVAL first,
 * and keeping or shrinking an oversized one is fine.  Root may exceed it.
 */
TEST_F(chan, capacity_unprivileged)
{
	struct chan *c = &self->c;
	bool kipc = chan_is_kipc(c);
	long long max = read_ull(kipc ? KIPC_PARAM("max_capacity") :
				 "/proc/sys/fs/pipe-max-size");
	unsigned long long invalid = kipc ? KIPC_CAPACITY_CEILING + 1 :
				     (1ULL << 31) + 1;
	pid_t pid;

	SKIP_IF(geteuid(), "needs root: to drop privileges, to exceed the limit");
	ASSERT_LT(0, max);
	ASSERT_EQ(0, chan_open(c, 0));

	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!become_nobody());
		CHILD_CHECK(chan_set_capacity(c, c->wfd, invalid) == -EINVAL);
		CHILD_CHECK(chan_set_capacity(c, c->wfd, 2 * max) == -EPERM);
		CHILD_CHECK(chan_get_capacity(c, c->wfd) == DEF_CAP);
		CHILD_CHECK(chan_set_capacity(c, c->wfd, max) == max);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(max, chan_get_capacity(c, c->rfd));

	SKIP_IF(!has_cap(CAP_SYS_RESOURCE),
		"root without CAP_SYS_RESOURCE here: cannot exceed the limit");
	EXPECT_EQ(2 * max, chan_set_capacity(c, c->wfd, 2 * max));

	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!become_nobody());
		CHILD_CHECK(chan_set_capacity(c, c->wfd, 4 * max) == -EPERM);
		CHILD_CHECK(chan_set_capacity(c, c->wfd, 2 * max) == 2 * max);
		CHILD_CHECK(chan_set_capacity(c, c->wfd, max) == max);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
}

/*
 * Out of range is EINVAL, for root too: a pipe above 2^31; kipc below
 * KIPC_CAPACITY_MIN or above KIPC_CAPACITY_CEILING.  A pipe rounds a
 * small size up to a page instead.
 */
TEST_F(chan, capacity_invalid)
{
	static const unsigned long long kipc_bad[] = {
		0, 1, KIPC_CAPACITY_MIN - 1, KIPC_CAPACITY_CEILING + 1,
		1ULL << 40, ~0ULL,
	};
	static const unsigned long long pipe_bad[] = {
		(1ULL << 31) + 1, 0xffffffffULL,
	};
	static const unsigned long long mapped_bad[] = {
		KIPC_CAPACITY_MIN + 1, 3 * 4096, 10000, 65536 + 4096,
		KIPC_CAPACITY_CEILING - 4096,
	};
	struct chan *c = &self->c;
	size_t i;

	ASSERT_EQ(0, chan_open(c, 0));
	if (chan_is_kipc(c)) {
		for (i = 0; i < ARRAY_SIZE(kipc_bad); i++)
			EXPECT_EQ(-EINVAL, chan_set_capacity(c, c->wfd,
							     kipc_bad[i]))
				TH_LOG("capacity %#llx", kipc_bad[i]);
		EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));
		EXPECT_EQ(KIPC_CAPACITY_MIN,
			  chan_set_capacity(c, c->wfd, KIPC_CAPACITY_MIN));
		/* Mapped: whole pages, a power of two of them, or EINVAL. */
		if (chan_is_mapped(c)) {
			for (i = 0; i < ARRAY_SIZE(mapped_bad); i++)
				EXPECT_EQ(-EINVAL,
					  chan_set_capacity(c, c->wfd,
							    mapped_bad[i]))
					TH_LOG("capacity %#llx", mapped_bad[i]);
			EXPECT_EQ(KIPC_CAPACITY_MIN,
				  chan_get_capacity(c, c->wfd));
			EXPECT_EQ(8192, chan_set_capacity(c, c->wfd, 8192));
		}
	} else {
		for (i = 0; i < ARRAY_SIZE(pipe_bad); i++)
			EXPECT_EQ(-EINVAL, chan_set_capacity(c, c->wfd,
							     pipe_bad[i]))
				TH_LOG("capacity %#llx", pipe_bad[i]);
		EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));
		EXPECT_EQ(PIPE_BUF, chan_set_capacity(c, c->wfd, 1));
		EXPECT_EQ(PIPE_BUF, chan_set_capacity(c, c->wfd, 0));
	}
}

/*
 * A mapped channel is exact too, but only in powers of two of pages: 10000
 * is EINVAL, set later or asked for at creation; 8192 holds exactly 8192
 * one-byte writes.
 */
static void capacity_mapped_exact(struct __test_metadata *_metadata,
				  struct chan *c)
{
	struct node n;
	int fds[2];

	EXPECT_EQ(-EINVAL, chan_set_capacity(c, c->wfd, 10000));
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->rfd));
	EXPECT_EQ(8192, chan_set_capacity(c, c->wfd, 8192));
	EXPECT_EQ(8192, count_byte_writes(c->wfd));
	EXPECT_EQ(8192, fd_queued(c->rfd));

	if (chan_is_pair(c)) {
		EXPECT_EQ(-EINVAL, ctl_chan_pair(c->ctl, O_CLOEXEC |
						 KIPC_CHAN_F_MAPPED, 10000,
						 fds));
		ASSERT_EQ(0, ctl_chan_pair(c->ctl, O_CLOEXEC |
					   KIPC_CHAN_F_MAPPED, 8192, fds));
	} else {
		node_init(c, "exact", &n);
		EXPECT_EQ(-EINVAL, ctl_chan_create_flags(c->ctl, n.name, 0600,
							 KIPC_CHAN_F_MAPPED,
							 10000));
		ASSERT_EQ(0, ctl_chan_create_flags(c->ctl, n.name, 0600,
						   KIPC_CHAN_F_MAPPED, 8192));
		ASSERT_EQ(0, chan_open_path(n.path, O_CLOEXEC, fds));
	}
	EXPECT_EQ(8192, chan_get_capacity(c, fds[0]));
	EXPECT_EQ(8192, count_byte_writes(fds[1]));
	close(fds[0]);
	close(fds[1]);
}

/*
 * kipc's capacity is byte-exact: 10000 bytes hold exactly 10000 one-byte
 * writes, set later or asked for at creation.  A pipe rounds 10000 up to
 * four pages, and merges one-byte writes until they are full.
 */
TEST_F(chan, capacity_byte_exact)
{
	struct chan *c = &self->c;
	struct node n;
	int fds[2];

	ASSERT_EQ(0, chan_open(c, 0));
	if (!chan_is_kipc(c)) {
		EXPECT_EQ(16384, chan_set_capacity(c, c->wfd, 10000));
		EXPECT_EQ(16384, count_byte_writes(c->wfd));
		return;
	}
	if (chan_is_mapped(c)) {
		capacity_mapped_exact(_metadata, c);
		return;
	}
	EXPECT_EQ(10000, chan_set_capacity(c, c->wfd, 10000));
	EXPECT_EQ(10000, chan_get_capacity(c, c->rfd));
	EXPECT_EQ(10000, count_byte_writes(c->wfd));
	EXPECT_EQ(10000, fd_queued(c->rfd));

	if (chan_is_pair(c)) {
		ASSERT_EQ(0, ctl_chan_pair(c->ctl, O_CLOEXEC, 10000, fds));
	} else {
		node_init(c, "exact", &n);
		ASSERT_EQ(0, ctl_chan_create(c->ctl, n.name, 0600, 10000));
		ASSERT_EQ(0, chan_open_path(n.path, O_CLOEXEC, fds));
	}
	EXPECT_EQ(10000, chan_get_capacity(c, fds[0]));
	EXPECT_EQ(10000, count_byte_writes(fds[1]));
	close(fds[0]);
	close(fds[1]);
}

/* FIONREAD: the bytes queued, an int, on either end. */
TEST_F(chan, fionread)
{
	struct chan *c = &self->c;
	static char buf[5000];
	int n;

	ASSERT_EQ(0, chan_open(c, 0));
	EXPECT_EQ(0, fd_queued(c->rfd));
	EXPECT_EQ(0, fd_queued(c->wfd));
	ASSERT_EQ(3, write(c->wfd, buf, 3));
	EXPECT_EQ(3, fd_queued(c->rfd));
	EXPECT_EQ(3, fd_queued(c->wfd));
	ASSERT_EQ(5000, write(c->wfd, buf, 5000));
	EXPECT_EQ(5003, fd_queued(c->rfd));
	ASSERT_EQ(100, read(c->rfd, buf, 100));
	EXPECT_EQ(4903, fd_queued(c->rfd));

	errno = 0;
	EXPECT_EQ(-1, ioctl(c->rfd, FIONREAD, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(c->rfd, FIONREAD, self->page + self->page_size));
	EXPECT_EQ(EFAULT, errno);

	/* An int exactly: the byte after it is not written. */
	memset(self->page, 0xa5, 8);
	ASSERT_EQ(0, ioctl(c->rfd, FIONREAD, self->page));
	memcpy(&n, self->page, sizeof(n));
	EXPECT_EQ(4903, n);
	EXPECT_EQ((char)0xa5, self->page[sizeof(n)]);
}

/* Every ioctl a channel does not know is ENOTTY, on pipes as on kipc. */
TEST_F(chan, unknown_ioctl)
{
	struct chan *c = &self->c;
	int fds[2], i;

	ASSERT_EQ(0, chan_open(c, 0));
	fds[0] = c->rfd;
	fds[1] = c->wfd;
	memset(self->page, 0, self->page_size);
	for (i = 0; i < 2; i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fds[i], _IO(KIPC_IOC_MAGIC, 0x7f)));
		EXPECT_EQ(ENOTTY, errno);
		errno = 0;
		EXPECT_EQ(-1, ioctl(fds[i], TCGETS, self->page));
		EXPECT_EQ(ENOTTY, errno);
		/* The control device's commands are not a channel's. */
		errno = 0;
		EXPECT_EQ(-1, ioctl(fds[i], KIPC_IOC_VERSION, self->page));
		EXPECT_EQ(ENOTTY, errno);
		errno = 0;
		EXPECT_EQ(-1, ioctl(fds[i], KIPC_IOC_CHAN_PAIR, self->page));
		EXPECT_EQ(ENOTTY, errno);
	}
}

/*
 * kipc's channel ioctls refuse bad arguments: a pointer that cannot be
 * read or written whole is EFAULT (and changes nothing), a reserved field
 * set is EINVAL, a command of the right number but the wrong size or
 * direction is another command: ENOTTY.
 */
TEST_F(chan, kipc_ioctl_bad_args)
{
	static const unsigned long cmds[] = {
		KIPC_IOC_GET_CAPACITY, KIPC_IOC_SET_CAPACITY,
		KIPC_IOC_CHAN_STATS,
	};
	static const unsigned long wrong[] = {
		_IOR(KIPC_IOC_MAGIC, 0x10, __u64),
		_IOW(KIPC_IOC_MAGIC, 0x11, struct kipc_capacity),
		_IOR(KIPC_IOC_MAGIC, 0x12, struct kipc_capacity),
		KIPC_IOC_CHAN_CREATE, KIPC_IOC_CHAN_REMOVE,
	};
	struct chan *c = &self->c;
	char *none = self->page + self->page_size;
	struct kipc_capacity cap;
	void *bad[] = { NULL, none, none - 8 };
	size_t i, j;

	SKIP_IF(!chan_is_kipc(c), NOT_KIPC);
	ASSERT_EQ(0, chan_open(c, 0));
	/* The readable half of the straddling struct asks for 8192. */
	memset(self->page, 0, self->page_size);
	*(__u64 *)(none - 8) = 8192;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			errno = 0;
			EXPECT_EQ(-1, ioctl(c->wfd, cmds[i], bad[j]))
				TH_LOG("cmd %#lx, case %zu", cmds[i], j);
			EXPECT_EQ(EFAULT, errno)
				TH_LOG("cmd %#lx, case %zu", cmds[i], j);
		}
	}
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));

	/* Results cannot land in a read-only page. */
	ASSERT_EQ(0, mprotect(self->page, self->page_size, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(c->rfd, KIPC_IOC_GET_CAPACITY, self->page));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(c->rfd, KIPC_IOC_CHAN_STATS, self->page));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, mprotect(self->page, self->page_size,
			      PROT_READ | PROT_WRITE));

	for (i = 0; i < ARRAY_SIZE(cap.__reserved); i++) {
		memset(&cap, 0, sizeof(cap));
		cap.capacity = 8192;
		cap.__reserved[i] = 1;
		errno = 0;
		EXPECT_EQ(-1, ioctl(c->wfd, KIPC_IOC_SET_CAPACITY, &cap));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->wfd));

	memset(self->page, 0, self->page_size);
	for (i = 0; i < ARRAY_SIZE(wrong); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(c->wfd, wrong[i], self->page))
			TH_LOG("cmd %#lx", wrong[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", wrong[i]);
	}
}

/* KIPC_IOC_CHAN_STATS: counts and totals, the same through either end. */
TEST_F(chan, kipc_stats)
{
	struct chan *c = &self->c;
	struct kipc_chan_stats st;
	static char buf[PIPE_BUF];
	pid_t pid;
	int fd;

	SKIP_IF(!chan_is_kipc(c), NOT_KIPC);
	ASSERT_EQ(0, chan_open(c, 0));
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(DEF_CAP, st.capacity);
	EXPECT_EQ(1, st.readers);
	EXPECT_EQ(1, st.writers);
	EXPECT_EQ(0, st.bytes_read);
	EXPECT_EQ(0, st.bytes_written);
	EXPECT_EQ(0, st.read_waits);
	EXPECT_EQ(0, st.write_waits);
	EXPECT_EQ(0, st.high_water);
	/* A byte channel has no messages. */
	EXPECT_EQ(0, st.messages);
	EXPECT_EQ(0, st.__reserved[0]);
	EXPECT_EQ(0, st.__reserved[1]);

	ASSERT_EQ(100, write(c->wfd, buf, 100));
	ASSERT_EQ(30, read(c->rfd, buf, 30));
	ASSERT_EQ(50, write(c->wfd, buf, 50));
	ASSERT_EQ(0, fd_chan_stats(c->wfd, &st));
	EXPECT_EQ(120, st.queued);
	EXPECT_EQ(150, st.bytes_written);
	EXPECT_EQ(30, st.bytes_read);
	EXPECT_EQ(120, st.high_water);
	ASSERT_EQ(120, read(c->rfd, buf, sizeof(buf)));
	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(150, st.bytes_read);
	EXPECT_EQ(120, st.high_water);

	/* Readers and writers are open files, as a pipe's: dup() adds none. */
	fd = dup(c->rfd);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(1, st.readers);
	close(fd);
	if (chan_is_kipc_named(c)) {
		fd = open(c->path, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
		EXPECT_EQ(2, st.readers);
		EXPECT_EQ(2, st.writers);
		close(fd);
		ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
		EXPECT_EQ(1, st.readers);
		EXPECT_EQ(1, st.writers);
	}

	/* A reader that has to sleep, once. */
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(read(c->rfd, buf, 1) == 1 ? 0 : 1);
	ASSERT_EQ(0, wait_sleeping(pid));
	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(1, st.read_waits);
	ASSERT_EQ(1, write(c->wfd, "r", 1));
	EXPECT_EQ(0, reap(pid));

	/* A writer that has to sleep, once. */
	ASSERT_EQ(DEF_CAP, chan_fill(c->wfd));
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(write(c->wfd, "w", 1) == 1 ? 0 : 1);
	ASSERT_EQ(0, wait_sleeping(pid));
	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(1, st.write_waits);
	EXPECT_EQ(DEF_CAP, st.high_water);
	ASSERT_EQ(PIPE_BUF, read(c->rfd, buf, PIPE_BUF));
	EXPECT_EQ(0, reap(pid));

	ASSERT_EQ(0, fd_chan_stats(c->rfd, &st));
	EXPECT_EQ(150 + 1 + DEF_CAP + 1, st.bytes_written);
	EXPECT_EQ(150 + 1 + PIPE_BUF, st.bytes_read);
	EXPECT_EQ(DEF_CAP + 1 - PIPE_BUF, st.queued);
	EXPECT_EQ(1, st.read_waits);
	EXPECT_EQ(1, st.write_waits);
}

/* /proc/PID/fdinfo of a kipc fd shows the channel. */
TEST_F(chan, kipc_fdinfo)
{
	static const struct {
		const char *key, *val;
	} want[] = {
		{ "kipc-capacity", "65536" },
		{ "kipc-queued", "3" },
		{ "kipc-readers", "1" },
		{ "kipc-writers", "1" },
		{ "kipc-bytes-read", "2" },
		{ "kipc-bytes-written", "5" },
	};
	struct chan *c = &self->c;
	char val[300], buf[8];
	int fds[2], i;
	size_t j;

	SKIP_IF(!chan_is_kipc(c), NOT_KIPC);
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(5, write(c->wfd, "12345", 5));
	ASSERT_EQ(2, read(c->rfd, buf, 2));
	fds[0] = c->rfd;
	fds[1] = c->wfd;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fdinfo_get(fds[i], "kipc-chan", val, sizeof(val)));
		EXPECT_STREQ(c->name[0] ? c->name : "[anonymous]", val);
		for (j = 0; j < ARRAY_SIZE(want); j++) {
			ASSERT_EQ(0, fdinfo_get(fds[i], want[j].key, val,
						sizeof(val)))
				TH_LOG("%s missing", want[j].key);
			EXPECT_STREQ(want[j].val, val)
				TH_LOG("%s", want[j].key);
		}
	}

	/*
	 * Both ends show one channel number, and another channel another:
	 * fstat() of the anon inode that all pairs share cannot tell.
	 */
	{
		struct kipc_chan_pair other = { .flags = O_CLOEXEC };
		char id[2][32], other_id[32];

		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, fdinfo_get(fds[i], "kipc-id", id[i],
						sizeof(id[i])));
		EXPECT_STREQ(id[0], id[1]);
		ASSERT_EQ(0, ioctl(c->ctl, KIPC_IOC_CHAN_PAIR, &other));
		ASSERT_EQ(0, fdinfo_get(other.rfd, "kipc-id", other_id,
					sizeof(other_id)));
		EXPECT_STRNE(id[0], other_id);
		close(other.rfd);
		close(other.wfd);
	}
}

/*
 * /sys/class/kipc/NAME: one read-only file per counter, one decimal value
 * and a newline in each, there from creation to removal.  The files are
 * the node's owner's and group's, readable by each class that may open
 * the node (for reading or writing), and only by them.
 */
TEST_F(chan, kipc_sysfs)
{
	static const char *const attrs[] = {
		"queued", "capacity", "readers", "writers", "bytes_read",
		"bytes_written", "read_waits", "write_waits", "high_water",
	};
	struct chan *c = &self->c;
	char path[PATH_MAX], dir[PATH_MAX], buf[64];
	struct stat st, node;
	mode_t attr_mode = 0;
	size_t i;

#define EXPECT_ATTR(attr, val) do {					\
	path_fmt(path, sizeof(path), "%s/%s", dir, attr);		\
	EXPECT_LT(0, proc_read(path, buf, sizeof(buf))) TH_LOG("%s", path);	\
	EXPECT_STREQ(val "\n", buf) TH_LOG("%s", attr);		\
} while (0)

	SKIP_IF(!chan_is_kipc_named(c),
		"only a named channel is a device in sysfs");
	path_fmt(dir, sizeof(dir), SYSFS_KIPC "/%s", c->name);
	path_fmt(path, sizeof(path), "/dev/kipc/%s", c->name);
	ASSERT_EQ(0, stat(path, &node)) TH_LOG("%s", path);
	if (node.st_mode & 0600)
		attr_mode |= 0400;
	if (node.st_mode & 0060)
		attr_mode |= 0040;
	if (node.st_mode & 0006)
		attr_mode |= 0004;
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		path_fmt(path, sizeof(path), "%s/%s", dir, attrs[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_EQ(attr_mode, st.st_mode & 07777) TH_LOG("%s", attrs[i]);
		EXPECT_EQ(node.st_uid, st.st_uid);
		EXPECT_EQ(node.st_gid, st.st_gid);
		ASSERT_LT(0, proc_read(path, buf, sizeof(buf)));
		EXPECT_STREQ(strcmp(attrs[i], "capacity") ? "0\n" : "65536\n",
			     buf) TH_LOG("%s", attrs[i]);
	}

	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(7, write(c->wfd, "1234567", 7));
	ASSERT_EQ(2, read(c->rfd, buf, 2));
	EXPECT_ATTR("queued", "5");
	EXPECT_ATTR("readers", "1");
	EXPECT_ATTR("writers", "1");
	EXPECT_ATTR("bytes_written", "7");
	EXPECT_ATTR("bytes_read", "2");
	EXPECT_ATTR("high_water", "7");

	/* Like a FIFO's, unread data goes with the last fd; totals stay. */
	ASSERT_EQ(0, chan_close(c));
	EXPECT_ATTR("queued", "0");
	EXPECT_ATTR("readers", "0");
	EXPECT_ATTR("writers", "0");
	EXPECT_ATTR("capacity", "65536");
	EXPECT_ATTR("bytes_written", "7");

	ASSERT_EQ(0, ctl_chan_remove(c->ctl, c->name));
	c->name[0] = '\0';
	errno = 0;
	EXPECT_EQ(-1, stat(dir, &st));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, stat(c->path, &st));
	EXPECT_EQ(ENOENT, errno);
#undef EXPECT_ATTR
}

/*
 * mkfifo(3) and KIPC_IOC_CHAN_CREATE alike: the node's mode is the one
 * asked for less the umask, its owner the caller's fsuid and fsgid.  The
 * control device is 0666: anyone may create.
 */
TEST_F(chan, node_mode_owner)
{
	struct chan *c = &self->c;
	bool kipc = chan_is_kipc(c);
	struct node n, m;
	struct stat st;
	pid_t pid;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	SKIP_IF(geteuid(), "needs root to change ids");
	node_init(c, "owned", &n);
	node_init(c, "fsids", &m);
	/* Let the children create in the FIFO's private directory. */
	if (!kipc)
		ASSERT_EQ(0, chmod(c->dir, 0777));

	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		umask(027);
		CHILD_CHECK(!become_nobody());
		if (kipc) {
			c->ctl = open(KIPC_CONTROL_PATH, O_RDWR | O_CLOEXEC);
			CHILD_CHECK(c->ctl >= 0);
		}
		CHILD_CHECK(!node_create(c, &n, 0666));
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, stat(n.path, &st));
	EXPECT_TRUE(kipc ? S_ISCHR(st.st_mode) : S_ISFIFO(st.st_mode));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(NOBODY, st.st_uid);
	EXPECT_EQ(NOBODY, st.st_gid);

	/* The filesystem ids count, not the effective ones. */
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		umask(0);
		setfsgid(4242);
		setfsuid(4343);
		CHILD_CHECK(setfsgid(-1) == 4242 && setfsuid(-1) == 4343);
		CHILD_CHECK(!node_create(c, &m, 0604));
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, stat(m.path, &st));
	EXPECT_EQ(0604, st.st_mode & 07777);
	EXPECT_EQ(4343, st.st_uid);
	EXPECT_EQ(4242, st.st_gid);

	EXPECT_EQ(0, node_remove(c, &n));
	EXPECT_EQ(0, node_remove(c, &m));
}

/* A name in use is EEXIST; removing one that is not there is ENOENT. */
TEST_F(chan, node_exists_missing)
{
	struct chan *c = &self->c;
	struct node n;
	struct stat st;
	char b;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	if (c->kind == CHAN_FIFO) {
		errno = 0;
		EXPECT_EQ(-1, mkfifo(c->path, 0600));
		EXPECT_EQ(EEXIST, errno);
	} else {
		EXPECT_EQ(-EEXIST, ctl_chan_create(c->ctl, c->name, 0600, 0));
		EXPECT_EQ(-EEXIST, ctl_chan_create(c->ctl, c->name, 0644,
						    8192));
	}
	/* The one in use is none the worse. */
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(1, write(c->wfd, "e", 1));
	ASSERT_EQ(1, read(c->rfd, &b, 1));
	EXPECT_EQ(DEF_CAP, chan_get_capacity(c, c->rfd));

	node_init(c, "none", &n);
	EXPECT_EQ(-ENOENT, node_remove(c, &n));
	ASSERT_EQ(0, node_create(c, &n, 0600));
	EXPECT_EQ(0, node_remove(c, &n));
	EXPECT_EQ(-ENOENT, node_remove(c, &n));
	errno = 0;
	EXPECT_EQ(-1, stat(n.path, &st));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * Removing a node leaves open fds working, on a channel that no name
 * reaches any more: the name is free for a new, separate channel.
 */
TEST_F(chan, node_remove_while_open)
{
	struct chan *c = &self->c;
	struct stat st;
	char buf[8];
	int fd;

	SKIP_IF(!chan_is_named(c), NOT_NAMED);
	ASSERT_EQ(0, chan_open(c, 0));
	ASSERT_EQ(4, write(c->wfd, "live", 4));
	if (c->kind == CHAN_FIFO) {
		ASSERT_EQ(0, unlink(c->path));
	} else {
		ASSERT_EQ(0, ctl_chan_remove(c->ctl, c->name));
	}
	errno = 0;
	EXPECT_EQ(-1, stat(c->path, &st));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(4, read(c->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "live", 4));
	ASSERT_EQ(2, write(c->wfd, "on", 2));
	ASSERT_EQ(2, read(c->rfd, buf, sizeof(buf)));

	if (c->kind == CHAN_FIFO) {
		ASSERT_EQ(0, mkfifo(c->path, 0600));
	} else {
		ASSERT_EQ(0, ctl_chan_create(c->ctl, c->name, 0600, 0));
	}
	/* The old channel's reader is not the new one's. */
	errno = 0;
	EXPECT_EQ(-1, open(c->path, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);
	fd = open(c->path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(c->wfd, "o", 1));
	EXPECT_EQ(0, read(fd, buf, 1));
	close(fd);
}

/* The control commands, which no kernel object has: kipc only. */
FIXTURE(ctl) {
	int fd;
	char *page;		/* a read-write page, then a PROT_NONE one */
	size_t page_size;
	char names[8][KIPC_NAME_MAX + 1];
	int nr_names;
	char max_channels[32];	/* to restore, if changed */
};

FIXTURE_SETUP(ctl)
{
	self->fd = open_control_or_skip(_metadata);
	self->page_size = sysconf(_SC_PAGESIZE);
	self->page = mmap(NULL, 2 * self->page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	ASSERT_EQ(0, mprotect(self->page + self->page_size, self->page_size,
			      PROT_NONE));
}

FIXTURE_TEARDOWN(ctl)
{
	int i;

	kill_kids();
	for (i = 0; i < self->nr_names; i++)
		ctl_chan_remove(self->fd, self->names[i]);
	if (self->max_channels[0])
		write_str(KIPC_PARAM("max_channels"), self->max_channels);
	close(self->fd);
	munmap(self->page, 2 * self->page_size);
}

/* A name of this test's, removed in the teardown if still there. */
static const char *ctl_name(FIXTURE_DATA(ctl) *self, const char *tag)
{
	char *name;

	if (self->nr_names >= (int)ARRAY_SIZE(self->names))
		abort();
	name = self->names[self->nr_names++];
	test_chan_name(name, KIPC_NAME_MAX + 1, tag);
	return name;
}

static bool node_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	node_path(path, sizeof(path), name);
	return !stat(path, &st) && S_ISCHR(st.st_mode);
}

static bool sysfs_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), SYSFS_KIPC "/%s", name);
	return !stat(path, &st);
}

/*
 * A name is 1..255 of [A-Za-z0-9._-], NUL-terminated in its field, and
 * not ".", ".." or "control"; anything else is EINVAL, for CREATE and for
 * REMOVE alike (before any lookup: not ENOENT).
 */
TEST_F(ctl, name_invalid)
{
	static const char *const bad[] = {
		"", ".", "..", "control", "a/b", "/", "../x", "a b", " ",
		"a\n", "a\t", "a*", "a?", "a:b", "a\\b", "a+b", "a~", "a@b",
		"a%", "a,b", "\x01", "\x7f", "\x80", "\xff", "\xc3\xa4",
		/* Latin-1 letters: the kernel's isalnum() takes them. */
		"caf\xe9", "\xc0", "\xdf",
	};
	int before = count_dir(SYSFS_KIPC);
	struct kipc_chan_name n;
	size_t i;

	ASSERT_LE(0, before);
	for (i = 0; i <= ARRAY_SIZE(bad); i++) {
		memset(&n, 0, sizeof(n));
		if (i < ARRAY_SIZE(bad))
			strcpy(n.name, bad[i]);
		else	/* 256 characters: no room for the NUL */
			memset(n.name, 'a', sizeof(n.name));
		n.mode = 0600;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_CREATE, &n))
			TH_LOG("name %zu \"%.20s\"", i, n.name);
		EXPECT_EQ(EINVAL, errno) TH_LOG("name %zu", i);
		n.mode = 0;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_REMOVE, &n))
			TH_LOG("name %zu \"%.20s\"", i, n.name);
		EXPECT_EQ(EINVAL, errno) TH_LOG("name %zu", i);
	}
	EXPECT_EQ(before, count_dir(SYSFS_KIPC));
	EXPECT_TRUE(node_exists("control"));
}

/* 255 characters, every allowed class, and bytes after the NUL ignored. */
TEST_F(ctl, name_valid)
{
	const char *odd[] = { "...", "-", ctl_name(self, "Az09._-") };
	char *longest = (char *)ctl_name(self, "");
	struct kipc_chan_name n;
	size_t i, len;

	/* Tracked for the teardown, should an assertion end the test. */
	strcpy(self->names[self->nr_names++], "...");
	strcpy(self->names[self->nr_names++], "-");

	len = strlen(longest);
	memset(longest + len, 'x', KIPC_NAME_MAX - len);
	longest[KIPC_NAME_MAX] = '\0';
	ASSERT_EQ(0, ctl_chan_create(self->fd, longest, 0600, 0));
	EXPECT_TRUE(node_exists(longest));
	EXPECT_TRUE(sysfs_exists(longest));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, longest));
	EXPECT_FALSE(node_exists(longest));
	EXPECT_FALSE(sysfs_exists(longest));

	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		EXPECT_EQ(0, ctl_chan_create(self->fd, odd[i], 0600, 0))
			TH_LOG("name \"%s\"", odd[i]);
		EXPECT_TRUE(node_exists(odd[i])) TH_LOG("name \"%s\"", odd[i]);
		EXPECT_EQ(0, ctl_chan_remove(self->fd, odd[i]))
			TH_LOG("name \"%s\"", odd[i]);
	}

	memset(&n, 0, sizeof(n));
	memset(n.name, 'Z', sizeof(n.name));
	strcpy(n.name, ctl_name(self, "tail"));
	n.mode = 0600;
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_CHAN_CREATE, &n));
	EXPECT_TRUE(node_exists(self->names[self->nr_names - 1]));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, self->names[self->nr_names - 1]));
}

/* A name in use is EEXIST; a name not in use is ENOENT to REMOVE. */
TEST_F(ctl, name_exists_missing)
{
	const char *name = ctl_name(self, "dup");

	ASSERT_EQ(0, ctl_chan_create(self->fd, name, 0600, 0));
	EXPECT_EQ(-EEXIST, ctl_chan_create(self->fd, name, 0600, 0));
	EXPECT_EQ(-EEXIST, ctl_chan_create(self->fd, name, 0666, 8192));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, name));
	EXPECT_EQ(-ENOENT, ctl_chan_remove(self->fd, name));
	EXPECT_EQ(-ENOENT, ctl_chan_remove(self->fd, ctl_name(self, "none")));
}

/*
 * Only the owner (by fsuid) or CAP_SYS_ADMIN removes a named channel:
 * anyone else gets EPERM and the channel stays.
 */
TEST_F(ctl, remove_owner)
{
	const char *root = ctl_name(self, "root");
	const char *mine = ctl_name(self, "mine");
	const char *theirs = ctl_name(self, "theirs");
	pid_t pid;

	SKIP_IF(geteuid(), "needs root to change ids");
	ASSERT_EQ(0, ctl_chan_create(self->fd, root, 0666, 0));
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!become_nobody());
		CHILD_CHECK(ctl_chan_remove(self->fd, root) == -EPERM);
		CHILD_CHECK(!ctl_chan_create(self->fd, mine, 0600, 0));
		CHILD_CHECK(!ctl_chan_remove(self->fd, mine));
		CHILD_CHECK(!ctl_chan_create(self->fd, theirs, 0600, 0));
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	EXPECT_TRUE(node_exists(root));
	EXPECT_FALSE(node_exists(mine));
	EXPECT_TRUE(node_exists(theirs));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, theirs));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, root));
}

/* CREATE: EFAULT for the pointer, EINVAL for any field out of bounds. */
TEST_F(ctl, create_bad_args)
{
	const char *name = ctl_name(self, "bad");
	char *none = self->page + self->page_size;
	/* The name readable, the rest in the PROT_NONE page. */
	struct kipc_chan_name *straddle =
		(void *)(none - offsetof(struct kipc_chan_name, mode));
	void *faulty[] = { NULL, none, straddle };
	struct kipc_chan_name base, n;
	int before = count_dir(SYSFS_KIPC);
	size_t i;

	ASSERT_LE(0, before);
	memset(&base, 0, sizeof(base));
	strcpy(base.name, name);
	base.mode = 0600;
	strcpy(straddle->name, name);
	for (i = 0; i < ARRAY_SIZE(faulty); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_CREATE, faulty[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("case %zu", i);
	}

#define EXPECT_CREATE_EINVAL(field, value) do {				\
	n = base;							\
	n.field = value;						\
	errno = 0;							\
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_CREATE, &n))	\
		TH_LOG(#field " = " #value);				\
	EXPECT_EQ(EINVAL, errno) TH_LOG(#field " = " #value);		\
} while (0)

	EXPECT_CREATE_EINVAL(flags, 1);
	EXPECT_CREATE_EINVAL(flags, 1U << 31);
	EXPECT_CREATE_EINVAL(__reserved[0], 1);
	EXPECT_CREATE_EINVAL(__reserved[1], 1ULL << 63);
	EXPECT_CREATE_EINVAL(mode, 01000);
	EXPECT_CREATE_EINVAL(mode, 02600);
	EXPECT_CREATE_EINVAL(mode, 04600);
	EXPECT_CREATE_EINVAL(mode, S_IFIFO | 0600);
	EXPECT_CREATE_EINVAL(mode, ~0U);
	EXPECT_CREATE_EINVAL(capacity, 1);
	EXPECT_CREATE_EINVAL(capacity, KIPC_CAPACITY_MIN - 1);
	EXPECT_CREATE_EINVAL(capacity, KIPC_CAPACITY_CEILING + 1);
#undef EXPECT_CREATE_EINVAL

	EXPECT_FALSE(node_exists(name));
	EXPECT_EQ(before, count_dir(SYSFS_KIPC));

	/* The request all this was a variation of is fine. */
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_CHAN_CREATE, &base));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, name));
}

/* REMOVE: mode and capacity must be 0 too; EFAULT for the pointer. */
TEST_F(ctl, remove_bad_args)
{
	const char *name = ctl_name(self, "rm");
	char *none = self->page + self->page_size;
	struct kipc_chan_name *straddle =
		(void *)(none - offsetof(struct kipc_chan_name, mode));
	void *faulty[] = { NULL, none, straddle };
	struct kipc_chan_name base, n;
	size_t i;

	ASSERT_EQ(0, ctl_chan_create(self->fd, name, 0600, 0));
	memset(&base, 0, sizeof(base));
	strcpy(base.name, name);
	strcpy(straddle->name, name);
	for (i = 0; i < ARRAY_SIZE(faulty); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_REMOVE, faulty[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("case %zu", i);
	}

#define EXPECT_REMOVE_EINVAL(field, value) do {				\
	n = base;							\
	n.field = value;						\
	errno = 0;							\
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_REMOVE, &n))	\
		TH_LOG(#field " = " #value);				\
	EXPECT_EQ(EINVAL, errno) TH_LOG(#field " = " #value);		\
} while (0)

	EXPECT_REMOVE_EINVAL(mode, 0600);
	EXPECT_REMOVE_EINVAL(capacity, DEF_CAP);
	EXPECT_REMOVE_EINVAL(flags, 1);
	EXPECT_REMOVE_EINVAL(__reserved[0], 1);
	EXPECT_REMOVE_EINVAL(__reserved[1], 1);
#undef EXPECT_REMOVE_EINVAL

	EXPECT_TRUE(node_exists(name));
	EXPECT_EQ(0, ioctl(self->fd, KIPC_IOC_CHAN_REMOVE, &base));
	EXPECT_FALSE(node_exists(name));
}

/*
 * PAIR: an unknown flag, a reserved field or a capacity out of range is
 * EINVAL, with no fd made.  O_EXCL is pipe2()'s O_NOTIFICATION_PIPE;
 * kipc has no notification pipes.
 */
TEST_F(ctl, pair_bad_args)
{
	struct kipc_chan_pair base = { .flags = O_CLOEXEC }, p;
	struct kipc_capacity cap = { 0 };
	int before = count_fds();

	ASSERT_LT(0, before);

#define EXPECT_PAIR_EINVAL(field, value) do {				\
	p = base;							\
	p.field = value;						\
	errno = 0;							\
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_CHAN_PAIR, &p))		\
		TH_LOG(#field " = " #value);				\
	EXPECT_EQ(EINVAL, errno) TH_LOG(#field " = " #value);		\
} while (0)

	EXPECT_PAIR_EINVAL(flags, O_CLOEXEC | O_EXCL);
	EXPECT_PAIR_EINVAL(flags, O_APPEND);
	EXPECT_PAIR_EINVAL(flags, O_RDWR);
	EXPECT_PAIR_EINVAL(flags, 1U << 31);
	EXPECT_PAIR_EINVAL(__reserved0, 1);
	EXPECT_PAIR_EINVAL(__reserved[0], 1);
	EXPECT_PAIR_EINVAL(__reserved[1], 1ULL << 63);
	EXPECT_PAIR_EINVAL(capacity, 1);
	EXPECT_PAIR_EINVAL(capacity, KIPC_CAPACITY_MIN - 1);
	EXPECT_PAIR_EINVAL(capacity, KIPC_CAPACITY_CEILING + 1);
#undef EXPECT_PAIR_EINVAL
	EXPECT_EQ(before, count_fds());

	/* rfd and wfd are outputs: whatever they held is no error. */
	p = base;
	p.rfd = p.wfd = -12345;
	p.capacity = KIPC_CAPACITY_MIN;
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_CHAN_PAIR, &p));
	EXPECT_EQ(before + 2, count_fds());
	ASSERT_EQ(0, ioctl(p.wfd, KIPC_IOC_GET_CAPACITY, &cap));
	EXPECT_EQ(KIPC_CAPACITY_MIN, cap.capacity);
	close(p.rfd);
	close(p.wfd);
}

/*
 * Unprivileged, a capacity above max_capacity is EPERM at creation too
 * (EINVAL still first); CAP_SYS_RESOURCE may exceed it.
 */
TEST_F(ctl, create_capacity_limit)
{
	long long max = read_ull(KIPC_PARAM("max_capacity"));
	const char *big = ctl_name(self, "big");
	const char *fits = ctl_name(self, "fits");
	struct kipc_capacity cap = { 0 };
	int fds[2];
	pid_t pid;

	SKIP_IF(geteuid(), "needs root to drop privileges");
	ASSERT_LT(0, max);
	pid = spawn();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!become_nobody());
		CHILD_CHECK(ctl_chan_create(self->fd, big, 0600, 2 * max) ==
			    -EPERM);
		CHILD_CHECK(ctl_chan_pair(self->fd, 0, 2 * max, fds) == -EPERM);
		CHILD_CHECK(ctl_chan_pair(self->fd, 0,
					   KIPC_CAPACITY_CEILING + 1, fds) ==
			    -EINVAL);
		CHILD_CHECK(!ctl_chan_create(self->fd, fits, 0600, max));
		CHILD_CHECK(!ctl_chan_remove(self->fd, fits));
		CHILD_CHECK(!ctl_chan_pair(self->fd, O_CLOEXEC, max, fds));
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_FALSE(node_exists(big));

	SKIP_IF(!has_cap(CAP_SYS_RESOURCE),
		"root without CAP_SYS_RESOURCE here: cannot exceed the limit");
	ASSERT_EQ(0, ctl_chan_pair(self->fd, O_CLOEXEC, 2 * max, fds));
	ASSERT_EQ(0, ioctl(fds[0], KIPC_IOC_GET_CAPACITY, &cap));
	EXPECT_EQ(2 * max, cap.capacity);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(0, ctl_chan_create(self->fd, big, 0600, 2 * max));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, big));
}

/*
 * max_channels caps the named channels (ENOSPC), not the anonymous pairs;
 * a removal frees a place, and lowering the cap removes nothing.
 */
TEST_F(ctl, max_channels)
{
	const char *a = ctl_name(self, "a"), *b = ctl_name(self, "b");
	long long orig = read_ull(KIPC_PARAM("max_channels"));
	int n = count_dir(SYSFS_KIPC);
	char val[32];
	int fds[2];

	SKIP_IF(geteuid(), "needs root to write the module parameter");
	ASSERT_LE(0, orig);
	ASSERT_LE(0, n);
	snprintf(self->max_channels, sizeof(self->max_channels), "%lld", orig);

	snprintf(val, sizeof(val), "%d", n + 1);
	ASSERT_EQ(0, write_str(KIPC_PARAM("max_channels"), val));
	EXPECT_EQ(0, ctl_chan_create(self->fd, a, 0600, 0));
	EXPECT_EQ(-ENOSPC, ctl_chan_create(self->fd, b, 0600, 0));
	EXPECT_FALSE(node_exists(b));
	EXPECT_FALSE(sysfs_exists(b));

	ASSERT_EQ(0, ctl_chan_pair(self->fd, O_CLOEXEC, 0, fds));
	close(fds[0]);
	close(fds[1]);

	EXPECT_EQ(0, ctl_chan_remove(self->fd, a));
	EXPECT_EQ(0, ctl_chan_create(self->fd, b, 0600, 0));

	snprintf(val, sizeof(val), "%d", n);
	ASSERT_EQ(0, write_str(KIPC_PARAM("max_channels"), val));
	EXPECT_TRUE(node_exists(b));
	EXPECT_EQ(-ENOSPC, ctl_chan_create(self->fd, a, 0600, 0));
	EXPECT_EQ(0, ctl_chan_remove(self->fd, b));

	ASSERT_EQ(0, write_str(KIPC_PARAM("max_channels"), "0"));
	EXPECT_EQ(-ENOSPC, ctl_chan_create(self->fd, a, 0600, 0));
}

TEST_HARNESS_MAIN
