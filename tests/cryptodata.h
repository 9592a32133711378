/*
 * cryptodata.h: reading the captured test vectors in tests/data/crypto/: hex
 * dumps of real OpenVPN 2.6 packets and OpenVPN static key files. Header-only,
 * for the crypto unit tests.
 */
#ifndef VPNC_TEST_CRYPTODATA_H
#define VPNC_TEST_CRYPTODATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a test data file from tests/ (ctest) or the repository root. */
static inline char *slurp(const char *name)
{
	char path[512];
	const char *dirs[] = {"data/crypto/", "tests/data/crypto/", "../tests/data/crypto/"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], name);
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		char *buf = calloc(1, 65536);
		size_t n = buf ? fread(buf, 1, 65535, f) : 0;
		(void)n;
		fclose(f);
		return buf;
	}
	fprintf(stderr, "cannot open %s\n", name);
	return NULL;
}

static inline int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex digits from s (stopping at end or stop), skipping whitespace. */
static inline size_t unhex(const char *s, const char *stop, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s && (stop == NULL || s < stop); s++) {
		int v = hexval((unsigned char)*s);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

/* Parses an OpenVPN static key file into 256 bytes. */
static inline bool load_key(const char *name, uint8_t key[256])
{
	char *t = slurp(name);
	if (t == NULL)
		return false;
	char *b = strstr(t, "-----BEGIN OpenVPN Static key V1-----");
	char *e = b ? strstr(b, "-----END OpenVPN Static key V1-----") : NULL;
	bool ok = false;
	if (b && e) {
		b = strchr(b, '\n');
		ok = b && unhex(b, e, key, 256) == 256;
	}
	free(t);
	return ok;
}

static inline size_t load_hex(const char *name, uint8_t *out, size_t cap)
{
	char *t = slurp(name);
	if (t == NULL)
		return 0;
	size_t n = unhex(t, NULL, out, cap);
	free(t);
	return n;
}

#endif
