/*
 * cfg_opt_misc.c: handlers for username/password authentication, timers,
 * boolean flags, logging levels, compression, setenv, pull-filter,
 * ignore-unknown-option, script-security, the script commands, dns-mode, the
 * kill switch, and the privilege options user, group and chroot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "config/cfg_handlers.h"
#include "vpnc/push.h"

#define TIMER_MAX 2000000 /* seconds; keeps millisecond arithmetic in range */
#define VERB_MAX 11
#define MUTE_MAX 1000000
#define COMPRESS_NOTE                                                                   \
	"vpnc decompresses what the server compresses but sends everything uncompressed " \
	"(OpenVPN 2.6's allow-compression asym)"

VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_user_pass)
{
	ctx->cfg->auth_user_pass = true;
	ctx->cfg->auth_user_pass_username_only = false;
	/* No argument, or "stdin": ask the user later. */
	if (n < 2 || (!ctx->is_inline && strcmp(p[1], "stdin") == 0)) {
		vpnc_cfg_src_clear(&ctx->user_pass);
		return 0;
	}
	/*
	 * OpenVPN 2.7's 'username-only' (for single sign-on): only the username is
	 * asked, and the password sent is 2.7's placeholder "[[BLANK]]" (2.6 would
	 * look for a file of that name).
	 */
	if (!ctx->is_inline && strcmp(p[1], "username-only") == 0) {
		vpnc_cfg_src_clear(&ctx->user_pass);
		ctx->cfg->auth_user_pass_username_only = true;
		return 0;
	}
	return vpnc_cfg_src_set(ctx, &ctx->user_pass, "auth-user-pass", p[1]);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_nocache)
{
	ctx->cfg->auth_nocache = true;
	return 0;
}

/*
 * 'auth-token TOKEN' and 'auth-token-user BASE64USER' (meant to be pushed;
 * 2.6 takes them from a profile too): the last of each counts. A name that
 * is not base64 of a printable name is dropped with a note, as 2.6 drops it
 * (a debug line). cfg_finish.c pairs them.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_token)
{
	struct vpnc_config *cfg = ctx->cfg;
	bool user = strcmp(p[0], "auth-token-user") == 0;
	char **dst = user ? &cfg->auth_token_user : &cfg->auth_token;
	char name[VPNC_MAX_TOKEN_LEN];
	const char *val = p[1];

	(void)n;
	if (p[1][0] == '\0')
		return 0; /* as 2.6: an empty value changes nothing */
	if (strlen(p[1]) >= VPNC_MAX_TOKEN_LEN)
		return vpnc_cfg_bad(ctx, p[0], "the value is longer than %d bytes", VPNC_MAX_TOKEN_LEN - 1);
	if (user) {
		if (vpnc_push_token_user_decode(p[1], name, sizeof(name)) < 0) {
			vpnc_cfg_note(ctx, 1, "option 'auth-token-user' is not base64 of a printable name; "
			              "ignored, as OpenVPN 2.6 does");
			val = NULL;
		} else {
			val = name;
		}
	}
	if (*dst != NULL) {
		OPENSSL_cleanse(*dst, strlen(*dst));
		free(*dst);
		*dst = NULL;
	}
	if (val != NULL && (*dst = strdup(val)) == NULL) {
		OPENSSL_cleanse(name, sizeof(name));
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	}
	OPENSSL_cleanse(name, sizeof(name));
	return 0;
}

/*
 * 'static-challenge TEXT ECHO [FORMAT]': OpenVPN 2.6 reads ECHO with atoi()
 * (any non-zero number echoes; a word is 0) and knows no FORMAT; 2.7 added
 * FORMAT 'scrv1' (the default) or 'concat'. vpnc takes both forms.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_static_challenge)
{
	struct vpnc_config *cfg = ctx->cfg;
	char *end;
	long echo;

	if (p[1][0] == '\0')
		return vpnc_cfg_bad(ctx, p[0], "the challenge text is empty");
	if (strlen(p[1]) >= sizeof(cfg->static_challenge))
		return vpnc_cfg_bad(ctx, p[0], "the challenge text is longer than %zu bytes",
		                    sizeof(cfg->static_challenge) - 1);
	echo = strtol(p[2], &end, 10);
	if (end == p[2] || *end != '\0')
		vpnc_cfg_note(ctx, 1, "'static-challenge': ECHO '%s' is not a number; read as %ld (%s), as "
		              "OpenVPN does", p[2], echo, echo != 0 ? "echo" : "no echo");
	if (n > 3 && strcmp(p[3], "concat") != 0 && strcmp(p[3], "scrv1") != 0)
		return vpnc_cfg_bad(ctx, p[0], "FORMAT must be 'scrv1' or 'concat'");
	memcpy(cfg->static_challenge, p[1], strlen(p[1]) + 1);
	cfg->static_challenge_echo = echo != 0;
	cfg->static_challenge_concat = n > 3 && strcmp(p[3], "concat") == 0;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_retry)
{
	if (strcmp(p[1], "none") == 0)
		ctx->cfg->auth_retry = VPNC_AUTH_RETRY_NONE;
	else if (strcmp(p[1], "nointeract") == 0)
		ctx->cfg->auth_retry = VPNC_AUTH_RETRY_NOINTERACT;
	else if (strcmp(p[1], "interact") == 0)
		ctx->cfg->auth_retry = VPNC_AUTH_RETRY_INTERACT;
	else
		return vpnc_cfg_bad(ctx, p[0], "must be 'none', 'nointeract' or 'interact'");
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_timer)
{
	struct vpnc_config *cfg = ctx->cfg;
	int v, max;

	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds (0..%d)", TIMER_MAX);
	if (strcmp(p[0], "ping") == 0) {
		cfg->ping = v;
		ctx->ping_set = true;
	} else if (strcmp(p[0], "ping-restart") == 0) {
		/* 2.6 keeps one receive timeout: ping-restart and ping-exit replace each other. */
		cfg->ping_restart = v;
		cfg->ping_exit = 0;
		ctx->ping_restart_set = true;
	} else if (strcmp(p[0], "ping-exit") == 0) {
		cfg->ping_exit = v;
		cfg->ping_restart = 0;
		ctx->ping_restart_set = true;
	} else if (strcmp(p[0], "reneg-sec") == 0) {
		/* 2.6: "reneg-sec max [min]"; 0 = never. With min, a random time in between. */
		if (n > 2 && vpnc_cfg_parse_int(p[2], 0, TIMER_MAX, &max) < 0)
			return vpnc_cfg_bad(ctx, p[0], "the minimum must be a number of seconds");
		cfg->reneg_sec = v;
		cfg->reneg_sec_min = n > 2 ? max : -1;
	} else if (strcmp(p[0], "session-timeout") == 0) {
		cfg->session_timeout = v;
	} else if (strcmp(p[0], "hand-window") == 0) {
		cfg->hand_window = v;
	} else if (strcmp(p[0], "tran-window") == 0) {
		cfg->tran_window = v;
	} else {
		cfg->tls_timeout = v;
	}
	return 0;
}

/* 'inactive SECONDS [BYTES]': exit when the tunnel carries less than BYTES in SECONDS. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_inactive)
{
	unsigned long long bytes = 0;
	char *end;
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds (0..%d)", TIMER_MAX);
	if (n > 2) {
		errno = 0;
		bytes = strtoull(p[2], &end, 10);
		/* 2^62 bytes is far beyond any real threshold and keeps the sum in range. */
		if (p[2][0] < '0' || p[2][0] > '9' || *end != '\0' || errno != 0 || bytes > (1ull << 62))
			return vpnc_cfg_bad(ctx, p[0], "the byte count must be a non-negative number");
	}
	ctx->cfg->inactive = v;
	ctx->cfg->inactive_bytes = (long long)bytes;
	return 0;
}

/*
 * 'replay-window N [T]': 2.6 takes N 0..65536 (core/replay.h holds the same
 * range) and T 0..600 s. T only makes 2.6 stricter for old packets and is
 * checked, not used.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_replay_window)
{
	int v, t;

	if (vpnc_cfg_parse_int(p[1], 0, 65536, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the window size must be between 0 and 65536");
	if (n > 2 && vpnc_cfg_parse_int(p[2], 0, 600, &t) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the time window must be between 0 and 600 seconds");
	ctx->cfg->replay_window = v;
	return 0;
}

/* The management options are ignored, but checked as 2.6 checks them (cfg_finish.c). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_management)
{
	(void)n;
	if (strcmp(p[0], "management") == 0)
		ctx->mgmt = true;
	else if (ctx->mgmt_modifier_line == 0)
		ctx->mgmt_modifier_line = ctx->line > 0 ? ctx->line : -1;
	return 0;
}

/* 'mtu-disc no|maybe|yes': the values 2.6 takes on Linux, set on the UDP socket (docs/fragment.md). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_mtu_disc)
{
	(void)n;
	if (strcmp(p[1], "no") == 0)
		ctx->cfg->mtu_disc = VPNC_MTU_DISC_NO;
	else if (strcmp(p[1], "maybe") == 0)
		ctx->cfg->mtu_disc = VPNC_MTU_DISC_MAYBE;
	else if (strcmp(p[1], "yes") == 0)
		ctx->cfg->mtu_disc = VPNC_MTU_DISC_YES;
	else
		return vpnc_cfg_bad(ctx, p[0], "must be 'no', 'maybe' or 'yes'");
	return 0;
}

/*
 * 'mark N': SO_MARK on the link socket. 2.6 on Linux reads N with atoi(): a
 * decimal number, trailing text ignored, anything else 0 (so "0x42" is 0, no
 * mark) and a negative one the same 32 bits; we take it the same way so a
 * profile marks what it marked under 2.6 (socket.c socket_set_mark,
 * https://github.com/OpenVPN/openvpn/blob/release/2.6/src/openvpn/socket.c).
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_mark)
{
	(void)n;
	ctx->cfg->mark = (int)(unsigned long)strtol(p[1], NULL, 10); /* glibc's atoi(), without its overflow UB */
	return 0;
}

/* 'proto-force udp|tcp': cfg_finish.c drops the remotes of the other transport. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_proto_force)
{
	(void)n;
	if (strcmp(p[1], "udp") == 0)
		ctx->proto_force = (int)VPNC_TRANSPORT_UDP + 1;
	else if (strcmp(p[1], "tcp") == 0)
		ctx->proto_force = (int)VPNC_TRANSPORT_TCP + 1;
	else
		return vpnc_cfg_bad(ctx, p[0], "must be 'udp' or 'tcp'");
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_push_peer_info)
{
	ctx->cfg->push_peer_info = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_reneg_count)
{
	int v;

	/* Counts above 2^31 are not needed: OpenVPN's own limits are of that size. */
	if (vpnc_cfg_parse_int(p[1], 0, INT_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a non-negative number");
	if (strcmp(p[0], "reneg-bytes") == 0)
		ctx->cfg->reneg_bytes = v;
	else
		ctx->cfg->reneg_pkts = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_exit_notify)
{
	int v = 1;

	if (n > 1 && vpnc_cfg_parse_int(p[1], 0, 60, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds (0..60)");
	ctx->cfg->explicit_exit_notify = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_keepalive)
{
	int a, b;

	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &a) < 0 ||
	    vpnc_cfg_parse_int(p[2], 0, TIMER_MAX, &b) < 0)
		return vpnc_cfg_bad(ctx, p[0], "both arguments must be numbers of seconds");
	ctx->keepalive_ping = a;
	ctx->keepalive_timeout = b;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_flag)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (strcmp(p[0], "route-nopull") == 0)
		cfg->route_nopull = true;
	else if (strcmp(p[0], "route-noexec") == 0)
		cfg->route_noexec = true;
	else if (strcmp(p[0], "ifconfig-noexec") == 0)
		cfg->ifconfig_noexec = true;
	else if (strcmp(p[0], "persist-tun") == 0)
		cfg->persist_tun = true;
	else if (strcmp(p[0], "persist-key") == 0)
		cfg->persist_key = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_verb)
{
	int v;

	if (strcmp(p[0], "verb") == 0) {
		if (vpnc_cfg_parse_int(p[1], 0, VERB_MAX, &v) < 0)
			return vpnc_cfg_bad(ctx, p[0], "must be a number from 0 to %d", VERB_MAX);
		ctx->cfg->verb = v;
	} else {
		if (vpnc_cfg_parse_int(p[1], 0, MUTE_MAX, &v) < 0)
			return vpnc_cfg_bad(ctx, p[0], "must be a number from 0 to %d", MUTE_MAX);
		ctx->cfg->mute = v;
	}
	return 0;
}

/* Real compression configured: refused after allow-compression no, as by 2.6 at startup. */
static int comp_real(struct vpnc_cfg_ctx *ctx, const char *opt, const char *arg, enum vpnc_comp c)
{
	if (ctx->cfg->allow_comp == VPNC_ALLOW_COMP_NO)
		return vpnc_cfg_bad(ctx, opt, "'%s' conflicts with 'allow-compression no'", arg);
	ctx->cfg->comp = c;
	ctx->cfg->comp_asked = true;
	vpnc_cfg_note(ctx, 1, "option '%s %s': %s", opt, arg, COMPRESS_NOTE);
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_comp_lzo)
{
	if (n > 1 && strcmp(p[1], "no") != 0 && strcmp(p[1], "yes") != 0 &&
	    strcmp(p[1], "adaptive") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'yes', 'no' or 'adaptive'");
	if (n > 1 && strcmp(p[1], "no") == 0) {
		ctx->cfg->comp = VPNC_COMP_LZO_STUB; /* framing only; does not allow compression */
		return 0;
	}
	return comp_real(ctx, p[0], n > 1 ? p[1] : "adaptive", VPNC_COMP_LZO);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_compress)
{
	const char *a = n > 1 ? p[1] : "";

	if (strcmp(a, "lzo") == 0)
		return comp_real(ctx, p[0], a, VPNC_COMP_LZO);
	if (strcmp(a, "lz4") == 0)
		return comp_real(ctx, p[0], a, VPNC_COMP_LZ4);
	if (strcmp(a, "lz4-v2") == 0)
		return comp_real(ctx, p[0], a, VPNC_COMP_LZ4_V2);
	if (a[0] == '\0' || strcmp(a, "stub") == 0) {
		ctx->cfg->comp = VPNC_COMP_STUB;
	} else if (strcmp(a, "stub-v2") == 0) {
		ctx->cfg->comp = VPNC_COMP_STUB_V2;
	} else if (strcmp(a, "migrate") == 0) {
		ctx->cfg->comp = VPNC_COMP_NONE;
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "option 'compress migrate': no compression is used");
	} else {
		return vpnc_cfg_bad(ctx, p[0], "must be empty or one of stub, stub-v2, lzo, lz4, "
		                    "lz4-v2, migrate");
	}
	/* As in 2.6, any 'compress' lets a server push real compression (unless allow-compression no). */
	ctx->cfg->comp_asked = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_allow_compression)
{
	if (strcmp(p[1], "no") == 0) {
		if (vpnc_comp_is_real(ctx->cfg->comp))
			return vpnc_cfg_bad(ctx, p[0], "'no' conflicts with the compression configured before");
		ctx->cfg->allow_comp = VPNC_ALLOW_COMP_NO;
		return 0;
	}
	if (strcmp(p[1], "asym") != 0 && strcmp(p[1], "yes") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'no', 'asym' or 'yes'");
	if (ctx->cfg->allow_comp == VPNC_ALLOW_COMP_NO)
		return vpnc_cfg_bad(ctx, p[0], "cannot be set to '%s' after 'no'", p[1]);
	if (strcmp(p[1], "yes") == 0) {
		ctx->cfg->allow_comp = VPNC_ALLOW_COMP_YES;
		/* The safe half of 'yes' only: compressing what is sent helps attacks such as VORACLE. */
		vpnc_cfg_note(ctx, 1, "option 'allow-compression yes': vpnc never compresses what it "
		              "sends, so this acts as 'asym'");
	} else {
		ctx->cfg->allow_comp = VPNC_ALLOW_COMP_ASYM;
	}
	return 0;
}

/*
 * 'setenv opt OPTION ...' applies OPTION but lets it be unknown (OpenVPN 2.6).
 * UV_* variables go to the server as peer info, as a 2.6 pull client sends
 * them; other variables are not passed to scripts (a note says so).
 */
/* True if s is printable ASCII (what peer info may carry: one line of key=value). */
static bool cfg_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/*
 * Appends "PREFIXNAME=VALUE\n" to list (VPNC_CFG_UV_MAX bytes): 'setenv UV_NAME
 * VALUE' for the peer info, 'setenv-safe NAME VALUE' as OPENVPN_NAME for scripts.
 */
static int cfg_env_line(struct vpnc_cfg_ctx *ctx, char *uv, const char *opt, const char *prefix,
                        const char *name, const char *value)
{
	size_t len = strlen(uv), need = strlen(prefix) + strlen(name) + 1 + strlen(value) + 1;

	for (const char *c = name; *c != '\0'; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '_'))
			return vpnc_cfg_bad(ctx, opt, "the name may only hold letters, digits and '_'");
	if (!cfg_printable(value))
		return vpnc_cfg_bad(ctx, opt, "the value must be printable ASCII");
	if (len + need >= VPNC_CFG_UV_MAX)
		return vpnc_cfg_bad(ctx, opt, "the variables exceed %d bytes", VPNC_CFG_UV_MAX - 1);
	snprintf(uv + len, VPNC_CFG_UV_MAX - len, "%s%s=%s\n", prefix, name, value);
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_setenv)
{
	char name[64];
	int ret;

	if (strcmp(p[0], "setenv") == 0 && strcmp(p[1], "opt") == 0) {
		if (n < 3)
			return vpnc_cfg_bad(ctx, p[0], "'setenv opt' needs an option");
		ctx->ignore_unknown = true;
		ret = vpnc_cfg_apply(ctx, p + 2, n - 2);
		ctx->ignore_unknown = false;
		return ret;
	}
	if (n > 3)
		return vpnc_cfg_bad(ctx, p[0], "takes a name and at most one value");
	vpnc_cfg_sanitize(name, sizeof(name), p[1]);
	if (strcmp(p[0], "setenv") == 0 && strncmp(p[1], "UV_", 3) == 0)
		return cfg_env_line(ctx, ctx->cfg->peer_info_uv, p[0], "", p[1], n > 2 ? p[2] : "");
	/* 2.6 gives setenv-safe variables to scripts as OPENVPN_NAME, which can override nothing. */
	if (strcmp(p[0], "setenv-safe") == 0)
		return cfg_env_line(ctx, ctx->cfg->script_safe_env, p[0], "OPENVPN_", p[1],
		                    n > 2 ? p[2] : "");
	else
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB,
		              "option 'setenv %s' ignored: not passed to scripts (use setenv-safe)", name);
	return 0;
}

/* 'pull-filter ACTION TEXT': kept in file order; push.c applies them to every pushed option. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pull_filter)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_pull_filter *f;
	size_t len = strlen(p[2]);
	enum vpnc_pull_action a;

	if (strcmp(p[1], "accept") == 0)
		a = VPNC_PULL_ACCEPT;
	else if (strcmp(p[1], "ignore") == 0)
		a = VPNC_PULL_IGNORE;
	else if (strcmp(p[1], "reject") == 0)
		a = VPNC_PULL_REJECT;
	else
		return vpnc_cfg_bad(ctx, p[0], "the action must be 'accept', 'ignore' or 'reject'");
	if (len >= VPNC_PULL_FILTER_TEXT_MAX)
		return vpnc_cfg_bad(ctx, p[0], "the text must be at most %d bytes",
		                    VPNC_PULL_FILTER_TEXT_MAX - 1);
	if (cfg->n_pull_filters >= VPNC_MAX_PULL_FILTERS)
		return vpnc_cfg_bad(ctx, p[0], "more than %d filters", VPNC_MAX_PULL_FILTERS);
	f = &cfg->pull_filters[cfg->n_pull_filters++];
	f->action = a;
	memcpy(f->text, p[2], len + 1);
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_ignore_unknown)
{
	for (int i = 1; i < n; i++) {
		if (ctx->n_ignore >= VPNC_CFG_MAX_IGNORE)
			return vpnc_cfg_bad(ctx, p[0], "more than %d names", VPNC_CFG_MAX_IGNORE);
		ctx->ignore[ctx->n_ignore] = strdup(p[i]);
		if (ctx->ignore[ctx->n_ignore] == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
		ctx->n_ignore++;
	}
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_script_security)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, 3, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 0, 1, 2 or 3");
	ctx->cfg->script_security = v;
	return 0;
}

/*
 * up, down, route-up, route-pre-down, ipchange, tls-verify: one command word,
 * split into arguments only when the script runs. 2.6 turns every comma of
 * an ipchange or tls-verify command into a space (its options.c,
 * string_substitute), so that 'ipchange a,b' runs "a" with the argument "b";
 * the same here. tls-export-cert's directory is kept the same way, as written.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_script)
{
	struct vpnc_config *cfg = ctx->cfg;
	char *dst = strcmp(p[0], "up") == 0               ? cfg->up
	            : strcmp(p[0], "down") == 0           ? cfg->down
	            : strcmp(p[0], "route-pre-down") == 0 ? cfg->route_pre_down
	            : strcmp(p[0], "ipchange") == 0       ? cfg->ipchange
	            : strcmp(p[0], "tls-verify") == 0     ? cfg->tls_verify
	            : strcmp(p[0], "tls-export-cert") == 0 ? cfg->tls_export_cert
	                                                  : cfg->route_up;
	size_t len = strlen(p[1]);

	if (len == 0 || len >= VPNC_SCRIPT_CMD_MAX)
		return vpnc_cfg_bad(ctx, p[0], "the command must be 1 to %d bytes", VPNC_SCRIPT_CMD_MAX - 1);
	memcpy(dst, p[1], len + 1);
	if (dst == cfg->ipchange || dst == cfg->tls_verify)
		for (char *c = dst; *c != '\0'; c++)
			if (*c == ',')
				*c = ' ';
	return 0;
}

/*
 * 'plugin PATH [ARGS...]'. The one plugin client profiles use is OpenVPN's
 * down-root (with 'user nobody'): it runs ARGS as a command with root rights
 * when the tunnel goes down. vpnc's root parent runs scripts anyway, so that
 * plugin becomes the command, run as 2.6's plugin runs it: before 'down',
 * with no arguments appended and without script-security 2 (a plugin is not a
 * script). One ARG is split into words when it runs; several are kept as
 * words (quoted here for the splitter), as OpenVPN passes them. Any other
 * plugin is foreign code that would run in vpnc's root parent: refused.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_plugin)
{
	static const char down_root[] = "openvpn-plugin-down-root.so";
	struct vpnc_config *cfg = ctx->cfg;
	const char *base = strrchr(p[1], '/');
	char *dst = cfg->down_root;
	size_t used = 0;

	base = base != NULL ? base + 1 : p[1];
	if (strcmp(base, down_root) != 0)
		return vpnc_cfg_bad(ctx, p[0], "only %s is taken (its command runs as vpnc's down script); "
		                    "any other plugin is code that would run inside vpnc's root process, and vpnc "
		                    "loads no code from a profile", down_root);
	if (n < 3)
		return vpnc_cfg_bad(ctx, p[0], "%s needs the command to run", down_root);
	if (cfg->down_root[0] != '\0')
		return vpnc_cfg_bad(ctx, p[0], "vpnc takes one %s command", down_root);
	if (n == 3) {
		used = strlen(p[2]);
		if (used == 0 || used >= VPNC_SCRIPT_CMD_MAX)
			return vpnc_cfg_bad(ctx, p[0], "the command must be 1 to %d bytes", VPNC_SCRIPT_CMD_MAX - 1);
		memcpy(dst, p[2], used + 1);
		return 0;
	}
	for (int i = 2; i < n; i++) {
		/* "word" with \ and " escaped: the splitter gives back exactly this word. */
		if (used + 3 >= VPNC_SCRIPT_CMD_MAX)
			goto too_long;
		if (i > 2)
			dst[used++] = ' ';
		dst[used++] = '"';
		for (const char *s = p[i]; *s != '\0'; s++) {
			if (used + 4 >= VPNC_SCRIPT_CMD_MAX)
				goto too_long;
			if (*s == '"' || *s == '\\')
				dst[used++] = '\\';
			dst[used++] = *s;
		}
		dst[used++] = '"';
		dst[used] = '\0';
	}
	return 0;
too_long:
	dst[0] = '\0';
	return vpnc_cfg_bad(ctx, p[0], "the command must be 1 to %d bytes", VPNC_SCRIPT_CMD_MAX - 1);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_up_restart)
{
	ctx->cfg->up_restart = true;
	return 0;
}

/* 'kill-switch [yes|no]', 'kill-switch-allow-lan [yes|no]': no argument means yes. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_kill_switch)
{
	bool on = n < 2 || strcmp(p[1], "yes") == 0;

	if (n >= 2 && strcmp(p[1], "yes") != 0 && strcmp(p[1], "no") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'yes' or 'no'");
	if (strcmp(p[0], "kill-switch") == 0)
		ctx->cfg->kill_switch = on;
	else
		ctx->cfg->kill_switch_lan = on;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_dns_mode)
{
	static const char *const names[] = {"auto", "resolved", "resolvconf", "file", "none"};
	static const enum vpnc_dns_mode modes[] = {VPNC_DNS_AUTO, VPNC_DNS_RESOLVED,
	                                           VPNC_DNS_RESOLVCONF, VPNC_DNS_FILE, VPNC_DNS_NONE};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(p[1], names[i]) == 0) {
			ctx->cfg->dns_mode = modes[i];
			return 0;
		}
	}
	return vpnc_cfg_bad(ctx, p[0], "must be auto, resolved, resolvconf, file or none");
}

/*
 * 'user NAME', 'group NAME': looked up now, so an unknown name fails the
 * load with file and line, and a later chroot needs no /etc/passwd. The
 * switch itself happens after the tunnel is up (src/daemon/privdrop.c).
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_user_group)
{
	struct vpnc_config *cfg = ctx->cfg;
	bool is_user = strcmp(p[0], "user") == 0;
	char *dst = is_user ? cfg->user : cfg->group;
	size_t len = strlen(p[1]);
	struct passwd *pw;
	struct group *gr;

	if (len == 0 || len >= VPNC_PRIV_NAME_MAX)
		return vpnc_cfg_bad(ctx, p[0], "the name must be 1 to %d bytes", VPNC_PRIV_NAME_MAX - 1);
	errno = 0;
	if (is_user) {
		pw = getpwnam(p[1]);
		if (pw == NULL)
			return vpnc_cfg_bad(ctx, p[0], "no such user%s", errno != 0 ? " (lookup failed)" : "");
		cfg->uid = pw->pw_uid;
		cfg->user_gid = pw->pw_gid;
	} else {
		gr = getgrnam(p[1]);
		if (gr == NULL)
			return vpnc_cfg_bad(ctx, p[0], "no such group%s", errno != 0 ? " (lookup failed)" : "");
		cfg->gid = gr->gr_gid;
	}
	memcpy(dst, p[1], len + 1);
	return 0;
}

/* 'privsep yes|no': privilege separation at start-up (docs/privileges.md). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_privsep)
{
	if (strcmp(p[1], "yes") != 0 && strcmp(p[1], "no") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'yes' or 'no'");
	ctx->cfg->privsep = strcmp(p[1], "yes") == 0;
	return 0;
}

/* 'chroot DIR': an absolute path to an existing directory, entered when privileges are dropped. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_chroot)
{
	size_t len = strlen(p[1]);
	struct stat st;

	if (p[1][0] != '/' || len >= VPNC_PRIV_NAME_MAX)
		return vpnc_cfg_bad(ctx, p[0], "must be an absolute path of at most %d bytes",
		                    VPNC_PRIV_NAME_MAX - 1);
	if (stat(p[1], &st) < 0 || !S_ISDIR(st.st_mode))
		return vpnc_cfg_bad(ctx, p[0], "is not a directory");
	memcpy(ctx->cfg->chroot_dir, p[1], len + 1);
	return 0;
}
