// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* ring-copy: a child fills a mapped ring, the parent drains it. */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libkipc.h>

/* The producer writes in place: reserve, fill, commit. */
static int produce(int fd)
{
	struct kipc_ring *ring;
	char line[32];
	void *dst;
	int i, len, ret = kipc_ring_map(fd, KIPC_RING_WRITE, &ring);

	for (i = 0; !ret && i < 1000; i++) {
		len = snprintf(line, sizeof(line), "line %d\n", i);
		ret = kipc_ring_reserve(ring, len, &dst);
		while (ret == -EAGAIN) {	/* full: sleep until it fits */
			ret = kipc_ring_wait(ring, len);
			if (!ret)
				ret = kipc_ring_reserve(ring, len, &dst);
		}
		if (!ret) {
			memcpy(dst, line, len);
			ret = kipc_ring_commit(ring, len);
		}
	}
	kipc_ring_unmap(ring);
	return ret;
}

/* The consumer reads in place: peek, use, release. */
static int consume(int fd, size_t *lines, size_t *bytes)
{
	struct kipc_ring *ring;
	const char *src;
	ssize_t n, i;
	int ret = kipc_ring_map(fd, KIPC_RING_READ, &ring);

	while (!ret) {
		n = kipc_ring_peek(ring, (const void **)&src);
		if (n == -EAGAIN) {	/* empty: sleep until a byte comes */
			ret = kipc_ring_wait(ring, 0);
			continue;
		}
		if (n <= 0) {		/* 0: no writer left, end of file */
			ret = (int)n;
			break;
		}
		for (i = 0; i < n; i++)
			*lines += src[i] == '\n';
		*bytes += n;
		ret = kipc_ring_release(ring, n);
	}
	kipc_ring_unmap(ring);
	return ret;
}

int main(void)
{
	size_t lines = 0, bytes = 0;
	struct kipc_chan *c;
	int status, ret;
	pid_t pid;

	ret = kipc_chan_create(&c, KIPC_BACKEND_KIPC_MAPPED, NULL);
	if (ret < 0)
		errx(1, "kipc_chan_create: %s", kipc_strerror(ret));
	/* Mappings are not inherited: each process maps its own side. */
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		kipc_chan_close(c, KIPC_CHAN_READ);
		ret = produce(kipc_chan_get_fd(c, KIPC_CHAN_WRITE));
		if (ret < 0)
			errx(1, "producer: %s", kipc_strerror(ret));
		_exit(0);
	}
	kipc_chan_close(c, KIPC_CHAN_WRITE);
	ret = consume(kipc_chan_get_fd(c, KIPC_CHAN_READ), &lines, &bytes);
	kipc_chan_destroy(c);
	if (ret < 0)
		errx(1, "consumer: %s", kipc_strerror(ret));
	if (waitpid(pid, &status, 0) < 0 || status)
		errx(1, "the producer failed");
	printf("%zu lines, %zu bytes\n", lines, bytes);
	return 0;
}
