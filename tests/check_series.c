/* check_series.c: placeholder suite; tests are being written. */
#include <check.h>
#include <stdlib.h>

Suite *series_suite(void);

Suite *
series_suite(void)
{
	Suite *s = suite_create("series");

	suite_add_tcase(s, tcase_create("core"));
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(series_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
