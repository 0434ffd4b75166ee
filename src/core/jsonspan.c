/* jsonspan.c - a minimal JSON skipper: just enough lexing to step over
 * values and compare member names. */
#include "core/jsonspan.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    return i;
}

/* i at an opening quote; returns the index after the closing quote. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\') i++;
        else if (t[i] == '"') return i + 1;
    }
    return len + 1;
}

/* Returns the index just past the value starting at i (len + 1 on error). */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len) return len + 1;
    if (t[i] == '"') return skip_string(t, len, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        for (; i < len; i++) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, len, i) - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return len + 1;
    }
    while (i < len && !strchr(",}] \t\r\n", t[i])) i++; /* number, true, false, null */
    return i;
}

/* Compares a JSON string token [s, e) (quotes included) with key. */
static bool name_equals(const char *t, size_t s, size_t e, const char *key)
{
    size_t klen = strlen(key), n = e - s - 2;
    if (!memchr(t + s, '\\', e - s)) return n == klen && memcmp(t + s + 1, key, n) == 0;
    /* escaped name: let the parser decode it */
    json_t *v = json_loadb(t + s, e - s, JSON_DECODE_ANY, NULL);
    bool eq = json_is_string(v) && json_string_length(v) == klen && !memcmp(json_string_value(v), key, klen);
    json_decref(v);
    return eq;
}

int jsonspan_member(const char *text, size_t len, const char *key, size_t *start, size_t *end)
{
    size_t i = skip_ws(text, len, 0);
    if (i >= len || text[i] != '{') return HP_ENOTFOUND;
    i++;
    for (;;) {
        i = skip_ws(text, len, i);
        if (i >= len || text[i] != '"') return HP_ENOTFOUND;
        size_t ns = i, ne = skip_string(text, len, i);
        if (ne > len) return HP_ENOTFOUND;
        i = skip_ws(text, len, ne);
        if (i >= len || text[i] != ':') return HP_ENOTFOUND;
        i = skip_ws(text, len, i + 1);
        size_t vs = i, ve = skip_value(text, len, i);
        if (ve > len) return HP_ENOTFOUND;
        if (name_equals(text, ns, ne, key)) {
            *start = vs;
            *end = ve;
            return HP_OK;
        }
        i = skip_ws(text, len, ve);
        if (i >= len || text[i] != ',') return HP_ENOTFOUND;
        i++;
    }
}
