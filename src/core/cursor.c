/* cursor.c - base62 pagination cursors. See cursor.h for the format.
 *
 * The base conversion is the schoolbook one on a byte array (quadratic in
 * length), which is plenty for texts of at most ~760 bytes. */
#include "core/cursor.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

#define CURSOR_VERSION "v01:"

static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int b62_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    if (c >= 'a' && c <= 'z') return c - 'a' + 36;
    return -1;
}

static bool res_ok(const char *res) {
    if (hp_empty(res)) return false;
    for (const char *p = res; *p; p++)
        if (!isalpha((unsigned char)*p)) return false;
    return true;
}

int cursor_encode(const char *res, int64_t time_ms, const char *id, char **out) {
    if (!res_ok(res)) return HP_EINVAL;
    if (!id) id = "";
    if (strlen(id) > CURSOR_MAX_LEN || strlen(res) > CURSOR_MAX_LEN) return HP_EINVAL;

    hp_buf text = {0};
    if (hp_buf_printf(&text, "%s" CURSOR_VERSION "%" PRId64 "::%s", res, time_ms, id) != HP_OK) {
        hp_buf_free(&text);
        return HP_ENOMEM;
    }
    /* Each byte needs log(256)/log(62) ~= 1.3436 digits: refuse early what
     * can never fit rather than converting it (the exact check is below). */
    if (text.len > CURSOR_MAX_LEN * 3 / 4 + 8) {
        hp_buf_free(&text);
        return HP_EINVAL;
    }
    unsigned char *num = (unsigned char *)text.data; /* divided in place */
    size_t n = text.len;
    char *digits = malloc(n * 27 / 20 + 3);
    if (!digits) {
        hp_buf_free(&text);
        return HP_ENOMEM;
    }

    /* Repeatedly divide the big-endian number by 62; remainders are the
     * digits, least significant first. start skips the leading zero bytes
     * the division produces. res starts with a letter, so num > 0. */
    size_t nd = 0, start = 0;
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = rem * 256 + num[i];
            num[i] = (unsigned char)(cur / 62);
            rem = cur % 62;
        }
        digits[nd++] = B62[rem];
        while (start < n && num[start] == 0) start++;
    }
    hp_buf_free(&text);
    if (nd > CURSOR_MAX_LEN) {
        free(digits);
        return HP_EINVAL;
    }
    for (size_t i = 0; i < nd / 2; i++) {
        char t = digits[i];
        digits[i] = digits[nd - 1 - i];
        digits[nd - 1 - i] = t;
    }
    digits[nd] = '\0';
    *out = digits;
    return HP_OK;
}

/* Strict optionally signed decimal int64 from *p; advances *p past it. */
static bool parse_i64(const char **p, int64_t *v) {
    const char *s = *p;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (*s < '0' || *s > '9') return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t acc = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (acc > (limit - d) / 10) return false;
        acc = acc * 10 + d;
    }
    *v = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    *p = s;
    return true;
}

int cursor_decode(const char *res, const char *cursor, int64_t *time_ms, char **id) {
    if (!res_ok(res) || !cursor) return HP_EINVAL;
    size_t len = strnlen(cursor, CURSOR_MAX_LEN + 1);
    if (len == 0 || len > CURSOR_MAX_LEN) return HP_EINVAL;

    /* Multiply-accumulate base62 digits into a big-endian byte array; cap
     * bytes always suffice since 62^len < 256^(len*3/4+2). One spare byte
     * at the end keeps the text NUL-terminated. */
    size_t cap = len * 3 / 4 + 2;
    unsigned char *num = calloc(cap + 1, 1);
    if (!num) return HP_ENOMEM;
    size_t top = cap; /* the value lives in num[top..cap) */
    for (size_t i = 0; i < len; i++) {
        int d = b62_value((unsigned char)cursor[i]);
        if (d < 0) {
            free(num);
            return HP_EINVAL;
        }
        unsigned carry = (unsigned)d;
        for (size_t j = cap; j-- > top;) {
            unsigned cur = num[j] * 62u + carry;
            num[j] = (unsigned char)(cur & 0xff);
            carry = cur >> 8;
        }
        for (; carry && top > 0; carry >>= 8) num[--top] = (unsigned char)(carry & 0xff);
    }
    size_t first = top;
    while (first < cap && num[first] == 0) first++;
    const char *text = (const char *)num + first;
    size_t tlen = cap - first;

    int rc = HP_EINVAL;
    size_t rlen = strlen(res), vlen = sizeof CURSOR_VERSION - 1;
    if (tlen == 0 || strlen(text) != tlen) goto out; /* zero / embedded NUL */
    if (tlen < rlen + vlen || memcmp(text, res, rlen) != 0 ||
        memcmp(text + rlen, CURSOR_VERSION, vlen) != 0)
        goto out;
    const char *p = text + rlen + vlen;
    int64_t t;
    if (!parse_i64(&p, &t) || p[0] != ':' || p[1] != ':') goto out;
    char *s = strdup(p + 2);
    if (!s) {
        rc = HP_ENOMEM;
        goto out;
    }
    *time_ms = t;
    *id = s;
    rc = HP_OK;
out:
    free(num);
    return rc;
}
