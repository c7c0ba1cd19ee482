/*
 * The C tests' one harness (tests/ and sim/tests/): CHECK macros that count and report failed
 * checks, SKIP to end a test that cannot run here, and a runner. Test-only code: it uses stdio.
 *
 * What a test program prints (test/c-tests.ts reads it; one mocha test per C test):
 *   FAIL <file>:<line> [<test>] <what failed>    one per failed check, before its test's line
 *   ok <suite>: <test>                           a test that passed
 *   not ok <suite>: <test>                       a test with a failed check
 *   ok <suite>: <test> # SKIP <reason>           a test that called SKIP (TAP's words)
 *   <suite>: N tests, N checks[, N vector cases]
 *   <suite>: N passed, N failed, N skipped       the closing line
 * Suite names hold no ": ", test names no " # ". check_run() returns the exit status: 0 when no
 * test failed (skipped ones do not fail), 1 otherwise.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct check_state {
	const char *test;
	unsigned checks;
	unsigned vector_cases;   /* shared-vector cases run (check_vector_case()) */
	unsigned failures;       /* in the current test */
	unsigned tests_passed;
	unsigned tests_failed;
	unsigned tests_skipped;
};

extern struct check_state check_state;

#if defined(__GNUC__)
#define CHECK_PRINTF_(fmt, args) __attribute__((format(printf, fmt, args)))
#define CHECK_NORETURN_ __attribute__((noreturn))
#else
#define CHECK_PRINTF_(fmt, args)
#define CHECK_NORETURN_
#endif

/* Counts a check; 0 (and a FAIL line naming the caller) when it failed, else 1. */
int check_(int ok, const char *file, int line, const char *what);
/* The same, with a printf-style explanation after @p what on the FAIL line. */
int check_msg_(int ok, const char *file, int line, const char *what, const char *fmt, ...) CHECK_PRINTF_(5, 6);

/*
 * CHECK(cond), and CHECK_MSG(cond, fmt, ...) with an explanation (CHECK_MSG(n == 2, "n is %d", n)), are
 * expressions: 1 when the check passed, so a test can stop early: if (!CHECK(p != NULL)) return;
 */
#define CHECK(cond) check_((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define CHECK_MSG(cond, ...) check_msg_((cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)

#define CHECK_EQ(a, b)                                                                           \
	do {                                                                                     \
		long long check_a_ = (long long)(a);                                             \
		long long check_b_ = (long long)(b);                                             \
		(void)check_msg_(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b, "%lld != %lld", \
				 check_a_, check_b_);                                            \
	} while (0)

#define CHECK_U64(a, b)                                                                          \
	do {                                                                                     \
		uint64_t check_a_ = (uint64_t)(a);                                               \
		uint64_t check_b_ = (uint64_t)(b);                                               \
		(void)check_msg_(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b,        \
				 "%" PRIu64 " != %" PRIu64, check_a_, check_b_);                  \
	} while (0)

/* Compares n bytes of got with the listed bytes. */
#define CHECK_BYTES(got, n, ...)                                                                 \
	do {                                                                                     \
		static const uint8_t check_want_[] = { __VA_ARGS__ };                            \
		check_bytes_(__FILE__, __LINE__, #got, (got), (n), check_want_, sizeof(check_want_)); \
	} while (0)

void check_bytes_(const char *file, int line, const char *what, const uint8_t *got, size_t n, const uint8_t *want,
		  size_t want_len);

/*
 * Ends the running test as skipped, naming why (a string that outlives the test): for a test that
 * cannot run in this build, never for one that failed. Checks failed before it still fail the test.
 */
#define SKIP(reason) check_skip_(reason)

void check_skip_(const char *reason) CHECK_NORETURN_;

/* Counts one case of a shared vector file (protocol/vectors/) run; the summary reports them. */
void check_vector_case(void);

typedef void (*check_test_fn)(void);

struct check_test {
	const char *name;
	check_test_fn fn;
};

/* Runs the tests in order, prints the summary; returns the process exit status. */
int check_run(const char *suite, const struct check_test *tests, size_t n);

/* One case of a table (a shared vector file's), by its index. */
typedef void (*check_case_fn)(size_t i);
/* The name of case i, as its test's name: a string that outlives the test. */
typedef const char *(*check_case_name_fn)(size_t i);

/*
 * Runs cases 0..n-1 of a table as tests named name(i), each counted as a vector case; prints the
 * summary and returns the exit status, as check_run().
 */
int check_run_cases(const char *suite, size_t n, check_case_name_fn name, check_case_fn fn);

#endif /* TESTS_CHECK_H */
