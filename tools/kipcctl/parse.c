// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c: the numbers of the command line.  Each parser says why it
 * refused, for a message of the form "invalid WHAT 'ARG': WHY".
 *
 * Numbers are decimal, or hexadecimal after 0x; never octal by a leading
 * 0 (strtoull's base 0 would read a capacity of 010 as 8), except modes,
 * which are always octal, as chmod's.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

/* The number at the start of @s; *end after it.  False: why says. */
static bool leading_u64(const char *s, uint64_t *out, char **end, char *why,
			size_t len)
{
	unsigned long long v;
	int base = 10;

	if (!*s) {
		snprintf(why, len, "empty");
		return false;
	}
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		snprintf(why, len, "negative");
		return false;
	}
	if (!isdigit((unsigned char)s[0])) {
		snprintf(why, len, "not a number");
		return false;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2])) {
			snprintf(why, len, "not a number");
			return false;
		}
		base = 16;
	}
	errno = 0;
	v = strtoull(s, end, base);
	if (errno == ERANGE) {
		snprintf(why, len, "too large");
		return false;
	}
	*out = v;
	return true;
}

/* A count or an id, at most @max. */
bool kipcctl_parse_uint(const char *s, uint64_t max, uint64_t *out,
			char *why, size_t len)
{
	uint64_t v;
	char *end;

	if (!leading_u64(s, &v, &end, why, len))
		return false;
	if (*end) {
		snprintf(why, len, "not a number");
		return false;
	}
	if (v > max) {
		snprintf(why, len, "above %" PRIu64, max);
		return false;
	}
	*out = v;
	return true;
}

/* Bytes, with an optional K, M or G (powers of 1024). */
bool kipcctl_parse_bytes(const char *s, uint64_t *out, char *why, size_t len)
{
	unsigned int shift = 0;
	uint64_t v;
	char *end;

	if (!leading_u64(s, &v, &end, why, len))
		return false;
	if (*end) {
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
		}
		if (!shift || end[1]) {
			char q[32];

			snprintf(why, len, "unknown suffix '%s' (use K, M or G)",
				 kipcctl_quote(end, q, sizeof(q)));
			return false;
		}
		if (v > UINT64_MAX >> shift) {
			snprintf(why, len, "too large");
			return false;
		}
		v <<= shift;
	}
	*out = v;
	return true;
}

/* Permission bits, octal, as the module takes them: 0 to 0777. */
bool kipcctl_parse_mode(const char *s, unsigned int *mode, char *why,
			size_t len)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "01234567") != strlen(s)) {
		snprintf(why, len, "not an octal number");
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || v > 0777) {
		snprintf(why, len, "above 0777");
		return false;
	}
	*mode = v;
	return true;
}
