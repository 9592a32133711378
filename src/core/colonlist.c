/*
 * colonlist.c: membership in OpenVPN's colon-separated name lists
 * (data-ciphers, a peer's IV_CIPHERS), one rule for config and engine.
 */
#include <string.h>
#include <strings.h>

#include "core/colonlist.h"

bool vpnc_colon_list_has(const char *list, const char *name, size_t name_len)
{
	if (name_len == 0)
		return false;
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ':');
		size_t l = end != NULL ? (size_t)(end - p) : strlen(p);

		if (l == name_len && strncasecmp(p, name, name_len) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}
