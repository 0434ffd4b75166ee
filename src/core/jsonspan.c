/* jsonspan.c - JSON text without a tree: a minimal skipper (just enough
 * lexing to step over values of text already known to be valid) and a
 * strict checker for the common shape of request bodies, which lets the
 * publish path skip building a jansson tree it would mostly throw away. */
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


/* ---- the strict checker (jsonspan_scan) ----
 * Recursive descent over a subset of JSON chosen so that everything it
 * accepts, jansson (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
 * JSON_DECODE_INT_AS_REAL) accepts too; anything else fails and goes to
 * jansson, which decides and words the error. So a gap in this subset costs
 * speed, never correctness; tests/unit/test_jsonspan.c compares the two. */

#define SCAN_MAX_DEPTH 64
#define SCAN_MAX_OPEN_NAMES 256
#define SCAN_MAX_OBJECT_NAMES 64
#define SCAN_MAX_NUMBER 24

typedef struct {
    const char *t;
    size_t len, i;
    int depth;
    size_t nnames; /* names of the objects open now, for the duplicate check */
    struct {
        const char *s;
        size_t n;
    } names[SCAN_MAX_OPEN_NAMES];
} scanner;

static bool scan_value(scanner *sc);

static void scan_ws(scanner *sc)
{
    sc->i = skip_ws(sc->t, sc->len, sc->i);
}

static int hex4(const char *t, size_t len, size_t i)
{
    if (len < 4 || i > len - 4) return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; k++) {
        char c = t[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* One escape after its backslash (sc->i at the backslash). A \u escape must
 * be a lone BMP scalar or a high surrogate followed by a low one. */
static bool scan_escape(scanner *sc)
{
    size_t i = sc->i + 1;
    if (i >= sc->len) return false;
    if (sc->t[i] && strchr("\"\\/bfnrt", sc->t[i])) {
        sc->i = i + 1;
        return true;
    }
    if (sc->t[i] != 'u') return false;
    int u = hex4(sc->t, sc->len, i + 1);
    if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) return false;
    i += 5;
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (i + 1 >= sc->len || sc->t[i] != '\\' || sc->t[i + 1] != 'u') return false;
        int lo = hex4(sc->t, sc->len, i + 2);
        if (lo < 0xDC00 || lo > 0xDFFF) return false;
        i += 6;
    }
    sc->i = i;
    return true;
}

/* One UTF-8 sequence of 2-4 bytes (sc->i at its lead byte): no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static bool scan_utf8(scanner *sc)
{
    const unsigned char *u = (const unsigned char *)sc->t + sc->i;
    size_t left = sc->len - sc->i;
    unsigned char c = u[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return false;
    }
    if (left < n || u[1] < lo || u[1] > hi) return false;
    for (size_t k = 2; k < n; k++)
        if (u[k] < 0x80 || u[k] > 0xBF) return false;
    sc->i += n;
    return true;
}

/* A string (sc->i at its opening quote); *escaped tells whether it held a
 * backslash escape. */
static bool scan_string(scanner *sc, bool *escaped)
{
    *escaped = false;
    for (sc->i++; sc->i < sc->len;) {
        unsigned char c = (unsigned char)sc->t[sc->i];
        if (c == '"') {
            sc->i++;
            return true;
        }
        if (c == '\\') {
            *escaped = true;
            if (!scan_escape(sc)) return false;
        } else if (c < 0x20) {
            return false;
        } else if (c >= 0x80) {
            if (!scan_utf8(sc)) return false;
        } else {
            sc->i++;
        }
    }
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?, short: no exponent, nothing that could
 * overflow a double. */
static bool scan_number(scanner *sc)
{
    size_t i = sc->i, start = i;
    const char *t = sc->t;
    if (i < sc->len && t[i] == '-') i++;
    if (i >= sc->len || !is_digit(t[i])) return false;
    if (t[i] == '0') {
        i++;
    } else {
        while (i < sc->len && is_digit(t[i])) i++;
    }
    if (i < sc->len && t[i] == '.') {
        i++;
        if (i >= sc->len || !is_digit(t[i])) return false;
        while (i < sc->len && is_digit(t[i])) i++;
    }
    if (i - start > SCAN_MAX_NUMBER) return false;
    sc->i = i; /* an exponent or "01" fails at the caller: no ',', '}' or ']' next */
    return true;
}

static bool scan_word(scanner *sc, const char *word)
{
    size_t n = strlen(word);
    if (sc->len - sc->i < n || memcmp(sc->t + sc->i, word, n)) return false;
    sc->i += n;
    return true;
}

/* Records an object's member name; false for a duplicate, an escaped name
 * (two spellings may decode alike) or past the limits. */
static bool add_name(scanner *sc, size_t first, size_t s, size_t e, bool escaped)
{
    const char *name = sc->t + s + 1;
    size_t n = e - s - 2;
    if (escaped || sc->nnames - first >= SCAN_MAX_OBJECT_NAMES || sc->nnames >= SCAN_MAX_OPEN_NAMES) return false;
    for (size_t k = first; k < sc->nnames; k++)
        if (sc->names[k].n == n && !memcmp(sc->names[k].s, name, n)) return false;
    sc->names[sc->nnames].s = name;
    sc->names[sc->nnames].n = n;
    sc->nnames++;
    return true;
}

/* After a member or an element: true when a ',' follows (*more, and the
 * whitespace after it is skipped) or the closing byte does (!*more). */
static bool scan_next(scanner *sc, char close, bool *more)
{
    scan_ws(sc);
    if (sc->i >= sc->len) return false;
    *more = sc->t[sc->i] == ',';
    if (*more) {
        sc->i++;
        scan_ws(sc);
        return true;
    }
    return sc->t[sc->i] == close;
}

/* An object (sc->i at '{'). Its members are listed in out when out is not
 * NULL (the top level), at most max of them. */
static bool scan_object(scanner *sc, jsonspan_field *out, size_t max, size_t *count)
{
    size_t first = sc->nnames, n = 0;
    if (++sc->depth > SCAN_MAX_DEPTH) return false;
    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->len && sc->t[sc->i] == '}') goto end;
    for (;;) {
        if (sc->i >= sc->len || sc->t[sc->i] != '"') return false;
        size_t ns = sc->i;
        bool name_escaped, value_escaped = false;
        if (!scan_string(sc, &name_escaped) || !add_name(sc, first, ns, sc->i, name_escaped)) return false;
        scan_ws(sc);
        if (sc->i >= sc->len || sc->t[sc->i] != ':') return false;
        sc->i++;
        scan_ws(sc);
        size_t vs = sc->i;
        if (vs >= sc->len) return false;
        if (sc->t[vs] == '"') {
            if (!scan_string(sc, &value_escaped)) return false;
        } else if (!scan_value(sc)) {
            return false;
        }
        if (out) {
            if (n >= max) return false;
            out[n] = (jsonspan_field){.name = sc->t + ns + 1, .name_len = sc->names[sc->nnames - 1].n,
                                      .start = vs, .end = sc->i, .kind = sc->t[vs], .escaped = value_escaped};
        }
        n++;
        bool more;
        if (!scan_next(sc, '}', &more)) return false;
        if (!more) break;
    }
end:
    sc->i++;
    sc->nnames = first;
    sc->depth--;
    if (count) *count = n;
    return true;
}

static bool scan_array(scanner *sc)
{
    if (++sc->depth > SCAN_MAX_DEPTH) return false;
    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->len && sc->t[sc->i] == ']') goto end;
    for (;;) {
        bool more;
        if (!scan_value(sc) || !scan_next(sc, ']', &more)) return false;
        if (!more) break;
    }
end:
    sc->i++;
    sc->depth--;
    return true;
}

/* Any value at sc->i (whitespace before it already skipped). */
static bool scan_value(scanner *sc)
{
    if (sc->i >= sc->len) return false;
    bool escaped;
    switch (sc->t[sc->i]) {
    case '{': return scan_object(sc, NULL, 0, NULL);
    case '[': return scan_array(sc);
    case '"': return scan_string(sc, &escaped);
    case 't': return scan_word(sc, "true");
    case 'f': return scan_word(sc, "false");
    case 'n': return scan_word(sc, "null");
    default: return scan_number(sc);
    }
}

int jsonspan_scan(const char *text, size_t len, jsonspan_field *out, size_t max, size_t *n)
{
    scanner sc; /* names[] left unset: only entries below nnames are read */
    sc.t = text;
    sc.len = len;
    sc.i = 0;
    sc.depth = 0;
    sc.nnames = 0;
    scan_ws(&sc);
    bool ok = sc.i < len && text[sc.i] == '{' && scan_object(&sc, out, max, n);
    if (ok) {
        scan_ws(&sc);
        ok = sc.i == len;
    }
    return ok ? HP_OK : HP_EINVAL;
}
