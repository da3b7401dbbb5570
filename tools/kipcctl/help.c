// SPDX-License-Identifier: GPL-2.0
/*
 * help.c: the usage of kipcctl and of each command, printed by --help,
 * by `kipcctl help COMMAND` and by `kipcctl COMMAND --help` alike.
 * kipcctl(1) says the same at length.
 */
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

struct help {
	const char *cmd;	/* NULL: kipcctl itself */
	const char *text;
};

#define HELP_OPT	" -h, --help             display this help\n"
#define JSON_OPT	" -J, --json             use JSON output format\n"

static const struct help helps[] = {
	{ NULL,
	  "Usage:\n"
	  " kipcctl [options] COMMAND [ARG...]\n"
	  "\n"
	  "Create, list and remove kipc channels and regions.\n"
	  "\n"
	  "Commands:\n"
	  " mkchan NAME            create the named channel /dev/kipc/NAME (like mkfifo)\n"
	  " rmchan NAME...         remove named channels\n"
	  " ls                     list named channels and the totals\n"
	  " shm ls                 list regions (like ipcs -m)\n"
	  " shm stat ID            show everything about one region\n"
	  " shm rm ID...           remove regions by id (like ipcrm -m)\n"
	  " shm rmkey KEY...       remove regions by key (like ipcrm -M)\n"
	  " shm mk SIZE            create a region and print its id (like ipcmk -M)\n"
	  " stats                  module-wide counters\n"
	  " help [COMMAND]         display the help of a command\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT
	  " -V, --version          display the versions of kipcctl, libkipc,\n"
	  "                        the ABI and the loaded module\n"
	  "\n"
	  "Each command has its own options: kipcctl COMMAND --help.\n"
	  "Exit status: 0 on success, 1 if anything failed, 2 on usage errors.\n"
	  "See kipcctl(1).\n" },
	{ "mkchan",
	  "Usage:\n"
	  " kipcctl mkchan [options] NAME\n"
	  "\n"
	  "Create the named channel /dev/kipc/NAME, which opens like a FIFO.\n"
	  "NAME is 1 to 255 of A-Z a-z 0-9 . _ -, and not \".\", \"..\" or \"control\".\n"
	  "\n"
	  "Options:\n"
	  " -m, --mode MODE        permissions, octal (default 0666, less the umask)\n"
	  " -c, --capacity BYTES   capacity, 4096 to 1G, with an optional K, M or G\n"
	  "                        (default: the module's default_capacity)\n"
	  "     --mapped           a mapped channel: its ends can also mmap its ring;\n"
	  "                        the capacity is a power of two number of pages\n"
	  "     --message          a message channel: each write is one message, each\n"
	  "                        read takes one whole; not with --mapped\n"
	  HELP_OPT },
	{ "rmchan",
	  "Usage:\n"
	  " kipcctl rmchan [options] NAME...\n"
	  "\n"
	  "Remove named channels; only the owner or CAP_SYS_ADMIN may.\n"
	  "Open file descriptors keep working.\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT },
	{ "ls",
	  "Usage:\n"
	  " kipcctl ls [options]\n"
	  "\n"
	  "List named channels: owner, mode, kind (byte, mapped or message),\n"
	  "capacity, queued bytes, queued messages, readers, writers and byte\n"
	  "totals; then the module-wide totals.\n"
	  "\n"
	  "Options:\n"
	  JSON_OPT
	  HELP_OPT },
	{ "shm",
	  "Usage:\n"
	  " kipcctl shm ls [options]\n"
	  " kipcctl shm stat ID\n"
	  " kipcctl shm rm ID...\n"
	  " kipcctl shm rmkey KEY...\n"
	  " kipcctl shm mk [options] SIZE\n"
	  "\n"
	  "Regions: kipc's shared memory, with System V's lifecycle.\n"
	  "\n"
	  "Commands:\n"
	  " ls                     list regions (like ipcs -m)\n"
	  " stat ID                show everything about one region\n"
	  " rm ID...               remove regions by id (like ipcrm -m)\n"
	  " rmkey KEY...           remove regions by key (like ipcrm -M)\n"
	  " mk SIZE                create a region and print its id (like ipcmk -M)\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT
	  "\n"
	  "Each command has its own options: kipcctl shm COMMAND --help.\n" },
	{ "shm ls",
	  "Usage:\n"
	  " kipcctl shm ls [options]\n"
	  "\n"
	  "List the regions the caller may read, as ipcs -m.\n"
	  "\n"
	  "Options:\n"
	  JSON_OPT
	  HELP_OPT },
	{ "shm stat",
	  "Usage:\n"
	  " kipcctl shm stat [options] ID\n"
	  "\n"
	  "Show every field of one region.\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT },
	{ "shm rm",
	  "Usage:\n"
	  " kipcctl shm rm [options] ID...\n"
	  "\n"
	  "Remove regions by id, as ipcrm -m: a region goes with its last file\n"
	  "descriptor and mapping; its key is free at once.\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT },
	{ "shm rmkey",
	  "Usage:\n"
	  " kipcctl shm rmkey [options] KEY...\n"
	  "\n"
	  "Remove regions by key (decimal, or hexadecimal with 0x), as ipcrm -M.\n"
	  "\n"
	  "Options:\n"
	  HELP_OPT },
	{ "shm mk",
	  "Usage:\n"
	  " kipcctl shm mk [options] SIZE\n"
	  "\n"
	  "Create a region of SIZE bytes (K, M, G suffixes) and print its id,\n"
	  "as ipcmk -M.\n"
	  "\n"
	  "Options:\n"
	  " -k, --key KEY          key, decimal or 0x hexadecimal (default: private)\n"
	  " -m, --mode MODE        permissions, octal, not masked by the umask\n"
	  "                        (default 0644)\n"
	  HELP_OPT },
	{ "stats",
	  "Usage:\n"
	  " kipcctl stats [options]\n"
	  "\n"
	  "Print the module-wide counters.\n"
	  "\n"
	  "Options:\n"
	  JSON_OPT
	  HELP_OPT },
	{ "help",
	  "Usage:\n"
	  " kipcctl help [COMMAND]\n"
	  "\n"
	  "Display the help of kipcctl, or of COMMAND (\"mkchan\", \"shm mk\"...),\n"
	  "as kipcctl COMMAND --help does.\n" },
};

static const struct help *help_find(const char *cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(helps); i++)
		if (cmd ? helps[i].cmd && !strcmp(helps[i].cmd, cmd) :
			  !helps[i].cmd)
			return &helps[i];
	return NULL;
}

bool kipcctl_help_known(const char *cmd)
{
	return help_find(cmd) != NULL;
}

void kipcctl_help(const char *cmd)
{
	const struct help *h = help_find(cmd);

	fputs(h ? h->text : helps[0].text, stdout);
	exit(fflush(stdout) ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK);
}
