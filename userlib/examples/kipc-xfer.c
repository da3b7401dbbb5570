// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * kipc-xfer: move bytes from one process to another through any libkipc
 * backend, check every byte, and say how long it took.
 *
 *	kipc-xfer --backend kipc-pair --size 64M
 *
 * Channels: the parent writes, a forked child reads.  A named channel is
 * made as a bare node and each process opens its own end by path, with
 * the FIFO open rules.  Shared memory: a ring buffer in the object, which
 * the child finds by key or name; kipc regions ring the doorbell when
 * there is news, while SysV and POSIX shm have no notification and the
 * two sides poll.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libkipc.h>

struct xfer {
	enum kipc_backend backend;
	size_t size;
	size_t chunk;
	int quiet;
};

/* The shared-memory transport: a single-producer, single-consumer ring. */
struct shm_ring {
	_Atomic uint64_t head;	/* bytes written */
	_Atomic uint64_t tail;	/* bytes read */
	uint64_t cap;		/* bytes in data[] */
	unsigned char data[];
};

#define RING_HEADER	64

static unsigned char pattern_at(uint64_t off)
{
	return (unsigned char)(off * 131 % 251);
}

static void fill(unsigned char *p, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_at(off + i);
}

static int verify(const unsigned char *p, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern_at(off + i)) {
			warnx("byte %llu is wrong",
			      (unsigned long long)(off + i));
			return -1;
		}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int chan_consumer(const struct xfer *x, struct kipc_chan *c)
{
	unsigned char *buf = malloc(x->chunk);
	uint64_t got = 0;
	ssize_t n;

	if (!buf)
		return 1;
	while ((n = kipc_chan_read(c, buf, x->chunk)) > 0) {
		if (verify(buf, n, got))
			return 1;
		got += n;
	}
	if (n < 0) {
		warnx("read: %s", kipc_strerror((int)n));
		return 1;
	}
	if (got != x->size) {
		warnx("got %llu bytes of %zu", (unsigned long long)got, x->size);
		return 1;
	}
	free(buf);
	return 0;
}

static int chan_producer(const struct xfer *x, struct kipc_chan *c)
{
	unsigned char *buf = malloc(x->chunk);
	uint64_t off;
	size_t n;
	int ret;

	if (!buf)
		return 1;
	for (off = 0; off < x->size; off += n) {
		n = x->size - off < x->chunk ? x->size - off : x->chunk;
		fill(buf, n, off);
		ret = kipc_chan_write_all(c, buf, n, NULL);
		if (ret) {
			warnx("write: %s", kipc_strerror(ret));
			return 1;
		}
	}
	free(buf);
	return 0;
}

static int xfer_chan(const struct xfer *x)
{
	unsigned int caps = kipc_backend_caps(x->backend);
	struct kipc_chan_opts o;
	struct kipc_chan *c, *w = NULL;
	int ret, status, rc;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	if (caps & KIPC_CAP_NAMED)
		o.flags = KIPC_CHAN_NODE_ONLY;
	ret = kipc_chan_create(&c, x->backend, &o);
	if (ret) {
		warnx("%s: %s", kipc_backend_name(x->backend),
		      kipc_strerror(ret));
		return 1;
	}

	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (!pid) {
		struct kipc_chan *r = c;

		if (caps & KIPC_CAP_NAMED) {
			/* Blocks until the parent opens its end. */
			ret = kipc_chan_open(&r, x->backend,
					     kipc_chan_path(c), O_RDONLY);
			if (ret) {
				warnx("open %s: %s", kipc_chan_path(c),
				      kipc_strerror(ret));
				_exit(1);
			}
		} else {
			kipc_chan_close(c, KIPC_CHAN_WRITE);
		}
		_exit(chan_consumer(x, r));
	}

	if (caps & KIPC_CAP_NAMED) {
		ret = kipc_chan_open(&w, x->backend, kipc_chan_path(c),
				     O_WRONLY);
		if (ret) {
			warnx("open %s: %s", kipc_chan_path(c),
			      kipc_strerror(ret));
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			kipc_chan_destroy(c);
			return 1;
		}
	} else {
		kipc_chan_close(c, KIPC_CHAN_READ);
		w = c;
	}
	rc = chan_producer(x, w);
	/* The reader's EOF. */
	kipc_chan_close(w, KIPC_CHAN_WRITE);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		rc = 1;
	if (w != c)
		kipc_chan_destroy(w);
	kipc_chan_destroy(c);
	return rc;
}

/*
 * Wait for the other side: the doorbell if there is one, else a yield.
 * *seq is the doorbell value this side last saw.
 */
static void shm_wait(struct kipc_shm *shm, uint64_t *seq)
{
	if (kipc_shm_wait(shm, seq, 100 * 1000000LL) == -EOPNOTSUPP)
		sched_yield();
}

static void shm_wake(struct kipc_shm *shm)
{
	kipc_shm_wake(shm, NULL);
}

static int shm_side(const struct xfer *x, struct kipc_shm *shm,
		    struct shm_ring *r, int producer)
{
	unsigned char *buf = malloc(x->chunk);
	uint64_t off = 0, seq = 0, head, tail, n, pos, first;

	if (!buf)
		return 1;
	kipc_shm_get_doorbell(shm, &seq);
	while (off < x->size) {
		head = atomic_load_explicit(&r->head, memory_order_acquire);
		tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		n = producer ? r->cap - (head - tail) : head - tail;
		if (n > x->size - off)
			n = x->size - off;
		if (n > x->chunk)
			n = x->chunk;
		if (!n) {
			shm_wait(shm, &seq);
			continue;
		}
		pos = off % r->cap;
		first = n < r->cap - pos ? n : r->cap - pos;
		if (producer) {
			fill(buf, n, off);
			memcpy(r->data + pos, buf, first);
			memcpy(r->data, buf + first, n - first);
			atomic_store_explicit(&r->head, off + n,
					      memory_order_release);
		} else {
			memcpy(buf, r->data + pos, first);
			memcpy(buf + first, r->data, n - first);
			if (verify(buf, n, off))
				return 1;
			atomic_store_explicit(&r->tail, off + n,
					      memory_order_release);
		}
		off += n;
		shm_wake(shm);
	}
	free(buf);
	return 0;
}

static int xfer_shm(const struct xfer *x)
{
	size_t ring = x->chunk * 4;
	struct kipc_shm_opts o;
	struct kipc_shm *shm;
	struct shm_ring *r;
	char name[64];
	int ret, status, rc;
	void *p;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	if (x->backend == KIPC_BACKEND_POSIX_SHM) {
		snprintf(name, sizeof(name), "/kipc-xfer-%d", (int)getpid());
		o.name = name;
	} else {
		o.key = 0x6b780000 | (getpid() & 0xffff);
	}
	o.size = RING_HEADER + ring;
	o.flags = O_CREAT | O_EXCL;
	ret = kipc_shm_create(&shm, x->backend, &o);
	if (ret) {
		warnx("%s: %s", kipc_backend_name(x->backend),
		      kipc_strerror(ret));
		return 1;
	}
	ret = kipc_shm_attach(shm, O_RDWR, &p);
	if (ret) {
		warnx("attach: %s", kipc_strerror(ret));
		kipc_shm_remove(shm);
		kipc_shm_destroy(shm);
		return 1;
	}
	r = p;
	r->cap = ring;
	if (!x->quiet && !(kipc_backend_caps(x->backend) & KIPC_CAP_DOORBELL))
		fprintf(stderr, "kipc-xfer: %s has no notification: both sides poll\n",
			kipc_backend_name(x->backend));

	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (!pid) {
		struct kipc_shm *own;
		void *q;

		/* The consumer finds the object by key or name. */
		o.flags = 0;
		o.size = 0;
		if (kipc_shm_create(&own, x->backend, &o) ||
		    kipc_shm_attach(own, O_RDWR, &q))
			_exit(1);
		_exit(shm_side(x, own, q, 0));
	}
	rc = shm_side(x, shm, r, 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		rc = 1;
	kipc_shm_remove(shm);
	kipc_shm_destroy(shm);
	return rc;
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end || !v)
		return -1;
	*out = v;
	return 0;
}

static void usage(FILE *out)
{
	fputs("Usage: kipc-xfer --backend NAME [options]\n"
	      "\n"
	      "Move bytes from one process to another through a libkipc\n"
	      "backend and check every byte.\n"
	      "\n"
	      "Options:\n"
	      "  -b, --backend NAME  pipe, fifo, kipc-pair, kipc-named,\n"
	      "                      sysv-shm, posix-shm or kipc-shm\n"
	      "  -s, --size BYTES    bytes to move (K, M, G suffixes; default 16M)\n"
	      "  -c, --chunk BYTES   bytes per write (default 64K)\n"
	      "  -q, --quiet         print nothing on success\n"
	      "  -h, --help          print this and exit\n"
	      "\n"
	      "Exit status: 0 if every byte arrived intact, 1 if not, 2 on\n"
	      "bad options.\n", out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xfer x = { .size = 16 << 20, .chunk = 64 << 10 };
	double t0, dt;
	int c, b, rc;

	while ((c = getopt_long(argc, argv, "b:s:c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			b = kipc_backend_from_name(optarg);
			if (b < 0) {
				warnx("unknown backend '%s'", optarg);
				goto bad_usage;
			}
			x.backend = (enum kipc_backend)b;
			break;
		case 's':
			if (parse_size(optarg, &x.size)) {
				warnx("bad size '%s'", optarg);
				goto bad_usage;
			}
			break;
		case 'c':
			if (parse_size(optarg, &x.chunk)) {
				warnx("bad chunk '%s'", optarg);
				goto bad_usage;
			}
			break;
		case 'q':
			x.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad_usage;
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		goto bad_usage;
	}
	if (!x.backend) {
		warnx("no --backend given");
		goto bad_usage;
	}

	/* A writer whose reader died gets EPIPE and says so. */
	signal(SIGPIPE, SIG_IGN);
	t0 = now();
	if (kipc_backend_caps(x.backend) & KIPC_CAP_CHANNEL)
		rc = xfer_chan(&x);
	else
		rc = xfer_shm(&x);
	dt = now() - t0;
	if (!rc && !x.quiet)
		printf("%s: %zu bytes in %.3f s (%.1f MiB/s)\n",
		       kipc_backend_name(x.backend), x.size, dt,
		       x.size / dt / (1 << 20));
	return rc ? 1 : 0;

bad_usage:
	fprintf(stderr, "Try 'kipc-xfer --help' for more information.\n");
	return 2;
}
