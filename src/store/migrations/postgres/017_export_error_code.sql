-- 017_export_error_code: a refused export keeps the error's code beside its English text, so the UI
-- can say it in the user's language: export_request.last_error_code (the queue of exports requested by
-- rules) and export_template.schedule_last_error_code (a daily schedule's last run). The code is the
-- one the API's error envelope would carry ("fairness_unacknowledged", "invalid_reference", ...);
-- NULL when there is no error, and for errors recorded before this migration whose text is not one
-- of those recognised below (the UI then shows the text).
ALTER TABLE export_request ADD COLUMN last_error_code TEXT;
ALTER TABLE export_template ADD COLUMN schedule_last_error_code TEXT;
UPDATE export_request SET last_error_code = 'fairness_unacknowledged'
WHERE last_error LIKE 'the fairness check flags position %';
UPDATE export_request SET last_error_code = 'invalid_reference' WHERE last_error LIKE 'no export template %';
UPDATE export_template SET schedule_last_error_code = 'nothing_to_export'
WHERE schedule_last_error = 'nothing to export';
UPDATE export_template SET schedule_last_error_code = 'fairness_unacknowledged'
WHERE schedule_last_error LIKE 'the fairness check flags position %';
