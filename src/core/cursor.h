/* cursor.h - opaque keyset-pagination cursors (`next` / `prev`), Outpost style.
 *
 * A cursor is the text "<res>v01:<time_ms>::<id>" (res = "tnt", "evt" or
 * "att"; time_ms decimal, possibly negative; id any bytes but NUL, ':'
 * included), whose bytes, read as one big-endian unsigned integer, are
 * written in base62 with the digits 0-9, A-Z, a-z. Clients treat it as
 * opaque; it carries no secret and is not authenticated, so the decoded
 * values must be treated as untrusted input (they are only ever used as
 * bind parameters of a seek query).
 *
 * Thread-safe, no state. Errors follow err.h. Strings returned through
 * `char **` are malloc'd and owned by the caller (free()); out-parameters
 * are only written on success. */
#ifndef HP_CURSOR_H
#define HP_CURSOR_H

#include <stdint.h>

/* Longest cursor accepted or produced, in base62 characters (about 760 bytes
 * of plain text, so ids up to ~730 bytes fit). */
#define CURSOR_MAX_LEN 1024

/* Encodes a cursor into *out. res must be a non-empty run of ASCII letters;
 * id may be NULL (treated as ""). HP_EINVAL if res is bad or the result would
 * be longer than CURSOR_MAX_LEN (so every encoded cursor decodes);
 * HP_ENOMEM on allocation failure. */
int cursor_encode(const char *res, int64_t time_ms, const char *id, char **out);

/* Decodes a cursor made for resource res. HP_OK with *time_ms and *id (may be
 * "") set; HP_EINVAL for anything else: NULL/empty or longer than
 * CURSOR_MAX_LEN, a non-base62 character, another resource or version, a
 * missing ':' or "::", a time that is not an optionally signed decimal
 * int64, or a NUL byte in the text. HP_ENOMEM on allocation failure. Safe on
 * arbitrary input. */
int cursor_decode(const char *res, const char *cursor, int64_t *time_ms, char **id);

#endif
