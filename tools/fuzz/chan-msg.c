// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: tracked message channels, their life cycle.
 *
 * Owns the making of channels with KIPC_CHAN_F_MESSAGE: pairs and named
 * ones, with the flags that go with it and those that do not (mapped, or
 * a pair's O_DIRECT: EINVAL), and permission bits that an unprivileged
 * open may lack.  They are tracked channels like the others (struct
 * pchan, with @msg set), so that closing, dup, fcntl, poll, the channel
 * ioctls, opening by node or by KIPC_IOC_CHAN_OPEN and the end options
 * are the operations every channel has; writes and reads are in
 * chan-msg-io.c, the message ioctls in chan-msg-ctl.c.
 */
#include "fuzz.h"

/* O_DIRECT and KIPC_CHAN_F_MAPPED do not go with messages: EINVAL. */
static const struct maybe_bit msg_pair_flags[] = {
	{ 75, O_NONBLOCK }, { 50, O_CLOEXEC }, { 4, O_DIRECT },
	{ 4, KIPC_CHAN_F_MAPPED },
};

static void msg_pair(struct ctx *c)
{
	uint32_t flags = draw_bits(c, msg_pair_flags, 4) | KIPC_CHAN_F_MESSAGE;
	uint64_t cap = choose_cap(c, true);
	int want = cap ? cap_errno(c, cap, 0) : 0;

	if (flags & (O_DIRECT | KIPC_CHAN_F_MAPPED))
		want = EINVAL;
	note_op(c, OP_MSG_CHAN, "message pair flags=%#x cap=%llu", flags,
		(unsigned long long)cap);
	ch_pair(c, OP_MSG_CHAN, flags, cap, want);
}

/*
 * A named message channel, whose bits may deny an unprivileged open;
 * KIPC_CHAN_F_MAPPED with it, or a flag a name never takes, is EINVAL.
 */
static void msg_named(struct ctx *c)
{
	static const unsigned int modes[] = { 0600, 0600, 0600, 0600, 0400,
					      0200, 0644, 0604 };
	static const uint32_t junk[] = { KIPC_CHAN_F_MAPPED, O_NONBLOCK,
					 O_DIRECT, 0x80000000 };
	unsigned int mode = modes[below(&c->r, 8)];
	uint32_t flags = KIPC_CHAN_F_MESSAGE;
	bool bad = chance(&c->r, 5);

	if (bad)
		flags |= junk[below(&c->r, 4)];
	ch_create(c, OP_MSG_CHAN, flags, mode, bad);
}

void op_msg_chan(struct ctx *c)
{
	struct pchan *ch;

	switch (below(&c->r, 8)) {
	case 0 ... 3:
		msg_pair(c);
		return;
	case 4 ... 5:
		msg_named(c);
		return;
	default:
		ch = ch_pick_named(c, CK_MSG);
		if (ch)
			ch_named_open(c, ch);
		else
			msg_named(c);
		return;
	}
}
