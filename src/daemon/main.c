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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "core/tls.h"
#include "control/checkcfg.h" /* vpnc --check-config */
#include "control/cli.h" /* Control socket client, --help, --version (cli.h). */
#include "control/ctlpath.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/privdrop.h"
#include "daemon/privsep.h" /* privilege separation */
#include "daemon/prompt.h"
#include "daemon/sdnotify.h" /* systemd */
#include "os/os.h"
#include "priv/privjail.h"
#include "vpnc/config.h"

/* Room for one error sentence from the config reader or TLS setup. */
#define VPNC_ERR_MAX 512

/* Control socket client, --help, --version (cli.h): one help text for the daemon and the commands. */
static void usage(FILE *f)
{
	vpnc_cli_usage(f);
}

/*
 * The passphrase of an encrypted key or PKCS#12 file (no 'askpass FILE'):
 * needed to build the TLS context, before the loop, so asked blocking
 * (prompt.h: the terminal, else systemd-ask-password).
 */
static int ask_key_pass(char *buf, size_t cap, void *arg)
{
	const struct vpnc_prompt_q q = {VPNC_PROMPT_KEY_PASS, "Enter Private Key Password:", false};

	(void)arg;
	return vpnc_prompt_sync(&q, buf, cap);
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
	struct vpnc_prompt_q q = {VPNC_PROMPT_USER, "Enter Auth Username:", true};
	int ret = 0;

	vpnc_prompt_env_probe(&env);
	if (!env.tty)
		return 0; /* the loop asks, where the control socket can answer too */
	if (conf->username == NULL)
		ret = vpnc_prompt_sync(&q, c->got.user, sizeof(c->got.user));
	if (ret == 0 && conf->password == NULL && !conf->auth_user_pass_username_only) {
		q = (struct vpnc_prompt_q){VPNC_PROMPT_PASS, "Enter Auth Password:", false};
		ret = vpnc_prompt_sync(&q, c->got.pass, sizeof(c->got.pass));
		c->got.pass_asked = ret == 0;
	}
	if (ret == 0 && conf->static_challenge[0] != '\0') {
		snprintf(text, sizeof(text), "CHALLENGE: %s", conf->static_challenge);
		q = (struct vpnc_prompt_q){VPNC_PROMPT_CHALLENGE, text, conf->static_challenge_echo};
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
		vpnc_log(VPNC_LOG_INFO, "More configuration notes than fit in %zu bytes were left out.",
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
}

/*
 * 'privsep yes' (docs/privileges.md): only when vpnc has the privileges to
 * give away (not under NetworkManager, where it has none). Returns -1 in the
 * network process (lp filled), else main's exit status (the parent, or a
 * refusal).
 */
static int split(struct vpnc_config *conf, struct vpnc_loop_params *lp, struct vpnc_priv_jail *jail,
                 SSL_CTX **ctx, struct creds_src *creds)
{
	struct forget_args f = {ctx, creds, conf};
	char err[256];
	int sock = -1, ret;

	/* The kill switch's rules change during the run and at its end, which needs CAP_NET_ADMIN in
	 * the process that owns them: not the network process. */
	if (conf->kill_switch) {
		vpnc_log(VPNC_LOG_FATAL, "'privsep yes' does not work with 'kill-switch' yet.");
		return VPNC_EXIT_CONFIG;
	}
	ret = vpnc_priv_jail_user(conf->user[0] ? (long long)conf->uid : -1,
	                          conf->group[0] ? (long long)conf->gid : conf->user[0] ? (long long)conf->user_gid : -1,
	                          jail, err, sizeof(err));
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Privilege separation: %s.", err);
		return VPNC_EXIT_CONFIG; /* no such user: retrying will not help */
	}
	jail->chroot_dir = conf->chroot_dir[0] ? conf->chroot_dir : NULL;
	/* The parent gone (even by SIGKILL): nothing can be reverted or asked for, so stop too. */
	jail->parent_death_signal = SIGTERM;
	jail->parent = getpid();
	/* Neither process keeps CAP_IPC_LOCK: with MCL_FUTURE, later allocations need the limit up. */
	vpnc_mlock_keep_after_drop(err, sizeof(err));
	if (err[0] != '\0')
		vpnc_log(VPNC_LOG_NOTE, "%s", err);
	ret = vpnc_privsep_split(conf, &sock, forget_secrets, &f);
	if (ret >= 0)
		return ret;
	lp->split = true;
	lp->priv_sock = sock;
	lp->jail = jail;
	return -1;
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
	const char *path = NULL;
	int first = 1, code = 1, ret;
	bool untrusted = false;

	/* Control socket client (cli.h): `vpnc status|disconnect|reconnect ...`. */
	if (argc > 1 && vpnc_cli_is_command(argv[1]))
		return vpnc_cli_main(argc, argv);
	if (argc > 1 && is_flag(argv[1], "--inline-config"))
		return inline_config_main(argc, argv);
	if (argc > 1 && is_flag(argv[1], "--check-config"))
		return vpnc_checkcfg_main(argc, argv);
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
	ret = vpnc_log_setup(conf);
	if (ret < 0)
		vpnc_log(VPNC_LOG_FATAL, "Cannot open the log file %s: %s; logging to stderr.", conf->log_path,
		         strerror(-ret));
	log_notes(&kept);
	if (!mlocked)
		vpnc_log(VPNC_LOG_NOTE, "%s", mnote); /* a note, not an error */
	if (cloexec < 0) /* kernels before 5.11 */
		vpnc_log(VPNC_LOG_INFO, "Cannot keep inherited files from scripts: %s.", strerror(-cloexec));
	ret = vpnc_sd_open();
	if (ret < 0)
		vpnc_log(VPNC_LOG_INFO, "NOTIFY_SOCKET is not usable (%s); not reporting to systemd.",
		         strerror(-ret));

	if (conf->n_remotes == 0) {
		vpnc_log(VPNC_LOG_FATAL, "The configuration has no 'remote'.");
		code = VPNC_EXIT_CONFIG;
		goto out;
	}

	{ /* systemd-ask-password's --id=vpnc:INSTANCE:KIND for questions before the loop (prompt.h) */
		const char *cpath = conf->path != NULL ? conf->path
		                    : conf->cmdline_config[0] ? conf->cmdline_config : NULL;
		char inst[VPNC_CTL_INSTANCE_MAX + 1];

		vpnc_ctl_instance_from_config(cpath, inst, sizeof(inst));
		vpnc_prompt_sync_instance(inst);
	}
		lp = (struct vpnc_loop_params){.conf = conf, .get_creds = get_creds, .creds_ctx = &creds,
	                               .no_sdask = untrusted};
	creds.conf = conf;
	if (conf->auth_user_pass) {
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

	err[0] = '\0';
	/* Static-key mode ('secret') has no TLS: the engine keys its data channel from the profile. */
	if (!conf->secret)
		ctx = vpnc_tls_ctx_client2(conf, ask_key_pass, NULL, err, sizeof(err));
	if (ctx == NULL && !conf->secret) {
		vpnc_log(VPNC_LOG_FATAL, "TLS setup failed: %s", err[0] ? err : "unknown error");
		code = VPNC_EXIT_CONFIG; /* the keys and certificates the profile names */
		goto out;
	}
	ret = vpnc_tun_probe();
	bool privileged = ret == 0;
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
	static struct vpnc_priv_jail jail;
	if (conf->privsep && privileged && !untrusted) {
		code = split(conf, &lp, &jail, &ctx, &creds);
		if (code >= 0)
			goto out; /* the parent, done: everything is reverted */
	} else if (conf->privsep) {
		vpnc_log(VPNC_LOG_MORE, "privsep: no privileges to separate; running as one process");
	}
	lp.ssl_ctx = ctx;
	lp.nl = nl;
	code = vpnc_loop_run(&lp);
out:
	vpnc_nl_close(nl);
	SSL_CTX_free(ctx);
	vpnc_config_free(conf);
	OPENSSL_cleanse(&creds, sizeof(creds));
	vpnc_sd_close();  /* systemd (sdnotify.h) */
	vpnc_log_close(); /* log.h: reports a pending --mute run, gives stderr back */
	return code;
}
