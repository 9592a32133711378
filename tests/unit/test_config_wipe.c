/*
 * test_config_wipe.c: vpnc_config_free() wipes the username and the password
 * (those of auth-user-pass and of http-proxy) before their memory goes back
 * to the allocator. The link wraps free()
 * (ld --wrap=free, see tests/CMakeLists.txt) so the test sees the bytes of
 * exactly the blocks it watches at the moment they are freed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vpnc/config.h"

#include "../check.h"

void __real_free(void *p);
void __wrap_free(void *p);

struct watch {
	const void *p;
	size_t len;
	bool freed;
	bool clean;
};
static struct watch watches[4];

void __wrap_free(void *p)
{
	for (size_t i = 0; p != NULL && i < sizeof(watches) / sizeof(watches[0]); i++) {
		struct watch *w = &watches[i];
		if (w->p != p)
			continue;
		w->freed = true;
		w->clean = true;
		for (size_t k = 0; k < w->len; k++)
			w->clean &= ((const unsigned char *)p)[k] == 0;
	}
	__real_free(p);
}

int main(void)
{
	static const char text[] = "client\nremote h 1 tcp\n<ca>\nX\n</ca>\n<auth-user-pass>\n"
	                           "alice.secretname\ns3cret pass\n</auth-user-pass>\n"
	                           "http-proxy p 3128 auto\n<http-proxy-user-pass>\n"
	                           "proxy.user\nproxy pass\n</http-proxy-user-pass>\n";
	struct vpnc_config *c = NULL;
	char err[256];

	int ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL);
	if (c == NULL) {
		printf("%s\n", err);
		return 1;
	}
	CHECK_STR(c->username, "alice.secretname");
	CHECK_STR(c->password, "s3cret pass");
	watches[0] = (struct watch){c->username, strlen(c->username), false, false};
	watches[1] = (struct watch){c->password, strlen(c->password), false, false};
	CHECK_STR(c->http_proxy.user, "proxy.user");
	CHECK_STR(c->http_proxy.pass, "proxy pass");
	if (c->http_proxy.user != NULL && c->http_proxy.pass != NULL) {
		watches[2] = (struct watch){c->http_proxy.user, strlen(c->http_proxy.user), false, false};
		watches[3] = (struct watch){c->http_proxy.pass, strlen(c->http_proxy.pass), false, false};
	}
	vpnc_config_free(c);
	CHECK(watches[0].freed && watches[0].clean); /* the username */
	CHECK(watches[1].freed && watches[1].clean); /* the password */
	CHECK(watches[2].freed && watches[2].clean); /* the proxy's username */
	CHECK(watches[3].freed && watches[3].clean); /* the proxy's password */
	printf("test_config_wipe: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
