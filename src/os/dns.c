/*
 * dns.c: owns the choice of DNS backend, the per-tunnel state file that makes
 * a crash recoverable, and the resolv.conf text shared by the file and
 * resolvconf backends.
 *
 * The state file <run_dir>/dns.<dev> holds "pid=<pid> mode=<backend>". It is
 * written before anything is changed and removed after everything is undone,
 * so a vpnc that died in between leaves a record vpnc_dns_recover() can act
 * on at the next start. Its mode is a backend's name, or "resolvconf+file"
 * for a resolvconf record with resolv.conf rewritten on top (rc_file_apply).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "os/dns.h"

#define DNS_STATE_PREFIX "dns."
#define DNS_STATE_MAX 64      /* "pid=<n> mode=<name>\n" */
#define DNS_PATH_MAX 512
#define DNS_STATE_RC_FILE "resolvconf+file" /* at most 15 bytes: vpnc_dns_recover reads %15s */

static const char *const dns_mode_names[] = {
	[VPNC_DNS_AUTO] = "auto",
	[VPNC_DNS_RESOLVED] = "resolved",
	[VPNC_DNS_RESOLVCONF] = "resolvconf",
	[VPNC_DNS_FILE] = "file",
	[VPNC_DNS_NONE] = "none",
};

const char *vpnc_dns_mode_name(enum vpnc_dns_mode m)
{
	if ((unsigned)m >= sizeof(dns_mode_names) / sizeof(dns_mode_names[0]))
		return "unknown";
	return dns_mode_names[m];
}

static bool dns_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool vpnc_dns_ifname_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!dns_alnum(c) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

/* A pushed route to all of one half of the address space (bits 1) or all of it (bits 0). */
static bool route4_covers(const struct vpnc_route4 *r, uint32_t net, uint32_t mask)
{
	return r->net_kind == VPNC_RT_NET_ADDR && !r->net_gateway && r->net == net && r->mask == mask;
}

static bool route6_covers(const struct vpnc_route6 *r, uint8_t first, uint8_t bits)
{
	return !r->net_gateway && r->bits == bits && (bits == 0 || (r->net[0] & 0x80) == first);
}

bool vpnc_dns_push_full_tunnel(const struct vpnc_push *push)
{
	bool lo4 = false, hi4 = false, lo6 = false, hi6 = false;

	if (vpnc_rg_ipv4(push->redirect_gateway) || (push->redirect_gateway & VPNC_RG_IPV6))
		return true;
	for (size_t i = 0; i < push->n_routes && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route4 *r = &push->routes[i];

		if (route4_covers(r, 0, 0))
			return true;
		lo4 |= route4_covers(r, 0, 0x80000000u);
		hi4 |= route4_covers(r, 0x80000000u, 0x80000000u);
	}
	for (size_t i = 0; i < push->n_routes6 && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route6 *r = &push->routes6[i];

		if (route6_covers(r, 0, 0))
			return true;
		lo6 |= route6_covers(r, 0, 1);
		hi6 |= route6_covers(r, 0x80, 1);
	}
	return (lo4 && hi4) || (lo6 && hi6);
}

/* Adds a name to a list of VPNC_MAX_DOMAINS, skipping repeats; -EINVAL if it fails the check. */
static int dns_conf_add(char (*list)[VPNC_DNS_DOMAIN_MAX], size_t *n, const char *d)
{
	if (strcmp(d, ".") != 0 && !vpnc_dnsname_ok(d))
		return -EINVAL;
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(list[i], d) == 0)
			return 0;
	if (*n < VPNC_MAX_DOMAINS)
		memcpy(list[(*n)++], d, strlen(d) + 1);
	return 0;
}

/*
 * Search and routing domains, and whether every lookup goes to the VPN. 2.6's
 * --dns search-domains replace the DOMAIN-SEARCH ones (foreign_options_copy_dns);
 * DOMAIN-ROUTE "." sends every lookup to the VPN, as redirect-gateway does.
 */
static int dns_conf_names(struct vpnc_dns_conf *c, const struct vpnc_push *push)
{
	int ret = 0;

	for (size_t i = 0; i < push->n_domains && i < VPNC_MAX_DOMAINS; i++)
		if (push->n_dns_search == 0 || push->domain_kind[i] != VPNC_DOM_SEARCH)
			ret |= dns_conf_add(c->domains, &c->n_domains, push->domains[i]);
	for (size_t i = 0; i < push->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++)
		ret |= dns_conf_add(c->domains, &c->n_domains, push->dns_search[i]);
	for (size_t i = 0; i < push->n_route_domains && i < VPNC_MAX_DOMAINS; i++) {
		if (strcmp(push->route_domains[i], ".") == 0)
			c->full_tunnel = true;
		else
			ret |= dns_conf_add(c->route_domains, &c->n_route_domains, push->route_domains[i]);
	}
	for (size_t s = 0; s < push->n_dns_servers && s < VPNC_DNSOPT_SERVERS; s++)
		for (size_t i = 0; i < push->dns_servers[s].n_domains && i < VPNC_DNSOPT_DOMAINS; i++)
			ret |= dns_conf_add(c->route_domains, &c->n_route_domains, push->dns_servers[s].domains[i]);
	if (vpnc_dns_push_full_tunnel(push))
		c->full_tunnel = true;
	return ret < 0 ? -EINVAL : (int)c->n_servers;
}

/* 2.6's --dns servers replace the dhcp-option DNS ones, in priority order. Ports are not kept. */
static int dns_conf_from_dns_option(struct vpnc_dns_conf *c, const struct vpnc_push *push)
{
	for (size_t s = 0; s < push->n_dns_servers && s < VPNC_DNSOPT_SERVERS; s++) {
		const struct vpnc_dnsopt_server *d = &push->dns_servers[s];

		for (size_t i = 0; i < d->n_addr && i < VPNC_DNSOPT_ADDRS && c->n_servers < VPNC_DNS_MAX_SERVERS; i++) {
			c->servers[c->n_servers].family = d->addr[i].family;
			memcpy(c->servers[c->n_servers++].addr, d->addr[i].addr, 16);
		}
	}
	c->dnssec = push->dns_servers[0].dnssec;
	c->transport = push->dns_servers[0].transport;
	return dns_conf_names(c, push);
}

int vpnc_dns_conf_from_push(struct vpnc_dns_conf *c, const struct vpnc_push *push,
                            const char *ifname, int ifindex)
{
	memset(c, 0, sizeof(*c));
	if (!vpnc_dns_ifname_ok(ifname))
		return -EINVAL;
	memcpy(c->ifname, ifname, strlen(ifname) + 1);
	c->ifindex = ifindex;
	if (push->n_dns_servers > 0)
		return dns_conf_from_dns_option(c, push);
	for (size_t i = 0; i < push->n_dns4 && i < VPNC_MAX_DNS; i++) {
		uint32_t a = htonl(push->dns4[i]);

		c->servers[c->n_servers].family = AF_INET;
		memcpy(c->servers[c->n_servers++].addr, &a, 4);
	}
	for (size_t i = 0; i < push->n_dns6 && i < VPNC_MAX_DNS; i++) {
		c->servers[c->n_servers].family = AF_INET6;
		memcpy(c->servers[c->n_servers++].addr, push->dns6[i], 16);
	}
	return dns_conf_names(c, push);
}

/* ---- resolv.conf text ---- */

struct dns_out {
	char *p;
	size_t cap, len;
	bool full;
};

static void out_add(struct dns_out *o, const char *s, size_t n)
{
	if (o->full || o->cap - o->len <= n) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void out_str(struct dns_out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Finds the next line of text; returns its length and advances *pos past the newline. */
static size_t next_line(const char *text, size_t *pos, const char **line)
{
	const char *s = text + *pos, *nl = strchr(s, '\n');
	size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);

	*line = s;
	*pos += n + (nl != NULL);
	return n;
}

/* True if line (n bytes) starts with keyword followed by white space; *rest is what follows. */
static bool line_is(const char *line, size_t n, const char *kw, const char **rest, size_t *rlen)
{
	size_t k = strlen(kw);

	if (n <= k || memcmp(line, kw, k) != 0 || (line[k] != ' ' && line[k] != '\t'))
		return false;
	*rest = line + k;
	*rlen = n - k;
	return true;
}

int vpnc_dns_format(const struct vpnc_dns_conf *c, const char *orig, char *out, size_t cap)
{
	struct dns_out o = {out, cap, 0, cap == 0};
	char addr[INET6_ADDRSTRLEN];
	const char *line, *rest;
	size_t pos, n, rlen;
	bool merge = orig != NULL && !c->full_tunnel;

	if (cap > 0)
		out[0] = '\0';
	out_str(&o, "# Generated by vpnc for ");
	out_str(&o, c->ifname);
	out_str(&o, "; the previous settings come back when vpnc exits.\n");
	for (size_t i = 0; i < c->n_servers; i++) {
		if (inet_ntop(c->servers[i].family, c->servers[i].addr, addr, sizeof(addr)) == NULL)
			return -EINVAL;
		out_str(&o, "nameserver ");
		out_str(&o, addr);
		out_str(&o, "\n");
	}
	for (pos = 0; merge && orig[pos] != '\0';) {
		n = next_line(orig, &pos, &line);
		if (line_is(line, n, "nameserver", &rest, &rlen)) {
			out_add(&o, line, n);
			out_str(&o, "\n");
		}
	}
	if (c->n_domains > 0 || merge) {
		size_t mark = o.len;

		out_str(&o, "search");
		for (size_t i = 0; i < c->n_domains; i++) {
			out_str(&o, " ");
			out_str(&o, c->domains[i]);
		}
		for (pos = 0; merge && orig[pos] != '\0';) {
			n = next_line(orig, &pos, &line);
			if (line_is(line, n, "search", &rest, &rlen) || line_is(line, n, "domain", &rest, &rlen))
				out_add(&o, rest, rlen);
		}
		if (!o.full && o.len == mark + strlen("search")) {
			o.len = mark; /* nothing to search */
			o.p[o.len] = '\0';
		} else {
			out_str(&o, "\n");
		}
	}
	for (pos = 0; orig != NULL && orig[pos] != '\0';) {
		n = next_line(orig, &pos, &line);
		if (line_is(line, n, "options", &rest, &rlen)) {
			out_add(&o, line, n);
			out_str(&o, "\n");
		}
	}
	return o.full ? -ENOSPC : (int)o.len;
}

/* ---- state file ---- */

static int state_path(const struct vpnc_dns_paths *p, const char *ifname, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s%s", p->run_dir, DNS_STATE_PREFIX, ifname);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int state_write(const struct vpnc_dns_paths *p, const char *ifname, const char *mode)
{
	char path[DNS_PATH_MAX], text[DNS_STATE_MAX];
	int fd, n, ret = 0;

	if (mkdir(p->run_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((ret = state_path(p, ifname, path, sizeof(path))) < 0)
		return ret;
	n = snprintf(text, sizeof(text), "pid=%ld mode=%s\n", (long)getpid(), mode);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)n) != n || fsync(fd) < 0)
		ret = -EIO;
	close(fd);
	return ret;
}

static void state_remove(const struct vpnc_dns_paths *p, const char *ifname)
{
	char path[DNS_PATH_MAX];

	if (state_path(p, ifname, path, sizeof(path)) == 0)
		(void)unlink(path);
}

/* True if pid is a running vpnc (the name check guards against a reused pid). */
static bool owner_alive(long pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	/* Recovery runs before this process applies anything: its own pid is a stale record. */
	if (pid <= 0 || pid == (long)getpid())
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "vpnc", 4) == 0;
}

static void paths_fill(struct vpnc_dns_paths *dst, const struct vpnc_dns_paths *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src != NULL)
		*dst = *src;
	if (dst->resolv_conf == NULL)
		dst->resolv_conf = VPNC_DNS_RESOLV_CONF;
	if (dst->run_dir == NULL)
		dst->run_dir = VPNC_DNS_RUN_DIR;
}

int vpnc_dns_recover(const struct vpnc_dns_paths *paths)
{
	struct vpnc_dns_paths p;
	struct dirent *de;
	DIR *dir;
	int count = 0;

	paths_fill(&p, paths);
	dir = opendir(p.run_dir);
	if (dir == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir)) != NULL) {
		const char *ifname = de->d_name + strlen(DNS_STATE_PREFIX);
		char path[DNS_PATH_MAX], text[DNS_STATE_MAX], mode[16] = "";
		long pid = 0;
		ssize_t n;
		int fd;

		if (strncmp(de->d_name, DNS_STATE_PREFIX, strlen(DNS_STATE_PREFIX)) != 0 ||
		    !vpnc_dns_ifname_ok(ifname) || state_path(&p, ifname, path, sizeof(path)) < 0)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[n > 0 ? n : 0] = '\0';
		if (sscanf(text, "pid=%ld mode=%15s", &pid, mode) != 2 || owner_alive(pid))
			continue;
		if (strcmp(mode, "file") == 0 || strcmp(mode, DNS_STATE_RC_FILE) == 0)
			(void)vpnc_dns_file_restore(&p, ifname);
		if (strcmp(mode, "resolvconf") == 0 || strcmp(mode, DNS_STATE_RC_FILE) == 0)
			(void)vpnc_resolvconf_revert(&p, ifname);
		/* resolved forgets a link's settings when the link goes away. */
		(void)unlink(path);
		count++;
	}
	closedir(dir);
	return count;
}

/* ---- backend choice ---- */

void vpnc_dns_init(struct vpnc_dns *d, const struct vpnc_dns_paths *paths)
{
	memset(d, 0, sizeof(*d));
	d->mode = VPNC_DNS_NONE;
	paths_fill(&d->paths, paths);
}

/*
 * The kept bus connection (see struct vpnc_dns), made on first use. Least
 * privilege: it is the one thing kept from root for DNS; it is only ever used
 * for resolve1 calls on vpnc's own ifindex.
 */
static int resolved_open(struct vpnc_dns *d, const struct vpnc_resolved_ops **ops, void **ctx)
{
	int ret = 0;

	if (d->test_no_resolved)
		return -ENOENT;
	if (d->bus_ops == NULL) {
		if (d->test_ops != NULL) {
			d->bus_ops = d->test_ops;
			d->bus_ctx = d->test_ctx;
		} else if ((ret = vpnc_resolved_open(&d->bus_ops, &d->bus_ctx)) < 0) {
			d->bus_ops = NULL;
			d->bus_ctx = NULL;
			return ret;
		}
	}
	*ops = d->bus_ops;
	*ctx = d->bus_ctx;
	return 0;
}

/* After a call: a connection that broke (resolved or the bus restarted) is made again next time. */
static void resolved_done(struct vpnc_dns *d, int ret)
{
	if (ret == -ECONNRESET || ret == -ENOTCONN || ret == -EPIPE || ret == -ESHUTDOWN)
		vpnc_dns_close(d);
}

void vpnc_dns_close(struct vpnc_dns *d)
{
	if (d->bus_ops != NULL && d->test_ops == NULL && d->bus_ops->close != NULL)
		d->bus_ops->close(d->bus_ctx);
	d->bus_ops = NULL;
	d->bus_ctx = NULL;
}

static int apply_resolved(struct vpnc_dns *d, const struct vpnc_dns_conf *c)
{
	const struct vpnc_resolved_ops *ops = NULL;
	void *ctx = NULL;
	int ret = resolved_open(d, &ops, &ctx);

	if (ret == 0)
		ret = vpnc_resolved_apply(ops, ctx, c);
	resolved_done(d, ret);
	return ret;
}

/*
 * A full tunnel through a resolvconf that has no exclusive mode (Debian's):
 * its record put the VPN's servers first, but the other links' stay after
 * them, and a lookup the VPN's servers fail (or that times out) goes to those
 * outside the tunnel. So resolv.conf also gets the VPN's servers alone, as the
 * file mode writes it (its original saved once in the run directory). At exit
 * the original goes back first and "resolvconf -d" then rewrites the file from
 * the records resolvconf holds by then. The record stays meanwhile, so a
 * rewrite by resolvconf during the session (a DHCP renewal) still puts the
 * VPN's servers first, and the daemon watches the file to put the VPN-only
 * text back (vpnc_dns_reassert, daemon/dnswatch.h). Returns true if the file
 * was written.
 */
static bool rc_file_apply(struct vpnc_dns *d, const struct vpnc_dns_conf *c)
{
	int ret;

	/* The record first: a crash from here on is undone in both places. */
	if (state_write(&d->paths, c->ifname, DNS_STATE_RC_FILE) < 0)
		return false;
	d->rc_file = true;
	if (vpnc_dns_file_apply(&d->paths, c) == 0)
		return true;
	/* Not written (a read-only file): put back what may have been cut, drop the copy. */
	ret = vpnc_dns_file_restore(&d->paths, c->ifname);
	if (ret == 0 || ret == -ENOENT) {
		d->rc_file = false;
		(void)state_write(&d->paths, c->ifname, vpnc_dns_mode_name(VPNC_DNS_RESOLVCONF));
	} /* else a copy is left: the revert, or the recovery after a crash, tries again */
	return false;
}

int vpnc_dns_apply(struct vpnc_dns *d, enum vpnc_dns_mode want, const struct vpnc_dns_conf *c)
{
	const struct vpnc_resolved_ops *ops = NULL;
	void *ctx = NULL;
	bool exclusive = false;
	char prog[256];
	int ret;

	if (d->mode != VPNC_DNS_NONE)
		(void)vpnc_dns_revert(d);
	d->tried = want;
	if (want == VPNC_DNS_NONE || c->n_servers == 0)
		return 0;
	if (!vpnc_dns_ifname_ok(c->ifname))
		return -EINVAL;
	if (want == VPNC_DNS_AUTO) {
		want = VPNC_DNS_FILE;
		if (resolved_open(d, &ops, &ctx) == 0)
			want = VPNC_DNS_RESOLVED;
		else if (vpnc_resolvconf_find(&d->paths, prog, sizeof(prog)) == 0)
			want = VPNC_DNS_RESOLVCONF;
	}
	d->tried = want;
	memcpy(d->ifname, c->ifname, sizeof(d->ifname));
	d->ifindex = c->ifindex;
	if (want != VPNC_DNS_RESOLVED && (ret = state_write(&d->paths, c->ifname, vpnc_dns_mode_name(want))) < 0)
		return ret;
	switch (want) {
	case VPNC_DNS_RESOLVED:
		ret = apply_resolved(d, c);
		break;
	case VPNC_DNS_RESOLVCONF:
		ret = vpnc_resolvconf_apply(&d->paths, c, &exclusive);
		if (ret == 0 && c->full_tunnel && !exclusive)
			exclusive = rc_file_apply(d, c);
		break;
	case VPNC_DNS_FILE:
		ret = vpnc_dns_file_apply(&d->paths, c);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret < 0) {
		if (want != VPNC_DNS_RESOLVED)
			state_remove(&d->paths, c->ifname);
		return ret;
	}
	d->mode = want;
	/* resolved's "~.", the file (also over a plain resolvconf record) leave no other server in
	 * use on a full tunnel. */
	d->exclusive = c->full_tunnel && (want != VPNC_DNS_RESOLVCONF || exclusive);
	return (int)want;
}

int vpnc_dns_reassert(struct vpnc_dns *d, const struct vpnc_dns_conf *c)
{
	if (d->mode != VPNC_DNS_RESOLVCONF || !d->rc_file || !d->exclusive || strcmp(d->ifname, c->ifname) != 0)
		return 0;
	return vpnc_dns_file_reassert(&d->paths, c);
}

void vpnc_dns_why(const struct vpnc_dns *d, int err, char *out, size_t cap)
{
	const char *why = strerror(err < 0 ? -err : err);

	/* -ENOENT from an asked-for resolved that is not there (vpnc_dns_apply()); elsewhere a
	 * missing file or program, which strerror says well enough. */
	if (err == -ENOENT && d->tried == VPNC_DNS_RESOLVED)
		why = "systemd-resolved is not running";
	if (cap > 0)
		snprintf(out, cap, "%s: %s", vpnc_dns_mode_name(d->tried), why);
}

int vpnc_dns_revert(struct vpnc_dns *d)
{
	const struct vpnc_resolved_ops *ops = NULL;
	void *ctx = NULL;
	int ret = 0, fret = 0;

	switch (d->mode) {
	case VPNC_DNS_RESOLVED:
		ret = resolved_open(d, &ops, &ctx);
		if (ret == 0)
			ret = ops->revert(ctx, d->ifindex);
		resolved_done(d, ret);
		break;
	case VPNC_DNS_RESOLVCONF:
		/* The original file first (rc_file_apply): "resolvconf -d" then rewrites it. */
		if (d->rc_file)
			fret = vpnc_dns_file_restore(&d->paths, d->ifname);
		ret = vpnc_resolvconf_revert(&d->paths, d->ifname);
		/* As for the file: a copy not written back keeps the record, so recovery retries. */
		if (fret == 0 || fret == -ENOENT)
			state_remove(&d->paths, d->ifname);
		else
			ret = fret;
		break;
	case VPNC_DNS_FILE:
		ret = vpnc_dns_file_restore(&d->paths, d->ifname);
		/* Keep the record if the original could not be written back: recovery retries. */
		if (ret == 0 || ret == -ENOENT)
			state_remove(&d->paths, d->ifname);
		break;
	default:
		break;
	}
	d->mode = VPNC_DNS_NONE;
	d->exclusive = false;
	d->rc_file = false;
	return ret;
}
