/*
 * A small test harness for sim/tests: CHECK macros that count and report failures, and a runner
 * that prints one line per failed check, one per failed test, and a closing
 * "N passed, N failed" line (tests, not checks). Test-only code: it uses stdio.
 */
#ifndef SIM_TEST_CHECK_H
#define SIM_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct check_state {
	const char *test;
	unsigned checks;
	unsigned failures;       /* in the current test */
	unsigned tests_passed;
	unsigned tests_failed;
};

extern struct check_state check_state;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		check_state.checks++;                                                            \
		if (!(cond)) {                                                                   \
			check_state.failures++;                                                  \
			printf("FAIL %s:%d [%s] %s\n", __FILE__, __LINE__, check_state.test, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                           \
	do {                                                                                     \
		long long check_a_ = (long long)(a);                                             \
		long long check_b_ = (long long)(b);                                             \
		check_state.checks++;                                                            \
		if (check_a_ != check_b_) {                                                      \
			check_state.failures++;                                                  \
			printf("FAIL %s:%d [%s] %s == %s: %lld != %lld\n", __FILE__, __LINE__,   \
			       check_state.test, #a, #b, check_a_, check_b_);                    \
		}                                                                                \
	} while (0)

#define CHECK_U64(a, b)                                                                          \
	do {                                                                                     \
		uint64_t check_a_ = (uint64_t)(a);                                               \
		uint64_t check_b_ = (uint64_t)(b);                                               \
		check_state.checks++;                                                            \
		if (check_a_ != check_b_) {                                                      \
			check_state.failures++;                                                  \
			printf("FAIL %s:%d [%s] %s == %s: %" PRIu64 " != %" PRIu64 "\n", __FILE__, \
			       __LINE__, check_state.test, #a, #b, check_a_, check_b_);          \
		}                                                                                \
	} while (0)

/* Compares n bytes of got with the listed bytes. */
#define CHECK_BYTES(got, n, ...)                                                                 \
	do {                                                                                     \
		static const uint8_t check_want_[] = { __VA_ARGS__ };                            \
		check_bytes_(__FILE__, __LINE__, #got, (got), (n), check_want_, sizeof(check_want_)); \
	} while (0)

void check_bytes_(const char *file, int line, const char *what, const uint8_t *got, size_t n, const uint8_t *want,
		  size_t want_len);

typedef void (*check_test_fn)(void);

struct check_test {
	const char *name;
	check_test_fn fn;
};

/* Runs the tests; returns the process exit status. */
int check_run(const char *suite, const struct check_test *tests, size_t n);

#endif
