// SPDX-License-Identifier: GPL-2.0
/*
 * kipc regions: shared memory with the lifecycle and permissions of System
 * V shm, mapped through an fd, plus a doorbell and memfd-style seals.
 *
 *	struct kipc_shm_get get = { .key = 42, .size = 1 << 20,
 *				    .flags = KIPC_SHM_CREAT, .mode = 0600 };
 *	ioctl(ctl, KIPC_IOC_SHM_GET, &get);		// shmget()
 *	struct kipc_shm_open op = { .id = get.id, .flags = O_RDWR };
 *	ioctl(ctl, KIPC_IOC_SHM_OPEN, &op);
 *	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, op.fd, 0);
 *
 * A region is a shmem file, as a SysV segment is, and a region fd is, as
 * SysV's shm files are, a file of that shmem inode with kipc's own
 * file_operations.  So the page cache, reclaim and the writable-mapping
 * count (i_mmap_writable, where the write seal lives) are the shmem
 * mapping's, with no window between a seal check and the count; and every
 * mapping, remap_file_pages() included, goes through kipcm_region_mmap(),
 * which wraps shmem's vm_ops to count attachments as ipc/shm.c does.  A
 * mapping holds its region fd's file, and with it the module.
 *
 * No region fd can be reopened: the shmem inode is mode 0777, and an open
 * through /proc/PID/fd or /proc/PID/map_files would otherwise pass and
 * return a plain shmem file with none of kipc's rules (a read-only fd
 * reopened for writing).  The inode's own file_operations refuse every
 * open by path, as an anonymous inode's do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <linux/kipc.h>

#include "kipc.h"

#define KIPC_SEALS_ALL	(KIPC_SEAL_SEAL | KIPC_SEAL_WRITE | \
			 KIPC_SEAL_FUTURE_WRITE)

/* Ours are memfd's: shmem's own checks can enforce them as such. */
static_assert(KIPC_SEAL_SEAL == F_SEAL_SEAL);
static_assert(KIPC_SEAL_WRITE == F_SEAL_WRITE);
static_assert(KIPC_SEAL_FUTURE_WRITE == F_SEAL_FUTURE_WRITE);

/**
 * struct kipcm_region - a shared-memory region
 * @ref: one for the registry until RMID, one per open fd
 * @id: index in kipcm_regions (immutable)
 * @shmem: the memory (immutable)
 * @size: bytes, as created (immutable)
 * @pages: @size in pages (immutable)
 * @lock: guards the fields below it
 * @key: KIPC_SHM_PRIVATE once removed
 * @removed: RMID was done: freed with its last fd and mapping
 * @mode: permission bits
 * @uid: owner
 * @gid: owner's group
 * @cuid: creator (immutable)
 * @cgid: creator's group (immutable)
 * @cpid: creator's tgid (immutable)
 * @lpid: tgid of the last map or unmap
 * @atime: last map
 * @dtime: last unmap
 * @ctime: creation or last SET
 * @nattch: mappings (VMAs), as SysV's shm_nattch
 * @seals: KIPC_SEAL_*
 * @creator: the user charged for the region (immutable)
 * @doorbell: bumped by KIPC_IOC_SHM_WAKE (atomic, no lock)
 * @bell: who waits for @doorbell to move (its own lock)
 */
struct kipcm_region {
	struct kref ref;
	int id;
	struct file *shmem;
	u64 size;
	u64 pages;

	spinlock_t lock;		/* guards the fields below */
	s64 key;
	bool removed;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	kuid_t cuid;
	kgid_t cgid;
	pid_t cpid;
	pid_t lpid;
	time64_t atime;
	time64_t dtime;
	time64_t ctime;
	u64 nattch;
	u32 seals;
	struct kipcm_user *creator;

	atomic64_t doorbell;
	wait_queue_head_t bell;
};

/* Per open region fd: the doorbell value this fd has seen, for poll. */
struct kipcm_region_file {
	struct kipcm_region *region;
	u64 bell_seen;
};

/* Guards kipcm_regions, kipcm_nr_regions and kipcm_region_pages. */
static DEFINE_MUTEX(kipcm_regions_lock);
static DEFINE_IDR(kipcm_regions);
static unsigned int kipcm_nr_regions;
static u64 kipcm_region_pages;

static struct dentry *kipcm_region_debugfs;

/*
 * Our mappings run on shmem's vm_ops, which we learn from the first
 * mmap(): ours forward to them, around the attach counting.
 */
static const struct vm_operations_struct *kipcm_region_shmem_ops;
/* Guards kipcm_region_shmem_ops. */
static DEFINE_MUTEX(kipcm_region_vm_ops_lock);
static const struct vm_operations_struct kipcm_region_vm_ops;

static const struct file_operations kipcm_region_fops;
static const struct file_operations kipcm_region_no_open_fops;

static struct kipcm_region *kipcm_file_region(struct file *file)
{
	struct kipcm_region_file *rf = file->private_data;

	return rf->region;
}

/*
 * The region is gone from the registry and has no fd or mapping left.
 * The shmem inode may live on, pinned by a watch or a file handle, past
 * this module: it gets shmem's own file_operations back, so that no
 * pointer into the module stays behind.  Only a handle open, which needs
 * CAP_DAC_READ_SEARCH, could still reach it.
 */
static void kipcm_region_free(struct kipcm_region *r)
{
	file_inode(r->shmem)->i_fop = r->shmem->f_op;
	kipcm_user_sub_region(r->creator);
	kipcm_user_put(r->creator);
	fput(r->shmem);
	kfree(r);
}

/*
 * Called with kipcm_regions_lock held, which it drops: the last reference is
 * gone, so no fd, no mapping and no registry entry remains.
 */
static void kipcm_region_release_ref(struct kref *ref)
{
	struct kipcm_region *r = container_of(ref, struct kipcm_region, ref);

	idr_remove(&kipcm_regions, r->id);
	kipcm_nr_regions--;
	kipcm_region_pages -= r->pages;
	mutex_unlock(&kipcm_regions_lock);

	kipcm_region_free(r);
	/* Not the last reference: our caller's file or mapping holds one. */
	module_put(THIS_MODULE);
}

static void kipcm_region_put(struct kipcm_region *r)
{
	kref_put_mutex(&r->ref, kipcm_region_release_ref, &kipcm_regions_lock);
}

static struct kipcm_region *kipcm_region_get(int id)
{
	struct kipcm_region *r;

	if (id < 0)
		return NULL;
	mutex_lock(&kipcm_regions_lock);
	r = idr_find(&kipcm_regions, id);
	if (r && !kref_get_unless_zero(&r->ref))
		r = NULL;
	mutex_unlock(&kipcm_regions_lock);
	return r;
}

/*
 * ipcperms(): may the caller have the access in @flag's permission bits?
 * Owner class if the caller is the owner or the creator, group class if in
 * either group, else other; CAP_IPC_OWNER overrides.
 */
static bool kipcm_region_may(struct kipcm_region *r, unsigned int flag)
{
	kuid_t euid = current_euid();
	unsigned int requested = (flag >> 6) | (flag >> 3) | flag;
	unsigned int granted;

	spin_lock(&r->lock);
	granted = r->mode;
	if (uid_eq(euid, r->cuid) || uid_eq(euid, r->uid))
		granted >>= 6;
	else if (in_group_p(r->cgid) || in_group_p(r->gid))
		granted >>= 3;
	spin_unlock(&r->lock);

	return !(requested & ~granted & 0007) || capable(CAP_IPC_OWNER);
}

/* IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN. */
static bool kipcm_region_may_change(struct kipcm_region *r)
{
	kuid_t euid = current_euid();
	bool owner;

	spin_lock(&r->lock);
	owner = uid_eq(euid, r->uid) || uid_eq(euid, r->cuid);
	spin_unlock(&r->lock);
	return owner || capable(CAP_SYS_ADMIN);
}

static struct kipcm_region *__kipcm_region_find_key(s64 key)
{
	struct kipcm_region *r;
	int id;

	lockdep_assert_held(&kipcm_regions_lock);
	idr_for_each_entry(&kipcm_regions, r, id)
		if (!r->removed && r->key == key)
			return r;
	return NULL;
}

/* Pages to hold @size bytes, without DIV_ROUND_UP()'s overflow. */
static u64 kipcm_region_size_pages(u64 size)
{
	return (size >> PAGE_SHIFT) + !!(size & ~PAGE_MASK);
}

/**
 * kipcm_region_limits_check - may a region of @size bytes be created?
 * @size: bytes asked for
 * @nr: regions now
 * @pages_now: pages of all regions now
 * @shm_max: the shm_max parameter, bytes
 * @shm_all: the shm_all parameter, pages
 * @shm_mni: the shm_mni parameter, regions
 *
 * newseg()'s order: the size against SHMMIN and shmmax (EINVAL), then the
 * total against shmall, then the count against shmmni (ENOSPC).
 *
 * Return: 0 or -errno.
 */
int kipcm_region_limits_check(u64 size, unsigned int nr, u64 pages_now,
			      u64 shm_max, u64 shm_all, unsigned int shm_mni)
{
	u64 pages = kipcm_region_size_pages(size);

	if (size < 1 || size > shm_max)
		return -EINVAL;
	/* As newseg(): a size whose page count wraps is ENOSPC. */
	if (pages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (pages_now + pages < pages_now || pages_now + pages > shm_all)
		return -ENOSPC;
	if (nr >= shm_mni)
		return -ENOSPC;
	return 0;
}

/* newseg(): called with kipcm_regions_lock held. */
static int __kipcm_region_create(s64 key, u64 size, unsigned int mode)
{
	struct kipcm_region *r;
	char name[32];
	int ret;

	lockdep_assert_held(&kipcm_regions_lock);
	ret = kipcm_region_limits_check(size, kipcm_nr_regions,
					kipcm_region_pages,
				       READ_ONCE(kipcm_shm_max),
				       READ_ONCE(kipcm_shm_all),
				       READ_ONCE(kipcm_shm_mni));
	if (ret)
		return ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->creator = kipcm_user_get();
	if (!r->creator) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* This user's share of shm_mni: ENOSPC, as the global limit. */
	if (!kipcm_user_add_region(r->creator)) {
		ret = -ENOSPC;
		goto out_put_user;
	}
	kref_init(&r->ref);
	spin_lock_init(&r->lock);
	init_waitqueue_head(&r->bell);
	r->size = size;
	r->pages = kipcm_region_size_pages(size);
	r->key = key;
	r->mode = mode & 0777;
	r->cuid = current_euid();
	r->uid = r->cuid;
	r->cgid = current_egid();
	r->gid = r->cgid;
	r->cpid = task_tgid_vnr(current);
	r->ctime = ktime_get_real_seconds();

	ret = idr_alloc_cyclic(&kipcm_regions, r, 0, INT_MAX, GFP_KERNEL);
	if (ret < 0)
		goto out_uncount;
	r->id = ret;

	snprintf(name, sizeof(name), "kipc-shm-%d", r->id);
	r->shmem = shmem_file_setup(name, size, 0);
	if (IS_ERR(r->shmem)) {
		ret = PTR_ERR(r->shmem);
		goto out_remove_id;
	}
	/*
	 * A region fd is a file of this inode: ftruncate() on it must not
	 * resize the region under its mappings.
	 */
	SHMEM_I(file_inode(r->shmem))->seals |= F_SEAL_SHRINK | F_SEAL_GROW;
	file_inode(r->shmem)->i_fop = &kipcm_region_no_open_fops;
	kipcm_nr_regions++;
	kipcm_region_pages += r->pages;
	/*
	 * A region pins the module until it is gone: rmmod must not destroy
	 * what a user left, as no unload destroys a SysV segment.  The
	 * caller's control fd holds the module, so this cannot race an
	 * unload.
	 */
	__module_get(THIS_MODULE);
	return r->id;

out_remove_id:
	idr_remove(&kipcm_regions, r->id);
out_uncount:
	kipcm_user_sub_region(r->creator);
out_put_user:
	kipcm_user_put(r->creator);
out_free:
	kfree(r);
	return ret;
}

long kipcm_region_get_ioctl(void __user *argp)
{
	struct kipc_shm_get req;
	struct kipcm_region *r;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~(KIPC_SHM_CREAT | KIPC_SHM_EXCL) ||
	    req.mode & ~0777 || req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;

	/* ipcget_public()'s order: ENOENT, EEXIST, EINVAL, EACCES. */
	mutex_lock(&kipcm_regions_lock);
	if (req.key == KIPC_SHM_PRIVATE) {
		ret = __kipcm_region_create(req.key, req.size, req.mode);
	} else {
		r = __kipcm_region_find_key(req.key);
		if (!r) {
			ret = req.flags & KIPC_SHM_CREAT ?
			      __kipcm_region_create(req.key, req.size,
						    req.mode) : -ENOENT;
		} else if ((req.flags & KIPC_SHM_CREAT) &&
			   (req.flags & KIPC_SHM_EXCL)) {
			ret = -EEXIST;
		} else if (req.size > r->size) {
			ret = -EINVAL;
		} else if (!kipcm_region_may(r, req.mode)) {
			ret = -EACCES;
		} else {
			ret = r->id;
		}
	}
	mutex_unlock(&kipcm_regions_lock);
	if (ret < 0)
		return ret;

	req.id = ret;
	if (copy_to_user(argp, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

/*
 * A new file of the region's shmem inode, as ipc/shm.c's alloc_file_clone()
 * makes one, with our file_operations.  alloc_file_pseudo() takes neither
 * the inode nor the module: we take both for it.
 */
static struct file *kipcm_region_alloc_file(struct kipcm_region *r, int acc)
{
	struct inode *inode = file_inode(r->shmem);
	struct file *file;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENOENT);
	ihold(inode);
	file = alloc_file_pseudo(inode, r->shmem->f_path.mnt, "kipc-shm", acc,
				 &kipcm_region_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
	}
	return file;
}

long kipcm_region_open_ioctl(void __user *argp)
{
	struct kipcm_region_file *rf;
	struct kipc_shm_open req;
	struct kipcm_region *r;
	struct file *file;
	unsigned int acc;
	int fd, ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	acc = req.flags & O_ACCMODE;
	if (req.flags & ~(O_ACCMODE | O_CLOEXEC) || acc == O_WRONLY ||
	    acc == O_ACCMODE || req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;

	r = kipcm_region_get(req.id);
	if (!r)
		return -EINVAL;
	/* shmat(): read access, or read and write without SHM_RDONLY. */
	if (!kipcm_region_may(r, acc == O_RDWR ? 0666 : 0444)) {
		ret = -EACCES;
		goto out_put;
	}

	rf = kzalloc(sizeof(*rf), GFP_KERNEL_ACCOUNT);
	if (!rf) {
		ret = -ENOMEM;
		goto out_put;
	}
	rf->region = r;
	rf->bell_seen = atomic64_read(&r->doorbell);

	fd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_free_rf;
	}
	file = kipcm_region_alloc_file(r, acc);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_put_fd;
	}
	file->private_data = rf;
	req.fd = fd;
	if (copy_to_user(argp, &req, sizeof(req))) {
		/* The file's release drops the region and frees @rf. */
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

out_put_fd:
	put_unused_fd(fd);
out_free_rf:
	kfree(rf);
out_put:
	kipcm_region_put(r);
	return ret;
}

static void kipcm_region_to_stat(struct kipcm_region *r,
				 struct kipc_shm_stat *st)
{
	struct user_namespace *ns = current_user_ns();

	memset(st, 0, sizeof(*st));
	st->id = r->id;
	st->size = r->size;
	spin_lock(&r->lock);
	st->mode = r->mode | (r->removed ? KIPC_SHM_DEST : 0);
	st->key = r->key;
	st->nattch = r->nattch;
	st->cpid = r->cpid;
	st->lpid = r->lpid;
	st->uid = from_kuid_munged(ns, r->uid);
	st->gid = from_kgid_munged(ns, r->gid);
	st->cuid = from_kuid_munged(ns, r->cuid);
	st->cgid = from_kgid_munged(ns, r->cgid);
	st->atime = r->atime;
	st->dtime = r->dtime;
	st->ctime = r->ctime;
	st->seals = r->seals;
	spin_unlock(&r->lock);
	st->doorbell = atomic64_read(&r->doorbell);
}

long kipcm_region_stat_ioctl(void __user *argp)
{
	struct kipc_shm_stat st;
	struct kipcm_region *r;
	int ret = 0;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.__reserved0 ||
	    !kipcm_reserved_zero(st.__reserved, ARRAY_SIZE(st.__reserved)))
		return -EINVAL;
	r = kipcm_region_get(st.id);
	if (!r)
		return -EINVAL;
	/* IPC_STAT needs read permission. */
	if (!kipcm_region_may(r, 0444)) {
		ret = -EACCES;
		goto out_put;
	}
	kipcm_region_to_stat(r, &st);
	if (copy_to_user(argp, &st, sizeof(st)))
		ret = -EFAULT;
out_put:
	kipcm_region_put(r);
	return ret;
}

long kipcm_region_set_ioctl(void __user *argp)
{
	struct user_namespace *ns = current_user_ns();
	struct kipc_shm_set req;
	struct kipcm_region *r;
	kuid_t uid;
	kgid_t gid;
	int ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.mode & ~0777 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	uid = make_kuid(ns, req.uid);
	gid = make_kgid(ns, req.gid);
	if (!uid_valid(uid) || !gid_valid(gid))
		return -EINVAL;

	r = kipcm_region_get(req.id);
	if (!r)
		return -EINVAL;
	if (!kipcm_region_may_change(r)) {
		ret = -EPERM;
		goto out_put;
	}
	spin_lock(&r->lock);
	r->uid = uid;
	r->gid = gid;
	r->mode = req.mode;
	r->ctime = ktime_get_real_seconds();
	spin_unlock(&r->lock);
out_put:
	kipcm_region_put(r);
	return ret;
}

long kipcm_region_rmid_ioctl(void __user *argp)
{
	struct kipcm_region *r;
	struct kipc_shm_id req;
	bool drop = false;
	int ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.__reserved0 ||
	    !kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	r = kipcm_region_get(req.id);
	if (!r)
		return -EINVAL;
	if (!kipcm_region_may_change(r)) {
		ret = -EPERM;
		goto out_put;
	}

	/*
	 * The key turns private at once, so the same key creates a new
	 * region, while fds and mappings of this one keep working; the
	 * registry's reference goes, and the last fd or mapping frees it.
	 */
	mutex_lock(&kipcm_regions_lock);
	spin_lock(&r->lock);
	if (!r->removed) {
		r->removed = true;
		r->key = KIPC_SHM_PRIVATE;
		drop = true;
	}
	spin_unlock(&r->lock);
	mutex_unlock(&kipcm_regions_lock);
	if (drop)
		kipcm_region_put(r);
out_put:
	kipcm_region_put(r);
	return ret;
}

long kipcm_region_list_ioctl(void __user *argp)
{
	struct kipc_shm_list req;
	struct kipcm_region *r;
	u32 n = 0, count = 0;
	s32 *ids = NULL;
	int id, ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!kipcm_reserved_zero(req.__reserved, ARRAY_SIZE(req.__reserved)))
		return -EINVAL;
	if (req.nr_ids) {
		/* Never more than can exist: the rest could not be filled. */
		n = min(req.nr_ids, READ_ONCE(kipcm_shm_mni));
		ids = kvcalloc(n, sizeof(*ids),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!ids)
			return -ENOMEM;
	}

	/* Collected first: no user copy under kipcm_regions_lock. */
	mutex_lock(&kipcm_regions_lock);
	idr_for_each_entry(&kipcm_regions, r, id) {
		if (count < n)
			ids[count] = id;
		count++;
	}
	mutex_unlock(&kipcm_regions_lock);

	if (n && copy_to_user(u64_to_user_ptr(req.ids), ids,
			      min(n, count) * sizeof(*ids)))
		ret = -EFAULT;
	req.count = count;
	if (!ret && copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(ids);
	return ret;
}

/* A mapping comes (mmap, fork, split): shm_open() of ipc/shm.c. */
static void kipcm_region_attach(struct kipcm_region *r)
{
	spin_lock(&r->lock);
	r->nattch++;
	r->atime = ktime_get_real_seconds();
	r->lpid = task_tgid_vnr(current);
	spin_unlock(&r->lock);
}

/* The VMA's file is a region fd's: it holds the region while we run. */
static void kipcm_region_vm_open(struct vm_area_struct *vma)
{
	kipcm_region_attach(kipcm_file_region(vma->vm_file));
	if (kipcm_region_shmem_ops->open)
		kipcm_region_shmem_ops->open(vma);
}

static void kipcm_region_vm_close(struct vm_area_struct *vma)
{
	struct kipcm_region *r = kipcm_file_region(vma->vm_file);

	if (kipcm_region_shmem_ops->close)
		kipcm_region_shmem_ops->close(vma);
	spin_lock(&r->lock);
	r->nattch--;
	r->dtime = ktime_get_real_seconds();
	r->lpid = task_tgid_vnr(current);
	spin_unlock(&r->lock);
}

static vm_fault_t kipcm_region_fault(struct vm_fault *vmf)
{
	return kipcm_region_shmem_ops->fault(vmf);
}

static vm_fault_t kipcm_region_map_pages(struct vm_fault *vmf, pgoff_t start,
					 pgoff_t end)
{
	/* 0 mapped nothing around: the fault path then does the work. */
	if (!kipcm_region_shmem_ops->map_pages)
		return 0;
	return kipcm_region_shmem_ops->map_pages(vmf, start, end);
}

/*
 * What ipc/shm.c's shm_vm_ops does, less the NUMA policy calls, whose
 * signatures differ between our kernels: mbind() on a kipc mapping sets
 * the mapping's policy, not a shared one.
 */
static const struct vm_operations_struct kipcm_region_vm_ops = {
	.open		= kipcm_region_vm_open,	/* fork, split */
	.close		= kipcm_region_vm_close,	/* munmap, exit */
	.fault		= kipcm_region_fault,
	.map_pages	= kipcm_region_map_pages,
};

/* Put our vm_ops on a mapping that shmem has just set up. */
static int kipcm_region_wrap_vm_ops(struct vm_area_struct *vma)
{
	int ret = 0;

	mutex_lock(&kipcm_region_vm_ops_lock);
	if (!kipcm_region_shmem_ops && vma->vm_ops && vma->vm_ops->fault) {
		kipcm_region_shmem_ops = vma->vm_ops;
	} else if (vma->vm_ops != kipcm_region_shmem_ops) {
		/* Every region is the same kind of shmem file: never seen. */
		pr_err_once("shmem gave different vm_ops: refusing to map\n");
		ret = -ENODEV;
	}
	mutex_unlock(&kipcm_region_vm_ops_lock);
	if (!ret)
		vma->vm_ops = &kipcm_region_vm_ops;
	return ret;
}

/*
 * A mapping that may never be made writable, as seal_check_write() makes
 * one: without VM_MAYWRITE, core does not count it in i_mmap_writable.
 */
static void kipcm_vma_make_readonly(struct vm_area_struct *vma)
{
#ifdef KIPC_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

static int kipcm_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipcm_region *r = kipcm_file_region(file);
	unsigned long len = vma_pages(vma);
	u32 seals;
	int ret;

	/* SysV maps only shared; a private copy is no shared memory. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* Within the region, whole pages, as shmat() maps them. */
	if (vma->vm_pgoff >= r->pages || len > r->pages - vma->vm_pgoff)
		return -EINVAL;

	spin_lock(&r->lock);
	seals = r->seals;
	spin_unlock(&r->lock);
	/*
	 * The write seals, as seal_check_future_write(): no new writable
	 * mapping, and no mprotect() to writable later either.
	 */
	if (seals & (KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		kipcm_vma_make_readonly(vma);
	}

	/* Shmem sets the mapping up; @file is a file of its inode. */
	ret = r->shmem->f_op->mmap(file, vma);
	if (!ret)
		ret = kipcm_region_wrap_vm_ops(vma);
	if (ret)
		return ret;
	kipcm_region_attach(r);
	return 0;
}

static long kipcm_region_doorbell_wait(struct kipcm_region_file *rf,
				       struct kipc_shm_doorbell *db)
{
	struct kipcm_region *r = rf->region;
	u64 seen = db->seq;
	long ret;

#define kipcm_bell_moved() (atomic64_read(&r->doorbell) != seen)
	if (db->timeout_ns < 0) {
		ret = wait_event_interruptible(r->bell, kipcm_bell_moved());
	} else {
		ret = wait_event_interruptible_hrtimeout(r->bell,
							 kipcm_bell_moved(),
							 ns_to_ktime(db->timeout_ns));
		/* A timed wait must not restart with its whole timeout. */
		if (ret == -ETIME)
			ret = -ETIMEDOUT;
		else if (ret == -ERESTARTSYS)
			ret = -EINTR;
	}
#undef kipcm_bell_moved
	if (ret)
		return ret;
	db->seq = atomic64_read(&r->doorbell);
	WRITE_ONCE(rf->bell_seen, db->seq);
	return 0;
}

static long kipcm_region_add_seals(struct file *file, u32 seals)
{
	struct kipcm_region *r = kipcm_file_region(file);
	struct inode *inode = file_inode(r->shmem);
	int ret = 0;

	/* memfd_add_seals()'s order. */
	if (!(file->f_mode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~KIPC_SEALS_ALL)
		return -EINVAL;

	/* The inode lock serialises sealing, as memfd_add_seals() does. */
	inode_lock(inode);
	spin_lock(&r->lock);
	if (r->seals & KIPC_SEAL_SEAL) {
		ret = -EPERM;
	} else if ((seals & KIPC_SEAL_WRITE) &&
		   !(r->seals & KIPC_SEAL_WRITE)) {
		/* Refused while writable shared mappings exist, then for good. */
		ret = mapping_deny_writable(r->shmem->f_mapping);
	}
	if (!ret)
		r->seals |= seals;
	spin_unlock(&r->lock);
	/*
	 * The write seals go to the shmem inode too (not KIPC_SEAL_SEAL:
	 * shmem's F_SEAL_SEAL is set from the start, so that fcntl() on a
	 * region fd cannot seal behind our back).  Then do_mmap() makes a
	 * read-only mapping of a write-sealed region unable to turn
	 * writable, as for a memfd.
	 */
	if (!ret)
		SHMEM_I(inode)->seals |= seals & (KIPC_SEAL_WRITE |
						  KIPC_SEAL_FUTURE_WRITE);
	inode_unlock(inode);
	return ret;
}

static long kipcm_region_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kipcm_region_file *rf = file->private_data;
	struct kipcm_region *r = rf->region;
	void __user *argp = (void __user *)arg;
	struct kipc_shm_doorbell db;
	struct kipc_shm_seals s;
	long ret;

	switch (cmd) {
	case KIPC_IOC_SHM_WAKE:
	case KIPC_IOC_SHM_WAIT:
		if (copy_from_user(&db, argp, sizeof(db)))
			return -EFAULT;
		if (!kipcm_reserved_zero(db.__reserved,
					 ARRAY_SIZE(db.__reserved)))
			return -EINVAL;
		if (cmd == KIPC_IOC_SHM_WAKE) {
			db.seq = atomic64_inc_return(&r->doorbell);
			wake_up_interruptible_all(&r->bell);
		} else {
			ret = kipcm_region_doorbell_wait(rf, &db);
			if (ret)
				return ret;
		}
		return copy_to_user(argp, &db, sizeof(db)) ? -EFAULT : 0;

	case KIPC_IOC_SHM_ADD_SEALS:
		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		if (s.__reserved0 ||
		    !kipcm_reserved_zero(s.__reserved, ARRAY_SIZE(s.__reserved)))
			return -EINVAL;
		return kipcm_region_add_seals(file, s.seals);

	case KIPC_IOC_SHM_GET_SEALS:
		memset(&s, 0, sizeof(s));
		spin_lock(&r->lock);
		s.seals = r->seals;
		spin_unlock(&r->lock);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

/* POLLIN once the doorbell moved past what this fd last waited for. */
static __poll_t kipcm_region_poll(struct file *file, poll_table *wait)
{
	struct kipcm_region_file *rf = file->private_data;
	struct kipcm_region *r = rf->region;

	poll_wait(file, &r->bell, wait);
	if (atomic64_read(&r->doorbell) != READ_ONCE(rf->bell_seen))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static void kipcm_region_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct kipcm_region *r = kipcm_file_region(file);
	struct kipc_shm_stat st;

	kipcm_region_to_stat(r, &st);
	seq_printf(m, "kipc-shm-id:\t%d\n", st.id);
	seq_printf(m, "kipc-shm-size:\t%llu\n", st.size);
	seq_printf(m, "kipc-shm-nattch:\t%llu\n", st.nattch);
	seq_printf(m, "kipc-shm-seals:\t%#x\n", st.seals);
	seq_printf(m, "kipc-shm-doorbell:\t%llu\n", st.doorbell);
}

static int kipcm_region_release(struct inode *inode, struct file *file)
{
	struct kipcm_region_file *rf = file->private_data;

	kipcm_region_put(rf->region);
	kfree(rf);
	return 0;
}

static const struct file_operations kipcm_region_fops = {
	.owner		= THIS_MODULE,
	.mmap		= kipcm_region_mmap,
	.poll		= kipcm_region_poll,
	.unlocked_ioctl	= kipcm_region_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= kipcm_region_show_fdinfo,
	.release	= kipcm_region_release,
};

/*
 * The shmem inode's own file_operations: what an open by path gets, as
 * no_open() of fs/inode.c gives an anonymous inode.  Region fds are made
 * by kipcm_region_alloc_file() with kipcm_region_fops and never come
 * through here.
 */
static int kipcm_region_no_open(struct inode *inode, struct file *file)
{
	return -ENXIO;
}

static const struct file_operations kipcm_region_no_open_fops = {
	.owner		= THIS_MODULE,
	.open		= kipcm_region_no_open,
};

/* /sys/kernel/debug/kipc/shm: the columns of /proc/sysvipc/shm. */
static int kipcm_region_table_show(struct seq_file *m, void *unused)
{
	struct kipc_shm_stat st;
	struct kipcm_region *r;
	int id;

	seq_puts(m, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
	mutex_lock(&kipcm_regions_lock);
	idr_for_each_entry(&kipcm_regions, r, id) {
		kipcm_region_to_stat(r, &st);
		seq_printf(m, "%10lld %10d  %4o %21llu %5d %5d  %5llu %5u %5u %5u %5u %10lld %10lld %10lld %21lu %21lu\n",
			   st.key, st.id, st.mode, st.size, st.cpid, st.lpid,
			   st.nattch, st.uid, st.gid, st.cuid, st.cgid,
			   st.atime, st.dtime, st.ctime,
			   r->shmem->f_mapping->nrpages << PAGE_SHIFT, 0UL);
	}
	mutex_unlock(&kipcm_regions_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kipcm_region_table);

void kipcm_region_fill_stats(struct kipc_stats *st)
{
	mutex_lock(&kipcm_regions_lock);
	st->regions = kipcm_nr_regions;
	st->region_pages = kipcm_region_pages;
	mutex_unlock(&kipcm_regions_lock);
}

int kipcm_region_init(struct dentry *debugfs_dir)
{
	if (debugfs_dir)
		kipcm_region_debugfs = debugfs_create_file("shm", 0444, debugfs_dir,
							   NULL,
						       &kipcm_region_table_fops);
	return 0;
}

void kipcm_region_exit(void)
{
	debugfs_remove(kipcm_region_debugfs);
	/* Every region pins the module: none is left to free here. */
	idr_destroy(&kipcm_regions);
}
