// SPDX-License-Identifier: GPL-2.0
/*
 * backends.c: the one table of backends.  Each entry names a mechanism,
 * how its ends wake each other, its capacity, the kinds of rows it has
 * and the family of code that drives it; run.c walks this table for
 * every kind of row, and the outputs, --list and --check-json read it.
 */
#include "job.h"

#include <string.h>

const char *const xport_names[] = {
	"rw", "io_uring", "futex", "doorbell", "msgq",
};

const char *const sec_names[NSECS] = {
	"throughput", "latency", "scaling", "messages", "message_latency",
};

int sec_index(unsigned int sec)
{
	int i;

	for (i = 0; i < NSECS - 1 && sec != 1u << i; i++)
		;
	return i;
}

bool sec_sized(unsigned int sec)
{
	return sec & (SEC_THR | SEC_MSG | SEC_MSG_LAT);
}

bool sec_rtt(unsigned int sec)
{
	return sec & (SEC_LAT | SEC_MSG_LAT);
}

/*
 * A message queue is set against the kernel's own queue of messages,
 * POSIX mq, which keeps boundaries as they all do: a pipe does not.
 */
const char *sec_baseline(unsigned int sec)
{
	return sec & (SEC_MSG | SEC_MSG_LAT) ? "posix-mq" : "pipe";
}

const char *sec_ratio_key(unsigned int sec)
{
	return sec & (SEC_MSG | SEC_MSG_LAT) ? "ratio_to_posix_mq" :
					       "ratio_to_pipe";
}

/* A mechanism's JSON name and libkipc's backend for it, which go together. */
#define PIPE		"pipe", KIPC_BACKEND_PIPE
#define FIFO		"fifo", KIPC_BACKEND_FIFO
#define UNIX		"unix", 0
#define KPAIR		"kipc-pair", KIPC_BACKEND_KIPC_PAIR
#define KNAMED		"kipc-named", KIPC_BACKEND_KIPC_NAMED
#define SYSV		"sysv-shm", KIPC_BACKEND_SYSV_SHM
#define POSIX		"posix-shm", KIPC_BACKEND_POSIX_SHM
#define KSHM		"kipc-shm", KIPC_BACKEND_KIPC_SHM
#define KMAPPED		"kipc-mapped", KIPC_BACKEND_KIPC_MAPPED
#define KMSG		"kipc-msg", KIPC_BACKEND_KIPC_MSG
#define POSIX_MQ	"posix-mq", KIPC_BACKEND_POSIX_MQ
#define SYSV_MSG	"sysv-msg", KIPC_BACKEND_SYSV_MSG
#define SEQPACKET	"seqpacket", KIPC_BACKEND_SEQPACKET
#define THR_LAT		(SEC_THR | SEC_LAT)
#define THR_LAT_SCALE	(SEC_THR | SEC_LAT | SEC_SCALE)
#define MSGS		(SEC_MSG | SEC_MSG_LAT)

/*
 * Row order is table and plot order, and the plot's colours follow it.
 * "pipe" is the baseline of every byte mechanism's ratio and is always
 * measured; "posix-mq" is the message queues', measured whenever one of
 * them is.  Unix stream sockets are a reference only: not a libkipc
 * channel, so no io_uring row through kipc_aio.  Only default capacities
 * have latency rows (a 1-byte round trip never fills a buffer), and
 * scaling compares pipe with kipc pairs alone.  The message queues, all
 * driven through kipc_msgq with one capacity (msg.c), have message rows
 * only.
 */
const struct backend backends[NBACKENDS] = {
	{ "pipe", PIPE, XP_RW, 0, THR_LAT_SCALE, &fam_chan,
	  "pipe2(), default capacity (the baseline)" },
	{ "pipe-1m", PIPE, XP_RW, MIB, SEC_THR, &fam_chan,
	  "pipe2(), F_SETPIPE_SZ 1 MiB" },
	{ "fifo", FIFO, XP_RW, 0, THR_LAT, &fam_chan,
	  "mkfifo() in $TMPDIR or /tmp, default capacity" },
	{ "unix", UNIX, XP_RW, 0, THR_LAT, &fam_unix,
	  "socketpair(AF_UNIX, SOCK_STREAM), reference, not libkipc" },
	{ "kipc-pair", KPAIR, XP_RW, 0, THR_LAT_SCALE, &fam_chan,
	  "kipc anonymous pair, default capacity" },
	{ "kipc-pair-1m", KPAIR, XP_RW, MIB, SEC_THR, &fam_chan,
	  "kipc anonymous pair, 1 MiB" },
	{ "kipc-named", KNAMED, XP_RW, 0, THR_LAT, &fam_chan,
	  "kipc named channel /dev/kipc/NAME, default capacity" },
	{ "kipc-named-1m", KNAMED, XP_RW, MIB, SEC_THR, &fam_chan,
	  "kipc named channel, 1 MiB" },
	{ "kipc-mapped", KMAPPED, XP_RW, 0, THR_LAT, &fam_chan,
	  "kipc mapped pair through kipc_ring (no system call unless empty or full)" },
	{ "kipc-mapped-1m", KMAPPED, XP_RW, MIB, SEC_THR, &fam_chan,
	  "kipc mapped pair, 1 MiB" },
	{ "pipe+uring", PIPE, XP_URING, 0, THR_LAT, &fam_uring,
	  "pipe through io_uring (kipc_aio, queue depth 1)" },
	{ "pipe-1m+uring", PIPE, XP_URING, MIB, SEC_THR, &fam_uring,
	  "pipe 1 MiB through io_uring" },
	{ "fifo+uring", FIFO, XP_URING, 0, THR_LAT, &fam_uring,
	  "FIFO through io_uring" },
	{ "kipc-pair+uring", KPAIR, XP_URING, 0, THR_LAT, &fam_uring,
	  "kipc pair through io_uring" },
	{ "kipc-pair-1m+uring", KPAIR, XP_URING, MIB, SEC_THR, &fam_uring,
	  "kipc pair 1 MiB through io_uring" },
	{ "kipc-named+uring", KNAMED, XP_URING, 0, THR_LAT, &fam_uring,
	  "kipc named channel through io_uring" },
	{ "kipc-named-1m+uring", KNAMED, XP_URING, MIB, SEC_THR, &fam_uring,
	  "kipc named channel 1 MiB through io_uring" },
	{ "sysv-shm+futex", SYSV, XP_FUTEX, 0, THR_LAT, &fam_ring,
	  "SPSC ring in a SysV segment, futex wake-ups" },
	{ "posix-shm+futex", POSIX, XP_FUTEX, 0, THR_LAT, &fam_ring,
	  "SPSC ring in a POSIX shm object, futex wake-ups" },
	{ "kipc-shm+futex", KSHM, XP_FUTEX, 0, THR_LAT, &fam_ring,
	  "SPSC ring in a kipc region, futex wake-ups" },
	{ "kipc-shm+doorbell", KSHM, XP_DOORBELL, 0, THR_LAT, &fam_ring,
	  "SPSC ring in a kipc region, doorbell wake-ups" },
	{ "kipc-msg", KMSG, XP_MSG, MSG_CAPACITY, MSGS, &fam_msg,
	  "kipc message channel (pair), one message per send and receive" },
	{ "posix-mq", POSIX_MQ, XP_MSG, MSG_CAPACITY, MSGS, &fam_msg,
	  "POSIX message queue, mq_send()/mq_receive() (the messages' baseline)" },
	{ "sysv-msg", SYSV_MSG, XP_MSG, MSG_CAPACITY, MSGS, &fam_msg,
	  "System V message queue, msgsnd()/msgrcv()" },
	{ "seqpacket", SEQPACKET, XP_MSG, MSG_CAPACITY, MSGS, &fam_msg,
	  "socketpair(AF_UNIX, SOCK_SEQPACKET)" },
};

int backend_find(const char *name)
{
	int i;

	for (i = 0; i < NBACKENDS; i++)
		if (!strcmp(backends[i].name, name))
			return i;
	return -1;
}

/*
 * Whether this machine lacks what @b needs (the module, /dev/shm,
 * io_uring): such a row says "skipped" and why, rather than failing.
 * io_uring's answer is uring_reason, probed once by host.c.
 */
bool backend_unavailable(const struct backend *b, char *why, size_t len)
{
	int ret;

	if (b->lib) {
		ret = kipc_backend_available(b->lib);
		if (ret) {
			snprintf(why, len, "%s: %s", kipc_backend_name(b->lib),
				 kipc_strerror(ret));
			return true;
		}
	}
	if (b->xp == XP_URING && uring_reason[0]) {
		snprintf(why, len, "%s", uring_reason);
		return true;
	}
	return false;
}

/* --list */
void list_backends(void)
{
	char why[ERRMSG_LEN], secs[40];
	int i;

	probe_io_uring(why, sizeof(why));
	printf("%-20s %-28s %s\n", "BACKEND", "ROWS", "DESCRIPTION");
	for (i = 0; i < NBACKENDS; i++) {
		const struct backend *b = &backends[i];
		unsigned int s;

		secs[0] = 0;
		for (s = 0; s < NSECS; s++)
			if (b->secs & (1u << s))
				snprintf(secs + strlen(secs),
					 sizeof(secs) - strlen(secs), "%s%s",
					 secs[0] ? "," : "", sec_names[s]);
		printf("%-20s %-28s %s", b->name, secs, b->what);
		if (backend_unavailable(b, why, sizeof(why)))
			printf(" [unavailable: %s]", why);
		putchar('\n');
	}
}
