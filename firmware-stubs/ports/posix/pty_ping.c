/**
 * @file
 * @brief rtio-pty-ping: round trips of one frame on a pty, in C: bench/link's physical floor.
 *
 *   rtio-pty-ping <path> <frame-bytes> <count>
 *
 * Opens @c path (the native agent's --echo pty) raw, discards stale input, then @c count times
 * (after 100 not measured) writes a frame of @c frame-bytes bytes (non-zero filler, 0x00 last)
 * and waits until as many bytes have come back. Prints one JSON line:
 * {"frameBytes":N,"count":N,"minUs":x,"medianUs":x,"maxUs":x}. Exit status 0, 1 on an I/O error,
 * 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Round trips run first and not measured. */
#define WARMUP 100
/* Largest frame and count taken. */
#define MAX_FRAME 4096
#define MAX_COUNT 1000000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Writes the frame and waits until as many bytes came back; 0, or -1 on an error. */
static int round_trip(int fd, const unsigned char *frame, size_t len)
{
	static unsigned char in[MAX_FRAME];
	size_t got = 0;
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, frame + off, len - off);

		if (w < 0 && errno != EINTR) {
			return -1;
		}
		off += w > 0 ? (size_t)w : 0u;
	}
	while (got < len) {
		ssize_t r = read(fd, in, sizeof(in));

		if (r < 0 && errno != EINTR) {
			return -1;
		}
		if (r == 0) {
			return -1;
		}
		got += r > 0 ? (size_t)r : 0u;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char frame[MAX_FRAME];
	struct termios tio;
	double *rtt;
	long bytes;
	long count;
	long i;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: rtio-pty-ping <path> <frame-bytes> <count>\n");
		return 2;
	}
	bytes = strtol(argv[2], NULL, 10);
	count = strtol(argv[3], NULL, 10);
	if (bytes < 2 || bytes > MAX_FRAME || count < 1 || count > MAX_COUNT) {
		fprintf(stderr, "rtio-pty-ping: frame-bytes must be 2..%d and count 1..%d\n", MAX_FRAME, MAX_COUNT);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &tio) != 0) {
		fprintf(stderr, "rtio-pty-ping: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	(void)tcsetattr(fd, TCSANOW, &tio);
	(void)tcflush(fd, TCIOFLUSH);
	for (i = 0; i < bytes - 1; i++) {
		frame[i] = (unsigned char)(1 + i % 250);
	}
	frame[bytes - 1] = 0;
	rtt = malloc((size_t)count * sizeof(*rtt));
	if (rtt == NULL) {
		return 1;
	}
	for (i = 0; i < WARMUP + count; i++) {
		double t0 = now_us();

		if (round_trip(fd, frame, (size_t)bytes) != 0) {
			fprintf(stderr, "rtio-pty-ping: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (i >= WARMUP) {
			rtt[i - WARMUP] = now_us() - t0;
		}
	}
	qsort(rtt, (size_t)count, sizeof(*rtt), cmp_double);
	printf("{\"frameBytes\":%ld,\"count\":%ld,\"minUs\":%.1f,\"medianUs\":%.1f,\"maxUs\":%.1f}\n", bytes, count, rtt[0],
	       rtt[count / 2], rtt[count - 1]);
	free(rtt);
	close(fd);
	return 0;
}
