/*
 * nm-vpnc-ovpn-auth-dialog.c: owns the plugin's auth-dialog, the program a
 * secret agent (GNOME Shell, nmcli --ask, nm-applet) runs to learn which
 * secrets a connection needs (docs/networkmanager.md, "Secrets and the
 * auth-dialog"). GLib and libnm only, no GTK: it draws nothing itself.
 *
 * The agent starts it as `... -u UUID -n NAME -s SERVICE [-i] [-r] [-t HINT]...
 * [--external-ui-mode]` and writes the connection's vpn.data and vpn.secrets
 * on stdin (DATA_KEY=/DATA_VAL=/SECRET_KEY=/SECRET_VAL= blocks, then DONE,
 * read by libnm's nm_vpn_service_plugin_read_vpn_details()).
 *  - --external-ui-mode: prints a GKeyFile, group [VPN Plugin UI] (Version 2,
 *    Title, Description) and one group per secret (Value, Label, IsSecret,
 *    ShouldAsk); the agent asks the user for each ShouldAsk entry itself.
 *  - otherwise (the old protocol): prints the secrets it already has as
 *    "name\nvalue\n" lines, an empty line, and waits for QUIT on stdin; a
 *    secret that would have to be asked for makes it fail, since without a
 *    toolkit it has no window to ask in.
 * The secrets: password (auth-user-pass) and cert-pass (the key's passphrase),
 * needed when the connection declares them (their NAME-flags data item, or
 * for password a username) and the flags lack NOT_REQUIRED; challenge (a
 * static or dynamic challenge's response) and pin, needed only when a hint
 * names them. A saved value is reused unless the flags say NOT_SAVED or the
 * agent asks again (-r). Hints (-t) from the service name the secret vpnc
 * asks for now, x-vpn-message:TEXT gives its question, x-vpnc-echo lets the
 * answer be shown while typed (ForceEcho).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <NetworkManager.h>

#include "nm-vpnc-ovpn.h"

/* The prefix NetworkManager's VPN plugins use for the message in a hint list. */
#define AUTH_MSG_HINT "x-vpn-message:"
#define AUTH_UI_GROUP "VPN Plugin UI"
/* How long the old protocol waits for QUIT after its answer (as other auth-dialogs). */
#define AUTH_QUIT_SECS 20

struct auth_secret {
	const char *key;
	const char *label;
	gboolean hint_only;     /* asked only when a hint names it (a question vpnc asks now) */
	gboolean echo;          /* the answer may be shown (ForceEcho) */
	gboolean need;          /* the connection uses it (or a hint asks for it) */
	gboolean forced;        /* a hint asks for it: ask even if one is saved */
	const char *existing;   /* the saved value, if it may be used */
};

/* Whether the connection declares secret s, and which saved value may be used. */
static void auth_classify(struct auth_secret *s, GHashTable *data, GHashTable *secrets)
{
	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;
	char *flags_key = g_strdup_printf("%s-flags", s->key);
	gboolean declared = g_hash_table_contains(data, flags_key);

	g_free(flags_key);
	nm_vpn_service_plugin_get_secret_flags(data, s->key, &flags);
	if (strcmp(s->key, VPNC_NM_SECRET_PASSWORD) == 0 &&
	    g_hash_table_contains(data, VPNC_NM_DATA_USERNAME))
		declared = TRUE;
	if (declared && !s->hint_only && !(flags & NM_SETTING_SECRET_FLAG_NOT_REQUIRED))
		s->need = TRUE;
	if (s->forced)
		s->need = TRUE;
	/* NOT_SAVED: a value NetworkManager still holds from before is never reused. */
	if (!(flags & NM_SETTING_SECRET_FLAG_NOT_SAVED))
		s->existing = g_hash_table_lookup(secrets, s->key);
	if (s->existing != NULL && *s->existing == '\0')
		s->existing = NULL;
}

/* True when secret s must come from the user now. */
static gboolean auth_must_ask(const struct auth_secret *s, gboolean retry)
{
	return s->need && (s->existing == NULL || s->forced || retry);
}

static void auth_external(const struct auth_secret *s, size_t n, const char *title, const char *msg,
                          gboolean interact, gboolean retry)
{
	GKeyFile *kf = g_key_file_new();
	char *text;

	g_key_file_set_integer(kf, AUTH_UI_GROUP, "Version", 2);
	g_key_file_set_string(kf, AUTH_UI_GROUP, "Description", msg);
	g_key_file_set_string(kf, AUTH_UI_GROUP, "Title", title);
	for (size_t i = 0; i < n; i++) {
		if (!s[i].need)
			continue;
		g_key_file_set_string(kf, s[i].key, "Value", s[i].existing != NULL ? s[i].existing : "");
		g_key_file_set_string(kf, s[i].key, "Label", s[i].label);
		g_key_file_set_boolean(kf, s[i].key, "IsSecret", TRUE);
		g_key_file_set_boolean(kf, s[i].key, "ShouldAsk", interact && auth_must_ask(&s[i], retry));
		if (s[i].echo)
			g_key_file_set_boolean(kf, s[i].key, "ForceEcho", TRUE);
	}
	text = g_key_file_to_data(kf, NULL, NULL);
	fputs(text, stdout);
	fflush(stdout);
	explicit_bzero(text, strlen(text));
	g_free(text);
	g_key_file_unref(kf);
}

/* Reads stdin until QUIT, end of file or AUTH_QUIT_SECS: the agent's sign that it took the answer. */
static void auth_wait_quit(void)
{
	char buf[64];
	size_t len = 0;
	time_t end = time(NULL) + AUTH_QUIT_SECS;

	while (time(NULL) < end && len < sizeof(buf) - 1) {
		ssize_t r = read(0, buf + len, sizeof(buf) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "QUIT") != NULL)
			return;
	}
}

int main(int argc, char **argv)
{
	gboolean retry = FALSE, interact = FALSE, external = FALSE;
	char *uuid = NULL, *name = NULL, *service = NULL, **hints = NULL, *msg = NULL;
	GHashTable *data = NULL, *secrets = NULL;
	GOptionEntry entries[] = {
		{"reprompt", 'r', 0, G_OPTION_ARG_NONE, &retry, "Ask again for saved secrets", NULL},
		{"uuid", 'u', 0, G_OPTION_ARG_STRING, &uuid, "UUID of the VPN connection", "UUID"},
		{"name", 'n', 0, G_OPTION_ARG_STRING, &name, "Name of the VPN connection", "NAME"},
		{"service", 's', 0, G_OPTION_ARG_STRING, &service, "VPN service type", "SERVICE"},
		{"allow-interaction", 'i', 0, G_OPTION_ARG_NONE, &interact, "The user may be asked", NULL},
		{"external-ui-mode", 0, 0, G_OPTION_ARG_NONE, &external, "Describe the questions as a key file", NULL},
		{"hint", 't', 0, G_OPTION_ARG_STRING_ARRAY, &hints, "A hint from the VPN service", "HINT"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	struct auth_secret s[] = {
		{.key = VPNC_NM_SECRET_PASSWORD, .label = "Password"},
		{.key = VPNC_NM_SECRET_CERT_PASS, .label = "Private key passphrase"},
		{.key = VPNC_NM_SECRET_CHALLENGE, .label = "Response", .hint_only = TRUE},
		{.key = VPNC_NM_SECRET_PIN, .label = "PIN", .hint_only = TRUE},
	};
	GOptionContext *ctx = g_option_context_new("- vpnc's NetworkManager auth-dialog");
	GError *err = NULL;
	gboolean ask = FALSE;
	int rc = EXIT_FAILURE;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "nm-vpnc-ovpn-auth-dialog: %s\n", err->message);
		g_error_free(err);
		g_option_context_free(ctx);
		return EXIT_FAILURE;
	}
	g_option_context_free(ctx);
	if (uuid == NULL || name == NULL || service == NULL) {
		fprintf(stderr, "nm-vpnc-ovpn-auth-dialog: -u UUID, -n NAME and -s SERVICE are required\n");
		goto out;
	}
	if (strcmp(service, VPNC_NM_SERVICE) != 0) {
		fprintf(stderr, "nm-vpnc-ovpn-auth-dialog: only for the service %s, not %s\n",
		        VPNC_NM_SERVICE, service);
		goto out;
	}
	if (!nm_vpn_service_plugin_read_vpn_details(0, &data, &secrets)) {
		fprintf(stderr, "nm-vpnc-ovpn-auth-dialog: cannot read the data and secrets of '%s' "
		        "from stdin\n", name);
		goto out;
	}
	for (char **h = hints; h != NULL && *h != NULL; h++) {
		if (g_str_has_prefix(*h, AUTH_MSG_HINT) && msg == NULL)
			msg = g_strdup(*h + strlen(AUTH_MSG_HINT));
		for (size_t i = 0; i < G_N_ELEMENTS(s); i++) {
			if (strcmp(*h, s[i].key) == 0)
				s[i].forced = TRUE;
			/* vpnc's question says the answer is not secret to the eye (a challenge's echo flag). */
			if (strcmp(*h, VPNC_NM_HINT_ECHO) == 0 && s[i].hint_only)
				s[i].echo = TRUE;
		}
	}
	/* A challenge's own words are the best label for its answer. */
	if (msg != NULL && *msg != '\0')
		s[2].label = msg;
	for (size_t i = 0; i < G_N_ELEMENTS(s); i++) {
		auth_classify(&s[i], data, secrets);
		ask |= auth_must_ask(&s[i], retry);
	}
	if (msg == NULL)
		msg = g_strdup_printf("You need to authenticate to access the VPN \"%s\".", name);
	if (external) {
		auth_external(s, G_N_ELEMENTS(s), "Authenticate VPN", msg, interact, retry);
		rc = EXIT_SUCCESS;
		goto out;
	}
	if (ask && interact) {
		fprintf(stderr, "nm-vpnc-ovpn-auth-dialog: '%s' needs a secret that is not saved, and this "
		        "dialog asks only through an agent's own UI (--external-ui-mode: GNOME Shell, "
		        "nmcli --ask)\n", name);
		goto out;
	}
	/* The protocol is line by line: a saved value with a line break would end the block early
	 * or forge a key, so it is not handed on (the agent then has no saved value for it). */
	for (size_t i = 0; i < G_N_ELEMENTS(s); i++)
		if (s[i].need && s[i].existing != NULL && strpbrk(s[i].existing, "\r\n") == NULL)
			printf("%s\n%s\n", s[i].key, s[i].existing);
	printf("\n\n");
	fflush(stdout);
	auth_wait_quit();
	rc = EXIT_SUCCESS;
out:
	if (secrets != NULL) {
		GHashTableIter it;
		gpointer v;

		g_hash_table_iter_init(&it, secrets);
		while (g_hash_table_iter_next(&it, NULL, &v))
			explicit_bzero(v, strlen(v));
		g_hash_table_unref(secrets);
	}
	if (data != NULL)
		g_hash_table_unref(data);
	g_strfreev(hints);
	g_free(msg);
	g_free(uuid);
	g_free(name);
	g_free(service);
	return rc;
}
