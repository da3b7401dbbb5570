// SPDX-License-Identifier: GPL-2.0
/*
 * host.c: what is stored with the results about where and how they were
 * measured: kernel, CPU, clocksource, the kipc module and io_uring (or
 * why not), the label, and the configuration as the run used it.  A
 * figure means little without these, so they travel in every JSON file
 * and head the table and the plot.
 */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <liburing.h>

/* "": io_uring works here; otherwise why not, for the rows that need it. */
char uring_reason[ERRMSG_LEN];

/*
 * Whether this kernel gives us an io_uring at all (it may be disabled by
 * sysctl, seccomp or age): "ok" or why not into @out and uring_reason.
 */
void probe_io_uring(char *out, size_t len)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(2, &ring, 0);

	if (ret) {
		snprintf(out, len, "io_uring_setup: %s", strerror(-ret));
		snprintf(uring_reason, sizeof(uring_reason), "%s", out);
	} else {
		io_uring_queue_exit(&ring);
		snprintf(out, len, "ok");
	}
}

static void read_cpu_model(char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512], *c;

	while (f && fgets(line, sizeof(line), f)) {
		c = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !c)
			continue;
		c++;
		c += strspn(c, " \t");
		c[strcspn(c, "\n")] = 0;
		snprintf(out, len, "%s", c);
		break;
	}
	if (f)
		fclose(f);
}

static void collect_host(struct meta *m)
{
	struct kipc_module_version kv;
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	snprintf(m->version, sizeof(m->version), "%s", KIPC_VERSION);
	gmtime_r(&t, &tm);
	strftime(m->time, sizeof(m->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!uname(&u)) {
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname,
			 u.release);
		snprintf(m->machine, sizeof(m->machine), "%s", u.machine);
	}
	read_cpu_model(m->cpu_model, sizeof(m->cpu_model));
	/*
	 * qemu names its emulated CPU so ("QEMU TCG CPU version ..." for
	 * -cpu max); under KVM the model is the host's.
	 */
	m->tcg = strstr(m->cpu_model, "QEMU TCG") != NULL;
	if (!read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			     m->clocksource, sizeof(m->clocksource)))
		snprintf(m->clocksource, sizeof(m->clocksource), "unknown");
	m->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* Set by kipc-vm, the VM runner, in its guests. */
	m->kipc_vm = getenv("KIPC_VM") != NULL;
	ret = kipc_module_get_version(&kv);
	if (!ret)
		snprintf(m->kipc_module, sizeof(m->kipc_module),
			 "%u.%u.%u (ABI %u)", kv.major, kv.minor, kv.patch,
			 kv.abi);
	else
		snprintf(m->kipc_reason, sizeof(m->kipc_reason), "%s",
			 kipc_strerror(ret));
	probe_io_uring(m->io_uring, sizeof(m->io_uring));
	if (cfg.label)
		snprintf(m->label, sizeof(m->label), "%s", cfg.label);
}

/* The CPUs pinned to, as ranges ("0-3,6"), or "none". */
static void fmt_cpus(char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i, j;

	if (!cfg.pin) {
		snprintf(buf, len, "none");
		return;
	}
	buf[0] = 0;
	for (i = 0; i < cfg.ncpus && used < len; i = j + 1) {
		for (j = i; j + 1 < cfg.ncpus &&
			    cfg.cpus[j + 1] == cfg.cpus[j] + 1; j++)
			;
		if (j == i)
			used += snprintf(buf + used, len - used, "%s%d",
					 i ? "," : "", cfg.cpus[i]);
		else
			used += snprintf(buf + used, len - used, "%s%d-%d",
					 i ? "," : "", cfg.cpus[i], cfg.cpus[j]);
	}
}

/* The host, and the configuration as this run uses it. */
void collect_meta(struct meta *m)
{
	int i;

	collect_host(m);
	m->reps = cfg.reps;
	m->min_time = cfg.min_time;
	m->min_rtts = cfg.min_rtts;
	fmt_cpus(m->cpus, sizeof(m->cpus));
	m->split = cfg.split;
	m->quick = cfg.quick;
	m->verify = cfg.verify;
	memcpy(m->sizes, cfg.sizes, sizeof(m->sizes));
	m->nsizes = cfg.nsizes;
	memcpy(m->msg_sizes, cfg.msg_sizes, sizeof(m->msg_sizes));
	m->nmsg_sizes = cfg.nmsg_sizes;
	memcpy(m->pairs, cfg.pairs, sizeof(m->pairs));
	m->npairs = cfg.npairs;
	m->scale_size = cfg.scale_size;
	m->ring_bytes = cfg.ring_bytes;
	m->spin = cfg.spin;
	m->nbackends = 0;
	for (i = 0; i < NBACKENDS; i++)
		if (cfg.selected[i])
			snprintf(m->backends[m->nbackends++],
				 sizeof(m->backends[0]), "%s", backends[i].name);
	m->tests = cfg.tests;
	m->scaling_cpus = cfg.scaling_cpus;
	m->mode = cfg.mode;
	/* An icount guest is always an emulated one. */
	m->tcg |= cfg.mode == MODE_ICOUNT;
	m->max_spread = MAX_SPREAD;
	m->min_reps = MIN_REPS;
}
