/* common.c - request-body helpers shared by the API handlers. */
#include "api/api.h"
#include "core/err.h"
#include "core/util.h"
#include "deliver/provider.h"

#include <stdio.h>

void api_string_map(const json_t *in, const char *field, bool keep_nulls, json_t *errs, json_t **out)
{
    *out = NULL;
    if (!in || json_is_null(in)) return;
    if (!json_is_object(in)) {
        provider_error(errs, "%s must be an object", field);
        return;
    }
    json_t *map = json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)in, key, v) {
        char num[64];
        switch (json_typeof(v)) {
        case JSON_STRING:
            json_object_set(map, key, v);
            break;
        case JSON_INTEGER:
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            json_object_set_new(map, key, json_string(num));
            break;
        case JSON_REAL:
            snprintf(num, sizeof num, "%.17g", json_real_value(v));
            json_object_set_new(map, key, json_string(num));
            break;
        case JSON_TRUE:
        case JSON_FALSE:
            json_object_set_new(map, key, json_string(json_is_true(v) ? "true" : "false"));
            break;
        case JSON_NULL:
            if (keep_nulls) json_object_set(map, key, v);
            break;
        default:
            provider_error(errs, "%s.%s must be a string", field, key);
        }
    }
    *out = map;
}

int api_past_time(const json_t *body, const char *field, int64_t now_ms, json_t *errs, int64_t *ms)
{
    json_t *v = json_object_get(body, field);
    if (!v) return HP_ENOTFOUND;
    if (json_is_null(v)) {
        *ms = 0;
        return HP_OK;
    }
    int64_t t;
    if (!json_is_string(v) || hp_time_parse(json_string_value(v), &t) != HP_OK) {
        provider_error(errs, "%s must be an RFC 3339 timestamp", field);
        return HP_EINVAL;
    }
    if (t > now_ms) {
        provider_error(errs, "%s cannot be in the future", field);
        return HP_EINVAL;
    }
    *ms = t;
    return HP_OK;
}

json_t *api_event_json(http_res *res, const hp_event *e, bool with_data)
{
    json_t *o = event_to_json(e);
    if (!o || !with_data) return o;
    json_t *data = e->data && e->data_len ? http_json_verbatim(res, e->data, e->data_len) : NULL;
    json_object_set_new(o, "data", data ? data : json_null());
    return o;
}
