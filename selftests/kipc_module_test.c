// SPDX-License-Identifier: GPL-2.0
/*
 * The module's lifecycle: any open kipc fd, and any mapping of a region or
 * of a mapped channel's ring, pins the module; once the last one goes it
 * unloads and takes its nodes and its remaining regions with it.
 *
 * Unloads and reloads kipc, so it runs alone and last.  It needs the path
 * of kipc.ko in KIPC_KO (the guest runner sets it) to load it back, with the
 * parameters in KIPC_KO_PARAMS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "mapped_ring.h"

static int test_delete_module(void)
{
	/* What rmmod does: never wait for the users to go. */
	return syscall(SYS_delete_module, "kipc", O_NONBLOCK);
}

static int test_load_module(void)
{
	const char *params = getenv("KIPC_KO_PARAMS");
	const char *path = getenv("KIPC_KO");
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	close(fd);
	return ret;
}

FIXTURE(module) {
	int ctl;
};

FIXTURE_SETUP(module)
{
	if (!getenv("KIPC_KO"))
		SKIP(_exit(KIPC_SKIP_EXIT),
		     "KIPC_KO is not set: the path of kipc.ko to load back");
	self->ctl = open_control_or_skip(_metadata);
}

FIXTURE_TEARDOWN(module)
{
	struct stat st;

	if (self->ctl >= 0)
		close(self->ctl);
	/* Leave the module loaded for whoever runs next. */
	if (stat(KIPC_CONTROL, &st))
		test_load_module();
}

static void expect_unload_refused(struct __test_metadata *_metadata)
{
	struct stat st;

	errno = 0;
	EXPECT_EQ(-1, test_delete_module());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, stat(KIPC_CONTROL, &st));
}

static void expect_unload_and_reload(struct __test_metadata *_metadata)
{
	struct stat st;

	ASSERT_EQ(0, test_delete_module());
	errno = 0;
	EXPECT_EQ(-1, stat(KIPC_CONTROL, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, test_load_module());
	EXPECT_EQ(0, stat(KIPC_CONTROL, &st));
}

TEST_F(module, control_fd_pins_module)
{
	expect_unload_refused(_metadata);
	close(self->ctl);
	self->ctl = -1;
	expect_unload_and_reload(_metadata);
}

TEST_F(module, pair_fd_pins_module)
{
	struct kipc_chan_pair pair = { .flags = O_CLOEXEC };

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &pair));
	close(self->ctl);
	self->ctl = -1;
	close(pair.wfd);
	/* The read end alone is enough. */
	expect_unload_refused(_metadata);
	close(pair.rfd);
	expect_unload_and_reload(_metadata);
}

/*
 * A named channel pins the module until it is removed, fd or no fd: an
 * unload never destroys what a user left, as no unload destroys a FIFO.
 */
TEST_F(module, named_chan_pins_module_until_removed)
{
	struct kipc_chan_name req = { .name = "kipc-module-test",
				      .mode = 0600 };
	struct stat st;
	int fd;

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, &req));
	fd = open("/dev/kipc/kipc-module-test", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	close(fd);
	expect_unload_refused(_metadata);
	/* Refused, nothing lost: the node is there, its byte still queued. */
	fd = open("/dev/kipc/kipc-module-test", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	req.mode = 0;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, &req));
	close(self->ctl);
	self->ctl = -1;
	expect_unload_and_reload(_metadata);
	errno = 0;
	EXPECT_EQ(-1, stat("/dev/kipc/kipc-module-test", &st));
	EXPECT_EQ(ENOENT, errno);
}

/* Shmem: in /proc/meminfo, in KiB: the memory of all shmem files. */
static long long meminfo_shmem_kib(void)
{
	char line[256];
	long long kib = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

#define KEPT_SIZE	(16 << 20)

/*
 * A mapping of a region holds the module even with no kipc fd open, and a
 * region holds it until it is removed, mapped or not, as a SysV segment
 * outlives every process.  Once removed and unmapped, the unload goes
 * through and the memory is back.
 */
TEST_F(module, region_mapping_pins_module)
{
	struct kipc_shm_get get = { .key = KIPC_SHM_PRIVATE,
				    .flags = KIPC_SHM_CREAT, .mode = 0600 };
	struct kipc_shm_get kept = { .key = KIPC_SHM_PRIVATE,
				     .flags = KIPC_SHM_CREAT, .mode = 0600,
				     .size = KEPT_SIZE };
	struct kipc_shm_open op = { .flags = O_RDWR | O_CLOEXEC };
	struct kipc_shm_id rm = { 0 };
	long pg = sysconf(_SC_PAGESIZE);
	long long before, after;
	char *p;

	get.size = 2 * pg;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_GET, &get));

	/* A region with memory in it but neither fd nor mapping left. */
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_GET, &kept));
	op.id = kept.id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_OPEN, &op));
	p = mmap(NULL, KEPT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, op.fd,
		 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, KEPT_SIZE);
	ASSERT_EQ(0, munmap(p, KEPT_SIZE));
	close(op.fd);

	/* The kept region, with neither fd nor mapping: refused. */
	expect_unload_refused(_metadata);

	op.id = get.id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_OPEN, &op));
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, op.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(op.fd);
	/* Both removed: the mapping alone holds the module now. */
	before = meminfo_shmem_kib();
	ASSERT_LE(KEPT_SIZE / 1024, before);
	rm.id = kept.id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_RMID, &rm));
	rm.id = get.id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_RMID, &rm));
	close(self->ctl);
	self->ctl = -1;

	/* The mapping alone: refused, and the mapping still works. */
	expect_unload_refused(_metadata);
	strcpy(p + pg, "still here");
	EXPECT_STREQ("still here", p + pg);
	/* A split mapping is two mappings; the last piece still pins. */
	ASSERT_EQ(0, munmap(p, pg));
	expect_unload_refused(_metadata);
	EXPECT_STREQ("still here", p + pg);
	ASSERT_EQ(0, munmap(p + pg, pg));

	/* The unload goes through; the removed regions' memory is back. */
	expect_unload_and_reload(_metadata);
	after = meminfo_shmem_kib();
	EXPECT_LE(KEPT_SIZE / 1024 * 3 / 4, before - after)
		TH_LOG("Shmem %lld kB before removal, %lld kB after unload",
		       before, after);
}

/*
 * A ring mapping holds the module with every fd closed: its pages and its
 * fault handler are the module's.  The rings still work meanwhile.
 */
TEST_F(module, ring_mapping_pins_module)
{
	struct kipc_chan_pair pair = {
		.flags = O_CLOEXEC | KIPC_CHAN_F_MAPPED,
		.capacity = 65536,
	};
	struct mring prod, cons;
	char buf[8];

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &pair));
	ASSERT_EQ(0, mring_map(&prod, pair.wfd, KIPC_RING_WRITE));
	ASSERT_EQ(0, mring_map(&cons, pair.rfd, KIPC_RING_READ));
	close(pair.rfd);
	close(pair.wfd);
	close(self->ctl);
	self->ctl = -1;

	expect_unload_refused(_metadata);
	EXPECT_EQ(4, mring_write(&prod, "pins", 4, 0));
	EXPECT_EQ(4, mring_read(&cons, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "pins", 4));
	ASSERT_EQ(0, mring_unmap(&prod));
	/* The consumer's mapping alone, at EOF now: still refused. */
	expect_unload_refused(_metadata);
	EXPECT_EQ(0, mring_read(&cons, buf, sizeof(buf), 0));
	ASSERT_EQ(0, mring_unmap(&cons));
	expect_unload_and_reload(_metadata);
}

TEST_HARNESS_MAIN
