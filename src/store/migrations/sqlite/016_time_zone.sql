-- 016_time_zone: the organisation's time zone (setting 'time_zone', an IANA zone name read from the
-- system's zone files), in which export schedules' daily_at and webhooks' digest_hour are read.
-- A database that already has a daily export schedule or a daily webhook keeps UTC, so those keep
-- their meaning (they were UTC until now); any other starts with Asia/Shanghai. (015 is another
-- migration's number; each version is applied once whatever the order they arrive in.)
INSERT INTO setting (key, value)
SELECT 'time_zone',
       CASE WHEN EXISTS (SELECT 1 FROM export_template WHERE schedule_at IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM webhook WHERE frequency = 'daily')
            THEN 'UTC' ELSE 'Asia/Shanghai' END
WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'time_zone');
