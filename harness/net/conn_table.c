/* conn_table.c — the id → connection hash table of conn_table.h. */
#include "harness/net/conn_table.h"

#include <stdbool.h>
#include <stdlib.h>

#include "harness/net/conn.h"

static size_t home(const struct conn_table *t, uint32_t id)
{
	return (size_t)(id * 2654435761u) & (t->cap - 1);
}

static void place(struct conn_table *t, struct net_conn *c)
{
	size_t i = home(t, c->id);
	while (t->slots[i])
		i = (i + 1) & (t->cap - 1);
	t->slots[i] = c;
}

int conn_table_add(struct conn_table *t, struct net_conn *c)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct conn_table bigger = { .cap = t->cap ? t->cap * 2 : 64, .n = t->n };
		bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
		if (!bigger.slots)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i])
				place(&bigger, t->slots[i]);
		free(t->slots);
		*t = bigger;
	}
	place(t, c);
	t->n++;
	return 0;
}

struct net_conn *conn_table_get(const struct conn_table *t, uint32_t id)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = home(t, id); t->slots[i]; i = (i + 1) & (t->cap - 1))
		if (t->slots[i]->id == id)
			return t->slots[i];
	return NULL;
}

void conn_table_del(struct conn_table *t, const struct net_conn *c)
{
	if (t->cap == 0)
		return;
	size_t mask = t->cap - 1, i = home(t, c->id);
	while (t->slots[i] && t->slots[i] != c)
		i = (i + 1) & mask;
	if (!t->slots[i])
		return;
	t->slots[i] = NULL;
	t->n--;
	/* Shift back the entries of the run after i that probed past it. */
	for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		size_t h = home(t, t->slots[j]->id);
		bool moves = (j > i) ? (h <= i || h > j) : (h <= i && h > j);
		if (moves) {
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
}

struct net_conn *conn_table_any(const struct conn_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			return t->slots[i];
	return NULL;
}

void conn_table_free(struct conn_table *t)
{
	free(t->slots);
	*t = (struct conn_table){ 0 };
}
