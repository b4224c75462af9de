/*
** cmdimport.c: `migc import --layout TOOL --dialect D SRC DEST`, the
** conversion of another tool's migration directory into migc's layout,
** once (gen/convert.c writes each migration and proves it). Nothing is
** ever overwritten, and nothing is placed before it is proven: the files
** are written into a temporary directory, read back in migc's layout and
** compared with SRC read in the tool's. A DEST that does not exist is that
** directory, renamed into place at once, so that no stop can leave part of
** it; into an existing DEST the files are linked one by one, each by a
** link(2) that fails when the name is taken. SIGINT, SIGTERM and SIGHUP
** remove what was written; then import dies of the signal.
*/
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "layout.h"
#include "load.h"
#include "sum.h"
#include "stops.h"
#include "convert.h"
#include "command.h"

const char importusage[] =
	"usage: migc import --layout TOOL --dialect sqlite|postgres [--no-accept] SRC DEST\n"
	"  Convert the migrations in SRC, read in TOOL's layout (goose, dbmate, sql-migrate,\n"
	"  golang-migrate, sqlx, flyway, refinery), into migc's layout in DEST (made when\n"
	"  missing; it must hold no migrations): the same versions, names and statements,\n"
	"  the tool's transaction options as -- migc: directives. Prints what it did.\n"
	"  An up file whose text changes also accepts (-- migc:also-accept) the checksum it\n"
	"  had in TOOL's layout, which databases that migc ran with --layout TOOL recorded.\n"
	"  --no-accept  leave that out (no database recorded those checksums)\n"
	"exit status: 0 ok, 1 DEST could not be written (nothing is overwritten), 2 bad input,\n"
	"             3 SRC does not match SRC/migc.sum\n";

static const int stopsigs[] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t caught;

static void
onstop(int sig)
{
	caught = sig;
}

/* The files import writes: name and text. */
struct outfile {
	const char *name;
	const char *data;
	size_t len;
};

/* Where they go: a temporary directory, and DEST. */
struct place {
	const char *dest;
	char *tmp;              /* the temporary directory; NULL: none made */
	int whole;              /* tmp becomes DEST (rename); else each file is linked into DEST */
	size_t written, linked; /* files of the list in tmp, and in DEST */
};

static int
writenew(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666), rc = 0;
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (rc == 0 && done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno != EINTR)
			rc = -1;
		else if (n > 0)
			done += (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static void
syncdir(const char *dir)
{
	int fd = open(dir, O_RDONLY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* dest's parent directory and its last name (both malloc'd). */
static void
splitdest(const char *dest, char **parent, char **base)
{
	size_t n = strlen(dest), slash;

	while (n > 1 && dest[n - 1] == '/')
		n--;
	for (slash = n; slash > 0 && dest[slash - 1] != '/'; slash--)
		;
	*base = xmemdup(dest + slash, n - slash);
	*parent = slash == 0 ? xstrdup(".") : slash == 1 ? xstrdup("/") : xmemdup(dest, slash - 1);
}

/*
** Whether dest can take the files: 0 when it is missing (pl->whole) or a
** directory holding no migration file and no migc.sum; else -1 after
** printing why. A directory that cannot be read cannot be shown to hold
** none.
*/
static int
checkdest(const char *dest, struct place *pl)
{
	struct stat st;
	struct dirent *e;
	DIR *dp;
	int rc = 0;

	if (stat(dest, &st) != 0 && errno == ENOENT) {
		pl->whole = 1;
		return 0;
	}
	if (stat(dest, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "migc: error: %s is not a directory (nothing imported)\n", dest);
		return -1;
	}
	if (!(dp = opendir(dest))) {
		fprintf(stderr, "migc: error: cannot read %s: %s (nothing imported)\n", dest, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] != '.' && ((n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0) ||
		                           strcmp(e->d_name, SUMFILE) == 0)) {
			fprintf(stderr, "migc: error: %s already holds %s: import writes into a new directory or one without "
			        "migrations, and overwrites nothing (nothing imported)\n", dest, e->d_name);
			rc = -1;
		}
	}
	closedir(dp);
	return rc;
}

/* Make pl's temporary directory: beside a missing DEST, else inside it. */
static int
maketmp(struct place *pl)
{
	char *parent, *base, *t;
	struct buf name = {0};

	if (pl->whole) {
		splitdest(pl->dest, &parent, &base);
		bufprintf(&name, ".%s.migc-import-XXXXXX", base);
		t = joinpath(parent, name.data);
		free(parent);
		free(base);
	} else {
		t = joinpath(pl->dest, ".migc-import-XXXXXX");
	}
	buffree(&name);
	if (!mkdtemp(t)) {
		fprintf(stderr, "migc: error: cannot write %s: %s (nothing imported)\n", t, strerror(errno));
		free(t);
		return -1;
	}
	pl->tmp = t;
	return 0;
}

/* Write f[0..n) into the temporary directory; 0, or -1 after printing
** why (or when a stop came). */
static int
writetmp(struct place *pl, const struct outfile *f, size_t n)
{
	for (; pl->written < n && !caught; pl->written++) {
		char *p = joinpath(pl->tmp, f[pl->written].name);
		int rc = writenew(p, f[pl->written].data, f[pl->written].len);

		if (rc != 0)
			fprintf(stderr, "migc: error: cannot write %s: %s (nothing imported)\n", p, strerror(errno));
		free(p);
		if (rc != 0)
			return -1;
	}
	return caught ? -1 : 0;
}

/* A mkdtemp directory is 0700: give the one that becomes DEST the mode a
** mkdir would. */
static void
dirmode(const char *dir)
{
	mode_t mask = umask(0);

	umask(mask);
	chmod(dir, 0777 & ~mask);
}

/* Place f[0..n) in DEST; 0, or -1 after printing why. */
static int
placeall(struct place *pl, const struct outfile *f, size_t n)
{
	if (pl->whole) {
		dirmode(pl->tmp);
		syncdir(pl->tmp);
		if (caught || rename(pl->tmp, pl->dest) != 0) {
			if (!caught)
				fprintf(stderr, "migc: error: cannot make %s: %s (nothing imported)\n", pl->dest,
				        errno == EEXIST || errno == ENOTEMPTY ? "it appeared meanwhile, and import overwrites "
				        "nothing" : strerror(errno));
			return -1;
		}
		free(pl->tmp);
		pl->tmp = NULL;
		pl->written = 0;
		return 0;
	}
	for (; pl->linked < n && !caught; pl->linked++) {
		char *from = joinpath(pl->tmp, f[pl->linked].name), *to = joinpath(pl->dest, f[pl->linked].name);
		int rc = link(from, to), err = errno;

		if (rc != 0)
			fprintf(stderr, "migc: error: cannot write %s: %s (nothing imported)\n", to,
			        err == EEXIST ? "it exists, and import overwrites nothing" : strerror(err));
		free(from);
		free(to);
		if (rc != 0)
			return -1;
	}
	syncdir(pl->dest);
	return caught ? -1 : 0;
}

/* Remove what import wrote: after a failure also what it linked into
** DEST, and the temporary directory. */
static void
unplace(struct place *pl, const struct outfile *f, int failed)
{
	size_t i;

	for (i = 0; failed && i < pl->linked; i++) {
		char *p = joinpath(pl->dest, f[i].name);

		unlink(p);
		free(p);
	}
	for (i = 0; pl->tmp && i < pl->written; i++) {
		char *p = joinpath(pl->tmp, f[i].name);

		unlink(p);
		free(p);
	}
	if (pl->tmp)
		rmdir(pl->tmp);
}

/* The table of what import did, on standard output. */
static void
printtable(const struct migc_set *set, const struct converted *cv, const struct converted *rv, const char *tool,
           enum layout layout, const char *dest)
{
	size_t wv = 7, wf = 4, i;
	int changed = 0;

	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];
		char v[24];
		size_t n = strlen(m->up.file);

		if (m->down.file && strcmp(m->down.file, m->up.file) != 0)
			n += 2 + strlen(m->down.file);
		wf = n > wf ? n : wf;
		n = (size_t)snprintf(v, sizeof(v), "%lld", (long long)m->version);
		wv = n > wv ? n : wv;
	}
	for (i = 0; i < set->nrepeatables; i++)
		wf = strlen(set->repeatables[i].up.file) > wf ? strlen(set->repeatables[i].up.file) : wf;
	printf("%-*s  %-*s  %s\n", (int)wv, "version", (int)wf, "from", "to, and what changed");
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];
		struct buf from = {0}, to = {0};
		unsigned a = cv[i].added;

		bufputs(&from, m->up.file);
		if (m->down.file && strcmp(m->down.file, m->up.file) != 0)
			bufprintf(&from, ", %s", m->down.file);
		bufputs(&to, cv[i].up.name);
		if (cv[i].down.name)
			bufprintf(&to, ", %s", cv[i].down.name);
		else
			bufputs(&to, " (no down migration)");
		if (a & CONVERT_MARKS)
			bufprintf(&to, "; %s's marks left out", tool);
		if (a & (CONVERT_NOTX_UP | CONVERT_NOTX_DOWN))
			bufprintf(&to, "; -- migc:no-transaction in %s", (a & CONVERT_NOTX_UP) && (a & CONVERT_NOTX_DOWN)
			          ? "both" : (a & CONVERT_NOTX_UP) ? "the up file" : "the down file");
		if (cv[i].split)
			bufprintf(&to, "; %u block%s sent statement by statement, which runs the same here", cv[i].split,
			          cv[i].split == 1 ? "" : "s");
		if (a & CONVERT_ACCEPT)
			bufprintf(&to, "; also accepts %.11s... (its checksum as %s's)", m->checksum, tool);
		changed |= (a & CONVERT_CHANGED) != 0;
		printf("%-*lld  %-*s  %s\n", (int)wv, (long long)m->version, (int)wf, from.data, to.data);
		buffree(&from);
		buffree(&to);
	}
	for (i = 0; i < set->nrepeatables; i++)
		printf("%-*s  %-*s  %s (repeatable)%s\n", (int)wv, "R", (int)wf, set->repeatables[i].up.file, rv[i].up.name,
		       (rv[i].added & (CONVERT_NOTX_UP | CONVERT_MARKS)) ? "; -- migc:no-transaction added" : "");
	printf("migc: imported %lu migration%s into %s: migc gen of it runs the SQL migc gen --layout %s runs, in the "
	       "same transactions\n", set->count, set->count == 1 ? "" : "s", dest, tool);
	/* These tools record a checksum of each file as they read it, which
	** adopt compares with the file it is given. */
	if ((changed || layout == LAYOUT_FLYWAYDOTTED) &&
	    (layout == LAYOUT_SQLX || flywaylike(layout) || layout == LAYOUT_REFINERY))
		printf("migc: note: %s recorded %s of each file as it was: adopt %s's databases with the files of SRC "
		       "(--layout %s) before switching to these, not with these\n", tool, layout == LAYOUT_FLYWAYDOTTED ?
		       "the version (these files are numbered by flyway-dotted's rule) and a checksum" : "a checksum",
		       tool, tool);
}

/* Names migc's layout would read as other files': a down file, or
** golang-migrate's up file. Each goes to d; 1 when there was one. */
static int
badnames(const char *src, const struct migc_set *set, struct diags *d)
{
	unsigned long i;
	int bad = 0;

	for (i = 0; i < set->count; i++) {
		const char *name = set->migrations[i].name;
		size_t n = strlen(name);
		const char *end = n > 5 && strcmp(name + n - 5, ".down") == 0 ? ".down"
		                : n > 3 && strcmp(name + n - 3, ".up") == 0 ? ".up" : NULL;

		if (end) {
			char *path = joinpath(src, set->migrations[i].up.file);

			diagerror(d, path, 0, 0, "cannot import: its name %s ends in %s, and migc's layout would read "
			          "NNNN_%s.sql as a%s file (rename it)", name, end, name,
			          end[1] == 'd' ? " down migration's" : " golang-migrate up");
			free(path);
			bad = 1;
		}
	}
	return bad;
}

/* Convert set, prove the files, and place them; the exit status. */
static int
importset(const char *src, const char *dest, const char *tool, enum layout layout, enum dialect dialect,
          const struct migc_set *set, int withsum, int accept)
{
	struct converted *cv = xreallocarray(NULL, set->count + 1, sizeof(*cv));
	struct converted *rv = xreallocarray(NULL, set->nrepeatables + 1, sizeof(*rv));
	struct outfile *f = xreallocarray(NULL, 2 * set->count + set->nrepeatables + 1, sizeof(*f));
	struct place pl = { dest, NULL, 0, 0, 0 };
	struct diags d = {{0}, 0, 0, 0}, back = {{0}, 0, 0, 0};
	struct sigaction old[3];
	struct migc_set *rs = NULL;
	struct buf sum = {0};
	size_t nf = 0, i;
	int rc = 1;

	for (i = 0; i < set->count; i++) {
		convert(&set->migrations[i], layout, dialect, accept, &cv[i]);
		f[nf++] = (struct outfile){ cv[i].up.name, cv[i].up.text.data ? cv[i].up.text.data : "", cv[i].up.text.len };
		if (cv[i].down.name)
			f[nf++] = (struct outfile){ cv[i].down.name, cv[i].down.text.data ? cv[i].down.text.data : "",
			                            cv[i].down.text.len };
	}
	/* A repeatable migration keeps its name (R__name.sql) and accepts
	** nothing (an edit is what makes it run). */
	for (i = 0; i < set->nrepeatables; i++) {
		convert(&set->repeatables[i], layout, dialect, 0, &rv[i]);
		free(rv[i].up.name);
		rv[i].up.name = xstrdup(set->repeatables[i].up.file);
		f[nf++] = (struct outfile){ rv[i].up.name, rv[i].up.text.data ? rv[i].up.text.data : "", rv[i].up.text.len };
	}
	caught = 0;
	migc__catchstops(stopsigs, 3, onstop, old);
	if (checkdest(dest, &pl) != 0 || maketmp(&pl) != 0 || writetmp(&pl, f, nf) != 0)
		goto out;
	rs = loadset(pl.tmp, dialect, LAYOUT_MIGC, &back);
	if (rs)
		sameset(src, tool, dialect, set, rs, cv, rv, &d);
	else
		placediags(pl.tmp, src, set, cv, rv, &back.text, &d);
	if (d.nerrors) {
		fputs(d.text.data, stderr);
		fprintf(stderr, "migc: error: %s cannot be written in migc's layout as it is: nothing imported\n", src);
		rc = 2;
		goto out;
	}
	if (withsum) {
		sumwrite(&sum, rs);
		f[nf++] = (struct outfile){ SUMFILE, sum.data, sum.len };
		if (writetmp(&pl, f, nf) != 0)
			goto out;
	}
	if (placeall(&pl, f, nf) == 0) {
		printtable(set, cv, rv, tool, layout, dest);
		rc = 0;
	}
out:
	unplace(&pl, f, rc != 0);
	migc__releasestops(stopsigs, 3, old, caught);
	freeset(rs);
	buffree(&d.text);
	buffree(&back.text);
	buffree(&sum);
	for (i = 0; i < set->count; i++)
		freeconverted(&cv[i]);
	for (i = 0; i < set->nrepeatables; i++)
		freeconverted(&rv[i]);
	free(cv);
	free(rv);
	free(f);
	free(pl.tmp);
	return rc;
}

int
cmdimport(int argc, char **argv)
{
	const char *dialectarg = NULL, *layoutarg = NULL, *src = NULL, *dest = NULL;
	struct sumproblems sp = {NULL, 0, 0};
	struct diags d = {{0}, 0, 0, 0};
	enum layout layout = LAYOUT_MIGC;
	enum dialect dialect;
	struct migc_set *set;
	int rc = 0, i, hassum, accept = 1;
	char *spath;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(importusage, stdout);
			return 0;
		} else if (strcmp(a, "--no-accept") == 0) {
			accept = 0;
		} else if (strcmp(a, "--dialect") == 0 || strcmp(a, "--layout") == 0) {
			if (i + 1 >= argc)
				return usageerror(importusage, "option %s needs a value", a);
			*(strcmp(a, "--dialect") == 0 ? &dialectarg : &layoutarg) = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return usageerror(importusage, "unknown option '%s'", a);
		} else if (!src) {
			src = a;
		} else if (!dest) {
			dest = a;
		} else {
			return usageerror(importusage, "unexpected argument '%s'", a);
		}
	}
	if (!layoutarg)
		return usageerror(importusage, "--layout is required (the tool whose files SRC holds)%s", "");
	if ((rc = layoutoption(importusage, layoutarg, &layout)) != 0)
		return rc;
	if (layout == LAYOUT_MIGC)
		return usageerror(importusage, "--layout: '%s' is migc's own layout, which import writes", layoutarg);
	if (!dialectarg)
		return usageerror(importusage, "--dialect is required (it decides how statements are split)%s", "");
	if ((rc = dialectoption(importusage, dialectarg, &dialect)) != 0)
		return rc;
	if (!src || !dest)
		return usageerror(importusage, "import needs SRC and DEST directories%s", "");
	set = loaddir(src, dialect, layout, 0);
	if (!set)
		return 2;
	spath = joinpath(src, SUMFILE);
	hassum = sumcheckfile(set, spath, 1, &sp) == 0;
	if (hassum && sp.nfail) {
		printsumproblems(&sp, 0);
		fprintf(stderr, "migc: %s does not match the migrations: nothing imported\n", spath);
		rc = 3;
	} else if (set->count == 0) {
		fprintf(stderr, "migc: error: %s holds no migrations of %s's layout: nothing to import\n", src, layoutarg);
		rc = 2;
	} else if (badnames(src, set, &d)) {
		fputs(d.text.data, stderr);
		rc = 2;
	} else {
		rc = importset(src, dest, layoutarg, layout, dialect, set, hassum, accept);
	}
	buffree(&d.text);
	free(sp.v);
	free(spath);
	freeset(set);
	return rc;
}
