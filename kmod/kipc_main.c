// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: pipes, FIFOs and shared memory served by a character device.
 *
 * This file owns the module and its control device, /dev/kipc/control,
 * through which user space creates the objects:
 *
 *	ctl = open("/dev/kipc/control", O_RDWR | O_CLOEXEC);
 *	ioctl(ctl, KIPC_IOC_VERSION, &v);
 *	ioctl(ctl, KIPC_IOC_CHAN_PAIR, &pair);		// kipc_chan.c
 *
 * The objects themselves live in kipc_chan.c (channels) and kipc_region.c
 * (shared-memory regions).  Debugging tables go under
 * /sys/kernel/debug/kipc/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include <linux/kipc.h>

#include "kipc.h"

unsigned long kipcm_default_capacity = 64 * 1024;
module_param_named(default_capacity, kipcm_default_capacity, ulong, 0644);
MODULE_PARM_DESC(default_capacity, "Capacity in bytes of a channel created with capacity 0 (default 65536)");

/* The pipe-max-size of kipc: unprivileged callers cannot go beyond it. */
unsigned long kipcm_max_capacity = 1024 * 1024;
module_param_named(max_capacity, kipcm_max_capacity, ulong, 0644);
MODULE_PARM_DESC(max_capacity, "Largest capacity without CAP_SYS_RESOURCE (default 1048576)");

unsigned int kipcm_max_channels = 1024;
module_param_named(max_channels, kipcm_max_channels, uint, 0644);
MODULE_PARM_DESC(max_channels, "Most named channels at once (default 1024)");

/*
 * The pipe-user-pages-soft and -hard of kipc, in bytes (0: no limit), with
 * the pipe's defaults: 16384 pages soft, no hard limit.  Over the soft
 * limit an unprivileged user's new channels get two pages and may not
 * grow; over the hard one they are refused.
 */
unsigned long kipcm_user_soft_bytes = 16384 * 4096UL;
module_param_named(user_soft_bytes, kipcm_user_soft_bytes, ulong, 0644);
MODULE_PARM_DESC(user_soft_bytes, "Channel memory per user in bytes past which new channels get 8192 bytes, 0 = none (default 67108864)");

unsigned long kipcm_user_max_bytes;
module_param_named(user_max_bytes, kipcm_user_max_bytes, ulong, 0644);
MODULE_PARM_DESC(user_max_bytes, "Channel memory per user in bytes, 0 = unlimited (default 0)");

/*
 * Each user's share of max_channels and shm_mni (0: no share), so that one
 * unprivileged user cannot take them all.
 */
unsigned int kipcm_user_max_channels = 256;
module_param_named(user_max_channels, kipcm_user_max_channels, uint, 0644);
MODULE_PARM_DESC(user_max_channels, "Named channels per user, 0 = no per-user limit (default 256)");

unsigned int kipcm_user_shm_mni = 1024;
module_param_named(user_shm_mni, kipcm_user_shm_mni, uint, 0644);
MODULE_PARM_DESC(user_shm_mni, "Regions per user, 0 = no per-user limit (default 1024)");

/* SysV's defaults (include/uapi/linux/shm.h): effectively unlimited. */
unsigned long kipcm_shm_max = ULONG_MAX - (1UL << 24);
module_param_named(shm_max, kipcm_shm_max, ulong, 0644);
MODULE_PARM_DESC(shm_max, "Largest region in bytes, as kernel.shmmax");

unsigned long kipcm_shm_all = ULONG_MAX - (1UL << 24);
module_param_named(shm_all, kipcm_shm_all, ulong, 0644);
MODULE_PARM_DESC(shm_all, "Pages in all regions at most, as kernel.shmall");

unsigned int kipcm_shm_mni = 4096;
module_param_named(shm_mni, kipcm_shm_mni, uint, 0644);
MODULE_PARM_DESC(shm_mni, "Most regions at once, as kernel.shmmni (default 4096)");

static struct dentry *kipcm_debugfs;

static long kipcm_version_ioctl(void __user *argp)
{
	struct kipc_version v;

	if (copy_from_user(&v, argp, sizeof(v)))
		return -EFAULT;
	if (!kipcm_reserved_zero(v.__reserved, ARRAY_SIZE(v.__reserved)))
		return -EINVAL;

	v.abi = KIPC_ABI_VERSION;
	v.major = KIPC_VERSION_MAJOR;
	v.minor = KIPC_VERSION_MINOR;
	v.patch = KIPC_VERSION_PATCH;
	if (copy_to_user(argp, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long kipcm_stats_ioctl(void __user *argp)
{
	struct kipc_stats st;

	memset(&st, 0, sizeof(st));
	kipcm_chan_fill_stats(&st);
	kipcm_region_fill_stats(&st);
	/*
	 * Exact byte totals tell, on a quiet machine, how much another user
	 * wrote to a private channel: they are for administrators only.
	 */
	if (!has_capability_noaudit(current, CAP_SYS_ADMIN)) {
		st.bytes_written = 0;
		st.bytes_read = 0;
	}
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

static long kipcm_control_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_VERSION:
		return kipcm_version_ioctl(argp);
	case KIPC_IOC_CHAN_PAIR:
		return kipcm_chan_pair_ioctl(argp);
	case KIPC_IOC_CHAN_CREATE:
		return kipcm_chan_create_ioctl(argp);
	case KIPC_IOC_CHAN_REMOVE:
		return kipcm_chan_remove_ioctl(argp);
	case KIPC_IOC_CHAN_OPEN:
		return kipcm_chan_open_ioctl(argp);
	case KIPC_IOC_STATS:
		return kipcm_stats_ioctl(argp);
	case KIPC_IOC_SHM_GET:
		return kipcm_region_get_ioctl(argp);
	case KIPC_IOC_SHM_OPEN:
		return kipcm_region_open_ioctl(argp);
	case KIPC_IOC_SHM_STAT:
		return kipcm_region_stat_ioctl(argp);
	case KIPC_IOC_SHM_SET:
		return kipcm_region_set_ioctl(argp);
	case KIPC_IOC_SHM_RMID:
		return kipcm_region_rmid_ioctl(argp);
	case KIPC_IOC_SHM_LIST:
		return kipcm_region_list_ioctl(argp);
	}
	return -ENOTTY;
}

static const struct file_operations kipcm_control_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= kipcm_control_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * Anyone may create channels and regions: as with pipe() and shmget(), what
 * they may then do is decided per object.
 */
static struct miscdevice kipcm_control_dev = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "kipc",
	.nodename	= "kipc/control",
	.mode		= 0666,
	.fops		= &kipcm_control_fops,
};

static int __init kipcm_init(void)
{
	int ret;

	/* Optional: without debugfs kipc works, minus its tables. */
	kipcm_debugfs = debugfs_create_dir("kipc", NULL);
	if (IS_ERR(kipcm_debugfs))
		kipcm_debugfs = NULL;

	ret = kipcm_chan_init();
	if (ret)
		goto out_remove_debugfs;

	ret = kipcm_region_init(kipcm_debugfs);
	if (ret)
		goto out_chan_exit;

	ret = misc_register(&kipcm_control_dev);
	if (ret) {
		pr_err("failed to register /dev/kipc/control: %d\n", ret);
		goto out_shm_exit;
	}

	pr_info("version %s loaded (ABI %d)\n", KIPC_VERSION_STRING,
		KIPC_ABI_VERSION);
	return 0;

out_shm_exit:
	kipcm_region_exit();
out_chan_exit:
	kipcm_chan_exit();
out_remove_debugfs:
	debugfs_remove(kipcm_debugfs);
	return ret;
}

static void __exit kipcm_exit(void)
{
	misc_deregister(&kipcm_control_dev);
	kipcm_region_exit();
	kipcm_chan_exit();
	debugfs_remove(kipcm_debugfs);
	pr_info("unloaded\n");
}

module_init(kipcm_init);
module_exit(kipcm_exit);

MODULE_DESCRIPTION("Pipes, FIFOs and shared memory served by a character device");
MODULE_AUTHOR("The kipc developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_VERSION_STRING);
