/* destination_types.c - /destination-types: the schema of every destination
 * type this build can deliver to (the portal builds its forms from it). */
#include "api/api.h"
#include "deliver/provider.h"

void api_destination_types_list(http_req *req, http_res *res)
{
    json_t *out = json_array();
    for (const provider *const *p = provider_all(); *p; p++) json_array_append_new(out, provider_schema_json(*p));
    http_json(res, 200, out);
}

void api_destination_type_get(http_req *req, http_res *res)
{
    const provider *p = provider_find(http_param(req, "type"));
    if (!p) http_empty(res, 404);
    else http_json(res, 200, provider_schema_json(p));
}
