/*
** testlib.c: the checks and the child processes of testlib.h.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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
