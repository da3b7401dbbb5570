// SPDX-License-Identifier: GPL-2.0
/*
 * chan.c: named channels.  mkchan and rmchan go through the control
 * device; ls reads each channel's state from /sys/class/kipc/NAME/ and
 * its owner and mode from the node, so that an administrator finds a
 * user's channels.  Anonymous pairs have no name: only the totals count
 * them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kipcctl.h"

/* A name in a message: every byte of the longest one, escaped. */
#define NAME_QUOTED	(4 * KIPC_NAME_MAX + 4)

int kipcctl_mkchan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char why[KIPCCTL_WHY_MAX], q[NAME_QUOTED];
	struct kipc_chan_name req;
	unsigned int mode = 0666;
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
		case 'h':
			kipcctl_help("mkchan");
		}
	}
	kipcctl_operands("mkchan", argc, argv, 1, "no channel name given");

	name = argv[optind];
	kipcctl_quote(name, q, sizeof(q));
	if (!kipcctl_chan_name_ok(name, why, sizeof(why)) ||
	    !kipcctl_capacity_ok(capacity, why, sizeof(why))) {
		kipcctl_warn("cannot create channel '%s': %s", q, why);
		return KIPCCTL_EXIT_FAILURE;
	}

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.mode = mode;
	req.capacity = capacity;
	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	if (ioctl(ctl, KIPC_IOC_CHAN_CREATE, &req)) {
		err = errno;
		kipcctl_explain_chan_create(err, ctl, capacity, why,
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

/* The sysfs counters of ls, in its column order. */
static const char *const chan_attrs[] = {
	"capacity", "queued", "readers", "writers", "bytes_read",
	"bytes_written",
};
#define NR_ATTRS	(ARRAY_SIZE(chan_attrs))

/* What ls shows of one channel. */
struct chan_row {
	const char *name;
	bool have_node;		/* /dev/kipc/NAME could be stat()ed */
	uint32_t uid;
	unsigned int mode;
	long long v[NR_ATTRS];	/* -1: not readable by the caller */
};

/*
 * One value of /sys/class/kipc/NAME/ATTR, or -1.  A private channel's
 * counters are readable only by those who may open it: -1 for the others.
 */
static long long sysfs_value(const char *name, const char *attr)
{
	char path[PATH_MAX];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), KIPCCTL_SYSFS "/%s/%s", name, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void chan_row_read(struct chan_row *row, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	size_t a;

	row->name = name;
	snprintf(path, sizeof(path), KIPCCTL_DEV_DIR "/%s", name);
	row->have_node = stat(path, &st) == 0;
	row->uid = row->have_node ? st.st_uid : 0;
	row->mode = row->have_node ? st.st_mode & 07777 : 0;
	for (a = 0; a < NR_ATTRS; a++)
		row->v[a] = sysfs_value(name, chan_attrs[a]);
}

static int ls_text_row(struct kipcctl_table *t, const struct chan_row *row)
{
	char mode[8] = "-", v[NR_ATTRS][24], ubuf[16];
	const char *cells[3 + NR_ATTRS] = { row->name, "-", mode };
	size_t a;

	if (row->have_node) {
		cells[1] = kipcctl_user_name(row->uid, ubuf, sizeof(ubuf));
		snprintf(mode, sizeof(mode), "%04o", row->mode);
	}
	for (a = 0; a < NR_ATTRS; a++) {
		if (row->v[a] < 0)
			strcpy(v[a], "-");
		else
			snprintf(v[a], sizeof(v[a]), "%lld", row->v[a]);
		cells[3 + a] = v[a];
	}
	return kipcctl_table_add(t, cells);
}

static int ls_json_row(json_object *list, const struct chan_row *row)
{
	/* The keys of the columns, lower case, as lsipc --json names them. */
	static const char *const keys[NR_ATTRS] = {
		"capacity", "queued", "readers", "writers", "read", "written",
	};
	json_object *o = json_object_new_object();
	char ubuf[16];
	int ret = 0;
	size_t a;

	if (!o)
		return -ENOMEM;
	ret |= kipcctl_json_str(o, "name", row->name);
	if (row->have_node) {
		ret |= kipcctl_json_str(o, "owner",
					kipcctl_user_name(row->uid, ubuf,
							  sizeof(ubuf)));
		ret |= kipcctl_json_u64(o, "uid", row->uid);
		ret |= kipcctl_json_mode(o, "mode", row->mode);
	} else {
		ret |= kipcctl_json_null(o, "owner");
		ret |= kipcctl_json_null(o, "uid");
		ret |= kipcctl_json_null(o, "mode");
	}
	for (a = 0; a < NR_ATTRS; a++)
		ret |= row->v[a] < 0 ? kipcctl_json_null(o, keys[a]) :
				       kipcctl_json_i64(o, keys[a], row->v[a]);
	if (ret || json_object_array_add(list, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return 0;
}

static int ls_json_totals(json_object *root, const struct kipc_stats *st)
{
	json_object *o = json_object_new_object();
	int ret = 0;

	if (!o)
		return -ENOMEM;
	ret |= kipcctl_json_u64(o, "channels", st->chans);
	ret |= kipcctl_json_u64(o, "named", st->named_chans);
	ret |= kipcctl_json_u64(o, "anonymous", st->chans - st->named_chans);
	ret |= kipcctl_json_u64(o, "bytes_written", st->bytes_written);
	ret |= kipcctl_json_u64(o, "bytes_read", st->bytes_read);
	if (ret) {
		json_object_put(o);
		return ret;
	}
	return kipcctl_json_add(root, "totals", o);
}

static const struct kipcctl_col ls_cols[] = {
	{ "NAME", false }, { "OWNER", false }, { "MODE", false },
	{ "CAPACITY", true }, { "QUEUED", true }, { "READERS", true },
	{ "WRITERS", true }, { "READ", true }, { "WRITTEN", true },
};

/* The rows of @names, as text or JSON; 0 or -ENOMEM. */
static int ls_print(struct dirent **names, int n, bool json,
		    const struct kipc_stats *st)
{
	json_object *root = NULL, *list = NULL;
	struct kipcctl_table t;
	int i, ret = 0;

	kipcctl_table_init(&t, ls_cols, ARRAY_SIZE(ls_cols));
	if (json) {
		root = json_object_new_object();
		list = json_object_new_array();
		if (!root || !list || kipcctl_json_add(root, "channels", list)) {
			json_object_put(root);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n && !ret; i++) {
		struct chan_row row;

		if (names[i]->d_name[0] == '.')
			continue;
		chan_row_read(&row, names[i]->d_name);
		ret = json ? ls_json_row(list, &row) : ls_text_row(&t, &row);
	}
	if (json) {
		if (!ret)
			ret = ls_json_totals(root, st);
		if (ret) {
			json_object_put(root);
			return ret;
		}
		return kipcctl_json_print(root) ? -EIO : 0;
	}
	if (!ret) {
		kipcctl_table_print(&t, stdout);
		printf("\n%" PRIu64 " channels (%" PRIu64 " named, %" PRIu64
		       " anonymous), %" PRIu64 " bytes written, %" PRIu64
		       " bytes read\n", (uint64_t)st->chans,
		       (uint64_t)st->named_chans,
		       (uint64_t)(st->chans - st->named_chans),
		       (uint64_t)st->bytes_written, (uint64_t)st->bytes_read);
	}
	kipcctl_table_free(&t);
	return ret;
}

int kipcctl_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct dirent **names;
	struct kipc_stats st;
	bool json = false;
	int c, i, n, ctl, ret;

	while ((c = kipcctl_getopt(argc, argv, "ls", "Jh", longopts)) != -1) {
		if (c == 'h')
			kipcctl_help("ls");
		json = true;
	}
	kipcctl_operands("ls", argc, argv, 0, NULL);

	ctl = kipcctl_open_control();
	if (ctl < 0)
		return KIPCCTL_EXIT_FAILURE;
	ret = kipcctl_get_stats(ctl, &st);
	close(ctl);
	if (ret)
		return KIPCCTL_EXIT_FAILURE;

	n = scandir(KIPCCTL_SYSFS, &names, NULL, alphasort);
	if (n < 0) {
		kipcctl_warn("cannot read %s: %s", KIPCCTL_SYSFS,
			     strerror(errno));
		return KIPCCTL_EXIT_FAILURE;
	}
	ret = ls_print(names, n, json, &st);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret == -ENOMEM)
		kipcctl_warn("out of memory");
	return ret ? KIPCCTL_EXIT_FAILURE : KIPCCTL_EXIT_OK;
}
