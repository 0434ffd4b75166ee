/* test_filter.c - unit tests for the destination filter engine
 * (src/core/filter.c): every operator both ways, nesting, arrays, $not,
 * type mismatches, the depth cap, filter_validate and filter_input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/filter.h"

/* ---- helpers ------------------------------------------------------------ */

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return j;
}

/* filter_match on two JSON texts; filter text NULL means a NULL filter. */
static bool m(const char *filter, const char *input)
{
    json_t *f = filter ? parse(filter) : NULL;
    json_t *in = parse(input);
    bool r = filter_match(f, in);
    json_decref(f);
    json_decref(in);
    return r;
}

/* Checks filter against input, and that {"$not": filter} gives the opposite. */
static void expect_at(const char *filter, const char *input, bool want, int line)
{
    if (m(filter, input) != want)
        fail_msg("line %d: filter %s on %s: want %s", line, filter, input, want ? "match" : "no match");
    char *neg = malloc(strlen(filter) + 16);
    assert_non_null(neg);
    sprintf(neg, "{\"$not\":%s}", filter);
    if (m(neg, input) == want)
        fail_msg("line %d: filter %s on %s: want %s", line, neg, input, want ? "no match" : "match");
    free(neg);
}
#define YES(f, in) expect_at((f), (in), true, __LINE__)
#define NO(f, in) expect_at((f), (in), false, __LINE__)

static int validate(const char *filter, const char **err)
{
    json_t *f = parse(filter);
    int rc = filter_validate(f, err);
    json_decref(f);
    return rc;
}

#define VALID(f)                                                                   \
    do {                                                                           \
        const char *e_ = NULL;                                                     \
        if (validate((f), &e_) != HP_OK)                                           \
            fail_msg("line %d: %s should be valid (%s)", __LINE__, (f), e_);      \
    } while (0)
#define INVALID(f)                                                                 \
    do {                                                                           \
        const char *e_ = NULL;                                                     \
        if (validate((f), &e_) != HP_EINVAL)                                       \
            fail_msg("line %d: %s should be invalid", __LINE__, (f));              \
        assert_non_null(e_);                                                       \
        assert_true(strlen(e_) > 0);                                               \
    } while (0)

/* {"a":{"a":...{"a":leaf}...}} with n objects. Caller frees. */
static char *nested(int n, const char *leaf)
{
    size_t len = (size_t)n * 6 + strlen(leaf) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    char *p = s;
    for (int i = 0; i < n; i++)
        p += sprintf(p, "{\"a\":");
    p += sprintf(p, "%s", leaf);
    for (int i = 0; i < n; i++)
        *p++ = '}';
    *p = 0;
    return s;
}

static const char *EV = "{\"id\":\"evt_1\",\"topic\":\"user.created\","
                        "\"time\":\"2024-06-01T08:23:36Z\","
                        "\"metadata\":{\"source\":\"crm\",\"region\":\"eu\"},"
                        "\"data\":{\"type\":\"order\",\"amount\":150,\"price\":9.5,"
                        "\"paid\":true,\"note\":null,\"tags\":[\"gift\",\"vip\",\"eu\"],"
                        "\"items\":[{\"sku\":\"a1\",\"qty\":2},{\"sku\":\"b2\",\"qty\":12}],"
                        "\"customer\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
                        "\"address\":{\"country\":\"GB\",\"zip\":\"N1 9GU\"}}}}";

/* ---- tests -------------------------------------------------------------- */

static void test_empty_filters(void **state)
{
    (void)state;
    assert_true(m(NULL, EV));
    assert_true(m("null", EV));
    assert_true(m("{}", EV));
    assert_true(filter_match(NULL, NULL));
}

static void test_primitives(void **state)
{
    (void)state;
    YES("{\"topic\":\"user.created\"}", EV);
    NO("{\"topic\":\"user.deleted\"}", EV);
    YES("{\"data\":{\"amount\":150}}", EV);
    YES("{\"data\":{\"amount\":150.0}}", EV); /* integer vs real */
    YES("{\"data\":{\"price\":9.5}}", EV);
    NO("{\"data\":{\"price\":9}}", EV);
    YES("{\"data\":{\"paid\":true}}", EV);
    NO("{\"data\":{\"paid\":false}}", EV);
    YES("{\"data\":{\"note\":null}}", EV);
    /* no cross-type equality */
    NO("{\"data\":{\"amount\":\"150\"}}", EV);
    NO("{\"data\":{\"paid\":1}}", EV);
    NO("{\"data\":{\"note\":false}}", EV);
    NO("{\"data\":{\"note\":0}}", EV);
    NO("{\"data\":{\"type\":{\"x\":1}}}", EV); /* object schema vs string */
    NO("{\"data\":{\"customer\":\"Ada\"}}", EV); /* primitive vs object */
    /* bare values */
    YES("\"created\"", "\"created\"");
    NO("1", "2");
    NO("{\"a\":{}}", "{\"a\":1}");
    NO("{\"a\":{}}", "{\"a\":[1]}");
    YES("{\"a\":{}}", "{\"a\":[1,{}]}");
    NO("true", "{\"test\":true}");
}

static void test_objects_and_missing(void **state)
{
    (void)state;
    /* implicit AND */
    YES("{\"topic\":\"user.created\",\"metadata\":{\"source\":\"crm\"}}", EV);
    NO("{\"topic\":\"user.created\",\"metadata\":{\"source\":\"web\"}}", EV);
    /* nesting */
    YES("{\"data\":{\"customer\":{\"address\":{\"country\":\"GB\"}}}}", EV);
    NO("{\"data\":{\"customer\":{\"address\":{\"country\":\"FR\"}}}}", EV);
    YES("{\"data\":{\"customer\":{}}}", EV);
    /* missing keys */
    NO("{\"data\":{\"missing\":1}}", EV);
    NO("{\"data\":{\"missing\":null}}", EV);
    NO("{\"data\":{\"missing\":{}}}", EV);
    NO("{\"nope\":{\"x\":1}}", EV);
    NO("{\"data\":{\"customer\":{\"address\":{\"city\":\"London\"}}}}", EV);
    /* multiple keys on the input side are fine; on the schema side all count */
    NO("{\"count\":1,\"type\":\"created\"}", "{\"count\":1}");
    YES("{\"count\":1}", "{\"count\":1,\"type\":\"created\"}");
}

static void test_arrays(void **state)
{
    (void)state;
    /* primitive schema vs array input: contains */
    YES("{\"data\":{\"tags\":\"vip\"}}", EV);
    NO("{\"data\":{\"tags\":\"nope\"}}", EV);
    YES("3", "[1,2,3]");
    YES("3.0", "[1,2,3]");
    NO("4", "[1,2,3]");
    /* array schema vs array input: every schema element present */
    YES("{\"data\":{\"tags\":[\"gift\",\"eu\"]}}", EV);
    NO("{\"data\":{\"tags\":[\"gift\",\"us\"]}}", EV);
    YES("{\"data\":{\"tags\":[]}}", EV);
    YES("[{\"$eq\":3}]", "[1,2,3]");
    NO("[{\"$eq\":4}]", "[1,2,3]");
    /* array schema vs non-array input */
    NO("{\"data\":{\"type\":[\"order\"]}}", EV);
    NO("{\"data\":{\"customer\":[\"x\"]}}", EV);
    /* object schema vs array of objects: some element matches */
    YES("{\"data\":{\"items\":{\"sku\":\"b2\"}}}", EV);
    NO("{\"data\":{\"items\":{\"sku\":\"c3\"}}}", EV);
    YES("{\"data\":{\"items\":{\"qty\":{\"$gte\":10}}}}", EV);
    NO("{\"data\":{\"items\":{\"qty\":{\"$gte\":20}}}}", EV);
    /* the members must hold for the same element */
    YES("{\"data\":{\"items\":{\"sku\":\"b2\",\"qty\":12}}}", EV);
    NO("{\"data\":{\"items\":{\"sku\":\"a1\",\"qty\":12}}}", EV);
    /* array schema with object elements */
    YES("{\"data\":{\"items\":[{\"sku\":\"a1\"},{\"sku\":\"b2\"}]}}", EV);
    NO("{\"data\":{\"items\":[{\"sku\":\"a1\"},{\"sku\":\"zz\"}]}}", EV);
    /* object schema vs array of primitives */
    NO("{\"data\":{\"tags\":{\"x\":1}}}", EV);
    /* operators see the whole array */
    NO("{\"$eq\":3}", "[1,2,3]");
    YES("{\"tags\":{\"$eq\":[\"test\",\"other\"]}}", "{\"tags\":[\"test\",\"other\"]}");
    NO("{\"tags\":{\"$eq\":[\"test\",\"other\"]}}", "{\"tags\":[\"test\",\"other\",\"more\"]}");
}

static void test_eq_neq(void **state)
{
    (void)state;
    YES("{\"data\":{\"type\":{\"$eq\":\"order\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$eq\":\"refund\"}}}", EV);
    YES("{\"data\":{\"amount\":{\"$eq\":150.0}}}", EV);
    YES("{\"data\":{\"note\":{\"$eq\":null}}}", EV);
    NO("{\"data\":{\"note\":{\"$neq\":null}}}", EV);
    YES("{\"data\":{\"type\":{\"$neq\":\"refund\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$neq\":\"order\"}}}", EV);
    YES("{\"data\":{\"amount\":{\"$neq\":\"150\"}}}", EV); /* different types differ */
    /* deep: objects regardless of member order, numbers as doubles */
    YES("{\"data\":{\"customer\":{\"address\":{\"$eq\":{\"zip\":\"N1 9GU\",\"country\":\"GB\"}}}}}", EV);
    NO("{\"data\":{\"customer\":{\"address\":{\"$eq\":{\"country\":\"GB\"}}}}}", EV);
    YES("{\"data\":{\"customer\":{\"address\":{\"$neq\":{\"country\":\"GB\"}}}}}", EV);
    YES("{\"data\":{\"items\":{\"$eq\":[{\"qty\":2.0,\"sku\":\"a1\"},{\"sku\":\"b2\",\"qty\":12}]}}}", EV);
    NO("{\"data\":{\"items\":{\"$eq\":[{\"sku\":\"b2\",\"qty\":12},{\"sku\":\"a1\",\"qty\":2}]}}}", EV);
    /* a literal operand's "$" members are data, not operators */
    YES("{\"x\":{\"$eq\":{\"$ref\":\"y\"}}}", "{\"x\":{\"$ref\":\"y\"}}");
    /* absent members fail value operators */
    NO("{\"data\":{\"missing\":{\"$neq\":\"x\"}}}", EV);
    NO("{\"data\":{\"missing\":{\"$eq\":null}}}", EV);
}

static void test_ordering(void **state)
{
    (void)state;
    YES("{\"data\":{\"amount\":{\"$gt\":100}}}", EV);
    NO("{\"data\":{\"amount\":{\"$gt\":150}}}", EV);
    YES("{\"data\":{\"amount\":{\"$gte\":150}}}", EV);
    NO("{\"data\":{\"amount\":{\"$gte\":150.5}}}", EV);
    YES("{\"data\":{\"price\":{\"$lt\":10}}}", EV);
    NO("{\"data\":{\"price\":{\"$lt\":9.5}}}", EV);
    YES("{\"data\":{\"price\":{\"$lte\":9.5}}}", EV);
    NO("{\"data\":{\"price\":{\"$lte\":9}}}", EV);
    YES("{\"data\":{\"amount\":{\"$gt\":100,\"$lt\":200}}}", EV); /* ANDed */
    NO("{\"data\":{\"amount\":{\"$gt\":100,\"$lt\":120}}}", EV);
    /* strings: lexicographic */
    YES("{\"time\":{\"$gte\":\"2024-01-01\"}}", EV);
    NO("{\"time\":{\"$lt\":\"2024-01-01\"}}", EV);
    YES("{\"title\":{\"$gt\":\"b\"}}", "{\"title\":\"c\"}");
    NO("{\"title\":{\"$gt\":\"b\"}}", "{\"title\":\"a\"}");
    YES("{\"t\":{\"$gt\":\"ab\"}}", "{\"t\":\"abc\"}"); /* prefix sorts first */
    NO("{\"t\":{\"$lt\":\"ab\"}}", "{\"t\":\"abc\"}");
    YES("{\"t\":{\"$lte\":\"abc\",\"$gte\":\"abc\"}}", "{\"t\":\"abc\"}");
    /* mixed types never compare */
    NO("{\"data\":{\"amount\":{\"$gt\":\"100\"}}}", EV);
    NO("{\"data\":{\"amount\":{\"$lt\":\"999\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$gt\":1}}}", EV);
    NO("{\"data\":{\"paid\":{\"$gte\":false}}}", EV);
    NO("{\"data\":{\"note\":{\"$lte\":null}}}", EV);
    NO("{\"test\":{\"$gt\":[1,2,3]}}", "{\"test\":1}");
    NO("{\"data\":{\"tags\":{\"$gt\":\"a\"}}}", EV);
    NO("{\"data\":{\"missing\":{\"$lt\":1000}}}", EV);
}

static void test_in_nin(void **state)
{
    (void)state;
    /* operand array: value in array */
    YES("{\"data\":{\"amount\":{\"$in\":[1,150,3]}}}", EV);
    NO("{\"data\":{\"amount\":{\"$in\":[1,2,3]}}}", EV);
    YES("{\"data\":{\"type\":{\"$in\":[\"order\",\"refund\"]}}}", EV);
    NO("{\"data\":{\"type\":{\"$in\":[\"or\",\"der\"]}}}", EV); /* elements, not substrings */
    YES("{\"data\":{\"note\":{\"$in\":[null]}}}", EV);
    /* operand string, input string: substring */
    YES("{\"data\":{\"customer\":{\"email\":{\"$in\":\"@example.\"}}}}", EV);
    NO("{\"data\":{\"customer\":{\"email\":{\"$in\":\"@test.\"}}}}", EV);
    YES("{\"data\":{\"type\":{\"$in\":\"\"}}}", EV);
    /* input array: contains */
    YES("{\"data\":{\"tags\":{\"$in\":\"vip\"}}}", EV);
    NO("{\"data\":{\"tags\":{\"$in\":\"vi\"}}}", EV); /* element equality, not substring */
    /* input array and operand array: any shared element */
    YES("{\"data\":{\"tags\":{\"$in\":[\"us\",\"eu\"]}}}", EV);
    NO("{\"data\":{\"tags\":{\"$in\":[\"us\",\"ca\"]}}}", EV);
    /* type mismatches */
    NO("{\"data\":{\"amount\":{\"$in\":150}}}", EV);
    NO("{\"data\":{\"amount\":{\"$in\":\"150\"}}}", EV);
    NO("{\"data\":{\"missing\":{\"$in\":[1]}}}", EV);

    YES("{\"data\":{\"amount\":{\"$nin\":[1,2,3]}}}", EV);
    NO("{\"data\":{\"amount\":{\"$nin\":[1,150]}}}", EV);
    YES("{\"data\":{\"type\":{\"$nin\":\"xyz\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$nin\":\"rde\"}}}", EV);
    NO("{\"data\":{\"tags\":{\"$nin\":\"gift\"}}}", EV);
    YES("{\"data\":{\"tags\":{\"$nin\":\"toy\"}}}", EV);
    YES("{\"data\":{\"tags\":{\"$nin\":[\"us\",\"ca\"]}}}", EV);
    /* $nin is not a match where $in is undefined */
    NO("{\"data\":{\"amount\":{\"$nin\":\"150\"}}}", EV);
    NO("{\"data\":{\"paid\":{\"$nin\":true}}}", EV);
    NO("{\"data\":{\"missing\":{\"$nin\":[1]}}}", EV);
    /* combined */
    YES("{\"test\":{\"$in\":\"text\"},\"id\":{\"$in\":[123,456]}}", "{\"test\":\"some-text\",\"id\":123}");
    NO("{\"test\":{\"$in\":[\"some\",\"text\"]},\"id\":{\"$nin\":[123,456]}}",
       "{\"test\":\"some-text\",\"id\":123}");
}

static void test_starts_ends(void **state)
{
    (void)state;
    YES("{\"topic\":{\"$startsWith\":\"user.\"}}", EV);
    NO("{\"topic\":{\"$startsWith\":\"order.\"}}", EV);
    YES("{\"topic\":{\"$endsWith\":\".created\"}}", EV);
    NO("{\"topic\":{\"$endsWith\":\".deleted\"}}", EV);
    YES("{\"topic\":{\"$startsWith\":\"\"}}", EV);
    NO("{\"topic\":{\"$endsWith\":\"xuser.created\"}}", EV); /* longer than input */
    /* operand array: any */
    YES("{\"topic\":{\"$startsWith\":[\"order.\",\"user.\"]}}", EV);
    NO("{\"topic\":{\"$startsWith\":[\"order.\",\"invoice.\"]}}", EV);
    YES("{\"topic\":{\"$endsWith\":[\".updated\",\".created\"]}}", EV);
    NO("{\"topic\":{\"$endsWith\":[\".updated\",\".deleted\"]}}", EV);
    NO("{\"topic\":{\"$endsWith\":[]}}", EV);
    /* both: prefix and suffix ANDed */
    YES("{\"topic\":{\"$startsWith\":\"user\",\"$endsWith\":\"created\"}}", EV);
    NO("{\"topic\":{\"$startsWith\":\"user\",\"$endsWith\":\"deleted\"}}", EV);
    /* type mismatches */
    NO("{\"data\":{\"amount\":{\"$startsWith\":\"1\"}}}", EV);
    NO("{\"topic\":{\"$startsWith\":1}}", EV);
    NO("{\"topic\":{\"$startsWith\":[\"user.\",1]}}", EV);
    NO("{\"data\":{\"customer\":{\"$endsWith\":\"e\"}}}", EV);
    NO("{\"data\":{\"missing\":{\"$startsWith\":\"\"}}}", EV);
}

static void test_exist(void **state)
{
    (void)state;
    YES("{\"data\":{\"type\":{\"$exist\":true}}}", EV);
    NO("{\"data\":{\"type\":{\"$exist\":false}}}", EV);
    YES("{\"data\":{\"missing\":{\"$exist\":false}}}", EV);
    NO("{\"data\":{\"missing\":{\"$exist\":true}}}", EV);
    YES("{\"data\":{\"note\":{\"$exist\":true}}}", EV); /* null is present */
    YES("{\"data\":{\"customer\":{\"phone\":{\"$exist\":false}}}}", EV);
    NO("{\"data\":{\"customer\":{\"name\":{\"$exist\":false}}}}", EV);
    /* with other operators */
    YES("{\"data\":{\"type\":{\"$exist\":true,\"$in\":\"ord\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$exist\":true,\"$in\":\"no\"}}}", EV);
    /* absence propagates through absent parents */
    YES("{\"data\":{\"shipping\":{\"carrier\":{\"$exist\":false}}}}", EV);
    NO("{\"data\":{\"shipping\":{\"carrier\":{\"$exist\":true}}}}", EV);
    /* a non-boolean operand is no match */
    NO("{\"data\":{\"type\":{\"$exist\":\"yes\"}}}", EV);
    NO("{\"data\":{\"type\":{\"$exist\":1}}}", EV);
}

static void test_or_and(void **state)
{
    (void)state;
    YES("{\"$or\":[{\"topic\":\"user.deleted\"},{\"topic\":\"user.created\"}]}", EV);
    NO("{\"$or\":[{\"topic\":\"user.deleted\"},{\"topic\":\"user.updated\"}]}", EV);
    NO("{\"$or\":[]}", EV);
    YES("{\"$and\":[{\"topic\":\"user.created\"},{\"data\":{\"amount\":{\"$gt\":100}}}]}", EV);
    NO("{\"$and\":[{\"topic\":\"user.created\"},{\"data\":{\"amount\":{\"$gt\":200}}}]}", EV);
    YES("{\"$and\":[]}", EV);
    /* nested in a member, with primitive conditions */
    YES("{\"data\":{\"amount\":{\"$or\":[1,150]}}}", EV);
    NO("{\"data\":{\"amount\":{\"$or\":[1,2]}}}", EV);
    YES("1", "1");
    YES("{\"$or\":[1,2]}", "1");
    NO("{\"$and\":[1,2]}", "1");
    YES("{\"test\":{\"$or\":[{\"something\":true},{\"something\":{\"$in\":\"else\"}}]}}",
        "{\"test\":{\"something\":\"else\"}}");
    NO("{\"test\":{\"$or\":[{\"something\":true},{\"something\":{\"$in\":\"no\"}}]}}",
       "{\"test\":{\"something\":\"else\"}}");
    /* members and operators in one object are ANDed */
    YES("{\"test\":{\"test1\":{\"$exist\":true,\"$or\":[\"else\",\"not\"]},"
        "\"$and\":[{\"test1\":\"else\"},{\"test2\":\"not\"}]}}",
        "{\"test\":{\"test1\":\"else\",\"test2\":\"not\"}}");
    NO("{\"test\":{\"test1\":{\"$exist\":true,\"$or\":[\"else\",\"not\"]},"
       "\"$and\":[{\"test1\":\"else\"},{\"test2\":\"nope\"}]}}",
       "{\"test\":{\"test1\":\"else\",\"test2\":\"not\"}}");
    /* $or across arrays */
    YES("{\"data\":{\"items\":{\"$or\":[{\"sku\":\"zz\"},{\"qty\":12}]}}}", EV);
    NO("{\"data\":{\"items\":{\"$or\":[{\"sku\":\"zz\"},{\"qty\":13}]}}}", EV);
    /* $or with an $exist:false branch on an absent member */
    YES("{\"$or\":[{\"data\":{\"coupon\":{\"$exist\":false}}},{\"data\":{\"coupon\":\"X\"}}]}", EV);
    /* malformed operands are no match */
    NO("{\"$or\":{\"topic\":\"user.created\"}}", EV);
    NO("{\"$and\":\"x\"}", EV);
}

static void test_not(void **state)
{
    (void)state;
    /* top level */
    assert_true(m("{\"$not\":{\"topic\":\"user.deleted\"}}", EV));
    assert_false(m("{\"$not\":{\"topic\":\"user.created\"}}", EV));
    /* nested in a member */
    assert_true(m("{\"data\":{\"type\":{\"$not\":{\"$eq\":\"refund\"}}}}", EV));
    assert_false(m("{\"data\":{\"type\":{\"$not\":{\"$eq\":\"order\"}}}}", EV));
    assert_true(m("{\"data\":{\"type\":{\"$not\":\"refund\"}}}", EV));
    assert_false(m("{\"data\":{\"type\":{\"$not\":\"order\"}}}", EV));
    assert_true(m("{\"data\":{\"tags\":{\"$not\":\"toy\"}}}", EV));
    assert_false(m("{\"data\":{\"tags\":{\"$not\":\"vip\"}}}", EV));
    /* $not of an absent member's condition */
    assert_true(m("{\"data\":{\"missing\":{\"$not\":{\"$eq\":1}}}}", EV));
    /* double negation */
    assert_true(m("{\"$not\":{\"$not\":{\"topic\":\"user.created\"}}}", EV));
    assert_false(m("{\"$not\":{\"$not\":{\"topic\":\"user.deleted\"}}}", EV));
    /* beside other conditions */
    assert_true(m("{\"$not\":{\"test\":{\"test1\":\"else2\"}},"
                  "\"$and\":[{\"test\":{\"test1\":\"else\"}},{\"test\":{\"test2\":\"not\"}}]}",
                  "{\"test\":{\"test1\":\"else\",\"test2\":\"not\"}}"));
    assert_false(m("{\"$not\":{\"test\":{\"test1\":\"else\"}},"
                   "\"$and\":[{\"test\":{\"test1\":\"else\"}},{\"test\":{\"test2\":\"not\"}}]}",
                   "{\"test\":{\"test1\":\"else\",\"test2\":\"not\"}}"));
    assert_true(m("{\"$not\":{\"test\":{\"test1\":{\"$exist\":false}}},"
                  "\"$or\":[{\"test\":{\"test3\":{\"$exist\":true}}},{\"test\":{\"test2\":\"not\"}}]}",
                  "{\"test\":{\"test1\":\"else\",\"test2\":\"not\"}}"));
    /* inside $or / $and */
    assert_true(m("{\"$or\":[{\"$not\":{\"topic\":\"user.created\"}},{\"metadata\":{\"region\":\"eu\"}}]}", EV));
    assert_false(m("{\"$and\":[{\"$not\":{\"topic\":\"user.created\"}},{\"metadata\":{\"region\":\"eu\"}}]}", EV));
}

static void test_unknown_operators(void **state)
{
    (void)state;
    assert_false(m("{\"data\":{\"type\":{\"$ref\":\"topic\"}}}", EV));
    assert_false(m("{\"$ref\":\"topic\"}", EV));
    assert_false(m("{\"data\":{\"type\":{\"$exists\":true}}}", EV));
    assert_false(m("{\"topic\":\"user.created\",\"$regex\":\"x\"}", EV));
    /* never matches, even negated or behind a short-circuit */
    assert_false(m("{\"$not\":{\"data\":{\"type\":{\"$ref\":\"topic\"}}}}", EV));
    assert_false(m("{\"$or\":[{\"topic\":\"user.created\"},{\"$ref\":\"x\"}]}", EV));
    assert_false(m("{\"$not\":{\"$and\":[{\"topic\":\"nope\"},{\"$ref\":\"x\"}]}}", EV));
    assert_false(m("{\"$\":1}", EV));
}

static void test_depth_limit(void **state)
{
    (void)state;
    /* a filter nested within the limit works */
    char *f = nested(FILTER_MAX_DEPTH, "1");
    char *in = nested(FILTER_MAX_DEPTH, "1");
    assert_true(m(f, in));
    free(f);

    /* one level too deep never matches, not even negated */
    f = nested(FILTER_MAX_DEPTH + 1, "1");
    char *in2 = nested(FILTER_MAX_DEPTH + 1, "1");
    assert_false(m(f, in2));
    char *neg = malloc(strlen(f) + 16);
    assert_non_null(neg);
    sprintf(neg, "{\"$not\":%s}", f);
    assert_false(m(neg, in2));
    assert_false(m(neg, EV));
    free(neg);
    free(f);

    /* deep $not chains and deep $eq literals */
    f = malloc(200 * 10 + 64);
    assert_non_null(f);
    char *p = f;
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "{\"$not\":");
    p += sprintf(p, "{\"topic\":\"x\"}");
    for (int i = 0; i < 200; i++)
        *p++ = '}';
    *p = 0;
    assert_false(m(f, EV));
    free(f);
    char *lit = nested(200, "1");
    f = malloc(strlen(lit) + 32);
    assert_non_null(f);
    sprintf(f, "{\"a\":{\"$eq\":%s}}", lit);
    assert_false(m(f, in));
    assert_false(m(f, in2));
    free(f);
    free(lit);
    free(in);
    free(in2);

    /* a deep input is harmless against a shallow filter */
    char *deep_in = nested(1000, "1");
    assert_false(m("{\"a\":{\"a\":2}}", deep_in));
    assert_true(m("{\"a\":{\"a\":{\"$exist\":true}}}", deep_in));
    assert_true(m("{\"a\":{\"$neq\":1}}", deep_in));
    free(deep_in);

    /* nested input arrays drive evaluation depth, which is capped too */
    size_t len = 2000 * 2 + 64;
    char *arr = malloc(len);
    assert_non_null(arr);
    p = arr;
    for (int i = 0; i < 2000; i++)
        *p++ = '[';
    p += sprintf(p, "{\"k\":1}");
    for (int i = 0; i < 2000; i++)
        *p++ = ']';
    *p = 0;
    assert_false(m("{\"k\":1}", arr));
    assert_false(m("{\"$not\":{\"k\":1}}", arr));
    free(arr);
    assert_true(m("{\"k\":1}", "[[[{\"k\":1}]]]"));
}

static void test_hostile_shapes(void **state)
{
    (void)state;
    /* odd but legal JSON never crashes */
    assert_true(m("{\"k\":\"a\\u0000b\"}", "{\"k\":\"a\\u0000b\"}"));
    assert_false(m("{\"k\":\"a\"}", "{\"k\":\"a\\u0000b\"}"));
    assert_false(m("{\"k\":\"a\\u0000b\"}", "{\"k\":\"a\\u0000c\"}"));
    assert_true(m("{\"k\":{\"$in\":\"\\u0000b\"}}", "{\"k\":\"a\\u0000b\"}"));
    assert_true(m("{\"k\":{\"$lt\":\"a\\u0000c\"}}", "{\"k\":\"a\\u0000b\"}"));
    assert_false(m("{\"data\":1}", EV));
    assert_false(m("[]", EV));
    assert_false(m("\"x\"", EV));
    assert_false(m("{\"topic\":\"user.created\"}", "null"));
    json_t *f = parse("{\"a\":{\"topic\":\"x\"}}");
    assert_false(filter_match(json_object_get(f, "a"), NULL));
    json_decref(f);
    f = parse("{\"a\":{\"$exist\":false}}");
    assert_true(filter_match(f, NULL));
    json_decref(f);
}

static void test_validate(void **state)
{
    (void)state;
    assert_int_equal(filter_validate(NULL, NULL), HP_OK);
    VALID("null");
    VALID("{}");
    VALID("{\"topic\":\"user.created\"}");
    VALID("{\"data\":{\"amount\":{\"$gte\":10,\"$lt\":20.5},\"type\":{\"$in\":[\"a\",\"b\"]}}}");
    VALID("{\"data\":{\"type\":{\"$eq\":{\"any\":[\"thing\",{\"$ref\":1}]}}}}");
    VALID("{\"data\":{\"type\":{\"$neq\":null,\"$nin\":\"x\",\"$in\":5}}}");
    VALID("{\"topic\":{\"$startsWith\":\"user.\",\"$endsWith\":[\".a\",\".b\"]}}");
    VALID("{\"data\":{\"x\":{\"$exist\":false}}}");
    VALID("{\"$or\":[{\"topic\":\"a\"},{\"topic\":\"b\"}],\"$and\":[{\"id\":{\"$exist\":true}}]}");
    VALID("{\"data\":{\"amount\":{\"$or\":[1,5]}}}");
    VALID("{\"$not\":{\"topic\":\"a\"}}");
    VALID("{\"data\":{\"type\":{\"$not\":{\"$in\":[\"a\"]}}}}");
    VALID("{\"data\":{\"tags\":[\"a\",{\"$eq\":\"b\"}]}}");
    VALID("{\"time\":{\"$gt\":\"2024-01-01T00:00:00Z\"}}");

    INVALID("[]");
    INVALID("\"topic\"");
    INVALID("5");
    INVALID("{\"$ref\":\"topic\"}");
    INVALID("{\"data\":{\"type\":{\"$exists\":true}}}");
    INVALID("{\"data\":{\"x\":{\"$regex\":\"^a\"}}}");
    INVALID("{\"$or\":{\"topic\":\"a\"}}");
    INVALID("{\"$and\":\"x\"}");
    INVALID("{\"$or\":[{\"topic\":{\"$ref\":1}}]}");
    INVALID("{\"$not\":{\"data\":{\"$unknown\":1}}}");
    INVALID("{\"data\":{\"x\":{\"$exist\":\"yes\"}}}");
    INVALID("{\"data\":{\"x\":{\"$exist\":1}}}");
    INVALID("{\"data\":{\"x\":{\"$gt\":[1]}}}");
    INVALID("{\"data\":{\"x\":{\"$lte\":{\"a\":1}}}}");
    INVALID("{\"data\":{\"x\":{\"$lt\":true}}}");
    INVALID("{\"data\":{\"x\":{\"$gte\":null}}}");
    INVALID("{\"data\":{\"x\":{\"$in\":{\"a\":1}}}}");
    INVALID("{\"data\":{\"x\":{\"$nin\":{}}}}");
    INVALID("{\"data\":{\"x\":{\"$startsWith\":1}}}");
    INVALID("{\"data\":{\"x\":{\"$endsWith\":[\"a\",2]}}}");
    INVALID("{\"data\":{\"tags\":[{\"$bogus\":1}]}}");

    /* depth */
    char *ok = nested(FILTER_MAX_DEPTH, "1");
    VALID(ok);
    free(ok);
    char *deep = nested(FILTER_MAX_DEPTH + 1, "1");
    INVALID(deep);
    free(deep);
    char *lit = nested(FILTER_MAX_DEPTH, "1");
    char *f = malloc(strlen(lit) + 32);
    assert_non_null(f);
    sprintf(f, "{\"x\":{\"$eq\":%s}}", lit);
    INVALID(f);
    free(f);
    free(lit);

    /* err is optional and untouched on success */
    json_t *bad = parse("{\"$ref\":1}");
    assert_int_equal(filter_validate(bad, NULL), HP_EINVAL);
    json_decref(bad);
    const char *e = "untouched";
    assert_int_equal(validate("{}", &e), HP_OK);
    assert_string_equal(e, "untouched");
}

static void test_input_document(void **state)
{
    (void)state;
    json_t *meta = parse("{\"source\":\"crm\"}");
    json_t *data = parse("{\"amount\":5,\"tags\":[\"x\"]}");
    json_t *doc = filter_input("evt_1", "user.created", "2024-06-01T08:23:36Z", meta, data);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "evt_1");
    assert_string_equal(json_string_value(json_object_get(doc, "topic")), "user.created");
    assert_string_equal(json_string_value(json_object_get(doc, "time")), "2024-06-01T08:23:36Z");
    assert_ptr_equal(json_object_get(doc, "metadata"), meta);
    assert_ptr_equal(json_object_get(doc, "data"), data);

    json_t *f = parse("{\"topic\":{\"$startsWith\":\"user.\"},\"metadata\":{\"source\":\"crm\"},"
                      "\"data\":{\"amount\":{\"$lt\":10},\"tags\":\"x\"},"
                      "\"time\":{\"$gte\":\"2024-06-01\"},\"id\":{\"$exist\":true}}");
    assert_true(filter_match(f, doc));
    json_decref(f);
    json_decref(doc);
    json_decref(meta);
    json_decref(data);

    doc = filter_input(NULL, NULL, NULL, NULL, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "");
    assert_string_equal(json_string_value(json_object_get(doc, "topic")), "");
    assert_string_equal(json_string_value(json_object_get(doc, "time")), "");
    assert_true(json_is_object(json_object_get(doc, "metadata")));
    assert_int_equal(json_object_size(json_object_get(doc, "metadata")), 0);
    assert_true(json_is_object(json_object_get(doc, "data")));
    f = parse("{\"data\":{}}");
    assert_true(filter_match(f, doc));
    json_decref(f);
    f = parse("{\"data\":{\"x\":{\"$exist\":false}},\"metadata\":{\"y\":{\"$exist\":false}}}");
    assert_true(filter_match(f, doc));
    json_decref(f);
    json_decref(doc);

    json_t *jnull = json_null();
    doc = filter_input("a", "b", "c", jnull, jnull);
    assert_non_null(doc);
    assert_true(json_is_object(json_object_get(doc, "data")));
    json_decref(doc);

    /* invalid UTF-8 is refused rather than stored */
    assert_null(filter_input("\xff", "t", "x", NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_filters),
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_objects_and_missing),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_eq_neq),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_in_nin),
        cmocka_unit_test(test_starts_ends),
        cmocka_unit_test(test_exist),
        cmocka_unit_test(test_or_and),
        cmocka_unit_test(test_not),
        cmocka_unit_test(test_unknown_operators),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_hostile_shapes),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_input_document),
    };
    return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
