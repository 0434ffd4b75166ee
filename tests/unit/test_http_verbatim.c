/* test_http_verbatim.c - unit tests for http_json_verbatim / http_json_render
 * (src/http/http.c): JSON text kept as received is written out byte for
 * byte where its placeholder sits, however often it is used, and nothing
 * else in the body is touched (look-alike strings, other members). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static char *render(http_res *res)
{
    size_t len = 0;
    char *text = http_json_render(res, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    return text;
}

static void test_exact_text_in_place(void **state)
{
    http_res res = {0};
    const char *data = "{ \"a\": 0.1, \"b\": 1.50,\n \"big\": 12345678901234567890 }";
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string("e1"));
    json_object_set_new(o, "data", http_json_verbatim(&res, data, strlen(data)));
    http_json(&res, 200, o);
    char *text = render(&res);
    assert_string_equal(text, "{\"id\":\"e1\",\"data\":{ \"a\": 0.1, \"b\": 1.50,\n \"big\": 12345678901234567890 }}");
    free(text);
    http_res_release(&res);
}

static void test_reused_and_several(void **state)
{
    http_res res = {0};
    json_t *one = http_json_verbatim(&res, "[1e2]", 5);
    json_t *two = http_json_verbatim(&res, "\"x\\u0000y\"", 10);
    json_t *arr = json_array();
    json_array_append(arr, one); /* the same value twice, as a cached event is */
    json_array_append_new(arr, two);
    json_array_append_new(arr, one);
    http_json(&res, 200, arr);
    char *text = render(&res);
    assert_string_equal(text, "[[1e2],\"x\\u0000y\",[1e2]]");
    free(text);
    http_res_release(&res);
}

static void test_look_alikes_stay_strings(void **state)
{
    http_res res = {0};
    json_t *o = json_object();
    json_object_set_new(o, "v", http_json_verbatim(&res, "true", 4));
    /* the mark without this response's nonce, and an index out of range */
    json_object_set_new(o, "s", json_string("\x1fhookpost-verbatim-0000000000000000-0"));
    char fake[96]; /* this response's nonce, but index 7: none registered */
    snprintf(fake, sizeof fake, "%s", json_string_value(json_object_get(o, "v")));
    fake[strlen(fake) - 1] = '7';
    json_object_set_new(o, "t", json_string(fake));
    http_json(&res, 200, o);
    char *text = render(&res);
    assert_non_null(strstr(text, "\"v\":true"));
    assert_non_null(strstr(text, "\"s\":\"\\u001Fhookpost-verbatim-0000000000000000-0\""));
    assert_non_null(strstr(text, "\"t\":\"\\u001Fhookpost-verbatim-"));
    free(text);
    http_res_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_text_in_place),
        cmocka_unit_test(test_reused_and_several),
        cmocka_unit_test(test_look_alikes_stay_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
