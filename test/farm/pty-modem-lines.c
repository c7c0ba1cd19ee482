/**
 * @file
 * @brief Modem lines for a pty, preloaded into ser2net by the farm tests (LD_PRELOAD).
 *
 * A pseudo-terminal has no DTR or RTS: Linux answers TIOCMGET, TIOCMSET, TIOCMBIS and TIOCMBIC
 * on one with ENOTTY, so ser2net cannot honour an RFC 2217 SET-CONTROL on the native agent's or
 * QEMU's pty (and sends no acknowledgement). This library stands in for the copper a real UART
 * bridge has: where the kernel answers ENOTTY to one of those four requests on a tty, it keeps
 * the levels of DTR and RTS itself (both asserted at first, as after an open), answers the
 * request, and sends every change as one datagram to the unix socket named by
 * RTIO_HIL_MODEM_LINES: bit 0 DTR, bit 1 RTS. The posix agent's --modem-lines takes them there.
 * Every other request, and every fd the kernel serves, goes to the real ioctl untouched.
 *
 *   cc -shared -fPIC -o pty-modem-lines.so pty-modem-lines.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define LINES (TIOCM_DTR | TIOCM_RTS)

static int lines = LINES;

/* Sends the current levels to RTIO_HIL_MODEM_LINES; a missing or absent socket is ignored. */
static void report(void)
{
	const char *path = getenv("RTIO_HIL_MODEM_LINES");
	struct sockaddr_un addr;
	unsigned char levels = (unsigned char)(((lines & TIOCM_DTR) != 0 ? 1u : 0u) | ((lines & TIOCM_RTS) != 0 ? 2u : 0u));
	int fd;

	if (path == NULL || strlen(path) >= sizeof(addr.sun_path)) {
		return;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path) + 1u);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return;
	}
	(void)sendto(fd, &levels, 1u, MSG_DONTWAIT, (const struct sockaddr *)&addr, sizeof(addr));
	close(fd);
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int *value;
	int before = lines;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real == NULL) {
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	}
	r = real(fd, request, arg);
	if (r == 0 || errno != ENOTTY || !isatty(fd)) {
		return r;
	}
	value = arg;
	switch (request) {
	case TIOCMGET:
		*value = lines;
		return 0;
	case TIOCMSET:
		lines = *value & LINES;
		break;
	case TIOCMBIS:
		lines |= *value & LINES;
		break;
	case TIOCMBIC:
		lines &= ~(*value & LINES);
		break;
	default:
		return r;
	}
	if (lines != before) {
		report();
	}
	return 0;
}
