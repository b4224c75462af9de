/*
** stops.h: SIGINT, SIGTERM (and SIGHUP) for a command that must stop
** cleanly instead of dying half-way (runtime/stops.c): the command line's
** database commands and gen's replay.
*/

#include <signal.h>
#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* Catch sigs[0..n) with fn, each masking them all while it runs, their
** old dispositions saved in old[0..n). A signal ignored when the process
** started (a background job's SIGINT) stays ignored. */
void migc__catchstops(const int *sigs, size_t n, void (*fn)(int), struct sigaction *old);

/* Put the dispositions back; then, when caught is a signal (not 0), die
** of it (exit 128 + caught should it not kill). */
void migc__releasestops(const int *sigs, size_t n, const struct sigaction *old, int caught);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
