/*
 * slurp.h: reads a small text file whole, for the unit tests that check what
 * a backend or a script wrote (test_dns, test_script). Header-only.
 */
#ifndef VPNC_TEST_SLURP_H
#define VPNC_TEST_SLURP_H

#include <stdio.h>

/* Holds the last file slurp() read; 64 KiB less one byte for the NUL. */
#define SLURP_MAX 65536

/* Returns the file's text, NUL-terminated, in a static buffer that the next call overwrites; NULL if it cannot be opened. */
static inline char *slurp(const char *path)
{
	static char buf[SLURP_MAX];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

#endif
