-- 014_score_hist_dim: the index on the score histograms by dimension that SQLite has had since
-- 012 (score_hist_dim), for PostgreSQL; nothing to do here.
SELECT 1;
