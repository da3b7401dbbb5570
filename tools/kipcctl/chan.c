// SPDX-License-Identifier: GPL-2.0
/*
 * chan.c: named channels, made and removed through the control device:
 * mkchan and rmchan.  ls.c lists them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kipcctl.h"

/* A name in a message: every byte of the longest one, escaped. */
#define NAME_QUOTED	(4 * KIPC_NAME_MAX + 4)

/* Long options without a short form: values no character has. */
enum {
	OPT_MAPPED = 0x100,
	OPT_MESSAGE,
};

int kipcctl_mkchan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "mapped", no_argument, NULL, OPT_MAPPED },
		{ "message", no_argument, NULL, OPT_MESSAGE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char why[KIPCCTL_WHY_MAX], q[NAME_QUOTED];
	struct kipc_chan_name req;
	unsigned int mode = 0666;
	uint32_t flags = 0;
	uint64_t capacity = 0;
	int c, ctl, err = 0;
	const char *name;

	while ((c = kipcctl_getopt(argc, argv, "mkchan", "m:c:h",
				   longopts)) != -1) {
		switch (c) {
		case 'm':
			if (!kipcctl_parse_mode(optarg, &mode, why, sizeof(why)))
				kipcctl_usage_error("mkchan", "invalid mode '%s': %s",
						    kipcctl_quote(optarg, q, sizeof(q)),
						    why);
			break;
		case 'c':
			if (!kipcctl_parse_bytes(optarg, &capacity, why,
						 sizeof(why)))
				kipcctl_usage_error("mkchan", "invalid capacity '%s': %s",
						    kipcctl_quote(optarg, q, sizeof(q)),
						    why);
			break;
		case OPT_MAPPED:
			flags |= KIPC_CHAN_F_MAPPED;
			break;
		case OPT_MESSAGE:
			flags |= KIPC_CHAN_F_MESSAGE;
			break;
		case 'h':
			kipcctl_help("mkchan");
		}
	}
	/* The module refuses the two together too (EINVAL): name the rule. */
	if ((flags & KIPC_CHAN_F_MAPPED) && (flags & KIPC_CHAN_F_MESSAGE))
		kipcctl_usage_error("mkchan",
				    "--mapped and --message cannot be combined: a message channel has no ring to map");
	kipcctl_operands("mkchan", argc, argv, 1, "no channel name given");

	name = argv[optind];
	kipcctl_quote(name, q, sizeof(q));
	if (!kipcctl_chan_name_ok(name, why, sizeof(why)) ||
	    !kipcctl_capacity_ok(capacity, why, sizeof(why)) ||
	    ((flags & KIPC_CHAN_F_MAPPED) &&
	     !kipcctl_mapped_capacity_ok(capacity, why, sizeof(why)))) {
		kipcctl_warn("cannot create channel '%s': %s", q, why);
		return KIPCCTL_EXIT_FAILURE;
	}

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.mode = mode;
	req.flags = flags;
	req.capacity = capacity;
	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	if (ioctl(ctl, KIPC_IOC_CHAN_CREATE, &req)) {
		err = errno;
		kipcctl_explain_chan_create(err, ctl, flags, capacity, why,
					    sizeof(why));
		kipcctl_warn("cannot create channel '%s': %s", q, why);
	}
	close(ctl);
	return err ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK;
}

int kipcctl_rmchan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char why[KIPCCTL_WHY_MAX], q[NAME_QUOTED];
	int c, i, ctl = -1, rc = KIPCCTL_EXIT_OK;

	while ((c = kipcctl_getopt(argc, argv, "rmchan", "h",
				   longopts)) != -1)
		if (c == 'h')
			kipcctl_help("rmchan");
	if (optind == argc)
		kipcctl_usage_error("rmchan", "no channel name given");

	for (i = optind; i < argc; i++) {
		struct kipc_chan_name req;

		kipcctl_quote(argv[i], q, sizeof(q));
		if (!kipcctl_chan_name_ok(argv[i], why, sizeof(why))) {
			kipcctl_warn("cannot remove channel '%s': %s", q, why);
			rc = KIPCCTL_EXIT_FAILURE;
			continue;
		}
		/* Opened at the first valid name, for one message if absent. */
		if (ctl < 0) {
			ctl = kipcctl_open_control();
			if (ctl < 0)
				return KIPCCTL_EXIT_FAILURE;
		}
		memset(&req, 0, sizeof(req));
		strcpy(req.name, argv[i]);
		if (ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &req)) {
			kipcctl_explain_chan_remove(errno, why, sizeof(why));
			kipcctl_warn("cannot remove channel '%s': %s", q, why);
			rc = KIPCCTL_EXIT_FAILURE;
		}
	}
	if (ctl >= 0)
		close(ctl);
	return rc;
}
