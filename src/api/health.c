/* health.c - GET /healthz: liveness of the process and its workers. */
#include "api/api.h"
#include "core/util.h"

void api_healthz(http_req *req, http_res *res)
{
    char ts[HP_TIME_LEN];
    /* the committer and engine threads live as long as the server; their
     * failures surface as 500s on publish and as logged errors */
    http_json(res, 200, json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}", "status", "healthy", "timestamp",
                                  hp_time_format_sec(req->now_ms, ts), "workers", "http-server", "status",
                                  "healthy", "publish-committer", "status", "healthy", "delivery-engine", "status",
                                  "healthy"));
}
