/* test_netaddr.c - which addresses count as the operator's own networks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/netaddr.h"

static void test_internal_v4(void **state)
{
    (void)state;
    const char *internal[] = {"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                              "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0",
                              "224.0.0.1", "255.255.255.255"};
    for (size_t i = 0; i < sizeof internal / sizeof *internal; i++) assert_true(netaddr_is_internal(internal[i]));
}

static void test_public_v4(void **state)
{
    (void)state;
    const char *pub[] = {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                         "100.128.0.1", "192.169.0.1", "169.255.0.1", "223.255.255.255"};
    for (size_t i = 0; i < sizeof pub / sizeof *pub; i++) assert_false(netaddr_is_internal(pub[i]));
}

static void test_v6(void **state)
{
    (void)state;
    assert_true(netaddr_is_internal("::1"));
    assert_true(netaddr_is_internal("::"));
    assert_true(netaddr_is_internal("fd12:3456::1"));
    assert_true(netaddr_is_internal("fc00::1"));
    assert_true(netaddr_is_internal("fe80::1"));
    assert_true(netaddr_is_internal("ff02::1"));
    assert_true(netaddr_is_internal("::ffff:127.0.0.1"));
    assert_true(netaddr_is_internal("::ffff:10.1.2.3"));
    assert_false(netaddr_is_internal("::ffff:8.8.8.8"));
    assert_false(netaddr_is_internal("2001:4860:4860::8888"));
    assert_false(netaddr_is_internal("2606:4700::1111"));
}

static void test_not_an_address(void **state)
{
    (void)state;
    assert_true(netaddr_is_internal(""));
    assert_true(netaddr_is_internal("localhost"));
    assert_true(netaddr_is_internal("1.2.3"));
    assert_true(netaddr_is_internal("999.1.1.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal_v4),
        cmocka_unit_test(test_public_v4),
        cmocka_unit_test(test_v6),
        cmocka_unit_test(test_not_an_address),
    };
    return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
