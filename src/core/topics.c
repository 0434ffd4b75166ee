/* topics.c - topic globbing, validation/normalisation of destination topics
 * and the tenant topic union. See topics.h for the contract. */
#include "core/topics.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Bounds on what a request may subscribe to. Outpost has none; they are here
 * so one request cannot make normalisation (quadratic in entries, and glob
 * cost quadratic in lengths) burn unbounded CPU. Exceeding them is "invalid". */
#define TOPICS_MAX_ENTRIES 1000
#define TOPIC_MAX_LEN 1024

static const char *const MSG_REQUIRED = "topics is required";
static const char *const MSG_INVALID = "topics is invalid";
static const char *const MSG_NOMEM = "out of memory";

bool topic_match(const char *pattern, const char *topic) {
    if (!pattern || !topic) return false;
    const char *p = pattern, *t = topic;
    const char *star = NULL; /* last '*' seen in pattern */
    const char *resume = NULL; /* where in topic that '*' currently stops */

    while (*t) {
        if (*p == '*') {
            star = p++;
            resume = t;
        } else if (*p && *p == *t) {
            p++;
            t++;
        } else if (star) {
            /* Let the last '*' swallow one more character and retry. Earlier
             * stars never need to backtrack: the last one can absorb anything. */
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*') p++;
    return *p == '\0';
}

static json_t *star_array(void) {
    json_t *a = json_array();
    if (a && json_array_append_new(a, json_string("*")) != 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static bool is_configured(const char *t, const char *const *configured, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (configured[i] && strcmp(configured[i], t) == 0) return true;
    return false;
}

static bool pattern_matches_configured(const char *p, const char *const *configured, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (configured[i] && topic_match(p, configured[i])) return true;
    return false;
}

/* Does sibling j make entry i redundant? j must be a pattern whose language
 * contains i's. When two entries cover each other (e.g. "a*" and "a**") the
 * earlier one is kept. */
static bool covered_by(const char *const *e, size_t i, size_t j) {
    if (i == j || !strchr(e[j], '*')) return false;
    if (!topic_match(e[j], e[i])) return false;
    return !(j > i && topic_match(e[i], e[j]));
}

int topics_normalize(const json_t *in, const char *const *configured, size_t nconfigured,
                     bool allow_wildcards, json_t **out, const char **err) {
    const char *dummy;
    if (!err) err = &dummy;
    *err = NULL;

    if (!in || json_is_null(in)) {
        *err = MSG_REQUIRED;
        return HP_EINVAL;
    }
    if (json_is_string(in)) {
        const char *s = json_string_value(in);
        if (json_string_length(in) == 0) {
            *err = MSG_REQUIRED;
            return HP_EINVAL;
        }
        if (json_string_length(in) != 1 || s[0] != '*') {
            *err = MSG_INVALID;
            return HP_EINVAL;
        }
        json_t *a = star_array();
        if (!a) {
            *err = MSG_NOMEM;
            return HP_ENOMEM;
        }
        *out = a;
        return HP_OK;
    }
    if (!json_is_array(in)) {
        *err = MSG_INVALID;
        return HP_EINVAL;
    }
    size_t n = json_array_size(in);
    if (n == 0) {
        *err = MSG_REQUIRED;
        return HP_EINVAL;
    }
    if (n > TOPICS_MAX_ENTRIES) {
        *err = MSG_INVALID;
        return HP_EINVAL;
    }

    /* Shape checks, then deduplicate into e[0..ne) (borrowed pointers into in). */
    const char **e = malloc(n * sizeof *e);
    if (!e) {
        *err = MSG_NOMEM;
        return HP_ENOMEM;
    }
    size_t ne = 0;
    bool has_star = false;
    int rc = HP_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(in, i);
        if (!json_is_string(v)) {
            *err = MSG_INVALID;
            goto done;
        }
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (len == 0) {
            *err = MSG_REQUIRED;
            goto done;
        }
        if (len > TOPIC_MAX_LEN || strlen(s) != len) { /* too long / embedded NUL */
            *err = MSG_INVALID;
            goto done;
        }
        if (strcmp(s, "*") == 0) has_star = true;
        size_t k;
        for (k = 0; k < ne; k++)
            if (strcmp(e[k], s) == 0) break;
        if (k == ne) e[ne++] = s;
    }

    if (has_star) {
        if (nconfigured > 0 && ne > 1) {
            *err = MSG_INVALID;
            goto done;
        }
        json_t *a = star_array();
        if (!a) {
            *err = MSG_NOMEM;
            rc = HP_ENOMEM;
            goto done;
        }
        *out = a;
        rc = HP_OK;
        goto done;
    }

    if (nconfigured > 0) {
        for (size_t i = 0; i < ne; i++) {
            bool ok;
            if (strchr(e[i], '*'))
                ok = allow_wildcards && pattern_matches_configured(e[i], configured, nconfigured);
            else
                ok = is_configured(e[i], configured, nconfigured);
            if (!ok) {
                *err = MSG_INVALID;
                goto done;
            }
        }
    }

    json_t *a = json_array();
    if (!a) {
        *err = MSG_NOMEM;
        rc = HP_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ne; i++) {
        bool drop = false;
        for (size_t j = 0; j < ne && !drop; j++) drop = covered_by(e, i, j);
        if (drop) continue;
        if (json_array_append_new(a, json_string(e[i])) != 0) {
            json_decref(a);
            *err = MSG_NOMEM;
            rc = HP_ENOMEM;
            goto done;
        }
    }
    *out = a;
    rc = HP_OK;

done:
    free(e);
    return rc;
}

bool topics_subscribed(const json_t *dest_topics, const char *topic) {
    if (!topic || !*topic) return true;
    if (!json_is_array(dest_topics)) return false;
    size_t i;
    const json_t *v;
    json_array_foreach(dest_topics, i, v) {
        const char *p = json_string_value(v);
        if (p && topic_match(p, topic)) return true; /* "*" and exact names included */
    }
    return false;
}

bool topics_event_matches(const json_t *dest_topics, const char *topic) {
    if (topic && !strcmp(topic, "*")) return true;
    return topics_subscribed(dest_topics, topic);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *topics_union(json_t *const *topic_arrays, size_t n) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!json_is_array(topic_arrays[i])) continue;
        size_t k;
        json_t *v;
        json_array_foreach(topic_arrays[i], k, v) {
            const char *s = json_string_value(v);
            if (!s) continue;
            if (strcmp(s, "*") == 0) return star_array();
            total++;
        }
    }

    json_t *out = json_array();
    if (!out || total == 0) return out;
    const char **all = malloc(total * sizeof *all);
    if (!all) {
        json_decref(out);
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!json_is_array(topic_arrays[i])) continue;
        size_t k;
        json_t *v;
        json_array_foreach(topic_arrays[i], k, v) {
            const char *s = json_string_value(v);
            if (s) all[m++] = s;
        }
    }
    qsort(all, m, sizeof *all, cmp_str);
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0) continue;
        if (json_array_append_new(out, json_string(all[i])) != 0) {
            json_decref(out);
            out = NULL;
            break;
        }
    }
    free(all);
    return out;
}
