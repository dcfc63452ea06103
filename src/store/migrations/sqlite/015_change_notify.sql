-- 015_change_notify: PostgreSQL's notification of changes to a listening server's read caches
-- (store/change_gen.h); SQLite's reads are in-process and not cached that way: nothing to do here.
SELECT 1;
