/* ids.c - uuidv4 / uuidv7 / nanoid generation. */
#include "core/ids.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void uuid_format(const uint8_t b[16], char out[37])
{
    /* one id per event and per attempt: by hand, snprintf costs ~10x */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

static int uuid(bool v7, char out[37])
{
    uint8_t b[16];
    if (crypto_random(b, sizeof b) != HP_OK) return HP_ECRYPTO;
    if (v7) {
        uint64_t ms = (uint64_t)hp_now_ms();
        for (int i = 0; i < 6; i++) b[i] = (uint8_t)(ms >> (40 - 8 * i));
        b[6] = (uint8_t)(0x70 | (b[6] & 0x0f));
    } else {
        b[6] = (uint8_t)(0x40 | (b[6] & 0x0f));
    }
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f));
    uuid_format(b, out);
    return HP_OK;
}

static int nanoid(char out[22])
{
    static const char alphabet[] = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
    uint8_t b[21];
    if (crypto_random(b, sizeof b) != HP_OK) return HP_ECRYPTO;
    for (int i = 0; i < 21; i++) out[i] = alphabet[b[i] & 63];
    out[21] = '\0';
    return HP_OK;
}

char *id_generate(const hp_config *cfg, id_kind kind)
{
    const char *prefix = kind == ID_DESTINATION ? cfg->idgen_destination_prefix
                         : kind == ID_EVENT     ? cfg->idgen_event_prefix
                                                : cfg->idgen_attempt_prefix;
    char body[40];
    int rc = !strcmp(cfg->idgen_type, "nanoid") ? nanoid(body) : uuid(!strcmp(cfg->idgen_type, "uuidv7"), body);
    if (rc != HP_OK) return NULL;
    size_t plen = prefix ? strlen(prefix) : 0, blen = strlen(body);
    char *id = malloc(plen + blen + 1);
    if (!id) return NULL;
    memcpy(id, prefix ? prefix : "", plen);
    memcpy(id + plen, body, blen + 1);
    return id;
}

bool id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 255) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%') return false;
    }
    return true;
}
