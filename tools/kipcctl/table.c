// SPDX-License-Identifier: GPL-2.0
/*
 * table.c: text tables whose columns are as wide as their widest cell,
 * as util-linux's lsipc and ipcs print them, so that a long channel or
 * user name widens its column instead of shifting the rest of its row.
 * Text is aligned left, numbers right; the last column is not padded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

void kipcctl_table_init(struct kipcctl_table *t,
			const struct kipcctl_col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	/* The tables are kipcctl's own: never wider than this. */
	t->ncols = ncols < KIPCCTL_TABLE_COLS ? ncols : KIPCCTL_TABLE_COLS;
}

/* Copies the row's @cells; 0 or -ENOMEM. */
int kipcctl_table_add(struct kipcctl_table *t, const char *const cells[])
{
	size_t c, base;

	if (t->nrows == t->room) {
		size_t room = t->room ? 2 * t->room : 16;
		char **more = realloc(t->cells,
				      room * t->ncols * sizeof(*more));

		if (!more)
			return -ENOMEM;
		t->cells = more;
		t->room = room;
	}
	base = t->nrows * t->ncols;
	for (c = 0; c < t->ncols; c++) {
		t->cells[base + c] = strdup(cells[c]);
		if (!t->cells[base + c]) {
			while (c--)
				free(t->cells[base + c]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

/* Columns on a terminal: UTF-8 sequences count once (user names). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_cell(FILE *out, const char *s, size_t width, bool right,
		       bool last)
{
	size_t pad = width - text_width(s);

	if (right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(s, out);
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
}

void kipcctl_table_print(const struct kipcctl_table *t, FILE *out)
{
	size_t widths[KIPCCTL_TABLE_COLS] = { 0 };
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		widths[c] = text_width(t->cols[c].header);
		for (r = 0; r < t->nrows; r++) {
			size_t w = text_width(t->cells[r * t->ncols + c]);

			if (w > widths[c])
				widths[c] = w;
		}
	}
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c] :
					    t->cols[c].header;

			/* No trailing blank for an empty last cell. */
			if (c + 1 == t->ncols && !*s)
				break;
			if (c)
				fputc(' ', out);
			print_cell(out, s, widths[c], t->cols[c].right,
				   c + 1 == t->ncols);
		}
		fputc('\n', out);
	}
}

void kipcctl_table_free(struct kipcctl_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
