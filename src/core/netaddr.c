/* netaddr.c - private/loopback/link-local range checks for IPv4 and IPv6. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

static bool v4_internal(const uint8_t a[4])
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
           (a[0] == 100 && (a[1] & 0xc0) == 64) ||  /* 100.64.0.0/10 */
           (a[0] == 169 && a[1] == 254) ||          /* link-local */
           (a[0] == 172 && (a[1] & 0xf0) == 16) ||  /* 172.16.0.0/12 */
           (a[0] == 192 && a[1] == 168) ||
           a[0] >= 224;                             /* multicast, reserved */
}

bool netaddr_is_internal(const char *ip)
{
    uint8_t a[16];
    if (inet_pton(AF_INET, ip, a) == 1) return v4_internal(a);
    if (inet_pton(AF_INET6, ip, a) != 1) return true;
    static const uint8_t zero[16], mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1)) return true; /* :: and ::1 */
    if (!memcmp(a, mapped, 12)) return v4_internal(a + 12);
    return (a[0] & 0xfe) == 0xfc ||                 /* fc00::/7 unique local */
           (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
           a[0] == 0xff;                            /* multicast */
}
