/*
** url.h: database URLs (url.c): what kind of database a URL names, the
** SQLite URI of a sqlite: URL, and a copy that is safe to print. A header
** of its own because the command line (cli.c), which sees only migc.h
** otherwise, needs the kind and the printable copy too.
*/
#ifndef MIGC_URL_H
#define MIGC_URL_H

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

enum urlkind { URL_BAD, URL_SQLITE, URL_POSTGRES };
enum urlkind migc__urlkind(const char *url, const char **target);
/* The SQLite URI (for SQLITE_OPEN_URI) of urlkind's target of a SQLite
** URL, malloc'd into *uri; readonly: mode=rwc reads as rw. MIGC_INPUT
** with the message in err for an unknown or bad parameter or a %00. */
int migc__sqliteuri(const char *target, int readonly, char **uri, char *err, size_t nerr);
char *migc__redacturl(const char *url);   /* malloc'd copy with any password as *** */

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
#endif
