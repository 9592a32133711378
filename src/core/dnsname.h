/*
 * dnsname.h: the one check of a DNS domain name, for pushed search domains
 * (push.c) and for what the DNS code passes to resolved, resolvconf or
 * resolv.conf (src/os/dns*.c).
 */
#ifndef VPNC_DNSNAME_H
#define VPNC_DNSNAME_H

#include <stdbool.h>

#define VPNC_DNSNAME_MAX 253   /* bytes in a name, without the NUL (RFC 1035 2.3.4) */
#define VPNC_DNSLABEL_MAX 63   /* bytes in one label (RFC 1035 2.3.4) */

/*
 * True if s is labels of 1..VPNC_DNSLABEL_MAX bytes of [A-Za-z0-9_-], none
 * starting with '-', separated by single dots, at most VPNC_DNSNAME_MAX bytes
 * in all. Nothing else (no space, newline or ';') can reach a resolver file.
 */
bool vpnc_dnsname_ok(const char *s);

#endif
