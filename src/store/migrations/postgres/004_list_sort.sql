-- 004_list_sort: one index per sort order of the applications list
-- (svc/applications.c, qb_page_sorted), so that a sorted page is an index
-- range in either direction instead of a sort of every matching row. The
-- expressions must stay exactly as the list writes them: a missing result
-- sorts as -1, and the id breaks ties.

CREATE INDEX application_sort_created ON application(created_at, id);
CREATE INDEX application_sort_stage_changed ON application(stage_changed_at, id);
CREATE INDEX application_sort_result_at ON application(COALESCE(result_at, -1), id);
CREATE INDEX application_sort_overall ON application(COALESCE(overall, -1), id);
CREATE INDEX application_sort_match ON application(COALESCE(match_score, -1), id);
