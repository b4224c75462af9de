/*
** cmdimport.c: `migc import --layout TOOL --dialect D SRC DEST`, the
** conversion of another tool's migration directory into migc's layout,
** once (gen/convert.c writes each migration). Nothing in DEST is ever
** overwritten: the files are written into a temporary directory inside
** DEST, read back in migc's layout and compared with SRC read in the
** tool's (the same versions, names, statements, transaction modes and
** directives), and only then linked into DEST, each by a link(2) that
** fails when the name is taken. A failure leaves DEST as it was.
*/
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "convert.h"
#include "command.h"

static const char importusage[] =
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

/* The files import writes: name and text. */
struct outfile {
	const char *name;
	const char *data;
	size_t len;
};

/* The end of r's statement j when it lies in text[pos..len), as the next
** part of a statement that r's layout cuts in several; else 0. */
static size_t
nextpart(const char *text, size_t pos, size_t len, const struct migc_script *r, unsigned long j)
{
	const char *b = r->sql + r->stmts[j].offset, *p;
	size_t n = r->stmts[j].length;

	if (n > len - pos)
		return 0;
	if (pos == 0)
		return memcmp(text, b, n) == 0 ? n : 0;
	for (p = text + pos; (size_t)(p - text) + n <= len; p++)
		if (memcmp(p, b, n) == 0)
			return (size_t)(p - text) + n;
	return 0;
}

/*
** Whether back's script r, read from the file import wrote, runs what s,
** read from SRC's file at path, runs: the same statements, in the same
** order, with the same options. A block the tool sends as one statement
** may be several to migc's layout, which sends each on its own: in one
** transaction that runs the same, outside one it does not (PostgreSQL
** runs the block as one implicit transaction), and is refused. *split
** counts the blocks so cut. Each difference goes to d.
*/
static int
samescript(const char *path, const char *tool, const char *what, const struct migc_script *s,
           const struct migc_script *r, unsigned *split, struct diags *d)
{
	unsigned long i, j = 0;

	for (i = 0; i < s->nstmts; i++) {
		const char *a = s->sql + s->stmts[i].offset;
		size_t len = s->stmts[i].length, pos = 0, end;
		unsigned long parts = 0;

		while (pos < len && j < r->nstmts && (end = nextpart(a, pos, len, r, j)) != 0) {
			pos = end;
			parts++;
			j++;
		}
		if (pos < len)
			break;
		if (parts > 1 && (s->flags & MIGC_NO_TRANSACTION)) {
			diagerror(d, path, s->stmts[i].line, 1, "cannot import the %s section: it runs outside a transaction, "
			          "where %s sends this block as one statement (PostgreSQL runs it as one implicit "
			          "transaction), and migc's layout would send its %lu statements one by one, each "
			          "committing on its own (keep --layout %s, or give the statements a migration each)",
			          what, tool, parts, tool);
			return 0;
		}
		*split += parts > 1;
	}
	if (i < s->nstmts || j < r->nstmts) {
		diagerror(d, path, i < s->nstmts ? s->stmts[i].line : 0, i < s->nstmts ? 1 : 0, "cannot import the %s "
		          "section: migc's layout would read other statements from it (keep --layout %s)", what, tool);
		return 0;
	}
	if (s->flags != r->flags || s->lock_timeout_ms != r->lock_timeout_ms) {
		diagerror(d, path, 0, 0, "cannot import the %s section: migc's layout would run it with other options "
		          "(flags %#x, not %#x; lock timeout %ld, not %ld)", what, r->flags, s->flags, r->lock_timeout_ms,
		          s->lock_timeout_ms);
		return 0;
	}
	return 1;
}

/* Whether back (DEST's files read in migc's layout) holds what set
** (SRC's, read in the tool's) does; each difference goes to d. */
static int
sameset(const char *src, const char *tool, const struct migc_set *set, const struct migc_set *back,
        struct converted *cv, struct diags *d)
{
	unsigned long i, j, k;
	int ok = 1;

	if (set->count != back->count) {
		diagerror(d, src, 0, 0, "cannot import: migc's layout reads %lu migrations from the files, not %lu",
		          back->count, set->count);
		return 0;
	}
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i], *r = &back->migrations[i];
		char *up = joinpath(src, m->up.file), *down = m->down.file ? joinpath(src, m->down.file) : NULL;

		if (m->version != r->version || strcmp(m->name, r->name) != 0) {
			diagerror(d, up, 0, 0, "cannot import: migc's layout reads %s as version %lld, name %s", cv[i].up,
			          (long long)r->version, r->name);
			ok = 0;
		} else {
			ok &= samescript(up, tool, "up", &m->up, &r->up, &cv[i].split, d);
			if (!m->down.file != !r->down.file) {
				diagerror(d, up, 0, 0, "cannot import: migc's layout reads %s a down migration",
				          m->down.file ? "no" : "");
				ok = 0;
			} else if (m->down.file)
				ok &= samescript(down, tool, "down", &m->down, &r->down, &cv[i].split, d);
			for (j = 0; j <= m->naccept; j++) {
				const char *want = j < m->naccept ? m->accept[j] : (cv[i].added & CONVERT_ACCEPT) ? m->checksum : NULL;

				for (k = 0; want && k < r->naccept && strcmp(want, r->accept[k]) != 0; k++)
					;
				if (want && k == r->naccept) {
					diagerror(d, up, 0, 0, "cannot import: %s would not accept %s", cv[i].up, want);
					ok = 0;
				}
			}
			if (!(cv[i].added & CONVERT_CHANGED) && strcmp(m->checksum, r->checksum) != 0) {
				diagerror(d, up, 0, 0, "cannot import: %s would have another checksum", cv[i].up);
				ok = 0;
			}
		}
		free(up);
		free(down);
	}
	return ok;
}

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

/* A migration file or migc.sum already in dir: its name (malloc'd), or NULL. */
static char *
takenname(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	if (!dp)
		return NULL;
	while (!found && (e = readdir(dp)) != NULL) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] != '.' && ((n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0) ||
		                           strcmp(e->d_name, SUMFILE) == 0))
			found = xstrdup(e->d_name);
	}
	closedir(dp);
	return found;
}

/* Remove tmp/name for each of f[0..n), then tmp. */
static void
removetmp(const char *tmp, const struct outfile *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *p = joinpath(tmp, f[i].name);

		unlink(p);
		free(p);
	}
	rmdir(tmp);
}

/* Write f[0..n) into tmp; 0, or -1 after printing why. */
static int
writetmp(const char *tmp, const struct outfile *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *p = joinpath(tmp, f[i].name);

		if (writenew(p, f[i].data, f[i].len) != 0) {
			fprintf(stderr, "migc: error: cannot write %s: %s (nothing imported)\n", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* Link tmp's f[0..n) into dest, none over an existing name; on a
** failure, unlink those linked. 0, or -1 after printing why. */
static int
linkall(const char *tmp, const char *dest, const struct outfile *f, size_t n)
{
	size_t i, j;
	int fd;

	for (i = 0; i < n; i++) {
		char *from = joinpath(tmp, f[i].name), *to = joinpath(dest, f[i].name);
		int rc = link(from, to), err = errno;

		free(from);
		if (rc != 0) {
			fprintf(stderr, "migc: error: cannot write %s: %s (nothing imported)\n", to,
			        err == EEXIST ? "it exists, and import overwrites nothing" : strerror(err));
			free(to);
			for (j = 0; j < i; j++) {
				to = joinpath(dest, f[j].name);
				unlink(to);
				free(to);
			}
			return -1;
		}
		free(to);
	}
	if ((fd = open(dest, O_RDONLY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* The table of what import did, on standard output. */
static void
printtable(const struct migc_set *set, const struct converted *cv, const char *tool, const char *dest)
{
	size_t wv = 7, wf = 4, i;

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
	printf("%-*s  %-*s  %s\n", (int)wv, "version", (int)wf, "from", "to, and what changed");
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];
		struct buf from = {0}, to = {0};
		unsigned a = cv[i].added;

		bufputs(&from, m->up.file);
		if (m->down.file && strcmp(m->down.file, m->up.file) != 0)
			bufprintf(&from, ", %s", m->down.file);
		bufputs(&to, cv[i].up);
		if (cv[i].down)
			bufprintf(&to, ", %s", cv[i].down);
		else
			bufputs(&to, " (no down migration)");
		if (a & CONVERT_MARKS)
			bufprintf(&to, "; %s's marks left out", tool);
		if (a & (CONVERT_NOTX_UP | CONVERT_NOTX_DOWN))
			bufprintf(&to, "; -- migc:no-transaction in %s", (a & CONVERT_NOTX_UP) && (a & CONVERT_NOTX_DOWN)
			          ? "both" : (a & CONVERT_NOTX_UP) ? "the up file" : "the down file");
		if (cv[i].split)
			bufprintf(&to, "; %u block%s sent statement by statement, in %s transaction", cv[i].split,
			          cv[i].split == 1 ? "" : "s", cv[i].split == 1 ? "its" : "their");
		if (a & CONVERT_ACCEPT)
			bufprintf(&to, "; also accepts %.11s... (its checksum as %s's)", m->checksum, tool);
		printf("%-*lld  %-*s  %s\n", (int)wv, (long long)m->version, (int)wf, from.data, to.data);
		buffree(&from);
		buffree(&to);
	}
	printf("migc: imported %lu migration%s into %s: migc gen of it runs the SQL migc gen --layout %s runs, in the "
	       "same transactions\n", set->count, set->count == 1 ? "" : "s", dest, tool);
}

/* dest, made when missing (then *made): 0, or -1 after printing why. */
static int
destdir(const char *dest, int *made)
{
	struct stat st;

	*made = 0;
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (stat(dest, &st) == 0)
		fprintf(stderr, "migc: error: %s is not a directory (nothing imported)\n", dest);
	else if (errno == ENOENT && mkdir(dest, 0777) == 0) {
		*made = 1;
		return 0;
	} else
		fprintf(stderr, "migc: error: cannot make %s: %s (nothing imported)\n", dest, strerror(errno));
	return -1;
}

/* Convert, check and place the files; the exit status. */
static int
importset(const char *src, const char *dest, const char *tool, enum layout layout, enum dialect dialect,
          const struct migc_set *set, int withsum, int accept)
{
	struct converted *cv = xreallocarray(NULL, set->count + 1, sizeof(*cv));
	struct outfile *f = xreallocarray(NULL, 2 * set->count + 1, sizeof(*f));
	struct diags d = {{0}, 0, 0};
	struct migc_set *back = NULL;
	struct buf sum = {0};
	size_t nf = 0, i;
	char *tmp = joinpath(dest, ".migc-import-XXXXXX");
	int rc = 1;

	for (i = 0; i < set->count; i++) {
		convert(&set->migrations[i], layout, dialect, accept, &cv[i]);
		f[nf++] = (struct outfile){ cv[i].up, cv[i].uptext.data ? cv[i].uptext.data : "", cv[i].uptext.len };
		if (cv[i].down)
			f[nf++] = (struct outfile){ cv[i].down, cv[i].downtext.data ? cv[i].downtext.data : "",
			                            cv[i].downtext.len };
	}
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "migc: error: cannot write in %s: %s (nothing imported)\n", dest, strerror(errno));
		goto out;
	}
	if (writetmp(tmp, f, nf) != 0)
		goto clean;
	back = loadset(tmp, dialect, LAYOUT_MIGC, &d);
	if (!back || !sameset(src, tool, set, back, cv, &d)) {
		fputs(d.text.data ? d.text.data : "", stderr);
		fprintf(stderr, "migc: error: %s cannot be written in migc's layout as it is: nothing imported\n", src);
		rc = 2;
		goto clean;
	}
	if (withsum) {
		sumwrite(&sum, back);
		f[nf++] = (struct outfile){ SUMFILE, sum.data, sum.len };
		if (writetmp(tmp, f + nf - 1, 1) != 0)
			goto clean;
	}
	if (linkall(tmp, dest, f, nf) == 0) {
		printtable(set, cv, tool, dest);
		rc = 0;
	}
clean:
	removetmp(tmp, f, nf);
out:
	freeset(back);
	buffree(&d.text);
	buffree(&sum);
	for (i = 0; i < set->count; i++)
		freeconverted(&cv[i]);
	free(cv);
	free(f);
	free(tmp);
	return rc;
}

int
cmdimport(int argc, char **argv)
{
	const char *dialectarg = NULL, *layoutarg = NULL, *src = NULL, *dest = NULL;
	struct sumproblems sp = {NULL, 0, 0};
	enum layout layout = LAYOUT_MIGC;
	enum dialect dialect;
	struct migc_set *set;
	int rc, i, hassum, made = 0, accept = 1;
	char *spath, *taken;

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
	if (parsedialect(dialectarg, &dialect) != 0)
		return usageerror(importusage, "--dialect: '%s' is not sqlite or postgres", dialectarg);
	if (!src || !dest)
		return usageerror(importusage, "import needs SRC and DEST directories%s", "");
	set = loaddir(src, dialect, layout);
	if (!set)
		return 2;
	spath = joinpath(src, SUMFILE);
	hassum = sumcheckfile(set, spath, 1, &sp) == 0;
	if (hassum && sp.nfail) {
		printsumproblems(&sp, 0);
		fprintf(stderr, "migc: %s does not match the migrations: nothing imported\n", spath);
		rc = 3;
	} else if (destdir(dest, &made) != 0) {
		rc = 1;
	} else if ((taken = takenname(dest)) != NULL) {
		fprintf(stderr, "migc: error: %s already holds %s: import writes into a new directory or one without "
		        "migrations, and overwrites nothing (nothing imported)\n", dest, taken);
		free(taken);
		rc = 1;
	} else {
		rc = importset(src, dest, layoutarg, layout, dialect, set, hassum, accept);
		if (rc != 0 && made)
			rmdir(dest);
	}
	free(sp.v);
	free(spath);
	freeset(set);
	return rc;
}
