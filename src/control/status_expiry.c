/*
 * status_expiry.c: owns reading the two expiry dates of a profile (status.h):
 * the client certificate's notAfter and the eduVPN portal's
 * "# Expires: 2027-02-22T17:32:47+00:00" header comment, plus the warning
 * threshold. Dates are converted with our own calendar arithmetic, so the
 * result does not depend on the time zone or locale of the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "control/status.h"
#include "vpnc/buf.h"

#define EXPIRES_KEY "expires:"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Reads exactly n decimal digits. */
static bool digits(struct vpnc_rd *r, size_t n, unsigned *out)
{
	const uint8_t *p = vpnc_rd_take(r, n);
	unsigned v = 0;

	if (p == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
	return true;
}

static bool lit(struct vpnc_rd *r, char c)
{
	uint8_t b;

	return vpnc_rd_u8(r, &b) && b == (uint8_t)c;
}

static bool peek(const struct vpnc_rd *r, char c)
{
	return r->left > 0 && r->p[0] == (uint8_t)c;
}

int vpnc_status_parse_time(const char *s, size_t len, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	int sign = 0;
	struct vpnc_rd r;
	uint8_t sep;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	vpnc_rd_init(&r, (const uint8_t *)s, len);
	if (!digits(&r, 4, &y) || !lit(&r, '-') || !digits(&r, 2, &mo) || !lit(&r, '-') ||
	    !digits(&r, 2, &d) || !vpnc_rd_u8(&r, &sep) || (sep != 'T' && sep != 't' && sep != ' ') ||
	    !digits(&r, 2, &h) || !lit(&r, ':') || !digits(&r, 2, &mi) || !lit(&r, ':') ||
	    !digits(&r, 2, &sec))
		return -EINVAL;
	if (peek(&r, '.') || peek(&r, ',')) {
		vpnc_rd_take(&r, 1);
		if (r.left == 0 || r.p[0] < '0' || r.p[0] > '9')
			return -EINVAL;
		while (r.left > 0 && r.p[0] >= '0' && r.p[0] <= '9')
			vpnc_rd_take(&r, 1);
	}
	if (peek(&r, 'Z') || peek(&r, 'z')) {
		vpnc_rd_take(&r, 1);
	} else if (peek(&r, '+') || peek(&r, '-')) {
		sign = r.p[0] == '+' ? 1 : -1;
		vpnc_rd_take(&r, 1);
		if (!digits(&r, 2, &oh))
			return -EINVAL;
		if (peek(&r, ':'))
			vpnc_rd_take(&r, 1);
		if (!digits(&r, 2, &om))
			return -EINVAL;
	}
	if (r.left != 0 || r.err)
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 ||
	    oh > 23 || om > 59)
		return -EINVAL;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

int vpnc_status_find_expires(const char *text, size_t len, int64_t *out)
{
	size_t pos = 0;

	if (len > VPNC_STATUS_HEADER_MAX)
		len = VPNC_STATUS_HEADER_MAX;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos, i = 0;

		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n || (line[i] != '#' && line[i] != ';'))
			continue;
		i++;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (n - i < sizeof(EXPIRES_KEY) - 1 ||
		    strncasecmp(line + i, EXPIRES_KEY, sizeof(EXPIRES_KEY) - 1) != 0)
			continue;
		i += sizeof(EXPIRES_KEY) - 1;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		return vpnc_status_parse_time(line + i, n - i, out);
	}
	return -ENOENT;
}

int vpnc_status_profile_expires(const char *path, int64_t *out)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	buf = malloc(VPNC_STATUS_HEADER_MAX);
	if (buf == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	/* At most VPNC_STATUS_HEADER_MAX bytes, in as many reads as the file needs. */
	while (len < VPNC_STATUS_HEADER_MAX) {
		n = read(fd, buf + len, VPNC_STATUS_HEADER_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = vpnc_status_find_expires(buf, len, out);
out:
	free(buf);
	close(fd);
	return ret;
}

int vpnc_status_cert_not_after(const char *pem, int64_t *out)
{
	const ASN1_TIME *t;
	X509 *x = NULL;
	BIO *bio = NULL;
	struct tm tm;
	int ret = -EINVAL;

	if (pem == NULL)
		return -EINVAL;
	bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		goto out;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL)
		goto out;
	t = X509_get0_notAfter(x);
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		goto out;
	*out = days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	                       (unsigned)tm.tm_mday) * 86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	ret = 0;
out:
	if (ret < 0)
		ERR_clear_error(); /* leave no stale error for the TLS code to report */
	X509_free(x);
	BIO_free(bio);
	return ret;
}

int vpnc_status_expiry_level(int64_t expires, int64_t now)
{
	if (expires == 0)
		return 0;
	if (expires <= now)
		return 2;
	return expires - now < VPNC_STATUS_WARN_SECS ? 1 : 0;
}
