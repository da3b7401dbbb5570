/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc: one C API over the kernel's pipes, FIFOs, System V and POSIX
 * shared memory, and the channels and regions of the kipc module, so that
 * one code path can drive (and compare) all of them.
 *
 *	struct kipc_chan *c;
 *	int ret = kipc_chan_create(&c, KIPC_BACKEND_KIPC_PAIR, NULL);
 *	if (ret < 0)
 *		fprintf(stderr, "%s\n", kipc_strerror(ret));
 *	kipc_chan_write_all(c, "hello", 5, NULL);
 *
 * Every function that can fail returns a negative errno value; errno itself
 * is left as the system calls leave it and is never part of the contract.
 * There is no global state: independent objects may be used from different
 * threads at once.  The semantics are each backend's own; differences are
 * reported (kipc_backend_caps()), not hidden.  See kipc(7).
 *
 * The library's header is <libkipc.h>, named as its pkg-config package
 * is; <kipc.h> is kept for the programs that include it, and is nothing
 * but this header.  It includes <linux/kipc.h>, the module's ioctl ABI
 * (KIPC_ABI_VERSION, the ioctls and their structs), which libkipc installs
 * with it; the two name nothing alike, and may be included in any order.
 */
#ifndef LIBKIPC_H
#define LIBKIPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	0
#define KIPC_LIB_VERSION_MINOR	1
#define KIPC_LIB_VERSION_PATCH	0

/* The mechanisms.  Zero is not one of them, so a zeroed choice is EINVAL. */
enum kipc_backend {
	KIPC_BACKEND_PIPE = 1,		/* pipe2() */
	KIPC_BACKEND_FIFO,		/* mkfifo() */
	KIPC_BACKEND_KIPC_PAIR,		/* KIPC_IOC_CHAN_PAIR */
	KIPC_BACKEND_KIPC_NAMED,	/* KIPC_IOC_CHAN_CREATE, /dev/kipc/NAME */
	KIPC_BACKEND_SYSV_SHM,		/* shmget(), shmat() */
	KIPC_BACKEND_POSIX_SHM,		/* shm_open(), mmap() */
	KIPC_BACKEND_KIPC_SHM,		/* KIPC_IOC_SHM_GET, mmap() */
	KIPC_BACKEND_KIPC_MAPPED,	/* KIPC_CHAN_F_MAPPED pair, kipc_ring */
};

/* What a backend is and does: kipc_backend_caps(). */
#define KIPC_CAP_CHANNEL	(1u << 0)  /* a byte stream: kipc_chan_*() */
#define KIPC_CAP_SHM		(1u << 1)  /* shared memory: kipc_shm_*() */
#define KIPC_CAP_MODULE		(1u << 2)  /* served by kipc.ko */
#define KIPC_CAP_NAMED		(1u << 3)  /* found by path, name or key */
#define KIPC_CAP_EXACT_CAPACITY	(1u << 4)  /* capacity is byte-exact, not rounded */
#define KIPC_CAP_KEEPS_CAPACITY	(1u << 5)  /* a node's capacity outlives its last close */
#define KIPC_CAP_S_ISFIFO	(1u << 6)  /* fstat() says S_IFIFO (kipc: S_IFCHR) */
#define KIPC_CAP_UMASK		(1u << 7)  /* the creation mode is masked by the umask */
#define KIPC_CAP_ATTACH_COUNT	(1u << 8)  /* kipc_shm_stat() knows the attach count */
#define KIPC_CAP_DOORBELL	(1u << 9)  /* kipc_shm_wake() and kipc_shm_wait() */
#define KIPC_CAP_SEALS		(1u << 10) /* kipc_shm_add_seals() */
#define KIPC_CAP_MAPPED		(1u << 11) /* I/O through a mapped ring: kipc_ring(3) */

int kipc_backend_available(enum kipc_backend backend);
unsigned int kipc_backend_caps(enum kipc_backend backend);
const char *kipc_backend_name(enum kipc_backend backend);
int kipc_backend_from_name(const char *name);

/* What KIPC_IOC_VERSION says about the loaded module. */
struct kipc_module_version {
	unsigned int abi;
	unsigned int major;
	unsigned int minor;
	unsigned int patch;
};

int kipc_module_get_version(struct kipc_module_version *version);
/* This library's version, "MAJOR.MINOR.PATCH": kipc's one version. */
const char *kipc_library_version(void);
const char *kipc_strerror(int err);

/*
 * Channels: byte streams with the semantics of the backend (pipe(7),
 * fifo(7), kipc(4)).
 */
struct kipc_chan;

/* kipc_chan_opts.flags */
#define KIPC_CHAN_NONBLOCK	(1u << 0)  /* both ends O_NONBLOCK */
#define KIPC_CHAN_NODE_ONLY	(1u << 1)  /* FIFO, KIPC_NAMED: make the node, open no end */

struct kipc_chan_opts {
	unsigned int flags;	/* KIPC_CHAN_* */
	mode_t mode;		/* FIFO, KIPC_NAMED: node mode before the umask; 0: 0600 */
	size_t capacity;	/* bytes; 0: the backend's default */
	const char *path;	/* FIFO: path; KIPC_NAMED: name; NULL: made up */
	uint64_t reserved[4];	/* must be zero */
};

/* Which end: kipc_chan_close(), kipc_chan_get_fd(). */
#define KIPC_CHAN_READ		(1u << 0)
#define KIPC_CHAN_WRITE		(1u << 1)

int kipc_chan_create(struct kipc_chan **chanp, enum kipc_backend backend,
		     const struct kipc_chan_opts *opts);
int kipc_chan_open(struct kipc_chan **chanp, enum kipc_backend backend,
		   const char *path, int flags);
void kipc_chan_destroy(struct kipc_chan *chan);
int kipc_chan_close(struct kipc_chan *chan, unsigned int ends);

/*
 * One read(2) or write(2): the bytes moved, 0 at end of file, or -errno.
 * Unlike read(2) and write(2), a failure is never -1 with errno set.
 */
ssize_t kipc_chan_read(struct kipc_chan *chan, void *buf, size_t len);
ssize_t kipc_chan_write(struct kipc_chan *chan, const void *buf, size_t len);
int kipc_chan_read_exact(struct kipc_chan *chan, void *buf, size_t len,
			 size_t *done);
int kipc_chan_write_all(struct kipc_chan *chan, const void *buf, size_t len,
			size_t *done);

int kipc_chan_set_nonblock(struct kipc_chan *chan, int nonblock);
int kipc_chan_get_capacity(struct kipc_chan *chan, size_t *capacity);
int kipc_chan_set_capacity(struct kipc_chan *chan, size_t capacity,
			   size_t *actual);
int kipc_chan_get_queued(struct kipc_chan *chan, size_t *queued);
int kipc_chan_get_fd(const struct kipc_chan *chan, unsigned int end);
enum kipc_backend kipc_chan_backend(const struct kipc_chan *chan);
const char *kipc_chan_path(const struct kipc_chan *chan);

/*
 * Shared memory: the lifecycle of the backend (shmget(2), shm_open(3),
 * kipc(4)).
 */
struct kipc_shm;

struct kipc_shm_opts {
	int64_t key;		/* SYSV, KIPC: the key; 0: private, always new */
	const char *name;	/* POSIX: "/name"; NULL with O_CREAT: generated */
	size_t size;		/* bytes: of a new object, or at most the object's */
	int flags;		/* O_CREAT, O_EXCL; neither: get an existing one */
	mode_t mode;		/* permission bits of a new object; 0: 0600 */
	uint64_t reserved[4];	/* must be zero */
};

/* kipc_shm_info.flags */
#define KIPC_SHM_INFO_NATTCH	(1u << 0)  /* nattch is known */
#define KIPC_SHM_INFO_REMOVED	(1u << 1)  /* removed: goes with its last user */

struct kipc_shm_info {
	uint64_t size;		/* bytes */
	uint64_t nattch;	/* attachments, if KIPC_SHM_INFO_NATTCH */
	uid_t uid;		/* owner */
	gid_t gid;		/* owner's group */
	mode_t mode;		/* permission bits */
	pid_t cpid;		/* creator, 0 if unknown (POSIX) */
	unsigned int flags;	/* KIPC_SHM_INFO_* */
	uint64_t reserved[4];
};

/* Seals: the values of memfd's F_SEAL_* and of kipc's KIPC_SEAL_*. */
#define KIPC_SHM_SEAL_SEAL		0x0001
#define KIPC_SHM_SEAL_WRITE		0x0008
#define KIPC_SHM_SEAL_FUTURE_WRITE	0x0010

int kipc_shm_create(struct kipc_shm **shmp, enum kipc_backend backend,
		    const struct kipc_shm_opts *opts);
void kipc_shm_destroy(struct kipc_shm *shm);
int kipc_shm_attach(struct kipc_shm *shm, int flags, void **addr);
int kipc_shm_detach(struct kipc_shm *shm);
int kipc_shm_stat(struct kipc_shm *shm, struct kipc_shm_info *info);
int kipc_shm_remove(struct kipc_shm *shm);
size_t kipc_shm_size(const struct kipc_shm *shm);
int kipc_shm_get_fd(const struct kipc_shm *shm);
enum kipc_backend kipc_shm_backend(const struct kipc_shm *shm);
const char *kipc_shm_name(const struct kipc_shm *shm);

int kipc_shm_wake(struct kipc_shm *shm, uint64_t *seq);
int kipc_shm_wait(struct kipc_shm *shm, uint64_t *seq, int64_t timeout_ns);
int kipc_shm_get_doorbell(struct kipc_shm *shm, uint64_t *seq);
int kipc_shm_add_seals(struct kipc_shm *shm, unsigned int seals);
int kipc_shm_get_seals(struct kipc_shm *shm, unsigned int *seals);

/*
 * Asynchronous channel I/O through liburing, on a ring the caller owns.
 * <liburing.h> is needed only to use the ring itself.
 */
struct io_uring;
struct io_uring_sqe;
struct kipc_aio;

struct kipc_aio_result {
	uint64_t user_data;	/* as given to kipc_aio_read()/_write() */
	int res;		/* bytes, or -errno */
};

void kipc_chan_prep_read(struct io_uring_sqe *sqe,
			 const struct kipc_chan *chan, void *buf,
			 unsigned int len);
void kipc_chan_prep_write(struct io_uring_sqe *sqe,
			  const struct kipc_chan *chan, const void *buf,
			  unsigned int len);

int kipc_aio_create(struct kipc_aio **aiop, struct io_uring *ring);
void kipc_aio_destroy(struct kipc_aio *aio);
int kipc_aio_read(struct kipc_aio *aio, struct kipc_chan *chan, void *buf,
		  unsigned int len, uint64_t user_data);
int kipc_aio_write(struct kipc_aio *aio, struct kipc_chan *chan,
		   const void *buf, unsigned int len, uint64_t user_data);
int kipc_aio_submit(struct kipc_aio *aio);
int kipc_aio_wait(struct kipc_aio *aio, struct kipc_aio_result *results,
		  unsigned int max, unsigned int min);
unsigned int kipc_aio_pending(const struct kipc_aio *aio);

/*
 * The ring of a mapped channel (KIPC_CHAN_F_MAPPED), mapped into this
 * process: bytes move with no system call while it is neither empty nor
 * full.  One producer (KIPC_RING_WRITE) and one consumer (KIPC_RING_READ)
 * at a time; not inherited by fork().  See kipc_ring(3).
 */
struct kipc_ring;

int kipc_ring_map(int fd, unsigned int role, struct kipc_ring **ring);
void kipc_ring_unmap(struct kipc_ring *ring);
int kipc_ring_fd(const struct kipc_ring *ring);
size_t kipc_ring_size(const struct kipc_ring *ring);

int kipc_ring_reserve(struct kipc_ring *ring, size_t len, void **buf);
int kipc_ring_commit(struct kipc_ring *ring, size_t len);
ssize_t kipc_ring_peek(struct kipc_ring *ring, const void **buf);
int kipc_ring_release(struct kipc_ring *ring, size_t len);
int kipc_ring_wait(struct kipc_ring *ring, size_t need);

ssize_t kipc_ring_write(struct kipc_ring *ring, const void *buf, size_t len);
ssize_t kipc_ring_read(struct kipc_ring *ring, void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_H */
