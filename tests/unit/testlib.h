/*
** testlib.h: what the C test programs share (testlib.c): one [PASS] or
** [FAIL] line per check, prefixed with the program's testname, and a way
** to run a check in a child process, so that a crash fails that check
** instead of ending the program as if the crash were an expected error;
** and the calls a test makes on a handle that failed to open or wrap.
** Include after migc.h.
*/

extern const char testname[];  /* each program defines it: "api", "pg api", ... */
extern int nfail;              /* checks failed so far */
struct migc;

void check(int ok, const char *name, const char *detail);

/* A check that call's result rc is want and its message on m holds what
** and names no command-line flag ("--" and a letter): the library speaks
** of its API (migc_set_table, migc_repair with MIGC_REPAIR_CLEAR_FAILED),
** and only the command line turns that into --table or repair
** --clear-failed. */
void checkapimsg(struct migc *m, int rc, int want, const char *what, const char *name);

/* f(arg) in a child process: what f returned (at most 99), 100 + the
** signal that ended the child, or -1 when it could not run. */
int inchild(int (*f)(void *), void *arg);

/* Every public function on m returns want and leaves migc_errmsg(m) as
** msg (not compared when msg is NULL).
** Prints each difference and returns their number. everycallf: the same
** for inchild, arg a struct failcase. */
int callok(struct migc *m, const char *what, int rc, int want, const char *msg);
int everycall(struct migc *m, int want, const char *msg);
struct failcase {
	struct migc *m;
	int want;
	const char *msg;
};
int everycallf(void *arg);
