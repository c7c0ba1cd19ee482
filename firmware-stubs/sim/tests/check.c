/* See check.h. */
#include "check.h"

struct check_state check_state;

void check_bytes_(const char *file, int line, const char *what, const uint8_t *got, size_t n, const uint8_t *want,
		  size_t want_len)
{
	size_t i;

	check_state.checks++;
	if (n == want_len && (n == 0u || memcmp(got, want, n) == 0)) {
		return;
	}
	check_state.failures++;
	printf("FAIL %s:%d [%s] %s:\n  got ", file, line, check_state.test, what);
	for (i = 0; i < n; i++) {
		printf(" %02x", got[i]);
	}
	printf("\n want");
	for (i = 0; i < want_len; i++) {
		printf(" %02x", want[i]);
	}
	printf("\n");
}

int check_run(const char *suite, const struct check_test *tests, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		check_state.test = tests[i].name;
		check_state.failures = 0u;
		tests[i].fn();
		if (check_state.failures == 0u) {
			check_state.tests_passed++;
		} else {
			check_state.tests_failed++;
			printf("FAILED test: %s\n", tests[i].name);
		}
	}
	printf("%s: %u tests, %u checks\n", suite, check_state.tests_passed + check_state.tests_failed, check_state.checks);
	printf("%s: %u passed, %u failed\n", suite, check_state.tests_passed, check_state.tests_failed);
	return check_state.tests_failed == 0u ? 0 : 1;
}
