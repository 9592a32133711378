/*
 * test_dnswatch.c: the watch that writes the VPN-only resolv.conf again when
 * resolvconf rewrites it (daemon/dnswatch.h), on a real libuv loop with real
 * inotify, in a temporary directory laid out as Debian's resolvconf leaves a
 * system: etc/resolv.conf a symlink to run/resolvconf/resolv.conf, which a
 * "renewal" replaces by rename. A fake resolvconf refuses -x as Debian's does,
 * so vpnc_dns_apply() writes the file over its plain record. Checked: a
 * rewrite is undone (through the symlink, by rename and in place), vpnc's own
 * writes cause nothing, the limit stops the watch with one warning, and a
 * stopped watch leaves the file alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/daemon/log.c"
#include "../../src/daemon/dnswatch.c"

#include "../check.h"
#include "../slurp.h"

static char dir[] = "/tmp/vpnc-test-dnswatch-XXXXXX";
static char etc_conf[300], target[300], target_new[300], rundir[300], fakerc[300], logpath[300];
static unsigned gave_up_calls;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void on_gave_up(void *ctx)
{
	(void)ctx;
	gave_up_calls++;
}

/* What resolvconf's libc hook does: a new file renamed over the old one. */
static void renewal(const char *lan)
{
	char text[128];

	snprintf(text, sizeof(text), "nameserver 10.8.0.1\nnameserver %s\n", lan);
	write_file(target_new, text);
	if (rename(target_new, target) < 0)
		perror("rename");
}

struct wait {
	uv_timer_t t;
	const char *want;                /* NULL: just let the time pass */
	int left;
};

static void on_tick(uv_timer_t *t)
{
	struct wait *w = t->data;

	if (--w->left <= 0 || (w->want != NULL && strcmp(slurp(etc_conf), w->want) == 0))
		uv_stop(t->loop);
}

/* Runs the loop until etc/resolv.conf reads want (NULL: for ms), at most ms. */
static bool run_until(uv_loop_t *uv, const char *want, int ms)
{
	struct wait w = {.want = want, .left = ms / 20};

	uv_timer_init(uv, &w.t);
	w.t.data = &w;
	uv_timer_start(&w.t, on_tick, 20, 20);
	uv_run(uv, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&w.t, NULL);
	uv_run(uv, UV_RUN_NOWAIT);
	return want == NULL || strcmp(slurp(etc_conf), want) == 0;
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

int main(void)
{
	static const char lan_conf[] = "nameserver 192.168.1.1\nsearch home.lan\n";
	char path[300], vpn_text[1024], script[600];
	struct vpnc_dns_paths pa;
	struct vpnc_dnswatch *w;
	struct vpnc_dns_conf c;
	struct vpnc_dns d;
	uv_loop_t uv;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/etc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/resolvconf", dir);
	mkdir(path, 0755);
	snprintf(etc_conf, sizeof(etc_conf), "%s/etc/resolv.conf", dir);
	snprintf(target, sizeof(target), "%s/resolvconf/resolv.conf", dir);
	snprintf(target_new, sizeof(target_new), "%s/resolvconf/resolv.conf.new", dir);
	snprintf(rundir, sizeof(rundir), "%s/vpnc", dir);
	snprintf(fakerc, sizeof(fakerc), "%s/fake-resolvconf", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	write_file(target, lan_conf);
	CHECK(symlink(target, etc_conf) == 0);
	snprintf(script, sizeof(script), "#!/bin/sh\n[ \"$1\" = -x ] && exit 99\n/bin/cat >/dev/null\nexit 0\n");
	write_file(fakerc, script);
	chmod(fakerc, 0755);
	CHECK(vpnc_log_open_file(logpath, false) == 0);
	vpnc_log_set_verb(4);
	uv_loop_init(&uv);

	/* A full tunnel over Debian's resolvconf: the plain record and the file written on top. */
	memset(&c, 0, sizeof(c));
	memcpy(c.ifname, "tun7", 5);
	c.ifindex = 7;
	c.servers[0].family = AF_INET;
	memcpy(c.servers[0].addr, "\x0a\x08\x00\x01", 4);
	c.n_servers = 1;
	c.full_tunnel = true;
	pa = (struct vpnc_dns_paths){.resolv_conf = etc_conf, .run_dir = rundir, .resolvconf = fakerc};
	vpnc_dns_init(&d, &pa);
	d.test_no_resolved = true;
	CHECK(vpnc_dns_apply(&d, VPNC_DNS_RESOLVCONF, &c) == VPNC_DNS_RESOLVCONF && d.rc_file && d.exclusive);
	snprintf(vpn_text, sizeof(vpn_text), "%s", slurp(etc_conf));
	CHECK(strstr(vpn_text, "nameserver 10.8.0.1\n") != NULL && strstr(vpn_text, "192.168.1.1") == NULL);
	w = vpnc_dnswatch_start(&uv, &d, &c, on_gave_up, NULL);
	CHECK(w != NULL);
	CHECK(w != NULL && w->n_ev == 2, "both directories watched");

	/* vpnc's own text causes no rewrite. */
	run_until(&uv, NULL, 400);
	CHECK(count(slurp(logpath), "rewrote") == 0, "%s", slurp(logpath));

	/* A renewal (rename over the symlink's target): the VPN's text is back, once logged. */
	renewal("192.168.1.2");
	CHECK(strstr(slurp(etc_conf), "192.168.1.2") != NULL);
	CHECK(run_until(&uv, vpn_text, 3000), "got %s", slurp(etc_conf));
	run_until(&uv, NULL, 400);
	CHECK(count(slurp(logpath), "rewrote") == 1, "%s", slurp(logpath));

	/* Written in place through the symlink. */
	write_file(etc_conf, "nameserver 192.168.1.3\n");
	CHECK(run_until(&uv, vpn_text, 3000), "got %s", slurp(etc_conf));

	/* More than the limit within the window: after the fifth rewrite the watch gives up. */
	for (int i = 3; i <= VPNC_DNSWATCH_MAX; i++) {
		renewal("192.168.1.4");
		CHECK(run_until(&uv, vpn_text, 3000), "rewrite %d: got %s", i, slurp(etc_conf));
	}
	run_until(&uv, NULL, 100);
	CHECK(gave_up_calls == 1);
	CHECK(count(slurp(logpath), "stops putting the VPN's servers back") == 1, "%s", slurp(logpath));
	renewal("192.168.1.5");
	run_until(&uv, NULL, 600);
	CHECK(strstr(slurp(etc_conf), "192.168.1.5") != NULL, "left alone after giving up");
	CHECK(gave_up_calls == 1);

	/* A stopped watch: a change is left alone, and revert puts the original back. */
	CHECK(vpnc_dns_apply(&d, VPNC_DNS_RESOLVCONF, &c) == VPNC_DNS_RESOLVCONF && d.rc_file);
	w = vpnc_dnswatch_start(&uv, &d, &c, on_gave_up, NULL);
	CHECK(w != NULL);
	vpnc_dnswatch_stop(w);
	renewal("192.168.1.6");
	run_until(&uv, NULL, 600);
	CHECK(strstr(slurp(etc_conf), "192.168.1.6") != NULL);
	CHECK(vpnc_dns_revert(&d) == 0);

	/* A path that cannot be watched: NULL and one warning, nothing else. */
	pa.resolv_conf = "/nonexistent-vpnc-dir/resolv.conf";
	vpnc_dns_init(&d, &pa);
	CHECK(vpnc_dnswatch_start(&uv, &d, &c, on_gave_up, NULL) == NULL);
	CHECK(count(slurp(logpath), "cannot watch") == 1, "%s", slurp(logpath));

	uv_run(&uv, UV_RUN_NOWAIT);
	CHECK(uv_loop_close(&uv) == 0, "every handle closed");
	vpnc_log_close();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	printf("test_dnswatch: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
