// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-forkpipe: pipe(), fork(), and N bytes from the child to the parent,
 * checksummed on both sides.  Run with and without libkipc-preload.so, its
 * output differs only in the "kind" and "fds" fields:
 *
 *	$ kipc-forkpipe -n 1000000
 *	kind=kipc fds=4,5 bytes=1000000 fnv1a=0x...
 *
 * kind is fifo for a kernel pipe, kipc for a kipc channel; fds are the read
 * and write ends pipe() returned (the shim's control fd takes one first).  Exits 0 when
 * the parent read exactly what the child wrote, 1 otherwise, 2 on misuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

/* The bytes the child sends: a xorshift64 stream, the same every run. */
static void fill(unsigned char *buf, size_t n, uint64_t *state)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = *state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*state = x;
		buf[i] = (unsigned char)x;
	}
}

static const char *kind(int fd)
{
	struct kipc_capacity c;
	struct stat st;

	if (fstat(fd, &st))
		return "bad";
	if (S_ISFIFO(st.st_mode))
		return "fifo";
	memset(&c, 0, sizeof(c));
	if (!ioctl(fd, KIPC_IOC_GET_CAPACITY, &c))
		return "kipc";
	return "other";
}

static int child(int wfd, uint64_t total, size_t chunk)
{
	unsigned char *buf = malloc(chunk);
	uint64_t state = 88172645463325252ULL;

	if (!buf)
		return 1;
	while (total) {
		size_t n = total < chunk ? total : chunk, off = 0;

		fill(buf, n, &state);
		while (off < n) {
			ssize_t w = write(wfd, buf + off, n - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				perror("kipc-forkpipe: write");
				return 1;
			}
			off += w;
		}
		total -= n;
	}
	free(buf);
	return 0;
}

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: kipc-forkpipe [-n BYTES] [-c CHUNK]\n");
	exit(status);
}

int main(int argc, char **argv)
{
	uint64_t total = 1 << 20, got = 0, h = FNV_OFFSET, want = FNV_OFFSET;
	uint64_t state = 88172645463325252ULL;
	size_t chunk = 65536;
	unsigned char *buf, *ref;
	int fds[2], opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:c:h")) != -1) {
		switch (opt) {
		case 'n':
			total = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			chunk = strtoul(optarg, NULL, 0);
			if (!chunk)
				usage(stderr, 2);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);

	if (pipe(fds)) {
		perror("kipc-forkpipe: pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("kipc-forkpipe: fork");
		return 1;
	}
	if (!pid) {
		close(fds[0]);
		_exit(child(fds[1], total, chunk));
	}
	close(fds[1]);

	buf = malloc(chunk);
	ref = malloc(chunk);
	if (!buf || !ref)
		return 1;
	for (;;) {
		ssize_t r = read(fds[0], buf, chunk);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("kipc-forkpipe: read");
			return 1;
		}
		if (!r)
			break;
		h = fnv1a(h, buf, r);
		/* What the child should have sent, in the same pieces. */
		fill(ref, r, &state);
		want = fnv1a(want, ref, r);
		got += r;
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("kipc-forkpipe: waitpid");
		return 1;
	}
	printf("kind=%s fds=%d,%d bytes=%" PRIu64 " fnv1a=0x%016" PRIx64 "\n",
	       kind(fds[0]), fds[0], fds[1], got, h);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "kipc-forkpipe: the child failed (status %#x)\n",
			status);
		return 1;
	}
	if (got != total || h != want) {
		fprintf(stderr, "kipc-forkpipe: got %" PRIu64 " bytes, want %" PRIu64
			"; checksum %s\n", got, total,
			h == want ? "matches" : "differs");
		return 1;
	}
	return 0;
}
