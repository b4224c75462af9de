/*
** noldap.c: LDAP for the static build, as "not available". libpq.a calls
** into libldap (for LDAP lookups in a pg_service.conf), for which Debian
** ships no static library; linked after libpq.a (libmigc_nogss.a, with
** nogss.c), these entry points fail the way an unreachable LDAP server
** does. Weak definitions in a member of their own, as in nogss.c: a real
** libldap linked ahead of -lmigc_nogss wins. The types follow OpenLDAP's
** ldap.h, which is not needed to build this file.
*/
#include <stddef.h>

#if defined(__GNUC__)
#define STANDIN __attribute__((weak))
#else
#define STANDIN
#endif

/*
** LDAP: libpq's pg_service.conf lookup stops at ldap_init() returning NULL
** ("could not create LDAP structure"); the rest can never be reached but
** must exist for the link, and fail too.
*/
#define LDAP_OTHER 0x50

STANDIN void *ldap_init(const char *, int);
STANDIN int ldap_set_option(void *, int, const void *);
STANDIN int ldap_simple_bind(void *, const char *, const char *);
STANDIN int ldap_result(void *, int, int, void *, void **);
STANDIN int ldap_search_st(void *, const char *, int, const char *, char **, int, void *, void **);
STANDIN int ldap_count_entries(void *, void *);
STANDIN void *ldap_first_entry(void *, void *);
STANDIN void **ldap_get_values_len(void *, void *, const char *);
STANDIN void ldap_value_free_len(void **);
STANDIN int ldap_msgfree(void *);
STANDIN int ldap_unbind(void *);
STANDIN char *ldap_err2string(int);

void *
ldap_init(const char *host, int port)
{
	(void)host, (void)port;
	return NULL;
}

int
ldap_set_option(void *ld, int option, const void *value)
{
	(void)ld, (void)option, (void)value;
	return -1;
}

int
ldap_simple_bind(void *ld, const char *who, const char *password)
{
	(void)ld, (void)who, (void)password;
	return -1;
}

int
ldap_result(void *ld, int msgid, int all, void *timeout, void **result)
{
	(void)ld, (void)msgid, (void)all, (void)timeout;
	if (result)
		*result = NULL;
	return -1;
}

int
ldap_search_st(void *ld, const char *base, int scope, const char *filter, char **attrs,
    int attrsonly, void *timeout, void **result)
{
	(void)ld, (void)base, (void)scope, (void)filter, (void)attrs, (void)attrsonly, (void)timeout;
	if (result)
		*result = NULL;
	return LDAP_OTHER;
}

int
ldap_count_entries(void *ld, void *chain)
{
	(void)ld, (void)chain;
	return -1;
}

void *
ldap_first_entry(void *ld, void *chain)
{
	(void)ld, (void)chain;
	return NULL;
}

void **
ldap_get_values_len(void *ld, void *entry, const char *attr)
{
	(void)ld, (void)entry, (void)attr;
	return NULL;
}

void
ldap_value_free_len(void **values)
{
	(void)values;
}

int
ldap_msgfree(void *msg)
{
	(void)msg;
	return -1;
}

int
ldap_unbind(void *ld)
{
	(void)ld;
	return LDAP_OTHER;
}

char *
ldap_err2string(int err)
{
	(void)err;
	return (char *)"LDAP is not available in migc's static build";
}
