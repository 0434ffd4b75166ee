/* assets.h - the portal's static files, embedded at build time by
 * scripts/embed.sh. The table is immutable and ends with a NULL path. */
#ifndef HP_ASSETS_H
#define HP_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path;         /* "/index.html" */
    const char *content_type;
    const char *etag;         /* "\"<hash of the content>\"" */
    const unsigned char *data;
    size_t len;
} hp_asset;

extern const hp_asset hp_assets[];

/* The asset at path, or NULL. */
const hp_asset *assets_find(const char *path);

#endif
