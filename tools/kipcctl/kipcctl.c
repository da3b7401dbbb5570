// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the mkfifo, ipcs and ipcrm of kipc.
 *
 *	kipcctl mkchan NAME [--mode MODE] [--capacity BYTES]
 *	kipcctl rmchan NAME...
 *	kipcctl ls
 *	kipcctl shm ls | stat ID | rm ID... | rmkey KEY...
 *	kipcctl shm mk SIZE [--key KEY] [--mode MODE]
 *	kipcctl stats
 *
 * Named channels are listed from sysfs (/sys/class/kipc/NAME/), regions
 * and totals come from the control device's ioctls.  Anonymous pairs have
 * no name and show up only in the totals.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#define KIPC_CONTROL	"/dev/kipc/control"
#define KIPC_SYSFS	"/sys/class/kipc"
#define KIPCCTL_VERSION	"0.2.0"

static const char *prog = "kipcctl";

static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(2);
}

static void usage(void)
{
	printf("Usage:\n"
	       " %1$s mkchan NAME [--mode MODE] [--capacity BYTES]\n"
	       " %1$s rmchan NAME...\n"
	       " %1$s ls\n"
	       " %1$s shm ls | stat ID | rm ID... | rmkey KEY...\n"
	       " %1$s shm mk SIZE [--key KEY] [--mode MODE]\n"
	       " %1$s stats\n"
	       "\n"
	       "Create, list and remove kipc channels and regions.\n"
	       "\n"
	       "Commands:\n"
	       " mkchan       create the named channel /dev/kipc/NAME (like mkfifo)\n"
	       " rmchan       remove named channels (owner or CAP_SYS_ADMIN)\n"
	       " ls           list named channels with their state and totals\n"
	       " shm ls       list regions (like ipcs -m)\n"
	       " shm stat     show everything about one region\n"
	       " shm rm       remove regions by id (like ipcrm -m)\n"
	       " shm rmkey    remove regions by key (like ipcrm -M)\n"
	       " shm mk       create a region and print its id (like ipcmk -M)\n"
	       " stats        module-wide counters\n"
	       "\n"
	       "Options:\n"
	       " -m, --mode MODE        permissions of a new channel, octal\n"
	       "                        (default 0666, less the umask), or of\n"
	       "                        a new region (default 0644, no umask)\n"
	       " -k, --key KEY          key of a new region (default: private)\n"
	       " -c, --capacity BYTES   capacity of a new channel (default: the\n"
	       "                        module's default_capacity); K, M, G suffixes\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display version\n"
	       "\n"
	       "Exit status: 0 on success, 1 if any item failed, 2 on usage errors.\n"
	       "See kipcctl(1).\n", prog);
	exit(0);
}

static int open_control(void)
{
	int fd = open(KIPC_CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			warnx_("cannot open %s: kipc module not loaded?",
			       KIPC_CONTROL);
		else
			warnx_("cannot open %s: %s", KIPC_CONTROL,
			       strerror(errno));
	}
	return fd;
}

static bool parse_u64(const char *s, uint64_t *out, bool suffixes)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	if (suffixes && *end) {
		unsigned int shift = 0;

		switch (*end) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			return false;
		}
		if (end[1] || v > (ULLONG_MAX >> shift))
			return false;
		v <<= shift;
		end++;
	}
	if (*end)
		return false;
	*out = v;
	return true;
}

static bool parse_mode(const char *s, unsigned int *mode)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || !*s || v > 0777)
		return false;
	*mode = v;
	return true;
}

static int cmd_mkchan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct kipc_chan_name req;
	unsigned int mode = 0666;
	uint64_t cap = 0;
	int c, fd, ret;

	memset(&req, 0, sizeof(req));
	while ((c = getopt_long(argc, argv, "m:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!parse_mode(optarg, &mode))
				usage_error("invalid mode: '%s'", optarg);
			break;
		case 'c':
			if (!parse_u64(optarg, &cap, true))
				usage_error("invalid capacity: '%s'", optarg);
			break;
		case 'h':
			usage();
			break;
		default:
			usage_error("bad usage");
		}
	}
	if (optind != argc - 1)
		usage_error("mkchan takes exactly one NAME");
	if (strlen(argv[optind]) > KIPC_NAME_MAX)
		usage_error("name too long: '%s'", argv[optind]);

	strcpy(req.name, argv[optind]);
	req.mode = mode;
	req.capacity = cap;
	fd = open_control();
	if (fd < 0)
		return 1;
	ret = ioctl(fd, KIPC_IOC_CHAN_CREATE, &req);
	if (ret)
		warnx_("cannot create channel '%s': %s", req.name,
		       errno == EINVAL ? "Invalid name, mode or capacity" :
		       strerror(errno));
	close(fd);
	return ret ? 1 : 0;
}

static int cmd_rmchan(int argc, char **argv)
{
	int i, fd, rc = 0;

	if (argc < 2)
		usage_error("rmchan needs at least one NAME");
	fd = open_control();
	if (fd < 0)
		return 1;
	for (i = 1; i < argc; i++) {
		struct kipc_chan_name req;

		memset(&req, 0, sizeof(req));
		if (strlen(argv[i]) > KIPC_NAME_MAX) {
			warnx_("cannot remove channel '%s': name too long",
			       argv[i]);
			rc = 1;
			continue;
		}
		strcpy(req.name, argv[i]);
		if (ioctl(fd, KIPC_IOC_CHAN_REMOVE, &req)) {
			warnx_("cannot remove channel '%s': %s", argv[i],
			       strerror(errno));
			rc = 1;
		}
	}
	close(fd);
	return rc;
}

static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%u", uid);
	return buf;
}

/*
 * One value of /sys/class/kipc/NAME/ATTR, or -1.  A private channel's
 * counters are readable only by those who may open it: -1 for the others.
 */
static long long sysfs_value(const char *name, const char *attr)
{
	char path[PATH_MAX];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), KIPC_SYSFS "/%s/%s", name, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int get_stats(int fd, struct kipc_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, KIPC_IOC_STATS, st)) {
		warnx_("cannot read kipc statistics: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One line of ls: the owner and mode of the node (so that an administrator
 * finds a user's channels), then the counters, "-" where the caller may
 * not read them.
 */
static void print_chan(const char *name, const char *const attrs[6])
{
	char path[PATH_MAX], ubuf[16], v[6][24];
	struct stat st;
	size_t a;

	snprintf(path, sizeof(path), "/dev/kipc/%s", name);
	for (a = 0; a < 6; a++) {
		long long x = sysfs_value(name, attrs[a]);

		if (x < 0)
			strcpy(v[a], "-");
		else
			snprintf(v[a], sizeof(v[a]), "%lld", x);
	}
	if (stat(path, &st) == 0)
		printf("%-24s %-10s %04o  %10s %10s %7s %7s %14s %14s\n", name,
		       user_name(st.st_uid, ubuf, sizeof(ubuf)),
		       (unsigned int)(st.st_mode & 07777), v[0], v[1], v[2],
		       v[3], v[4], v[5]);
	else
		printf("%-24s %-10s %-5s %10s %10s %7s %7s %14s %14s\n", name,
		       "-", "-", v[0], v[1], v[2], v[3], v[4], v[5]);
}

static int cmd_ls(int argc)
{
	static const char *const attrs[] = {
		"capacity", "queued", "readers", "writers",
		"bytes_read", "bytes_written",
	};
	struct dirent **names;
	struct kipc_stats st;
	int i, n, fd;

	if (argc > 1)
		usage_error("ls takes no arguments");
	fd = open_control();
	if (fd < 0)
		return 1;
	if (get_stats(fd, &st)) {
		close(fd);
		return 1;
	}
	close(fd);

	n = scandir(KIPC_SYSFS, &names, NULL, alphasort);
	if (n < 0) {
		warnx_("cannot read %s: %s", KIPC_SYSFS, strerror(errno));
		return 1;
	}
	printf("%-24s %-10s %-5s %10s %10s %7s %7s %14s %14s\n", "NAME",
	       "OWNER", "MODE", "CAPACITY", "QUEUED", "READERS", "WRITERS",
	       "READ", "WRITTEN");
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.')
			print_chan(names[i]->d_name, attrs);
		free(names[i]);
	}
	free(names);
	printf("\n%" PRIu64 " channels (%" PRIu64 " named, %" PRIu64
	       " anonymous), %" PRIu64 " bytes written, %" PRIu64
	       " bytes read\n", (uint64_t)st.chans, (uint64_t)st.named_chans,
	       (uint64_t)(st.chans - st.named_chans),
	       (uint64_t)st.bytes_written, (uint64_t)st.bytes_read);
	return 0;
}

static int cmd_stats(int argc)
{
	struct kipc_stats st;
	int fd, ret;

	if (argc > 1)
		usage_error("stats takes no arguments");
	fd = open_control();
	if (fd < 0)
		return 1;
	ret = get_stats(fd, &st);
	close(fd);
	if (ret)
		return 1;
	printf("channels:          %llu\n", (unsigned long long)st.chans);
	printf("named channels:    %llu\n", (unsigned long long)st.named_chans);
	printf("channels created:  %llu\n",
	       (unsigned long long)st.chans_created);
	printf("bytes written:     %llu\n",
	       (unsigned long long)st.bytes_written);
	printf("bytes read:        %llu\n", (unsigned long long)st.bytes_read);
	printf("regions:           %llu\n", (unsigned long long)st.regions);
	printf("region pages:      %llu\n",
	       (unsigned long long)st.region_pages);
	return 0;
}

static int shm_stat_id(int fd, int id, struct kipc_shm_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	return ioctl(fd, KIPC_IOC_SHM_STAT, st);
}

/* All region ids; *count is set, the array is malloc'd. */
static int *shm_list(int fd, unsigned int *count)
{
	struct kipc_shm_list req;
	int *ids = NULL;

	for (;;) {
		unsigned int room = ids ? req.count : 0;

		memset(&req, 0, sizeof(req));
		req.ids = (uintptr_t)ids;
		req.nr_ids = room;
		if (ioctl(fd, KIPC_IOC_SHM_LIST, &req)) {
			warnx_("cannot list regions: %s", strerror(errno));
			free(ids);
			return NULL;
		}
		if (ids && req.count <= room) {
			*count = req.count;
			return ids;
		}
		free(ids);
		/* Room for a few more in case some appear meanwhile. */
		ids = calloc(req.count + 16, sizeof(*ids));
		if (!ids) {
			warnx_("out of memory");
			return NULL;
		}
		req.count += 16;
	}
}

static int cmd_shm_ls(int fd)
{
	unsigned int i, count;
	int *ids = shm_list(fd, &count);

	if (!ids)
		return 1;
	printf("%-10s %-10s %-10s %-6s %-12s %-6s %s\n", "key", "shmid",
	       "owner", "perms", "bytes", "nattch", "status");
	for (i = 0; i < count; i++) {
		struct kipc_shm_stat st;
		char ubuf[16];

		/* Gone meanwhile, or not ours to see: as ipcs, skip it. */
		if (shm_stat_id(fd, ids[i], &st))
			continue;
		printf("0x%08llx %-10d %-10s %-6o %-12llu %-6llu %s\n",
		       (unsigned long long)st.key, st.id,
		       user_name(st.uid, ubuf, sizeof(ubuf)), st.mode & 0777,
		       (unsigned long long)st.size,
		       (unsigned long long)st.nattch,
		       st.mode & KIPC_SHM_DEST ? "dest" : "");
	}
	free(ids);
	return 0;
}

static void print_time(const char *label, int64_t t)
{
	char buf[64];
	time_t tt = t;

	if (!t) {
		printf("%-10s Not set\n", label);
		return;
	}
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", localtime(&tt));
	printf("%-10s %s\n", label, buf);
}

static bool parse_id(const char *s, int *id)
{
	uint64_t v;

	if (!parse_u64(s, &v, false) || v > INT_MAX)
		return false;
	*id = v;
	return true;
}

static int cmd_shm_stat(int fd, int argc, char **argv)
{
	struct kipc_shm_stat st;
	int id;

	if (argc != 2)
		usage_error("shm stat takes exactly one ID");
	if (!parse_id(argv[1], &id))
		usage_error("invalid id: '%s'", argv[1]);
	if (shm_stat_id(fd, id, &st)) {
		warnx_("cannot stat region %d: %s", id, strerror(errno));
		return 1;
	}
	printf("Region id: %d\n", st.id);
	printf("key=0x%08llx  mode=%o%s  size=%llu  nattch=%llu\n",
	       (unsigned long long)st.key, st.mode & 0777,
	       st.mode & KIPC_SHM_DEST ? " (marked for removal)" : "",
	       (unsigned long long)st.size, (unsigned long long)st.nattch);
	printf("uid=%u  gid=%u  cuid=%u  cgid=%u\n", st.uid, st.gid, st.cuid,
	       st.cgid);
	printf("cpid=%d  lpid=%d\n", st.cpid, st.lpid);
	print_time("att_time=", st.atime);
	print_time("det_time=", st.dtime);
	print_time("change_time=", st.ctime);
	printf("doorbell=%llu  seals=%#x\n", (unsigned long long)st.doorbell,
	       st.seals);
	return 0;
}

static int shm_rmid(int fd, int id, const char *what)
{
	struct kipc_shm_id req;

	memset(&req, 0, sizeof(req));
	req.id = id;
	if (ioctl(fd, KIPC_IOC_SHM_RMID, &req)) {
		warnx_("cannot remove region %s: %s", what,
		       errno == EINVAL ? "Invalid id" : strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_shm_rm(int fd, int argc, char **argv)
{
	int i, id, rc = 0;

	if (argc < 2)
		usage_error("shm rm needs at least one ID");
	for (i = 1; i < argc; i++) {
		if (!parse_id(argv[i], &id)) {
			warnx_("invalid id: '%s'", argv[i]);
			rc = 1;
			continue;
		}
		rc |= shm_rmid(fd, id, argv[i]);
	}
	return rc;
}

static int cmd_shm_rmkey(int fd, int argc, char **argv)
{
	unsigned int count, j;
	int i, rc = 0;
	int *ids;

	if (argc < 2)
		usage_error("shm rmkey needs at least one KEY");
	ids = shm_list(fd, &count);
	if (!ids)
		return 1;
	for (i = 1; i < argc; i++) {
		struct kipc_shm_stat st;
		bool found = false;
		uint64_t key;

		/* ipcrm -M: the private key names nothing. */
		if (!parse_u64(argv[i], &key, false) || !key) {
			warnx_("invalid key: '%s'", argv[i]);
			rc = 1;
			continue;
		}
		for (j = 0; j < count && !found; j++) {
			if (shm_stat_id(fd, ids[j], &st) ||
			    (uint64_t)st.key != key)
				continue;
			found = true;
			rc |= shm_rmid(fd, st.id, argv[i]);
		}
		if (!found) {
			warnx_("cannot remove region with key %s: not found",
			       argv[i]);
			rc = 1;
		}
	}
	free(ids);
	return rc;
}

static int cmd_shm_mk(int fd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "mode", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct kipc_shm_get req;
	unsigned int mode = 0644;
	uint64_t key = 0, size;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "k:m:", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (!parse_u64(optarg, &key, false) || key > INT64_MAX)
				usage_error("invalid key: '%s'", optarg);
			break;
		case 'm':
			if (!parse_mode(optarg, &mode))
				usage_error("invalid mode: '%s'", optarg);
			break;
		default:
			usage_error("bad usage");
		}
	}
	if (optind != argc - 1)
		usage_error("shm mk takes exactly one SIZE");
	if (!parse_u64(argv[optind], &size, true))
		usage_error("invalid size: '%s'", argv[optind]);

	memset(&req, 0, sizeof(req));
	req.key = key;
	req.size = size;
	req.flags = KIPC_SHM_CREAT | KIPC_SHM_EXCL;
	req.mode = mode;
	if (ioctl(fd, KIPC_IOC_SHM_GET, &req)) {
		warnx_("cannot create region: %s", strerror(errno));
		return 1;
	}
	printf("Region id: %d\n", req.id);
	return 0;
}

static int cmd_shm(int argc, char **argv)
{
	int fd, rc;

	if (argc < 2)
		usage_error("shm needs a command: ls, stat, rm or rmkey");
	if (strcmp(argv[1], "ls") && strcmp(argv[1], "stat") &&
	    strcmp(argv[1], "rm") && strcmp(argv[1], "rmkey") &&
	    strcmp(argv[1], "mk"))
		usage_error("unknown shm command: '%s'", argv[1]);
	if (!strcmp(argv[1], "ls") && argc > 2)
		usage_error("shm ls takes no arguments");

	fd = open_control();
	if (fd < 0)
		return 1;
	if (!strcmp(argv[1], "ls"))
		rc = cmd_shm_ls(fd);
	else if (!strcmp(argv[1], "stat"))
		rc = cmd_shm_stat(fd, argc - 1, argv + 1);
	else if (!strcmp(argv[1], "rm"))
		rc = cmd_shm_rm(fd, argc - 1, argv + 1);
	else if (!strcmp(argv[1], "mk"))
		rc = cmd_shm_mk(fd, argc - 1, argv + 1);
	else
		rc = cmd_shm_rmkey(fd, argc - 1, argv + 1);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	/* Options before the command only; each command parses its own. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			break;
		case 'V':
			printf("%s %s (kipc ABI %d)\n", prog, KIPCCTL_VERSION,
			       KIPC_ABI_VERSION);
			return 0;
		default:
			usage_error("bad usage");
		}
	}
	if (optind >= argc)
		usage_error("no command given");

	argc -= optind;
	argv += optind;
	/* glibc: 0 restarts getopt on the command's own argv. */
	optind = 0;
	if (!strcmp(argv[0], "mkchan"))
		return cmd_mkchan(argc, argv);
	if (!strcmp(argv[0], "rmchan"))
		return cmd_rmchan(argc, argv);
	if (!strcmp(argv[0], "ls"))
		return cmd_ls(argc);
	if (!strcmp(argv[0], "shm"))
		return cmd_shm(argc, argv);
	if (!strcmp(argv[0], "stats"))
		return cmd_stats(argc);
	usage_error("unknown command: '%s'", argv[0]);
	return 2;
}
