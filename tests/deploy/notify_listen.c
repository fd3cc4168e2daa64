/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify_listen.c: wasmd-notify-listen PATH, the service manager's side of
 * sd_notify(3) for the deploy tests. It binds a Unix datagram socket at
 * PATH and prints every message that arrives on one line (the message's
 * own newlines become spaces), flushing each, until it is killed. A test
 * points NOTIFY_SOCKET at PATH and reads the lines: READY=1, STATUS=...,
 * RELOADING=1, STOPPING=1, WATCHDOG=1.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: wasmd-notify-listen PATH\n");
		return 2;
	}
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return 1;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = ' ';
		printf("%s\n", buf);
		fflush(stdout);
	}
}
