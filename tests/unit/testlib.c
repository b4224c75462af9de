/*
** testlib.c: the checks, the child processes and the calls on a failed
** handle of testlib.h.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include "migc.h"
#include "testlib.h"

int nfail;

void
check(int ok, const char *name, const char *detail)
{
	if (ok) {
		printf("[PASS] %s: %s\n", testname, name);
	} else {
		printf("[FAIL] %s: %s: %s\n", testname, name, detail);
		nfail++;
	}
}

void
checkapimsg(migc *m, int rc, int want, const char *what, const char *name)
{
	const char *msg = migc_errmsg(m), *p;
	char label[512];
	int flag = 0;

	for (p = msg; (p = strstr(p, "--")) != NULL; p += 2)
		flag |= (p[2] >= 'a' && p[2] <= 'z') || (p[2] >= 'A' && p[2] <= 'Z');
	snprintf(label, sizeof(label), "%s (%d; the message names the API, no --flag)", name, want);
	check(rc == want && strstr(msg, what) && !flag, label, msg);
}

int
inchild(int (*f)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		st = f(arg);
		fflush(stdout);
		_exit(st > 99 ? 99 : st);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st)) {
		printf("crashed: signal %d\n", WTERMSIG(st));
		return 100 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/* Did a call give want, and leave the message as msg (unless NULL)? 0
** if so, else 1 after printing what went wrong. */
int
callok(migc *m, const char *what, int rc, int want, const char *msg)
{
	if (rc != want) {
		printf("%s returned %d, not %d: %s\n", what, rc, want, migc_errmsg(m));
		return 1;
	}
	if (msg && strcmp(migc_errmsg(m), msg) != 0) {
		printf("%s changed the message to: %s\n", what, migc_errmsg(m));
		return 1;
	}
	return 0;
}

/*
** Every public function on m returns want and leaves migc_errmsg(m) as
** msg (not compared when msg is NULL). Prints each difference and
** returns their number.
*/
int
everycall(migc *m, int want, const char *msg)
{
	struct migc_state *states = NULL;
	struct migc_drift *drift = NULL;
	size_t n = 0;
	int bad = 0;

#define CALL(expr) (bad += callok(m, #expr, (expr), want, msg))
	CALL(migc_up(m, MIGC_LATEST));
	CALL(migc_up_dry_run(m, MIGC_LATEST));
	CALL(migc_down(m, 1, 0));
	CALL(migc_down(m, 0, 0));
	CALL(migc_redo(m));
	CALL(migc_baseline(m, 1));
	CALL(migc_repair(m, MIGC_REPAIR_ACCEPT_CHECKSUMS, 0));
	CALL(migc_repair(m, MIGC_REPAIR_CLEAR_FAILED, 1));
	CALL(migc_status(m, &states, &n));
	CALL(migc_verify(m));
	CALL(migc_verify_schema(m, &drift, &n));
	CALL(migc_set_table(m, "other_table"));
	CALL(migc_set_schema(m, "other_schema"));
	CALL(migc_set_single_transaction(m, 1));
	CALL(migc_set_lock_timeout(m, 1));
	CALL(migc_set_allow_out_of_order(m, 1));
	CALL(migc_set_resume(m, 1));
	CALL(migc_set_event(m, NULL, NULL));
	CALL(migc_up(m, MIGC_LATEST));
#undef CALL
	if (states || drift || n) {
		printf("status or verify_schema returned results\n");
		bad++;
	}
	return bad;
}

int
everycallf(void *arg)
{
	struct failcase *c = arg;

	return everycall(c->m, c->want, c->msg);
}
