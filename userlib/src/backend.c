// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Backend discovery: what each mechanism is, whether this machine has it,
 * the version of the kipc module, and messages for the errors that mean
 * "not here".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The oldest module ABI with everything this library uses (regions). */
#define KIPC_ABI_NEEDED	2
/* Mapped channels came with ABI 4, message channels with ABI 5. */
#define KIPC_ABI_MAPPED	4
#define KIPC_ABI_MSG	5

static const struct {
	const char *name;
	unsigned int caps;
} kipc_backends[] = {
	[KIPC_BACKEND_PIPE] = {
		"pipe", KIPC_CAP_CHANNEL | KIPC_CAP_S_ISFIFO },
	[KIPC_BACKEND_FIFO] = {
		"fifo", KIPC_CAP_CHANNEL | KIPC_CAP_NAMED | KIPC_CAP_S_ISFIFO |
			KIPC_CAP_UMASK },
	[KIPC_BACKEND_KIPC_PAIR] = {
		"kipc-pair", KIPC_CAP_CHANNEL | KIPC_CAP_MODULE |
			KIPC_CAP_EXACT_CAPACITY },
	[KIPC_BACKEND_KIPC_NAMED] = {
		"kipc-named", KIPC_CAP_CHANNEL | KIPC_CAP_MODULE |
			KIPC_CAP_NAMED | KIPC_CAP_EXACT_CAPACITY |
			KIPC_CAP_KEEPS_CAPACITY | KIPC_CAP_UMASK },
	[KIPC_BACKEND_SYSV_SHM] = {
		"sysv-shm", KIPC_CAP_SHM | KIPC_CAP_NAMED |
			KIPC_CAP_ATTACH_COUNT },
	[KIPC_BACKEND_POSIX_SHM] = {
		"posix-shm", KIPC_CAP_SHM | KIPC_CAP_NAMED | KIPC_CAP_UMASK },
	[KIPC_BACKEND_KIPC_SHM] = {
		"kipc-shm", KIPC_CAP_SHM | KIPC_CAP_MODULE | KIPC_CAP_NAMED |
			KIPC_CAP_ATTACH_COUNT | KIPC_CAP_DOORBELL |
			KIPC_CAP_SEALS },
	[KIPC_BACKEND_KIPC_MAPPED] = {
		"kipc-mapped", KIPC_CAP_CHANNEL | KIPC_CAP_MODULE |
			KIPC_CAP_MAPPED },
	[KIPC_BACKEND_KIPC_MSG] = {
		"kipc-msg", KIPC_CAP_MESSAGE | KIPC_CAP_MODULE |
			KIPC_CAP_NAMED | KIPC_CAP_EXACT_CAPACITY |
			KIPC_CAP_UMASK | KIPC_CAP_MSG_PRIORITY |
			KIPC_CAP_MSG_PEEK | KIPC_CAP_MSG_TIMEOUT |
			KIPC_CAP_MSG_TOOBIG | KIPC_CAP_MSG_TRUNC |
			KIPC_CAP_MSG_EOF | KIPC_CAP_MSG_POLL |
			KIPC_CAP_MSG_QUEUED },
	[KIPC_BACKEND_POSIX_MQ] = {
		"posix-mq", KIPC_CAP_MESSAGE | KIPC_CAP_NAMED | KIPC_CAP_UMASK |
			KIPC_CAP_MSG_PRIORITY | KIPC_CAP_MSG_TIMEOUT |
			KIPC_CAP_MSG_POLL | KIPC_CAP_MSG_QUEUED },
	[KIPC_BACKEND_SYSV_MSG] = {
		"sysv-msg", KIPC_CAP_MESSAGE | KIPC_CAP_MSG_PRIORITY |
			KIPC_CAP_MSG_TOOBIG | KIPC_CAP_MSG_TRUNC |
			KIPC_CAP_MSG_QUEUED },
	[KIPC_BACKEND_SEQPACKET] = {
		"seqpacket", KIPC_CAP_MESSAGE | KIPC_CAP_MSG_PEEK |
			KIPC_CAP_MSG_TIMEOUT | KIPC_CAP_MSG_TOOBIG |
			KIPC_CAP_MSG_TRUNC | KIPC_CAP_MSG_EOF |
			KIPC_CAP_MSG_POLL },
};

#define KIPC_NR_BACKENDS	((int)ARRAY_SIZE(kipc_backends))

static int kipc_backend_valid(enum kipc_backend b)
{
	return (int)b > 0 && (int)b < KIPC_NR_BACKENDS;
}

/*
 * Open /dev/kipc/control.  No node means no module (or no devtmpfs or
 * udev to make it): -ENODEV either way, which kipc_strerror() explains.
 */
int kipc_control_open(void)
{
	int fd = open(KIPC_CONTROL_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
	case ENOTDIR:
		return -ENODEV;
	case EPERM:
		return -EACCES;
	}
	return kipc_neg_errno();
}

/* One command on a control fd of its own: 0 or -errno. */
int kipc_control_ioctl(unsigned long cmd, void *arg)
{
	int ctl = kipc_control_open();
	int ret = 0;

	if (ctl < 0)
		return ctl;
	if (ioctl(ctl, cmd, arg) < 0)
		ret = kipc_neg_errno();
	close(ctl);
	return ret;
}

/* For generated names: unique enough with the pid in front of it. */
int kipc_random_u32(unsigned int *v)
{
	struct timespec ts;

	if (getrandom(v, sizeof(*v), GRND_NONBLOCK) == sizeof(*v))
		return 0;
	/*
	 * Early in boot the pool may not be ready: fall back on the clock's
	 * nanoseconds, which differ between the calls of a retry loop (the
	 * seconds alone made every retry collide).
	 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	*v = (unsigned int)ts.tv_nsec ^ ((unsigned int)ts.tv_sec << 20) ^
	     (unsigned int)(uintptr_t)v;
	return 0;
}

static int kipc_version_ioctl(int ctl, struct kipc_version *v)
{
	memset(v, 0, sizeof(*v));
	if (ioctl(ctl, KIPC_IOC_VERSION, v) < 0)
		/* Something else sits at /dev/kipc/control. */
		return errno == ENOTTY ? -ENODEV : kipc_neg_errno();
	return 0;
}

KIPC_EXPORT int kipc_module_get_version(struct kipc_module_version *version)
{
	struct kipc_version v;
	int ctl, ret;

	if (!version)
		return -EINVAL;
	ctl = kipc_control_open();
	if (ctl < 0)
		return ctl;
	ret = kipc_version_ioctl(ctl, &v);
	close(ctl);
	if (ret)
		return ret;
	version->abi = v.abi;
	version->major = v.major;
	version->minor = v.minor;
	version->patch = v.patch;
	return 0;
}

KIPC_EXPORT const char *kipc_library_version(void)
{
	return KIPC_VERSION;
}

static int kipc_module_available(unsigned int abi)
{
	struct kipc_module_version v;
	int ret = kipc_module_get_version(&v);

	if (ret)
		return ret;
	return v.abi < abi ? -EPROTO : 0;
}

static int kipc_sysv_available(void)
{
	struct shminfo info;

	/* IPC_INFO needs no segment and no permission. */
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)&info) < 0)
		return errno == ENOSYS ? -ENODEV : kipc_neg_errno();
	return 0;
}

static int kipc_sysv_msg_available(void)
{
	struct msginfo info;

	if (msgctl(0, IPC_INFO, (struct msqid_ds *)&info) < 0)
		return errno == ENOSYS ? -ENODEV : kipc_neg_errno();
	return 0;
}

/* Without CONFIG_POSIX_MQUEUE the calls are ENOSYS; with it, -1 is EBADF. */
static int kipc_posix_mq_available(void)
{
	struct mq_attr attr;

	if (mq_getattr((mqd_t)-1, &attr) < 0 && errno == ENOSYS)
		return -ENODEV;
	return 0;
}

static int kipc_posix_shm_available(void)
{
	struct statfs fs;

	/* glibc's shm_open() works in /dev/shm and nowhere else. */
	if (statfs("/dev/shm", &fs) < 0)
		return -ENODEV;
	if (access("/dev/shm", W_OK | X_OK) < 0)
		return errno == EACCES || errno == EROFS ? -EACCES : -ENODEV;
	return 0;
}

KIPC_EXPORT int kipc_backend_available(enum kipc_backend backend)
{
	switch (backend) {
	case KIPC_BACKEND_PIPE:
	case KIPC_BACKEND_FIFO:
		return 0;
	case KIPC_BACKEND_KIPC_PAIR:
	case KIPC_BACKEND_KIPC_NAMED:
	case KIPC_BACKEND_KIPC_SHM:
		return kipc_module_available(KIPC_ABI_NEEDED);
	case KIPC_BACKEND_KIPC_MAPPED:
		return kipc_module_available(KIPC_ABI_MAPPED);
	case KIPC_BACKEND_SYSV_SHM:
		return kipc_sysv_available();
	case KIPC_BACKEND_POSIX_SHM:
		return kipc_posix_shm_available();
	case KIPC_BACKEND_KIPC_MSG:
		return kipc_module_available(KIPC_ABI_MSG);
	case KIPC_BACKEND_POSIX_MQ:
		return kipc_posix_mq_available();
	case KIPC_BACKEND_SYSV_MSG:
		return kipc_sysv_msg_available();
	case KIPC_BACKEND_SEQPACKET:
		return 0;
	}
	return -EINVAL;
}

KIPC_EXPORT unsigned int kipc_backend_caps(enum kipc_backend backend)
{
	return kipc_backend_valid(backend) ? kipc_backends[backend].caps : 0;
}

KIPC_EXPORT const char *kipc_backend_name(enum kipc_backend backend)
{
	return kipc_backend_valid(backend) ? kipc_backends[backend].name : NULL;
}

KIPC_EXPORT int kipc_backend_from_name(const char *name)
{
	int b;

	if (!name)
		return -EINVAL;
	for (b = 1; b < KIPC_NR_BACKENDS; b++)
		if (!strcmp(name, kipc_backends[b].name))
			return b;
	return -EINVAL;
}

/*
 * Messages for the errors whose usual text would mislead here; the rest
 * are the C library's (strerrordesc_np(): thread-safe, unlike strerror()).
 */
KIPC_EXPORT const char *kipc_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "Success";
	case ENODEV:
		return "kipc module not loaded, or no " KIPC_CONTROL_PATH
		       " (load it: modprobe kipc)";
	case EPROTO:
		return "kipc module too old for this libkipc (ABI version)";
	case EOPNOTSUPP:
		return "Operation not supported by this backend";
	case ENODATA:
		return "End of file before all the bytes asked for";
	}
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}
