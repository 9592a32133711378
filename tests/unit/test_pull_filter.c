/*
 * test_pull_filter.c: 'pull-filter' from a profile to the engine: the config
 * handler keeps the lines in file order with their action, refuses bad ones,
 * and vpnc_engine_cfg_from_config() hands them (and route-nopull) on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/config.h"
#include "vpnc/engine.h"

#include "../check.h"

#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static char err[512];

static int parse(const char *text, struct vpnc_config **c)
{
	*c = NULL;
	return vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, c, err, sizeof(err));
}

static void test_stored_in_order(void)
{
	struct vpnc_config *c;
	struct vpnc_engine_cfg ec;

	CHECK(parse(BASE "pull-filter accept \"route 10.1.\"\npull-filter ignore route\n"
	                 "pull-filter reject 'redirect-gateway'\npull-filter ignore \"\"\nroute-nopull\n",
	            &c) == 0);
	if (c == NULL)
		return;
	CHECK(c->n_pull_filters == 4);
	CHECK(c->pull_filters[0].action == VPNC_PULL_ACCEPT && strcmp(c->pull_filters[0].text, "route 10.1.") == 0);
	CHECK(c->pull_filters[1].action == VPNC_PULL_IGNORE && strcmp(c->pull_filters[1].text, "route") == 0);
	CHECK(c->pull_filters[2].action == VPNC_PULL_REJECT &&
	      strcmp(c->pull_filters[2].text, "redirect-gateway") == 0);
	CHECK(c->pull_filters[3].action == VPNC_PULL_IGNORE && c->pull_filters[3].text[0] == '\0');
	vpnc_engine_cfg_from_config(&ec, c);
	CHECK(ec.pull_filters == c->pull_filters && ec.n_pull_filters == 4 && ec.route_nopull);
	vpnc_config_free(c);

	CHECK(parse(BASE, &c) == 0 && c != NULL && c->n_pull_filters == 0);
	vpnc_engine_cfg_from_config(&ec, c);
	CHECK(ec.n_pull_filters == 0 && !ec.route_nopull);
	vpnc_config_free(c);
}

static void test_refused(void)
{
	struct vpnc_config *c;
	char *text;
	size_t cap = 64 * 40 + 256, o;

	CHECK(parse(BASE "pull-filter drop route\n", &c) < 0 && c == NULL);
	CHECK(strstr(err, "t.ovpn:7") != NULL && strstr(err, "accept") != NULL);
	CHECK(parse(BASE "pull-filter ignore\n", &c) < 0 && c == NULL);
	CHECK(parse(BASE "pull-filter ignore a b\n", &c) < 0 && c == NULL);

	/* A text longer than OpenVPN's 255-byte parameter is refused. */
	{
		char big[sizeof(BASE) + 400];
		int n = snprintf(big, sizeof(big), "%spull-filter ignore ", BASE);

		memset(big + n, 'x', 300);
		memcpy(big + n + 300, "\n", 2);
		CHECK(parse(big, &c) < 0 && c == NULL);
	}

	/* 64 filters fit, the 65th is refused. */
	text = malloc(cap);
	if (text == NULL)
		return;
	o = (size_t)snprintf(text, cap, "%s", BASE);
	for (int i = 0; i < VPNC_MAX_PULL_FILTERS; i++)
		o += (size_t)snprintf(text + o, cap - o, "pull-filter ignore r%d\n", i);
	CHECK(parse(text, &c) == 0 && c != NULL && c->n_pull_filters == VPNC_MAX_PULL_FILTERS);
	if (c != NULL)
		CHECK(strcmp(c->pull_filters[63].text, "r63") == 0);
	vpnc_config_free(c);
	snprintf(text + o, cap - o, "pull-filter ignore one-too-many\n");
	CHECK(parse(text, &c) < 0 && c == NULL && strstr(err, "more than 64") != NULL);
	free(text);
}

int main(void)
{
	test_stored_in_order();
	test_refused();
	printf("test_pull_filter: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
