/* assets.c - lookup in the embedded portal file table. */
#include "http/assets.h"

#include <string.h>

const hp_asset *assets_find(const char *path)
{
    for (const hp_asset *a = hp_assets; a->path; a++)
        if (!strcmp(a->path, path)) return a;
    return NULL;
}
