/*
** cmdnew.c: `migc new NAME`, which creates the next migration's up and
** down files, numbered after the newest one in the directory (or by the
** UTC time, --timestamp) and never over an existing file. It makes the
** directory when there is none, and writes migc.sum again when there is
** one, so that the next gen does not stop at a file it does not list.
*/
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "migc.h"
#include "names.h"
#include "scan.h"
#include "util.h"
#include "layout.h"
#include "sum.h"
#include "command.h"

const char newusage[] =
	"usage: migc new NAME [--dir DIR] [--timestamp] [--no-down]\n"
	"  Create DIR/NNNN_NAME.sql and DIR/NNNN_NAME.down.sql, numbered after the\n"
	"  newest migration (--timestamp: numbered YYYYMMDDHHMMSS, UTC). DIR (default\n"
	"  migrations) is made when missing; its migc.sum, when it has one, is written\n"
	"  again to list the new file (run migc hash DIR again once it holds its SQL).\n"
	"  --no-down  no down file\n"
	"exit status: 0 ok, 1 a file could not be made, 2 bad input\n";

static int
createfile(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");

	if (!f) {
		fprintf(stderr, "migc: error: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "migc: error: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("created %s\n", path);
	return 0;
}

/* Make dir, and each missing directory above it, as mkdir -p does.
** Returns 0, or -1 after printing why. */
static int
makedir(const char *dir)
{
	char path[1024];
	size_t i, n = strlen(dir);

	if (n >= sizeof(path)) {
		fprintf(stderr, "migc: error: %s: the path is too long\n", dir);
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "migc: error: cannot create the directory %s: %s\n", path, strerror(errno));
			return -1;
		}
		path[i] = dir[i];
	}
	printf("created %s/\n", dir);
	return 0;
}

/* The newest version in dir (0 when none) and the digits its name uses
** (at least 4). Returns 0, or -1 after printing why. */
static int
newest(const char *dir, int64_t *version, int *width)
{
	struct dirent *de;
	DIR *dp = opendir(dir);

	*version = 0;
	*width = 4;
	if (!dp) {
		fprintf(stderr, "migc: error: %s: cannot open migration directory: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *name, *why;
		size_t namelen;
		int isdown;
		int64_t v;

		if (de->d_name[0] != '.' && parsefilename(de->d_name, &v, &name, &namelen, &isdown, &why) == 0 && v > *version) {
			*version = v;
			*width = (int)(strchr(de->d_name, '_') - de->d_name);
		}
	}
	closedir(dp);
	return 0;
}

/* dir/migc.sum, when there is one, written again to list the new file. */
static int
updatesum(const char *dir)
{
	char path[1024];
	int rc;

	snprintf(path, sizeof(path), "%s/" SUMFILE, dir);
	if (access(path, F_OK) != 0)
		return 0;
	rc = hashdir(dir, LAYOUT_MIGC);
	if (rc != 0)
		fprintf(stderr, "migc: error: %s was not updated: fix the above, then run migc hash %s\n", path, dir);
	return rc;
}

int
cmdnew(int argc, char **argv)
{
	const char *dir = "migrations", *name = NULL, *p, *why;
	int timestamp = 0, nodown = 0, width = 4, i;
	int64_t version, last, v;
	char file[512], path[1024], body[1024];
	size_t namelen;
	int isdown;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(newusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--timestamp") == 0) {
			timestamp = 1;
		} else if (strcmp(argv[i], "--no-down") == 0) {
			nodown = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] == '-') {
			return usageerror(newusage, "unknown option '%s'", argv[i]);
		} else if (name) {
			return usageerror(newusage, "unexpected argument '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usageerror(newusage, "new needs a NAME%s", "");
	snprintf(file, sizeof(file), "1_%s.sql", name);
	if (strlen(name) > 200 || parsefilename(file, &v, &p, &namelen, &isdown, &why) != 0 || isdown)
		return usageerror(newusage, "invalid migration name '%s': use letters, digits, '_', '-' and '.'", name);
	if (access(dir, F_OK) != 0 && errno == ENOENT && makedir(dir) != 0)
		return 1;
	if (newest(dir, &last, &width) != 0)
		return 2;
	if (last == INT64_MAX) {
		fprintf(stderr, "migc: error: no version is left after %lld\n", (long long)last);
		return 2;
	}
	version = last + 1;
	if (timestamp) {
		time_t now = time(NULL);
		struct tm tm;
		char ts[32];

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", &tm);
		v = strtoll(ts, NULL, 10);
		if (v < version) {
			fprintf(stderr, "migc: error: the timestamp %s is not newer than version %lld\n", ts, (long long)(version - 1));
			return 2;
		}
		version = v;
		width = 0;
	}
	snprintf(file, sizeof(file), "%0*lld_%s", width, (long long)version, name);
	snprintf(path, sizeof(path), "%s/%s.sql", dir, file);
	snprintf(body, sizeof(body),
	         "-- %s: the SQL this migration runs, each statement ended by ';'.\n"
	         "-- It runs in one transaction (-- migc:no-transaction for CREATE INDEX\n"
	         "-- CONCURRENTLY and the like). Once applied, do not edit it: add a new one.\n", file);
	if (createfile(path, body) != 0)
		return 1;
	if (!nodown) {
		snprintf(path, sizeof(path), "%s/%s.down.sql", dir, file);
		snprintf(body, sizeof(body),
		         "-- Revert %s: the SQL that undoes it, for migc down and redo.\n"
		         "-- If it cannot be undone, delete this file, or give the reason on a\n"
		         "-- line '-- migc:irreversible REASON' of the up file.\n", file);
		if (createfile(path, body) != 0)
			return 1;
	}
	return updatesum(dir);
}
