/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc selftests share: finding the control device, and one
 * value for a call's result or its errno.
 *
 * Outside the guest a missing module is a skip with a hint; the guest
 * runner sets KIPC_REQUIRE=1, and there a missing module is a failure.
 */
#ifndef _KIPC_UTIL_H
#define _KIPC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KIPC_CONTROL "/dev/kipc/control"

/*
 * What @call returned, or -errno if it failed (-1): one value to compare.
 * @call runs once: it may be a read() that must not run twice.
 */
#define ERRNO_OF(call) ({						\
	long __ret;							\
									\
	errno = 0;							\
	__ret = (long)(call);						\
	__ret == -1 ? -errno : __ret;					\
})

static inline bool module_required(void)
{
	const char *req = getenv("KIPC_REQUIRE");

	return req && !strcmp(req, "1");
}

/*
 * Open the control device or end the test: a skip, or with KIPC_REQUIRE=1
 * a failure.  A macro because SKIP() and ASSERT_*() need the test's context.
 * The 6.1 harness runs the test body even after a SKIP() in FIXTURE_SETUP,
 * so skip by leaving the test's child with the harness's skip status.
 */
#define KIPC_SKIP_EXIT 255

#define open_control_or_skip(_metadata) ({					\
	int __fd = open(KIPC_CONTROL, O_RDWR | O_CLOEXEC);		\
	if (__fd < 0) {							\
		if (module_required())					\
			ASSERT_LE(0, __fd)				\
				TH_LOG("open %s: %s", KIPC_CONTROL,	\
				       strerror(errno));		\
		SKIP(_exit(KIPC_SKIP_EXIT), "%s: %s (load it: insmod kipc.ko)",	\
		     KIPC_CONTROL, strerror(errno));			\
	}								\
	__fd;								\
})

#endif /* _KIPC_UTIL_H */
