// SPDX-License-Identifier: GPL-2.0
/*
 * ls.c: the named channels and the module-wide totals.  Each channel's
 * state comes from /sys/class/kipc/NAME/ and its owner and mode from the
 * node, so that an administrator finds a user's channels, and so that
 * listing opens no channel: an open would count as a reader or writer and
 * wake an open waiting for a partner.  Anonymous pairs have no name: only
 * the totals count them.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kipcctl.h"

/*
 * The sysfs counters of ls, in its column order, with the JSON key of
 * each column: its header in lower case, as lsipc --json names them.
 * On a message channel "queued" counts each message's KIPC_MSG_OVERHEAD
 * too, as the capacity does.
 */
static const struct {
	const char *attr;
	const char *key;
} counters[] = {
	{ "capacity", "capacity" },
	{ "queued", "queued" },
	{ "messages", "messages" },
	{ "readers", "readers" },
	{ "writers", "writers" },
	{ "bytes_read", "read" },
	{ "bytes_written", "written" },
};
#define NR_COUNTERS	(ARRAY_SIZE(counters))

static const struct kipcctl_col ls_cols[] = {
	{ "NAME", false }, { "OWNER", false }, { "MODE", false },
	{ "KIND", false }, { "CAPACITY", true }, { "QUEUED", true },
	{ "MESSAGES", true }, { "READERS", true }, { "WRITERS", true },
	{ "READ", true }, { "WRITTEN", true },
};
#define LS_TEXT_COLS	4	/* NAME, OWNER, MODE, KIND; then counters */
static_assert(ARRAY_SIZE(ls_cols) == LS_TEXT_COLS + NR_COUNTERS &&
	      ARRAY_SIZE(ls_cols) <= KIPCCTL_TABLE_COLS,
	      "a column for each counter, in a table kipcctl can print");

/* "byte", "mapped" or "message", as the module's sysfs "kind" says. */
#define KIND_MAX	16

/* What ls shows of one channel. */
struct chan_row {
	const char *name;
	bool have_node;		/* /dev/kipc/NAME could be stat()ed */
	uint32_t uid;
	unsigned int mode;
	char kind[KIND_MAX];	/* "": not readable by the caller */
	long long v[NR_COUNTERS];	/* -1: not readable by the caller */
};

static FILE *sysfs_open(const char *name, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), KIPCCTL_SYSFS "/%s/%s", name, attr);
	return fopen(path, "re");
}

/*
 * One value of /sys/class/kipc/NAME/ATTR, or -1.  A private channel's
 * counters are readable only by those who may open it: -1 for the others,
 * and for a counter the loaded module does not have.
 */
static long long sysfs_value(const char *name, const char *attr)
{
	FILE *f = sysfs_open(name, attr);
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * One lower-case word of /sys/class/kipc/NAME/ATTR into @buf, or "": it
 * goes to a terminal, so anything else is not shown.
 */
static void sysfs_word(const char *name, const char *attr, char *buf,
		       size_t len)
{
	FILE *f = sysfs_open(name, attr);
	size_t n;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, len, f)) {
		n = strspn(buf, "abcdefghijklmnopqrstuvwxyz");
		if (n && (buf[n] == '\n' || buf[n] == '\0'))
			buf[n] = '\0';
		else
			buf[0] = '\0';
	}
	fclose(f);
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
	sysfs_word(name, "kind", row->kind, sizeof(row->kind));
	for (a = 0; a < NR_COUNTERS; a++)
		row->v[a] = sysfs_value(name, counters[a].attr);
}

static int ls_text_row(struct kipcctl_table *t, const struct chan_row *row)
{
	char mode[8] = "-", v[NR_COUNTERS][24], ubuf[16];
	const char *cells[LS_TEXT_COLS + NR_COUNTERS] = {
		row->name, "-", mode, row->kind[0] ? row->kind : "-",
	};
	size_t a;

	if (row->have_node) {
		cells[1] = kipcctl_user_name(row->uid, ubuf, sizeof(ubuf));
		snprintf(mode, sizeof(mode), "%04o", row->mode);
	}
	for (a = 0; a < NR_COUNTERS; a++) {
		if (row->v[a] < 0)
			strcpy(v[a], "-");
		else
			snprintf(v[a], sizeof(v[a]), "%lld", row->v[a]);
		cells[LS_TEXT_COLS + a] = v[a];
	}
	return kipcctl_table_add(t, cells);
}

static int ls_json_row(json_object *list, const struct chan_row *row)
{
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
	ret |= row->kind[0] ? kipcctl_json_str(o, "kind", row->kind) :
			      kipcctl_json_null(o, "kind");
	for (a = 0; a < NR_COUNTERS; a++)
		ret |= row->v[a] < 0 ?
		       kipcctl_json_null(o, counters[a].key) :
		       kipcctl_json_i64(o, counters[a].key, row->v[a]);
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
	int c, i, n, ret;

	while ((c = kipcctl_getopt(argc, argv, "ls", "Jh", longopts)) != -1) {
		if (c == 'h')
			kipcctl_help("ls");
		json = true;
	}
	kipcctl_operands("ls", argc, argv, 0, NULL);

	if (kipcctl_get_stats(&st))
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
