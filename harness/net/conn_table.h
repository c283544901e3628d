/* conn_table.h — a server's connections by id: an open-addressing hash
 * table (linear probing, backward-shift deletion) of struct net_conn *. */
#ifndef HARNESS_NET_CONN_TABLE_H
#define HARNESS_NET_CONN_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct net_conn;

struct conn_table {
	struct net_conn **slots;
	size_t cap;          /* a power of two, or 0 */
	size_t n;
};

/* Add c (its id must not be there). Returns 0, or -1 out of memory. */
int conn_table_add(struct conn_table *t, struct net_conn *c);
/* The connection with this id, or NULL. */
struct net_conn *conn_table_get(const struct conn_table *t, uint32_t id);
/* Remove c (no-op when absent). */
void conn_table_del(struct conn_table *t, const struct net_conn *c);
/* Any connection (to empty the table), or NULL. */
struct net_conn *conn_table_any(const struct conn_table *t);
void conn_table_free(struct conn_table *t);

#endif
