/* strmap.c - open-addressing hash map with tombstone-free deletion
 * (backward-shift), FNV-1a hashing. */
#include "core/strmap.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    void *value;
} slot;

struct strmap {
    slot *slots;
    size_t cap, n; /* cap is a power of two */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

strmap *strmap_new(void)
{
    strmap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = 16;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void strmap_free(strmap *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static size_t find(const strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->slots[i].key && strcmp(m->slots[i].key, key)) i = (i + 1) & (m->cap - 1);
    return i;
}

void *strmap_get(const strmap *m, const char *key)
{
    return m->slots[find(m, key)].value;
}

static int grow(strmap *m)
{
    slot *old = m->slots;
    size_t oldcap = m->cap;
    slot *slots = calloc(oldcap * 2, sizeof *slots);
    if (!slots) return HP_ENOMEM;
    m->slots = slots;
    m->cap = oldcap * 2;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) m->slots[find(m, old[i].key)] = old[i];
    free(old);
    return HP_OK;
}

int strmap_put(strmap *m, const char *key, void *value)
{
    if ((m->n + 1) * 4 > m->cap * 3 && grow(m) != HP_OK) return HP_ENOMEM;
    size_t i = find(m, key);
    if (!m->slots[i].key) {
        if (!(m->slots[i].key = strdup(key))) return HP_ENOMEM;
        m->n++;
    }
    m->slots[i].value = value;
    return HP_OK;
}

void *strmap_del(strmap *m, const char *key)
{
    size_t i = find(m, key);
    if (!m->slots[i].key) return NULL;
    void *value = m->slots[i].value;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->slots[i].value = NULL;
    m->n--;
    /* shift later members of the probe run back so lookups never stop early */
    for (size_t j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
        slot s = m->slots[j];
        m->slots[j].key = NULL;
        m->slots[j].value = NULL;
        m->slots[find(m, s.key)] = s;
    }
    return value;
}

void strmap_each(const strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) fn(m->slots[i].key, m->slots[i].value, arg);
}

size_t strmap_size(const strmap *m)
{
    return m->n;
}

void strmap_clear(strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        if (fn) fn(m->slots[i].key, m->slots[i].value, arg);
        free(m->slots[i].key);
        m->slots[i].key = NULL;
        m->slots[i].value = NULL;
    }
    m->n = 0;
}
