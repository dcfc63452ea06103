-- 014_score_hist_dim: the score histograms by dimension, as SQLite has had them since 012. The
-- applications list estimates a dimension range from them per request (svc/applications_query.c:
-- dim_estimate, pg_plan): one dimension's rows out of the index instead of a scan of all of them.
-- Without the count n (SQLite's index holds it, to answer from the index alone): the import
-- increments n for every score, and an indexed n would make each of those updates write the index.
CREATE INDEX score_hist_dim ON score_hist(dim, bucket, position_id);
