// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Backend discovery: names, capabilities, availability, the module's
 * version and the messages that explain a missing backend.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include <linux/kipc.h>

#include "ktap.h"

static int test_names(const struct kt_case *tc)
{
	static const char *const names[] = {
		NULL, "pipe", "fifo", "kipc-pair", "kipc-named",
		"sysv-shm", "posix-shm", "kipc-shm", "kipc-mapped",
	};
	int b;

	(void)tc;
	for (b = KIPC_BACKEND_PIPE; b <= KIPC_BACKEND_KIPC_MAPPED; b++) {
		CHECK(!strcmp(kipc_backend_name((enum kipc_backend)b), names[b]),
		      "name of %d", b);
		CHECK_EQ(kipc_backend_from_name(names[b]), b);
	}
	CHECK(kipc_backend_name((enum kipc_backend)0) == NULL, "name of 0");
	CHECK(kipc_backend_name((enum kipc_backend)99) == NULL, "name of 99");
	CHECK_EQ(kipc_backend_from_name("tcp"), -EINVAL);
	CHECK_EQ(kipc_backend_from_name(NULL), -EINVAL);
	return 0;
}

/* The differences the library promises to report. */
static int test_caps(const struct kt_case *tc)
{
	unsigned int c;
	int b;

	(void)tc;
	for (b = KIPC_BACKEND_PIPE; b <= KIPC_BACKEND_KIPC_MAPPED; b++) {
		c = kipc_backend_caps((enum kipc_backend)b);
		CHECK(!!(c & KIPC_CAP_CHANNEL) != !!(c & KIPC_CAP_SHM),
		      "%d: channel xor shm", b);
		CHECK(!!(c & KIPC_CAP_MODULE) ==
		      !strncmp(kipc_backend_name((enum kipc_backend)b), "kipc", 4),
		      "%d: module", b);
	}
	CHECK_EQ(kipc_backend_caps((enum kipc_backend)0), 0);
	CHECK(kipc_backend_caps(KIPC_BACKEND_KIPC_PAIR) & KIPC_CAP_EXACT_CAPACITY,
	      "kipc capacity is exact");
	CHECK(!(kipc_backend_caps(KIPC_BACKEND_PIPE) & KIPC_CAP_EXACT_CAPACITY),
	      "pipe capacity is rounded");
	CHECK(!(kipc_backend_caps(KIPC_BACKEND_POSIX_SHM) & KIPC_CAP_ATTACH_COUNT),
	      "POSIX shm has no attach count");
	CHECK(kipc_backend_caps(KIPC_BACKEND_KIPC_SHM) & KIPC_CAP_DOORBELL,
	      "doorbell");
	/* Mapped rings are a power of two pages, rounded up as for pipes. */
	c = kipc_backend_caps(KIPC_BACKEND_KIPC_MAPPED);
	CHECK((c & KIPC_CAP_MAPPED) && (c & KIPC_CAP_CHANNEL) &&
	      !(c & KIPC_CAP_EXACT_CAPACITY) && !(c & KIPC_CAP_NAMED),
	      "kipc-mapped caps %#x", c);
	for (b = KIPC_BACKEND_PIPE; b < KIPC_BACKEND_KIPC_MAPPED; b++)
		CHECK(!(kipc_backend_caps((enum kipc_backend)b) &
			KIPC_CAP_MAPPED), "%d: mapped", b);
	return 0;
}

static int test_available(const struct kt_case *tc)
{
	struct stat st;
	int have = !stat("/dev/kipc/control", &st);
	int b, ret;

	(void)tc;
	CHECK_OK(kipc_backend_available(KIPC_BACKEND_PIPE));
	CHECK_OK(kipc_backend_available(KIPC_BACKEND_FIFO));
	CHECK_EQ(kipc_backend_available((enum kipc_backend)0), -EINVAL);
	for (b = KIPC_BACKEND_KIPC_PAIR; b <= KIPC_BACKEND_KIPC_MAPPED; b++) {
		if (!(kipc_backend_caps((enum kipc_backend)b) & KIPC_CAP_MODULE))
			continue;
		ret = kipc_backend_available((enum kipc_backend)b);
		if (have)
			CHECK_OK(ret);
		else
			CHECK_EQ(ret, -ENODEV);
	}
	if (kt_kipc_required())
		CHECK(have, "KIPC_REQUIRE=1 and no /dev/kipc/control");
	return 0;
}

static int test_version(const struct kt_case *tc)
{
	struct kipc_module_version v;

	(void)tc;
	CHECK_EQ(kipc_module_get_version(NULL), -EINVAL);
	if (kipc_backend_available(KIPC_BACKEND_KIPC_PAIR) == -ENODEV) {
		CHECK_EQ(kipc_module_get_version(&v), -ENODEV);
		if (kt_kipc_required())
			return 1;
		kt_skip("%s", kipc_strerror(-ENODEV));
	}
	CHECK_OK(kipc_module_get_version(&v));
	CHECK(v.abi >= KIPC_ABI_VERSION, "module ABI %u, this build knows %d",
	      v.abi, KIPC_ABI_VERSION);
	kt_diag("kipc module %u.%u.%u, ABI %u", v.major, v.minor, v.patch,
		v.abi);
	return 0;
}

/* Without the module, every kipc entry point says -ENODEV. */
static int test_enodev(const struct kt_case *tc)
{
	struct kipc_shm_opts o;
	struct kipc_chan *c;
	struct kipc_shm *shm;

	(void)tc;
	if (!kipc_backend_available(KIPC_BACKEND_KIPC_PAIR))
		kt_skip("the kipc module is loaded here");
	CHECK_EQ(kipc_chan_create(&c, KIPC_BACKEND_KIPC_PAIR, NULL), -ENODEV);
	CHECK_EQ(kipc_chan_create(&c, KIPC_BACKEND_KIPC_NAMED, NULL), -ENODEV);
	CHECK_EQ(kipc_chan_create(&c, KIPC_BACKEND_KIPC_MAPPED, NULL), -ENODEV);
	memset(&o, 0, sizeof(o));
	o.size = 4096;
	o.flags = O_CREAT;
	CHECK_EQ(kipc_shm_create(&shm, KIPC_BACKEND_KIPC_SHM, &o), -ENODEV);
	return 0;
}

static int test_strerror(const struct kt_case *tc)
{
	(void)tc;
	CHECK(strstr(kipc_strerror(-ENODEV), "kipc module not loaded"),
	      "%s", kipc_strerror(-ENODEV));
	CHECK(kipc_strerror(ENODEV) == kipc_strerror(-ENODEV), "sign");
	CHECK(!strcmp(kipc_strerror(-ENOENT), "No such file or directory"),
	      "%s", kipc_strerror(-ENOENT));
	CHECK(strstr(kipc_strerror(-EOPNOTSUPP), "backend"), "EOPNOTSUPP");
	CHECK(!strcmp(kipc_strerror(0), "Success"), "0");
	CHECK(kipc_strerror(-99999) != NULL, "unknown");
	return 0;
}

/* Independent objects in threads at once: no shared state to trip on. */
static void *churn(void *arg)
{
	enum kipc_backend b = *(enum kipc_backend *)arg;
	struct kipc_chan *c;
	char buf[64];
	long i;

	for (i = 0; i < 200; i++) {
		if (kipc_chan_create(&c, b, NULL))
			return (void *)1;
		if (kipc_chan_write_all(c, "0123456789", 10, NULL) ||
		    kipc_chan_read_exact(c, buf, 10, NULL) ||
		    memcmp(buf, "0123456789", 10)) {
			kipc_chan_destroy(c);
			return (void *)2;
		}
		kipc_chan_destroy(c);
	}
	return NULL;
}

static int test_threads(const struct kt_case *tc)
{
	enum kipc_backend bs[4] = {
		KIPC_BACKEND_PIPE, KIPC_BACKEND_FIFO,
		KIPC_BACKEND_PIPE, KIPC_BACKEND_FIFO,
	};
	pthread_t th[4];
	void *ret;
	int i;

	(void)tc;
	if (!kipc_backend_available(KIPC_BACKEND_KIPC_PAIR)) {
		bs[2] = KIPC_BACKEND_KIPC_PAIR;
		bs[3] = KIPC_BACKEND_KIPC_NAMED;
	}
	for (i = 0; i < 4; i++)
		CHECK_OK(pthread_create(&th[i], NULL, churn, &bs[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		CHECK(ret == NULL, "thread %d (%s): %ld", i,
		      kipc_backend_name(bs[i]), (long)ret);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;

	kt_add(&s, 0, "backend names", test_names);
	kt_add(&s, 0, "backend capabilities", test_caps);
	kt_add(&s, 0, "backend availability", test_available);
	kt_add(&s, 0, "kipc module version", test_version);
	kt_add(&s, 0, "kipc calls without the module: ENODEV", test_enodev);
	kt_add(&s, 0, "kipc_strerror", test_strerror);
	kt_add(&s, 0, "independent objects in threads", test_threads);
	return kt_run(&s, argc, argv);
}
