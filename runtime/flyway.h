/*
** flyway.h: what adopt reads of Flyway's records (runtime/flyway.c): its
** order of versions, the version in a file's name, and its checksum.
*/

#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* Flyway's order of the versions a[0..an) and b[0..bn): runs of digits
** joined by '.' or '_', compared part by part as numbers (of any length),
** a missing part 0, so that 1 = 1.0 and 1.2 < 1.10. <0, 0 or >0. */
int migc__flycmp(const char *a, size_t an, const char *b, size_t bn);

/* The version in a Flyway file name, "1.1" of V1.1__x.sql (or U1.1__):
** its length, with *ver set; 0 when file is not such a name. */
size_t migc__flyfilever(const char *file, const char **ver);

/* Flyway's checksum of text[0..len): CRC-32 (IEEE) over its lines, each
** without its line ending, as Java's CRC32 over BufferedReader.readLine()
** gives, read back as a signed 32-bit integer. */
long migc__flychecksum(const char *text, unsigned long len);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
