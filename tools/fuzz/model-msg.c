// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: the model of a message channel, what the kernel must answer.
 *
 * A message channel (KIPC_CHAN_F_MESSAGE) queues whole messages, one FIFO
 * list per priority, and a read takes the oldest of the highest priority.
 * Each message costs its length plus KIPC_MSG_OVERHEAD of the capacity,
 * and fits when the channel is empty (any length up to the capacity) or
 * when its cost fits beside what is queued.  Every message is a stretch
 * of the channel's stream of its own, so that a read names the message it
 * got as well as its bytes.
 *
 * This file owns the queue and the predictions every way of sending and
 * receiving shares: write() and KIPC_IOC_MSG_SEND, read() and
 * KIPC_IOC_MSG_RECV.  As in model.c, nothing here makes a system call or
 * draws from the generator.
 */
#include "fuzz.h"

static uint64_t msg_cost(uint64_t len)
{
	return len + KIPC_MSG_OVERHEAD;
}

/* The fit rule: into an empty channel, or beside the cost queued. */
bool msg_fits(const struct pchan *ch, uint64_t len)
{
	if (len > ch->cap)
		return false;
	return !ch->mq.n || ch->queued + msg_cost(len) <= ch->cap;
}

/* The model holds MAX_QMSG messages at most: callers send no more. */
bool msg_model_full(const struct pchan *ch)
{
	return ch->mq.n == MAX_QMSG;
}

/* The next message a read takes, or NULL. */
const struct qmsg *msg_next(const struct pchan *ch)
{
	const struct msgq *q = &ch->mq;
	int p;

	if (!q->nonempty)
		return NULL;
	p = 31 - __builtin_clz(q->nonempty);
	return &q->slot[q->head[p]];
}

void msg_clear(struct msgq *q)
{
	memset(q->head, 0, sizeof(q->head));
	memset(q->tail, 0, sizeof(q->tail));
	q->nonempty = 0;
	q->free = 0;
	q->fresh = 0;
	q->n = 0;
}

/* Queue a message of @len bytes at @prio: the next bytes of the stream. */
void msg_push(struct pchan *ch, uint32_t len, uint8_t prio)
{
	struct msgq *q = &ch->mq;
	uint16_t i;

	if (q->free) {
		i = q->free;
		q->free = q->slot[i].next;
	} else {
		i = ++q->fresh;
	}
	q->slot[i] = (struct qmsg){ .off = ch->wr_off, .len = len,
				    .prio = prio };
	if (q->head[prio])
		q->slot[q->tail[prio]].next = i;
	else
		q->head[prio] = i;
	q->tail[prio] = i;
	q->nonempty |= 1U << prio;
	q->n++;
	ch->wr_off += len;
	ch->queued += msg_cost(len);
	ch->st_written += len;
}

/* Take the next message, of which @copied bytes were delivered. */
void msg_pop(struct pchan *ch, uint64_t copied)
{
	struct msgq *q = &ch->mq;
	const struct qmsg *m = msg_next(ch);
	uint8_t p = m->prio;
	uint16_t i = q->head[p];

	ch->queued -= msg_cost(m->len);
	ch->st_read += copied;
	q->head[p] = q->slot[i].next;
	if (!q->head[p]) {
		q->tail[p] = 0;
		q->nonempty &= ~(1U << p);
	}
	q->slot[i].next = q->free;
	q->free = i;
	q->n--;
}

/*
 * The errno of sending @len bytes of which the first @valid are readable,
 * in the order kipc(4) gives: EMSGSIZE, EPIPE, -1 when it does not fit
 * (EAGAIN, or a wait); only then, the room reserved, is the message
 * copied in: EFAULT with nothing queued, or 0.
 */
int msg_send_errno(struct pchan *ch, uint64_t len, uint64_t valid)
{
	if (len > ch->cap)
		return EMSGSIZE;
	if (!ch_readers(ch))
		return EPIPE;
	if (!msg_fits(ch, len))
		return -1;
	return valid < len ? EFAULT : 0;
}

/*
 * What receiving into @len bytes, the first @valid of them writable, must
 * give now: the next message whole, or its first @len bytes with
 * KIPC_MSG_TRUNC (@trunc), EMSGSIZE without, EFAULT when the copy faults
 * (the message stays), end of file with no writer, or a wait.
 */
void msg_recv_predict(struct pchan *ch, uint64_t len, uint64_t valid,
		      bool trunc, struct msg_recv *r)
{
	const struct qmsg *m = msg_next(ch);

	memset(r, 0, sizeof(*r));
	if (!m) {
		r->eof = !ch_writers(ch);
		r->waits = !r->eof;
		return;
	}
	r->m = *m;
	r->any = true;
	r->size = m->len;
	if (m->len > len && !trunc) {
		r->err = EMSGSIZE;
		return;
	}
	r->copy = m->len < len ? m->len : len;
	r->truncated = m->len > len;
	if (valid < r->copy)
		r->err = EFAULT;
}

/* Compare the @n bytes received of message @m with its stream. */
bool msg_differs(const struct pchan *ch, const struct qmsg *m,
		 const char *buf, uint64_t n, uint64_t *at)
{
	struct piece pc = { .off = m->off, .len = n };
	uint64_t off;

	return stream_differs(ch->key, buf, &pc, 1, at, &off);
}

/* poll(): POLLOUT once a message of the end's sndlowat bytes fits. */
bool msg_writable(const struct pchan *ch, const struct ofd *o)
{
	return msg_fits(ch, sndlowat_of(o, ch->cap));
}
