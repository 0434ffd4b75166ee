/* ids.h - generated identifiers for destinations, events and attempts, in
 * the format chosen by IDGEN_TYPE (uuidv4, uuidv7 or nanoid) behind an
 * optional per-kind prefix. Thread-safe (randomness from OpenSSL). */
#ifndef HP_IDS_H
#define HP_IDS_H

#include "config.h"

typedef enum { ID_DESTINATION, ID_EVENT, ID_ATTEMPT } id_kind;

/* A new id for kind, malloc'd (caller frees). NULL on failure. */
char *id_generate(const hp_config *cfg, id_kind kind);

/* true when s is usable as a client-chosen id: 1..255 bytes of visible
 * ASCII other than '/', '?', '#' and '%', so it survives URL paths. */
bool id_valid(const char *s);

#endif
