/*
** testlib.h: what the C test programs share (testlib.c): one [PASS] or
** [FAIL] line per check, prefixed with the program's testname, and a way
** to run a check in a child process, so that a crash fails that check
** instead of ending the program as if the crash were an expected error.
*/

extern const char testname[];  /* each program defines it: "api", "pg api", ... */
extern int nfail;              /* checks failed so far */

void check(int ok, const char *name, const char *detail);

/* f(arg) in a child process: what f returned (at most 99), 100 + the
** signal that ended the child, or -1 when it could not run. */
int inchild(int (*f)(void *), void *arg);
