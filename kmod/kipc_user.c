// SPDX-License-Identifier: GPL-2.0
/*
 * kipc users: what each user holds, so that no unprivileged user can take
 * what the module has for everybody.
 *
 * A user is a real uid, as for the kernel's own per-user counts (pipe
 * buffers, message queues and processes live in struct user_struct, keyed
 * the same way); but in a user namespace, the uid that owns the outermost
 * one, as rlimits are counted up the namespace tree: the 65536 uids of a
 * container are one user here, not 65536 shares.  Three things are
 * counted:
 *
 *  - channel memory in bytes (rings and packet tables), with the pipe's
 *    two limits: over user_soft_bytes new rings get the pipe's minimum and
 *    capacities may not grow, over user_max_bytes new rings are refused;
 *  - named channels, at most user_max_channels each;
 *  - regions, at most user_shm_mni each.
 *
 * Tasks with CAP_SYS_RESOURCE or CAP_SYS_ADMIN are held to none of these,
 * as pipe_is_unprivileged_user() exempts them from the pipe's.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "kipc.h"

/**
 * struct kipcm_user - what one user holds
 * @node: on kipcm_users, under kipcm_users_lock
 * @uid: the real uid (immutable)
 * @ref: one per object that charged this user
 * @bytes: channel memory charged, in bytes
 * @chans: named channels created
 * @regions: regions created
 *
 * The counts are atomic: a charge is a single add-and-test, and refunds
 * come from release paths that hold no common lock.
 */
struct kipcm_user {
	struct list_head node;
	kuid_t uid;
	refcount_t ref;
	atomic_long_t bytes;
	atomic_t chans;
	atomic_t regions;
};

static LIST_HEAD(kipcm_users);
static DEFINE_SPINLOCK(kipcm_users_lock);	/* guards kipcm_users */

/* Who pays for the calling task: see the top of this file. */
static kuid_t kipcm_user_uid(void)
{
	const struct user_namespace *ns = current_user_ns();
	kuid_t uid = current_uid();

	for (; ns != &init_user_ns; ns = ns->parent)
		uid = ns->owner;
	return uid;
}

/**
 * kipcm_user_get - the record of the user the calling task charges
 *
 * Return: a reference, or NULL when out of memory.
 */
struct kipcm_user *kipcm_user_get(void)
{
	struct kipcm_user *user, *new = NULL;
	kuid_t uid = kipcm_user_uid();

	/* A new record is allocated only when the uid has none yet. */
	for (;;) {
		spin_lock(&kipcm_users_lock);
		list_for_each_entry(user, &kipcm_users, node) {
			if (uid_eq(user->uid, uid)) {
				refcount_inc(&user->ref);
				spin_unlock(&kipcm_users_lock);
				kfree(new);
				return user;
			}
		}
		if (new)
			break;
		spin_unlock(&kipcm_users_lock);
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return NULL;
	}
	new->uid = uid;
	refcount_set(&new->ref, 1);
	list_add(&new->node, &kipcm_users);
	spin_unlock(&kipcm_users_lock);
	return new;
}

void kipcm_user_put(struct kipcm_user *user)
{
	spin_lock(&kipcm_users_lock);
	if (!refcount_dec_and_test(&user->ref)) {
		spin_unlock(&kipcm_users_lock);
		return;
	}
	list_del(&user->node);
	spin_unlock(&kipcm_users_lock);
	kfree(user);
}

/* pipe_is_unprivileged_user(), inverted. */
bool kipcm_user_privileged(void)
{
	return capable(CAP_SYS_RESOURCE) || capable(CAP_SYS_ADMIN);
}

/**
 * kipcm_user_charge_bytes - charge channel memory before allocating it
 * @user: who pays
 * @bytes: how much
 * @grow: true when an existing channel grows (F_SETPIPE_SZ's rule)
 *
 * As pipes since 4.9: the charge comes first and is taken back on
 * failure.  A new ring is refused only over the hard limit; growing is
 * refused over either limit.  Privileged tasks pass.
 *
 * Return: true if charged.
 */
bool kipcm_user_charge_bytes(struct kipcm_user *user, u64 bytes, bool grow)
{
	unsigned long hard = READ_ONCE(kipcm_user_max_bytes);
	unsigned long soft = READ_ONCE(kipcm_user_soft_bytes);
	long now = atomic_long_add_return(bytes, &user->bytes);
	bool over = (hard && now > hard) || (grow && soft && now > soft);

	if (over && !kipcm_user_privileged()) {
		atomic_long_sub(bytes, &user->bytes);
		return false;
	}
	return true;
}

/*
 * Count memory that is never refused: what an existing channel needs on
 * the data path (its packet table, 1/256 of its ring), where a capability
 * check would judge whoever happens to write rather than the payer.
 */
void kipcm_user_add_bytes(struct kipcm_user *user, u64 bytes)
{
	atomic_long_add(bytes, &user->bytes);
}

void kipcm_user_uncharge_bytes(struct kipcm_user *user, u64 bytes)
{
	atomic_long_sub(bytes, &user->bytes);
}

/**
 * kipcm_user_soft_capacity - the capacity a new ring may have
 * @user: who would pay
 * @capacity: what was asked for
 *
 * alloc_pipe_info()'s rule: once an unprivileged user's channel memory
 * would pass user_soft_bytes, a new ring gets only the pipe's minimum
 * (two pages) instead of failing.
 *
 * Return: @capacity, or the minimum if that is smaller.
 */
u64 kipcm_user_soft_capacity(struct kipcm_user *user, u64 capacity)
{
	unsigned long soft = READ_ONCE(kipcm_user_soft_bytes);
	u64 min = KIPC_SOFT_CAPACITY;

	if (capacity <= min || !soft ||
	    atomic_long_read(&user->bytes) + capacity <= soft ||
	    kipcm_user_privileged())
		return capacity;
	return min;
}

/*
 * One more object against a per-user share; @limit 0 means none.  The
 * global limit is the caller's, checked first as its errno comes first.
 */
static bool kipcm_user_take(atomic_t *count, unsigned int limit)
{
	if (atomic_inc_return(count) <= limit || !limit ||
	    kipcm_user_privileged())
		return true;
	atomic_dec(count);
	return false;
}

bool kipcm_user_add_chan(struct kipcm_user *user)
{
	return kipcm_user_take(&user->chans, READ_ONCE(kipcm_user_max_channels));
}

void kipcm_user_sub_chan(struct kipcm_user *user)
{
	atomic_dec(&user->chans);
}

bool kipcm_user_add_region(struct kipcm_user *user)
{
	return kipcm_user_take(&user->regions, READ_ONCE(kipcm_user_shm_mni));
}

void kipcm_user_sub_region(struct kipcm_user *user)
{
	atomic_dec(&user->regions);
}
