// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c: every message kipcctl prints on stderr takes one line, starting
 * "kipcctl: ", as util-linux's do; a usage error adds where to find help.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kipcctl.h"

static void vwarn(const char *fmt, va_list ap)
{
	fputs("kipcctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void kipcctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

/* @cmd: "mkchan", "shm mk"...; NULL for kipcctl's own usage. */
void kipcctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'kipcctl%s%s --help' for more information.\n",
		cmd ? " " : "", cmd ? cmd : "");
	exit(KIPCCTL_EXIT_USAGE);
}

/*
 * After the options: exactly @n operands (0 or 1), or a usage error that
 * says which is missing (@missing) or which one is too many.
 */
void kipcctl_operands(const char *cmd, int argc, char **argv, int n,
		      const char *missing)
{
	char q[4 * KIPC_NAME_MAX + 4];	/* \xNN for each byte */

	if (n && optind == argc)
		kipcctl_usage_error(cmd, "%s", missing);
	if (optind + n < argc)
		kipcctl_usage_error(cmd, "unexpected argument '%s'",
				    kipcctl_quote(argv[optind + n], q,
						  sizeof(q)));
}

/*
 * getopt_long() with kipcctl's messages instead of glibc's, which would
 * name the command ("mkchan: ...") rather than the program.  A leading
 * ':' is added to @shortopts here: it tells a missing argument apart.
 */
int kipcctl_getopt(int argc, char **argv, const char *cmd,
		   const char *shortopts, const struct option *longopts)
{
	char opts[64];
	int c;

	/* A leading '+' (stop at the first operand) must stay first. */
	if (shortopts[0] == '+')
		snprintf(opts, sizeof(opts), "+:%s", shortopts + 1);
	else
		snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == '?' || c == ':') {
		const char *arg = argv[optind - 1];
		bool is_long = !strncmp(arg, "--", 2);

		if (c == ':' && is_long)
			kipcctl_usage_error(cmd, "option '%s' requires an argument",
					    arg);
		if (c == ':')
			kipcctl_usage_error(cmd, "option requires an argument -- '%c'",
					    optopt);
		if (is_long && optopt)
			kipcctl_usage_error(cmd, "option '%.*s' doesn't allow an argument",
					    (int)strcspn(arg, "="), arg);
		if (is_long)
			kipcctl_usage_error(cmd, "unrecognized option '%s'",
					    arg);
		kipcctl_usage_error(cmd, "invalid option -- '%c'", optopt);
	}
	return c;
}

/*
 * The control device, or -1 after saying why.  A missing node with no
 * module in sysfs means the module is not loaded: on an installed system
 * DKMS has put it where modprobe finds it.
 */
int kipcctl_open_control(void)
{
	int fd = open(KIPCCTL_CONTROL, O_RDWR | O_CLOEXEC);
	int err = errno;

	if (fd >= 0)
		return fd;
	if ((err == ENOENT || err == ENODEV || err == ENXIO) &&
	    access(KIPCCTL_MODULE, F_OK) != 0)
		kipcctl_warn("cannot open %s: module not loaded (try: modprobe kipc)",
			     KIPCCTL_CONTROL);
	else
		kipcctl_warn("cannot open %s: %s", KIPCCTL_CONTROL,
			     strerror(err));
	return -1;
}

/*
 * @s for a message: bytes that are not printable ASCII as \xNN, so that a
 * bad name cannot write to the terminal; cut with "..." to fit @len (at
 * least 4).
 */
const char *kipcctl_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = *s;
		char one[5];
		size_t n;

		if (c >= 0x20 && c < 0x7f)
			snprintf(one, sizeof(one), "%c", c);
		else
			snprintf(one, sizeof(one), "\\x%02x", c);
		n = strlen(one);
		/* Keep room for "..." and the NUL. */
		if (o + n + 4 > len) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, one, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

/* The user's name, or the number when there is none. */
const char *kipcctl_user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%u", uid);
	return buf;
}
