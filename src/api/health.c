/* health.c - GET /healthz: liveness of the process and its workers.
 *
 * 200 with status "healthy" when every worker is; otherwise 503 with status
 * "failed" (Outpost's shape) and, for each failed worker, the reason an
 * operator can act on. Asks the workers' own counters only, never the
 * store: a probe must answer even while the store is wedged. */
#include "api/api.h"
#include "core/util.h"
#include "deliver/engine.h"
#include "queue/committer.h"
#include "queue/pruner.h"

static void add_worker(json_t *workers, const char *name, bool healthy, const char *why, bool *all_healthy)
{
    json_t *w = json_pack("{s:s}", "status", healthy ? "healthy" : "failed");
    if (w && !healthy) json_object_set_new(w, "reason", json_string(why));
    json_object_set_new(workers, name, w);
    if (!healthy) *all_healthy = false;
}

void api_healthz(http_req *req, http_res *res)
{
    const hp_app *app = req->app;
    char ts[HP_TIME_LEN], why[256];
    bool all = true;
    json_t *workers = json_object();
    add_worker(workers, "http-server", true, NULL, &all);
    if (app->committer) {
        bool ok = committer_health(app->committer, req->now_ms, why, sizeof why);
        add_worker(workers, "publish-committer", ok, why, &all);
    }
    if (app->engine) {
        bool ok = engine_health(app->engine, req->now_ms, why, sizeof why);
        add_worker(workers, "delivery-engine", ok, why, &all);
    }
    bool ok = store_health(app->store, req->now_ms, why, sizeof why);
    add_worker(workers, "store-checkpoint", ok, why, &all);
    if (app->pruner) {
        ok = pruner_health(app->pruner, req->now_ms, why, sizeof why);
        add_worker(workers, "log-retention", ok, why, &all);
    }
    http_json(res, all ? 200 : 503,
              json_pack("{s:s, s:s, s:o}", "status", all ? "healthy" : "failed", "timestamp",
                        hp_time_format_sec(req->now_ms, ts), "workers", workers));
}
