// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* msgq-hello: whole messages, the most urgent first. */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libkipc.h>

static const struct {
	const char *text;
	unsigned int priority;
} msgs[] = { { "first", 0 }, { "urgent", 9 }, { "second", 0 } };

int main(int argc, char **argv)
{
	int b = kipc_backend_from_name(argc > 1 ? argv[1] : "posix-mq");
	struct kipc_msgq_info info;
	struct kipc_msgq *q;
	char buf[8192];	/* POSIX mq: at least its mq_msgsize */
	size_t i;
	int ret;

	if (b < 0 || !(kipc_backend_caps(b) & KIPC_CAP_MESSAGE))
		errx(2, "usage: msgq-hello [BACKEND]");
	ret = kipc_msgq_create(&q, b, NULL);
	if (ret < 0)
		errx(1, "%s", kipc_strerror(ret));

	for (i = 0; i < 3 && ret >= 0; i++) {
		const char *s = msgs[i].text;

		ret = kipc_msgq_send(q, s, strlen(s), msgs[i].priority, 0);
		if (ret == -ENOTSUP) {
			printf("no priorities: %s goes at 0\n", s);
			ret = kipc_msgq_send(q, s, strlen(s), 0, 0);
		}
	}
	/* The last sender goes: end of file, where the backend has one. */
	if (ret >= 0)
		ret = kipc_msgq_close(q, KIPC_CHAN_WRITE);
	while (ret >= 0) {
		ret = kipc_msgq_recv(q, buf, sizeof(buf), &info,
				     KIPC_MSGQ_DONTWAIT);
		if (ret < 0 || info.flags & KIPC_MSGQ_EOF)
			break;
		printf("priority %u, %zu bytes: %.*s\n", info.priority,
		       info.size, (int)info.size, buf);
	}
	kipc_msgq_destroy(q);
	if (ret == -EAGAIN)
		puts("empty, no end of file: the queue outlives its senders");
	else if (ret < 0)
		errx(1, "%s", kipc_strerror(ret));
	else
		puts("end of file");
	return 0;
}
