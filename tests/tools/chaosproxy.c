/*
 * chaosproxy.c: a small UDP and TCP proxy for tests that makes the network
 * bad on purpose.
 *
 * It listens on one address and forwards to exactly one other address, the
 * one given with --connect; it never connects anywhere else. With a seeded
 * PRNG it drops, duplicates, reorders, delays, truncates and corrupts what
 * passes through:
 *
 *   UDP: every datagram, in both directions, independently. The first peer
 *        that sends to the listening socket is the client; replies go to the
 *        address that sent last.
 *   TCP: the byte stream is split into OpenVPN packets by their 2-byte length
 *        prefix. Whole packets may be dropped, duplicated, truncated (the
 *        prefix is rewritten, so the framing stays valid) or corrupted; the
 *        bytes are then written out in pieces of random size with random
 *        pauses between them, so the reader sees packets split across reads
 *        and several packets in one read. Reordering does not apply to TCP.
 *
 * Run time is bounded by --duration (seconds, at most one hour). On exit it
 * prints one line of counters to stderr. Exit status: 0 after the duration
 * or on SIGTERM/SIGINT, 2 on a usage error, 1 on a socket error.
 *
 * Usage:
 *   chaosproxy --udp|--tcp --listen ADDR:PORT --connect ADDR:PORT
 *              [--drop PCT] [--dup PCT] [--reorder PCT] [--delay MS]
 *              [--truncate PCT] [--corrupt PCT] [--seed N] [--duration S]
 * ADDR is an IPv4 address or an IPv6 address in brackets ([fd00::1]:1194).
 * Percentages are integers 0..100.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Largest datagram stored for delayed or reordered sending. */
#define CP_DGRAM_MAX 4096
/* Datagrams held per direction (delay queue). */
#define CP_QUEUE 512
/* A held (reordered) datagram goes out after the next one, or after this long. */
#define CP_HOLD_MS 100
/* TCP: the OpenVPN length prefix and the largest packet it can describe. */
#define CP_TCP_LEN_PREFIX 2
#define CP_TCP_FRAME_MAX (CP_TCP_LEN_PREFIX + 65535)
/* TCP: bytes buffered per direction before we stop reading (back-pressure). */
#define CP_TCP_OUTBUF (256 * 1024)
/* TCP: the largest piece written at once. */
#define CP_TCP_PIECE_MAX 1500
#define CP_TCP_CONNS 4
#define CP_DURATION_MAX 3600

struct cp_opts {
	bool tcp;
	struct sockaddr_storage listen, connect;
	socklen_t listen_len, connect_len;
	unsigned drop, dup, reorder, truncate, corrupt;
	unsigned delay_ms;
	uint64_t seed;
	unsigned duration;
};

struct cp_stats {
	unsigned long in, out, dropped, duped, reordered, truncated, corrupted;
};

static struct cp_opts opt;
static struct cp_stats st;
static uint64_t rng;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* xorshift64*: deterministic for a given --seed. */
static uint64_t cp_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static bool cp_chance(unsigned pct)
{
	return pct > 0 && cp_rand() % 100 < pct;
}

static uint64_t cp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t cp_delay(void)
{
	return opt.delay_ms > 0 ? cp_rand() % (opt.delay_ms + 1) : 0;
}

/* Parses "1.2.3.4:5" or "[v6]:5" into ss. Returns 0 or -1. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *port;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		port = end + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	char *endp;
	long p = strtol(port, &endp, 10);
	if (*port == '\0' || *endp != '\0' || p <= 0 || p > 65535)
		return -1;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static int parse_pct(const char *s, unsigned *out, unsigned max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > (long)max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: chaosproxy --udp|--tcp --listen ADDR:PORT --connect ADDR:PORT\n"
	                "       [--drop PCT] [--dup PCT] [--reorder PCT] [--delay MS] [--truncate PCT]\n"
	                "       [--corrupt PCT] [--seed N] [--duration S]\n");
}

static int parse_args(int argc, char **argv)
{
	bool have_listen = false, have_connect = false, have_mode = false;
	opt.seed = 1;
	opt.duration = 60;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = 0;
		if (strcmp(a, "--udp") == 0 || strcmp(a, "--tcp") == 0) {
			opt.tcp = a[2] == 't';
			have_mode = true;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "--listen") == 0) {
			r = parse_addr(v, &opt.listen, &opt.listen_len);
			have_listen = true;
		} else if (strcmp(a, "--connect") == 0) {
			r = parse_addr(v, &opt.connect, &opt.connect_len);
			have_connect = true;
		} else if (strcmp(a, "--drop") == 0) {
			r = parse_pct(v, &opt.drop, 100);
		} else if (strcmp(a, "--dup") == 0) {
			r = parse_pct(v, &opt.dup, 100);
		} else if (strcmp(a, "--reorder") == 0) {
			r = parse_pct(v, &opt.reorder, 100);
		} else if (strcmp(a, "--truncate") == 0) {
			r = parse_pct(v, &opt.truncate, 100);
		} else if (strcmp(a, "--corrupt") == 0) {
			r = parse_pct(v, &opt.corrupt, 100);
		} else if (strcmp(a, "--delay") == 0) {
			r = parse_pct(v, &opt.delay_ms, 10000);
		} else if (strcmp(a, "--duration") == 0) {
			r = parse_pct(v, &opt.duration, CP_DURATION_MAX);
		} else if (strcmp(a, "--seed") == 0) {
			char *end;
			opt.seed = strtoull(v, &end, 10);
			r = *v == '\0' || *end != '\0' ? -1 : 0;
		} else {
			r = -1;
		}
		if (r != 0)
			return -1;
	}
	if (!have_mode || !have_listen || !have_connect || opt.duration == 0)
		return -1;
	if (opt.listen.ss_family != opt.connect.ss_family)
		return -1;
	rng = opt.seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
	if (rng == 0)
		rng = 1;
	return 0;
}

static int listen_socket(int type)
{
	int one = 1;
	int fd = socket(opt.listen.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&opt.listen, opt.listen_len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, CP_TCP_CONNS) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Corrupts one random byte past the opcode byte, or the opcode byte if that is all there is. */
static void cp_corrupt(uint8_t *p, size_t len)
{
	if (len == 0)
		return;
	size_t at = len > 1 ? 1 + cp_rand() % (len - 1) : 0;
	p[at] ^= (uint8_t)(1 + cp_rand() % 255);
}

/* ---- UDP ---- */

struct cp_dgram {
	bool used, held;
	uint64_t due, seq;
	size_t len;
	uint8_t data[CP_DGRAM_MAX];
};

/* One direction: datagrams waiting for their time. */
struct cp_udp_dir {
	struct cp_dgram q[CP_QUEUE];
	uint64_t seq;
};

static struct cp_udp_dir udp_up, udp_down; /* client->server, server->client */

static void udp_enqueue(struct cp_udp_dir *d, const uint8_t *p, size_t len, uint64_t due, bool held)
{
	for (size_t i = 0; i < CP_QUEUE; i++) {
		struct cp_dgram *g = &d->q[i];
		if (g->used)
			continue;
		g->used = true;
		g->held = held;
		g->due = due;
		g->seq = d->seq++;
		g->len = len;
		memcpy(g->data, p, len);
		return;
	}
	st.dropped++; /* a full queue drops, like a full router */
}

/* Applies the chaos to one datagram and queues what survives. */
static void udp_chaos(struct cp_udp_dir *d, uint8_t *p, size_t len, uint64_t now)
{
	st.in++;
	if (len > CP_DGRAM_MAX) {
		udp_enqueue(d, p, CP_DGRAM_MAX, now, false);
		st.truncated++;
		return;
	}
	if (cp_chance(opt.drop)) {
		st.dropped++;
		return;
	}
	if (len > 1 && cp_chance(opt.truncate)) {
		len = 1 + cp_rand() % (len - 1);
		st.truncated++;
	}
	if (cp_chance(opt.corrupt)) {
		cp_corrupt(p, len);
		st.corrupted++;
	}
	bool held = cp_chance(opt.reorder);
	if (held)
		st.reordered++;
	udp_enqueue(d, p, len, now + (held ? CP_HOLD_MS : cp_delay()), held);
	if (cp_chance(opt.dup)) {
		st.duped++;
		udp_enqueue(d, p, len, now + cp_delay(), false);
	}
}

/* Sends every datagram whose time has come, oldest first; a held one goes out after the next. */
static void udp_flush(struct cp_udp_dir *d, int fd, const struct sockaddr_storage *to, socklen_t tolen,
                      uint64_t now)
{
	for (;;) {
		struct cp_dgram *best = NULL;
		for (size_t i = 0; i < CP_QUEUE; i++) {
			struct cp_dgram *g = &d->q[i];
			if (g->used && g->due <= now && (best == NULL || g->due < best->due ||
			                                 (g->due == best->due && g->seq < best->seq)))
				best = g;
		}
		if (best == NULL)
			return;
		ssize_t n = to != NULL ? sendto(fd, best->data, best->len, 0, (const struct sockaddr *)to, tolen)
		                       : send(fd, best->data, best->len, 0);
		if (n >= 0)
			st.out++;
		best->used = false;
		if (!best->held) {
			/* A packet passed: the held ones may now follow it. */
			for (size_t i = 0; i < CP_QUEUE; i++)
				if (d->q[i].used && d->q[i].held && d->q[i].seq < best->seq) {
					d->q[i].held = false;
					d->q[i].due = now;
				}
		}
	}
}

static int udp_next_due(const struct cp_udp_dir *d, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	for (size_t i = 0; i < CP_QUEUE; i++)
		if (d->q[i].used && d->q[i].due < best)
			best = d->q[i].due;
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : (int)(best - now);
}

static int run_udp(uint64_t end)
{
	static uint8_t buf[65536];
	struct sockaddr_storage client;
	socklen_t client_len = 0;
	int lfd = listen_socket(SOCK_DGRAM);
	int ufd = socket(opt.connect.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (lfd < 0 || ufd < 0 || connect(ufd, (struct sockaddr *)&opt.connect, opt.connect_len) != 0) {
		perror("chaosproxy: udp socket");
		return 1;
	}
	while (!stop) {
		uint64_t now = cp_now_ms();
		if (now >= end)
			break;
		int t = (int)(end - now), a = udp_next_due(&udp_up, now), b = udp_next_due(&udp_down, now);
		if (a >= 0 && a < t)
			t = a;
		if (b >= 0 && b < t)
			t = b;
		struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN}, {.fd = ufd, .events = POLLIN}};
		if (poll(pf, 2, t) < 0 && errno != EINTR)
			break;
		now = cp_now_ms();
		for (int k = 0; k < 64 && (pf[0].revents & POLLIN); k++) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(lfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			client = from;
			client_len = fl;
			udp_chaos(&udp_up, buf, (size_t)n, now);
		}
		for (int k = 0; k < 64 && (pf[1].revents & POLLIN); k++) {
			ssize_t n = recv(ufd, buf, sizeof(buf), 0);
			if (n < 0)
				break;
			if (client_len > 0)
				udp_chaos(&udp_down, buf, (size_t)n, now);
		}
		udp_flush(&udp_up, ufd, NULL, 0, now);
		if (client_len > 0)
			udp_flush(&udp_down, lfd, &client, client_len, now);
	}
	close(lfd);
	close(ufd);
	return 0;
}

/* ---- TCP ---- */

/* One direction of a proxied connection: frame reassembly in, paced bytes out. */
struct cp_tcp_dir {
	uint8_t in[CP_TCP_FRAME_MAX];
	size_t in_len;
	uint8_t out[CP_TCP_OUTBUF];
	size_t out_off, out_len;
	uint64_t next_write;
	bool eof;
};

struct cp_tcp_conn {
	int cfd, sfd;               /* client side (accepted), server side (ours) */
	bool connecting;
	struct cp_tcp_dir up, down; /* client->server, server->client */
};

static struct cp_tcp_conn *conns[CP_TCP_CONNS];

static void tcp_close(size_t i)
{
	if (conns[i] == NULL)
		return;
	close(conns[i]->cfd);
	close(conns[i]->sfd);
	free(conns[i]);
	conns[i] = NULL;
}

static size_t tcp_room(const struct cp_tcp_dir *d)
{
	return sizeof(d->out) - d->out_len;
}

static void tcp_append(struct cp_tcp_dir *d, const uint8_t *p, size_t len)
{
	if (d->out_off > 0) {
		memmove(d->out, d->out + d->out_off, d->out_len - d->out_off);
		d->out_len -= d->out_off;
		d->out_off = 0;
	}
	if (len > tcp_room(d)) {
		st.dropped++;
		return;
	}
	memcpy(d->out + d->out_len, p, len);
	d->out_len += len;
}

/* Takes complete frames out of d->in, applies the chaos, and queues them for writing. */
static void tcp_frames(struct cp_tcp_dir *d)
{
	size_t off = 0;
	while (d->in_len - off >= CP_TCP_LEN_PREFIX) {
		uint8_t *f = d->in + off;
		size_t plen = (size_t)f[0] << 8 | f[1];
		if (d->in_len - off < CP_TCP_LEN_PREFIX + plen)
			break;
		off += CP_TCP_LEN_PREFIX + plen;
		st.in++;
		if (cp_chance(opt.drop)) {
			st.dropped++;
			continue;
		}
		if (plen > 1 && cp_chance(opt.truncate)) {
			plen = 1 + cp_rand() % (plen - 1);
			f[0] = (uint8_t)(plen >> 8);
			f[1] = (uint8_t)plen;
			st.truncated++;
		}
		if (cp_chance(opt.corrupt)) {
			cp_corrupt(f + CP_TCP_LEN_PREFIX, plen);
			st.corrupted++;
		}
		tcp_append(d, f, CP_TCP_LEN_PREFIX + plen);
		if (cp_chance(opt.dup)) {
			tcp_append(d, f, CP_TCP_LEN_PREFIX + plen);
			st.duped++;
		}
		st.out++;
	}
	memmove(d->in, d->in + off, d->in_len - off);
	d->in_len -= off;
}

/* False while the writer is behind (back-pressure): then we stop reading. */
static bool tcp_can_read(const struct cp_tcp_dir *d)
{
	return tcp_room(d) + d->out_off >= CP_TCP_FRAME_MAX * 2;
}

/* Reads what fits from fd into d. Returns -1 on EOF or error. */
static int tcp_read(struct cp_tcp_dir *d, int fd)
{
	if (!tcp_can_read(d))
		return 0;
	size_t want = sizeof(d->in) - d->in_len;
	ssize_t n = read(fd, d->in + d->in_len, want);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n > 0) {
		d->in_len += (size_t)n;
		tcp_frames(d);
	}
	return 0;
}

/* Writes one piece of random size if its time has come. Returns -1 on error. */
static int tcp_write(struct cp_tcp_dir *d, int fd, uint64_t now)
{
	if (d->out_off == d->out_len || now < d->next_write)
		return 0;
	size_t left = d->out_len - d->out_off;
	size_t piece = 1 + cp_rand() % CP_TCP_PIECE_MAX;
	if (piece > left)
		piece = left;
	ssize_t n = write(fd, d->out + d->out_off, piece);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	d->out_off += (size_t)n;
	if (d->out_off == d->out_len)
		d->out_off = d->out_len = 0;
	d->next_write = now + cp_delay();
	return 0;
}

static void tcp_accept(int lfd)
{
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	for (size_t i = 0; i < CP_TCP_CONNS; i++) {
		if (conns[i] != NULL)
			continue;
		struct cp_tcp_conn *c = calloc(1, sizeof(*c));
		int sfd = socket(opt.connect.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (c == NULL || sfd < 0) {
			free(c);
			if (sfd >= 0)
				close(sfd);
			break;
		}
		int r = connect(sfd, (struct sockaddr *)&opt.connect, opt.connect_len);
		if (r != 0 && errno != EINPROGRESS) {
			close(sfd);
			free(c);
			break;
		}
		c->cfd = cfd;
		c->sfd = sfd;
		c->connecting = r != 0;
		conns[i] = c;
		return;
	}
	close(cfd);
}

static int run_tcp(uint64_t end)
{
	int lfd = listen_socket(SOCK_STREAM);
	if (lfd < 0) {
		perror("chaosproxy: tcp listen");
		return 1;
	}
	while (!stop) {
		uint64_t now = cp_now_ms();
		if (now >= end)
			break;
		struct pollfd pf[1 + 2 * CP_TCP_CONNS];
		int t = (int)(end - now);
		pf[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (size_t i = 0; i < CP_TCP_CONNS; i++) {
			struct cp_tcp_conn *c = conns[i];
			pf[1 + 2 * i] = (struct pollfd){.fd = -1};
			pf[2 + 2 * i] = (struct pollfd){.fd = -1};
			if (c == NULL)
				continue;
			pf[1 + 2 * i].fd = c->cfd;
			pf[2 + 2 * i].fd = c->sfd;
			if (c->connecting) {
				pf[2 + 2 * i].events = POLLOUT;
				continue;
			}
			pf[1 + 2 * i].events = tcp_can_read(&c->up) ? POLLIN : 0;
			pf[2 + 2 * i].events = tcp_can_read(&c->down) ? POLLIN : 0;
			struct cp_tcp_dir *dirs[2] = {&c->down, &c->up};
			for (int k = 0; k < 2; k++) {
				struct cp_tcp_dir *d = dirs[k];
				if (d->out_off == d->out_len)
					continue;
				if (d->next_write <= now)
					pf[1 + 2 * i + k].events |= POLLOUT;
				else if ((int)(d->next_write - now) < t)
					t = (int)(d->next_write - now);
			}
		}
		if (poll(pf, 1 + 2 * CP_TCP_CONNS, t) < 0 && errno != EINTR)
			break;
		now = cp_now_ms();
		if (pf[0].revents & POLLIN)
			tcp_accept(lfd);
		for (size_t i = 0; i < CP_TCP_CONNS; i++) {
			struct cp_tcp_conn *c = conns[i];
			if (c == NULL || pf[1 + 2 * i].fd != c->cfd)
				continue; /* accepted during this round */
			short cr = pf[1 + 2 * i].revents, sr = pf[2 + 2 * i].revents;
			if (c->connecting) {
				int err = 0;
				socklen_t el = sizeof(err);
				if (!(sr & (POLLOUT | POLLERR | POLLHUP)))
					continue;
				if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
					tcp_close(i);
					continue;
				}
				c->connecting = false;
				continue;
			}
			bool bad = false;
			if (cr & (POLLIN | POLLHUP | POLLERR))
				bad |= tcp_read(&c->up, c->cfd) != 0;
			if (sr & (POLLIN | POLLHUP | POLLERR))
				bad |= tcp_read(&c->down, c->sfd) != 0;
			bad |= tcp_write(&c->down, c->cfd, now) != 0;
			bad |= tcp_write(&c->up, c->sfd, now) != 0;
			if (bad)
				tcp_close(i);
		}
	}
	for (size_t i = 0; i < CP_TCP_CONNS; i++)
		tcp_close(i);
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) != 0) {
		usage();
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	uint64_t end = cp_now_ms() + (uint64_t)opt.duration * 1000;
	int rc = opt.tcp ? run_tcp(end) : run_udp(end);
	fprintf(stderr,
	        "chaosproxy: in %lu out %lu dropped %lu duplicated %lu reordered %lu truncated %lu corrupted %lu\n",
	        st.in, st.out, st.dropped, st.duped, st.reordered, st.truncated, st.corrupted);
	return rc;
}
