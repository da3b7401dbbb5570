// SPDX-License-Identifier: GPL-2.0
/*
 * rules.c: what the module refuses, and why, in words.
 *
 * Rules that hold for every caller (the characters of a name, the bounds
 * of a capacity, shm_max) are checked here before asking the module, so
 * that the message names the rule.  Rules that depend on the caller's
 * capabilities or on what exists (max_capacity, the per-user shares) are
 * left to the module, and its errno is explained afterwards from the
 * parameters in /sys/module/kipc/parameters/: kipc(4) says which errno
 * each rule gives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kipcctl.h"

/* A module parameter: 0, or -errno (-ENOENT without the module). */
int kipcctl_param(const char *name, uint64_t *value)
{
	char path[PATH_MAX];
	unsigned long long v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), KIPCCTL_PARAMS "/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	if (n != 1)
		return -EINVAL;
	*value = v;
	return 0;
}

/* The characters the module allows in a name: kipc(4), KIPC_IOC_CHAN_CREATE. */
static bool name_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool kipcctl_chan_name_ok(const char *name, char *why, size_t len)
{
	size_t n = strlen(name), i;

	if (!n) {
		snprintf(why, len, "empty name");
		return false;
	}
	if (n > KIPC_NAME_MAX) {
		snprintf(why, len, "name longer than %d characters",
			 KIPC_NAME_MAX);
		return false;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(why, len, "'.' and '..' are not channel names");
		return false;
	}
	if (!strcmp(name, "control")) {
		snprintf(why, len, "'control' is the control device");
		return false;
	}
	for (i = 0; i < n; i++) {
		char q[8], c[2] = { name[i], '\0' };

		if (name_char_ok(name[i]))
			continue;
		snprintf(why, len,
			 "'%s' is not allowed in a name (only A-Z a-z 0-9 . _ -)",
			 kipcctl_quote(c, q, sizeof(q)));
		return false;
	}
	return true;
}

/* 0 asks for the module's default_capacity: always allowed. */
bool kipcctl_capacity_ok(uint64_t capacity, char *why, size_t len)
{
	if (capacity && capacity < KIPC_CAPACITY_MIN) {
		snprintf(why, len,
			 "capacity %" PRIu64 " is below the minimum of %llu bytes",
			 capacity, KIPC_CAPACITY_MIN);
		return false;
	}
	if (capacity > KIPC_CAPACITY_CEILING) {
		snprintf(why, len,
			 "capacity %" PRIu64 " is above the ceiling of %llu bytes (1 GiB)",
			 capacity, KIPC_CAPACITY_CEILING);
		return false;
	}
	return true;
}

/* A mapped channel's ring is a power-of-two number of pages, kipc(4). */
bool kipcctl_mapped_capacity_ok(uint64_t capacity, char *why, size_t len)
{
	uint64_t page = sysconf(_SC_PAGESIZE);

	/* 0: the module rounds its default down to such a size. */
	if (!capacity || (capacity >= page && !(capacity & (capacity - 1))))
		return true;
	snprintf(why, len,
		 "capacity %" PRIu64 " is not a power of two number of pages, as a mapped channel's must be",
		 capacity);
	return false;
}

/*
 * The ABI that brought each kipc_chan_name.flags bit: an older module
 * refuses the bit with a bare EINVAL.
 */
static const struct {
	uint32_t flag;
	unsigned int abi;
	const char *what;
} chan_flag_abis[] = {
	{ KIPC_CHAN_F_MAPPED, 4, "mapped" },
	{ KIPC_CHAN_F_MESSAGE, 5, "message" },
};

static bool explain_old_abi(int ctl, uint32_t flags, char *why, size_t len)
{
	struct kipc_version v;
	size_t i;

	memset(&v, 0, sizeof(v));
	if (ioctl(ctl, KIPC_IOC_VERSION, &v))
		return false;
	for (i = 0; i < ARRAY_SIZE(chan_flag_abis); i++) {
		if (!(flags & chan_flag_abis[i].flag) ||
		    v.abi >= chan_flag_abis[i].abi)
			continue;
		snprintf(why, len,
			 "%s channels need kipc ABI %u, and the loaded module has ABI %u",
			 chan_flag_abis[i].what, chan_flag_abis[i].abi, v.abi);
		return true;
	}
	return false;
}

/*
 * @err: the positive errno of KIPC_IOC_CHAN_CREATE with @flags and
 * @capacity; @ctl: the open control device.
 */
void kipcctl_explain_chan_create(int err, int ctl, uint32_t flags,
				 uint64_t capacity, char *why, size_t len)
{
	struct kipc_stats st;
	uint64_t max;

	switch (err) {
	case EINVAL:
		if (explain_old_abi(ctl, flags, why, len))
			return;
		break;
	case EPERM:
		/* The only EPERM of a create: the capacity, kipc(4). */
		if (!kipcctl_param("max_capacity", &max))
			snprintf(why, len,
				 "capacity %" PRIu64 " is above max_capacity, %" PRIu64 " bytes, and needs CAP_SYS_RESOURCE",
				 capacity, max);
		else
			snprintf(why, len,
				 "capacity %" PRIu64 " is above the module's max_capacity and needs CAP_SYS_RESOURCE",
				 capacity);
		return;
	case ENOSPC:
		/* Either the module's count or this user's share. */
		memset(&st, 0, sizeof(st));
		if (!kipcctl_param("max_channels", &max) &&
		    !ioctl(ctl, KIPC_IOC_STATS, &st) && st.named_chans >= max) {
			snprintf(why, len,
				 "the module has max_channels (%" PRIu64 ") named channels already",
				 max);
			return;
		}
		if (!kipcctl_param("user_max_channels", &max))
			snprintf(why, len,
				 "this user has user_max_channels (%" PRIu64 ") named channels already",
				 max);
		else
			snprintf(why, len, "too many named channels");
		return;
	}
	snprintf(why, len, "%s", strerror(err));
}

void kipcctl_explain_chan_remove(int err, char *why, size_t len)
{
	if (err == ENOENT)
		snprintf(why, len, "no such channel");
	else if (err == EPERM)
		snprintf(why, len, "not the owner (needs CAP_SYS_ADMIN)");
	else
		snprintf(why, len, "%s", strerror(err));
}

/* shmget()'s EINVAL rules for a new region: 1 to shm_max bytes. */
bool kipcctl_shm_size_ok(uint64_t size, char *why, size_t len)
{
	uint64_t max;

	if (!size) {
		snprintf(why, len, "size 0 is below the minimum of 1 byte");
		return false;
	}
	if (!kipcctl_param("shm_max", &max) && size > max) {
		snprintf(why, len,
			 "size %" PRIu64 " is above shm_max, %" PRIu64 " bytes",
			 size, max);
		return false;
	}
	return true;
}

/* @err: the positive errno of KIPC_IOC_SHM_GET creating @size bytes. */
void kipcctl_explain_shm_get(int err, int ctl, uint64_t size, char *why,
			     size_t len)
{
	uint64_t page = sysconf(_SC_PAGESIZE), pages, max;
	struct kipc_stats st;

	if (err == EINVAL && !kipcctl_shm_size_ok(size, why, len))
		return;
	if (err != ENOSPC) {
		snprintf(why, len, "%s", strerror(err));
		return;
	}
	/* In the module's order: shm_all, shm_mni, then the user's share. */
	pages = size / page + !!(size % page);
	memset(&st, 0, sizeof(st));
	if (ioctl(ctl, KIPC_IOC_STATS, &st)) {
		snprintf(why, len, "%s", strerror(err));
		return;
	}
	if (!kipcctl_param("shm_all", &max) &&
	    (st.region_pages + pages < pages || st.region_pages + pages > max)) {
		snprintf(why, len,
			 "the regions would pass shm_all (%" PRIu64 " pages)",
			 max);
		return;
	}
	if (!kipcctl_param("shm_mni", &max) && st.regions >= max) {
		snprintf(why, len,
			 "the module has shm_mni (%" PRIu64 ") regions already",
			 max);
		return;
	}
	if (!kipcctl_param("user_shm_mni", &max))
		snprintf(why, len,
			 "this user has user_shm_mni (%" PRIu64 ") regions already",
			 max);
	else
		snprintf(why, len, "too many regions");
}

/* KIPC_IOC_SHM_STAT (@remove false) or KIPC_IOC_SHM_RMID refused. */
void kipcctl_explain_shm_id(int err, bool remove, char *why, size_t len)
{
	if (err == EINVAL)
		snprintf(why, len, "no such id");
	else if (err == EPERM && remove)
		snprintf(why, len,
			 "not the owner or creator (needs CAP_SYS_ADMIN)");
	else
		snprintf(why, len, "%s", strerror(err));
}
