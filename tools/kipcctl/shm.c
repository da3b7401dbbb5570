// SPDX-License-Identifier: GPL-2.0
/*
 * shm.c: regions, as ipcs -m, ipcrm -m/-M and ipcmk -M show and handle
 * System V segments, through the control device's KIPC_IOC_SHM_* ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kipcctl.h"

/* An argument in a message. */
#define ARG_QUOTED	64

static int shm_stat_id(int ctl, int id, struct kipc_shm_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	return ioctl(ctl, KIPC_IOC_SHM_STAT, st) ? errno : 0;
}

/* All region ids, malloc'd, *count of them; NULL after a message. */
static int *shm_list(int ctl, unsigned int *count)
{
	struct kipc_shm_list req;
	unsigned int room = 0;
	int *ids = NULL;

	for (;;) {
		memset(&req, 0, sizeof(req));
		req.ids = (uintptr_t)ids;
		req.nr_ids = room;
		if (ioctl(ctl, KIPC_IOC_SHM_LIST, &req)) {
			kipcctl_warn("cannot list regions: %s",
				     strerror(errno));
			free(ids);
			return NULL;
		}
		if (ids && req.count <= room) {
			*count = req.count;
			return ids;
		}
		free(ids);
		/* Room for a few more in case some appear meanwhile. */
		room = req.count + 16;
		ids = calloc(room, sizeof(*ids));
		if (!ids) {
			kipcctl_warn("out of memory");
			return NULL;
		}
	}
}

/* A region id of the command line: a decimal number, 0 to INT_MAX. */
static bool parse_id(const char *s, int *id, char *why, size_t len)
{
	uint64_t v;

	if (!kipcctl_parse_uint(s, INT_MAX, &v, why, len))
		return false;
	*id = v;
	return true;
}

static const struct kipcctl_col shm_cols[] = {
	{ "key", false }, { "shmid", true }, { "owner", false },
	{ "perms", false }, { "bytes", true }, { "nattch", true },
	{ "status", false },
};

static int shm_text_row(struct kipcctl_table *t,
			const struct kipc_shm_stat *st)
{
	char key[24], id[16], perms[8], bytes[24], nattch[24], ubuf[16];
	const char *cells[] = {
		key, id, kipcctl_user_name(st->uid, ubuf, sizeof(ubuf)),
		perms, bytes, nattch,
		st->mode & KIPC_SHM_DEST ? "dest" : "",
	};

	snprintf(key, sizeof(key), "0x%08llx", (unsigned long long)st->key);
	snprintf(id, sizeof(id), "%d", st->id);
	snprintf(perms, sizeof(perms), "%04o", st->mode & 0777);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)st->size);
	snprintf(nattch, sizeof(nattch), "%llu",
		 (unsigned long long)st->nattch);
	return kipcctl_table_add(t, cells);
}

static int shm_json_row(json_object *list, const struct kipc_shm_stat *st)
{
	json_object *o = json_object_new_object();
	char ubuf[16];
	int ret = 0;

	if (!o)
		return -ENOMEM;
	ret |= kipcctl_json_i64(o, "key", st->key);
	ret |= kipcctl_json_i64(o, "id", st->id);
	ret |= kipcctl_json_str(o, "owner",
				kipcctl_user_name(st->uid, ubuf, sizeof(ubuf)));
	ret |= kipcctl_json_u64(o, "uid", st->uid);
	ret |= kipcctl_json_mode(o, "mode", st->mode & 0777);
	ret |= kipcctl_json_u64(o, "size", st->size);
	ret |= kipcctl_json_u64(o, "nattch", st->nattch);
	ret |= kipcctl_json_bool(o, "dest", st->mode & KIPC_SHM_DEST);
	if (ret || json_object_array_add(list, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return 0;
}

static int shm_ls_print(int ctl, const int *ids, unsigned int count,
			bool json)
{
	json_object *root = NULL, *list = NULL;
	struct kipcctl_table t;
	unsigned int i;
	int ret = 0;

	kipcctl_table_init(&t, shm_cols,
			   ARRAY_SIZE(shm_cols));
	if (json) {
		root = json_object_new_object();
		list = json_object_new_array();
		if (!root || !list || kipcctl_json_add(root, "regions", list)) {
			json_object_put(root);
			return -ENOMEM;
		}
	}
	for (i = 0; i < count && !ret; i++) {
		struct kipc_shm_stat st;

		/* Gone meanwhile, or not ours to see: as ipcs, skip it. */
		if (shm_stat_id(ctl, ids[i], &st))
			continue;
		ret = json ? shm_json_row(list, &st) : shm_text_row(&t, &st);
	}
	if (json) {
		if (ret) {
			json_object_put(root);
			return ret;
		}
		return kipcctl_json_print(root) ? -EIO : 0;
	}
	if (!ret)
		kipcctl_table_print(&t, stdout);
	kipcctl_table_free(&t);
	return ret;
}

static int shm_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int count;
	bool json = false;
	int c, ctl, ret;
	int *ids;

	while ((c = kipcctl_getopt(argc, argv, "shm ls", "Jh",
				   longopts)) != -1) {
		if (c == 'h')
			kipcctl_help("shm ls");
		json = true;
	}
	kipcctl_operands("shm ls", argc, argv, 0, NULL);
	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	ids = shm_list(ctl, &count);
	ret = ids ? shm_ls_print(ctl, ids, count, json) : -EIO;
	if (ret == -ENOMEM)
		kipcctl_warn("out of memory");
	free(ids);
	close(ctl);
	return ret ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK;
}

static void print_time(const char *label, int64_t t)
{
	time_t tt = t;
	char buf[64];

	if (!t) {
		printf("%-13s Not set\n", label);
		return;
	}
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", localtime(&tt));
	printf("%-13s %s\n", label, buf);
}

static void shm_stat_print(const struct kipc_shm_stat *st)
{
	printf("Region id: %d\n", st->id);
	printf("key=0x%08llx  mode=%04o%s  size=%llu  nattch=%llu\n",
	       (unsigned long long)st->key, st->mode & 0777,
	       st->mode & KIPC_SHM_DEST ? " (marked for removal)" : "",
	       (unsigned long long)st->size, (unsigned long long)st->nattch);
	printf("uid=%u  gid=%u  cuid=%u  cgid=%u\n", st->uid, st->gid,
	       st->cuid, st->cgid);
	printf("cpid=%d  lpid=%d\n", st->cpid, st->lpid);
	print_time("att_time=", st->atime);
	print_time("det_time=", st->dtime);
	print_time("change_time=", st->ctime);
	printf("doorbell=%llu  seals=%#x\n",
	       (unsigned long long)st->doorbell, st->seals);
}

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Options of a command that has only --help. */
static void help_opts(int argc, char **argv, const char *cmd)
{
	int c;

	while ((c = kipcctl_getopt(argc, argv, cmd, "h", help_only)) != -1)
		if (c == 'h')
			kipcctl_help(cmd);
}

static int shm_stat(int argc, char **argv)
{
	char why[KIPCCTL_WHY_MAX], q[ARG_QUOTED];
	struct kipc_shm_stat st;
	int id, ctl, err;

	help_opts(argc, argv, "shm stat");
	kipcctl_operands("shm stat", argc, argv, 1, "no region id given");
	if (!parse_id(argv[optind], &id, why, sizeof(why)))
		kipcctl_usage_error("shm stat", "invalid id '%s': %s",
				    kipcctl_quote(argv[optind], q, sizeof(q)),
				    why);
	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	err = shm_stat_id(ctl, id, &st);
	close(ctl);
	if (err) {
		kipcctl_explain_shm_id(err, false, why, sizeof(why));
		kipcctl_warn("cannot stat region %d: %s", id, why);
		return KIPCCTL_EXIT_FAILURE;
	}
	shm_stat_print(&st);
	return KIPCCTL_EXIT_OK;
}

/* Remove region @id; @what is how the user named it.  0 or 1. */
static int shm_rmid(int ctl, int id, const char *what)
{
	char why[KIPCCTL_WHY_MAX];
	struct kipc_shm_id req;

	memset(&req, 0, sizeof(req));
	req.id = id;
	if (!ioctl(ctl, KIPC_IOC_SHM_RMID, &req))
		return KIPCCTL_EXIT_OK;
	kipcctl_explain_shm_id(errno, true, why, sizeof(why));
	kipcctl_warn("cannot remove region %s: %s", what, why);
	return KIPCCTL_EXIT_FAILURE;
}

static int shm_rm(int argc, char **argv)
{
	char why[KIPCCTL_WHY_MAX], q[ARG_QUOTED];
	int i, id, ctl = -1, rc = KIPCCTL_EXIT_OK;

	help_opts(argc, argv, "shm rm");
	if (optind == argc)
		kipcctl_usage_error("shm rm", "no region id given");
	for (i = optind; i < argc; i++) {
		kipcctl_quote(argv[i], q, sizeof(q));
		if (!parse_id(argv[i], &id, why, sizeof(why))) {
			kipcctl_warn("invalid id '%s': %s", q, why);
			rc = KIPCCTL_EXIT_FAILURE;
			continue;
		}
		if (ctl < 0) {
			ctl = kipcctl_open_control();
			if (ctl < 0)
				return KIPCCTL_EXIT_FAILURE;
		}
		rc |= shm_rmid(ctl, id, q);
	}
	if (ctl >= 0)
		close(ctl);
	return rc;
}

/* A key of the command line: not the private key, which names nothing. */
static bool parse_key(const char *s, uint64_t *key, char *why, size_t len)
{
	if (!kipcctl_parse_uint(s, INT64_MAX, key, why, len))
		return false;
	if (!*key) {
		snprintf(why, len, "the private key names no region");
		return false;
	}
	return true;
}

/* Remove the region of @key, found among @ids.  0 or 1. */
static int shm_rm_key(int ctl, const int *ids, unsigned int count,
		      uint64_t key, const char *what)
{
	struct kipc_shm_stat st;
	unsigned int j;

	for (j = 0; j < count; j++) {
		if (shm_stat_id(ctl, ids[j], &st) || (uint64_t)st.key != key)
			continue;
		if (shm_rmid(ctl, st.id, what))
			return KIPCCTL_EXIT_FAILURE;
		return KIPCCTL_EXIT_OK;
	}
	kipcctl_warn("cannot remove region with key %s: no such key", what);
	return KIPCCTL_EXIT_FAILURE;
}

static int shm_rmkey(int argc, char **argv)
{
	char why[KIPCCTL_WHY_MAX], q[ARG_QUOTED];
	int i, ctl = -1, rc = KIPCCTL_EXIT_OK;
	unsigned int count = 0;
	int *ids = NULL;
	uint64_t key;

	help_opts(argc, argv, "shm rmkey");
	if (optind == argc)
		kipcctl_usage_error("shm rmkey", "no key given");
	for (i = optind; i < argc; i++) {
		kipcctl_quote(argv[i], q, sizeof(q));
		if (!parse_key(argv[i], &key, why, sizeof(why))) {
			kipcctl_warn("invalid key '%s': %s", q, why);
			rc = KIPCCTL_EXIT_FAILURE;
			continue;
		}
		if (ctl < 0) {
			ctl = kipcctl_open_control();
			if (ctl < 0)
				return KIPCCTL_EXIT_FAILURE;
			ids = shm_list(ctl, &count);
			if (!ids) {
				close(ctl);
				return KIPCCTL_EXIT_FAILURE;
			}
		}
		rc |= shm_rm_key(ctl, ids, count, key, q);
	}
	free(ids);
	if (ctl >= 0)
		close(ctl);
	return rc;
}

static int shm_mk(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char why[KIPCCTL_WHY_MAX], q[ARG_QUOTED], what[ARG_QUOTED + 16] = "";
	struct kipc_shm_get req;
	unsigned int mode = 0644;
	uint64_t key = 0, size;
	int c, ctl, err = 0;

	while ((c = kipcctl_getopt(argc, argv, "shm mk", "k:m:h",
				   longopts)) != -1) {
		switch (c) {
		case 'k':
			kipcctl_quote(optarg, q, sizeof(q));
			if (!kipcctl_parse_uint(optarg, INT64_MAX, &key, why,
						sizeof(why)))
				kipcctl_usage_error("shm mk", "invalid key '%s': %s",
						    q, why);
			snprintf(what, sizeof(what), " with key %s", q);
			break;
		case 'm':
			if (!kipcctl_parse_mode(optarg, &mode, why, sizeof(why)))
				kipcctl_usage_error("shm mk", "invalid mode '%s': %s",
						    kipcctl_quote(optarg, q, sizeof(q)),
						    why);
			break;
		case 'h':
			kipcctl_help("shm mk");
		}
	}
	kipcctl_operands("shm mk", argc, argv, 1, "no size given");
	if (!kipcctl_parse_bytes(argv[optind], &size, why, sizeof(why)))
		kipcctl_usage_error("shm mk", "invalid size '%s': %s",
				    kipcctl_quote(argv[optind], q, sizeof(q)),
				    why);
	if (!kipcctl_shm_size_ok(size, why, sizeof(why))) {
		kipcctl_warn("cannot create region%s: %s", what, why);
		return KIPCCTL_EXIT_FAILURE;
	}

	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	memset(&req, 0, sizeof(req));
	req.key = key;
	req.size = size;
	req.flags = KIPC_SHM_CREAT | KIPC_SHM_EXCL;
	req.mode = mode;
	if (ioctl(ctl, KIPC_IOC_SHM_GET, &req)) {
		err = errno;
		kipcctl_explain_shm_get(err, ctl, size, why, sizeof(why));
		kipcctl_warn("cannot create region%s: %s", what, why);
	} else {
		printf("Region id: %d\n", req.id);
	}
	close(ctl);
	return err ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} shm_cmds[] = {
	{ "ls", shm_ls },
	{ "stat", shm_stat },
	{ "rm", shm_rm },
	{ "rmkey", shm_rmkey },
	{ "mk", shm_mk },
};

int kipcctl_shm(int argc, char **argv)
{
	char q[ARG_QUOTED];
	size_t i;
	int c;

	/* shm's own options come before its command. */
	while ((c = kipcctl_getopt(argc, argv, "shm", "+h", help_only)) != -1)
		if (c == 'h')
			kipcctl_help("shm");
	if (optind == argc)
		kipcctl_usage_error("shm", "no shm command given");
	argc -= optind;
	argv += optind;
	for (i = 0; i < ARRAY_SIZE(shm_cmds); i++) {
		if (strcmp(argv[0], shm_cmds[i].name))
			continue;
		/* glibc: 0 starts getopt afresh on the command's argv. */
		optind = 0;
		return shm_cmds[i].run(argc, argv);
	}
	kipcctl_usage_error("shm", "unknown shm command '%s'",
			    kipcctl_quote(argv[0], q, sizeof(q)));
}
