/* bucket.c - metrics time buckets (bucket.h). */
#include "core/bucket.h"
#include "core/err.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define SECOND_MS 1000LL
#define DAY_MS (86400LL * SECOND_MS)
#define FIRST_SUNDAY_MS (3 * DAY_MS) /* 1970-01-04, the first Sunday of the epoch */

int bucket_parse(const char *text, bucket_spec *out)
{
    static const struct {
        char unit;
        int max;
    } units[] = {{'s', 60}, {'m', 60}, {'h', 24}, {'d', 31}, {'w', 4}, {'M', 12}};
    if (!text || *text < '1' || *text > '9') return HP_EINVAL;
    char *end;
    long n = strtol(text, &end, 10);
    if (end[0] == '\0' || end[1] != '\0') return HP_EINVAL;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (units[i].unit != end[0]) continue;
        if (n < 1 || n > units[i].max) return HP_EINVAL;
        out->unit = units[i].unit;
        out->value = (int)n;
        return HP_OK;
    }
    return HP_EINVAL;
}

/* Length of a fixed-length bucket, 0 for months. */
static int64_t fixed_length(bucket_spec b)
{
    switch (b.unit) {
    case 's': return b.value * SECOND_MS;
    case 'm': return b.value * 60 * SECOND_MS;
    case 'h': return b.value * 3600 * SECOND_MS;
    case 'd': return b.value * DAY_MS;
    case 'w': return b.value * 7 * DAY_MS;
    default: return 0;
    }
}

static int64_t month_start(int64_t months_since_1970)
{
    int64_t y = 1970 + hp_floor_div(months_since_1970, 12);
    int m = (int)(months_since_1970 - (y - 1970) * 12) + 1;
    return hp_days_from_civil(y, m, 1) * DAY_MS;
}

int64_t bucket_floor(int64_t ms, bucket_spec b)
{
    int64_t len = fixed_length(b);
    if (len) {
        int64_t origin = b.unit == 'w' ? FIRST_SUNDAY_MS : 0;
        return origin + hp_floor_div(ms - origin, len) * len;
    }
    if (b.unit != 'M') return ms;
    int64_t y;
    int m, d;
    hp_civil_from_days(hp_floor_div(ms, DAY_MS), &y, &m, &d);
    int64_t months = (y - 1970) * 12 + (m - 1);
    return month_start(hp_floor_div(months, b.value) * b.value);
}

int64_t bucket_next(int64_t start, bucket_spec b)
{
    int64_t len = fixed_length(b);
    if (len) return start + len;
    if (b.unit != 'M') return start;
    int64_t y;
    int m, d;
    hp_civil_from_days(hp_floor_div(start, DAY_MS), &y, &m, &d);
    return month_start((y - 1970) * 12 + (m - 1) + b.value);
}
