/* See check.h. SKIP leaves the running test with longjmp back to run_one(). */
#include "check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

struct check_state check_state;

static jmp_buf skip_jump;
static const char *skip_reason;
static int in_test;

static void fail_line(const char *file, int line, const char *what)
{
	check_state.failures++;
	printf("FAIL %s:%d [%s] %s", file, line, check_state.test != NULL ? check_state.test : "-", what);
}

int check_(int ok, const char *file, int line, const char *what)
{
	check_state.checks++;
	if (ok) {
		return 1;
	}
	fail_line(file, line, what);
	printf("\n");
	return 0;
}

int check_msg_(int ok, const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	check_state.checks++;
	if (ok) {
		return 1;
	}
	fail_line(file, line, what);
	printf(": ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 0;
}

void check_bytes_(const char *file, int line, const char *what, const uint8_t *got, size_t n, const uint8_t *want,
		  size_t want_len)
{
	size_t i;

	if (check_(n == want_len && (n == 0u || memcmp(got, want, n) == 0), file, line, what)) {
		return;
	}
	printf("  got ");
	for (i = 0; i < n; i++) {
		printf(" %02x", got[i]);
	}
	printf("\n want");
	for (i = 0; i < want_len; i++) {
		printf(" %02x", want[i]);
	}
	printf("\n");
}

void check_skip_(const char *reason)
{
	if (!in_test) {
		printf("SKIP outside a test: %s\n", reason);
		exit(1);
	}
	skip_reason = reason != NULL && reason[0] != '\0' ? reason : "no reason given";
	longjmp(skip_jump, 1);
}

void check_vector_case(void)
{
	check_state.vector_cases++;
}

/* Runs one test, fn(arg) or fn0(); returns its skip reason, or NULL when it ran to its end. */
static const char *run_one(check_test_fn fn0, check_case_fn fn, size_t arg)
{
	skip_reason = NULL;
	in_test = 1;
	if (setjmp(skip_jump) == 0) {
		if (fn0 != NULL) {
			fn0();
		} else {
			fn(arg);
		}
	}
	in_test = 0;
	return skip_reason;
}

/* Runs one named test and prints its result line. */
static void run_named(const char *suite, const char *name, check_test_fn fn0, check_case_fn fn, size_t arg)
{
	const char *skipped;

	check_state.test = name;
	check_state.failures = 0u;
	skipped = run_one(fn0, fn, arg);
	if (check_state.failures != 0u) {
		check_state.tests_failed++;
		printf("not ok %s: %s\n", suite, name);
	} else if (skipped != NULL) {
		check_state.tests_skipped++;
		printf("ok %s: %s # SKIP %s\n", suite, name, skipped);
	} else {
		check_state.tests_passed++;
		printf("ok %s: %s\n", suite, name);
	}
}

/* Prints the closing lines; returns the exit status. */
static int summarise(const char *suite)
{
	check_state.test = NULL;
	printf("%s: %u tests, %u checks", suite, check_state.tests_passed + check_state.tests_failed + check_state.tests_skipped,
	       check_state.checks);
	if (check_state.vector_cases > 0u) {
		printf(", %u vector cases", check_state.vector_cases);
	}
	printf("\n%s: %u passed, %u failed, %u skipped\n", suite, check_state.tests_passed, check_state.tests_failed,
	       check_state.tests_skipped);
	return check_state.tests_failed == 0u ? 0 : 1;
}

int check_run(const char *suite, const struct check_test *tests, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		run_named(suite, tests[i].name, tests[i].fn, NULL, 0u);
	}
	return summarise(suite);
}

int check_run_cases(const char *suite, size_t n, check_case_name_fn name, check_case_fn fn)
{
	size_t i;

	for (i = 0; i < n; i++) {
		run_named(suite, name(i), NULL, fn, i);
		check_vector_case();
	}
	return summarise(suite);
}
