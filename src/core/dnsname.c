/*
 * dnsname.c: checks a DNS domain name before it is stored or passed on
 * (rule in dnsname.h).
 */
#include <string.h>

#include "core/dnsname.h"

static bool dnsname_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

bool vpnc_dnsname_ok(const char *s)
{
	size_t n = strnlen(s, VPNC_DNSNAME_MAX + 1), label = 0;

	if (n == 0 || n > VPNC_DNSNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!dnsname_char(c))
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > VPNC_DNSLABEL_MAX)
			return false;
	}
	return label > 0;
}
