/* topics.c - GET /topics: the configured TOPICS list. Outpost answers null
 * when TOPICS is unset; we answer [] so clients need no special case. */
#include "api/api.h"

void api_topics_list(http_req *req, http_res *res)
{
    json_t *out = json_array();
    for (size_t i = 0; i < req->app->cfg->ntopics; i++) json_array_append_new(out, json_string(req->app->cfg->topics[i]));
    http_json(res, 200, out);
}
