/* mergepatch.c - RFC 7396 JSON Merge Patch over jansson values.
 * See mergepatch.h for the contract. */
#include "core/mergepatch.h"

json_t *mergepatch_apply(json_t *target, const json_t *patch) {
    if (!patch) return target;
    if (!json_is_object(patch)) {
        json_decref(target);
        return json_deep_copy(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
        if (!target) return NULL;
    }

    /* json_object_foreach wants a mutable object; iteration does not modify. */
    json_t *p = (json_t *)patch;
    const char *key;
    json_t *value;
    json_object_foreach(p, key, value) {
        if (json_is_null(value)) {
            json_object_del(target, key); /* absent key: nothing to do */
            continue;
        }
        /* Hand the recursion its own reference to the current value; it may
         * update it in place and give it back, or release it and return a
         * replacement. Either way set_new stores the result. */
        json_t *cur = json_incref(json_object_get(target, key));
        json_t *merged = mergepatch_apply(cur, value);
        if (!merged || json_object_set_new(target, key, merged) != 0) {
            json_decref(target);
            return NULL;
        }
    }
    return target;
}
