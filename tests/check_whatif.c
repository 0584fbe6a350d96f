/* check_whatif.c: placeholder suite; tests are being written. */
#include <check.h>
#include <stdlib.h>

Suite *whatif_suite(void);

Suite *
whatif_suite(void)
{
	Suite *s = suite_create("whatif");

	suite_add_tcase(s, tcase_create("core"));
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(whatif_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
