"""bench/lib/pgcopy.py - the rows of a talentd SQLite database copied into a PostgreSQL database whose schema
`talentd migrate` created (talentd's own migrations), so a bench can run on PostgreSQL against the very data
it prepared for SQLite (same ids, same encrypted columns under the same key file).

Both schemas have the same tables and columns (times are integer milliseconds, booleans 0/1, JSON as text,
encrypted fields as blobs/bytea). Each table goes through `sqlite3 -csv` (blobs as \\x-hex, NULL as \\N)
into `COPY ... FROM STDIN (FORMAT csv)`, with the indexes in place; then the identity sequences are set past
the copied ids, and the database is analysed. The rows `talentd migrate` seeds (the admin, its audit row, ...)
are removed first: the SQLite database has its own. The tables are copied one by one with the foreign-key
triggers off (session_replication_role = replica, as pg_restore does): the rows are consistent as a whole."""
import os
import subprocess
import time


class CopyError(Exception):
    pass


def sqlite_columns(db, table):
    out = subprocess.run(["sqlite3", "-readonly", db, "SELECT name FROM pragma_table_info('%s')" % table],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return [c for c in out.stdout.split("\n") if c]


def copy_sqlite_to_pg(cl, dbname, sqlite_db, log=print):
    """Copies every table of talentd's PostgreSQL schema in DBNAME (cluster CL) from SQLITE_DB."""
    cols = {}
    defaulted = set()
    for t, c, typ, dflt in cl.rows(dbname, "SELECT table_name, column_name, data_type, "
                                           "CASE WHEN column_default IS NULL AND is_nullable = 'NO' THEN 0 ELSE 1 END "
                                           "FROM information_schema.columns "
                                           "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
        cols.setdefault(t, []).append((c, typ))
        if str(dflt) == "1":
            defaulted.add((t, c))
    tables = [t for t in cols if t != "schema_migrations"]
    cl.psql(dbname, "TRUNCATE %s" % ", ".join('"%s"' % t for t in tables))
    total = 0
    for t in tables:
        have = set(sqlite_columns(sqlite_db, t))
        # a column only PostgreSQL's schema has and fills itself (app_count's id), or one a later migration
        # added as nullable (the cached SQLite data predates it), is left to its default or NULL
        cols[t] = [(c, typ) for c, typ in cols[t] if c in have or (t, c) not in defaulted]
        missing = [c for c, _ in cols[t] if c not in have]
        if missing:
            raise CopyError("table %s: columns %s are not in the SQLite database" % (t, missing))
        sel = ", ".join(("CASE WHEN \"%s\" IS NULL THEN NULL ELSE '\\x' || hex(\"%s\") END" % (c, c))
                        if typ == "bytea" else '"%s"' % c for c, typ in cols[t])
        t0 = time.perf_counter()
        src = subprocess.Popen(["sqlite3", "-readonly", "-csv", "-nullvalue", "\\N", sqlite_db,
                                'SELECT %s FROM "%s"' % (sel, t)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        copy = "COPY \"%s\" (%s) FROM STDIN (FORMAT csv, NULL '\\N')" % (t, ", ".join('"%s"' % c for c, _ in cols[t]))
        dst = subprocess.Popen([os.path.join(cl.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", cl.sockdir,
                                "-p", str(cl.port), "-U", "postgres", "-d", dbname,
                                "-c", "SET session_replication_role = replica", "-c", copy],
                               stdin=src.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        src.stdout.close()
        out, err = dst.communicate()
        serr = src.stderr.read()
        src.wait()
        if src.returncode != 0 or dst.returncode != 0:
            raise CopyError("copying %s: %s %s" % (t, serr.decode(errors="replace")[-1000:],
                                                   err.decode(errors="replace")[-1000:]))
        n = int(cl.value(dbname, 'SELECT count(*) FROM "%s"' % t))
        total += n
        if n >= 100000:
            log("  %s: %d rows in %.1f s" % (t, n, time.perf_counter() - t0))
    # identity columns continue after the copied ids
    for t, c in cl.rows(dbname, "SELECT table_name, column_name FROM information_schema.columns "
                                "WHERE table_schema = 'public' AND is_identity = 'YES'"):
        cl.psql(dbname, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), "
                        "GREATEST(1, (SELECT COALESCE(max(\"%s\"), 0) FROM \"%s\")))" % (t, c, c, t))
    cl.psql(dbname, "VACUUM ANALYZE", single=False)
    return total
