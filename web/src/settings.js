// settings.js - the organisation's settings (GET /settings, read once and shared): its time zone,
// in which export schedules' daily_at and webhooks' digest_hour are read. An admin changes it with
// PATCH /settings (saveTimeZone); the server checks the zone (a 422 on time_zone when it knows
// none by that name) and recomputes every next run.
import { reactive } from 'vue';

import { api, get } from './api.js';

/** {time_zone, time_zone_offset_minutes}; time_zone is '' until read. */
export const orgSettings = reactive({ time_zone: '', time_zone_offset_minutes: 0 });

let pending = null;

/** Reads the settings (once; again with force). Resolves orgSettings. */
export function loadSettings(force = false) {
  if (!pending || force) {
    pending = get('/settings')
      .then((s) => Object.assign(orgSettings, s))
      .catch((e) => {
        pending = null;
        throw e;
      });
  }
  return pending;
}

/** PATCH /settings {time_zone}; resolves the settings now. */
export async function saveTimeZone(zone) {
  const s = await api('PATCH', '/settings', { body: { time_zone: zone } });
  Object.assign(orgSettings, s);
  return s;
}

/** The zone for a label: the one the API gave with the data, else the organisation's, else '…'. */
export const zoneLabel = (zone) => zone || orgSettings.time_zone || '…';

/** "UTC+08:00" for an offset in minutes. */
export function offsetText(min) {
  const a = Math.abs(min);
  return `UTC${min < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Zones offered in the picker; any other name of the server's zone files may be typed. */
export const COMMON_ZONES = [
  'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Asia/Seoul', 'Asia/Kolkata',
  'Asia/Dubai', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Europe/Moscow', 'America/New_York',
  'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Sao_Paulo', 'Australia/Sydney',
  'Pacific/Auckland', 'UTC',
];
