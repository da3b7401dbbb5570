// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the pure parts of kipc: name validation, the capacity and
 * region-limit arithmetic, the byte ring with wrap-around, and the order
 * and accounting of messages.  Built into
 * kipc.ko only when the kernel has CONFIG_KUNIT (the debug kernel does);
 * results in /sys/kernel/debug/kunit/<suite>/results.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uio.h>

#include <linux/kipc.h>

#include "kipc.h"

static void kipcm_test_name_valid(struct kunit *test)
{
	char longest[KIPC_NAME_MAX + 2];

	KUNIT_EXPECT_TRUE(test, kipcm_chan_name_valid("jobs"));
	KUNIT_EXPECT_TRUE(test, kipcm_chan_name_valid("a.b_c-D9"));
	KUNIT_EXPECT_TRUE(test, kipcm_chan_name_valid("..."));
	KUNIT_EXPECT_TRUE(test, kipcm_chan_name_valid("controller"));

	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid(""));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("."));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid(".."));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("control"));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("a/b"));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("a b"));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("caf\xc3\xa9"));
	/* isalnum() of the kernel says yes to Latin-1: 0xe9 is "é". */
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("caf\xe9"));
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid("\xff"));

	memset(longest, 'x', KIPC_NAME_MAX);
	longest[KIPC_NAME_MAX] = '\0';
	KUNIT_EXPECT_TRUE(test, kipcm_chan_name_valid(longest));
	longest[KIPC_NAME_MAX] = 'x';
	longest[KIPC_NAME_MAX + 1] = '\0';
	KUNIT_EXPECT_FALSE(test, kipcm_chan_name_valid(longest));
}

static void kipcm_test_capacity_check(struct kunit *test)
{
	/* Bounds are EINVAL for everyone, root included. */
	KUNIT_EXPECT_EQ(test, -EINVAL, kipcm_capacity_check(0, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kipcm_capacity_check(KIPC_CAPACITY_MIN - 1, 0));
	KUNIT_EXPECT_EQ(test, 0, kipcm_capacity_check(KIPC_CAPACITY_MIN, 0));
	KUNIT_EXPECT_EQ(test, 0, kipcm_capacity_check(10000, 65536));
	KUNIT_EXPECT_EQ(test, 0,
			kipcm_capacity_check(KIPC_CAPACITY_CEILING, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kipcm_capacity_check(KIPC_CAPACITY_CEILING + 1, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, kipcm_capacity_check(U64_MAX, 0));
	/* Shrinking past max_capacity needs no privilege. */
	KUNIT_EXPECT_EQ(test, 0, kipcm_capacity_check(2 << 20, 4 << 20));
}

static void kipcm_test_region_limits(struct kunit *test)
{
	u64 big = U64_MAX;

	KUNIT_EXPECT_EQ(test, 0,
			kipcm_region_limits_check(1, 0, 0, big, big, 4096));
	/* SHMMIN is 1, and size above shm_max is EINVAL. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kipcm_region_limits_check(0, 0, 0, big, big, 4096));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kipcm_region_limits_check(8193, 0, 0, 8192, big, 4096));
	KUNIT_EXPECT_EQ(test, 0,
			kipcm_region_limits_check(8192, 0, 0, 8192, big, 4096));
	/* shm_all counts pages, a partial page as a whole one. */
	KUNIT_EXPECT_EQ(test, 0,
			kipcm_region_limits_check(PAGE_SIZE + 1, 0, 8, big, 10,
						  4096));
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			kipcm_region_limits_check(2 * PAGE_SIZE + 1, 0, 8, big,
						  10, 4096));
	/* The page total must not wrap. */
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			kipcm_region_limits_check(big, 0, big, big, big, 4096));
	/* shm_mni regions at most. */
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			kipcm_region_limits_check(1, 4096, 0, big, big, 4096));
	KUNIT_EXPECT_EQ(test, 0,
			kipcm_region_limits_check(1, 4095, 0, big, big, 4096));
}

/* Write @len bytes of @src at @pos, read them back: both through iters. */
static void kipcm_ring_roundtrip(struct kunit *test, char *ring, u64 cap,
				 u64 pos, size_t len)
{
	char src[32], dst[32];
	struct iov_iter iter;
	struct kvec kv;
	size_t i;

	for (i = 0; i < len; i++)
		src[i] = 'a' + i;
	memset(dst, 0, sizeof(dst));

	kv.iov_base = src;
	kv.iov_len = len;
	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	KUNIT_EXPECT_EQ(test, len, kipcm_ring_copy_in(ring, cap, pos, len,
						      &iter));
	kv.iov_base = dst;
	kv.iov_len = len;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	KUNIT_EXPECT_EQ(test, len, kipcm_ring_copy_out(ring, cap, pos, len,
						       &iter));
	KUNIT_EXPECT_EQ(test, 0, memcmp(src, dst, len));
}

static void kipcm_test_ring_wrap(struct kunit *test)
{
	char ring[10];

	memset(ring, '.', sizeof(ring));
	/* 7 bytes at offset 8 of a 10-byte ring: 2 at the end, 5 in front. */
	kipcm_ring_roundtrip(test, ring, sizeof(ring), 8, 7);
	KUNIT_EXPECT_EQ(test, 'a', ring[8]);
	KUNIT_EXPECT_EQ(test, 'b', ring[9]);
	KUNIT_EXPECT_EQ(test, 'c', ring[0]);
	KUNIT_EXPECT_EQ(test, 'g', ring[4]);
	KUNIT_EXPECT_EQ(test, '.', ring[5]);
	KUNIT_EXPECT_EQ(test, '.', ring[7]);

	/* Exactly up to the end: one piece, nothing written in front. */
	memset(ring, '.', sizeof(ring));
	kipcm_ring_roundtrip(test, ring, sizeof(ring), 5, 5);
	KUNIT_EXPECT_EQ(test, '.', ring[0]);
	KUNIT_EXPECT_EQ(test, 'a', ring[5]);

	/* The whole ring, starting mid-way. */
	kipcm_ring_roundtrip(test, ring, sizeof(ring), 3, 10);
	KUNIT_EXPECT_EQ(test, 'a', ring[3]);
	KUNIT_EXPECT_EQ(test, 'h', ring[0]);

	/* Stream offsets far past 4 GiB still land at pos % capacity. */
	memset(ring, '.', sizeof(ring));
	kipcm_ring_roundtrip(test, ring, sizeof(ring), (1ULL << 40) + 9, 3);
	KUNIT_EXPECT_EQ(test, 8, kipcm_ring_off(10, (1ULL << 40) + 9 + 3));
	KUNIT_EXPECT_EQ(test, 'a', ring[((1ULL << 40) + 9) % 10]);
	KUNIT_EXPECT_EQ(test, 0, kipcm_ring_off(10, 0));
	KUNIT_EXPECT_EQ(test, 9, kipcm_ring_off(10, 9));
	KUNIT_EXPECT_EQ(test, 0, kipcm_ring_off(10, 10));
}

/*
 * The packet ring across the 2^32 wrap of its counters, with a slot count
 * that is not a power of two (3, as for a 12 KiB channel): indexing by
 * "% max" put two live packets in one slot there, merging boundaries and
 * then refusing every write.  Packets must come out in order, whole, and
 * the ring must hold exactly @max of them, on both sides of the wrap.
 */
static void kipcm_test_pkts_wrap(struct kunit *test)
{
	struct kipcm_pkt *slot;
	struct kipcm_pkts pkts;
	u32 max = 3, pushed = 0, popped = 0, i;

	slot = kunit_kzalloc(test, kipcm_pkts_table_size(max), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_EQ(test, 4 * sizeof(*slot), kipcm_pkts_table_size(max));
	kipcm_pkts_init(&pkts, slot, max);
	KUNIT_EXPECT_EQ(test, 0, kipcm_pkts_queued(&pkts));
	KUNIT_EXPECT_FALSE(test, kipcm_pkts_full(&pkts));

	/* Just below the wrap, as after 2^32 - 2 packets. */
	pkts.head = U32_MAX - 1;
	pkts.tail = U32_MAX - 1;

	/* Fill, then alternate: each packet's start and length are its number. */
	for (i = 0; i < 20; i++) {
		while (!kipcm_pkts_full(&pkts)) {
			kipcm_pkts_push(&pkts, 1000 + pushed, 1 + pushed);
			pushed++;
		}
		KUNIT_EXPECT_EQ(test, max, kipcm_pkts_queued(&pkts));
		KUNIT_EXPECT_EQ(test, 1000 + popped,
				kipcm_pkts_first(&pkts)->start);
		KUNIT_EXPECT_EQ(test, 1 + popped, kipcm_pkts_first(&pkts)->len);
		kipcm_pkts_pop(&pkts);
		popped++;
		KUNIT_EXPECT_EQ(test, max - 1, kipcm_pkts_queued(&pkts));
	}
	/* The counters went past the wrap. */
	KUNIT_EXPECT_LT(test, pkts.head, 100U);
	/* Drain: the rest, in order, then empty. */
	while (kipcm_pkts_queued(&pkts)) {
		KUNIT_EXPECT_EQ(test, 1000 + popped,
				kipcm_pkts_first(&pkts)->start);
		kipcm_pkts_pop(&pkts);
		popped++;
	}
	KUNIT_EXPECT_EQ(test, pushed, popped);
}

/* Highest priority first, FIFO within a priority, as POSIX mq. */
static void kipcm_test_msgq_order(struct kunit *test)
{
	static const u32 prio[] = { 0, 31, 5, 31, 0, 5, 17 };
	static const int want[] = { 1, 3, 6, 2, 5, 0, 4 };
	struct kipcm_msg msgs[ARRAY_SIZE(prio)];
	struct kipcm_msgq q;
	struct kipcm_msg *msg;
	int i;

	kipcm_msgq_init(&q);
	KUNIT_EXPECT_NULL(test, kipcm_msgq_first(&q));
	for (i = 0; i < ARRAY_SIZE(prio); i++) {
		msgs[i].priority = prio[i];
		msgs[i].len = i;
		kipcm_msgq_push(&q, &msgs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		msg = kipcm_msgq_first(&q);
		KUNIT_ASSERT_NOT_NULL(test, msg);
		KUNIT_EXPECT_EQ(test, want[i], (int)msg->len);
		kipcm_msgq_unlink(&q, msg);
	}
	KUNIT_EXPECT_NULL(test, kipcm_msgq_first(&q));
	KUNIT_EXPECT_EQ(test, 0, q.nonempty);
}

/* The fit rule: cost beside what is used, or anything into an empty one. */
static void kipcm_test_msg_fits(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, KIPC_MSG_OVERHEAD, kipcm_msg_cost(0));
	KUNIT_EXPECT_TRUE(test, kipcm_msg_fits(0, 4096, 4096));
	KUNIT_EXPECT_FALSE(test, kipcm_msg_fits(0, 4096, 4097));
	KUNIT_EXPECT_TRUE(test, kipcm_msg_fits(32, 4096, 4096 - 64));
	KUNIT_EXPECT_FALSE(test, kipcm_msg_fits(32, 4096, 4096 - 63));
	KUNIT_EXPECT_FALSE(test, kipcm_msg_fits(4096, 4096, 0));
	/* Over capacity by the one message an empty channel took. */
	KUNIT_EXPECT_FALSE(test, kipcm_msg_fits(4096 + 32, 4096, 0));
	KUNIT_EXPECT_FALSE(test, kipcm_msg_fits(1, 4096, U64_MAX));
}

static struct kunit_case kipcm_test_cases[] = {
	KUNIT_CASE(kipcm_test_msgq_order),
	KUNIT_CASE(kipcm_test_msg_fits),
	KUNIT_CASE(kipcm_test_ring_wrap),
	KUNIT_CASE(kipcm_test_pkts_wrap),
	KUNIT_CASE(kipcm_test_name_valid),
	KUNIT_CASE(kipcm_test_capacity_check),
	KUNIT_CASE(kipcm_test_region_limits),
	{}
};

static struct kunit_suite kipcm_test_suite = {
	.name = "kipc",
	.test_cases = kipcm_test_cases,
};

kunit_test_suite(kipcm_test_suite);
