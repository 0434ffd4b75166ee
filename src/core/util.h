/* util.h - small shared helpers: wall-clock time in milliseconds, RFC 3339
 * formatting/parsing and a growable byte buffer (with a JSON string writer
 * for text built without a JSON library). Thread-safe; no state. */
#ifndef HP_UTIL_H
#define HP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t hp_now_ms(void);

/* Formats ms since the epoch as RFC 3339 UTC with milliseconds,
 * e.g. "2024-06-01T08:23:36.123Z". buf must hold HP_TIME_LEN bytes. */
#define HP_TIME_LEN 64
char *hp_time_format(int64_t ms, char buf[HP_TIME_LEN]);

/* Same, but whole seconds: "2024-06-01T08:23:36Z". */
char *hp_time_format_sec(int64_t ms, char buf[HP_TIME_LEN]);

/* Parses RFC 3339 / RFC 3339 with fractional seconds (any offset) or a bare
 * date "YYYY-MM-DD" (midnight UTC). HP_OK or HP_EINVAL; *ms untouched on error. */
int hp_time_parse(const char *s, int64_t *ms);
/* The same, also telling whether s is finer than a millisecond (nonzero
 * digits past the third decimal): *ms is then the millisecond it falls in. */
int hp_time_parse_fine(const char *s, int64_t *ms, bool *sub_ms);

/* Floor division (rounds toward minus infinity; b > 0). */
int64_t hp_floor_div(int64_t a, int64_t b);
/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, and
 * back (m 1-12, d 1-31). */
int64_t hp_days_from_civil(int64_t y, int m, int d);
void hp_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Growable buffer; data is always NUL-terminated. Zero-initialise, then append.
 * The caller owns data (free() it, or hp_buf_free). Appends return HP_OK or
 * HP_ENOMEM and leave the buffer valid either way; `failed` tells, after a
 * run of appends whose results were not checked one by one, that one of
 * them failed. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed; /* an append failed: the text lacks a piece (sticky) */
} hp_buf;

int hp_buf_append(hp_buf *b, const void *p, size_t n);
/* Makes room for `extra` more bytes, so text of a known size grows once. */
int hp_buf_reserve(hp_buf *b, size_t extra);
int hp_buf_puts(hp_buf *b, const char *s);
int hp_buf_printf(hp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hp_buf_free(hp_buf *b);

/* Appends s[0..n) as a quoted JSON string: '"', '\\' and control characters
 * escaped, valid UTF-8 copied as is, each byte of an invalid UTF-8 sequence
 * replaced by \ufffd (so the result always parses). On HP_ENOMEM the buffer
 * may hold part of the string. */
int hp_buf_json_string(hp_buf *b, const char *s, size_t n);

/* Replaces, in place, every byte that is not part of valid UTF-8 with '?'.
 * For messages that quote client text cut to a length (a cut can split a
 * character): jansson refuses invalid UTF-8, and a validation error that
 * cannot be made into a JSON string must not silently vanish. */
void hp_utf8_scrub(char *s);

/* strdup that treats NULL as NULL. */
char *hp_strdup(const char *s);

/* true if s is NULL or "" */
static inline bool hp_empty(const char *s) { return !s || !*s; }

#endif
