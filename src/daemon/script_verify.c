/*
 * script_verify.c: owns running the 'tls-verify' script for one certificate
 * of the server's chain (script.h), the way OpenVPN 2.6's verify_cert()
 * does (ssl_verify.c, verify_cert_call_command): the command with the depth
 * and the subject appended, an environment with the chain's tls_* and
 * X509_* values so far, and the exit status as the verdict; with
 * tls-export-cert the certificate in a file (peer_cert) while it runs. The TLS code calls it from
 * its verify callback (core/tls.h's hook), in this process or, under
 * privilege separation, in the parent through a checked VERIFY message.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/logesc.h"
#include "daemon/log.h"
#include "daemon/script.h"

void vpnc_script_verify_init(struct vpnc_script_verify *v, const struct vpnc_config *conf)
{
	memset(v, 0, sizeof(*v));
	v->conf = conf;
	v->last = -1;
}

static int set_n(struct vpnc_script_env *env, const char *name, int depth, const char *value)
{
	char n[VPNC_SCRIPT_NAME_MAX];

	snprintf(n, sizeof(n), "%s_%d", name, depth);
	return vpnc_script_env_set(env, n, value);
}

/* The X509_<depth>_NAME variables from ci's checked "NAME=value\n" lines. */
static int set_x509(struct vpnc_script_env *env, int depth, const char *lines)
{
	char name[VPNC_SCRIPT_NAME_MAX], value[VPNC_TLS_CI_X509];
	int ret = 0;

	for (const char *l = lines; *l != '\0' && ret == 0;) {
		const char *eq = strchr(l, '='), *nl = eq != NULL ? strchr(eq, '\n') : NULL;

		if (nl == NULL || (size_t)(eq - l) > 48)
			return -EINVAL;
		snprintf(name, sizeof(name), "X509_%d_%.*s", depth, (int)(eq - l), l);
		snprintf(value, sizeof(value), "%.*s", (int)(nl - eq - 1), eq + 1);
		ret = vpnc_script_env_set(env, name, value);
		l = nl + 1;
	}
	return ret;
}

/*
 * tls-export-cert: the certificate into a new file of the directory, named
 * and created as 2.6's platform_create_temp_file does (openvpn_pef_ and two
 * random 64-bit numbers in hex, at least 8 digits each, then .tmp; O_EXCL,
 * mode 0600, six tries). path gets its name.
 */
static int export_pem(const char *dir, const char *pem, char *path, size_t cap)
{
	size_t len = strlen(pem);

	for (int attempt = 0; attempt < 6; attempt++) {
		uint64_t r[2];
		ssize_t n;
		int fd;

		if (RAND_bytes((unsigned char *)r, sizeof(r)) != 1)
			return -EIO;
		if (snprintf(path, cap, "%s/openvpn_pef_%08" PRIx64 "%08" PRIx64 ".tmp", dir, r[0], r[1]) >= (int)cap)
			return -ENAMETOOLONG;
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -errno;
		n = write(fd, pem, len);
		if (close(fd) != 0 || n != (ssize_t)len) {
			unlink(path);
			return -EIO;
		}
		return 0;
	}
	return -EEXIST;
}

int vpnc_script_verify(struct vpnc_script_verify *v, const struct vpnc_tls_cert_info *ci)
{
	const char *cmd = v->conf->tls_verify;
	struct vpnc_script_env *env;
	struct vpnc_script_info info;
	const char *extra[3];
	char depth[12], subj[2 * VPNC_TLS_CI_SUBJECT], path[VPNC_SCRIPT_CMD_MAX + 40];
	bool exported = false;
	int ret;

	if (ci->depth < 0 || ci->depth >= VPNC_SCRIPT_VERIFY_DEPTH)
		return -EPERM;
	/* The chain is verified from its deepest certificate down to the server's own (depth 0):
	 * a depth not below the last one starts the next handshake's chain. */
	if (ci->depth >= v->last)
		memset(v->have, 0, sizeof(v->have));
	v->last = ci->depth;
	v->chain[ci->depth] = *ci;
	v->have[ci->depth] = true;
	if ((env = malloc(sizeof(*env))) == NULL) {
		vpnc_log(VPNC_LOG_WARN, "Cannot run the tls-verify script: out of memory.");
		return -EPERM;
	}
	memset(&info, 0, sizeof(info));
	info.script_type = "tls-verify";
	info.verb = v->conf->verb;
	info.config = v->conf->path;
	info.conf = v->conf;
	info.pid = (long)getpid();
	ret = vpnc_script_env_build(env, &info, NULL);
	for (int d = 0; d < VPNC_SCRIPT_VERIFY_DEPTH && ret == 0; d++) {
		const struct vpnc_tls_cert_info *c = &v->chain[d];

		if (v->have[d])
			ret = set_n(env, "tls_id", d, c->subject) | set_n(env, "tls_serial", d, c->serial) |
			      set_n(env, "tls_serial_hex", d, c->serial_hex) | set_n(env, "tls_digest", d, c->sha1) |
			      set_n(env, "tls_digest_sha256", d, c->sha256) | set_x509(env, d, c->x509);
	}
	snprintf(depth, sizeof(depth), "%d", ci->depth);
	extra[0] = depth;
	extra[1] = ci->subject;
	extra[2] = NULL;
	/* tls-export-cert: the file exists while this certificate is checked, as in 2.6; a file
	 * that cannot be written fails the certificate there too. */
	if (ret == 0 && v->conf->tls_export_cert[0] != '\0') {
		ret = ci->pem[0] != '\0' ? export_pem(v->conf->tls_export_cert, ci->pem, path, sizeof(path)) : -EINVAL;
		if (ret < 0) {
			vpnc_log(VPNC_LOG_WARN, "Cannot export the certificate for tls-export-cert in %s: %s.",
			         v->conf->tls_export_cert, strerror(-ret));
			free(env);
			return -EPERM;
		}
		exported = true;
		ret = vpnc_script_env_set(env, "peer_cert", path);
	}
	if (cmd[0] == '\0') /* tls-export-cert alone: nothing reads the file, as in 2.6 */
		ret = ret < 0 ? ret : 0;
	else if (ret == 0)
		ret = vpnc_script_run_sync(cmd, env, extra, 0);
	if (exported)
		unlink(path);
	free(env);
	if (cmd[0] == '\0')
		return ret < 0 ? -EPERM : 0;
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot run the tls-verify script '%s': %s.", cmd,
		         ret < -1000 ? uv_strerror(ret) : strerror(-ret));
		return -EPERM;
	}
	/* The subject is the server's text: escaped for the log as every such text. */
	vpnc_log_escape(subj, sizeof(subj), ci->subject, strlen(ci->subject));
	if (ret != 0) {
		vpnc_log(VPNC_LOG_WARN, "The tls-verify script rejected depth %d, %s (status %d).", ci->depth,
		         subj, ret);
		return -EPERM;
	}
	vpnc_log(VPNC_LOG_MORE, "The tls-verify script accepted depth %d, %s", ci->depth, subj);
	return 0;
}
