/*
** output.c: write one output of the generator (gen -o, --depfile, migc
** hash's migc.sum). A file of its own because writing a file well is
** more than fopen: a device or a FIFO must be written, not replaced (as
** root, `-o /dev/null` must not turn the device into a file); a regular
** file is replaced atomically through a temporary file whose name nobody
** can plant a link at; and a failure must leave nothing behind.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "output.h"

/* As many links as Linux follows in one path (MAXSYMLINKS). */
#define MAXLINKS 40

static int
report(const char *path, const char *target, int err)
{
	if (target && strcmp(path, target) != 0)
		fprintf(stderr, "migc: error: cannot write %s (a link to %s): %s\n", path, target, strerror(err));
	else
		fprintf(stderr, "migc: error: cannot write %s: %s\n", path, strerror(err));
	return -1;
}

static int
writeall(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The descriptor of standard output or standard error when st is the
** file it writes to, else -1. */
static int
stdiofd(const struct stat *st)
{
	struct stat fs;
	int fd;

	for (fd = 1; fd <= 2; fd++)
		if (fstat(fd, &fs) == 0 && fs.st_dev == st->st_dev && fs.st_ino == st->st_ino)
			return fd;
	return -1;
}

/* The target of the link at path (caller frees), or NULL with errno set. */
static char *
linktarget(const char *path)
{
	size_t cap = 256;

	for (;;) {
		char *b = xmalloc(cap);
		ssize_t n = readlink(path, b, cap);

		if (n < 0) {
			free(b);
			return NULL;
		}
		if ((size_t)n < cap) {
			b[n] = '\0';
			return b;
		}
		free(b);
		cap *= 2;
	}
}

/* path with its symbolic links followed, as far as they go: the regular
** file to replace, or the name a dangling link says to create (caller
** frees). NULL with errno set (ELOOP) when the links do not end. */
static char *
resolve(const char *path)
{
	char *p = xstrdup(path);
	int hops;

	for (hops = 0;; hops++) {
		struct stat st;
		struct buf next = {0};
		char *link, *slash;

		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
			return p;
		if (hops == MAXLINKS || (link = linktarget(p)) == NULL) {
			if (hops == MAXLINKS)
				errno = ELOOP;
			free(p);
			return NULL;
		}
		slash = strrchr(p, '/');
		if (link[0] != '/' && slash)
			bufadd(&next, p, (size_t)(slash - p) + 1);
		bufputs(&next, link);
		free(link);
		free(p);
		p = next.data;
	}
}

/* Does the regular file path hold exactly data? */
static int
unchanged(const char *path, const char *data, size_t len)
{
	char *old;
	size_t oldlen;
	int same;

	if (readfile(path, &old, &oldlen) != 0)
		return 0;
	same = oldlen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

/* The mode a new file gets: 0666 less the umask, as fopen would give. */
static mode_t
newmode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* Replace target (path, or what its links lead to) with data through a
** temporary file beside it: mkstemp opens it O_CREAT|O_EXCL, which no
** link planted at its name can redirect, and the rename is atomic, so a
** reader (or a racing run) sees the old file or the new one, whole. */
static int
replace(const char *path, const char *target, const char *data, size_t len, mode_t mode)
{
	const char *base = strrchr(target, '/');
	struct buf tmp = {0};
	int fd, err;

	base = base ? base + 1 : target;
	bufadd(&tmp, target, (size_t)(base - target));
	bufprintf(&tmp, ".%s.migc-XXXXXX", base);
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		err = errno;
		buffree(&tmp);
		return report(path, target, err);
	}
	if (fchmod(fd, mode) != 0 || writeall(fd, data, len) != 0) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp.data, target) != 0) {
		err = errno;
		goto fail;
	}
	buffree(&tmp);
	return 0;

fail:
	unlink(tmp.data);
	buffree(&tmp);
	return report(path, target, err);
}

/* Write data into what path names, in place: a device, a FIFO (waiting
** for a reader, as a shell redirection does), a socket or directory
** (which refuse). */
static int
inplace(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY), err;

	if (fd < 0)
		return report(path, NULL, errno);
	if (writeall(fd, data, len) != 0) {
		err = errno;
		close(fd);
		return report(path, NULL, err);
	}
	if (close(fd) != 0)
		return report(path, NULL, errno);
	return 0;
}

static int
tofd(int fd, const char *name, const char *data, size_t len)
{
	fflush(fd == 1 ? stdout : stderr);
	if (writeall(fd, data, len) != 0)
		return report(name, NULL, errno);
	return 0;
}

int
writeoutput(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *target;
	int exists, fd, rc;

	/* A file-size limit fails the write (EFBIG) and the temporary file
	** is removed, instead of the signal ending the run with it left
	** (migc's main ignores SIGXFSZ too, for its diagnostics). */
	signal(SIGXFSZ, SIG_IGN);
	if (strcmp(path, "-") == 0)
		return tofd(1, "standard output", data, len);
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return report(path, NULL, errno);
	if (exists && (fd = stdiofd(&st)) >= 0)
		return tofd(fd, path, data, len);
	if (exists && !S_ISREG(st.st_mode))
		return inplace(path, data, len);
	target = resolve(path);
	if (!target)
		return report(path, NULL, errno);
	if (exists && unchanged(target, data, len))
		rc = 0;
	else
		rc = replace(path, target, data, len, exists ? st.st_mode & 0777 : newmode());
	free(target);
	return rc;
}
