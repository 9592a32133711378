/*
 * test_colonlist.c: membership in OpenVPN's colon lists (colonlist.h):
 * whole entries only, without case, first/middle/last, empty entries and an
 * empty name, and a name given by length inside a longer string.
 */
#include <stdio.h>
#include <string.h>

#include "core/colonlist.h"

#include "../check.h"

int main(void)
{
	static const char list[] = "AES-256-GCM:aes-128-gcm:CHACHA20-POLY1305";

	CHECK(vpnc_colon_list_has(list, "AES-256-GCM", 11));
	CHECK(vpnc_colon_list_has(list, "AES-128-GCM", 11)); /* without case */
	CHECK(vpnc_colon_list_has(list, "chacha20-poly1305", 17));
	CHECK(!vpnc_colon_list_has(list, "AES-256", 7));      /* a prefix is no entry */
	CHECK(!vpnc_colon_list_has(list, "AES-256-GCMX", 12)); /* nor a longer name */
	CHECK(!vpnc_colon_list_has(list, "GCM", 3));
	CHECK(!vpnc_colon_list_has(list, "", 0));
	CHECK(!vpnc_colon_list_has("", "AES-256-GCM", 11));
	CHECK(!vpnc_colon_list_has("::", "", 0)); /* empty entries name nothing */
	CHECK(vpnc_colon_list_has("a::b", "b", 1));
	/* The name by length: the first entry of another list. */
	CHECK(vpnc_colon_list_has(list, "AES-128-GCM:BF-CBC", 11));
	CHECK(!vpnc_colon_list_has(list, "BF-CBC:AES-128-GCM", 6));
	printf("test_colonlist: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
