/*
 * nm-vpnc-ovpn-editor.c: owns the plugin's editor plugin, the shared object
 * libnm loads in a client (nmcli, GNOME Settings) through the .name file's
 * [libnm] plugin= key: libnm's NMVpnEditorPlugin with import and export of
 * .ovpn profiles and no GTK editor (docs/networkmanager.md, "Import and
 * export"). It runs inside the client, as the user who runs it.
 *
 * Import checks the profile the way a connection will use it, as the
 * importing user: `vpnc --inline-config FILE --untrusted-config` in the
 * file's directory, then `vpnc --check-config` on that text with
 * --untrusted-config, so a profile the service would refuse is refused now,
 * with vpnc's FILE:LINE sentence. The connection stores the profile's
 * absolute path (vpn.data config), never its bytes: vpn.data is readable by
 * every user who may see the connection, and a profile's inline <key> or
 * <tls-crypt> must not be. A user other than root imports a connection of
 * their own (connection.permissions user:NAME), so the service reads the
 * file with that user's rights; root imports a system-wide one.
 * Export writes the profile self-contained (vpnc --inline-config, read as the
 * exporting user) to the chosen file, mode 0600 (it may hold keys).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <NetworkManager.h>

#include "nm-vpnc-ovpn.h"
#include "nm-vpnc-ovpn-scan.h"

#ifndef VPNC_NM_VPNC_PATH
#define VPNC_NM_VPNC_PATH "/usr/sbin/vpnc"
#endif

/* vpnc's --inline-config prints at most 1 MiB (docs/options.md). */
#define EDITOR_PROFILE_MAX (1024 * 1024)

typedef struct {
	GObject parent;
} VpncNmEditorPlugin;

typedef struct {
	GObjectClass parent;
} VpncNmEditorPluginClass;

enum { PROP_0, PROP_NAME, PROP_DESC, PROP_SERVICE };

static void vpnc_nm_editor_iface_init(NMVpnEditorPluginInterface *iface);

GType vpnc_nm_editor_plugin_get_type(void);
G_DEFINE_TYPE_WITH_CODE(VpncNmEditorPlugin, vpnc_nm_editor_plugin, G_TYPE_OBJECT,
                        G_IMPLEMENT_INTERFACE(NM_TYPE_VPN_EDITOR_PLUGIN, vpnc_nm_editor_iface_init))

static const char *editor_vpnc(void)
{
	const char *bin = g_getenv(VPNC_NM_BINARY_ENV);

	return bin != NULL && *bin != '\0' ? bin : VPNC_NM_VPNC_PATH;
}

/* vpnc's first stderr line (its one sentence), or a fallback. */
static char *editor_first_line(GBytes *err, const char *fallback)
{
	gsize n = 0;
	const char *s = err != NULL ? g_bytes_get_data(err, &n) : NULL;
	char *line;

	if (s == NULL || n == 0)
		return g_strdup(fallback);
	line = g_strndup(s, n);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/*
 * Runs vpnc with argv[1..] in dir, stdin from stdin_fd (taken) or /dev/null;
 * returns its stdout, or NULL with error set to vpnc's sentence.
 */
static GBytes *editor_run(const char *const *argv, const char *dir, int stdin_fd, GError **error)
{
	GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
	                                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
	GSubprocess *p = NULL;
	GBytes *out = NULL, *err = NULL;
	GError *local = NULL;

	if (dir != NULL)
		g_subprocess_launcher_set_cwd(l, dir);
	if (stdin_fd >= 0)
		g_subprocess_launcher_take_stdin_fd(l, stdin_fd);
	/* The profile speaks for itself: no locale or variables of the client's. */
	g_subprocess_launcher_setenv(l, "LC_ALL", "C", TRUE);
	p = g_subprocess_launcher_spawnv(l, argv, &local);
	if (p == NULL || !g_subprocess_communicate(p, NULL, NULL, &out, &err, &local)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED, "cannot run %s: %s",
		            argv[0], local != NULL ? local->message : "unknown error");
		g_clear_error(&local);
		goto out;
	}
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0) {
		char *why = editor_first_line(err, "vpnc refused the profile");

		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_INVALID_CONNECTION, "%s", why);
		g_free(why);
		g_clear_pointer(&out, g_bytes_unref);
	}
out:
	if (err != NULL)
		g_bytes_unref(err);
	g_clear_object(&p);
	g_object_unref(l);
	return out;
}

/* The profile self-contained, as the calling user reads it (as the service will have it). */
static GBytes *editor_inline(const char *path, gboolean untrusted, GError **error)
{
	const char *argv[] = {editor_vpnc(), "--inline-config", path, untrusted ? "--untrusted-config" : NULL,
	                      NULL};
	char *dir = g_path_get_dirname(path);
	GBytes *out = editor_run(argv, dir, -1, error);

	g_free(dir);
	return out;
}

/* Loads the inlined text as a connection would (TLS setup, keys), with nothing sent. */
static gboolean editor_check(GBytes *text, GError **error)
{
	const char *argv[] = {editor_vpnc(), "--check-config", "/dev/stdin", "--untrusted-config", NULL};
	gsize n;
	const char *s = g_bytes_get_data(text, &n);
	int fd = memfd_create("vpnc-import", MFD_CLOEXEC);
	GBytes *out;

	if (fd < 0 || write(fd, s, n) != (gssize)n || lseek(fd, 0, SEEK_SET) != 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
		            "cannot hold the profile for vpnc --check-config: %s", g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return FALSE;
	}
	out = editor_run(argv, NULL, fd, error);
	if (out == NULL)
		return FALSE;
	g_bytes_unref(out);
	return TRUE;
}

static NMConnection *editor_import(NMVpnEditorPlugin *plugin, const char *path, GError **error)
{
	NMConnection *c = NULL;
	NMSettingConnection *s_con;
	NMSettingVpn *s_vpn;
	char *abs = NULL, *base = NULL, *uuid = NULL, *dot;
	GBytes *text = NULL;
	struct vpnc_nm_scan need;
	struct stat st;
	const char *d = NULL;
	gsize n = 0;

	abs = realpath(path, NULL);
	if (abs == NULL || stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "%s is not a readable profile file", path);
		goto out;
	}
	text = editor_inline(abs, TRUE, error);
	if (text == NULL || !editor_check(text, error))
		goto out;
	d = g_bytes_get_data(text, &n);
	vpnc_nm_scan_profile(d != NULL ? d : "", n, &need);

	c = nm_simple_connection_new();
	s_con = NM_SETTING_CONNECTION(nm_setting_connection_new());
	base = g_path_get_basename(abs);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base && (strcmp(dot, ".ovpn") == 0 || strcmp(dot, ".conf") == 0))
		*dot = '\0';
	uuid = nm_utils_uuid_generate();
	g_object_set(s_con, NM_SETTING_CONNECTION_ID, base, NM_SETTING_CONNECTION_UUID, uuid,
	             NM_SETTING_CONNECTION_TYPE, NM_SETTING_VPN_SETTING_NAME, NULL);
	/* The importing user's own connection: the service reads the file with their rights. */
	if (getuid() != 0) {
		struct passwd *pw = getpwuid(getuid());

		if (pw == NULL) {
			g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
			            "the importing user (uid %u) has no name", (unsigned)getuid());
			g_clear_object(&c);
			g_object_unref(s_con);
			goto out;
		}
		nm_setting_connection_add_permission(s_con, "user", pw->pw_name, NULL);
	}
	nm_connection_add_setting(c, NM_SETTING(s_con));

	s_vpn = NM_SETTING_VPN(nm_setting_vpn_new());
	g_object_set(s_vpn, NM_SETTING_VPN_SERVICE_TYPE, VPNC_NM_SERVICE, NULL);
	nm_setting_vpn_add_data_item(s_vpn, VPNC_NM_DATA_CONFIG, abs);
	/* Asked for at each connect and kept by the user's agent (GNOME keyring), not in the file. */
	if (need.password)
		nm_setting_set_secret_flags(NM_SETTING(s_vpn), VPNC_NM_SECRET_PASSWORD,
		                            NM_SETTING_SECRET_FLAG_AGENT_OWNED, NULL);
	if (need.key_pass)
		nm_setting_set_secret_flags(NM_SETTING(s_vpn), VPNC_NM_SECRET_CERT_PASS,
		                            NM_SETTING_SECRET_FLAG_AGENT_OWNED, NULL);
	/* A one-time code is asked when vpnc asks it, and never kept. */
	if (need.challenge)
		nm_setting_set_secret_flags(NM_SETTING(s_vpn), VPNC_NM_SECRET_CHALLENGE,
		                            NM_SETTING_SECRET_FLAG_NOT_SAVED, NULL);
	nm_connection_add_setting(c, NM_SETTING(s_vpn));
out:
	if (text != NULL) {
		d = g_bytes_get_data(text, &n);
		if (d != NULL)
			explicit_bzero((char *)d, n);
		g_bytes_unref(text);
	}
	free(abs);
	g_free(base);
	g_free(uuid);
	return c;
}

static gboolean editor_export(NMVpnEditorPlugin *plugin, const char *path, NMConnection *connection,
                              GError **error)
{
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);
	const char *config = s_vpn != NULL ? nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_CONFIG) : NULL;
	GBytes *text;
	gsize n;
	const char *d;
	gboolean ok = FALSE;
	int fd;

	if (config == NULL || !g_path_is_absolute(config)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_INVALID_CONNECTION,
		            "the connection has no vpn.data config= profile to export");
		return FALSE;
	}
	text = editor_inline(config, FALSE, error);
	if (text == NULL)
		return FALSE;
	d = g_bytes_get_data(text, &n);
	/* 0600: the self-contained profile may hold a private key. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || (n > 0 && write(fd, d, n) != (gssize)n) || fsync(fd) < 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED, "cannot write %s: %s",
		            path, g_strerror(errno));
	} else {
		ok = TRUE;
	}
	if (fd >= 0)
		close(fd);
	if (d != NULL)
		explicit_bzero((char *)d, n);
	g_bytes_unref(text);
	return ok;
}

static char *editor_suggested_filename(NMVpnEditorPlugin *plugin, NMConnection *connection)
{
	const char *id = nm_connection_get_id(connection);
	char *name = g_strdup_printf("%s.ovpn", id != NULL && *id != '\0' ? id : "vpnc");

	/* No directory part can come from the connection's name. */
	g_strdelimit(name, "/", '_');
	return name;
}

static NMVpnEditorPluginCapability editor_capabilities(NMVpnEditorPlugin *plugin)
{
	return NM_VPN_EDITOR_PLUGIN_CAPABILITY_IMPORT | NM_VPN_EDITOR_PLUGIN_CAPABILITY_EXPORT |
	       NM_VPN_EDITOR_PLUGIN_CAPABILITY_IPV6;
}

static NMVpnEditor *editor_get_editor(NMVpnEditorPlugin *plugin, NMConnection *connection, GError **error)
{
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
	            "vpnc's plugin has no graphical editor: the .ovpn profile is the configuration "
	            "(import it, or change vpn.data with nmcli connection modify)");
	return NULL;
}

static void editor_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	switch (prop_id) {
	case PROP_NAME:
		g_value_set_string(value, "vpnc (OpenVPN compatible)");
		break;
	case PROP_DESC:
		g_value_set_string(value, "OpenVPN profiles (.ovpn), connected by vpnc");
		break;
	case PROP_SERVICE:
		g_value_set_string(value, VPNC_NM_SERVICE);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void vpnc_nm_editor_iface_init(NMVpnEditorPluginInterface *iface)
{
	iface->get_editor = editor_get_editor;
	iface->get_capabilities = editor_capabilities;
	iface->import_from_file = editor_import;
	iface->export_to_file = editor_export;
	iface->get_suggested_filename = editor_suggested_filename;
}

static void vpnc_nm_editor_plugin_init(VpncNmEditorPlugin *p)
{
}

static void vpnc_nm_editor_plugin_class_init(VpncNmEditorPluginClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = editor_get_property;
	g_object_class_override_property(object_class, PROP_NAME, NM_VPN_EDITOR_PLUGIN_NAME);
	g_object_class_override_property(object_class, PROP_DESC, NM_VPN_EDITOR_PLUGIN_DESCRIPTION);
	g_object_class_override_property(object_class, PROP_SERVICE, NM_VPN_EDITOR_PLUGIN_SERVICE);
}

G_MODULE_EXPORT NMVpnEditorPlugin *nm_vpn_editor_plugin_factory(GError **error)
{
	return g_object_new(vpnc_nm_editor_plugin_get_type(), NULL);
}
