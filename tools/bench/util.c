// SPDX-License-Identifier: GPL-2.0
/*
 * util.c: the small helpers every part of kipc-bench uses: messages and
 * usage errors (exit status 2), sizes and counts from the command line,
 * numbers for the table, /proc files, the clock and shared futexes.
 */
#include "bench.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

const char *prog = "kipc-bench";

/* ------------------------------------------------------------------ */
/* Messages                                                            */

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void errx_(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void usage_short(FILE *f)
{
	fprintf(f, "Usage:\n"
		" %1$s [options]\n"
		" %1$s --from FILE.json [--plot FILE.svg] [--csv FILE] [--json FILE]\n"
		" %1$s --check-json FILE [--strict]\n", prog);
}

void usage_fail(void)
{
	usage_short(stderr);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(2);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	usage_fail();
}

/* ------------------------------------------------------------------ */
/* Numbers in and out                                                  */

/* "64", "4K", "4KiB", "1M", "2G": binary multiples. */
int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Digits only: strtoull alone would take "-1" and " 7". */
int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 65536 -> "64K"; sizes that are not whole KiB/MiB stay in bytes. */
const char *fmt_size(char *buf, size_t len, uint64_t v)
{
	if (v && !(v % (1024 * MIB)))
		snprintf(buf, len, "%" PRIu64 "G", v / (1024 * MIB));
	else if (v && !(v % MIB))
		snprintf(buf, len, "%" PRIu64 "M", v / MIB);
	else if (v && !(v % KIB))
		snprintf(buf, len, "%" PRIu64 "K", v / KIB);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/*
 * Four significant-ish digits without exponents (5160, 412.3, 0.0055):
 * the table's columns stay narrow and read at a glance.
 */
const char *fmt_num(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (v >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (v >= 10)
		snprintf(buf, len, "%.2f", v);
	else if (v >= 1)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.4f", v);
	return buf;
}

/* @s between @q quotes, a @q inside doubled: CSV's and gnuplot's rule. */
void fput_quoted(FILE *f, const char *s, char q)
{
	fputc(q, f);
	for (; *s; s++) {
		if (*s == q)
			fputc(q, f);
		fputc(*s, f);
	}
	fputc(q, f);
}

void fmt_load(char *buf, size_t len, const double la[3])
{
	if (isfinite(la[0]))
		snprintf(buf, len, "%.2f %.2f %.2f", la[0], la[1], la[2]);
	else
		snprintf(buf, len, "unknown");
}

/* ------------------------------------------------------------------ */
/* /proc and /sys                                                      */

char *read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* NAN when unknown: the outputs then say "unknown" or null. */
void read_loadavg(double la[3])
{
	char buf[128];

	la[0] = la[1] = la[2] = NAN;
	if (read_first_line("/proc/loadavg", buf, sizeof(buf)))
		sscanf(buf, "%lf %lf %lf", &la[0], &la[1], &la[2]);
}

/* ------------------------------------------------------------------ */
/* Clock and futexes                                                   */

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A spinning side yields the core's pipeline to its sibling thread. */
void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* Shared (not private) futexes: the words live in MAP_SHARED memory. */
long futex_wait(_Atomic uint32_t *w, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, (void *)w, FUTEX_WAIT, val, ts, NULL, 0);
}

long futex_wake(_Atomic uint32_t *w, int n)
{
	return syscall(SYS_futex, (void *)w, FUTEX_WAKE, n, NULL, NULL, 0);
}
