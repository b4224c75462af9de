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

/* The mode a new file gets: 0666 less the umask, as fopen would give. */
static mode_t
newmode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/*
** An output being written. Bytes go to fd: standard output or error, the
** device or FIFO written in place, or, to replace a regular file, the
** temporary file beside it. While a replaced file's old bytes match
** (oldfd open on it) there is no temporary file yet: an unchanged output
** is never rewritten, and needs no room in its directory.
*/
enum how { TOFD, INPLACE, REPLACE };

struct output {
	enum how how;
	char *path;              /* as given, for messages */
	char *target;            /* REPLACE: the regular file its links lead to */
	mode_t mode;             /* REPLACE: the new file's permission bits */
	struct buf tmp;          /* REPLACE: the temporary file's name, once made */
	int fd;                  /* where bytes go; -1 in REPLACE before tmp is made */
	int oldfd;               /* REPLACE: the old file, while it matches; else -1 */
	off_t pos;               /* bytes taken so far */
	int err;                 /* the first failure's errno, reported by outputclose */
};

/* Read the n bytes at off of fd into b; 0, or -1 with errno set (EIO at
** an early end). */
static int
readat(int fd, char *b, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, b, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		b += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Does o's old file hold data[0..len) at o->pos? */
static int
matches(struct output *o, const char *data, size_t len)
{
	char chunk[65536];
	off_t off = o->pos;

	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (readat(o->oldfd, chunk, n, off) != 0 || memcmp(chunk, data, n) != 0)
			return 0;
		data += n;
		len -= n;
		off += (off_t)n;
	}
	return 1;
}

/* Make o's temporary file beside its target: mkstemp opens it
** O_CREAT|O_EXCL, which no link planted at its name can redirect. It
** starts with the old file's first o->pos bytes, which matched. */
static int
maketemp(struct output *o)
{
	const char *base = strrchr(o->target, '/');
	char chunk[65536];
	off_t off;

	base = base ? base + 1 : o->target;
	bufadd(&o->tmp, o->target, (size_t)(base - o->target));
	bufprintf(&o->tmp, ".%s.migc-XXXXXX", base);
	o->fd = mkstemp(o->tmp.data);
	if (o->fd < 0) {
		buffree(&o->tmp);
		return -1;
	}
	if (fchmod(o->fd, o->mode) != 0)
		return -1;
	for (off = 0; off < o->pos;) {
		size_t n = o->pos - off < (off_t)sizeof(chunk) ? (size_t)(o->pos - off) : sizeof(chunk);

		if (readat(o->oldfd, chunk, n, off) != 0 || writeall(o->fd, chunk, n) != 0)
			return -1;
		off += (off_t)n;
	}
	return 0;
}

/* Stop comparing with the old file. */
static void
dropold(struct output *o)
{
	if (o->oldfd >= 0)
		close(o->oldfd);
	o->oldfd = -1;
}

/* Close what o holds open and free it. */
static void
freeoutput(struct output *o)
{
	dropold(o);
	buffree(&o->tmp);
	free(o->target);
	free(o->path);
	free(o);
}

struct output *
outputopen(const char *path)
{
	struct output *o = xmalloc(sizeof(*o));
	struct stat st;
	int exists, fd;

	memset(o, 0, sizeof(*o));
	o->fd = o->oldfd = -1;
	o->path = xstrdup(path);
	/* A file-size limit fails the write (EFBIG) and the temporary file
	** is removed, instead of the signal ending the run with it left
	** (migc's main ignores SIGXFSZ too, for its diagnostics). */
	signal(SIGXFSZ, SIG_IGN);
	if (strcmp(path, "-") == 0) {
		o->how = TOFD;
		o->fd = 1;
		free(o->path);
		o->path = xstrdup("standard output");
		return o;
	}
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		goto fail;
	if (exists && (fd = stdiofd(&st)) >= 0) {
		o->how = TOFD;
		o->fd = fd;
		return o;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		o->how = INPLACE;
		o->fd = open(path, O_WRONLY | O_NOCTTY);
		if (o->fd < 0)
			goto fail;
		return o;
	}
	o->how = REPLACE;
	o->target = resolve(path);
	if (!o->target)
		goto fail;
	o->mode = exists ? st.st_mode & 0777 : newmode();
	if (exists)
		o->oldfd = open(o->target, O_RDONLY);
	return o;

fail:
	report(path, NULL, errno);
	freeoutput(o);
	return NULL;
}

void
outputwrite(struct output *o, const char *data, size_t len)
{
	if (o->err || len == 0)
		return;
	if (o->how == REPLACE && o->fd < 0) {
		if (o->oldfd >= 0 && matches(o, data, len)) {
			o->pos += (off_t)len;
			return;
		}
		if (maketemp(o) != 0) {
			o->err = errno;
			return;
		}
		dropold(o);
	}
	if (o->how == TOFD)
		fflush(o->fd == 1 ? stdout : stderr);
	if (writeall(o->fd, data, len) != 0)
		o->err = errno;
	o->pos += (off_t)len;
}

int
outputclose(struct output *o)
{
	struct stat st;
	int rc = 0;

	if (o->how == REPLACE && !o->err && o->fd < 0) {
		/* Every byte matched: unchanged if the old file ends here too. */
		if (o->oldfd >= 0 && fstat(o->oldfd, &st) == 0 && st.st_size == o->pos)
			goto done;
		if (maketemp(o) != 0)
			o->err = errno;
	}
	if (o->how != TOFD && o->fd >= 0 && close(o->fd) != 0 && !o->err)
		o->err = errno;
	if (o->how == REPLACE && !o->err && rename(o->tmp.data, o->target) != 0)
		o->err = errno;
	if (o->err) {
		if (o->tmp.data)
			unlink(o->tmp.data);
		rc = report(o->path, o->target, o->err);
	}
done:
	freeoutput(o);
	return rc;
}

int
writeoutput(const char *path, const char *data, size_t len)
{
	struct output *o = outputopen(path);

	if (!o)
		return -1;
	outputwrite(o, data, len);
	return outputclose(o);
}
