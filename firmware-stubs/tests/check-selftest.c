/*
 * tests/check.h run on tests with known outcomes, for test/c-tests.test.ts, which reads what this
 * prints the way it reads every C test: one passes, one fails, one skips from a helper, one skips
 * after a failed check (it fails). Not part of `make test`: it exits 1, as it must.
 */
#include "check.h"

static void passes(void)
{
	CHECK(1 + 1 == 2);
	CHECK_EQ(2 * 21, 42);
	CHECK_U64(UINT64_MAX, UINT64_MAX);
	CHECK_BYTES((const uint8_t *)"ab", 2u, 0x61, 0x62);
	check_vector_case();
}

static void fails(void)
{
	int n = 3;

	CHECK_MSG(n == 2, "n is %d", n);
	CHECK(n == 3);
}

static void needs_hardware(void)
{
	SKIP("no such hardware here");
}

static void skips_from_a_helper(void)
{
	CHECK(1);
	needs_hardware();
	CHECK_MSG(0, "SKIP did not end the test");
}

static void fails_then_skips(void)
{
	CHECK_EQ(1, 2);
	SKIP("too late: a check failed");
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = { T(passes), T(fails), T(skips_from_a_helper), T(fails_then_skips) };

	return check_run("check-selftest", tests, sizeof(tests) / sizeof(tests[0]));
}
