// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz --smoke: every kind of object once, each result checked.
 *
 * Owns the fixed sequence run before the random one: a pair, a named
 * channel opened, written and read, a mapped pair whose producer commits
 * through its mapping and then breaks it, a message pair read in order of
 * priority, a named message channel opened by name, a region got,
 * opened, mapped twice, rung and sealed, and the module's counts after.
 * tools/fuzz/cycles.sh runs it between insmod and rmmod, so that each
 * cycle touches every kind of object whatever the seed draws; with
 * --leave it keeps a named channel and a region for the unload to free.
 */
#include "fuzz.h"

static int smoke_fails;

/*
 * Check @cond, and on failure say where, with errno and a printf-style
 * note.  Plain stdio: the smoke test runs in main(), before any thread or
 * fork.
 */
#define SMOKE(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# smoke: %s:%d: %s failed (%s): ", __func__,	\
		       __LINE__, #cond, strerror(errno));		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		smoke_fails++;						\
	}								\
} while (0)

/*
 * A pair: write, poll, FIONREAD, capacity, read through a dup, splice both
 * ways through a pipe, stats, and EOF once the writer is closed.
 */
static void smoke_pair(int ctl)
{
	struct kipc_chan_pair p = { .flags = O_NONBLOCK | O_CLOEXEC };
	struct kipc_capacity cap = { .capacity = 8192 };
	struct kipc_chan_stats st;
	struct pollfd pfd;
	char buf[64];
	int n = -1, pp[2], d;

	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "CHAN_PAIR");
	SMOKE(write(p.wfd, "hello", 5) == 5, "write");
	pfd = (struct pollfd){ .fd = p.rfd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll");
	SMOKE(!ioctl(p.rfd, FIONREAD, &n) && n == 5, "FIONREAD %d", n);
	SMOKE(!ioctl(p.wfd, KIPC_IOC_SET_CAPACITY, &cap), "SET_CAPACITY");
	memset(&cap, 0, sizeof(cap));
	SMOKE(!ioctl(p.rfd, KIPC_IOC_GET_CAPACITY, &cap) &&
	      cap.capacity == 8192, "GET_CAPACITY %llu",
	      (unsigned long long)cap.capacity);
	d = dup(p.rfd);
	SMOKE(read(d, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "read");
	close(d);
	SMOKE(!pipe2(pp, O_NONBLOCK | O_CLOEXEC), "pipe2");
	SMOKE(write(pp[1], "spliced", 7) == 7, "pipe write");
	SMOKE(splice(pp[0], NULL, p.wfd, NULL, 7, 0) == 7, "splice in");
	SMOKE(splice(p.rfd, NULL, pp[1], NULL, 7, 0) == 7, "splice out");
	SMOKE(read(pp[0], buf, sizeof(buf)) == 7 && !memcmp(buf, "spliced", 7),
	      "pipe read");
	SMOKE(!ioctl(p.rfd, KIPC_IOC_CHAN_STATS, &st) &&
	      st.bytes_written == 12 && st.bytes_read == 12 && !st.queued,
	      "CHAN_STATS");
	close(pp[0]);
	close(pp[1]);
	close(p.wfd);
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 0, "EOF");
	close(p.rfd);
}

/*
 * A named channel: create, open both ends without blocking, write, read
 * its sysfs "queued" and the fdinfo, read back; remove unless @leave.
 */
static void smoke_named(int ctl, const char *name, bool leave)
{
	struct kipc_chan_name n;
	char path[300], buf[64];
	int r, w, fd;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	n.mode = 0600;
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_CREATE, &n), "CHAN_CREATE %s", name);
	snprintf(path, sizeof(path), "/dev/kipc/%s", name);
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	SMOKE(r >= 0 && w >= 0, "open %s", path);
	SMOKE(write(w, "fifo", 4) == 4, "write");
	snprintf(path, sizeof(path), "/sys/class/kipc/%s/queued", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	SMOKE(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 && buf[0] == '4',
	      "%s", path);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", r);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	SMOKE(fd >= 0 && read(fd, buf, sizeof(buf)) > 0, "%s", path);
	if (fd >= 0)
		close(fd);
	SMOKE(read(r, buf, sizeof(buf)) == 4 && !memcmp(buf, "fifo", 4),
	      "read");
	close(r);
	close(w);
	if (leave)
		return;
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n), "CHAN_REMOVE");
}

/* The pages of a mapped pair's write end, as smoke_mapped() maps them. */
struct smoke_ring {
	struct kipc_ring_state *state;
	struct kipc_ring_pos *prod, *cons;
	char *data;
	size_t size;
};

static void *smoke_map(int fd, size_t len, int prot, uint64_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

static void smoke_unmap(struct smoke_ring *r)
{
	if (r->state)
		munmap(r->state, PG);
	if (r->prod)
		munmap(r->prod, PG);
	if (r->cons)
		munmap(r->cons, PG);
	if (r->data)
		munmap(r->data, 2 * r->size);
}

/*
 * A mapped pair: the write end maps the state, the producer, the
 * consumer's page and the data (a second producer is EBUSY, a writable
 * state page EACCES, write() EBUSY), commits bytes across the end of the
 * ring, and read() gets them back.  Then a position one past full: the
 * kernel has not looked yet, so the state page says nothing; read() is
 * EIO and the state page says BROKEN, poll POLLERR, and once the producer
 * is unmapped write() and RING_WAIT are EIO too.  A channel that is not
 * mapped cannot be mapped (ENODEV) and has no ring (EINVAL).
 */
static void smoke_mapped(int ctl)
{
	struct kipc_chan_pair p = { .flags = O_NONBLOCK | O_CLOEXEC |
					     KIPC_CHAN_F_MAPPED,
				    .capacity = 4 * PG };
	struct kipc_ring_wait w = { .flags = KIPC_RING_READ };
	struct smoke_ring r = { 0 };
	struct kipc_ring_info ri;
	struct pollfd pfd;
	char buf[64], big[4096];
	ssize_t got, k;
	uint64_t at;
	int n = -1;
	void *x;

	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "mapped CHAN_PAIR");
	memset(&ri, 0, sizeof(ri));
	SMOKE(!ioctl(p.wfd, KIPC_IOC_RING_INFO, &ri) &&
	      ri.data_size == 4 * PG && ri.role == KIPC_RING_WRITE,
	      "RING_INFO size %llu role %u", (unsigned long long)ri.data_size,
	      ri.role);
	r.size = ri.data_size;
	r.state = smoke_map(p.wfd, PG, PROT_READ, ri.state_off);
	r.prod = smoke_map(p.wfd, PG, PROT_READ | PROT_WRITE, ri.prod_off);
	r.cons = smoke_map(p.wfd, PG, PROT_READ, ri.cons_off);
	r.data = smoke_map(p.wfd, 2 * r.size, PROT_READ | PROT_WRITE,
			   ri.data_off);
	SMOKE(r.state && r.prod && r.cons && r.data, "mmap of the write end");
	if (!r.state || !r.prod || !r.cons || !r.data)
		goto out;
	SMOKE(r.state->magic == KIPC_RING_MAGIC &&
	      r.state->data_size == r.size && !r.state->flags,
	      "state page: magic %#x flags %#x", r.state->magic,
	      r.state->flags);
	x = mmap(NULL, PG, PROT_READ, MAP_SHARED, p.wfd, ri.prod_off);
	SMOKE(x == MAP_FAILED && errno == EBUSY, "a second producer");
	x = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, p.rfd,
		 ri.state_off);
	SMOKE(x == MAP_FAILED && errno == EACCES, "a writable state page");
	SMOKE(write(p.wfd, "x", 1) == -1 && errno == EBUSY,
	      "write() while the producer is mapped");

	/*
	 * Publish 3 bytes short of a ring nobody wrote (zeros), and read()
	 * them: both positions are then near the end, for a commit across it.
	 */
	at = r.size - 3;
	__atomic_store_n(&r.prod->pos, at, __ATOMIC_RELEASE);
	SMOKE(!ioctl(p.rfd, FIONREAD, &n) && n == (int)at, "FIONREAD %d", n);
	for (got = 0; (k = read(p.rfd, big, sizeof(big))) > 0; got += k)
		;
	SMOKE(got == (ssize_t)at && r.cons->pos == at, "read() %zd zeros",
	      got);
	memcpy(r.data + (at & (r.size - 1)), "mapped", 6);
	__atomic_store_n(&r.prod->pos, at + 6, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r.cons->waiting)
		SMOKE(!ioctl(p.wfd, KIPC_IOC_RING_WAKE), "RING_WAKE");
	memset(buf, 0, sizeof(buf));
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 6 && !memcmp(buf, "mapped", 6),
	      "read() of committed bytes: %.6s", buf);
	SMOKE(r.cons->pos == at + 6 && !memcmp(r.data, "ped", 3),
	      "cons page %llu, the data twice",
	      (unsigned long long)r.cons->pos);

	/* One past full: hostile, and judged only when the kernel looks. */
	__atomic_store_n(&r.prod->pos, at + 6 + r.size + 1, __ATOMIC_RELEASE);
	SMOKE(!(r.state->flags & KIPC_RING_BROKEN), "broken before a look");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == -1 && errno == EIO,
	      "read() of a broken ring");
	SMOKE(r.state->flags & KIPC_RING_BROKEN, "state flags %#x",
	      r.state->flags);
	pfd = (struct pollfd){ .fd = p.rfd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR),
	      "poll of a broken ring: %#x", pfd.revents);
	munmap(r.prod, PG);
	r.prod = NULL;
	SMOKE(write(p.wfd, "x", 1) == -1 && errno == EIO,
	      "write() of a broken ring");
	SMOKE(ioctl(p.rfd, KIPC_IOC_RING_WAIT, &w) == -1 && errno == EIO,
	      "RING_WAIT of a broken ring");
out:
	smoke_unmap(&r);
	close(p.rfd);
	close(p.wfd);

	p = (struct kipc_chan_pair){ .flags = O_CLOEXEC };
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "CHAN_PAIR");
	x = mmap(NULL, PG, PROT_READ, MAP_SHARED, p.rfd, 0);
	SMOKE(x == MAP_FAILED && errno == ENODEV, "mmap of an unmapped pair");
	SMOKE(ioctl(p.rfd, KIPC_IOC_RING_INFO, &ri) == -1 && errno == EINVAL,
	      "RING_INFO of an unmapped pair");
	close(p.rfd);
	close(p.wfd);
}

/* A message: @len bytes of @text at @prio by KIPC_IOC_MSG_SEND. */
static int smoke_send(int fd, const char *text, size_t len, uint32_t prio)
{
	struct kipc_msg m = { .buf = (uintptr_t)text, .len = len,
			      .priority = prio };

	return ioctl(fd, KIPC_IOC_MSG_SEND, &m);
}

/*
 * A message pair: flags that do not go with it, messages of three
 * priorities (write() at the end's, MSG_SEND at its own) read back
 * highest first, an empty one in its place; EMSGSIZE leaving a message
 * queued, PEEK, FIONREAD and CHAN_STATS in between; the fit rule at the
 * capacity; KIPC_END_TRUNC; a read that a receive timeout ends; EOF, and
 * the message ioctls on a byte channel.
 */
static void smoke_msg(int ctl)
{
	struct kipc_chan_pair p = { .flags = O_NONBLOCK | O_CLOEXEC |
					     KIPC_CHAN_F_MESSAGE,
				    .capacity = 4096 };
	struct kipc_end_opts opts = { .priority = 5 }, got;
	struct kipc_msg m;
	struct kipc_peek pk;
	struct kipc_chan_stats st;
	struct pollfd pfd;
	struct timespec t0, t1;
	char buf[4200], big[4097];
	int n = -1;

	p.flags |= O_DIRECT;
	SMOKE(ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p) == -1 && errno == EINVAL,
	      "a message pair with O_DIRECT");
	p.flags ^= O_DIRECT | KIPC_CHAN_F_MAPPED;
	SMOKE(ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p) == -1 && errno == EINVAL,
	      "a mapped message pair");
	p.flags &= ~KIPC_CHAN_F_MAPPED;
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "message CHAN_PAIR");

	SMOKE(write(p.wfd, "a", 1) == 1, "write at priority 0");
	SMOKE(!ioctl(p.wfd, KIPC_IOC_SET_OPTS, &opts), "SET_OPTS priority 5");
	SMOKE(write(p.wfd, "bb", 2) == 2, "write at priority 5");
	SMOKE(!smoke_send(p.wfd, "ccc", 3, 7), "MSG_SEND at priority 7");
	SMOKE(write(p.wfd, "", 0) == 0, "an empty message");
	memset(&got, 0xa5, sizeof(got));
	SMOKE(!ioctl(p.wfd, KIPC_IOC_GET_OPTS, &got) &&
	      !memcmp(&got, &opts, sizeof(got)), "GET_OPTS");
	SMOKE(!ioctl(p.rfd, FIONREAD, &n) && n == 3, "FIONREAD %d", n);
	memset(&st, 0, sizeof(st));
	SMOKE(!ioctl(p.rfd, KIPC_IOC_CHAN_STATS, &st) && st.messages == 4 &&
	      st.queued == 6 + 4 * KIPC_MSG_OVERHEAD && st.bytes_written == 6,
	      "CHAN_STATS messages %llu queued %llu",
	      (unsigned long long)st.messages, (unsigned long long)st.queued);
	pfd = (struct pollfd){ .fd = p.rfd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll");
	SMOKE(read(p.rfd, buf, 2) == -1 && errno == EMSGSIZE, "EMSGSIZE");
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.flags = KIPC_MSG_PEEK;
	SMOKE(!ioctl(p.rfd, KIPC_IOC_MSG_RECV, &m) && m.size == 3 &&
	      m.priority == 7 && !m.result, "MSG_RECV PEEK: size %llu prio %u",
	      (unsigned long long)m.size, m.priority);
	pk = (struct kipc_peek){ .buf = (uintptr_t)buf, .len = 10,
				 .offset = 1 };
	SMOKE(ioctl(p.rfd, KIPC_IOC_PEEK, &pk) == 2 && !memcmp(buf, "cc", 2),
	      "PEEK");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 3 && !memcmp(buf, "ccc", 3),
	      "read priority 7");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 2 && !memcmp(buf, "bb", 2),
	      "read priority 5");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 0,
	      "the empty message, priority 5 too");
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	SMOKE(!ioctl(p.rfd, KIPC_IOC_MSG_RECV, &m) && m.size == 1 &&
	      !m.priority && buf[0] == 'a', "MSG_RECV");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	      "EAGAIN when empty");

	/* The fit rule: one message fills an empty channel whole. */
	memset(big, 'x', sizeof(big));
	SMOKE(write(p.wfd, big, 4096) == 4096, "a message of the capacity");
	SMOKE(write(p.wfd, big, 0) == -1 && errno == EAGAIN,
	      "nothing fits beside it");
	SMOKE(write(p.wfd, big, 4097) == -1 && errno == EMSGSIZE,
	      "past the capacity");
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 4096, "read it");

	/* KIPC_END_TRUNC, and a receive timeout on a blocking read. */
	opts = (struct kipc_end_opts){ .flags = KIPC_END_TRUNC,
				       .rcvtimeo_ns = 20 * 1000 * 1000 };
	SMOKE(!ioctl(p.rfd, KIPC_IOC_SET_OPTS, &opts), "SET_OPTS TRUNC");
	SMOKE(write(p.wfd, "truncated", 9) == 9, "write");
	SMOKE(read(p.rfd, buf, 5) == 5 && !memcmp(buf, "trunc", 5),
	      "a truncated read");
	SMOKE(fcntl(p.rfd, F_SETFL, 0) == 0, "F_SETFL blocking");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SMOKE(read(p.rfd, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	      "a read the timeout ends");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	SMOKE((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec >=
	      10 * 1000 * 1000, "the timeout took its time");
	close(p.wfd);
	memset(&m, 0, sizeof(m));
	SMOKE(!ioctl(p.rfd, KIPC_IOC_MSG_RECV, &m) && !m.size &&
	      m.result == KIPC_MSG_EOF, "MSG_RECV at EOF: result %#x",
	      m.result);
	close(p.rfd);

	p = (struct kipc_chan_pair){ .flags = O_CLOEXEC };
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "CHAN_PAIR");
	SMOKE(smoke_send(p.wfd, "x", 1, 0) == -1 && errno == EOPNOTSUPP,
	      "MSG_SEND on a byte channel");
	close(p.rfd);
	close(p.wfd);
}

/* KIPC_IOC_CHAN_OPEN of @name with @flags and @timeout_ns: an fd or -1. */
static int smoke_open(int ctl, const char *name, uint32_t flags,
		      int64_t timeout_ns)
{
	struct kipc_chan_open op = { .flags = flags,
				     .timeout_ns = timeout_ns };

	snprintf(op.name, sizeof(op.name), "%s", name);
	return ioctl(ctl, KIPC_IOC_CHAN_OPEN, &op) ? -1 : op.fd;
}

/*
 * A named message channel opened by name: a reader that does not wait, a
 * writer that then finds it, a message between them, its fdinfo; then
 * ENXIO, ETIMEDOUT for a reader that waits too long, ENOENT and EINVAL.
 */
static void smoke_open_by_name(int ctl, const char *name)
{
	struct kipc_chan_name n;
	char buf[512];
	int r, w, fd;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	n.mode = 0600;
	n.flags = KIPC_CHAN_F_MESSAGE;
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_CREATE, &n), "CHAN_CREATE %s", name);
	r = smoke_open(ctl, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	w = smoke_open(ctl, name, O_WRONLY | O_CLOEXEC, 0);
	SMOKE(r >= 0 && w >= 0, "CHAN_OPEN %s", name);
	SMOKE(write(w, "by name", 7) == 7, "write");
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", r);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	memset(buf, 0, sizeof(buf));
	SMOKE(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 &&
	      strstr(buf, "kipc-message:\t1") &&
	      strstr(buf, "kipc-messages:\t1"), "fdinfo of a message end");
	if (fd >= 0)
		close(fd);
	SMOKE(read(r, buf, sizeof(buf)) == 7 && !memcmp(buf, "by name", 7),
	      "read");
	close(r);
	SMOKE(smoke_open(ctl, name, O_WRONLY | O_NONBLOCK, -1) == -1 &&
	      errno == ENXIO, "a writer without readers");
	close(w);
	SMOKE(smoke_open(ctl, name, O_RDONLY, 10 * 1000 * 1000) == -1 &&
	      errno == ETIMEDOUT, "a reader that waits too long");
	memset(&n.mode, 0, sizeof(n) - sizeof(n.name));
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n), "CHAN_REMOVE");
	SMOKE(smoke_open(ctl, name, O_RDWR, 0) == -1 && errno == ENOENT,
	      "a removed name");
	SMOKE(smoke_open(ctl, "no/such", O_RDWR, 0) == -1 && errno == EINVAL,
	      "an invalid name");
}

/*
 * A region: get, open, map twice (the two mappings must agree, and count
 * in nattch), ring and wait on the doorbell, seal against future writes
 * (a writable mapping is then EPERM); remove unless @leave.
 */
static void smoke_region(int ctl, int64_t key, bool leave)
{
	struct kipc_shm_get g = { .key = key, .size = 2 * PG,
				  .flags = KIPC_SHM_CREAT | KIPC_SHM_EXCL,
				  .mode = 0600 };
	struct kipc_shm_open op = { .flags = O_RDWR | O_CLOEXEC };
	struct kipc_shm_doorbell db = { .timeout_ns = -1 };
	struct kipc_shm_seals seals = { .seals = KIPC_SEAL_FUTURE_WRITE };
	struct kipc_shm_stat st;
	struct kipc_shm_id id;
	struct pollfd pfd;
	char *rw, *ro;

	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_GET, &g), "SHM_GET");
	op.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_OPEN, &op), "SHM_OPEN");
	rw = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, op.fd, 0);
	ro = mmap(NULL, PG, PROT_READ, MAP_SHARED, op.fd, PG);
	SMOKE(rw != MAP_FAILED && ro != MAP_FAILED, "mmap");
	if (rw != MAP_FAILED && ro != MAP_FAILED) {
		strcpy(rw + PG, "shared");
		SMOKE(!strcmp(ro, "shared"), "coherent mappings");
	}
	memset(&st, 0, sizeof(st));
	st.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_STAT, &st) && st.nattch == 2,
	      "SHM_STAT nattch %llu", (unsigned long long)st.nattch);
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_WAKE, &db) && db.seq == 1, "WAKE");
	pfd = (struct pollfd){ .fd = op.fd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1, "poll");
	db.seq = 0;
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_WAIT, &db) && db.seq == 1, "WAIT");
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_ADD_SEALS, &seals), "ADD_SEALS");
	SMOKE(mmap(NULL, PG, PROT_WRITE, MAP_SHARED, op.fd, 0) == MAP_FAILED &&
	      errno == EPERM, "sealed mmap");
	memset(&seals, 0, sizeof(seals));
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_GET_SEALS, &seals) &&
	      seals.seals == KIPC_SEAL_FUTURE_WRITE, "GET_SEALS");
	if (rw != MAP_FAILED)
		munmap(rw, 2 * PG);
	if (ro != MAP_FAILED)
		munmap(ro, PG);
	close(op.fd);
	if (leave)
		return;
	memset(&id, 0, sizeof(id));
	id.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_RMID, &id), "SHM_RMID");
}

/*
 * Returns the failures; @leave keeps a named channel and a region.  The
 * module must have had no objects: STATS then counts only what is kept.
 */
int smoke(int ctl, bool leave)
{
	struct kipc_version v = { 0 };
	struct kipc_stats st;
	char name[64];

	smoke_fails = 0;
	SMOKE(!ioctl(ctl, KIPC_IOC_VERSION, &v) && v.abi == KIPC_ABI_VERSION,
	      "VERSION");
	smoke_pair(ctl);
	smoke_mapped(ctl);
	smoke_msg(ctl);
	snprintf(name, sizeof(name), "kcyc-%d", (int)getpid());
	smoke_named(ctl, name, false);
	snprintf(name, sizeof(name), "kcyc-%d-msg", (int)getpid());
	smoke_open_by_name(ctl, name);
	smoke_region(ctl, KIPC_SHM_PRIVATE, false);
	if (leave) {
		smoke_named(ctl, SMOKE_LEFT_NAME, true);
		smoke_region(ctl, SMOKE_LEFT_KEY, true);
	}
	SMOKE(!ioctl(ctl, KIPC_IOC_STATS, &st) &&
	      st.named_chans == (leave ? 1 : 0) &&
	      st.regions == (leave ? 1 : 0), "STATS: named %llu regions %llu",
	      (unsigned long long)st.named_chans,
	      (unsigned long long)st.regions);
	return smoke_fails;
}
