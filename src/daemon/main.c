/*
 * main.c: owns the daemon's start and end: command-line handling, loading
 * the config, asking for missing credentials, the startup checks (TLS
 * context, /dev/net/tun, netlink), running the loop, and freeing everything
 * (secrets wiped) before exit.
 *
 * Exit status: 0 after SIGINT/SIGTERM or --help/--version, 1 after any fatal
 * error, which is reported as one sentence on stderr.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "core/logesc.h"
#include "core/tls.h"
#include "control/checkcfg.h" /* vpnc --check-config */
#include "control/cli.h" /* Control socket client, --help, --version (cli.h). */
#include "control/ctlpath.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/rpersist.h"
#include "daemon/loop.h"
#include "daemon/privdrop.h"
#include "daemon/privsep.h" /* privilege separation */
#include "daemon/prompt.h"
#include "daemon/script.h" /* tls-verify */
#include "daemon/sdnotify.h" /* systemd */
#include "os/fsowner.h"
#include "os/os.h"
#include "os/pkcs11.h" /* PKCS#11 tokens (docs/pkcs11.md) */
#include "priv/privcli.h" /* tls-verify under privsep */
#include "priv/privjail.h"
#include "priv/privsign.h" /* the token's key under privsep */
#include "vpnc/config.h"

/* Room for one error sentence from the config reader or TLS setup. */
#define VPNC_ERR_MAX 512

/* Control socket client, --help, --version (cli.h): one help text for the daemon and the commands. */
/*
 * 'local NAME': resolved once at start, before privileges go (the network
 * process has no resolver), as 2.6 resolves it before it binds; a name that
 * does not resolve is fatal there too. Keeps the first IPv4 and the first
 * IPv6 address; the attempt binds the one of the server's family.
 */
static int resolve_local(struct vpnc_config *conf)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_socktype = SOCK_DGRAM}, *res = NULL;
	unsigned char a[16];
	int r;

	if (conf->local[0] == '\0' || conf->nobind || inet_pton(AF_INET, conf->local, a) == 1 ||
	    inet_pton(AF_INET6, conf->local, a) == 1)
		return 0;
	r = getaddrinfo(conf->local, NULL, &hints, &res);
	if (r != 0) {
		char safe[128];

		(void)vpnc_log_escape(safe, sizeof(safe), conf->local, strlen(conf->local));
		vpnc_log(VPNC_LOG_FATAL, "Cannot resolve the 'local' address %s: %s.", safe, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int i = ai->ai_family == AF_INET ? 0 : ai->ai_family == AF_INET6 ? 1 : -1;
		const void *src = i == 0 ? (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr
		                         : (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		if (i >= 0 && conf->local_resolved[i][0] == '\0')
			(void)inet_ntop(ai->ai_family, src, conf->local_resolved[i], sizeof(conf->local_resolved[i]));
	}
	freeaddrinfo(res);
	return 0;
}

static void usage(FILE *f)
{
	vpnc_cli_usage(f);
}

/*
 * Where the questions before the loop go: until the loop runs, without a
 * terminal, also to the control socket (prompt_start.c), so the
 * NetworkManager plugin or `vpnc answer` can answer them; once the loop
 * runs (a PIN again after 'pkcs11-pin-cache', in privsep's parent, whose
 * network process serves the socket) only blocking, as before.
 */
static struct {
	const struct vpnc_config *conf;
	char instance[VPNC_CTL_INSTANCE_MAX + 1];
	bool no_sdask;      /* --untrusted-config */
	bool loop_runs;
} start_ask;

static int ask_before_loop(const struct vpnc_prompt_q *q, char *buf, size_t cap)
{
	if (start_ask.conf == NULL || start_ask.loop_runs)
		return vpnc_prompt_sync(q, buf, cap);
	return vpnc_prompt_start(start_ask.conf, start_ask.instance, start_ask.no_sdask, q, buf, cap);
}

/*
 * The passphrase of an encrypted key or PKCS#12 file (no 'askpass FILE'):
 * needed to build the TLS context, before the loop, so asked blocking
 * (prompt.h: the terminal, else systemd-ask-password and the control socket).
 */
static int ask_key_pass(char *buf, size_t cap, void *arg)
{
	const struct vpnc_prompt_q q = {VPNC_PROMPT_KEY_PASS, "Enter Private Key Password:", false};

	(void)arg;
	return ask_before_loop(&q, buf, cap);
}

/*
 * A PKCS#11 token's PIN (os/pkcs11.h; the question names the token): at
 * start, before the loop, and again only if 'pkcs11-pin-cache' runs out, from
 * inside a signature, so asked blocking (prompt.h: the terminal, else
 * systemd-ask-password, and before the loop the control socket). Under
 * privsep this runs in the parent, which keeps the token.
 */
static int ask_pin(const char *question, char *buf, size_t cap, void *arg)
{
	const struct vpnc_prompt_q q = {VPNC_PROMPT_PIN, question, false};

	(void)arg;
	return ask_before_loop(&q, buf, cap);
}

/*
 * The PKCS#11 token's certificate and key ('pkcs11-id'), kept for the whole
 * run: under privsep the parent signs with the key for the network process,
 * which gets a stand-in for it (priv/privsign.h).
 */
static X509 *p11_cert;
static EVP_PKEY *p11_key;

/*
 * The TLS context: from the profile's cert/key/pkcs12, or from the PKCS#11
 * token 'pkcs11-id' names (the PIN is asked here, once, before anything is
 * set up). NULL with one sentence in err; *code says which exit status.
 */
static SSL_CTX *tls_setup(const struct vpnc_config *conf, char *err, size_t errlen, int *code)
{
	struct vpnc_tls_key_src src = {.ask = ask_key_pass};

	*code = VPNC_EXIT_CONFIG; /* the keys and certificates the profile names */
	if (conf->pkcs11_id == NULL)
		return vpnc_tls_ctx_client(conf, &src, err, errlen);
	if (vpnc_p11_open(conf, ask_pin, NULL, &p11_cert, &p11_key, err, errlen) < 0)
		return NULL;
	src = (struct vpnc_tls_key_src){.cert = p11_cert, .key = p11_key};
	return vpnc_tls_ctx_client(conf, &src, err, errlen);
}

/* In the network process: the token's key becomes the stand-in that signs through the parent. */
static int p11_child_key(SSL_CTX *ctx, int sock)
{
	char err[256];
	EVP_PKEY *pk = vpnc_privsign_key(p11_cert, sock, err, sizeof(err));
	int ok = pk != NULL && SSL_CTX_use_PrivateKey(ctx, pk) == 1;

	if (pk != NULL && !ok)
		snprintf(err, sizeof(err), "the token's key does not fit the TLS context");
	EVP_PKEY_free(pk);
	if (!ok)
		vpnc_log(VPNC_LOG_FATAL, "Privilege separation: %s.", err);
	return ok ? 0 : -EINVAL;
}

/*
 * Where the auth-user-pass credentials come from (vpnc_loop_creds_fn): the
 * config (file or inline block) for what it has; with a terminal, the rest
 * is asked at start (as OpenVPN does), and the first call hands those
 * answers over. Whatever is still missing the loop asks (loop_creds.c):
 * without a terminal through systemd-ask-password and the control socket.
 */
struct creds_src {
	const struct vpnc_config *conf;
	bool fresh;                    /* got holds the answers from start-up */
	struct vpnc_loop_creds got;    /* secret, wiped after use */
};

static int ask_missing(struct creds_src *c)
{
	const struct vpnc_config *conf = c->conf;
	struct vpnc_prompt_env env = {0};
	char text[VPNC_STATIC_CHALLENGE_MAX + 16];
	struct vpnc_prompt_q q;
	int ret = 0;

	vpnc_prompt_env_probe(&env);
	if (!env.tty)
		return 0; /* the loop asks, where the control socket can answer too */
	if (conf->username == NULL) {
		vpnc_prompt_cred_q(&q, VPNC_PROMPT_USER, VPNC_PROMPT_FOR_AUTH, conf, text, sizeof(text));
		ret = vpnc_prompt_sync(&q, c->got.user, sizeof(c->got.user));
	}
	if (ret == 0 && conf->password == NULL && !conf->auth_user_pass_username_only) {
		vpnc_prompt_cred_q(&q, VPNC_PROMPT_PASS, VPNC_PROMPT_FOR_AUTH, conf, text, sizeof(text));
		ret = vpnc_prompt_sync(&q, c->got.pass, sizeof(c->got.pass));
		c->got.pass_asked = ret == 0;
	}
	if (ret == 0 && conf->static_challenge[0] != '\0') {
		vpnc_prompt_cred_q(&q, VPNC_PROMPT_CHALLENGE, NULL, conf, text, sizeof(text));
		ret = vpnc_prompt_sync(&q, c->got.resp, sizeof(c->got.resp));
		c->got.have_resp = ret == 0;
	}
	if (ret == 0 && conf->username == NULL && c->got.user[0] == '\0') {
		vpnc_log(VPNC_LOG_FATAL, "The auth-user-pass username is empty.");
		ret = -EINVAL;
	}
	if (ret < 0)
		OPENSSL_cleanse(&c->got, sizeof(c->got));
	return ret;
}

/* The HTTP proxy's username and password ('http-proxy ... stdin'), asked at start, into the config
 * (wiped with it): the terminal, else systemd-ask-password (vpnc_prompt_sync). */
static int ask_proxy(const struct vpnc_config *conf, struct vpnc_http_proxy *hp)
{
	char user[VPNC_PROMPT_MAX], pass[VPNC_PROMPT_MAX], text[32];
	struct vpnc_prompt_q q;
	int ret;

	vpnc_prompt_cred_q(&q, VPNC_PROMPT_USER, VPNC_PROMPT_FOR_PROXY, conf, text, sizeof(text));
	ret = vpnc_prompt_sync(&q, user, sizeof(user));
	if (ret == 0) {
		vpnc_prompt_cred_q(&q, VPNC_PROMPT_PASS, VPNC_PROMPT_FOR_PROXY, conf, text, sizeof(text));
		ret = vpnc_prompt_sync(&q, pass, sizeof(pass));
	}
	if (ret == 0 && user[0] == '\0')
		ret = -EINVAL;
	if (ret == 0) {
		hp->user = strdup(user);
		hp->pass = strdup(pass);
		if (hp->user == NULL || hp->pass == NULL)
			ret = -ENOMEM;
	}
	OPENSSL_cleanse(user, sizeof(user));
	OPENSSL_cleanse(pass, sizeof(pass));
	return ret;
}

static int get_creds(void *ctx, struct vpnc_loop_creds *out)
{
	struct creds_src *c = ctx;
	const struct vpnc_config *conf = c->conf;

	if (c->fresh)
		*out = c->got;
	c->fresh = false;
	OPENSSL_cleanse(&c->got, sizeof(c->got));
	if (conf->username != NULL && strlen(conf->username) >= sizeof(out->user))
		return -ENOSPC;
	if (conf->password != NULL && strlen(conf->password) >= sizeof(out->pass))
		return -ENOSPC;
	if (conf->username != NULL)
		memcpy(out->user, conf->username, strlen(conf->username) + 1);
	if (conf->password != NULL)
		memcpy(out->pass, conf->password, strlen(conf->password) + 1);
	/* 'auth-user-pass username-only' (OpenVPN 2.7): its placeholder, never asked. */
	if (conf->auth_user_pass_username_only) {
		snprintf(out->pass, sizeof(out->pass), "%s", "[[BLANK]]");
		out->pass_asked = true;
	}
	return 0;
}

/*
 * The config reader's notes (it has already filtered them by the final verb)
 * arrive before the log is set up, so they are kept here and logged once it
 * is: they then reach the configured log file or syslog too.
 */
struct cfg_notes {
	char text[4096];
	size_t len;
	bool lost;
};

static void keep_note(void *ctx, const char *msg)
{
	struct cfg_notes *b = ctx;

	vpnc_config_note_append(b->text, sizeof(b->text), &b->len, &b->lost, msg);
}

static void log_notes(const struct cfg_notes *b)
{
	size_t off = 0;

	while (off < b->len) {
		const char *nl = memchr(b->text + off, '\n', b->len - off);
		int n = (int)(nl - (b->text + off));

		/* A note the config reader keeps at the final verb says something is off: a warning. */
		vpnc_log(VPNC_LOG_WARN, "%.*s", n, b->text + off);
		off += (size_t)n + 1;
	}
	if (b->lost)
		vpnc_log(VPNC_LOG_WARN, "More configuration notes than fit in %zu bytes were left out.",
		         sizeof(b->text));
}

static bool is_flag(const char *arg, const char *name)
{
	return strcmp(arg, name) == 0;
}

/*
 * `vpnc --inline-config FILE [--untrusted-config]`: prints the profile
 * self-contained on stdout (vpnc_config_inline). Needs no privilege: the
 * NetworkManager plugin runs it as the connection's owner. All or nothing:
 * on any error nothing is printed and the exit status is 1.
 */
static int inline_config_main(int argc, char **argv)
{
	char err[VPNC_ERR_MAX], *text = NULL;
	size_t len = 0, off = 0;
	bool untrusted = argc == 4 && is_flag(argv[3], "--untrusted-config");
	int ret;

	if (argc != 3 && !untrusted) {
		fprintf(stderr, "vpnc: usage: vpnc --inline-config FILE [--untrusted-config]\n");
		return 1;
	}
	ret = vpnc_config_inline(argv[2], untrusted, &text, &len, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s\n", err[0] ? err : strerror(-ret));
		return 1;
	}
	while (off < len) {
		ssize_t w = write(STDOUT_FILENO, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	OPENSSL_cleanse(text, len);
	free(text);
	if (ret < 0)
		fprintf(stderr, "vpnc: cannot write the profile: %s\n", strerror(-ret));
	return ret < 0 ? 1 : 0;
}

/* Privilege separation (privsep.h): what the parent frees right after the fork. */
struct forget_args {
	SSL_CTX **ctx;
	struct creds_src *creds;
	struct vpnc_config *conf;
};
static void forget_secrets(void *arg)
{
	struct forget_args *f = arg;

	SSL_CTX_free(*f->ctx);
	*f->ctx = NULL;
	OPENSSL_cleanse(f->creds, sizeof(*f->creds));
	/* Static-key mode: only the network process keys the data channel. */
	OPENSSL_cleanse(f->conf->secret_key, sizeof(f->conf->secret_key));
	/* The profile's auth-token (docs/auth.md): only the network process sends it. */
	if (f->conf->auth_token != NULL)
		OPENSSL_cleanse(f->conf->auth_token, strlen(f->conf->auth_token));
}

/*
 * 'privsep yes' (docs/privileges.md): with the privileges to give away, the
 * network process becomes another user in an empty root; without them (the
 * NetworkManager plugin's vpnc, an unprivileged start), it keeps the user and
 * gives up what it can (privjail.h, keep_user), and the parent keeps the
 * scripts and the resolver, which the seccomp filter would not allow.
 * Returns -1 in the network process (lp filled), else main's exit status (the
 * parent, or a refusal).
 */
static int split(struct vpnc_config *conf, bool privileged, struct vpnc_loop_params *lp,
                 struct vpnc_priv_jail *jail, SSL_CTX **ctx, struct creds_src *creds)
{
	struct forget_args f = {ctx, creds, conf};
	char err[256];
	int sock = -1, ret;

	if (!privileged) {
		/* Unprivileged (privsep.h): the same user; the profile's chroot where it can be entered. */
		if ((conf->user[0] && conf->uid != getuid()) || (conf->group[0] && conf->gid != getgid())) {
			vpnc_log(VPNC_LOG_FATAL, "Privilege separation: vpnc started without privileges, so its "
			         "network process cannot switch to 'user'/'group' %s%s%s; start it as root, or "
			         "remove those options.", conf->user, conf->user[0] && conf->group[0] ? ":" : "",
			         conf->group);
			return VPNC_EXIT_CONFIG;
		}
		vpnc_priv_jail_self(conf->chroot_dir[0] ? conf->chroot_dir : NULL, jail);
		vpnc_privsep_unprivileged(true);
		vpnc_log(VPNC_LOG_INFO, "Privilege separation: started without privileges; the network process "
		         "keeps uid %u, drops every capability and runs under the seccomp filter, %s%s",
		         (unsigned)jail->uid, jail->chroot_dir != NULL ? "in the root " : "with the host's root "
		         "(no 'chroot')", jail->chroot_dir != NULL ? jail->chroot_dir : "");
		goto go_split;
	}
	ret = vpnc_priv_jail_user(conf->user[0] ? (long long)conf->uid : -1,
	                          conf->group[0] ? (long long)conf->gid : conf->user[0] ? (long long)conf->user_gid : -1,
	                          jail, err, sizeof(err));
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Privilege separation: %s.", err);
		return VPNC_EXIT_CONFIG; /* no such user: retrying will not help */
	}
	{
		const struct passwd *pw = getpwuid(jail->uid);
		char uname[64], gname[64];
		const struct group *gr;

		snprintf(uname, sizeof(uname), "%s", pw != NULL ? pw->pw_name : "?");
		gr = getgrgid(jail->gid);
		snprintf(gname, sizeof(gname), "%s", gr != NULL ? gr->gr_name : "?");
		if (jail->fallback)
			vpnc_log(VPNC_LOG_WARN, "Privilege separation: there is no user '%s', so the network process runs "
			         "as %s:%s (uid %u), which other daemons may share; create '%s' (sysusers) or set "
			         "'user'.", VPNC_PRIV_DEFAULT_USER, uname, gname, (unsigned)jail->uid,
			         VPNC_PRIV_DEFAULT_USER);
		vpnc_log(VPNC_LOG_INFO, "Privilege separation: the network process runs as user %s, group %s, "
		         "with no capability ('privsep no' turns this off)", uname, gname);
	}
	jail->chroot_dir = conf->chroot_dir[0] ? conf->chroot_dir : NULL;
go_split:
	/* The parent gone (even by SIGKILL): nothing can be reverted or asked for, so stop too. */
	jail->parent_death_signal = SIGTERM;
	jail->parent = getpid();
	/* Neither process keeps CAP_IPC_LOCK: with MCL_FUTURE, later allocations need the limit up. */
	vpnc_mlock_keep_after_drop(err, sizeof(err));
	if (err[0] != '\0')
		vpnc_log(VPNC_LOG_NOTE, "%s", err);
	vpnc_privsep_sign_key(p11_key); /* NULL without 'pkcs11-id' */
	vpnc_privsep_no_sdask(lp->no_sdask); /* the parent asks the network process's questions */
	ret = vpnc_privsep_split(conf, &sock, forget_secrets, &f);
	if (ret >= 0)
		return ret;
	lp->split = true;
	lp->priv_sock = sock;
	lp->jail = jail;
	return -1;
}

/* tls-verify, from the TLS verify callback: in this process, or by the privileged parent. */
static int verify_here(void *arg, const struct vpnc_tls_cert_info *ci)
{
	return vpnc_script_verify(arg, ci);
}

static int verify_by_parent(void *arg, const struct vpnc_tls_cert_info *ci)
{
	int ret = vpnc_privc_verify(*(const int *)arg, ci);

	if (ret < 0 && ret != -EPERM)
		vpnc_log(VPNC_LOG_WARN, "Cannot have the tls-verify script run by the privileged process: %s.",
		         strerror(-ret));
	return ret;
}

static int set_verify_hook(const struct vpnc_config *conf, SSL_CTX *ctx, const struct vpnc_loop_params *lp)
{
	static struct vpnc_script_verify here;
	static int sock;

	if (lp->split) {
		sock = lp->priv_sock;
		return vpnc_tls_set_verify_hook(ctx, verify_by_parent, &sock);
	}
	vpnc_script_verify_init(&here, conf);
	return vpnc_tls_set_verify_hook(ctx, verify_here, &here);
}

int main(int argc, char **argv)
{
	struct vpnc_config *conf = NULL;
	static struct cfg_notes kept;
	const struct vpnc_config_notes notes = {keep_note, &kept};
	struct vpnc_nl *nl = NULL;
	SSL_CTX *ctx = NULL;
	char err[VPNC_ERR_MAX];
	static struct creds_src creds;
	struct vpnc_loop_params lp;
	struct vpnc_rpersist rpersist = {.fd = -1};
	const char *path = NULL;
	int first = 1, code = 1, ret;
	bool untrusted = false, token_elsewhere = false;

	/* Control socket client (cli.h): `vpnc status|disconnect|reconnect ...`. */
	if (argc > 1 && vpnc_cli_is_command(argv[1]))
		return vpnc_cli_main(argc, argv);
	if (argc > 1 && is_flag(argv[1], "--inline-config"))
		return inline_config_main(argc, argv);
	if (argc > 1 && is_flag(argv[1], "--check-config"))
		return vpnc_checkcfg_main(argc, argv);
	if (argc > 1 && is_flag(argv[1], "--show-pkcs11-ids"))
		return vpnc_cli_show_pkcs11_ids(argc, argv); /* cli.h */
	for (int i = 1; i < argc; i++) {
		if (is_flag(argv[i], "--help") || is_flag(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (is_flag(argv[i], "--version")) {
			vpnc_cli_version(stdout); /* cli.h */
			return 0;
		}
	}
	if (argc < 2) {
		usage(stderr);
		return VPNC_EXIT_CONFIG;
	}
	/* Like OpenVPN, a first argument that is not an option is the config file. */
	if (argv[1][0] != '-') {
		path = argv[1];
		first = 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/*
	 * --untrusted-config (the NetworkManager plugin): every connection's vpnc
	 * runs as the same system user, so one compromised vpnc could ptrace
	 * another and read its keys. Not dumpable: no same-uid ptrace, no core.
	 */
	for (int i = first; i < argc; i++)
		untrusted |= is_flag(argv[i], "--untrusted-config");
	if (untrusted && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		fprintf(stderr, "vpnc: cannot make the process non-dumpable: %s\n", strerror(errno));
		return 1;
	}

	/* Lock memory before key material is loaded, so secrets never reach swap (where possible). */
	char mnote[256];
	bool mlocked = vpnc_mlock_secrets(mnote, sizeof(mnote)) == 0;
	err[0] = '\0';
	ret = vpnc_config_load(path, argc - first, argv + first, &notes, &conf, err, sizeof(err));
	if (ret < 0) {
		/* Through the logger: under systemd the journal gets it with priority err. */
		vpnc_log(VPNC_LOG_FATAL, "%s", err[0] ? err : "cannot load the configuration");
		code = VPNC_EXIT_CONFIG;
		goto out;
	}
	/*
	 * --untrusted-config: the caller may have handed the profile and secrets
	 * over as inherited fds (/dev/fd/N); read now, they must not reach scripts.
	 */
	int cloexec = untrusted && close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ? -errno : 0;
	/* Logging (log.h) and systemd (sdnotify.h): before anything else can fail or drop privileges. */
	{
		/* The log file with the rights of the profile's owner, as the files it names (fsowner.h). */
		struct vpnc_fsowner fo;
		char safe[128];

		bool as_owner = false;

		ret = vpnc_fsowner_enter(&fo, conf->owner_uid, conf->owner_gid);
		if (ret == 0) {
			as_owner = fo.active;
			ret = vpnc_log_setup(conf);
			vpnc_fsowner_leave(&fo);
		}
		(void)vpnc_log_escape(safe, sizeof(safe), conf->log_path, strlen(conf->log_path));
		if (ret < 0)
			vpnc_log(VPNC_LOG_FATAL, "Cannot open the log file %s: %s%s; logging to stderr.", safe,
			         ret == -EINVAL   ? "not a regular file, a terminal or /dev/null"
			         : ret == -ELOOP ? "a symbolic link that neither root nor the profile's owner made"
			                         : strerror(-ret),
			         as_owner ? " (opened with the rights of the profile's owner)" : "");
	}
	log_notes(&kept);
	if (!mlocked)
		vpnc_log(VPNC_LOG_NOTE, "%s", mnote); /* a note, not an error */
	if (cloexec < 0) /* kernels before 5.11 */
		vpnc_log(VPNC_LOG_WARN, "Cannot keep inherited files from scripts: %s.", strerror(-cloexec));
	ret = vpnc_sd_open();
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "NOTIFY_SOCKET is not usable (%s); not reporting to systemd.",
		         strerror(-ret));

	if (conf->n_remotes == 0) {
		vpnc_log(VPNC_LOG_FATAL, "The configuration has no 'remote'.");
		code = VPNC_EXIT_CONFIG;
		goto out;
	}

	if (resolve_local(conf) < 0) {
		code = VPNC_EXIT_RUNTIME;
		goto out;
	}

	{ /* systemd-ask-password's --id=vpnc:INSTANCE:KIND for questions before the loop (prompt.h) */
		char inst[VPNC_CTL_INSTANCE_MAX + 1];

		vpnc_ctl_instance_of(conf, inst, sizeof(inst));
		vpnc_prompt_sync_instance(inst);
		start_ask.conf = conf;
		memcpy(start_ask.instance, inst, sizeof(inst));
		start_ask.no_sdask = untrusted;
	}
		lp = (struct vpnc_loop_params){.conf = conf, .get_creds = get_creds, .creds_ctx = &creds,
	                               .no_sdask = untrusted, .rpersist = &rpersist};
	/* replay-persist (rpersist.h): opened and locked before the network process is jailed. */
	if (vpnc_rpersist_open(conf, &rpersist) < 0) {
		code = VPNC_EXIT_RUNTIME;
		goto out;
	}
	creds.conf = conf;
	/* As 2.6: a token the profile holds is tried first; the credentials are asked if it is rejected. */
	if (conf->auth_user_pass && conf->auth_token == NULL) {
		ret = ask_missing(&creds);
		if (ret < 0) {
			if (ret != -EINVAL)
				vpnc_log(VPNC_LOG_FATAL, "%s", ret == -ENOSPC
				         ? "The answer on the terminal is too long."
				         : "Reading the username and password from the terminal failed.");
			code = VPNC_EXIT_CONFIG;
			goto out;
		}
		creds.fresh = true;
	}

	/* 'http-proxy HOST PORT stdin' (or basic without a file): asked now, as 2.6 does. */
	if (conf->http_proxy.set && conf->http_proxy.ask) {
		ret = ask_proxy(conf, &conf->http_proxy);
		if (ret < 0) {
			vpnc_log(VPNC_LOG_FATAL, "%s",
			         ret == -ENXIO ? "http-proxy needs a username and password, and there is neither "
			                         "a terminal nor systemd-ask-password to ask for them (give "
			                         "them with http-proxy-user-pass)."
			                       : "Reading the HTTP proxy username and password failed.");
			code = VPNC_EXIT_CONFIG;
			goto out;
		}
	}

	err[0] = '\0';
	/* Static-key mode ('secret') has no TLS: the engine keys its data channel from the profile. */
	if (!conf->secret)
		ctx = tls_setup(conf, err, sizeof(err), &ret);
	if (ctx == NULL && !conf->secret) {
		vpnc_log(VPNC_LOG_FATAL, "TLS setup failed: %s", err[0] ? err : "unknown error");
		code = ret;
		goto out;
	}
	ret = vpnc_tun_probe();
	bool privileged = ret == 0;
	/* 'dev null' opens no device: neither /dev/net/tun nor CAP_NET_ADMIN is needed. */
	if (ret < 0 && conf->dev_null)
		ret = 0;
	/*
	 * Without CAP_NET_ADMIN vpnc can still attach to an existing persistent
	 * TUN device this user owns (the NetworkManager plugin makes one); the
	 * kernel decides at TUNSETIFF.
	 */
	if (ret == -EPERM && conf->dev[0] != '\0' && if_nametoindex(conf->dev) != 0) {
		vpnc_log(VPNC_LOG_MORE, "No CAP_NET_ADMIN: attaching to the existing device %s as its owner",
		         conf->dev);
		ret = 0;
	}
	if (ret == -EPERM) {
		vpnc_log(VPNC_LOG_FATAL, "vpnc needs CAP_NET_ADMIN to create the TUN device; run it as root.");
		goto out;
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot open /dev/net/tun: %s.", strerror(-ret));
		goto out;
	}
	ret = vpnc_nl_open(&nl);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot open a netlink socket: %s.", strerror(-ret));
		goto out;
	}
	start_ask.loop_runs = true; /* from here on the loop (or privsep's network process) owns the socket */
	static struct vpnc_priv_jail jail;
	/* Root with --untrusted-config (by hand; the plugin's vpnc is never root) takes the full jail. */
	if (conf->privsep) {
		code = split(conf, privileged, &lp, &jail, &ctx, &creds);
		if (code >= 0)
			goto out; /* the parent, done: everything is reverted */
		/* The network process: the token stays the parent's; nothing here may touch it. */
		token_elsewhere = true;
		if (p11_key != NULL && p11_child_key(ctx, lp.priv_sock) < 0) {
			code = VPNC_EXIT_CONFIG;
			goto out;
		}
	}
	/* tls-verify and tls-export-cert (script.h): here, or under privsep by the parent on request. */
	if ((conf->tls_verify[0] != '\0' || conf->tls_export_cert[0] != '\0') &&
	    set_verify_hook(conf, ctx, &lp) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot set up the tls-verify script.");
		code = 1;
		goto out;
	}
	lp.ssl_ctx = ctx;
	lp.nl = nl;
	code = vpnc_loop_run(&lp);
out:
	vpnc_rpersist_close(&rpersist);
	vpnc_nl_close(nl);
	SSL_CTX_free(ctx);
	if (!token_elsewhere) {
		/* After the SSL_CTX that held the token's key. */
		EVP_PKEY_free(p11_key);
		X509_free(p11_cert);
		vpnc_p11_close();
	}
	start_ask.conf = NULL;
	vpnc_config_free(conf);
	OPENSSL_cleanse(&creds, sizeof(creds));
	vpnc_sd_close();  /* systemd (sdnotify.h) */
	vpnc_log_close(); /* log.h: reports a pending --mute run, gives stderr back */
	return code;
}
