// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c: the module as a whole: its counters (stats) and the versions
 * of everything kipcctl talks to (--version).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libkipc.h>

#include "kipcctl.h"

/* 0, or -1 after a message. */
/* The module's counters, through a control fd of its own: 0, or -1 said. */
int kipcctl_get_stats(struct kipc_stats *st)
{
	int ctl = kipcctl_open_control();
	int ret = 0;

	if (ctl < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	if (ioctl(ctl, KIPC_IOC_STATS, st)) {
		kipcctl_warn("cannot read kipc statistics: %s",
			     strerror(errno));
		ret = -1;
	}
	close(ctl);
	return ret;
}

/*
 * The counters in the order of the text output, whose labels scripts
 * read with sed (see scripts/demo.sh): keep them.
 */
static const struct {
	const char *label;	/* text */
	const char *key;	/* JSON */
	size_t offset;
} stat_fields[] = {
	{ "channels", "channels", offsetof(struct kipc_stats, chans) },
	{ "named channels", "named_channels",
	  offsetof(struct kipc_stats, named_chans) },
	{ "channels created", "channels_created",
	  offsetof(struct kipc_stats, chans_created) },
	{ "bytes written", "bytes_written",
	  offsetof(struct kipc_stats, bytes_written) },
	{ "bytes read", "bytes_read", offsetof(struct kipc_stats, bytes_read) },
	{ "regions", "regions", offsetof(struct kipc_stats, regions) },
	{ "region pages", "region_pages",
	  offsetof(struct kipc_stats, region_pages) },
};
#define NR_STAT_FIELDS	(ARRAY_SIZE(stat_fields))

static uint64_t stat_value(const struct kipc_stats *st, size_t i)
{
	__u64 v;

	memcpy(&v, (const char *)st + stat_fields[i].offset, sizeof(v));
	return v;
}

static int stats_json(const struct kipc_stats *st)
{
	json_object *root = json_object_new_object();
	int ret = 0;
	size_t i;

	if (!root) {
		kipcctl_warn("out of memory");
		return KIPCCTL_EXIT_FAILURE;
	}
	for (i = 0; i < NR_STAT_FIELDS; i++)
		ret |= kipcctl_json_u64(root, stat_fields[i].key,
					stat_value(st, i));
	if (ret) {
		json_object_put(root);
		kipcctl_warn("out of memory");
		return KIPCCTL_EXIT_FAILURE;
	}
	return kipcctl_json_print(root);
}

int kipcctl_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct kipc_stats st;
	bool json = false;
	int c;
	size_t i;

	while ((c = kipcctl_getopt(argc, argv, "stats", "Jh",
				   longopts)) != -1) {
		if (c == 'h')
			kipcctl_help("stats");
		json = true;
	}
	kipcctl_operands("stats", argc, argv, 0, NULL);
	if (kipcctl_get_stats(&st))
		return KIPCCTL_EXIT_FAILURE;
	if (json)
		return stats_json(&st);
	for (i = 0; i < NR_STAT_FIELDS; i++) {
		char label[32];

		snprintf(label, sizeof(label), "%s:", stat_fields[i].label);
		printf("%-19s%llu\n", label,
		       (unsigned long long)stat_value(&st, i));
	}
	return KIPCCTL_EXIT_OK;
}

/*
 * kipcctl's version, libkipc's, the ABI kipcctl was built for and what
 * the loaded module reports.  A missing module is not an error here: the
 * point may be to find out whether it is there.
 */
int kipcctl_version(void)
{
	struct kipc_module_version mv;
	int ret;

	printf("kipcctl %s\n", KIPC_VERSION);
	printf("libkipc %s\n", kipc_library_version());
	printf("built for kipc ABI %d\n", KIPC_ABI_VERSION);
	ret = kipc_module_get_version(&mv);
	if (ret == -ENODEV)
		printf("kipc module not loaded\n");
	else if (ret)
		printf("kipc module unknown: %s\n", kipc_strerror(ret));
	else
		printf("kipc module %u.%u.%u, ABI %u%s\n", mv.major, mv.minor,
		       mv.patch, mv.abi,
		       mv.abi < KIPC_ABI_VERSION ?
		       " (older than kipcctl's: some commands may fail)" : "");
	return fflush(stdout) ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK;
}
