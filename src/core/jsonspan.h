/* jsonspan.h - locates a top-level member's value inside JSON text without
 * re-serialising it, so published `data` reaches receivers byte for byte
 * (key order, number spelling and whitespace inside the value preserved).
 * Pure function; thread-safe. */
#ifndef HP_JSONSPAN_H
#define HP_JSONSPAN_H

#include <stddef.h>

/* text must be a valid JSON object (already checked by a parser). Finds the
 * first member named key and sets [*start, *end) to its value's bytes.
 * HP_OK or HP_ENOTFOUND (also for text that turns out malformed). */
int jsonspan_member(const char *text, size_t len, const char *key, size_t *start, size_t *end);

#endif
