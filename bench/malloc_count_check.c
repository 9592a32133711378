/*
 * malloc_count_check.c: shows that the malloc_count.c shim counts the
 * allocations of a forked child that can make no system call at all, as
 * vpnc's network process under privilege separation (empty root, seccomp).
 *
 * Run with the shim preloaded and VPNC_MALLOC_COUNT_FILE naming a file with
 * "%p" (bench/CMakeLists.txt does). It reads its own counter file, forks a
 * child that enters seccomp's strict mode (read, write, exit only) and then
 * allocates and frees N blocks, waits for it, and reads the file again: the
 * difference must be N, give or take the few allocations of the parent's own
 * reading. Exit 0 when it is, 1 when not, 77 without the shim.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_ALLOCS 1000
#define SLACK 50 /* the parent's own allocations between the two readings (stdio, if any) */

/* Through a volatile pointer: the compiler may drop a malloc/free pair it can see. */
static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

/* The counter file of this process: the template with "%p" as its pid. */
static int count_path(char *out, size_t cap)
{
	const char *t = getenv("VPNC_MALLOC_COUNT_FILE"), *p;
	int n;

	if (t == NULL || (p = strstr(t, "%p")) == NULL)
		return -EINVAL;
	n = snprintf(out, cap, "%.*s%ld%s", (int)(p - t), t, (long)getpid(), p + 2);
	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

/* The shim writes every 100 ms: wait for a value written after now. */
static long read_count(const char *path)
{
	const struct timespec wait = {0, 300000000L};
	char buf[32];
	ssize_t n;
	int fd;

	nanosleep(&wait, NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int main(void)
{
	char path[4096];
	long before, after;
	pid_t pid;
	int st;

	if (count_path(path, sizeof(path)) < 0 || read_count(path) < 0) {
		printf("malloc_count_check: run with the shim preloaded and VPNC_MALLOC_COUNT_FILE=...%%p\n");
		return 77;
	}
	/* A block of the child's size in the thread cache: its allocations need no system call. */
	do_free(do_malloc(64));
	before = read_count(path);
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
			syscall(SYS_exit, 3);
		for (int i = 0; i < N_ALLOCS; i++)
			do_free(do_malloc(64));
		syscall(SYS_exit, 0); /* strict mode allows exit, not exit_group */
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("malloc_count_check: the child failed (status %d)\n", pid < 0 ? -1 : st);
		return 1;
	}
	after = read_count(path);
	printf("malloc_count_check: %ld allocations counted across the child's %d\n", after - before, N_ALLOCS);
	return after - before >= N_ALLOCS && after - before <= N_ALLOCS + SLACK ? 0 : 1;
}
