// SPDX-License-Identifier: GPL-2.0
/*
 * Test module for kipc-vm: WARNs while loading, so that the runner's kernel
 * report scan has something to find.  With warn=0 it loads cleanly, which
 * checks that module parameters reach the guest.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool warn = true;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN_ON(1) in module init (default: Y)");

static int __init warn_on_load_init(void)
{
	WARN_ON(warn);
	return 0;
}

static void __exit warn_on_load_exit(void)
{
}

module_init(warn_on_load_init);
module_exit(warn_on_load_exit);

MODULE_DESCRIPTION("kipc-vm self-test: WARN on load");
MODULE_LICENSE("GPL");
