/*
** stops.c: catching the signals that ask a command to stop, and dying of
** one once the command has stopped cleanly, so that a parent (a shell, a
** make, an orchestrator) sees the process die of it.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stops.h"

void
migc__catchstops(const int *sigs, size_t n, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < n; i++)
		if (sigaction(sigs[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

void
migc__releasestops(const int *sigs, size_t n, const struct sigaction *old, int caught)
{
	size_t i;

	for (i = 0; i < n; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (!caught)
		return;
	fflush(stdout);
	signal(caught, SIG_DFL);
	raise(caught);
	exit(128 + caught);
}
