/*
** url.h: database URLs: what kind of database a URL names and the SQLite
** URI of a sqlite: URL (url.c), and copies with their passwords masked
** (secret.c). A header of its own because the command line (cli.c), which
** sees only migc.h otherwise, needs the kind and the printable copy too.
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
/* The command line's SQLite shorthands. migc__barepath: for a URL that
** is a bare file path (app.db, ./data/app.db, /srv/app.db: no scheme, no
** keyword string), the sqlite: URL naming that file as written ('%' and
** '?' encoded), malloc'd; NULL for any other URL or out of memory.
** migc__sqlitefile: the file a sqlite: URL's target names (not a file:
** URI, not :memory:), decoded, malloc'd; NULL when it names none. */
char *migc__barepath(const char *url);
char *migc__sqlitefile(const char *target);
/* Percent-decode s[0..n) into out (at least n + 1 bytes) as SQLite and
** libpq do (%HH; any other '%' is kept); -1 on %00, which either refuses. */
int migc__pctdecode(const char *s, size_t n, char *out);

/*
** Passwords are never printed. migc__redacturl: a copy of a URL or a
** keyword string with each password in it as ***: every one, the first and
** later ones, in each form libpq reads and each one a user may have meant
** (secret.c says which). migc__maskpw: a copy of text, a message libpq or
** the server gave about connecting through url (NULL: none), with every
** occurrence of each of those passwords masked as ***, as written and as
** libpq decodes it, and of each non-NULL, non-empty extra[0..nextra); url
** itself, where text repeats it whole, is shown as migc__redacturl shows
** it. Both malloc'd; NULL when out of memory.
*/
char *migc__redacturl(const char *url);
char *migc__maskpw(const char *text, const char *url, const char *const *extra, size_t nextra);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
#endif
