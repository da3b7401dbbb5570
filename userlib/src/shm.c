// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Shared memory: one handle over System V segments, POSIX shm objects and
 * kipc regions.  Creating a handle finds or makes the object (shmget(),
 * shm_open(), KIPC_IOC_SHM_GET); attaching maps it; removing it is a
 * separate, explicit step, as with shmctl(IPC_RMID) and shm_unlink(),
 * and destroying the handle only detaches and closes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define KIPC_DEFAULT_MODE	0600

struct kipc_shm {
	enum kipc_backend backend;
	int id;			/* SysV shmid, kipc region id; or -1 */
	int fd;			/* POSIX object, kipc region; or -1 */
	int fd_writable;	/* @fd is O_RDWR */
	int ctl;		/* kipc: /dev/kipc/control, or -1 */
	size_t size;		/* bytes, as the object says (or as asked) */
	char *name;		/* POSIX */
	void *addr;		/* the attachment, or NULL */
	size_t map_len;
};

static struct kipc_shm *kipc_shm_alloc(enum kipc_backend backend)
{
	struct kipc_shm *shm = calloc(1, sizeof(*shm));

	if (!shm)
		return NULL;
	shm->backend = backend;
	shm->id = -1;
	shm->fd = -1;
	shm->ctl = -1;
	return shm;
}

static int kipc_sysv_create(struct kipc_shm *shm,
			    const struct kipc_shm_opts *opts)
{
	struct shmid_ds ds;
	int shmflg = 0;

	if (opts->key < INT_MIN || opts->key > INT_MAX)
		return -EINVAL;
	if (opts->flags & O_CREAT)
		shmflg |= IPC_CREAT | (opts->mode ? opts->mode : KIPC_DEFAULT_MODE);
	if (opts->flags & O_EXCL)
		shmflg |= IPC_EXCL;
	/* IPC_PRIVATE always creates, with or without IPC_CREAT. */
	if (opts->key == IPC_PRIVATE)
		shmflg |= opts->mode ? opts->mode : KIPC_DEFAULT_MODE;

	shm->id = shmget((key_t)opts->key, opts->size, shmflg);
	if (shm->id < 0)
		return kipc_neg_errno();
	/* Without read permission the size stays the one asked for. */
	shm->size = opts->size;
	if (!shmctl(shm->id, IPC_STAT, &ds))
		shm->size = ds.shm_segsz;
	return 0;
}

static int kipc_posix_open(struct kipc_shm *shm, int oflag, mode_t mode)
{
	shm->fd = shm_open(shm->name, O_RDWR | oflag, mode);
	if (shm->fd >= 0) {
		shm->fd_writable = 1;
		return 0;
	}
	/* Getting an object we may only read: attach read-only later. */
	if (errno == EACCES && !(oflag & O_CREAT)) {
		shm->fd = shm_open(shm->name, O_RDONLY | oflag, mode);
		if (shm->fd >= 0)
			return 0;
	}
	return kipc_neg_errno();
}

static int kipc_posix_create(struct kipc_shm *shm,
			     const struct kipc_shm_opts *opts)
{
	mode_t mode = opts->mode ? opts->mode : KIPC_DEFAULT_MODE;
	int oflag = opts->flags & (O_CREAT | O_EXCL);
	int created = 0, ret, tries;
	unsigned int rnd;
	struct stat st;

	if (opts->name) {
		shm->name = strdup(opts->name);
		if (!shm->name)
			return -ENOMEM;
		ret = kipc_posix_open(shm, oflag, mode);
		created = (oflag & O_EXCL) && !ret;
	} else {
		/* A private object: a fresh name nobody else has. */
		if (!(oflag & O_CREAT))
			return -EINVAL;
		ret = -EEXIST;
		for (tries = 0; tries < 16 && ret == -EEXIST; tries++) {
			free(shm->name);
			kipc_random_u32(&rnd);
			if (asprintf(&shm->name, "/libkipc-%d-%08x",
				     (int)getpid(), rnd) < 0) {
				shm->name = NULL;
				return -ENOMEM;
			}
			ret = kipc_posix_open(shm, O_CREAT | O_EXCL, mode);
		}
		created = !ret;
	}
	if (ret)
		return ret;

	if (fstat(shm->fd, &st) < 0) {
		ret = kipc_neg_errno();
		goto out_unlink;
	}
	/* A new object is empty: give it its size, as shmget() would. */
	if (!st.st_size && opts->size && shm->fd_writable &&
	    (oflag & O_CREAT)) {
		if (ftruncate(shm->fd, opts->size) < 0) {
			ret = kipc_neg_errno();
			goto out_unlink;
		}
		st.st_size = opts->size;
	}
	/* shmget()'s rule: a get may not ask for more than there is. */
	if (!st.st_size || (size_t)st.st_size < opts->size) {
		ret = -EINVAL;
		goto out_unlink;
	}
	shm->size = st.st_size;
	return 0;

out_unlink:
	if (created)
		shm_unlink(shm->name);
	return ret;
}

/*
 * The region's fd, opened on first use: read-write if we may, else
 * read-only (attach and the seals then say what that allows).
 */
static int kipc_region_fd(struct kipc_shm *shm)
{
	struct kipc_shm_open req;
	int ret;

	if (shm->fd >= 0)
		return shm->fd;
	memset(&req, 0, sizeof(req));
	req.id = shm->id;
	req.flags = O_RDWR | O_CLOEXEC;
	ret = ioctl(shm->ctl, KIPC_IOC_SHM_OPEN, &req);
	if (ret < 0 && errno == EACCES) {
		req.flags = O_RDONLY | O_CLOEXEC;
		ret = ioctl(shm->ctl, KIPC_IOC_SHM_OPEN, &req);
	} else if (ret == 0) {
		shm->fd_writable = 1;
	}
	if (ret < 0)
		return kipc_neg_errno();
	shm->fd = req.fd;
	return shm->fd;
}

static int kipc_region_stat(struct kipc_shm *shm, struct kipc_shm_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = shm->id;
	if (ioctl(shm->ctl, KIPC_IOC_SHM_STAT, st) < 0)
		return kipc_neg_errno();
	return 0;
}

static int kipc_region_create(struct kipc_shm *shm,
			      const struct kipc_shm_opts *opts)
{
	struct kipc_shm_stat st;
	struct kipc_shm_get req;
	int ret;

	shm->ctl = kipc_control_open();
	if (shm->ctl < 0)
		return shm->ctl;

	memset(&req, 0, sizeof(req));
	req.key = opts->key;
	req.size = opts->size;
	if (opts->flags & O_CREAT) {
		req.flags |= KIPC_SHM_CREAT;
		req.mode = opts->mode ? opts->mode : KIPC_DEFAULT_MODE;
	}
	if (opts->flags & O_EXCL)
		req.flags |= KIPC_SHM_EXCL;
	if (opts->key == KIPC_SHM_PRIVATE)
		req.mode = opts->mode ? opts->mode : KIPC_DEFAULT_MODE;
	if (ioctl(shm->ctl, KIPC_IOC_SHM_GET, &req) < 0)
		return kipc_neg_errno();
	shm->id = req.id;

	shm->size = opts->size;
	if (!kipc_region_stat(shm, &st))
		shm->size = st.size;
	/* The fd holds the region for the doorbell and the seals. */
	ret = kipc_region_fd(shm);
	return ret == -EACCES ? 0 : ret < 0 ? ret : 0;
}

KIPC_EXPORT int kipc_shm_create(struct kipc_shm **shmp,
				enum kipc_backend backend,
				const struct kipc_shm_opts *opts)
{
	struct kipc_shm *shm;
	int ret;

	if (!shmp)
		return -EINVAL;
	*shmp = NULL;
	if (!opts || !kipc_backend_is_shm(backend) ||
	    opts->flags & ~(O_CREAT | O_EXCL) || opts->mode & ~0777 ||
	    !kipc_reserved_zero(opts->reserved, 4))
		return -EINVAL;
	/* Keys for SysV and kipc, names for POSIX: not the other way. */
	if (backend == KIPC_BACKEND_POSIX_SHM ? opts->key != 0 :
						opts->name != NULL)
		return -EINVAL;

	shm = kipc_shm_alloc(backend);
	if (!shm)
		return -ENOMEM;
	switch (backend) {
	case KIPC_BACKEND_SYSV_SHM:
		ret = kipc_sysv_create(shm, opts);
		break;
	case KIPC_BACKEND_POSIX_SHM:
		ret = kipc_posix_create(shm, opts);
		break;
	default:
		ret = kipc_region_create(shm, opts);
		break;
	}
	if (ret) {
		kipc_shm_destroy(shm);
		return ret;
	}
	*shmp = shm;
	return 0;
}

KIPC_EXPORT void kipc_shm_destroy(struct kipc_shm *shm)
{
	if (!shm)
		return;
	if (shm->addr)
		kipc_shm_detach(shm);
	if (shm->fd >= 0)
		close(shm->fd);
	if (shm->ctl >= 0)
		close(shm->ctl);
	free(shm->name);
	free(shm);
}

/**
 * kipc_shm_attach - map the whole object, once per handle
 * @flags: O_RDONLY or O_RDWR
 *
 * Returns 0 and the address in *@addr, -EBUSY if this handle is attached
 * already, or the backend's error (-EACCES without the permission).
 */
KIPC_EXPORT int kipc_shm_attach(struct kipc_shm *shm, int flags, void **addr)
{
	int rdwr = flags == O_RDWR;
	int prot = PROT_READ | (rdwr ? PROT_WRITE : 0);
	struct stat st;
	void *p;
	int fd;

	if (!shm || !addr || (flags != O_RDONLY && flags != O_RDWR))
		return -EINVAL;
	if (shm->addr)
		return -EBUSY;

	if (shm->backend == KIPC_BACKEND_SYSV_SHM) {
		p = shmat(shm->id, NULL, rdwr ? 0 : SHM_RDONLY);
		if (p == (void *)-1)
			return kipc_neg_errno();
		shm->map_len = shm->size;
		goto out_attached;
	}

	if (shm->backend == KIPC_BACKEND_POSIX_SHM) {
		/* The object may have been resized since it was opened. */
		if (fstat(shm->fd, &st) < 0)
			return kipc_neg_errno();
		if (!st.st_size)
			return -EINVAL;
		shm->size = st.st_size;
		fd = shm->fd;
	} else {
		fd = kipc_region_fd(shm);
		if (fd < 0)
			return fd;
	}
	if (rdwr && !shm->fd_writable)
		return -EACCES;
	p = mmap(NULL, shm->size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return kipc_neg_errno();
	shm->map_len = shm->size;
out_attached:
	shm->addr = p;
	*addr = p;
	return 0;
}

KIPC_EXPORT int kipc_shm_detach(struct kipc_shm *shm)
{
	int ret;

	if (!shm || !shm->addr)
		return -EINVAL;
	if (shm->backend == KIPC_BACKEND_SYSV_SHM)
		ret = shmdt(shm->addr);
	else
		ret = munmap(shm->addr, shm->map_len);
	if (ret < 0)
		return kipc_neg_errno();
	shm->addr = NULL;
	shm->map_len = 0;
	return 0;
}

/**
 * kipc_shm_stat - what the backend knows about the object
 *
 * POSIX objects are files: size, owner and mode come from fstat(), removal
 * from st_nlink; the kernel keeps no count of their mappings, so nattch is
 * not known (KIPC_SHM_INFO_NATTCH clear) and cpid is 0.
 */
KIPC_EXPORT int kipc_shm_stat(struct kipc_shm *shm, struct kipc_shm_info *info)
{
	struct kipc_shm_stat kst;
	struct shmid_ds ds;
	struct stat st;
	int ret;

	if (!shm || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));

	switch (shm->backend) {
	case KIPC_BACKEND_SYSV_SHM:
		if (shmctl(shm->id, IPC_STAT, &ds) < 0)
			return kipc_neg_errno();
		info->size = ds.shm_segsz;
		info->nattch = ds.shm_nattch;
		info->uid = ds.shm_perm.uid;
		info->gid = ds.shm_perm.gid;
		info->mode = ds.shm_perm.mode & 0777;
		info->cpid = ds.shm_cpid;
		info->flags = KIPC_SHM_INFO_NATTCH;
		if (ds.shm_perm.mode & SHM_DEST)
			info->flags |= KIPC_SHM_INFO_REMOVED;
		break;
	case KIPC_BACKEND_POSIX_SHM:
		if (fstat(shm->fd, &st) < 0)
			return kipc_neg_errno();
		info->size = st.st_size;
		info->uid = st.st_uid;
		info->gid = st.st_gid;
		info->mode = st.st_mode & 0777;
		if (!st.st_nlink)
			info->flags |= KIPC_SHM_INFO_REMOVED;
		break;
	default:
		ret = kipc_region_stat(shm, &kst);
		if (ret)
			return ret;
		info->size = kst.size;
		info->nattch = kst.nattch;
		info->uid = kst.uid;
		info->gid = kst.gid;
		info->mode = kst.mode & 0777;
		info->cpid = kst.cpid;
		info->flags = KIPC_SHM_INFO_NATTCH;
		if (kst.mode & KIPC_SHM_DEST)
			info->flags |= KIPC_SHM_INFO_REMOVED;
		break;
	}
	return 0;
}

/*
 * Remove the object's key or name.  Attachments and open handles keep the
 * memory until they go; a SysV or kipc key then creates a new object.
 */
KIPC_EXPORT int kipc_shm_remove(struct kipc_shm *shm)
{
	struct kipc_shm_id req;

	if (!shm)
		return -EINVAL;
	switch (shm->backend) {
	case KIPC_BACKEND_SYSV_SHM:
		if (shmctl(shm->id, IPC_RMID, NULL) < 0)
			return kipc_neg_errno();
		return 0;
	case KIPC_BACKEND_POSIX_SHM:
		if (shm_unlink(shm->name) < 0)
			return kipc_neg_errno();
		return 0;
	default:
		memset(&req, 0, sizeof(req));
		req.id = shm->id;
		if (ioctl(shm->ctl, KIPC_IOC_SHM_RMID, &req) < 0)
			return kipc_neg_errno();
		return 0;
	}
}

KIPC_EXPORT size_t kipc_shm_size(const struct kipc_shm *shm)
{
	return shm ? shm->size : 0;
}

KIPC_EXPORT int kipc_shm_get_fd(const struct kipc_shm *shm)
{
	if (!shm)
		return -EINVAL;
	if (shm->backend == KIPC_BACKEND_SYSV_SHM)
		return -EOPNOTSUPP;
	return shm->fd >= 0 ? shm->fd : -EBADF;
}

KIPC_EXPORT enum kipc_backend kipc_shm_backend(const struct kipc_shm *shm)
{
	return shm->backend;
}

KIPC_EXPORT const char *kipc_shm_name(const struct kipc_shm *shm)
{
	return shm ? shm->name : NULL;
}

/* The doorbell and the seals: kipc regions only. */
static int kipc_region_only(struct kipc_shm *shm)
{
	if (!shm)
		return -EINVAL;
	if (shm->backend != KIPC_BACKEND_KIPC_SHM)
		return -EOPNOTSUPP;
	return kipc_region_fd(shm);
}

KIPC_EXPORT int kipc_shm_wake(struct kipc_shm *shm, uint64_t *seq)
{
	struct kipc_shm_doorbell db;
	int fd = kipc_region_only(shm);

	if (fd < 0)
		return fd;
	memset(&db, 0, sizeof(db));
	if (ioctl(fd, KIPC_IOC_SHM_WAKE, &db) < 0)
		return kipc_neg_errno();
	if (seq)
		*seq = db.seq;
	return 0;
}

/**
 * kipc_shm_wait - sleep until the doorbell moves past *@seq
 * @timeout_ns: give up after this long with -ETIMEDOUT; < 0: never
 *
 * On success *@seq is the doorbell's value then.  A signal ends the wait
 * with -EINTR (an untimed wait restarts under SA_RESTART).
 */
KIPC_EXPORT int kipc_shm_wait(struct kipc_shm *shm, uint64_t *seq,
			      int64_t timeout_ns)
{
	struct kipc_shm_doorbell db;
	int fd = kipc_region_only(shm);

	if (fd < 0)
		return fd;
	if (!seq)
		return -EINVAL;
	memset(&db, 0, sizeof(db));
	db.seq = *seq;
	db.timeout_ns = timeout_ns;
	if (ioctl(fd, KIPC_IOC_SHM_WAIT, &db) < 0)
		return kipc_neg_errno();
	*seq = db.seq;
	return 0;
}

KIPC_EXPORT int kipc_shm_get_doorbell(struct kipc_shm *shm, uint64_t *seq)
{
	struct kipc_shm_stat st;
	int ret;

	if (!shm || !seq)
		return -EINVAL;
	if (shm->backend != KIPC_BACKEND_KIPC_SHM)
		return -EOPNOTSUPP;
	ret = kipc_region_stat(shm, &st);
	if (ret)
		return ret;
	*seq = st.doorbell;
	return 0;
}

KIPC_EXPORT int kipc_shm_add_seals(struct kipc_shm *shm, unsigned int seals)
{
	struct kipc_shm_seals s;
	int fd = kipc_region_only(shm);

	if (fd < 0)
		return fd;
	memset(&s, 0, sizeof(s));
	s.seals = seals;
	if (ioctl(fd, KIPC_IOC_SHM_ADD_SEALS, &s) < 0)
		return kipc_neg_errno();
	return 0;
}

KIPC_EXPORT int kipc_shm_get_seals(struct kipc_shm *shm, unsigned int *seals)
{
	struct kipc_shm_seals s;
	int fd = kipc_region_only(shm);

	if (fd < 0)
		return fd;
	if (!seals)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	if (ioctl(fd, KIPC_IOC_SHM_GET_SEALS, &s) < 0)
		return kipc_neg_errno();
	*seals = s.seals;
	return 0;
}
