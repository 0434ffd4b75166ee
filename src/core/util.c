/* util.c - time and buffer helpers shared by every module. */
#include "core/util.h"
#include "core/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t hp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hp_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* y-m-d of a day count from 1970-01-01 in the proleptic Gregorian calendar
 * (the inverse of hp_days_from_civil below). */
void hp_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *o, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10) o[i] = (char)('0' + v % 10);
    return o + n;
}

/* "YYYY-MM-DDTHH:MM:SS" in UTC (19 bytes, no NUL) and *rest_ms the
 * milliseconds past that second. Written by hand: every delivery's
 * timestamp header and every logged time of a list page pass here, and
 * gmtime_r plus snprintf cost ten times as much. False for years outside
 * 0-9999, which the caller formats the slow way. */
static bool format_seconds(int64_t ms, char *out, int *rest_ms)
{
    int64_t secs = hp_floor_div(ms, 1000), days = hp_floor_div(secs, 86400), sod = secs - days * 86400, y;
    int mo, d;
    hp_civil_from_days(days, &y, &mo, &d);
    if (y < 0 || y > 9999) return false;
    char *o = put_digits(out, y, 4);
    *o++ = '-';
    o = put_digits(o, mo, 2);
    *o++ = '-';
    o = put_digits(o, d, 2);
    *o++ = 'T';
    o = put_digits(o, sod / 3600, 2);
    *o++ = ':';
    o = put_digits(o, sod / 60 % 60, 2);
    *o++ = ':';
    put_digits(o, sod % 60, 2);
    *rest_ms = (int)(ms - secs * 1000);
    return true;
}

/* Years beyond 0-9999 through the C library, as gmtime_r and printf
 * write them. */
static char *format_slow(int64_t ms, char buf[HP_TIME_LEN], bool with_ms)
{
    time_t secs = (time_t)hp_floor_div(ms, 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    int n = snprintf(buf, HP_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (with_ms) snprintf(buf + n, HP_TIME_LEN - (size_t)n, ".%03dZ", (int)(ms - (int64_t)secs * 1000));
    else snprintf(buf + n, HP_TIME_LEN - (size_t)n, "Z");
    return buf;
}

char *hp_time_format(int64_t ms, char buf[HP_TIME_LEN])
{
    int rest;
    if (!format_seconds(ms, buf, &rest)) return format_slow(ms, buf, true);
    buf[19] = '.';
    put_digits(buf + 20, rest, 3);
    memcpy(buf + 23, "Z", 2);
    return buf;
}

char *hp_time_format_sec(int64_t ms, char buf[HP_TIME_LEN])
{
    int rest;
    if (!format_seconds(ms, buf, &rest)) return format_slow(ms, buf, false);
    memcpy(buf + 19, "Z", 2);
    return buf;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p)) return HP_EINVAL;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return HP_OK;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
int64_t hp_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool valid_date(int y, int mo, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

int hp_time_parse(const char *s, int64_t *ms)
{
    bool sub_ms;
    return hp_time_parse_fine(s, ms, &sub_ms);
}

int hp_time_parse_fine(const char *s, int64_t *ms, bool *sub_ms)
{
    if (!s) return HP_EINVAL;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0, off = 0;
    bool finer = false;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return HP_EINVAL;
    if (!valid_date(y, mo, d)) return HP_EINVAL;
    if (*p == '\0') goto done;
    if (*p != 'T' && *p != 't') return HP_EINVAL;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &sec))
        return HP_EINVAL;
    if (h > 23 || mi > 59 || sec > 60) return HP_EINVAL;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; isdigit((unsigned char)*p); p++, n++) {
            if (n < 3) frac_ms = frac_ms * 10 + (*p - '0');
            else if (*p != '0') finer = true;
        }
        if (n == 0) return HP_EINVAL;
        for (; n < 3; n++) frac_ms *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return HP_EINVAL;
        off = sign * (oh * 60 + om);
    } else {
        return HP_EINVAL;
    }
    if (*p != '\0') return HP_EINVAL;
done:;
    int64_t days = hp_days_from_civil(y, mo, d);
    int64_t t = ((days * 24 + h) * 60 + mi - off) * 60 + sec;
    *ms = t * 1000 + frac_ms;
    *sub_ms = finer;
    return HP_OK;
}

static int buf_reserve(hp_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return HP_ENOMEM;
    }
    if (b->len + extra + 1 <= b->cap) return HP_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return HP_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return HP_OK;
}

int hp_buf_reserve(hp_buf *b, size_t extra)
{
    if (buf_reserve(b, extra) != HP_OK) return HP_ENOMEM;
    b->data[b->len] = '\0';
    return HP_OK;
}

int hp_buf_append(hp_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != HP_OK) return HP_ENOMEM;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return HP_OK;
}

int hp_buf_puts(hp_buf *b, const char *s)
{
    return hp_buf_append(b, s, strlen(s));
}

int hp_buf_printf(hp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) b->failed = true;
    if (n < 0 || buf_reserve(b, (size_t)n) != HP_OK) return HP_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return HP_OK;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. p[0] >= 0x80. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3;
    else if (c >= 0xF0 && c <= 0xF4) len = 4;
    else return 0;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
}

void hp_utf8_scrub(char *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = p[i] < 0x80 ? 1 : utf8_len(p + i, n - i);
        if (len) {
            i += len;
            continue;
        }
        p[i++] = '?';
    }
}

/* An ASCII byte a JSON string holds as it is: not a control character,
 * quote or backslash. */
static inline bool json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

int hp_buf_json_string(hp_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (buf_reserve(b, n + 2) != HP_OK) return HP_ENOMEM;
    b->data[b->len++] = '"';
    size_t run = 0; /* start of the bytes copied as they are */
    for (size_t i = 0; i < n;) {
        while (i < n && json_plain(p[i])) i++; /* the common case, a byte at a time */
        if (i == n) break;
        unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : utf8_len(p + i, n - i);
        if (len && c >= 0x20 && c != '"' && c != '\\') {
            i += len;
            continue;
        }
        char esc[8];
        const char *rep = esc;
        if (!len) rep = "\\ufffd";
        else if (c == '"') rep = "\\\"";
        else if (c == '\\') rep = "\\\\";
        else if (c == '\n') rep = "\\n";
        else if (c == '\r') rep = "\\r";
        else if (c == '\t') rep = "\\t";
        else snprintf(esc, sizeof esc, "\\u%04x", c);
        if (hp_buf_append(b, s + run, i - run) != HP_OK || hp_buf_puts(b, rep) != HP_OK) return HP_ENOMEM;
        run = ++i;
    }
    if (hp_buf_append(b, s + run, n - run) != HP_OK) return HP_ENOMEM;
    return hp_buf_append(b, "\"", 1);
}

void hp_buf_free(hp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

char *hp_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}
