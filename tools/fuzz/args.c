// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: what the kernel is handed.
 *
 * Owns the arguments of the operations: pointers of every kind (valid,
 * misaligned, NULL, unmapped, kernel, non-canonical, straddling into a
 * PROT_NONE page, read-only) and what each lets the kernel read and write
 * back; I/O vectors with at most one bad segment, and how much of them is
 * accessible; the lengths, capacities and sizes to ask for, mostly sane
 * and sometimes not.  The bad ones are where copy_from_user() and
 * copy_to_user() must fail cleanly, with EFAULT and nothing half done.
 */
#include "fuzz.h"

/* ---------------------------------------------------------------- */
/* Pointers for the arguments of ioctls. */

/* Mostly valid; the rest spread over the bad kinds. */
enum ptr_kind pick_ptr(struct ctx *c, unsigned int bad_pct)
{
	if (!chance(&c->r, bad_pct))
		return chance(&c->r, 80) ? P_VALID : P_MISALIGNED;
	return (enum ptr_kind)(P_NULL + below(&c->r, NR_PTR - P_NULL));
}

bool ptr_faults_early(enum ptr_kind k)
{
	/* access_ok() fails: the kernel touches nothing. */
	return k == P_KERNEL || k == P_NONCANON;
}

struct argp arg_ptr(struct ctx *c, size_t size, enum ptr_kind k)
{
	struct argp a = { .kind = k, .size = size };

	switch (k) {
	case P_VALID:
		a.p = c->arg;
		a.valid = size;
		break;
	case P_MISALIGNED:
		a.p = c->arg + 1 + below(&c->r, 7);
		a.valid = size;
		break;
	case P_NULL:
		a.p = NULL;
		break;
	case P_LOW:
		a.p = (char *)(uintptr_t)(0x1000 + below(&c->r, 0x8000));
		break;
	case P_NONE:
		a.p = c->none + below(&c->r, PG - 64);
		break;
	case P_KERNEL:
		a.p = (char *)(uintptr_t)(chance(&c->r, 50) ?
			0xffffffff81000000ULL : 0xffff888000000000ULL +
			below(&c->r, 1 << 20));
		break;
	case P_NONCANON:
		a.p = (char *)(uintptr_t)0x0000800000000000ULL;
		break;
	case P_STRADDLE:
		a.valid = size > 1 ? 1 + below(&c->r, size - 1) : 0;
		a.p = c->rw_edge + PG - a.valid;
		break;
	case P_RDONLY:
		a.p = c->ro;
		a.valid = size;
		break;
	default:
		break;
	}
	return a;
}

/* Put the argument's bytes where the kernel will look for them. */
void arg_commit(struct argp *a, const void *data)
{
	if (a->kind == P_RDONLY) {
		mprotect(a->p, PG, PROT_READ | PROT_WRITE);
		memcpy(a->p, data, a->size);
		mprotect(a->p, PG, PROT_READ);
	} else if (a->valid) {
		memcpy(a->p, data, a->valid);
	}
}

/* Read back what the kernel wrote (only for kinds where it could). */
void arg_fetch(struct argp *a, void *data)
{
	if (a->kind == P_VALID || a->kind == P_MISALIGNED)
		memcpy(data, a->p, a->size);
}

/* The argument cannot even be read in full. */
bool arg_in_faults(struct argp *a)
{
	return a->valid < a->size && a->kind != P_RDONLY;
}

/* It can be read but not written back. */
bool arg_out_faults(struct argp *a)
{
	return a->kind != P_VALID && a->kind != P_MISALIGNED;
}

/*
 * The checks that come first for an ioctl's argument.  Each returns true
 * when it decided the result (and reported a wrong one), so that the
 * caller stops there.
 */

/* It could not be read: EFAULT, before anything else is looked at. */
bool arg_unreadable(struct ctx *c, struct argp *a, const char *what, int err)
{
	if (!ptr_faults_early(a->kind) && !arg_in_faults(a))
		return false;
	if (err != EFAULT)
		violation(c, "%s ptr %d: %s", what, a->kind, strerror(err));
	return true;
}

/*
 * What an ioctl owes its argument before it looks at anything else:
 * EFAULT when it cannot be read, EINVAL when @bad (a reserved field or an
 * unknown flag set), 0 when it passes.
 */
int arg_errno(struct argp *a, bool bad)
{
	if (ptr_faults_early(a->kind) || arg_in_faults(a))
		return EFAULT;
	return bad ? EINVAL : 0;
}

/* A reserved field was set: EINVAL, as unknown flags are. */
bool arg_reserved(struct ctx *c, bool set, const char *what, int err)
{
	if (!set)
		return false;
	if (err != EINVAL)
		violation(c, "%s reserved: %s", what, strerror(err));
	return true;
}

/* The result could not be written back: EFAULT. */
bool arg_unwritable(struct ctx *c, struct argp *a, const char *what,
		    long ret, int err)
{
	if (!arg_out_faults(a))
		return false;
	if (err != EFAULT)
		violation(c, "%s ptr %d: %ld", what, a->kind, ret);
	return true;
}

/* ---------------------------------------------------------------- */
/* Flags. */

/* Each bit of @bits with its own chance, drawn in the table's order. */
uint32_t draw_bits(struct ctx *c, const struct maybe_bit *bits, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		if (chance(&c->r, bits[i].pct))
			v |= bits[i].bit;
	return v;
}

/* ---------------------------------------------------------------- */
/* I/O vectors for read and write. */

void plan_iov(struct ctx *c, struct iovplan *v, char *base,
		     uint64_t total, bool vec, bool allow_bad)
{
	uint64_t left = total, off = 0;
	enum ptr_kind bad = allow_bad ? pick_ptr(c, 12) : P_VALID;
	int badseg;

	memset(v, 0, sizeof(*v));
	v->total = total;
	v->kind = bad;
	if (bad == P_MISALIGNED)
		bad = P_VALID;
	v->n = vec ? 1 + (int)below(&c->r, 8) : 1;
	for (int i = 0; i < v->n; i++) {
		uint64_t len = i == v->n - 1 ? left : below(&c->r, left + 1);

		if (chance(&c->r, 10) && i != v->n - 1)
			len = 0;
		v->iov[i].iov_base = base + off;
		v->iov[i].iov_len = len;
		off += len;
		left -= len;
	}
	v->valid = total;
	if (bad == P_VALID || bad == P_RDONLY)
		return;
	/* One segment goes bad; what comes before it stays valid. */
	badseg = (int)below(&c->r, v->n);
	v->valid = 0;
	for (int i = 0; i < badseg; i++)
		v->valid += v->iov[i].iov_len;
	switch (bad) {
	case P_KERNEL:
	case P_NONCANON:
		v->iov[badseg].iov_base = (void *)(uintptr_t)(bad == P_KERNEL ?
				0xffffffff81000000ULL : 0x0000800000000000ULL);
		v->early_fault = true;
		break;
	case P_NULL:
		v->iov[badseg].iov_base = NULL;
		break;
	case P_LOW:
		v->iov[badseg].iov_base = (void *)(uintptr_t)0x2000;
		break;
	case P_NONE:
		v->iov[badseg].iov_base = c->none;
		if (v->iov[badseg].iov_len > 16 * PG)
			v->iov[badseg].iov_len = 16 * PG;
		break;
	case P_STRADDLE: {
		uint64_t len = v->iov[badseg].iov_len;
		uint64_t k = len ? below(&c->r, len < PG ? len : PG) : 0;

		/* k bytes before the PROT_NONE page, the rest in it. */
		v->iov[badseg].iov_base = c->rw_edge + PG - k;
		if (len - k > 16 * PG)
			v->iov[badseg].iov_len = k + 16 * PG;
		v->valid += k;
		break;
	}
	default:
		break;
	}
	/* A zero-length bad segment faults nothing (unless access_ok). */
	if (!v->iov[badseg].iov_len && !v->early_fault)
		v->valid = total;
	v->total = 0;
	for (int i = 0; i < v->n; i++)
		v->total += v->iov[i].iov_len;
	if (v->valid > v->total)
		v->valid = v->total;
}

/* Put the bytes the model expects into the accessible part of @v. */
void iov_fill(struct iovplan *v, uint32_t key, uint64_t off)
{
	uint64_t done = 0;

	for (int i = 0; i < v->n && done < v->valid; i++) {
		uint64_t len = v->iov[i].iov_len;

		if (len > v->valid - done)
			len = v->valid - done;
		gen_fill(v->iov[i].iov_base, key, off + done, len);
		done += len;
	}
}

/* Gather the first @n bytes the kernel put into @v. */
void iov_gather(struct iovplan *v, char *dst, uint64_t n)
{
	uint64_t done = 0;

	for (int i = 0; i < v->n && done < n; i++) {
		uint64_t len = v->iov[i].iov_len;

		if (len > n - done)
			len = n - done;
		memcpy(dst + done, v->iov[i].iov_base, len);
		done += len;
	}
}

/* ---------------------------------------------------------------- */
/* Amounts to ask for. */

/* A read or write length: small ones, PIPE_BUF and its edges, big ones. */
uint64_t choose_len(struct ctx *c)
{
	switch (below(&c->r, 12)) {
	case 0:
		return 0;
	case 1 ... 4:
		return 1 + below(&c->r, 64);
	case 5 ... 6:
		return 1 + below(&c->r, PIPE_BUF_SZ);
	case 7:
		return PIPE_BUF_SZ + below(&c->r, 2);
	case 8 ... 9:
		return 1 + below(&c->r, 3 * PIPE_BUF_SZ);
	default:
		return 1 + below(&c->r, IOBUF / 2);
	}
}

/* A capacity to ask for: mostly sane, sometimes not. */
uint64_t choose_cap(struct ctx *c, bool tracked)
{
	switch (below(&c->r, 20)) {
	case 0 ... 9:
		return 0;
	case 10 ... 14:
		return KIPC_CAPACITY_MIN + below(&c->r, 64 * 1024);
	case 15 ... 17:
		return KIPC_CAPACITY_MIN << below(&c->r, 7);
	case 18:
		if (tracked)
			return TRACKED_CAP_MAX - below(&c->r, 4096);
		return mod_max_cap + 1 + below(&c->r, 4096);
	default:
		switch (below(&c->r, 5)) {
		case 0:
			return below(&c->r, KIPC_CAPACITY_MIN);
		case 1:
			return KIPC_CAPACITY_CEILING + 1 + below(&c->r, 1000);
		case 2:
			return UINT64_MAX - below(&c->r, 3);
		case 3:
			return KIPC_CAPACITY_MIN - 1;
		default:
			return 1ULL << (32 + below(&c->r, 31));
		}
	}
}

/* A region size: whole pages, odd sizes, and huge sparse ones. */
uint64_t choose_size(struct ctx *c)
{
	switch (below(&c->r, 10)) {
	case 0 ... 4:
		return PG * (1 + below(&c->r, 16));
	case 5 ... 7:
		return 1 + below(&c->r, 16 * PG);
	case 8:
		return PG * (1 + below(&c->r, 256));
	default:
		return 1ULL << (30 + below(&c->r, 10));	/* sparse */
	}
}
