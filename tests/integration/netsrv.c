// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tiny servers and clients for the uplink tests (built static, so that a
 * sandbox can run it from a bind; busybox's nc here has no UDP, and python
 * or socat may be missing).
 *
 *   netsrv tcp ADDR PORT TAG     listen on ADDR:PORT; for every connection
 *                                print "peer ADDR" (the client's address as
 *                                this server sees it), read the request (up
 *                                to an empty line, or 1 s) and answer with a
 *                                minimal HTTP/1.0 response whose body is
 *                                "TAG\n" (so curl and nc both work)
 *   netsrv udp ADDR PORT TAG     likewise for datagrams: "peer ADDR", and
 *                                the answer "TAG\n" to the sender
 *   netsrv udpsend ADDR PORT [MS]
 *                                send one datagram from a connected socket,
 *                                print the answer; on ICMP errors print the
 *                                errno's name (ECONNREFUSED, EHOSTUNREACH,
 *                                ...) and exit 2; no answer within MS
 *                                milliseconds (default 2000): "timeout", 3
 *   netsrv connect ADDR PORT [MS]
 *                                TCP connect, send "GET / HTTP/1.0", print
 *                                the body of the answer; a failed connect
 *                                prints the errno's name and exits 2; no
 *                                connection within MS ms: "timeout", 3
 *
 * The servers print "listening" once bound, and flush every line, so a test
 * can wait for it in their output file. They run until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ECONNRESET: return "ECONNRESET";
	case EPROTO: return "EPROTO";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "EUNKNOWN";
	}
}

/* A numeric address and port (inet_pton, not getaddrinfo: this is linked
 * statically, and glibc's resolver would want its shared libraries). */
static int resolve(const char *addr, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char *end;
	long p = strtol(port, &end, 10);
	memset(ss, 0, sizeof *ss);
	if (*port == 0 || *end || p < 0 || p > 65535) {
		fprintf(stderr, "netsrv: %s: not a port\n", port);
		exit(1);
	}
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		*len = sizeof *a4;
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		*len = sizeof *a6;
	} else {
		fprintf(stderr, "netsrv: %s: not an IPv4 or IPv6 address\n", addr);
		exit(1);
	}
	return ss->ss_family;
}

static void peer(const struct sockaddr_storage *ss)
{
	char h[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, h, sizeof h);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, h, sizeof h);
	printf("peer %s\n", h);
	fflush(stdout);
}

static void die(const char *what)
{
	fprintf(stderr, "netsrv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int bound(const char *addr, const char *port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(addr, port, &ss, &len);
	int fd = socket(fam, type | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		die("listen");
	printf("listening\n");
	fflush(stdout);
	return fd;
}

static void serve_tcp(const char *addr, const char *port, const char *tag)
{
	int fd = bound(addr, port, SOCK_STREAM);
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int c = accept(fd, (struct sockaddr *)&ss, &len);
		if (c < 0)
			continue;
		peer(&ss);
		/* Read the request: up to an empty line, or 1 s of silence. */
		char req[4096];
		size_t n = 0;
		struct pollfd p = { .fd = c, .events = POLLIN };
		while (n < sizeof req - 1 && poll(&p, 1, 1000) > 0) {
			ssize_t r = read(c, req + n, sizeof req - 1 - n);
			if (r <= 0)
				break;
			n += r;
			req[n] = 0;
			if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
				break;
		}
		char resp[512];
		int m = snprintf(resp, sizeof resp,
				 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
				 strlen(tag) + 1, tag);
		if (write(c, resp, m) < 0) {
			/* the client went away; nothing to do */
		}
		shutdown(c, SHUT_WR);
		close(c);
	}
}

static void serve_udp(const char *addr, const char *port, const char *tag)
{
	int fd = bound(addr, port, SOCK_DGRAM);
	char buf[2048], out[512];
	int m = snprintf(out, sizeof out, "%s\n", tag);
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&ss, &len) < 0)
			continue;
		peer(&ss);
		sendto(fd, out, m, 0, (struct sockaddr *)&ss, len);
	}
}

static int client(const char *addr, const char *port, int type, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(addr, port, &ss, &len);
	int fd = socket(fam, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		printf("%s\n", errname(errno));
		exit(2);
	}
	if (type == SOCK_STREAM) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof err;
		if (poll(&p, 1, ms) == 0) {
			printf("timeout\n");
			exit(3);
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			printf("%s\n", errname(err));
			exit(2);
		}
	}
	return fd;
}

/* Read everything until EOF or MS ms of silence into buf. */
static size_t slurp(int fd, char *buf, size_t size, int ms, int once)
{
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (n < size - 1) {
		int r = poll(&p, 1, ms);
		if (r == 0) {
			printf("timeout\n");
			exit(3);
		}
		ssize_t k = read(fd, buf + n, size - 1 - n);
		if (k < 0) {
			if (errno == EAGAIN)
				continue;
			printf("%s\n", errname(errno));
			exit(2);
		}
		if (k == 0)
			break;
		n += k;
		if (once)
			break;
	}
	buf[n] = 0;
	return n;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "tcp"))
		serve_tcp(argv[2], argv[3], argv[4]);
	else if (argc >= 5 && !strcmp(argv[1], "udp"))
		serve_udp(argv[2], argv[3], argv[4]);
	else if (argc >= 4 && !strcmp(argv[1], "udpsend")) {
		int ms = argc > 4 ? atoi(argv[4]) : 2000;
		int fd = client(argv[2], argv[3], SOCK_DGRAM, ms);
		char buf[2048];
		if (send(fd, "ping\n", 5, 0) < 0) {
			printf("%s\n", errname(errno));
			return 2;
		}
		slurp(fd, buf, sizeof buf, ms, 1);
		fputs(buf, stdout);
		return 0;
	} else if (argc >= 4 && !strcmp(argv[1], "connect")) {
		int ms = argc > 4 ? atoi(argv[4]) : 2000;
		int fd = client(argv[2], argv[3], SOCK_STREAM, ms);
		char buf[4096];
		const char *req = "GET / HTTP/1.0\r\n\r\n";
		if (write(fd, req, strlen(req)) < 0) {
			printf("%s\n", errname(errno));
			return 2;
		}
		slurp(fd, buf, sizeof buf, ms, 0);
		char *body = strstr(buf, "\r\n\r\n");
		fputs(body ? body + 4 : buf, stdout);
		return 0;
	} else {
		fprintf(stderr, "usage: netsrv tcp|udp ADDR PORT TAG | udpsend|connect ADDR PORT [MS]\n");
		return 1;
	}
	return 0;
}
