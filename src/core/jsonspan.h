/* jsonspan.h - works on JSON text without building a tree: locates a
 * top-level member's value bytes (so published `data` reaches receivers byte
 * for byte: key order, number spelling and whitespace inside the value
 * preserved), and checks the common shape of a request body cheaply.
 * Pure functions; thread-safe. */
#ifndef HP_JSONSPAN_H
#define HP_JSONSPAN_H

#include <stdbool.h>
#include <stddef.h>

/* text must be a valid JSON object (already checked by a parser). Finds the
 * first member named key and sets [*start, *end) to its value's bytes.
 * HP_OK or HP_ENOTFOUND (also for text that turns out malformed). */
int jsonspan_member(const char *text, size_t len, const char *key, size_t *start, size_t *end);

/* One top-level member as jsonspan_scan found it. `name` points into the
 * scanned text (its bytes as written, never escaped); [start, end) are the
 * value's bytes. kind is the value's first byte: '{', '[', '"', 't', 'f',
 * 'n' (null) or '-'/'0'..'9' (number). A string value's bytes are its text
 * exactly when `escaped` is false. */
typedef struct {
    const char *name;
    size_t name_len;
    size_t start, end;
    char kind;
    bool escaped;
} jsonspan_field;

/* The fast path in front of a full parser. HP_OK when text is a JSON object
 * that a strict parser (RFC 8259, UTF-8 checked, duplicate names refused at
 * every level, "\u0000" allowed in strings) accepts AND that stays within
 * this check's limits: member names without backslashes, numbers without
 * exponent and at most 24 bytes long, nesting at most 64 deep, at most 64
 * names per object and 256 in open objects at once, at most max top-level
 * members. Then out[0..*n) lists the top-level members in order.
 * HP_EINVAL otherwise: the text may be invalid or merely beyond the limits,
 * and only a full parser can tell (this check never rejects on its own).
 * out and *n are unspecified after HP_EINVAL. */
int jsonspan_scan(const char *text, size_t len, jsonspan_field *out, size_t max, size_t *n);

#endif
