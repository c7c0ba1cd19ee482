/**
 * @file
 * @brief rtio-agent-posix: the agent as a Linux process serving the protocol on a pseudo-terminal.
 *
 *   rtio-agent-posix --link <path> [--seed N] [--echo] [--modem-lines <socket path>]
 *
 * With --echo it serves no protocol: it writes every byte it reads straight back, on the same
 * kind of pty, as bench/link's raw baseline, and answers a shaped request (core/echo.h) with a
 * frame of the length asked for.
 *
 * A pty has no modem lines, so the DTR and RTS a host (or ser2net, for an RFC 2217 client) sets
 * on it cannot reach the agent through the pty. With --modem-lines the agent binds a unix
 * datagram socket at <path> and takes each datagram as the lines' levels: one byte, bit 0 DTR,
 * bit 1 RTS (1 = asserted), sent by whatever gives the pty its modem lines (the tests run
 * ser2net with test/farm/pty-modem-lines.c preloaded). The board behind it has the auto-reset
 * circuit of ESP32 development boards: its reset input is held low while RTS is asserted and
 * DTR is not, and it boots when it is released, so the board file sequence
 * [{"dtr":false,"rts":true},{"waitMs":100},{"rts":false}] resets it. While held in reset the
 * agent runs nothing and drops what it receives; each change is logged on stderr.
 *
 * Opens a pty (openpty), puts it in raw mode, keeps the slave open itself (so the master never
 * sees EIO/HUP while no host has it open), points a symlink at <path> to the slave (replacing a
 * stale symlink, never anything else), prints `ready <path>` on stdout once serving, and serves
 * with one poll loop that sleeps until a byte arrives or the agent's next due time. The due time
 * is an absolute CLOCK_MONOTONIC deadline on a timerfd, so a process that was stopped (SIGSTOP,
 * a debugger, a frozen container) wakes at once when it continues instead of sleeping the rest
 * of a relative timeout. The frames the agent writes while the loop handles what it read go out
 * together, in one write before the loop sleeps, except that what a frame produced goes out at
 * once when more bytes of the same read wait (the host then works on it while the agent works on
 * the rest); the timer is re-armed only when the agent is due earlier than it is armed for. SIGUSR1 resets the board as its reset button would (a new boot nonce,
 * announced at once; the host is not told otherwise). SIGTERM, SIGINT and SIGHUP end it cleanly,
 * removing the link; exit status 0, or 1 on a setup error, 2 on a usage error.
 *
 * The iodevs are the simulated reference board (sim/board.h, seeded with --seed, default 1, as
 * the TS emulator's board), its test iodev (test0) included. Time is CLOCK_MONOTONIC in µs since the last (re)boot; the boot nonce comes
 * from getrandom() (/dev/urandom as a fallback). A Reset packet re-initialises the board and
 * the agent with a new nonce and discards unread input, as a board reset would.
 *
 * The host should discard stale input when it opens the link: frames the agent wrote while no
 * host had it open wait in the pty.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "echo.h"

#include "../../sim/board.h"

#define BOARD_NAME "reference board"

#ifndef AGENT_POSIX_VERSION
#define AGENT_POSIX_VERSION "0.1.0"
#endif

#if defined(__VERSION__)
#define BUILD_ID "rtio-agent-posix " AGENT_POSIX_VERSION " (" BOARD_NAME "; cc " __VERSION__ ")"
#else
#define BUILD_ID "rtio-agent-posix " AGENT_POSIX_VERSION " (" BOARD_NAME ")"
#endif

struct port {
	int master;
	int slave;
	char slave_name[PATH_MAX];
	const char *link_path;
	uint64_t boot_us;
	uint32_t seed;
	bool reset_requested;
	unsigned long dropped_bytes;
	const char *lines_path; /* --modem-lines: where DTR/RTS levels arrive, or NULL */
	int lines_fd;
	bool held_in_reset; /* RTS asserted and DTR not: the reset input is low */
};

static struct port port = { .master = -1, .slave = -1, .seed = 1u, .lines_fd = -1 };
static struct agent agent;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reset_signal;

static struct sim_board board;

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t port_now(void *ctx)
{
	(void)ctx;
	return mono_us() - port.boot_us;
}

/* Writes all of @p len bytes; when nobody reads the pty for a while, drops the rest (the link recovers). */
static void write_or_drop(const uint8_t *data, size_t len)
{
	while (len > 0u) {
		ssize_t n = write(port.master, data, len);

		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { port.master, POLLOUT, 0 };

			if (poll(&p, 1, 50) > 0) {
				continue;
			}
		}
		port.dropped_bytes += len;
		return;
	}
}

/*
 * Frames the agent writes while the loop handles what it read wait here and go out in one
 * write(2) before the loop sleeps, or when more read bytes wait (port_flush): a burst of
 * Completes costs the agent one system call and the host one wake-up, not one per frame. A frame
 * that does not fit flushes first.
 */
static uint8_t out_buf[16384];
static size_t out_len;

static void port_flush(void)
{
	if (out_len > 0u) {
		write_or_drop(out_buf, out_len);
		out_len = 0u;
	}
}

static void port_write(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (out_len + len > sizeof(out_buf)) {
		port_flush();
	}
	if (len > sizeof(out_buf)) {
		write_or_drop(data, len);
		return;
	}
	memcpy(out_buf + out_len, data, len);
	out_len += len;
}

static void port_reset(void *ctx)
{
	(void)ctx;
	port.reset_requested = true;
}

static uint32_t random_nonce(void)
{
	uint32_t v = 0u;
	int fd;

	if (getrandom(&v, sizeof(v), 0) == (ssize_t)sizeof(v)) {
		return v;
	}
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, &v, sizeof(v));

		close(fd);
		if (n == (ssize_t)sizeof(v)) {
			return v;
		}
	}
	return (uint32_t)mono_us() ^ (uint32_t)getpid() << 16;
}

/* (Re)boots the board and the agent: time restarts at 0, with a new boot nonce. */
static void boot(void)
{
	struct agent_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	port.boot_us = mono_us();
	sim_board_init(&board, port.seed);
	cfg.iodevs = board.table;
	cfg.iodev_count = SIM_BOARD_IODEVS;
	cfg.write = port_write;
	cfg.now_us = port_now;
	cfg.reset = port_reset;
	cfg.ctx = &port;
	cfg.boot_nonce = random_nonce();
	cfg.build_id = BUILD_ID;
	cfg.ack_delay_us = AGENT_ACK_DELAY_US;
	if (agent_init(&agent, &cfg) != 0) {
		fprintf(stderr, "rtio-agent-posix: the iodev table is invalid\n");
		exit(1);
	}
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1) {
		reset_signal = 1;
	} else {
		stop_signal = sig;
	}
}

/* Points a symlink at @p path to @p target, replacing a symlink (never a file) atomically. */
static int make_link(const char *path, const char *target)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode)) {
		fprintf(stderr, "rtio-agent-posix: %s exists and is not a symlink; not replacing it\n", path);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "rtio-agent-posix: --link path too long\n");
		return -1;
	}
	(void)unlink(tmp);
	if (symlink(target, tmp) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "rtio-agent-posix: cannot link %s to %s: %s\n", path, target, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the link if it is still ours. */
static void remove_link(void)
{
	char target[PATH_MAX];
	ssize_t n;

	if (port.link_path == NULL) {
		return;
	}
	n = readlink(port.link_path, target, sizeof(target) - 1u);
	if (n >= 0) {
		target[n] = '\0';
		if (strcmp(target, port.slave_name) == 0) {
			(void)unlink(port.link_path);
		}
	}
}

static int open_pty(void)
{
	struct termios tio;
	int flags;

	if (openpty(&port.master, &port.slave, port.slave_name, NULL, NULL) != 0) {
		fprintf(stderr, "rtio-agent-posix: openpty: %s\n", strerror(errno));
		return -1;
	}
	if (tcgetattr(port.slave, &tio) == 0) {
		cfmakeraw(&tio);
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		(void)tcsetattr(port.slave, TCSANOW, &tio);
	}
	flags = fcntl(port.master, F_GETFL);
	if (flags < 0 || fcntl(port.master, F_SETFL, flags | O_NONBLOCK) != 0) {
		fprintf(stderr, "rtio-agent-posix: fcntl: %s\n", strerror(errno));
		return -1;
	}
	(void)fcntl(port.master, F_SETFD, FD_CLOEXEC);
	(void)fcntl(port.slave, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Binds the --modem-lines datagram socket, replacing a stale socket (never anything else). */
static int open_modem_lines(void)
{
	struct sockaddr_un addr;
	struct stat st;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(port.lines_path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "rtio-agent-posix: --modem-lines path too long\n");
		return -1;
	}
	memcpy(addr.sun_path, port.lines_path, strlen(port.lines_path) + 1u);
	if (lstat(port.lines_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "rtio-agent-posix: %s exists and is not a socket; not replacing it\n", port.lines_path);
			return -1;
		}
		(void)unlink(port.lines_path);
	}
	port.lines_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (port.lines_fd < 0 || bind(port.lines_fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "rtio-agent-posix: --modem-lines %s: %s\n", port.lines_path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Takes every datagram waiting on the --modem-lines socket: the board's reset input follows
 * RTS && !DTR; releasing it boots the board.
 */
static void read_modem_lines(void)
{
	uint8_t levels;

	while (recv(port.lines_fd, &levels, sizeof(levels), 0) == (ssize_t)sizeof(levels)) {
		bool dtr = (levels & 1u) != 0u;
		bool rts = (levels & 2u) != 0u;
		bool held = rts && !dtr;

		if (held && !port.held_in_reset) {
			fprintf(stderr, "rtio-agent-posix: modem lines DTR %d RTS %d: held in reset\n", dtr, rts);
		} else if (!held && port.held_in_reset) {
			fprintf(stderr, "rtio-agent-posix: modem lines DTR %d RTS %d: released, booting\n", dtr, rts);
			port.reset_requested = true;
		}
		port.held_in_reset = held;
	}
}

/* --echo: write back every byte read, or answer a shaped request (core/echo.h); no protocol. */
static bool echo_mode;

/* Writes all of @p len bytes to the pty (it is non-blocking: waits for room); false on an error. */
static bool write_all(const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(port.master, data + off, len - off);

		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { port.master, POLLOUT, 0 };

			(void)poll(&p, 1, -1);
		} else if (w < 0 && errno != EINTR) {
			fprintf(stderr, "rtio-agent-posix: write: %s\n", strerror(errno));
			return false;
		}
	}
	return true;
}

/* Echoes until a signal; returns the exit status. */
static int serve_echo(const sigset_t *during_poll, uint8_t *buf, size_t len)
{
	static uint8_t out[8192];
	struct echo_state echo;

	echo_init(&echo);
	while (stop_signal == 0) {
		struct pollfd p = { port.master, POLLIN, 0 };
		int r = ppoll(&p, 1, NULL, during_poll);
		size_t used = 0;
		ssize_t n;
		ssize_t i;

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "rtio-agent-posix: ppoll: %s\n", strerror(errno));
			return 1;
		}
		n = read(port.master, buf, len);
		for (i = 0; i < n; i++) {
			struct echo_answer a = echo_take(&echo, buf[i]);
			uint32_t k;

			if (used + 1u + a.reply > sizeof(out)) {
				if (!write_all(out, used)) {
					return 1;
				}
				used = 0;
			}
			if (a.echo) {
				out[used++] = buf[i];
			}
			for (k = 0; k < a.reply; k++) {
				out[used++] = echo_reply_byte(k, a.reply);
			}
		}
		if (!write_all(out, used)) {
			return 1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtio-agent-posix --link <path> [--seed N] [--echo] [--modem-lines <socket path>]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
			port.link_path = argv[++i];
		} else if (strcmp(argv[i], "--echo") == 0) {
			echo_mode = true;
		} else if (strcmp(argv[i], "--modem-lines") == 0 && i + 1 < argc) {
			port.lines_path = argv[++i];
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			char *end = NULL;
			unsigned long v;

			errno = 0;
			v = strtoul(argv[++i], &end, 0);
			if (errno != 0 || end == argv[i] || *end != '\0' || v > UINT32_MAX) {
				fprintf(stderr, "rtio-agent-posix: --seed must be a 32-bit unsigned number, got \"%s\"\n",
					argv[i]);
				exit(2);
			}
			port.seed = (uint32_t)v;
		} else {
			usage();
		}
	}
	if (port.link_path == NULL || port.link_path[0] == '\0') {
		usage();
	}
}

int main(int argc, char **argv)
{
	static uint8_t rx[4096];
	struct sigaction sa;
	int timer;
	uint64_t armed_at = 0u; /* when the timer fires, µs of CLOCK_MONOTONIC; 0: not armed */
	sigset_t block;
	sigset_t during_poll;

	parse_args(argc, argv);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Signals are taken only inside ppoll(), so none is lost between a check and the sleep. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &during_poll);
	sigdelset(&during_poll, SIGTERM);
	sigdelset(&during_poll, SIGINT);
	sigdelset(&during_poll, SIGHUP);
	sigdelset(&during_poll, SIGUSR1);

	if (open_pty() != 0 || make_link(port.link_path, port.slave_name) != 0) {
		return 1;
	}
	if (port.lines_path != NULL && open_modem_lines() != 0) {
		remove_link();
		return 1;
	}
	if (echo_mode) {
		int status;

		printf("ready %s\n", port.link_path);
		fflush(stdout);
		status = serve_echo(&during_poll, rx, sizeof(rx));
		remove_link();
		close(port.master);
		close(port.slave);
		return status;
	}
	timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer < 0) {
		fprintf(stderr, "rtio-agent-posix: timerfd_create: %s\n", strerror(errno));
		return 1;
	}
	boot();
	printf("ready %s\n", port.link_path);
	fflush(stdout);

	while (stop_signal == 0) {
		struct pollfd p[3] = { { port.master, POLLIN, 0 }, { timer, POLLIN, 0 }, { port.lines_fd, POLLIN, 0 } };
		struct itimerspec due_at;
		uint64_t now;
		uint64_t due;
		int r;

		/* Lines first: a level set before bytes were written to the pty acts before them. */
		if (port.lines_fd >= 0) {
			read_modem_lines();
		}
		if (reset_signal != 0) {
			reset_signal = 0;
			port.reset_requested = true;
		}
		if (port.reset_requested) {
			port.reset_requested = false;
			(void)tcflush(port.master, TCIFLUSH);
			boot();
		}
		now = port_now(NULL);
		due = AGENT_NEVER;
		if (!port.held_in_reset) {
			agent_poll(&agent, now);
			due = agent_next_due_us(&agent);
		}
		/*
		 * An absolute deadline on CLOCK_MONOTONIC: time spent stopped counts. Armed lazily: only
		 * when the agent is due earlier than the timer is armed for (a timer armed too early just
		 * wakes the loop once, which then arms it again), so a busy link costs no syscall per
		 * packet for it.
		 */
		if (due != AGENT_NEVER) {
			uint64_t at = port.boot_us + (due > now ? due : now);

			if (at == 0u) {
				at = 1u; /* 0 would disarm it */
			}
			if (armed_at == 0u || at < armed_at) {
				memset(&due_at, 0, sizeof(due_at));
				due_at.it_value.tv_sec = (time_t)(at / 1000000u);
				due_at.it_value.tv_nsec = (long)(at % 1000000u) * 1000L;
				(void)timerfd_settime(timer, TFD_TIMER_ABSTIME, &due_at, NULL);
				armed_at = at;
			}
		}
		port_flush();
		r = ppoll(p, port.lines_fd >= 0 ? 3 : 2, NULL, &during_poll);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "rtio-agent-posix: ppoll: %s\n", strerror(errno));
			break;
		}
		if ((p[1].revents & POLLIN) != 0) {
			uint64_t expirations;

			(void)!read(timer, &expirations, sizeof(expirations));
			armed_at = 0u; /* it fired: nothing is armed */
		}
		if (port.lines_fd >= 0) {
			read_modem_lines();
		}
		if ((p[0].revents & POLLIN) != 0) {
			ssize_t n = read(port.master, rx, sizeof(rx));
			ssize_t i;

			for (i = 0; i < n && !port.reset_requested && !port.held_in_reset; i++) {
				size_t before = out_len;

				agent_rx_byte(&agent, rx[i]);
				/*
				 * A frame answered while more bytes wait: its answer goes out now, so the host
				 * works on those completions while the agent handles the rest (pipelining).
				 */
				if (out_len > before && i + 1 < n) {
					port_flush();
				}
			}
		} else if ((p[0].revents & (POLLHUP | POLLERR)) != 0) {
			/* Cannot happen while we hold the slave open; do not spin if it does. */
			struct timespec pause = { 0, 10 * 1000 * 1000 };

			nanosleep(&pause, NULL);
		}
	}
	close(timer);
	remove_link();
	if (port.lines_fd >= 0) {
		close(port.lines_fd);
		(void)unlink(port.lines_path);
	}
	close(port.master);
	close(port.slave);
	return 0;
}
