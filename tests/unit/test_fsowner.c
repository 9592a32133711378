/*
 * test_fsowner.c: the files a profile names (src/os/fsowner.h): opened with
 * the rights of the profile's owner, the symlink rule (a link only if root
 * or that owner made it, each link of a chain), and the config reader using
 * both. Needs root (it acts as nobody); exit 77 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "os/fsowner.h"
#include "vpnc/config.h"

#include "../check.h"

static char dir[] = "/tmp/vpnc-fsowner-XXXXXX";
/* A server fingerprint, so the profiles need no CA file. */
#define FP                                                                                              \
	"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
static uid_t nobody;
static gid_t nogroup;

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void put(const char *name, const char *text, mode_t mode)
{
	char p[256];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0);
	CHECK(chmod(p, mode) == 0);
}

/* A link NAME -> TARGET owned by uid. */
static void link_as(const char *name, const char *target, uid_t uid)
{
	char p[256];

	path_of(p, sizeof(p), name);
	CHECK(symlink(target, p) == 0 && lchown(p, uid, (gid_t)-1) == 0, "%s", name);
}

static int open_name(const char *name, int flags)
{
	char p[256];
	int fd;

	path_of(p, sizeof(p), name);
	fd = vpnc_fs_open(p, flags, 0600);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

static void test_links(void)
{
	char chain[16];

	put("secret", "s3cret\n", 0600);
	CHECK(open_name("secret", O_RDONLY) == 0, "a plain file");
	link_as("by-root", "secret", 0);
	CHECK(open_name("by-root", O_RDONLY) == 0, "root's link, relative target");
	link_as("by-nobody", "secret", nobody);
	CHECK(open_name("by-nobody", O_RDONLY) == -ELOOP, "nobody's link");
	CHECK(open_name("by-nobody", O_WRONLY | O_CREAT) == -ELOOP, "nobody's link, for writing");
	/* A chain: root -> nobody -> file: the second link is checked too. */
	link_as("chain-root", "by-nobody", 0);
	CHECK(open_name("chain-root", O_RDONLY) == -ELOOP, "a chain through nobody's link");
	/* Root's link to an absolute path, and to a file that does not exist yet (created). */
	{
		char target[256];

		path_of(target, sizeof(target), "made-through-link");
		link_as("abs", target, 0);
		CHECK(open_name("abs", O_WRONLY | O_CREAT) == 0);
		CHECK(access(target, F_OK) == 0, "created through root's link");
	}
	/* More than VPNC_FS_LINKS_MAX links in a row. */
	for (int i = 0; i <= VPNC_FS_LINKS_MAX + 1; i++) {
		char next[16];

		snprintf(chain, sizeof(chain), "l%d", i);
		snprintf(next, sizeof(next), "l%d", i + 1);
		link_as(chain, i == VPNC_FS_LINKS_MAX + 1 ? "secret" : next, 0);
	}
	CHECK(open_name("l0", O_RDONLY) == -ELOOP, "too many links");
	/* /dev/fd/N of a memfd (a procfs link to an open file with no path: the NetworkManager
	 * plugin passes profiles so). */
	{
		char fdpath[32];
		int fd, fd2;

		fd = memfd_create("vpnc-profile", MFD_CLOEXEC);
		CHECK(fd >= 0 && write(fd, "client\n", 7) == 7);
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
		fd2 = vpnc_fs_open(fdpath, O_RDONLY, 0);
		CHECK(fd >= 0 && fd2 >= 0, "%s: %d", fdpath, fd2);
		if (fd2 >= 0)
			close(fd2);
		if (fd >= 0)
			close(fd);
	}
	CHECK(open_name("l2", O_RDONLY) == 0, "a chain within the limit");
}

static void test_owner(void)
{
	struct vpnc_fsowner o;
	gid_t before[VPNC_FS_GROUPS_MAX], after[VPNC_FS_GROUPS_MAX];
	int nb = getgroups(VPNC_FS_GROUPS_MAX, before), na;

	/* Our own uid: nothing changes. */
	CHECK(vpnc_fsowner_enter(&o, geteuid(), getegid()) == 0 && !o.active);
	vpnc_fsowner_leave(&o);

	put("public", "hello\n", 0644);
	link_as("nobody-public", "public", nobody);
	CHECK(vpnc_fsowner_enter(&o, nobody, nogroup) == 0 && o.active);
	CHECK((uid_t)setfsuid((uid_t)-1) == nobody && (gid_t)setfsgid((gid_t)-1) == nogroup);
	CHECK(open_name("secret", O_RDONLY) == -EACCES, "root's 0600 file, as nobody");
	CHECK(open("/etc/shadow", O_RDONLY) < 0 && errno == EACCES, "/etc/shadow, as nobody");
	/* nobody's own link is followed while acting as nobody (to a file nobody may read). */
	CHECK(open_name("nobody-public", O_RDONLY) == 0, "the owner's own link");
	vpnc_fsowner_leave(&o);
	CHECK(!o.active && (uid_t)setfsuid((uid_t)-1) == 0 && (gid_t)setfsgid((gid_t)-1) == getegid());
	na = getgroups(VPNC_FS_GROUPS_MAX, after);
	CHECK(na == nb && memcmp(before, after, (size_t)(na > 0 ? na : 0) * sizeof(gid_t)) == 0, "groups back");
	CHECK(open_name("secret", O_RDONLY) == 0, "root again");
}

/* The config reader: a profile nobody owns cannot make root read root's files. */
static void test_config(void)
{
	char prof[256], secret[256], text[512], err[512];
	struct vpnc_config *conf = NULL;

	path_of(prof, sizeof(prof), "nobody.ovpn");
	path_of(secret, sizeof(secret), "secret");
	snprintf(text, sizeof(text), "client\nremote 192.0.2.1\npeer-fingerprint %s\nauth-user-pass %s\n", FP,
	         secret);
	put("nobody.ovpn", text, 0644);
	CHECK(chown(prof, nobody, nogroup) == 0);
	err[0] = '\0';
	CHECK(vpnc_config_load(prof, 0, NULL, NULL, &conf, err, sizeof(err)) < 0 && conf == NULL);
	CHECK(strstr(err, "Permission denied (read with the rights of the profile's owner, uid 65534)") != NULL ||
	      nobody != 65534, "%s", err);
	CHECK((uid_t)setfsuid((uid_t)-1) == 0, "root's file rights back after the load");
	/* The same profile owned by root reads it, and records root as the owner. */
	CHECK(chown(prof, 0, 0) == 0);
	CHECK(vpnc_config_load(prof, 0, NULL, NULL, &conf, err, sizeof(err)) == 0, "%s", err);
	CHECK(conf != NULL && conf->owner_uid == 0);
	vpnc_config_free(conf);
	/* A profile nobody owns naming a file nobody may read: fine, and nobody is the recorded owner. */
	put("creds", "user\npass\n", 0644);
	path_of(secret, sizeof(secret), "creds");
	snprintf(text, sizeof(text), "client\nremote 192.0.2.1\npeer-fingerprint %s\nauth-user-pass %s\n", FP,
	         secret);
	put("nobody.ovpn", text, 0644);
	CHECK(chown(prof, nobody, nogroup) == 0);
	conf = NULL;
	CHECK(vpnc_config_load(prof, 0, NULL, NULL, &conf, err, sizeof(err)) == 0, "%s", err);
	CHECK(conf != NULL && conf->owner_uid == nobody);
	vpnc_config_free(conf);
}

int main(void)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		printf("test_fsowner: needs root, skipped\n");
		return 77;
	}
	pw = getpwnam("nobody");
	if (pw == NULL) {
		printf("test_fsowner: no user nobody, skipped\n");
		return 77;
	}
	nobody = pw->pw_uid;
	nogroup = pw->pw_gid;
	CHECK(mkdtemp(dir) != NULL);
	CHECK(chmod(dir, 0755) == 0); /* nobody may look inside, as in any profile directory */
	test_links();
	test_owner();
	test_config();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0);
	}
	printf("test_fsowner: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
