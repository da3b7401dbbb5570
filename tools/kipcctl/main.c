// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the mkfifo, ipcs, ipcmk and ipcrm of kipc.
 *
 *	kipcctl mkchan NAME [--mode MODE] [--capacity BYTES]
 *		[--mapped | --message]
 *	kipcctl rmchan NAME...
 *	kipcctl ls [--json]
 *	kipcctl shm ls [--json] | stat ID | rm ID... | rmkey KEY...
 *	kipcctl shm mk SIZE [--key KEY] [--mode MODE]
 *	kipcctl stats [--json]
 *	kipcctl help [COMMAND]
 *
 * kipcctl.h says which file holds what; kipcctl(1) documents it all.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

/* kipcctl help [COMMAND [SUBCOMMAND]]: as COMMAND --help. */
static int help_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char cmd[64], q[64];
	int c;

	while ((c = kipcctl_getopt(argc, argv, "help", "h", longopts)) != -1)
		if (c == 'h')
			kipcctl_help("help");
	if (optind == argc)
		kipcctl_help(NULL);
	if (argc - optind > 2)
		kipcctl_usage_error("help", "unexpected argument '%s'",
				    kipcctl_quote(argv[optind + 2], q,
						  sizeof(q)));
	snprintf(cmd, sizeof(cmd), "%s%s%s", argv[optind],
		 argc - optind == 2 ? " " : "",
		 argc - optind == 2 ? argv[optind + 1] : "");
	if (!kipcctl_help_known(cmd))
		kipcctl_usage_error("help", "unknown command '%s'",
				    kipcctl_quote(cmd, q, sizeof(q)));
	kipcctl_help(cmd);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "mkchan", kipcctl_mkchan },
	{ "rmchan", kipcctl_rmchan },
	{ "ls", kipcctl_ls },
	{ "shm", kipcctl_shm },
	{ "stats", kipcctl_stats },
	{ "help", help_cmd },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char q[64];
	size_t i;
	int c;

	/* Options before the command only; each command parses its own. */
	while ((c = kipcctl_getopt(argc, argv, NULL, "+hV", longopts)) != -1) {
		if (c == 'h')
			kipcctl_help(NULL);
		return kipcctl_version();
	}
	if (optind == argc)
		kipcctl_usage_error(NULL, "no command given");

	argc -= optind;
	argv += optind;
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		/* glibc: 0 starts getopt afresh on the command's argv. */
		optind = 0;
		return commands[i].run(argc, argv);
	}
	kipcctl_usage_error(NULL, "unknown command '%s'",
			    kipcctl_quote(argv[0], q, sizeof(q)));
}
