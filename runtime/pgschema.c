/*
** pgschema.c: the live schema on PostgreSQL, one catalog query in the
** normalised form of schema.c, the tracking table left out.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

#ifdef MIGC_POSTGRES
#include <libpq-fe.h>

#include "pgsession.h"
#include "pg.h"

/* Every user object in one catalog query, the tracking tables left out
** (tr: migc's, the other tools' and the ignored ones), with their indexes
** and the sequences they own (gone). */
static const char schemaquery[] =
	"WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
	"  AND nspname NOT LIKE 'pg\\_toast%%' AND nspname NOT LIKE 'pg\\_temp%%'), "
	"tr AS (SELECT to_regclass(%s) AS oid UNION ALL SELECT c.oid FROM pg_class c JOIN ns ON ns.oid = c.relnamespace "
	"  WHERE c.relkind IN ('r', 'p') AND (%s)), "
	"gone AS (SELECT oid FROM tr WHERE oid IS NOT NULL "
	"  UNION ALL SELECT i.indexrelid FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM tr) "
	"  UNION ALL SELECT d.objid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
	"    AND d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM tr) AND d.deptype IN ('a', 'i')), "
	"rel AS (SELECT c.oid, c.relkind, ns.nspname || '.' || c.relname AS name FROM pg_class c "
	"  JOIN ns ON ns.oid = c.relnamespace WHERE c.oid NOT IN (SELECT oid FROM gone)) "
	"SELECT 'table', name, '' FROM rel WHERE relkind IN ('r', 'p') "
	"UNION ALL SELECT 'column', r.name || '.' || a.attname, format_type(a.atttypid, a.atttypmod) "
	"  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END "
	"  || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') "
	"  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped "
	"  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE r.relkind IN ('r', 'p') "
	"UNION ALL SELECT 'index', r.name, pg_get_indexdef(i.indexrelid) FROM pg_index i "
	"  JOIN rel r ON r.oid = i.indexrelid "
	"UNION ALL SELECT 'constraint', r.name || '.' || co.conname, pg_get_constraintdef(co.oid) "
	"  FROM pg_constraint co JOIN rel r ON r.oid = co.conrelid "
	"UNION ALL SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, r.name, "
	"  pg_get_viewdef(r.oid) FROM rel r WHERE r.relkind IN ('v', 'm') "
	"UNION ALL SELECT 'sequence', r.name, format_type(q.seqtypid, NULL) || ' start ' || q.seqstart "
	"  || ' increment ' || q.seqincrement FROM rel r JOIN pg_sequence q ON q.seqrelid = r.oid "
	"UNION ALL SELECT 'trigger', r.name || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
	"  JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal "
	"UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	"  ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
	"  'definition md5 ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace "
	"  WHERE p.prokind IN ('f', 'p') "
	"UNION ALL SELECT 'enum', ns.nspname || '.' || t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
	"  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1, 2";

int
migc__pgschema(migc *m, char **text)
{
	struct lines l = {NULL, 0, 0};
	PGresult *res;
	char *sql, *cond;
	int rc, i;

	*text = NULL;
	rc = migc__pgresolve(m);
	if (rc != MIGC_OK)
		return rc;
	cond = migc__ignoresql(m, 1, "c.relname");
	sql = cond ? malloc(sizeof(schemaquery) + strlen(PG(m)->regclass) + strlen(cond)) : NULL;
	if (!sql) {
		free(cond);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	sprintf(sql, schemaquery, PG(m)->regclass, cond);
	free(cond);
	rc = migc__pgrun(m, sql, &res);
	free(sql);
	if (rc != MIGC_OK)
		return rc;
	for (i = 0; i < PQntuples(res) && rc == MIGC_OK; i++)
		rc = migc__linesadd(&l, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	PQclear(res);
	*text = migc__linesjoin(&l);
	if (rc == MIGC_OK && !*text)
		rc = MIGC_NOMEM;
	return rc == MIGC_NOMEM ? migc__seterr(m, rc, "out of memory") : rc;
}

#endif
