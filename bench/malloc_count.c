/*
 * malloc_count.c: an LD_PRELOAD shim that counts heap allocations of a whole
 * process, for bench/tunnel's "allocs/pkt" figure (vpnc and the stock client).
 *
 * It owns one counter: every malloc, calloc, realloc, reallocarray, memalign,
 * posix_memalign, aligned_alloc, valloc and pvalloc call adds one and then
 * goes to glibc's allocator (__libc_*), so free() stays glibc's own. When the
 * environment names VPNC_MALLOC_COUNT_FILE, a constructor starts one thread
 * that every 100 ms writes the counter in decimal to that file (a "%p" in the
 * name becomes the process id), through a temporary file and rename(), so a
 * reader never sees a partial number. The thread blocks every signal, so the
 * host program's signal handling is unchanged, and it writes with open/write
 * only: the shim's own work allocates nothing after the thread has started.
 *
 * The counter lives in a shared anonymous page (MAP_SHARED), which a fork()
 * without exec() keeps: vpnc's network process under privilege separation
 * (docs/privileges.md) adds to the same counter as its parent, and the
 * parent's thread writes the sum. The child needs no thread, no file and no
 * system call for it, so its empty root and its seccomp filter do not get in
 * the way. A program started with exec() gets a counter (and a file) of its
 * own, as before.
 *
 * glibc only. Not for sanitizer builds, which own malloc themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>

#define MC_PERIOD_NS 100000000L /* how often the counter is written */
#define MC_PATH_MAX 4096        /* longest file name, "%p" expanded */
#define MC_NUM_MAX 24           /* decimal of a 64-bit count, and a newline */

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void *__libc_valloc(size_t n);
extern void *__libc_pvalloc(size_t n);

/* Until the constructor has its shared page: the loader and earlier constructors allocate too. */
static atomic_ulong mc_early;
static atomic_ulong *mc_allocs = &mc_early;
static char mc_path[MC_PATH_MAX];
static char mc_tmp[MC_PATH_MAX];

static inline void mc_count(void)
{
	atomic_fetch_add_explicit(mc_allocs, 1, memory_order_relaxed);
}

void *malloc(size_t n)
{
	mc_count();
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	mc_count();
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	mc_count();
	return __libc_realloc(p, n);
}

void *reallocarray(void *p, size_t a, size_t b)
{
	size_t n;

	if (__builtin_mul_overflow(a, b, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	mc_count();
	return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	mc_count();
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	mc_count();
	return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	mc_count();
	p = __libc_memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	mc_count();
	return __libc_valloc(n);
}

void *pvalloc(size_t n)
{
	mc_count();
	return __libc_pvalloc(n);
}

/* Expands "%p" in the template to the process id; returns -ENAMETOOLONG if it does not fit. */
static int mc_expand(char *out, size_t cap, const char *tmpl)
{
	char pid[MC_NUM_MAX];
	size_t o = 0, plen = 0;
	unsigned long v = (unsigned long)getpid();
	char rev[MC_NUM_MAX];

	do {
		rev[plen++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && plen < sizeof(rev));
	for (size_t i = 0; i < plen; i++)
		pid[i] = rev[plen - 1 - i];
	for (; *tmpl != '\0'; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'p') {
			if (o + plen >= cap)
				return -ENAMETOOLONG;
			memcpy(out + o, pid, plen);
			o += plen;
			tmpl++;
			continue;
		}
		if (o + 1 >= cap)
			return -ENAMETOOLONG;
		out[o++] = *tmpl;
	}
	out[o] = '\0';
	return 0;
}

/* Writes the counter to the file through a temporary name; errors are ignored (the reader sees an old value). */
static void mc_write(void)
{
	char num[MC_NUM_MAX];
	char rev[MC_NUM_MAX];
	unsigned long v = atomic_load_explicit(mc_allocs, memory_order_relaxed);
	size_t n = 0, r = 0;
	int fd;

	do {
		rev[r++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && r < sizeof(rev));
	while (r > 0)
		num[n++] = rev[--r];
	num[n++] = '\n';
	fd = open(mc_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, num, n) != (ssize_t)n) {
		close(fd);
		unlink(mc_tmp);
		return;
	}
	close(fd);
	if (rename(mc_tmp, mc_path) != 0)
		unlink(mc_tmp);
}

static void *mc_writer(void *arg)
{
	const struct timespec period = { 0, MC_PERIOD_NS };

	for (;;) {
		mc_write();
		nanosleep(&period, NULL);
	}
	return NULL;
}

__attribute__((constructor)) static void mc_start(void)
{
	const char *tmpl = getenv("VPNC_MALLOC_COUNT_FILE");
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	size_t len;
	void *page;

	if (tmpl == NULL || tmpl[0] == '\0')
		return;
	/* Still one thread here: nothing counts between the copy and the switch. */
	page = mmap(NULL, sizeof(atomic_ulong), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED) {
		atomic_init((atomic_ulong *)page, atomic_load(&mc_early));
		mc_allocs = page;
	}
	if (mc_expand(mc_path, sizeof(mc_path), tmpl) < 0)
		return;
	len = strlen(mc_path);
	if (len + sizeof(".tmp") > sizeof(mc_tmp))
		return;
	memcpy(mc_tmp, mc_path, len);
	memcpy(mc_tmp + len, ".tmp", sizeof(".tmp"));
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_create(&t, &attr, mc_writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}
