/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: the mkfifo, ipcs, ipcmk and ipcrm of kipc.  Which file holds
 * what:
 *
 *	main.c		the command table, global options, `help`
 *	help.c		every command's usage text
 *	msg.c		messages, usage errors, the control device
 *	parse.c		numbers, sizes, modes, ids and keys from the command line
 *	rules.c		the module's rules, checked or explained here so that
 *			a message names the rule that refused
 *	chan.c		mkchan, rmchan
 *	ls.c		ls: named channels from sysfs, and the totals
 *	shm.c		shm ls, stat, rm, rmkey, mk
 *	stats.c		stats, and --version
 *	table.c		text tables with computed column widths
 *	json.c		--json output (json-c)
 *
 * jsonq.c is another program, kipcctl-jsonq: test.sh reads --json back
 * with it where there is no jq.
 */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>
#include <linux/kipc.h>

#define KIPCCTL_DEV_DIR		"/dev/kipc"
#define KIPCCTL_CONTROL		KIPCCTL_DEV_DIR "/control"
#define KIPCCTL_SYSFS		"/sys/class/kipc"
#define KIPCCTL_MODULE		"/sys/module/kipc"
#define KIPCCTL_PARAMS		KIPCCTL_MODULE "/parameters"

/* The exit statuses of kipcctl(1). */
enum {
	KIPCCTL_EXIT_OK = 0,
	KIPCCTL_EXIT_FAILURE = 1,
	KIPCCTL_EXIT_USAGE = 2,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Room for one explanation of a refusal, as in "cannot X: WHY". */
#define KIPCCTL_WHY_MAX		160

/* msg.c */
void kipcctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void kipcctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int kipcctl_getopt(int argc, char **argv, const char *cmd,
		   const char *shortopts, const struct option *longopts);
void kipcctl_operands(const char *cmd, int argc, char **argv, int n,
		      const char *missing);
int kipcctl_open_control(void);
const char *kipcctl_quote(const char *s, char *buf, size_t len);
const char *kipcctl_user_name(uint32_t uid, char *buf, size_t len);

/* help.c */
bool kipcctl_help_known(const char *cmd);
_Noreturn void kipcctl_help(const char *cmd);

/* parse.c */
bool kipcctl_parse_bytes(const char *s, uint64_t *out, char *why, size_t len);
bool kipcctl_parse_uint(const char *s, uint64_t max, uint64_t *out,
			char *why, size_t len);
bool kipcctl_parse_mode(const char *s, unsigned int *mode, char *why,
			size_t len);

/* rules.c */
int kipcctl_param(const char *name, uint64_t *value);
bool kipcctl_chan_name_ok(const char *name, char *why, size_t len);
bool kipcctl_capacity_ok(uint64_t capacity, char *why, size_t len);
bool kipcctl_mapped_capacity_ok(uint64_t capacity, char *why, size_t len);
void kipcctl_explain_chan_create(int err, int ctl, uint32_t flags,
				 uint64_t capacity, char *why, size_t len);
void kipcctl_explain_chan_remove(int err, char *why, size_t len);
bool kipcctl_shm_size_ok(uint64_t size, char *why, size_t len);
void kipcctl_explain_shm_get(int err, int ctl, uint64_t size, char *why,
			     size_t len);
void kipcctl_explain_shm_id(int err, bool remove, char *why, size_t len);

/*
 * chan.c, ls.c, shm.c, stats.c: the commands; argv[0] is the command's
 * name.
 */
int kipcctl_mkchan(int argc, char **argv);
int kipcctl_rmchan(int argc, char **argv);
int kipcctl_ls(int argc, char **argv);
int kipcctl_shm(int argc, char **argv);
int kipcctl_stats(int argc, char **argv);
int kipcctl_get_stats(struct kipc_stats *st);
int kipcctl_version(void);

/* table.c */
struct kipcctl_col {
	const char *header;
	bool right;		/* numbers: aligned to the right */
};

#define KIPCCTL_TABLE_COLS	12

struct kipcctl_table {
	const struct kipcctl_col *cols;
	size_t ncols;
	size_t nrows;
	size_t room;		/* rows allocated */
	char **cells;		/* nrows * ncols strings */
};

void kipcctl_table_init(struct kipcctl_table *t,
			const struct kipcctl_col *cols, size_t ncols);
int kipcctl_table_add(struct kipcctl_table *t, const char *const cells[]);
void kipcctl_table_print(const struct kipcctl_table *t, FILE *out);
void kipcctl_table_free(struct kipcctl_table *t);

/* json.c */
int kipcctl_json_u64(json_object *obj, const char *key, uint64_t v);
int kipcctl_json_i64(json_object *obj, const char *key, int64_t v);
int kipcctl_json_str(json_object *obj, const char *key, const char *s);
int kipcctl_json_mode(json_object *obj, const char *key, unsigned int mode);
int kipcctl_json_bool(json_object *obj, const char *key, bool v);
int kipcctl_json_null(json_object *obj, const char *key);
int kipcctl_json_add(json_object *obj, const char *key, json_object *val);
int kipcctl_json_print(json_object *root);

#endif /* KIPCCTL_H */
