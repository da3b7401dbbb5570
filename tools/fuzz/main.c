// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: random but structured sequences of system calls against kipc,
 * checked against a model of what each one must do.
 *
 *	kipc-fuzz [--seed S] [--ops N] [--procs P] [--threads T]
 *
 * P worker processes of T threads each share N operations.  Every thread
 * draws its operations from its own generator, seeded from S, the worker
 * and the thread: `--seed S --procs 1 --threads 1` replays a run exactly
 * (forked children then run to completion before their parent goes on);
 * with more workers each thread replays its own sequence, but the
 * interleaving is the scheduler's.
 *
 * Every result must be a success or an errno of the documented set of that
 * call, and what the model predicts (model.c).  A crash of any worker or
 * child (SIGSEGV, SIGBUS) is a failure too.
 *
 * Output is KTAP: "ok 1 kipc-fuzz seed=S ops=N", with the counts per kind
 * of operation as comments; "not ok" and the violations otherwise.
 *
 * This file owns the run as a whole: options, the module's parameters,
 * the workers' start, the watch for a stall, the cleanup of what the run
 * left behind, the module's counts before and after, and the summary.
 */
#include "fuzz.h"

/* Options (see usage()); opt_threads and opt_verbose are the driver's too. */
static uint64_t opt_seed;
static uint64_t opt_ops = 100000;
static int opt_procs = 2;
int opt_threads = 2;
bool opt_verbose;
static bool opt_no_baseline;
static bool opt_smoke, opt_leave;
bool deterministic;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kipc-fuzz [OPTION]...\n"
		"Drive kipc (/dev/kipc/control) with random but structured\n"
		"sequences of system calls and check every result.\n\n"
		"  -s, --seed S       seed (default: from the clock); printed\n"
		"  -n, --ops N        operations in all (default 100000)\n"
		"  -p, --procs P      worker processes (default 2)\n"
		"  -t, --threads T    threads per worker (default 2)\n"
		"      --no-baseline  do not require the module's counts to\n"
		"                     come back (kipc used by others too)\n"
		"      --smoke        first use every kind of object once\n"
		"                     (on a module with no objects yet)\n"
		"      --leave        with --smoke: leave the named channel\n"
		"                     " SMOKE_LEFT_NAME " and a region, for\n"
		"                     the module's unload to free\n"
		"  -v, --verbose      print every operation\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n\n"
		"--seed S --procs 1 --threads 1 replays a run exactly.\n"
		"Output is KTAP; exit status 0 when no violation was seen.\n");
}

/* Returns -1 to go on, or the exit status (--help, --version, an error). */
static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "smoke", no_argument, NULL, 'S' },
		{ "leave", no_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec now;
	bool seeded = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:n:p:t:vhV", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			opt_ops = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			opt_procs = atoi(optarg);
			break;
		case 't':
			opt_threads = atoi(optarg);
			break;
		case 'B':
			opt_no_baseline = true;
			break;
		case 'S':
			opt_smoke = true;
			break;
		case 'L':
			opt_leave = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kipc-fuzz %s\n", KIPC_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'kipc-fuzz --help'.\n");
			return 2;
		}
	}
	/* The threads' slots in the shared record are fixed: MAX_WORKERS. */
	if (optind < argc || opt_procs < 1 || opt_threads < 1 ||
	    opt_procs * opt_threads > MAX_WORKERS) {
		fprintf(stderr, "kipc-fuzz: bad arguments (procs * threads at "
			"most %d)\nTry 'kipc-fuzz --help'.\n", MAX_WORKERS);
		return 2;
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &now);
		opt_seed = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^
			   (uint64_t)getpid();
	}
	/* One thread of one worker: children are waited for, the run replays. */
	deterministic = opt_procs == 1 && opt_threads == 1;
	return -1;
}

/* ---------------------------------------------------------------- */
/* Before the run. */

static uint64_t read_u64_file(const char *path, uint64_t dflt)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = 0;
	return strtoull(buf, NULL, 0);
}

/* --smoke: returns -1 to go on with the random run, or the exit status. */
static int run_smoke(int ctl)
{
	int fails = smoke(ctl, opt_leave);

	printf("# smoke: %d failures\n", fails);
	if (fails || !opt_ops) {
		printf("%sok 1 kipc-fuzz seed=%llu ops=0 # smoke\n",
		       fails ? "not " : "", (unsigned long long)opt_seed);
		return fails ? 1 : 0;
	}
	return -1;
}

/*
 * What the workers inherit: the module's parameters for the model, the
 * shared record, the signal handlers.  Returns 0, or 2 if out of memory.
 */
static int setup(void)
{
	mod_default_cap = read_u64_file(
		"/sys/module/kipc/parameters/default_capacity", 65536);
	mod_max_cap = read_u64_file("/sys/module/kipc/parameters/max_capacity",
				    1 << 20);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("kipc-fuzz: mmap");
		return 2;
	}
	signals_setup();
	return 0;
}

static int list_regions(int ctl, int32_t *ids, uint32_t room)
{
	struct kipc_shm_list l = { .ids = (uintptr_t)ids, .nr_ids = room };

	if (ioctl(ctl, KIPC_IOC_SHM_LIST, &l))
		return -1;
	return (int)(l.count < room ? l.count : room);
}

/* ---------------------------------------------------------------- */
/* During the run: the workers, and a watch for a stall. */

/* Returns 0, or 2 if a fork failed (the workers started go on alone). */
static int start_workers(pid_t *pids)
{
	for (int w = 0; w < opt_procs; w++) {
		uint64_t quota = opt_ops / opt_procs +
				 ((uint64_t)w < opt_ops % opt_procs);

		pids[w] = fork();
		if (pids[w] < 0) {
			perror("kipc-fuzz: fork");
			return 2;
		}
		if (!pids[w])
			_exit(worker(w, opt_seed, quota));
	}
	return 0;
}

/* A stall: where is every task of ours in the kernel? */
static void dump_stacks(void)
{
	char path[600], buf[4096];
	struct dirent *pe, *te;
	DIR *pd = opendir("/proc"), *td;

	while (pd && (pe = readdir(pd))) {
		int fd;
		ssize_t n;

		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", pe->d_name);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0 || strncmp(buf, "kipc-fuzz", 9))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		td = opendir(path);
		while (td && (te = readdir(td))) {
			static const char *const files[] = { "wchan", "syscall",
							      "stack" };

			if (te->d_name[0] == '.')
				continue;
			for (int i = 0; i < 3; i++) {
				snprintf(path, sizeof(path),
					 "/proc/%s/task/%s/%s", pe->d_name,
					 te->d_name, files[i]);
				fd = open(path, O_RDONLY);
				n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) :
				    -1;
				if (fd >= 0)
					close(fd);
				if (n <= 0)
					continue;
				buf[n] = 0;
				for (char *l = strtok(buf, "\n"); l;
				     l = strtok(NULL, "\n"))
					printf("#   %s/%s %s: %s\n", pe->d_name,
					       te->d_name, files[i], l);
			}
		}
		if (td)
			closedir(td);
	}
	if (pd)
		closedir(pd);
}

/* Worker @w ended with status @st: 1 if it failed, after saying how. */
static int worker_failed(int w, int st)
{
	if (WIFSIGNALED(st)) {
		printf("# worker %d killed by signal %d; its threads' last ops:\n",
		       w, WTERMSIG(st));
		for (int t = 0; t < opt_threads; t++)
			printf("#   %s\n", sh->last[w * opt_threads + t]);
		return 1;
	}
	if (WEXITSTATUS(st)) {
		printf("# worker %d exited %d\n", w, WEXITSTATUS(st));
		return 1;
	}
	return 0;
}

/*
 * Wait for the workers; returns how many failed.  sh->progress moves with
 * every operation of every thread and child: if it stands still for two
 * minutes, a task is stuck in the kernel (a lost wakeup, a deadlock), so
 * show where every task is and end the run.
 */
static int watch_workers(const pid_t *pids)
{
	uint64_t last_progress = 0, total;
	int alive = opt_procs, stall = 0, bad_exit = 0, w;

	while (alive) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (w = 0; w < opt_procs; w++)
				if (pids[w] == p)
					break;
			if (w < opt_procs) {
				alive--;
				bad_exit += worker_failed(w, st);
			}
			continue;
		}
		usleep(100 * 1000);
		total = atomic_load(&sh->progress);
		if (total != last_progress) {
			last_progress = total;
			stall = 0;
		} else if (++stall == 1200) {
			printf("# no progress for 120 s; last ops:\n");
			for (int i = 0; i < opt_procs * opt_threads; i++)
				printf("#   [%d] %s\n", i, sh->last[i]);
			dump_stacks();
			for (w = 0; w < opt_procs; w++)
				kill(pids[w], SIGKILL);
			bad_exit++;
		}
	}
	return bad_exit;
}

/* ---------------------------------------------------------------- */
/* After the run. */

/* Regions and names the run left behind (races, fuzzed creations). */
static void global_cleanup(int ctl, const int32_t *before, int nbefore)
{
	static int32_t ids[4096];
	int nids = list_regions(ctl, ids, 4096);

	for (int i = 0; i < nids; i++) {
		bool old = false;
		struct kipc_shm_id id = { .id = ids[i] };

		for (int j = 0; j < nbefore; j++)
			old |= before[j] == ids[i];
		if (!old)
			ioctl(ctl, KIPC_IOC_SHM_RMID, &id);
	}
	remove_chan_names(ctl, "kfz");
}

static bool same_counts(const struct kipc_stats *a, const struct kipc_stats *b)
{
	return a->chans == b->chans && a->named_chans == b->named_chans &&
	       a->regions == b->regions && a->region_pages == b->region_pages;
}

/*
 * The module's counts now, in @st1.  Released files may take a moment
 * (delayed fput): give them five seconds to come back to @st0.
 */
static void settle(int ctl, const struct kipc_stats *st0,
		   struct kipc_stats *st1)
{
	for (int i = 0; i < 50; i++) {
		memset(st1, 0, sizeof(*st1));
		ioctl(ctl, KIPC_IOC_STATS, st1);
		if (same_counts(st0, st1))
			break;
		usleep(100 * 1000);
	}
}

/* The KTAP result and its comments; true if the run passed. */
static bool summary(const struct kipc_stats *st0, const struct kipc_stats *st1,
		    double secs, int bad_exit)
{
	bool ok;

	for (int k = 0; k < NR_OPS; k++)
		printf("# %-14s %10llu  (failed with an errno: %llu; %.1f s)\n",
		       op_names[k], (unsigned long long)sh->count[k],
		       (unsigned long long)sh->errs[k],
		       (double)sh->ns[k] / 1e9);
	printf("# operations: %llu by workers, %llu by forked children, in "
	       "%.1f s\n", (unsigned long long)sh->ops,
	       (unsigned long long)sh->kid_ops, secs);
	printf("# module: chans %llu -> %llu, named %llu -> %llu, regions "
	       "%llu -> %llu, region pages %llu -> %llu, chans created %llu\n",
	       (unsigned long long)st0->chans, (unsigned long long)st1->chans,
	       (unsigned long long)st0->named_chans,
	       (unsigned long long)st1->named_chans,
	       (unsigned long long)st0->regions,
	       (unsigned long long)st1->regions,
	       (unsigned long long)st0->region_pages,
	       (unsigned long long)st1->region_pages,
	       (unsigned long long)(st1->chans_created - st0->chans_created));
	/* Everything was closed and removed: a difference is a leak. */
	if (!opt_no_baseline && !same_counts(st0, st1)) {
		printf("# violation: the module's counts did not come back "
		       "once everything was closed and removed\n");
		atomic_fetch_add(&sh->violations, 1);
	}
	for (int i = 0; i < atomic_load(&sh->nmsg) && i < MAX_MSGS; i++)
		printf("# violation %d: %s\n", i + 1, sh->msg[i]);
	ok = !atomic_load(&sh->violations) && !bad_exit;
	printf("%sok 1 kipc-fuzz seed=%llu ops=%llu\n", ok ? "" : "not ",
	       (unsigned long long)opt_seed, (unsigned long long)opt_ops);
	if (!ok)
		printf("# %d violations, %d workers failed; replay with "
		       "--seed %llu --ops %llu --procs %d --threads %d\n",
		       atomic_load(&sh->violations), bad_exit,
		       (unsigned long long)opt_seed,
		       (unsigned long long)opt_ops, opt_procs, opt_threads);
	return ok;
}

int main(int argc, char **argv)
{
	static int32_t before[4096];
	struct kipc_stats st0, st1;
	struct timespec t0, t1;
	pid_t pids[MAX_WORKERS];
	int ctl, nbefore, bad_exit, rc;
	bool ok;

	rc = parse_args(argc, argv);
	if (rc >= 0)
		return rc;
	/* Unbuffered: workers write(2) their lines, ours must keep in order. */
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..1\n");
	printf("# kipc-fuzz seed=%llu ops=%llu procs=%d threads=%d "
	       "(replay: --seed %llu --ops %llu --procs %d --threads %d)\n",
	       (unsigned long long)opt_seed, (unsigned long long)opt_ops,
	       opt_procs, opt_threads, (unsigned long long)opt_seed,
	       (unsigned long long)opt_ops, opt_procs, opt_threads);

	ctl = open(CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		printf("not ok 1 kipc-fuzz seed=%llu ops=%llu # %s: %s\n",
		       (unsigned long long)opt_seed,
		       (unsigned long long)opt_ops, CONTROL, strerror(errno));
		return 1;
	}
	if (opt_smoke) {
		rc = run_smoke(ctl);
		if (rc >= 0)
			return rc;
	}
	if (setup())
		return 2;

	memset(&st0, 0, sizeof(st0));
	ioctl(ctl, KIPC_IOC_STATS, &st0);
	nbefore = list_regions(ctl, before, 4096);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (start_workers(pids))
		return 2;
	bad_exit = watch_workers(pids);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	global_cleanup(ctl, before, nbefore);
	settle(ctl, &st0, &st1);
	ok = summary(&st0, &st1, (double)(t1.tv_sec - t0.tv_sec) +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, bad_exit);
	close(ctl);
	return ok ? 0 : 1;
}
