/* filter.c - the destination event filter engine (simple-json-match
 * semantics; see filter.h for the language).
 *
 * Matching is a recursive walk of the filter with the input alongside it.
 * Every recursive step carries a depth that is checked against
 * FILTER_MAX_DEPTH, so hostile filters or inputs cannot exhaust the stack.
 * Before walking, filter_match scans the whole filter once for unknown
 * operators and excessive nesting; that makes "never matches" independent of
 * which branches short-circuit evaluation would have visited. */
#include "core/filter.h"
#include "core/err.h"

#include <stddef.h>
#include <string.h>

/* ---- operators ---------------------------------------------------------- */

enum op {
    OP_FIELD,   /* not an operator: a member name */
    OP_UNKNOWN, /* starts with '$' but is not ours */
    OP_EQ,
    OP_NEQ,
    OP_GT,
    OP_GTE,
    OP_LT,
    OP_LTE,
    OP_IN,
    OP_NIN,
    OP_STARTS,
    OP_ENDS,
    OP_EXIST,
    OP_OR,
    OP_AND,
    OP_NOT,
};

static const struct {
    const char *name;
    enum op op;
} op_table[] = {
    {"$eq", OP_EQ},       {"$neq", OP_NEQ},        {"$gt", OP_GT},
    {"$gte", OP_GTE},     {"$lt", OP_LT},          {"$lte", OP_LTE},
    {"$in", OP_IN},       {"$nin", OP_NIN},        {"$startsWith", OP_STARTS},
    {"$endsWith", OP_ENDS}, {"$exist", OP_EXIST},  {"$or", OP_OR},
    {"$and", OP_AND},     {"$not", OP_NOT},
};

static enum op op_lookup(const char *key, size_t len)
{
    if (len == 0 || key[0] != '$')
        return OP_FIELD;
    for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
        if (strlen(op_table[i].name) == len && memcmp(op_table[i].name, key, len) == 0)
            return op_table[i].op;
    return OP_UNKNOWN;
}

/* ---- structural checks (shared by filter_match and filter_validate) ----- */

static const char *const E_DEPTH = "filter is nested too deeply";
static const char *const E_UNKNOWN = "filter uses an unknown operator";

/* Depth check of a literal operand (the value of $eq, $in, ...): its
 * members are data, never operators. */
static const char *check_literal(const json_t *v, int depth)
{
    if ((json_is_object(v) || json_is_array(v)) && depth > FILTER_MAX_DEPTH)
        return E_DEPTH;
    if (json_is_object(v)) {
        const char *key;
        json_t *m;
        json_object_foreach((json_t *)v, key, m) {
            const char *e = check_literal(m, depth + 1);
            if (e)
                return e;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            const char *e = check_literal(m, depth + 1);
            if (e)
                return e;
        }
    }
    return NULL;
}

static bool is_string_or_strings(const json_t *v)
{
    if (json_is_string(v))
        return true;
    if (!json_is_array(v))
        return false;
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) if (!json_is_string(m)) return false;
    return true;
}

/* Checks a schema. Always: unknown operators and depth. strict (the API)
 * also: operand types. Returns NULL or a static message. */
static const char *check_schema(const json_t *s, int depth, bool strict)
{
    if ((json_is_object(s) || json_is_array(s)) && depth > FILTER_MAX_DEPTH)
        return E_DEPTH;
    if (json_is_array(s)) {
        size_t i;
        json_t *m;
        json_array_foreach(s, i, m) {
            const char *e = check_schema(m, depth + 1, strict);
            if (e)
                return e;
        }
        return NULL;
    }
    if (!json_is_object(s))
        return NULL;

    const char *key;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach((json_t *)s, key, klen, v) {
        const char *e = NULL;
        switch (op_lookup(key, klen)) {
        case OP_FIELD:
        case OP_NOT:
            e = check_schema(v, depth + 1, strict);
            break;
        case OP_UNKNOWN:
            return E_UNKNOWN;
        case OP_OR:
        case OP_AND:
            if (json_is_array(v))
                e = check_schema(v, depth + 1, strict);
            else if (strict)
                e = "filter $or and $and need an array of conditions";
            else
                e = check_literal(v, depth + 1);
            break;
        case OP_EXIST:
            if (strict && !json_is_boolean(v))
                e = "filter $exist needs true or false";
            break;
        case OP_GT:
        case OP_GTE:
        case OP_LT:
        case OP_LTE:
            if (strict && !json_is_string(v) && !json_is_number(v))
                e = "filter $gt, $gte, $lt and $lte need a number or a string";
            else
                e = check_literal(v, depth + 1);
            break;
        case OP_IN:
        case OP_NIN:
            if (strict && json_is_object(v))
                e = "filter $in and $nin need an array or a single value";
            else
                e = check_literal(v, depth + 1);
            break;
        case OP_STARTS:
        case OP_ENDS:
            if (strict && !is_string_or_strings(v))
                e = "filter $startsWith and $endsWith need a string or an array of strings";
            else
                e = check_literal(v, depth + 1);
            break;
        case OP_EQ:
        case OP_NEQ:
            e = check_literal(v, depth + 1);
            break;
        }
        if (e)
            return e;
    }
    return NULL;
}

/* ---- value comparisons -------------------------------------------------- */

/* Evaluation state. abort is sticky: once set (nesting too deep at run
 * time) the whole filter fails, whatever $not would make of it. */
typedef struct {
    bool abort;
} mctx;

static bool too_deep(mctx *c, int depth)
{
    if (depth > FILTER_MAX_DEPTH)
        c->abort = true;
    return c->abort;
}

/* Deep JSON equality: numbers as doubles, objects by member set, arrays in
 * order. */
static bool deep_eq(mctx *c, const json_t *a, const json_t *b, int depth)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b) || too_deep(c, depth + 1))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!deep_eq(c, json_array_get(a, i), json_array_get(b, i), depth + 1))
                return false;
        return true;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b) || too_deep(c, depth + 1))
            return false;
        const char *key;
        size_t klen;
        json_t *av;
        json_object_keylen_foreach((json_t *)a, key, klen, av) {
            const json_t *bv = json_object_getn(b, key, klen);
            if (!bv || !deep_eq(c, av, bv, depth + 1))
                return false;
        }
        return true;
    }
    default: /* true, false, null: equal types are equal values */
        return true;
    }
}

/* Orders two values: *cmp <0, 0, >0. false when they are not both strings
 * or both numbers. */
static bool order(const json_t *a, const json_t *b, int *cmp)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        *cmp = (x > y) - (x < y);
        return true;
    }
    if (json_is_string(a) && json_is_string(b)) {
        size_t la = json_string_length(a), lb = json_string_length(b);
        int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
        *cmp = r ? r : (la > lb) - (la < lb);
        return true;
    }
    return false;
}

static bool array_contains(mctx *c, const json_t *arr, const json_t *v, int depth)
{
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m) if (deep_eq(c, m, v, depth + 1)) return true;
    return false;
}

/* $in: 1 true, 0 false, -1 undefined for these types. */
static int op_in(mctx *c, const json_t *in, const json_t *operand, int depth)
{
    if (json_is_array(operand)) {
        if (!json_is_array(in))
            return array_contains(c, operand, in, depth);
        size_t i;
        json_t *m;
        json_array_foreach(in, i, m) if (array_contains(c, operand, m, depth + 1)) return 1;
        return 0;
    }
    if (json_is_string(in)) {
        if (!json_is_string(operand))
            return -1;
        size_t ln = json_string_length(operand);
        if (ln == 0)
            return 1;
        return memmem(json_string_value(in), json_string_length(in),
                      json_string_value(operand), ln) != NULL;
    }
    if (json_is_array(in))
        return array_contains(c, in, operand, depth);
    return -1;
}

static bool affix_one(const json_t *in, const json_t *affix, bool prefix)
{
    size_t ln = json_string_length(in), la = json_string_length(affix);
    if (la > ln)
        return false;
    const char *s = json_string_value(in) + (prefix ? 0 : ln - la);
    return memcmp(s, json_string_value(affix), la) == 0;
}

/* $startsWith / $endsWith. */
static bool op_affix(const json_t *in, const json_t *operand, bool prefix)
{
    if (!json_is_string(in) || !is_string_or_strings(operand))
        return false;
    if (json_is_string(operand))
        return affix_one(in, operand, prefix);
    size_t i;
    json_t *m;
    json_array_foreach(operand, i, m) if (affix_one(in, m, prefix)) return true;
    return false;
}

/* ---- matching ----------------------------------------------------------- */

static bool match_value(mctx *c, const json_t *s, const json_t *in, int depth);

static bool match_op(mctx *c, enum op op, const json_t *v, const json_t *in, int depth)
{
    int cmp = 0;
    switch (op) {
    case OP_EXIST:
        if (!json_is_boolean(v))
            return false;
        return json_is_true(v) ? in != NULL : in == NULL;
    case OP_OR: {
        if (!json_is_array(v))
            return false;
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            if (match_value(c, m, in, depth + 1))
                return true;
            if (c->abort)
                return false;
        }
        return false;
    }
    case OP_AND: {
        if (!json_is_array(v))
            return false;
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) if (!match_value(c, m, in, depth + 1)) return false;
        return true;
    }
    case OP_NOT: {
        bool r = match_value(c, v, in, depth + 1);
        return !r && !c->abort;
    }
    case OP_FIELD:
    case OP_UNKNOWN:
        c->abort = true; /* unreachable after check_schema; fail safe */
        return false;
    default:
        break;
    }

    /* The value operators: an absent member fails them all. */
    if (!in)
        return false;
    switch (op) {
    case OP_EQ:
        return deep_eq(c, in, v, depth);
    case OP_NEQ:
        return !deep_eq(c, in, v, depth) && !c->abort;
    case OP_GT:
        return order(in, v, &cmp) && cmp > 0;
    case OP_GTE:
        return order(in, v, &cmp) && cmp >= 0;
    case OP_LT:
        return order(in, v, &cmp) && cmp < 0;
    case OP_LTE:
        return order(in, v, &cmp) && cmp <= 0;
    case OP_IN:
        return op_in(c, in, v, depth) == 1;
    case OP_NIN:
        return op_in(c, in, v, depth) == 0 && !c->abort;
    case OP_STARTS:
        return op_affix(in, v, true);
    case OP_ENDS:
        return op_affix(in, v, false);
    default:
        return false;
    }
}

/* The member (non-operator) part of an object schema against in. */
static bool match_fields(mctx *c, const json_t *s, const json_t *in, int depth)
{
    if (too_deep(c, depth))
        return false;
    const char *key;
    size_t klen;
    json_t *v;

    if (json_is_array(in)) { /* some element must satisfy all members */
        size_t i;
        json_t *m;
        json_array_foreach(in, i, m) {
            if (match_fields(c, s, m, depth + 1))
                return true;
            if (c->abort)
                return false;
        }
        return false;
    }
    if (in && !json_is_object(in))
        return false; /* members of a primitive */

    bool any = false;
    json_object_keylen_foreach((json_t *)s, key, klen, v) {
        if (op_lookup(key, klen) != OP_FIELD)
            continue;
        any = true;
        const json_t *sub = in ? json_object_getn(in, key, klen) : NULL;
        if (!match_value(c, v, sub, depth + 1))
            return false;
    }
    /* {} matches any object, but not an absent member. */
    return in || any;
}

static bool match_object(mctx *c, const json_t *s, const json_t *in, int depth)
{
    bool has_fields = false, has_ops = false;
    const char *key;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach((json_t *)s, key, klen, v) {
        enum op op = op_lookup(key, klen);
        if (op == OP_FIELD) {
            has_fields = true;
            continue;
        }
        has_ops = true;
        if (!match_op(c, op, v, in, depth))
            return false;
    }
    if (has_fields || !has_ops)
        return match_fields(c, s, in, depth);
    return true;
}

/* Does input value in (NULL = absent) match schema s? */
static bool match_value(mctx *c, const json_t *s, const json_t *in, int depth)
{
    if (c->abort || ((json_is_object(s) || json_is_array(s)) && too_deep(c, depth)))
        return false;
    if (json_is_object(s))
        return match_object(c, s, in, depth);
    if (!in)
        return false;
    if (json_is_array(s)) {
        if (!json_is_array(in))
            return false;
        size_t i, j;
        json_t *sm, *im;
        json_array_foreach(s, i, sm) {
            bool found = false;
            json_array_foreach(in, j, im) {
                if (match_value(c, sm, im, depth + 1)) {
                    found = true;
                    break;
                }
                if (c->abort)
                    return false;
            }
            if (!found)
                return false;
        }
        return true;
    }
    /* primitive schema */
    if (json_is_array(in))
        return array_contains(c, in, s, depth);
    return deep_eq(c, in, s, depth);
}

/* ---- API ---------------------------------------------------------------- */

bool filter_match(const json_t *filter, const json_t *input)
{
    if (!filter || json_is_null(filter))
        return true;
    if (json_is_object(filter) && json_object_size(filter) == 0)
        return true;
    if (check_schema(filter, 1, false))
        return false;
    mctx c = {false};
    bool r = match_value(&c, filter, input, 1);
    return r && !c.abort;
}

int filter_validate(const json_t *filter, const char **err)
{
    const char *e = NULL;
    if (!filter || json_is_null(filter))
        return HP_OK;
    if (!json_is_object(filter))
        e = "filter must be a JSON object";
    else
        e = check_schema(filter, 1, true);
    if (!e)
        return HP_OK;
    if (err)
        *err = e;
    return HP_EINVAL;
}

static json_t *member_or_empty(const json_t *v)
{
    if (!v || json_is_null(v))
        return json_object();
    return json_incref((json_t *)v);
}

json_t *filter_input(const char *id, const char *topic, const char *time_rfc3339,
                     const json_t *metadata, const json_t *data)
{
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    /* json_object_set_new steals (and tolerates) a NULL value by failing. */
    if (json_object_set_new(doc, "id", json_string(id ? id : "")) ||
        json_object_set_new(doc, "topic", json_string(topic ? topic : "")) ||
        json_object_set_new(doc, "time", json_string(time_rfc3339 ? time_rfc3339 : "")) ||
        json_object_set_new(doc, "metadata", member_or_empty(metadata)) ||
        json_object_set_new(doc, "data", member_or_empty(data))) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
