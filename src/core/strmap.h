/* strmap.h - a string-keyed hash map of pointers (open addressing, linear
 * probing). Keys are copied; values are borrowed. Not thread-safe: callers
 * guard it. */
#ifndef HP_STRMAP_H
#define HP_STRMAP_H

#include <stddef.h>

typedef struct strmap strmap;

strmap *strmap_new(void);
/* Frees the map and its key copies; values are the caller's (free them first
 * with strmap_each if the map owns them by convention). */
void strmap_free(strmap *m);
void *strmap_get(const strmap *m, const char *key);
/* Sets key to value (replacing). HP_OK or HP_ENOMEM. */
int strmap_put(strmap *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *strmap_del(strmap *m, const char *key);
/* Calls fn(key, value, arg) for each entry. fn must not modify the map. */
void strmap_each(const strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg);
size_t strmap_size(const strmap *m);
/* Removes every entry, calling fn(key, value, arg) on each first (fn may be NULL). */
void strmap_clear(strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
