// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/kipc/control and the module around it: the node,
 * KIPC_IOC_VERSION, and how bad ioctl arguments are refused.
 *
 * The module lifecycle test (rmmod refused while an fd is open) lives in
 * kipc_module_test.c, run last, because it unloads the module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

FIXTURE(control) {
	int fd;
	/* A readable page followed by a PROT_NONE one, for EFAULT tests. */
	char *page;
	size_t page_size;
};

FIXTURE_SETUP(control)
{
	self->fd = open_control_or_skip(_metadata);
	self->page_size = sysconf(_SC_PAGESIZE);
	self->page = mmap(NULL, 2 * self->page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	ASSERT_EQ(0, mprotect(self->page + self->page_size, self->page_size,
			      PROT_NONE));
}

FIXTURE_TEARDOWN(control)
{
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->page, 2 * self->page_size);
}

/* The node exists as the documented char device: mode 0666, root's. */
TEST_F(control, node_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(KIPC_CONTROL, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* A misc device: major 10. */
	EXPECT_EQ(10, major(st.st_rdev));
}

TEST_F(control, version)
{
	struct kipc_version v;

	memset(&v, 0xa5, sizeof(v));
	memset(v.__reserved, 0, sizeof(v.__reserved));
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(KIPC_ABI_VERSION, v.abi);
	/* The out fields were written, not left as our 0xa5 filler. */
	EXPECT_NE(0xa5a5a5a5, v.major);
	EXPECT_NE(0xa5a5a5a5, v.minor);
	EXPECT_NE(0xa5a5a5a5, v.patch);
	EXPECT_EQ(0, v.__reserved[0]);
	EXPECT_EQ(0, v.__reserved[1]);
}

TEST_F(control, version_reserved_nonzero)
{
	struct kipc_version v;
	int i;

	for (i = 0; i < 2; i++) {
		memset(&v, 0, sizeof(v));
		v.__reserved[i] = 1ULL << 63;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(control, unknown_ioctl)
{
	struct kipc_version v = { 0 };

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong size: a different command. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(KIPC_IOC_MAGIC, 0x00, __u64), &v));
	EXPECT_EQ(ENOTTY, errno);
	/* Another driver's command. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IOR('T', 0x13, int), &v));
	EXPECT_EQ(ENOTTY, errno);
	/* A channel command is not a control command. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_GET_CAPACITY, &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(control, version_bad_pointer)
{
	struct kipc_version *straddle;

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION,
			    self->page + self->page_size));
	EXPECT_EQ(EFAULT, errno);

	/* Starts readable, ends in the PROT_NONE page. */
	straddle = (void *)(self->page + self->page_size - 8);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, straddle));
	EXPECT_EQ(EFAULT, errno);

	/* A kernel address is no user pointer. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, (void *)-4096L));
	EXPECT_EQ(EFAULT, errno);
}

/* The result must not land in a read-only page either. */
TEST_F(control, version_readonly_buffer)
{
	ASSERT_EQ(0, mprotect(self->page, self->page_size, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, self->page));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(control, not_seekable)
{
	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_HARNESS_MAIN
