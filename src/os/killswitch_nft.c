/*
 * killswitch_nft.c: owns the kill switch's nftables table (killswitch.h,
 * docs/killswitch.md), through libnftables.
 *
 * All instances share one table, inet "vpnc", with two base chains, output
 * and input, whose policy is drop, and per instance two regular chains
 * (out_NAME, in_NAME) that accept what that instance allows. The base
 * chains jump to every instance's chain, so a packet passes when any running
 * instance allows it (two tunnels at once work); separate tables could not
 * do that, because a drop in one table's base chain is final whatever the
 * other tables accept. Each change is one buffer of commands, which
 * libnftables sends as one netlink batch: the kernel applies all of it or
 * none. The base chains' jumps are rewritten from the chains the kernel
 * holds, under a lock file, so two vpnc processes changing their rules at the
 * same moment cannot lose each other's jump.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "os/killswitch.h"

#define KS_LOCK_DIR "/run/vpnc"
#define KS_LOCK_PATH KS_LOCK_DIR "/killswitch.lock"
#define KS_MAX_INSTANCES 32
#define KS_SFX_MAX (4 * 64 + 1) /* chain suffix of the longest instance name */
#define KS_JUMPS_MAX (KS_MAX_INSTANCES * 2 * (KS_SFX_MAX + 64) + 512)

struct ks_list {
	char sfx[KS_MAX_INSTANCES][KS_SFX_MAX];
	size_t n;
	bool table;     /* the table exists */
};

static void seterr(char *err, size_t errlen, const char *what, const char *nft_msg)
{
	size_t n;

	if (errlen == 0)
		return;
	snprintf(err, errlen, "%s%s%s", what, nft_msg != NULL && nft_msg[0] ? ": " : "",
	         nft_msg != NULL ? nft_msg : "");
	/* nft's message may span lines (the command, a caret line): the first is enough. */
	n = strcspn(err, "\n");
	err[n] = '\0';
}

/* Serialises changes by several vpnc processes; without the lock file a change still works. */
static int ks_lock(void)
{
	int fd;

	(void)mkdir(KS_LOCK_DIR, 0755);
	fd = open(KS_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void ks_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* drops the lock */
}

static struct nft_ctx *ks_ctx(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (nft == NULL)
		return NULL;
	if (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0) {
		nft_ctx_free(nft);
		return NULL;
	}
	return nft;
}

static bool sfx_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Which instances have chains in the table, from the kernel's listing
 * ("chain out_NAME {"). Returns 0 (l->table false when there is no table),
 * -EPERM without CAP_NET_ADMIN, or -EIO.
 */
static int ks_list(struct nft_ctx *nft, struct ks_list *l)
{
	const char *p;

	memset(l, 0, sizeof(*l));
	if (nft_run_cmd_from_buffer(nft, "list table inet " VPNC_KS_TABLE "\n") != 0) {
		const char *msg = nft_ctx_get_error_buffer(nft);

		if (msg != NULL && strstr(msg, "No such file or directory") != NULL)
			return 0;
		return msg != NULL && strstr(msg, "Operation not permitted") != NULL ? -EPERM : -EIO;
	}
	l->table = true;
	p = nft_ctx_get_output_buffer(nft);
	/* Bounded by the listing: one line per turn. */
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n'), *s = p;
		size_t len = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "chain out_", 10) == 0) {
			s += 10;
			while (sfx_char(s[len]))
				len++;
			if (len > 0 && len < KS_SFX_MAX && l->n < KS_MAX_INSTANCES && s[len] == ' ') {
				memcpy(l->sfx[l->n], s, len);
				l->sfx[l->n][len] = '\0';
				l->n++;
			}
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* Is sfx one of the instances in l? */
static bool ks_listed(const struct ks_list *l, const char *sfx)
{
	for (size_t j = 0; j < l->n; j++)
		if (strcmp(l->sfx[j], sfx) == 0)
			return true;
	return false;
}

/*
 * The base chains' jumps, rewritten whole: one per instance in l except
 * skip, plus add when it is not listed yet (either may be NULL). cap is
 * KS_JUMPS_MAX or more, which KS_MAX_INSTANCES + 1 instances fit.
 */
static void ks_jumps(char *out, size_t cap, const struct ks_list *l, const char *skip, const char *add)
{
	static const char *const dirs[2][2] = {{"output", "out"}, {"input", "in"}};
	size_t len = 0;
	int n;

	out[0] = '\0';
	for (int d = 0; d < 2; d++) {
		n = snprintf(out + len, cap - len, "flush chain inet " VPNC_KS_TABLE " %s\n", dirs[d][0]);
		len += n > 0 && (size_t)n < cap - len ? (size_t)n : 0;
		for (size_t i = 0; i <= l->n; i++) {
			const char *s = i < l->n ? l->sfx[i] : add;

			if (s == NULL || (skip != NULL && strcmp(s, skip) == 0) ||
			    (i == l->n && ks_listed(l, s)))
				continue;
			n = snprintf(out + len, cap - len, "add rule inet " VPNC_KS_TABLE " %s jump %s_%s\n",
			             dirs[d][0], dirs[d][1], s);
			len += n > 0 && (size_t)n < cap - len ? (size_t)n : 0;
		}
	}
}

static int ks_run(struct nft_ctx *nft, const char *cmds, const char *what, char *err, size_t errlen)
{
	const char *msg;

	if (nft_run_cmd_from_buffer(nft, cmds) == 0)
		return 0;
	msg = nft_ctx_get_error_buffer(nft);
	seterr(err, errlen, what, msg);
	return msg != NULL && strstr(msg, "Operation not permitted") != NULL ? -EPERM : -EIO;
}

/* What one change of the rules holds: the commands, the listing of the
 * table and the nftables context, taken and given back together. */
struct ks_job {
	char *cmds;
	struct ks_list *l;
	struct nft_ctx *nft;
	int lock;
};

static int ks_job_open(struct ks_job *j, size_t cap, char *err, size_t errlen)
{
	j->cmds = malloc(cap);
	j->l = malloc(sizeof(*j->l));
	j->nft = ks_ctx();
	j->lock = -1;
	if (j->cmds == NULL || j->l == NULL || j->nft == NULL) {
		seterr(err, errlen, "out of memory for the kill switch rules", NULL);
		return -ENOMEM;
	}
	return 0;
}

static void ks_job_close(struct ks_job *j)
{
	ks_unlock(j->lock);
	if (j->nft != NULL)
		nft_ctx_free(j->nft);
	free(j->l);
	free(j->cmds);
}

static const char ks_base[] =
	"add table inet " VPNC_KS_TABLE "\n"
	"add chain inet " VPNC_KS_TABLE " output { type filter hook output priority 0 ; policy drop ; }\n"
	"add chain inet " VPNC_KS_TABLE " input { type filter hook input priority 0 ; policy drop ; }\n";

int vpnc_ks_apply(const char *instance, const struct vpnc_ks_allow *a, char *err, size_t errlen)
{
	size_t cap = sizeof(ks_base) + VPNC_KS_RULES_MAX + KS_JUMPS_MAX, len;
	char sfx[KS_SFX_MAX];
	struct ks_job j;
	int ret;

	if (vpnc_ks_chain_suffix(instance, sfx, sizeof(sfx)) < 0) {
		seterr(err, errlen, "the instance name cannot name a firewall chain", NULL);
		return -EINVAL;
	}
	ret = ks_job_open(&j, cap, err, errlen);
	if (ret < 0)
		goto out;
	memcpy(j.cmds, ks_base, sizeof(ks_base));
	len = sizeof(ks_base) - 1;
	ret = vpnc_ks_rules(instance, a, j.cmds + len, VPNC_KS_RULES_MAX);
	if (ret < 0) {
		seterr(err, errlen, "the kill switch rules do not fit or are invalid", NULL);
		goto out;
	}
	len += (size_t)ret;
	j.lock = ks_lock();
	(void)ks_list(j.nft, j.l); /* a listing refused for want of rights: the change below says so */
	if (j.l->n >= KS_MAX_INSTANCES && !ks_listed(j.l, sfx)) {
		seterr(err, errlen, "too many vpnc instances have a kill switch", NULL);
		ret = -ENOSPC;
		goto out;
	}
	ks_jumps(j.cmds + len, cap - len, j.l, NULL, sfx);
	ret = ks_run(j.nft, j.cmds, "nftables refused the kill switch rules", err, errlen);
out:
	ks_job_close(&j);
	return ret;
}

int vpnc_ks_remove(const char *instance, char *err, size_t errlen)
{
	char sfx[KS_SFX_MAX];
	struct ks_job j;
	size_t cap = KS_JUMPS_MAX + 2 * KS_SFX_MAX + 256, len;
	bool listed;
	int ret;

	if (instance != NULL && vpnc_ks_chain_suffix(instance, sfx, sizeof(sfx)) < 0) {
		seterr(err, errlen, "the instance name cannot name a firewall chain", NULL);
		return -EINVAL;
	}
	ret = ks_job_open(&j, cap, err, errlen);
	if (ret < 0)
		goto out;
	j.lock = ks_lock();
	ret = ks_list(j.nft, j.l);
	if (ret < 0) {
		seterr(err, errlen, "cannot read the kill switch rules", nft_ctx_get_error_buffer(j.nft));
		goto out;
	}
	if (!j.l->table)
		goto out; /* nothing installed */
	listed = instance != NULL && ks_listed(j.l, sfx);
	if (instance == NULL || (listed && j.l->n == 1)) {
		snprintf(j.cmds, cap, "delete table inet " VPNC_KS_TABLE "\n");
	} else if (listed) {
		ks_jumps(j.cmds, cap, j.l, sfx, NULL);
		len = strlen(j.cmds);
		snprintf(j.cmds + len, cap - len,
		         "delete chain inet " VPNC_KS_TABLE " out_%s\n"
		         "delete chain inet " VPNC_KS_TABLE " in_%s\n",
		         sfx, sfx);
	} else {
		goto out; /* this instance has no rules */
	}
	ret = ks_run(j.nft, j.cmds, "nftables refused to remove the kill switch rules", err, errlen);
out:
	ks_job_close(&j);
	return ret;
}
