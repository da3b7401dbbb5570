// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * io_uring on every channel backend: the prep helpers, and kipc_aio with
 * many more requests than the ring holds.  Several reads or writes in
 * flight on one stream may complete in any order (on 6.1 kernel pipes run
 * in io-wq threads), so the checks are order-free: every record arrives
 * whole and exactly once, every byte value as often as it was sent.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>

#include "ktap.h"

#define RING_ENTRIES	4	/* SQ 4, CQ 8: far less than the requests */
#define NR_RECORDS	256
#define RECORD		512	/* <= PIPE_BUF: each write is atomic */

static const enum kipc_backend chan_backends[] = {
	KIPC_BACKEND_PIPE, KIPC_BACKEND_FIFO,
	KIPC_BACKEND_KIPC_PAIR, KIPC_BACKEND_KIPC_NAMED,
	KIPC_BACKEND_KIPC_MAPPED,
};

static void ring_init(struct io_uring *ring)
{
	int ret = io_uring_queue_init(RING_ENTRIES, ring, 0);

	if (ret == -ENOSYS || ret == -EPERM)
		kt_skip("io_uring not available: %s", kipc_strerror(ret));
	if (ret) {
		kt_diag("io_uring_queue_init: %s", kipc_strerror(ret));
		_exit(1);
	}
}

static void make_record(unsigned char *rec, unsigned int seq)
{
	memcpy(rec, &seq, sizeof(seq));
	memset(rec + sizeof(seq), (int)(seq % 251), RECORD - sizeof(seq));
}

static int test_prep(const struct kt_case *tc)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct kipc_chan *c;
	char buf[8] = "";

	ring_init(&ring);
	CHECK_OK(kipc_chan_create(&c, tc->backend, NULL));
	sqe = io_uring_get_sqe(&ring);
	kipc_chan_prep_write(sqe, c, "abc", 3);
	sqe->user_data = 1;
	sqe = io_uring_get_sqe(&ring);
	kipc_chan_prep_read(sqe, c, buf, sizeof(buf));
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 2);
	for (int i = 0; i < 2; i++) {
		CHECK_OK(io_uring_wait_cqe(&ring, &cqe));
		CHECK_EQ(cqe->res, 3);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK(!memcmp(buf, "abc", 3), "data");

	/* An end that is closed: the CQE says EBADF. */
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	sqe = io_uring_get_sqe(&ring);
	kipc_chan_prep_write(sqe, c, "abc", 3);
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_OK(io_uring_wait_cqe(&ring, &cqe));
	CHECK_EQ(cqe->res, -EBADF);
	io_uring_cqe_seen(&ring, cqe);
	kipc_chan_destroy(c);
	io_uring_queue_exit(&ring);
	return 0;
}

/* The child reads every record with read_exact() and checks them. */
static int check_records_child(struct kipc_chan *c)
{
	static unsigned char seen[NR_RECORDS];
	unsigned char rec[RECORD], want[RECORD];
	unsigned int seq, n;
	size_t done;

	for (n = 0; n < NR_RECORDS; n++) {
		if (kipc_chan_read_exact(c, rec, RECORD, &done))
			return 10;
		memcpy(&seq, rec, sizeof(seq));
		if (seq >= NR_RECORDS || seen[seq]++)
			return 11;
		make_record(want, seq);
		if (memcmp(rec, want, RECORD))
			return 12;
	}
	/* And nothing more: EOF. */
	return kipc_chan_read(c, rec, 1) == 0 ? 0 : 13;
}

static int test_aio_writes(const struct kt_case *tc)
{
	static unsigned char recs[NR_RECORDS][RECORD];
	struct kipc_aio_result res[16];
	struct io_uring ring;
	struct kipc_aio *aio;
	struct kipc_chan *c;
	unsigned int i, got = 0;
	int n, status;
	pid_t pid;

	ring_init(&ring);
	CHECK_OK(kipc_chan_create(&c, tc->backend, NULL));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		kipc_chan_close(c, KIPC_CHAN_WRITE);
		_exit(check_records_child(c));
	}
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_READ));

	CHECK_OK(kipc_aio_create(&aio, &ring));
	for (i = 0; i < NR_RECORDS; i++) {
		make_record(recs[i], i);
		CHECK_OK(kipc_aio_write(aio, c, recs[i], RECORD, i));
	}
	CHECK_EQ(kipc_aio_pending(aio), NR_RECORDS);
	n = kipc_aio_submit(aio);
	CHECK(n > 0 && n <= RING_ENTRIES, "submitted %d", n);
	while (got < NR_RECORDS) {
		n = kipc_aio_wait(aio, res, 16, 1);
		CHECK(n > 0, "wait: %d (%s)", n, kipc_strerror(n));
		for (i = 0; i < (unsigned int)n; i++) {
			CHECK(res[i].user_data < NR_RECORDS, "user_data");
			CHECK_EQ(res[i].res, RECORD);
		}
		got += n;
	}
	CHECK_EQ(kipc_aio_pending(aio), 0);
	CHECK_EQ(kipc_aio_wait(aio, res, 16, 1), 0);
	kipc_chan_close(c, KIPC_CHAN_WRITE);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	kipc_aio_destroy(aio);
	kipc_chan_destroy(c);
	io_uring_queue_exit(&ring);
	return 0;
}

/*
 * Reads: the child writes every record and exits; the parent keeps 64
 * reads queued (16 times the ring) until all bytes came and EOF answered
 * every read still out.
 */
static int test_aio_reads(const struct kt_case *tc)
{
	enum { NR_BUFS = 64 };
	static unsigned char bufs[NR_BUFS][RECORD];
	unsigned long hist[256] = { 0 }, want[256] = { 0 };
	const size_t total = (size_t)NR_RECORDS * RECORD;
	struct kipc_aio_result res[16];
	unsigned char rec[RECORD];
	struct io_uring ring;
	struct kipc_aio *aio;
	struct kipc_chan *c;
	size_t got = 0;
	int n, i, j, status, eof = 0;
	pid_t pid;

	ring_init(&ring);
	CHECK_OK(kipc_chan_create(&c, tc->backend, NULL));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		kipc_chan_close(c, KIPC_CHAN_READ);
		for (i = 0; i < NR_RECORDS; i++) {
			make_record(rec, i);
			if (kipc_chan_write_all(c, rec, RECORD, NULL))
				_exit(1);
		}
		_exit(0);
	}
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	for (i = 0; i < NR_RECORDS; i++) {
		make_record(rec, i);
		for (j = 0; j < RECORD; j++)
			want[rec[j]]++;
	}

	CHECK_OK(kipc_aio_create(&aio, &ring));
	for (i = 0; i < NR_BUFS; i++)
		CHECK_OK(kipc_aio_read(aio, c, bufs[i], RECORD, i));
	CHECK(kipc_aio_submit(aio) > 0, "submit");
	while (kipc_aio_pending(aio)) {
		n = kipc_aio_wait(aio, res, 16, 1);
		CHECK(n > 0, "wait: %d (%s)", n, kipc_strerror(n));
		for (i = 0; i < n; i++) {
			unsigned int b = (unsigned int)res[i].user_data;

			CHECK(res[i].res >= 0, "read: %s",
			      kipc_strerror(res[i].res));
			if (!res[i].res) {
				eof++;
				continue;
			}
			for (j = 0; j < res[i].res; j++)
				hist[bufs[b][j]]++;
			got += res[i].res;
			/* The buffer is free again: read on into it. */
			CHECK_OK(kipc_aio_read(aio, c, bufs[b], RECORD, b));
		}
	}
	CHECK_EQ(got, total);
	CHECK(eof > 0, "no EOF");
	CHECK(!memcmp(hist, want, sizeof(hist)), "bytes lost or repeated");
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	kipc_aio_destroy(aio);
	kipc_chan_destroy(c);
	io_uring_queue_exit(&ring);
	return 0;
}

static int test_aio_invalid(const struct kt_case *tc)
{
	struct kipc_aio_result res;
	struct io_uring ring;
	struct kipc_aio *aio;
	struct kipc_chan *c;

	ring_init(&ring);
	CHECK_EQ(kipc_aio_create(&aio, NULL), -EINVAL);
	CHECK_OK(kipc_aio_create(&aio, &ring));
	CHECK_OK(kipc_chan_create(&c, tc->backend, NULL));
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_READ));
	CHECK_EQ(kipc_aio_read(aio, c, &res, 1, 0), -EBADF);
	CHECK_EQ(kipc_aio_pending(aio), 0);
	CHECK_EQ(kipc_aio_wait(aio, &res, 1, 1), 0);
	CHECK_EQ(kipc_aio_wait(aio, NULL, 1, 1), -EINVAL);
	kipc_chan_destroy(c);
	kipc_aio_destroy(aio);
	io_uring_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;
	static const struct {
		const char *name;
		kt_fn fn;
	} cases[] = {
		{ "io_uring prep helpers", test_prep },
		{ "256 writes through a ring of 4", test_aio_writes },
		{ "reads queued beyond the ring, to EOF", test_aio_reads },
		{ "aio invalid arguments", test_aio_invalid },
	};
	size_t i, b;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (b = 0; b < ARRAY_SIZE(chan_backends); b++)
			kt_add(&s, chan_backends[b], cases[i].name, cases[i].fn);
	return kt_run(&s, argc, argv);
}
