// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* shm-doorbell: a child writes to shared memory, then rings. */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libkipc.h>

int main(int argc, char **argv)
{
	struct kipc_shm_opts opts = { .size = 4096, .flags = O_CREAT };
	int b = kipc_backend_from_name(argc > 1 ? argv[1] : "kipc-shm");
	struct kipc_shm *shm;
	uint64_t seq = 0;
	int ret, bell;
	void *addr;
	char *mem;
	pid_t pid;

	if (b < 0 || !(kipc_backend_caps(b) & KIPC_CAP_SHM))
		errx(2, "usage: shm-doorbell [kipc-shm|sysv-shm|posix-shm]");
	/* Key 0, no name: a new private object, shared through fork(). */
	ret = kipc_shm_create(&shm, b, &opts);
	if (ret < 0)
		errx(1, "%s", kipc_strerror(ret));
	ret = kipc_shm_attach(shm, O_RDWR, &addr);
	if (ret < 0)
		errx(1, "attach: %s", kipc_strerror(ret));
	mem = addr;
	/* Read the bell before the child can ring it: no wake is lost. */
	bell = kipc_backend_caps(b) & KIPC_CAP_DOORBELL;
	if (bell)
		kipc_shm_get_doorbell(shm, &seq);

	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		strcpy(mem, "hello from the child");
		if (bell)
			kipc_shm_wake(shm, NULL);
		_exit(0);
	}
	if (bell) {
		ret = kipc_shm_wait(shm, &seq, 5000000000LL);	/* 5 s */
		if (ret < 0)
			errx(1, "wait: %s", kipc_strerror(ret));
		printf("rung (doorbell %llu): %s\n",
		       (unsigned long long)seq, mem);
	}
	waitpid(pid, NULL, 0);
	if (!bell)	/* System V, POSIX: no bell, so wait for the exit */
		printf("child gone: %s\n", mem);
	kipc_shm_remove(shm);
	kipc_shm_destroy(shm);
	return 0;
}
