/*
 * test_log.c: the daemon's log lines as they reach each sink: plain stderr
 * (a file), a terminal (a pseudo-terminal: timestamps), systemd's journal
 * stream ($JOURNAL_STREAM naming stderr: <N> priorities, no timestamps),
 * syslog (the call captured), --log and --log-append files; the verb
 * filter; control characters; and --mute with OpenVPN's exact notes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/daemon/log.c"

#include "../check.h"

/* A message with an explicit --mute category (the daemon's sites take theirs from the format). */
static void log_cat(int level, unsigned cat, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_cat(int level, unsigned cat, const char *fmt, ...)
{
	va_list ap;

	if (!vpnc_log_enabled(level) || !mute_pass(level, cat))
		return;
	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

static char dir[] = "/tmp/vpnc-test-log-XXXXXX";
static char cap_path[256];
static int real_err = -1;

/* Points stderr at a fresh capture file. */
static void capture_start(void)
{
	int fd = open(cap_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		abort();
	close(fd);
}

/* Gives stderr back and returns what was written to the capture file. */
static const char *capture_end(void)
{
	static char buf[8192];
	int fd = open(cap_path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	dup2(real_err, STDERR_FILENO);
	return buf;
}

static void reset_env(void)
{
	unsetenv("JOURNAL_STREAM");
	unsetenv("INVOCATION_ID");
	vpnc_log_close();
	vpnc_log_set_verb(1);
	vpnc_log_set_mute(0);
}

static void test_plain(void)
{
	reset_env();
	capture_start();
	vpnc_log_detect();
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_STDERR);
	vpnc_log(VPNC_LOG_INFO, "connected to %s port %d", "vpn.example.org", 1194);
	vpnc_log(VPNC_LOG_MORE, "not shown at verb 1");
	vpnc_log(VPNC_LOG_FATAL, "fatal: %s", "bad\ncert\x1b[31m");
	vpnc_log_engine(NULL, VPNC_LOG_INFO, "engine says hi");
	vpnc_log_engine(NULL, VPNC_LOG_DEBUG, "engine debug hidden");
	vpnc_log_engine(NULL, VPNC_LOG_NOTE, "a note hidden at verb 1");
	vpnc_log_set_verb(4);
	vpnc_log_engine(NULL, VPNC_LOG_NOTE, "a note shown at verb 4");
	vpnc_log(VPNC_LOG_WARN, "a warning");
	vpnc_log_set_verb(0);
	vpnc_log(VPNC_LOG_WARN, "a warning hidden at verb 0");
	vpnc_log(VPNC_LOG_INFO, "info hidden at verb 0");
	vpnc_log(VPNC_LOG_FATAL, "fatal shown at verb 0");
	vpnc_log_set_verb(-3);
	CHECK(vpnc_log_verb == 0);
	CHECK_STR(capture_end(), "connected to vpn.example.org port 1194\n"
	                         "fatal: bad?cert?[31m\n"
	                         "engine says hi\n"
	                         "a note shown at verb 4\n"
	                         "a warning\n"
	                         "fatal shown at verb 0\n");

	/* A service whose stderr is not the journal (INVOCATION_ID alone): plain lines. */
	reset_env();
	setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
	capture_start();
	vpnc_log_detect();
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_STDERR);
	vpnc_log(VPNC_LOG_INFO, "no timestamp");
	CHECK_STR(capture_end(), "no timestamp\n");
}

static void test_long_line(void)
{
	static char big[3000];
	const char *out;

	reset_env();
	memset(big, 'y', sizeof(big) - 1);
	capture_start();
	vpnc_log(VPNC_LOG_INFO, "%s", big);
	out = capture_end();
	/* Cut to VPNC_LOG_LINE_MAX - 1 bytes including the newline. */
	CHECK(strlen(out) == VPNC_LOG_LINE_MAX - 1);
	CHECK(out[strlen(out) - 1] == '\n' && out[0] == 'y');
}

static void test_journal(void)
{
	struct stat st;
	char js[64];

	reset_env();
	capture_start();
	if (fstat(STDERR_FILENO, &st) < 0)
		abort();
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
	vpnc_log_detect();
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_JOURNAL);
	vpnc_log_set_verb(11);
	vpnc_log(VPNC_LOG_FATAL, "cannot open %s", "/dev/net/tun");
	vpnc_log(VPNC_LOG_WARN, "certificate expires in %d days", 3);
	vpnc_log(VPNC_LOG_INFO, "Initialization Sequence Completed");
	vpnc_log(VPNC_LOG_MORE, "more");
	vpnc_log(VPNC_LOG_NOTE, "note");
	vpnc_log(5, "five");
	vpnc_log(VPNC_LOG_DEBUG, "debug");
	vpnc_log_engine(NULL, 9, "engine\tdebug");
	CHECK_STR(capture_end(), "<3>cannot open /dev/net/tun\n"
	                         "<4>certificate expires in 3 days\n"
	                         "<6>Initialization Sequence Completed\n"
	                         "<6>more\n"
	                         "<6>note\n"
	                         "<7>five\n"
	                         "<7>debug\n"
	                         "<7>engine?debug\n");

	/* JOURNAL_STREAM for another file (stderr was redirected): not the journal. */
	reset_env();
	setenv("JOURNAL_STREAM", "1:2", 1);
	capture_start();
	vpnc_log_detect();
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_STDERR);
	vpnc_log(VPNC_LOG_INFO, "plain");
	CHECK_STR(capture_end(), "plain\n");
	static const char *const bad[] = {"", ":", "12", "12:", ":34", "a:b", "1:2x", "-1:2", "99999999999999999999999:1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		CHECK(!stderr_is_journal());
	}
	CHECK(vpnc_log_priority(VPNC_LOG_FATAL | VPNC_LOG_F_WARN) == LOG_ERR);
}

/* Matches "YYYY-MM-DD HH:MM:SS " at s. */
static bool has_timestamp(const char *s)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd ";

	for (size_t i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

static void test_terminal(void)
{
	char buf[512];
	int master, slave;
	ssize_t n;

	reset_env();
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		fprintf(stderr, "test_log: no pseudo-terminal, terminal case skipped\n");
		return;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0);
	if (slave < 0)
		return;
	dup2(slave, STDERR_FILENO);
	vpnc_log_detect();
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_TERMINAL);
	vpnc_log(VPNC_LOG_INFO, "on a terminal");
	dup2(real_err, STDERR_FILENO);
	n = read(master, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(has_timestamp(buf));
	/* The terminal turns "\n" into "\r\n". */
	CHECK(strncmp(buf + 20, "on a terminal\r\n", 15) == 0 && strlen(buf) == 35);
	close(slave);
	close(master);
}

/* Logs the same call site n times. */
static void same_site(int n)
{
	for (int i = 0; i < n; i++)
		vpnc_log(VPNC_LOG_INFO, "replay from 10.0.0.%d", i + 1);
}

static void test_mute(void)
{
	reset_env();
	vpnc_log_set_mute(3);
	capture_start();
	same_site(6);
	vpnc_log(VPNC_LOG_INFO, "another message");
	same_site(2);
	same_site(1); /* the same site again: the run goes on (3 in a row) */
	same_site(1); /* the 4th: muted */
	vpnc_log(VPNC_LOG_FATAL, "fatal errors are never muted");
	CHECK_STR(capture_end(), "replay from 10.0.0.1\n"
	                         "replay from 10.0.0.2\n"
	                         "replay from 10.0.0.3\n"
	                         "NOTE: --mute triggered...\n"
	                         "3 variation(s) on previous 3 message(s) suppressed by --mute\n"
	                         "another message\n"
	                         "replay from 10.0.0.1\n"
	                         "replay from 10.0.0.2\n"
	                         "replay from 10.0.0.1\n"
	                         "NOTE: --mute triggered...\n"
	                         "1 variation(s) on previous 3 message(s) suppressed by --mute\n"
	                         "fatal errors are never muted\n");

	/* Explicit categories; category 0 is never muted; hidden messages do not count. */
	reset_env();
	vpnc_log_set_mute(2);
	capture_start();
	for (int i = 0; i < 4; i++)
		log_cat(VPNC_LOG_INFO, 7, "cat 7 #%d", i);
	log_cat(VPNC_LOG_DEBUG, 8, "hidden by verb");
	for (int i = 0; i < 3; i++)
		log_cat(VPNC_LOG_INFO, 7, "cat 7 again #%d", i);
	for (int i = 0; i < 3; i++)
		log_cat(VPNC_LOG_INFO, VPNC_LOG_CAT_NONE, "never muted #%d", i);
	for (int i = 0; i < 3; i++)
		vpnc_log(VPNC_LOG_WARN, "warnings neither #%d", i);
	CHECK_STR(capture_end(), "cat 7 #0\n"
	                         "cat 7 #1\n"
	                         "NOTE: --mute triggered...\n"
	                         "5 variation(s) on previous 2 message(s) suppressed by --mute\n"
	                         "never muted #0\n"
	                         "never muted #1\n"
	                         "never muted #2\n"
	                         "warnings neither #0\n"
	                         "warnings neither #1\n"
	                         "warnings neither #2\n");

	/* Engine messages: one category for texts that differ only after a digit or ':'. */
	reset_env();
	vpnc_log_set_mute(1);
	capture_start();
	vpnc_log_engine(NULL, VPNC_LOG_INFO, "Dropped a packet from 10.0.0.1");
	vpnc_log_engine(NULL, VPNC_LOG_INFO, "Dropped a packet from 10.0.0.2");
	vpnc_log_engine(NULL, VPNC_LOG_INFO, "Dropped a packet from 10.0.0.3: replay");
	vpnc_log_engine(NULL, VPNC_LOG_INFO, "Other text");
	vpnc_log_set_mute(0); /* a run in progress is reported when muting changes */
	CHECK_STR(capture_end(), "Dropped a packet from 10.0.0.1\n"
	                         "NOTE: --mute triggered...\n"
	                         "2 variation(s) on previous 1 message(s) suppressed by --mute\n"
	                         "Other text\n");

	/* A run still muted at exit is reported by vpnc_log_close(). */
	reset_env();
	vpnc_log_set_mute(1);
	capture_start();
	same_site(3);
	vpnc_log_close();
	CHECK_STR(capture_end(), "replay from 10.0.0.1\n"
	                         "NOTE: --mute triggered...\n"
	                         "2 variation(s) on previous 1 message(s) suppressed by --mute\n");
	CHECK(text_cat("") != VPNC_LOG_CAT_NONE && site_cat(NULL) != VPNC_LOG_CAT_NONE);
}

static int sys_prio[8], n_sys;
static char sys_msg[8][128];

static void fake_syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	if (n_sys >= 8)
		return;
	sys_prio[n_sys] = prio;
	va_start(ap, fmt);
	vsnprintf(sys_msg[n_sys], sizeof(sys_msg[0]), fmt, ap);
	va_end(ap);
	n_sys++;
}

static void test_syslog(void)
{
	char longname[200];

	reset_env();
	log_syslog_fn = fake_syslog;
	capture_start();
	CHECK(vpnc_log_open_syslog("vpnc-client-edu") == 0);
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_SYSLOG);
	CHECK(strcmp(ident, "vpnc-client-edu") == 0);
	vpnc_log(VPNC_LOG_FATAL, "fatal %d", 1);
	vpnc_log(VPNC_LOG_INFO, "info\nline");
	vpnc_log(VPNC_LOG_MORE, "hidden");
	vpnc_log(VPNC_LOG_WARN, "warn");
	/* syslog adds its own time and name: nothing on stderr. */
	CHECK_STR(capture_end(), "");
	CHECK(n_sys == 3);
	CHECK(sys_prio[0] == LOG_ERR && strcmp(sys_msg[0], "fatal 1") == 0);
	CHECK(sys_prio[1] == LOG_INFO && strcmp(sys_msg[1], "info?line") == 0);
	CHECK(sys_prio[2] == LOG_WARNING && strcmp(sys_msg[2], "warn") == 0);
	vpnc_log_close();
	CHECK(vpnc_log_open_syslog(NULL) == 0 && strcmp(ident, "vpnc") == 0);
	vpnc_log_close();
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(vpnc_log_open_syslog(longname) == 0 && strlen(ident) == VPNC_LOG_IDENT_MAX - 1);
	vpnc_log_close();
	log_syslog_fn = syslog;
}

static const char *read_file(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

static void test_file(void)
{
	char path[300];
	const char *s;
	struct stat st;

	reset_env();
	snprintf(path, sizeof(path), "%s/vpnc.log", dir);
	capture_start();
	CHECK(vpnc_log_open_file(path, false) == 0);
	CHECK(vpnc_log_sink() == VPNC_LOG_SINK_FILE);
	vpnc_log(VPNC_LOG_INFO, "first run");
	fprintf(stderr, "a script's stderr\n");
	vpnc_log_close();
	s = read_file(path);
	CHECK(has_timestamp(s) && strncmp(s + 20, "first run\na script's stderr\n", 28) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* stderr is ours again after close. */
	vpnc_log(VPNC_LOG_INFO, "back on stderr");
	CHECK_STR(capture_end(), "back on stderr\n");

	/* log-append keeps what is there; log truncates. */
	capture_start();
	CHECK(vpnc_log_open_file(path, true) == 0);
	vpnc_log(VPNC_LOG_INFO, "second run");
	vpnc_log_close();
	s = read_file(path);
	CHECK(strstr(s, "first run\n") != NULL && strstr(s, "second run\n") != NULL);
	CHECK(vpnc_log_open_file(path, false) == 0);
	vpnc_log(VPNC_LOG_INFO, "third run");
	/* A log file wins over syslog. */
	CHECK(vpnc_log_open_syslog("x") == 0 && vpnc_log_sink() == VPNC_LOG_SINK_FILE);
	vpnc_log_close();
	s = read_file(path);
	CHECK(strstr(s, "first run") == NULL && strlen(s) == 30 && strcmp(s + 20, "third run\n") == 0);
	CHECK_STR(capture_end(), "");

	snprintf(path, sizeof(path), "%s/missing/vpnc.log", dir);
	CHECK(vpnc_log_open_file(path, false) == -ENOENT);
	CHECK(vpnc_log_sink() != VPNC_LOG_SINK_FILE);
	snprintf(path, sizeof(path), "%s/vpnc.log", dir);
	unlink(path);
}

static void test_setup(void)
{
	struct vpnc_config *conf = calloc(1, sizeof(*conf));
	char path[300];

	reset_env();
	if (conf == NULL)
		abort();
	conf->verb = 4;
	conf->mute = 1;
	CHECK(vpnc_log_setup(conf) == 0);
	CHECK(vpnc_log_verb == 4 && mute_cutoff == 1);
	CHECK(vpnc_log_sink() != VPNC_LOG_SINK_SYSLOG && vpnc_log_sink() != VPNC_LOG_SINK_FILE);

	log_syslog_fn = fake_syslog;
	conf->syslog = true;
	snprintf(conf->syslog_ident, sizeof(conf->syslog_ident), "edu");
	CHECK(vpnc_log_setup(conf) == 0 && vpnc_log_sink() == VPNC_LOG_SINK_SYSLOG && strcmp(ident, "edu") == 0);
	vpnc_log_close();
	log_syslog_fn = syslog;

	snprintf(path, sizeof(path), "%s/setup.log", dir);
	snprintf(conf->log_path, sizeof(conf->log_path), "%s/setup.log", dir);
	capture_start();
	CHECK(vpnc_log_setup(conf) == 0 && vpnc_log_sink() == VPNC_LOG_SINK_FILE);
	vpnc_log_close();
	capture_end();
	unlink(path);
	snprintf(conf->log_path, sizeof(conf->log_path), "%s/no/such/dir.log", dir);
	CHECK(vpnc_log_setup(conf) == -ENOENT);
	free(conf);
	reset_env();
}

/* The config reader fills the logging fields from the options OpenVPN users know. */
#define CFG_BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static struct vpnc_config *parse_cfg(const char *text, int *ret, char *err, size_t errlen)
{
	struct vpnc_config *c = NULL;

	err[0] = '\0';
	*ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, errlen);
	return c;
}

static void test_config_options(void)
{
	char err[512], longname[400];
	struct vpnc_config *c;
	int ret;

	c = parse_cfg(CFG_BASE "verb 4\nmute 20\nsyslog\n", &ret, err, sizeof(err));
	CHECK(ret == 0 && c != NULL);
	if (c != NULL) {
		CHECK(c->verb == 4 && c->mute == 20 && c->syslog && c->syslog_ident[0] == '\0');
		CHECK(c->log_path[0] == '\0');
		vpnc_config_free(c);
	}
	c = parse_cfg(CFG_BASE "syslog vpnc-edu\nlog-append /var/log/vpnc.log\n", &ret, err, sizeof(err));
	CHECK(ret == 0 && c != NULL);
	if (c != NULL) {
		CHECK(c->syslog && strcmp(c->syslog_ident, "vpnc-edu") == 0);
		CHECK(strcmp(c->log_path, "/var/log/vpnc.log") == 0 && c->log_append);
		vpnc_config_free(c);
	}
	/* The later of log and log-append decides. */
	c = parse_cfg(CFG_BASE "log-append /a.log\nlog /b.log\n", &ret, err, sizeof(err));
	CHECK(ret == 0 && c != NULL);
	if (c != NULL) {
		CHECK(strcmp(c->log_path, "/b.log") == 0 && !c->log_append);
		vpnc_config_free(c);
	}
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char text[1024];
	snprintf(text, sizeof(text), CFG_BASE "syslog %.100s\n", longname);
	c = parse_cfg(text, &ret, err, sizeof(err));
	CHECK(ret < 0 && c == NULL && strstr(err, "syslog") != NULL);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), CFG_BASE "log /%.300s\n", longname);
	c = parse_cfg(text, &ret, err, sizeof(err));
	CHECK(ret < 0 && c == NULL);
	vpnc_config_free(c);
	c = parse_cfg(CFG_BASE "mute -1\n", &ret, err, sizeof(err));
	CHECK(ret < 0 && c == NULL);
	vpnc_config_free(c);
	c = parse_cfg(CFG_BASE "log\n", &ret, err, sizeof(err));
	CHECK(ret < 0 && c == NULL);
	vpnc_config_free(c);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cap_path, sizeof(cap_path), "%s/stderr", dir);
	real_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	test_plain();
	test_long_line();
	test_journal();
	test_terminal();
	test_mute();
	test_syslog();
	test_file();
	test_setup();
	test_config_options();
	unlink(cap_path);
	rmdir(dir);
	printf("test_log: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
