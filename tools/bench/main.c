// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: every IPC mechanism libkipc drives, measured in one run on
 * one machine, each against the kernel's pipe (or, for message queues,
 * POSIX mq) measured in the same run.
 *
 *	kipc-bench [--quick] [--json FILE] [--csv FILE] [--plot FILE.svg]
 *	kipc-bench --from FILE.json --plot FILE.svg	(on the host: no gnuplot
 *							 in the guest)
 *	kipc-bench --check-json FILE [--strict]		(CI: structure only)
 *
 * Five kinds of rows:
 *   throughput	one writer process, one reader process, messages of each
 *		size, over every channel (read/write, and io_uring through
 *		kipc_aio) and over an SPSC ring in each kind of shared memory
 *		(signalled by a futex, or by the kipc region's doorbell);
 *   latency	1-byte ping-pong between two processes: p50, p99, p99.9;
 *   scaling	N independent pairs at once, aggregate throughput;
 *   messages	one sender, one receiver, whole messages of each size over
 *		every message queue (kipc_msgq), against POSIX mq;
 *   message_latency  a message of each size there and back: p50, p99,
 *		p99.9, against POSIX mq.
 *
 * How a figure is made, and why (kipc-bench(1)): all workers are forked
 * per row and pinned, both ends of a pair on one CPU by default, because
 * under TCG cross-vCPU timings swing by 40x.  A repetition moves a fixed
 * count of messages, calibrated first so that it lasts at least
 * --min-time; only its start and end are timed (the clock costs ~1 us in
 * a guest on hpet), except ping-pong round trips, whose percentiles need
 * each one timed.  A figure is the median of --reps repetitions, with
 * min, max and quartiles.  Workers and the main process meet through
 * futexes on a shared page; the main process only starts repetitions and
 * collects.  A row whose repetitions spread too wide is flagged, and the
 * summary after the tables gives a verdict only where the spread allows.
 *
 * This file decides what a run does (check a file, list, load or
 * measure) and writes the outputs; bench.h lists the others.
 */
#include "job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static FILE *open_out(const char *path)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		warnx_("cannot open %s: %s", path, strerror(errno));
	return f;
}

/* A full disk shows only at the flush: check it, as the caller cannot. */
static int close_out(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad) {
		warnx_("write error on %s", path);
		return -1;
	}
	return 0;
}

/* 0, or 1 if @path could not be written. */
static int write_out(const char *path, const struct results *R,
		     void (*write)(FILE *f, const struct results *R))
{
	FILE *f = open_out(path);

	if (!f)
		return 1;
	write(f, R);
	return close_out(f, path) ? 1 : 0;
}

/* The table gives way to JSON or CSV on stdout, so that they can be piped. */
static int write_outputs(const struct results *R)
{
	bool busy = (cfg.json && !strcmp(cfg.json, "-")) ||
		    (cfg.csv && !strcmp(cfg.csv, "-"));
	int rc = 0;

	if (!cfg.no_table) {
		print_table(busy ? stderr : stdout, R);
		fflush(busy ? stderr : stdout);
	}
	if (cfg.json)
		rc |= write_out(cfg.json, R, write_json);
	if (cfg.csv)
		rc |= write_out(cfg.csv, R, write_csv);
	if (cfg.plot && write_plot(cfg.plot, R))
		rc = 1;
	return rc;
}

/* Measure every selected row; 0, 1 if a row failed, 128+N on signal N. */
static int measure(struct results *R)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a child's exit or ^C ends the futex wait. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	collect_meta(&R->m);
	run_all(R);
	if (interrupted) {
		warnx_("interrupted");
		return 128 + interrupted;
	}
	return R->errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct results R;
	int rc = 0;

	parse_args(argc, argv);
	if (cfg.check)
		return check_json(cfg.check, cfg.strict);
	if (cfg.list) {
		list_backends();
		return 0;
	}
	memset(&R, 0, sizeof(R));
	if (cfg.from && load_results(cfg.from, &R))
		return 1;
	if (!cfg.from) {
		rc = measure(&R);
		/* Interrupted (exit 128+N): a partial run writes no output. */
		if (interrupted)
			return rc;
	}
	sort_rows(&R);
	compute_ratios(&R);
	summarize(&R);
	if (write_outputs(&R))
		rc = 1;
	if (R.errors && !cfg.from)
		warnx_("%u row%s failed", R.errors, R.errors == 1 ? "" : "s");
	free(R.rows);
	return rc;
}
