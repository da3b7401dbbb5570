// SPDX-License-Identifier: GPL-2.0
/*
 * opts.c: the command line into cfg.  Every check of an option's value is
 * here, so that a bad one stops the program (exit status 2) before
 * anything is measured; kipc-bench(1) documents each option, and --help
 * is its short form.
 */
#include "bench.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

struct config cfg;

const char *const mode_names[NMODES] = { "wall-clock", "icount" };

/* run-bench.sh calls the wall-clock mode "wallclock": both are taken. */
int mode_find(const char *name)
{
	int i;

	if (!strcmp(name, "wallclock"))
		return MODE_WALL_CLOCK;
	for (i = 0; i < NMODES; i++)
		if (!strcmp(name, mode_names[i]))
			return i;
	return -1;
}

static void usage(void)
{
	usage_short(stdout);
	printf("\n"
	       "Measure every IPC mechanism of libkipc in one run: throughput of pipes,\n"
	       "FIFOs, kipc channels (read/write and io_uring), a unix socketpair and\n"
	       "shared-memory rings; 1-byte ping-pong latency; N pairs at once; and\n"
	       "message queues (kipc, POSIX, System V, SOCK_SEQPACKET), streams and\n"
	       "ping-pong of whole messages.  Every figure is the median of several\n"
	       "repetitions, with its spread and its ratio to the kernel pipe (POSIX mq\n"
	       "for the message queues) measured in the same run.\n"
	       "\n"
	       "Selection:\n"
	       " -b, --backends LIST    backends or shell patterns, comma-separated\n"
	       "                          (default: all; see --list); pipe is always\n"
	       "                          measured, and posix-mq with any message queue:\n"
	       "                          they are the baselines\n"
	       " -t, --tests LIST       throughput,latency,scaling,messages,\n"
	       "                          message_latency (default: all five)\n"
	       " -s, --sizes LIST       throughput message sizes (default:\n"
	       "                          64,256,1K,4K,16K,64K,256K,1M)\n"
	       "     --msg-sizes LIST   message queues' message sizes, up to 1M\n"
	       "                          (default: 64,4K,64K)\n"
	       " -P, --pairs LIST       scaling: pairs at once (default: 1,2,4,8)\n"
	       "     --scale-size SIZE  scaling: message size (default: 64K)\n"
	       " -Q, --quick            a run of seconds: sizes 64,4K,64K,1M, 3 reps\n"
	       "                          of >= 0.02 s\n"
	       " -l, --list             list the backends and whether they are here\n"
	       "\n"
	       "Timing:\n"
	       " -r, --reps N           repetitions per figure (default: 5; quick: 3)\n"
	       " -T, --min-time SECS    each repetition lasts at least this (default:\n"
	       "                          0.1; quick: 0.02)\n"
	       "     --min-rtts N       latency: round trips per repetition, at least\n"
	       "                          (default: 1000)\n"
	       " -c, --cpus LIST        pin to these CPUs: all (default), 0, 0,1, 0-3\n"
	       "                          or none; both ends of a pair share a CPU, pairs\n"
	       "                          take the CPUs in turn, one pair takes the first;\n"
	       "                          scaling runs only with more than one\n"
	       "     --split            put the two ends of a pair on different CPUs\n"
	       "     --ring SIZE        shared-memory ring size, a power of two\n"
	       "                          (default: 1M)\n"
	       "     --spin N           shared-memory ring: polls before sleeping\n"
	       "                          (default: 0)\n"
	       "     --verify           check every byte received (slower)\n"
	       "     --mode MODE        what the clock counts, for the outputs: wall-clock\n"
	       "                          (default) or icount (qemu -icount)\n"
	       "\n"
	       "Output (the table goes to stdout, or to stderr if --json or --csv do):\n"
	       " -j, --json FILE        results as JSON (- for stdout)\n"
	       "     --csv FILE         results as CSV, one line per figure (- for stdout)\n"
	       " -p, --plot FILE.svg    charts of the ratios to pipe, per family, and of\n"
	       "                          MB/s, in one file (gnuplot)\n"
	       "     --from FILE.json   measure nothing: load results (alias: --plot-from)\n"
	       "     --check-json FILE  check a results file for every field, backend and\n"
	       "                          size; exit 1 if anything is missing\n"
	       "     --strict           with --check-json: all backends selected, none\n"
	       "                          skipped or failed\n"
	       "     --label TEXT       stored with the results (e.g. how the VM booted)\n"
	       "     --no-table         do not print the table\n"
	       " -q, --quiet            no progress line on stderr\n"
	       " -h, --help             display this help and exit\n"
	       " -V, --version          display version and exit\n"
	       "\n"
	       "Exit status: 0 ok (skipped rows included), 1 a row failed or an output\n"
	       "could not be written, 2 bad usage.  See kipc-bench(1).\n");
}

/* ------------------------------------------------------------------ */
/* Lists                                                               */

/*
 * Call @fn on each comma-separated item of @arg; @ctx is passed on.
 * Empty items ("4K,,1M") are skipped, as strtok_r does.
 */
static void each_item(const char *arg, void (*fn)(char *item, const char *ctx),
		      const char *ctx)
{
	char *list = strdup(arg), *tok, *save = NULL;

	if (!list)
		errx_(1, "out of memory");
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		fn(tok, ctx);
	free(list);
}

/* A name or a shell pattern, such as kipc-* or *+uring. */
static void add_backend(char *tok, const char *ctx)
{
	bool hit = false;
	int i;

	(void)ctx;
	for (i = 0; i < NBACKENDS; i++)
		if (!fnmatch(tok, backends[i].name, 0)) {
			cfg.selected[i] = true;
			hit = true;
		}
	if (!hit)
		usage_error("unknown backend '%s' (see --list)", tok);
}

/* A section by its name (sec_names) or its short name. */
static void add_test(char *tok, const char *ctx)
{
	static const char *const short_names[NSECS] = {
		"thr", "lat", "scale", "msg", "msglat",
	};
	int i;

	(void)ctx;
	for (i = 0; i < NSECS; i++)
		if (!strcmp(tok, sec_names[i]) || !strcmp(tok, short_names[i])) {
			cfg.tests |= 1u << i;
			return;
		}
	usage_error("unknown test '%s' (throughput, latency, scaling, messages, message_latency)",
		    tok);
}

static void add_size(char *tok, const char *opt)
{
	uint64_t v;

	if (parse_size(tok, &v) || !v || v > 64 * MIB)
		usage_error("%s: bad size '%s' (1 to 64M)", opt, tok);
	if (cfg.nsizes == MAX_SIZES)
		usage_error("%s: more than %d sizes", opt, MAX_SIZES);
	cfg.sizes[cfg.nsizes++] = v;
}

/*
 * Up to 1 MiB: a message is copied whole, queues hold at least one, and
 * kipc's max_capacity is 1 MiB by default.
 */
static void add_msg_size(char *tok, const char *ctx)
{
	uint64_t v;

	(void)ctx;
	if (parse_size(tok, &v) || !v || v > MIB)
		usage_error("--msg-sizes: bad size '%s' (1 to 1M)", tok);
	if (cfg.nmsg_sizes == MAX_SIZES)
		usage_error("--msg-sizes: more than %d sizes", MAX_SIZES);
	cfg.msg_sizes[cfg.nmsg_sizes++] = v;
}

static void add_pairs(char *tok, const char *ctx)
{
	unsigned long long v;

	(void)ctx;
	if (parse_uint(tok, MAX_PAIRS, &v) || !v)
		usage_error("--pairs: bad count '%s' (1 to %d)", tok, MAX_PAIRS);
	if (cfg.npairs == MAX_SIZES)
		usage_error("--pairs: more than %d counts", MAX_SIZES);
	cfg.pairs[cfg.npairs++] = (unsigned int)v;
}

/*
 * The baselines are measured whatever the list says: the pipe always,
 * POSIX mq with any other message queue.
 */
static void parse_backends(const char *arg)
{
	int i;

	memset(cfg.selected, 0, sizeof(cfg.selected));
	each_item(arg, add_backend, NULL);
	cfg.selected[backend_find(sec_baseline(SEC_THR))] = true;
	for (i = 0; i < NBACKENDS; i++)
		if (cfg.selected[i] && (backends[i].secs & SEC_MSG))
			cfg.selected[backend_find(sec_baseline(SEC_MSG))] = true;
}

static void parse_tests(const char *arg)
{
	cfg.tests = 0;
	each_item(arg, add_test, NULL);
	if (!cfg.tests)
		usage_error("--tests: nothing selected");
}

static void parse_sizes(const char *arg, const char *opt)
{
	cfg.nsizes = 0;
	each_item(arg, add_size, opt);
	if (!cfg.nsizes)
		usage_error("%s: no size", opt);
}

static void parse_msg_sizes(const char *arg)
{
	cfg.nmsg_sizes = 0;
	each_item(arg, add_msg_size, NULL);
	if (!cfg.nmsg_sizes)
		usage_error("--msg-sizes: no size");
}

static void parse_pairs(const char *arg)
{
	cfg.npairs = 0;
	each_item(arg, add_pairs, NULL);
	if (!cfg.npairs)
		usage_error("--pairs: no count");
}

/* ------------------------------------------------------------------ */
/* CPUs                                                                */

static cpu_set_t allowed;

/* "3" or "0-3", each CPU one this process may use; @arg for messages. */
static void add_cpus(char *tok, const char *arg)
{
	unsigned long long a, b, c;
	char *dash = strchr(tok, '-');

	if (dash)
		*dash++ = 0;
	if (parse_uint(tok, CPU_SETSIZE - 1, &a) ||
	    (dash && parse_uint(dash, CPU_SETSIZE - 1, &b)))
		usage_error("--cpus: bad list '%s'", arg);
	if (!dash)
		b = a;
	if (b < a)
		usage_error("--cpus: bad range in '%s'", arg);
	for (c = a; c <= b; c++) {
		if (!CPU_ISSET(c, &allowed))
			errx_(1, "--cpus: CPU %llu is not available here", c);
		if (cfg.ncpus == MAX_CPUS)
			usage_error("--cpus: too many CPUs");
		cfg.cpus[cfg.ncpus++] = (int)c;
	}
}

static void parse_cpus(const char *arg)
{
	unsigned int c;

	snprintf(cfg.cpus_arg, sizeof(cfg.cpus_arg), "%s", arg);
	cfg.ncpus = 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		errx_(1, "sched_getaffinity: %s", strerror(errno));
	cfg.pin = strcmp(arg, "none");
	if (!cfg.pin)
		return;
	if (!strcmp(arg, "all")) {
		for (c = 0; c < CPU_SETSIZE && c < MAX_CPUS; c++)
			if (CPU_ISSET(c, &allowed))
				cfg.cpus[cfg.ncpus++] = (int)c;
		return;
	}
	each_item(arg, add_cpus, arg);
	if (!cfg.ncpus)
		usage_error("--cpus: no CPU");
}

/*
 * How many CPUs N pairs at once can spread over: the distinct ones of
 * the list, or, unpinned, those this process may use (taskset's).
 */
static unsigned int count_scaling_cpus(void)
{
	cpu_set_t set;
	unsigned int i;

	if (!cfg.pin)
		return (unsigned int)CPU_COUNT(&allowed);
	CPU_ZERO(&set);
	for (i = 0; i < cfg.ncpus; i++)
		CPU_SET(cfg.cpus[i], &set);
	return (unsigned int)CPU_COUNT(&set);
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

enum {
	OPT_SCALE_SIZE = 256, OPT_MIN_RTTS, OPT_SPLIT, OPT_RING, OPT_SPIN,
	OPT_VERIFY, OPT_CSV, OPT_FROM, OPT_CHECK, OPT_STRICT, OPT_LABEL,
	OPT_NO_TABLE, OPT_MODE, OPT_MSG_SIZES,
};

static const struct option longopts[] = {
	{ "backends",	required_argument, NULL, 'b' },
	{ "tests",	required_argument, NULL, 't' },
	{ "sizes",	required_argument, NULL, 's' },
	{ "msg-sizes",	required_argument, NULL, OPT_MSG_SIZES },
	{ "pairs",	required_argument, NULL, 'P' },
	{ "scale-size",	required_argument, NULL, OPT_SCALE_SIZE },
	{ "quick",	no_argument,	   NULL, 'Q' },
	{ "list",	no_argument,	   NULL, 'l' },
	{ "reps",	required_argument, NULL, 'r' },
	{ "min-time",	required_argument, NULL, 'T' },
	{ "min-rtts",	required_argument, NULL, OPT_MIN_RTTS },
	{ "cpus",	required_argument, NULL, 'c' },
	{ "split",	no_argument,	   NULL, OPT_SPLIT },
	{ "ring",	required_argument, NULL, OPT_RING },
	{ "spin",	required_argument, NULL, OPT_SPIN },
	{ "verify",	no_argument,	   NULL, OPT_VERIFY },
	{ "mode",	required_argument, NULL, OPT_MODE },
	{ "json",	required_argument, NULL, 'j' },
	{ "csv",	required_argument, NULL, OPT_CSV },
	{ "plot",	required_argument, NULL, 'p' },
	{ "from",	required_argument, NULL, OPT_FROM },
	{ "plot-from",	required_argument, NULL, OPT_FROM },
	{ "check-json",	required_argument, NULL, OPT_CHECK },
	{ "strict",	no_argument,	   NULL, OPT_STRICT },
	{ "label",	required_argument, NULL, OPT_LABEL },
	{ "no-table",	no_argument,	   NULL, OPT_NO_TABLE },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Options that switch something on, or whose argument is kept as it is. */
static const struct {
	int opt;
	bool *on;
	const char **arg;
} simple[] = {
	{ 'Q', &cfg.quick, NULL }, { 'l', &cfg.list, NULL },
	{ OPT_SPLIT, &cfg.split, NULL }, { OPT_VERIFY, &cfg.verify, NULL },
	{ OPT_STRICT, &cfg.strict, NULL }, { OPT_NO_TABLE, &cfg.no_table, NULL },
	{ 'q', &cfg.quiet, NULL },
	{ 'j', NULL, &cfg.json }, { OPT_CSV, NULL, &cfg.csv },
	{ 'p', NULL, &cfg.plot }, { OPT_FROM, NULL, &cfg.from },
	{ OPT_CHECK, NULL, &cfg.check }, { OPT_LABEL, NULL, &cfg.label },
};

static bool simple_option(int c, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (simple[i].opt != c)
			continue;
		if (simple[i].on)
			*simple[i].on = true;
		else
			*simple[i].arg = arg;
		return true;
	}
	return false;
}

/* What --quick must not override: the options given explicitly win. */
struct given {
	bool reps, time, sizes;
};

static void number_option(int c, const char *arg, struct given *g)
{
	unsigned long long u;
	uint64_t v;
	char *end;

	switch (c) {
	case OPT_SCALE_SIZE:
		if (parse_size(arg, &v) || !v || v > 64 * MIB)
			usage_error("--scale-size: bad size '%s'", arg);
		cfg.scale_size = v;
		break;
	case 'r':
		if (parse_uint(arg, MAX_REPS, &u) || !u)
			usage_error("--reps: '%s' is not 1 to 64", arg);
		cfg.reps = (unsigned int)u;
		g->reps = true;
		break;
	case 'T':
		errno = 0;
		cfg.min_time = strtod(arg, &end);
		if (errno || *end || end == arg || !(cfg.min_time >= 0.001) ||
		    cfg.min_time > 60)
			usage_error("--min-time: '%s' is not 0.001 to 60 seconds",
				    arg);
		g->time = true;
		break;
	case OPT_MIN_RTTS:
		if (parse_uint(arg, MAX_RTTS, &u) || !u)
			usage_error("--min-rtts: '%s' is not 1 to %llu", arg,
				    (unsigned long long)MAX_RTTS);
		cfg.min_rtts = u;
		break;
	case OPT_RING:
		/* A power of two: positions wrap with a mask, not a division. */
		if (parse_size(arg, &v) || v < 4096 || v > 1024 * MIB ||
		    (v & (v - 1)))
			usage_error("--ring: '%s' is not a power of two from 4K to 1G",
				    arg);
		cfg.ring_bytes = v;
		break;
	case OPT_SPIN:
		if (parse_uint(arg, 100000000, &u))
			usage_error("--spin: bad count '%s'", arg);
		cfg.spin = (unsigned int)u;
		break;
	default:
		usage_fail();
	}
}

static void one_option(int c, const char *arg, struct given *g)
{
	if (simple_option(c, arg))
		return;
	switch (c) {
	case 'b':
		parse_backends(arg);
		break;
	case 't':
		parse_tests(arg);
		break;
	case 's':
		parse_sizes(arg, "--sizes");
		g->sizes = true;
		break;
	case OPT_MSG_SIZES:
		parse_msg_sizes(arg);
		break;
	case 'P':
		parse_pairs(arg);
		break;
	case 'c':
		parse_cpus(arg);
		break;
	case OPT_MODE:
		cfg.mode = mode_find(arg);
		if (cfg.mode < 0)
			usage_error("--mode: '%s' is not wall-clock or icount",
				    arg);
		break;
	case 'h':
		usage();
		exit(0);
	case 'V':
		printf("%s %s (libkipc %s, results %s)\n", prog,
		       KIPC_VERSION, kipc_library_version(), SCHEMA);
		exit(0);
	default:
		number_option(c, arg, g);
	}
}

static void set_defaults(void)
{
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.reps = 5;
	cfg.min_time = 0.1;
	cfg.min_rtts = 1000;
	cfg.scale_size = 64 * KIB;
	cfg.ring_bytes = MIB;
	cfg.tests = SEC_EVERY;
	for (i = 0; i < NBACKENDS; i++)
		cfg.selected[i] = true;
	parse_sizes("64,256,1K,4K,16K,64K,256K,1M", "sizes");
	parse_msg_sizes("64,4K,64K");
	parse_pairs("1,2,4,8");
}

/* Options that make sense alone but not together. */
static void check_combinations(void)
{
	if (cfg.json && cfg.csv && !strcmp(cfg.json, "-") &&
	    !strcmp(cfg.csv, "-"))
		usage_error("--json and --csv cannot both go to stdout");
	if (cfg.check && (cfg.from || cfg.json || cfg.csv || cfg.plot))
		usage_error("--check-json takes no other output");
	if (cfg.strict && !cfg.check)
		usage_error("--strict goes with --check-json");
}

void parse_args(int argc, char **argv)
{
	struct given g = { false, false, false };
	int c;

	set_defaults();
	while ((c = getopt_long(argc, argv, "b:t:s:P:Qlr:T:c:j:p:qhV",
				longopts, NULL)) != -1)
		one_option(c, optarg, &g);
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_combinations();
	if (!cfg.cpus_arg[0])
		parse_cpus("all");
	cfg.scaling_cpus = count_scaling_cpus();
	if (cfg.quick) {
		if (!g.reps)
			cfg.reps = 3;
		if (!g.time)
			cfg.min_time = 0.02;
		if (!g.sizes)
			parse_sizes("64,4K,64K,1M", "sizes");
	}
}
