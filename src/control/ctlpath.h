/*
 * ctlpath.h: where an instance's control socket lives.
 *
 * The daemon (ctlsock.c) and the client side (cli.c) agree on one rule:
 * the socket of instance NAME is DIR/NAME.sock, where DIR is /run/vpnc for
 * root and $XDG_RUNTIME_DIR/vpnc (else /run/vpnc) for anyone else. The
 * instance name defaults to the config file's name without its directory
 * and its ".conf"/".ovpn" suffix, which is also what the systemd template
 * unit's instance name is. `--control-socket PATH` overrides all of it.
 *
 * Everything here writes into caller buffers and allocates nothing.
 */
#ifndef VPNC_CONTROL_CTLPATH_H
#define VPNC_CONTROL_CTLPATH_H

#include <stddef.h>

/* Room for a socket path: the size of sockaddr_un.sun_path on Linux. */
#define VPNC_CTL_PATH_MAX 108
/* Longest instance name (without the NUL). */
#define VPNC_CTL_INSTANCE_MAX 64
/* The name used when there is no config file to name the instance after. */
#define VPNC_CTL_DEFAULT_INSTANCE "vpnc"
#define VPNC_CTL_SUFFIX ".sock"

/*
 * Returns 0 if name may be an instance name: 1..VPNC_CTL_INSTANCE_MAX bytes
 * of [A-Za-z0-9._@-], not starting with '.'; -EINVAL otherwise.
 */
int vpnc_ctl_instance_valid(const char *name);

/*
 * Derives the instance name from a config path ("/etc/vpnc/work.conf" ->
 * "work"); a NULL path, or a name that would not be valid, gives
 * VPNC_CTL_DEFAULT_INSTANCE. Returns 0 or -ENOSPC.
 */
int vpnc_ctl_instance_from_config(const char *config_path, char *out, size_t cap);

struct vpnc_config;

/* The config file a running vpnc was started with (the profile, else --config), or NULL. */
const char *vpnc_ctl_config_path(const struct vpnc_config *conf);

/*
 * The instance name of a running vpnc: vpnc_ctl_instance_from_config() of
 * vpnc_ctl_config_path(conf). The control socket, the questions' ids and the
 * kill switch's table all use this one name. Returns 0 or -ENOSPC.
 */
int vpnc_ctl_instance_of(const struct vpnc_config *conf, char *out, size_t cap);

/* Writes the directory that holds the sockets for this user. Returns 0 or -ENOSPC. */
int vpnc_ctl_dir(char *out, size_t cap);

/*
 * Writes the socket path of an instance. Returns 0, -EINVAL for a bad
 * instance name, or -ENAMETOOLONG when the path does not fit a socket address.
 */
int vpnc_ctl_path(const char *instance, char *out, size_t cap);

/*
 * Finds the one socket in the directory when no instance was named.
 * Returns 0 and writes its path, -ENOENT if there is none, or -EEXIST if
 * there are several (the caller must then ask for --instance).
 */
int vpnc_ctl_find_single(char *out, size_t cap);

/* The socket path of a system instance (/run/vpnc/NAME.sock), whoever asks. Same returns. */
int vpnc_ctl_system_path(const char *instance, char *out, size_t cap);

/* Most instances `vpnc status` lists at once. */
#define VPNC_CTL_LIST_MAX 32

/*
 * Lists the sockets of running instances, sorted by name: those in this
 * user's directory and, for anyone but root, those in /run/vpnc too (the
 * system's instances, which root or the socket's group may ask; see
 * docs/control.md). Writes up to max paths (each VPNC_CTL_PATH_MAX bytes)
 * and sets *n. Returns 0, or -EACCES when none was found and a directory
 * exists that could not be read (the caller lacks the rights, which is not
 * the same as "not running").
 */
int vpnc_ctl_find_all(char (*out)[VPNC_CTL_PATH_MAX], size_t max, size_t *n);

#endif
