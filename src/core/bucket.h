/* bucket.h - time buckets of the metrics API: a granularity "<n><unit>"
 * (s, m, h, d, w, M) and the UTC bucket a millisecond falls in.
 *
 * Alignment follows Outpost: seconds, minutes, hours and days are multiples
 * of their length since the Unix epoch (so "1d" buckets start at midnight
 * UTC and "15m" ones on the quarter hour), weeks start on Sunday (multiples
 * of n weeks since Sunday 1970-01-04) and months on the 1st (multiples of n
 * months since January 1970). The store groups rows with bucket_floor (as an
 * SQL function) and the API walks the same buckets with bucket_next, so both
 * sides always agree on where a bucket starts.
 *
 * Pure functions; thread-safe. */
#ifndef HP_BUCKET_H
#define HP_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char unit;  /* 's', 'm', 'h', 'd', 'w' or 'M'; 0 = no bucketing */
    int value;  /* >= 1 */
} bucket_spec;

/* Parses "<n><unit>" with n within Outpost's ranges (s and m 1-60, h 1-24,
 * d 1-31, w 1-4, M 1-12). HP_OK or HP_EINVAL (*out untouched). */
int bucket_parse(const char *text, bucket_spec *out);

/* The start (ms since the epoch) of the bucket holding ms. */
int64_t bucket_floor(int64_t ms, bucket_spec b);
/* The start of the bucket after the one starting at start. */
int64_t bucket_next(int64_t start, bucket_spec b);

#endif
