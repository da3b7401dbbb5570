// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: reporting, and the check every operation shares.
 *
 * Owns the writers of the shared record: note_op() counts an operation
 * and keeps it as its thread's last (what a crash or a stall report
 * shows), violation() counts a broken expectation and keeps its text for
 * the summary, and check_errno() holds a failing call to the errno set
 * that kipc(4) documents for it.  Everything is printed through say().
 */
#include "fuzz.h"

/* Mapped MAP_SHARED by main() before the first fork: children count too. */
struct shared *sh;

void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* write(2), not stdio: safe in a child forked from a thread. */
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

void violation(struct ctx *c, const char *fmt, ...)
{
	char text[300];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&sh->violations, 1);
	i = atomic_fetch_add(&sh->nmsg, 1);
	if (i < MAX_MSGS)
		snprintf(sh->msg[i], sizeof(sh->msg[i]), "[%s%d] %s",
			 c->kid ? "child of " : "", c->slot, text);
	say("# violation: [%s%d] %s (last op: %s)", c->kid ? "child of " : "",
	    c->slot, text, sh->last[c->slot]);
}

void note_op(struct ctx *c, enum op_kind k, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->count[k], 1);
	atomic_fetch_add(&sh->progress, 1);
	if (c->kid)
		return;		/* the parent's slot tells what forked it */
	va_start(ap, fmt);
	vsnprintf(sh->last[c->slot], sizeof(sh->last[c->slot]), fmt, ap);
	va_end(ap);
	if (c->cur_mc) {
		struct mchan *m = c->cur_mc;

		snprintf(m->hist[m->nhist++ % 8], sizeof(m->hist[0]), "%s",
			 sh->last[c->slot]);
	}
	if (opt_verbose)
		say("# op %d: %s", c->slot, sh->last[c->slot]);
}

static bool in_set(int e, const int *set)
{
	for (; *set; set++)
		if (*set == e)
			return true;
	return false;
}

/* A failing call's errno must be one of @set; returns the errno or 0. */
int check_errno(struct ctx *c, enum op_kind k, const char *what,
		       long ret, int err, const int *set)
{
	if (ret >= 0)
		return 0;
	atomic_fetch_add(&sh->errs[k], 1);
	if (!in_set(err, set))
		violation(c, "%s: errno %d (%s) is not in its documented set",
			  what, err, strerror(err));
	return err;
}
