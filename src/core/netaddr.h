/* netaddr.h - classifies IP addresses for outbound-request policy (refusing
 * webhook deliveries to the operator's own networks). Pure; thread-safe. */
#ifndef HP_NETADDR_H
#define HP_NETADDR_H

#include <stdbool.h>

/* true for a textual IPv4/IPv6 address in a loopback, private (RFC 1918,
 * fc00::/7), link-local, carrier-grade NAT (100.64/10), unspecified or
 * IPv4-mapped private range; also true for text that is not an address
 * (refuse what cannot be classified). */
bool netaddr_is_internal(const char *ip);

#endif
