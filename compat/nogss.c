/*
** nogss.c: GSSAPI (Kerberos) for the static build, as "not available"
** (noldap.c does the same for LDAP). libpq.a calls into libgssapi_krb5 and libldap, for which
** Debian ships no static libraries; linked after libpq.a (libmigc_nogss.a),
** these entry points make every such call fail the way an absent credential
** cache or LDAP server does, so libpq falls back or reports an error.
**
** What this costs, in the static build only: `gssencmode=require` and a
** server asking for `gss` authentication fail ("GSSAPI ... not available in
** migc's static build"), and LDAP lookups in a pg_service.conf fail ("could
** not create LDAP structure"). Everything else in libpq is the real code.
** The types follow the GSSAPI C bindings (RFC 2744) and OpenLDAP's ldap.h;
** neither header is needed to build this file.
*/
#include <stddef.h>
#include <stdint.h>

/*
** Each entry point is a weak definition and GSSAPI's are a member of their
** own (noldap.c holds LDAP's): an application that links a real GSSAPI
** ahead of -lmigc_nogss never pulls this member in, and a static GSSAPI
** pulled in for any reason overrides these without a duplicate symbol.
*/
#if defined(__GNUC__)
#define STANDIN __attribute__((weak))
#else
#define STANDIN
#endif

typedef uint32_t OM_uint32;
typedef struct { OM_uint32 length; void *elements; } gss_OID_desc;
typedef struct { size_t length; void *value; } gss_buffer_desc;

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)   /* GSS_S_FAILURE: a routine error */
#define GSS_C_GSS_CODE 1

static const char unavailable[] = "GSSAPI (Kerberos) is not available in migc's static build";

static gss_OID_desc hostbased = { 10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04" };
extern gss_OID_desc *GSS_C_NT_HOSTBASED_SERVICE;
STANDIN gss_OID_desc *GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

STANDIN OM_uint32 gss_acquire_cred(OM_uint32 *, void *, OM_uint32, void *, int, void **, void **, OM_uint32 *);
STANDIN OM_uint32 gss_import_name(OM_uint32 *, gss_buffer_desc *, gss_OID_desc *, void **);
STANDIN OM_uint32 gss_init_sec_context(OM_uint32 *, void *, void **, void *, gss_OID_desc *, OM_uint32,
    OM_uint32, void *, gss_buffer_desc *, gss_OID_desc **, gss_buffer_desc *, OM_uint32 *,
    OM_uint32 *);
STANDIN OM_uint32 gss_wrap(OM_uint32 *, void *, int, int, gss_buffer_desc *, int *, gss_buffer_desc *);
STANDIN OM_uint32 gss_unwrap(OM_uint32 *, void *, gss_buffer_desc *, gss_buffer_desc *, int *, int *);
STANDIN OM_uint32 gss_wrap_size_limit(OM_uint32 *, void *, int, int, OM_uint32, OM_uint32 *);
STANDIN OM_uint32 gss_display_status(OM_uint32 *, OM_uint32, int, gss_OID_desc *, OM_uint32 *,
    gss_buffer_desc *);
STANDIN OM_uint32 gss_release_buffer(OM_uint32 *, gss_buffer_desc *);
STANDIN OM_uint32 gss_release_cred(OM_uint32 *, void **);
STANDIN OM_uint32 gss_release_name(OM_uint32 *, void **);
STANDIN OM_uint32 gss_delete_sec_context(OM_uint32 *, void **, gss_buffer_desc *);

/* Fail with no minor status: there is no mechanism to report on. */
static OM_uint32
failure(OM_uint32 *minor)
{
	if (minor)
		*minor = 0;
	return GSS_S_FAILURE;
}

/* No credential cache: libpq then does not try GSS encryption. */
OM_uint32
gss_acquire_cred(OM_uint32 *minor, void *name, OM_uint32 time, void *mechs, int usage,
    void **cred, void **actual, OM_uint32 *rtime)
{
	(void)name, (void)time, (void)mechs, (void)usage, (void)actual, (void)rtime;
	if (cred)
		*cred = NULL;
	return failure(minor);
}

OM_uint32
gss_import_name(OM_uint32 *minor, gss_buffer_desc *in, gss_OID_desc *type, void **name)
{
	(void)in, (void)type;
	if (name)
		*name = NULL;
	return failure(minor);
}

OM_uint32
gss_init_sec_context(OM_uint32 *minor, void *cred, void **ctx, void *target, gss_OID_desc *mech,
    OM_uint32 flags, OM_uint32 time, void *bindings, gss_buffer_desc *in, gss_OID_desc **actual,
    gss_buffer_desc *out, OM_uint32 *rflags, OM_uint32 *rtime)
{
	(void)cred, (void)ctx, (void)target, (void)mech, (void)flags, (void)time;
	(void)bindings, (void)in, (void)actual, (void)rflags, (void)rtime;
	if (out) {
		out->length = 0;
		out->value = NULL;
	}
	return failure(minor);
}

OM_uint32
gss_wrap(OM_uint32 *minor, void *ctx, int conf, int qop, gss_buffer_desc *in, int *state,
    gss_buffer_desc *out)
{
	(void)ctx, (void)conf, (void)qop, (void)in, (void)state, (void)out;
	return failure(minor);
}

OM_uint32
gss_unwrap(OM_uint32 *minor, void *ctx, gss_buffer_desc *in, gss_buffer_desc *out, int *conf,
    int *qop)
{
	(void)ctx, (void)in, (void)out, (void)conf, (void)qop;
	return failure(minor);
}

OM_uint32
gss_wrap_size_limit(OM_uint32 *minor, void *ctx, int conf, int qop, OM_uint32 size,
    OM_uint32 *max)
{
	(void)ctx, (void)conf, (void)qop, (void)size, (void)max;
	return failure(minor);
}

/*
** The text libpq appends to its error message: once, for the major status
** (the minor status has no text, so libpq adds nothing for it).
*/
OM_uint32
gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID_desc *mech,
    OM_uint32 *context, gss_buffer_desc *out)
{
	(void)status, (void)mech;
	if (type != GSS_C_GSS_CODE || !out)
		return failure(minor);
	out->value = (void *)unavailable;
	out->length = sizeof(unavailable) - 1;
	if (context)
		*context = 0;
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

/* Buffers handed out here are static: nothing to free. */
OM_uint32
gss_release_buffer(OM_uint32 *minor, gss_buffer_desc *buf)
{
	if (buf) {
		buf->length = 0;
		buf->value = NULL;
	}
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

static OM_uint32
released(OM_uint32 *minor, void **handle)
{
	if (handle)
		*handle = NULL;
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

OM_uint32
gss_release_cred(OM_uint32 *minor, void **cred)
{
	return released(minor, cred);
}

OM_uint32
gss_release_name(OM_uint32 *minor, void **name)
{
	return released(minor, name);
}

OM_uint32
gss_delete_sec_context(OM_uint32 *minor, void **ctx, gss_buffer_desc *out)
{
	if (out) {
		out->length = 0;
		out->value = NULL;
	}
	return released(minor, ctx);
}
