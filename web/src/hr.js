// hr.js - what the HR screens (dashboard, exports, webhooks, bulk actions) share: counting
// applications (GET /application-counts), reading a short list through its pages, downloading a
// file the API sends, an export's answer in the user's language (what a held-back application
// misses, the fairness refusal) and the outcome of one item of a bulk call. Every number comes
// from the API; nothing here decides.
import { ApiError, describeError, errorCodeText, get } from './api.js';
import { dimName } from './format.js';
import { i18n } from './i18n.js';

/** The stages of the pipeline in their order (the funnel), then where applications leave it. */
export const FUNNEL_STAGES = [
  'applied', 'ai_invited', 'ai_in_progress', 'ai_incomplete', 'ai_pending_evaluation', 'ai_passed', 'followup', 'offer',
  'hired', 'eliminated_pending_review', 'eliminated_pending_export', 'exported', 'withdrawn',
];

/** Stages an application is still "in the pipeline" in: applied up to offer (not hired, eliminated or closed). */
export const ACTIVE_STAGES = FUNNEL_STAGES.slice(0, 8);

/**
 * How many of the caller's applications match the list's filters (params: stage, position,
 * department, recommendation, has_result, dim.<key>_gte), grouped by `by` (a comma list of stage,
 * position, department, recommendation, reason): GET /application-counts, exact and counted by
 * the server. Resolves {by, items: [{stage: ..., count}, ...], total}.
 */
export function countApplications(by, params = {}) {
  return get('/application-counts', { ...params, by });
}

/** Pages read at most by countAll (200 items each). */
export const COUNT_PAGES = 5;

/**
 * Reads a list endpoint page by page (limit 200) and returns {count, items, capped}: every item
 * up to `pages` pages; capped when more were left. For the short lists a screen shows whole (org
 * units, positions, templates, webhooks, question sets) and the review queue's fairness flags;
 * how many applications match is GET /application-counts (countApplications), never this.
 */
export async function countAll(path, params = {}, pages = COUNT_PAGES) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const r = await get(path, { ...params, limit: 200, cursor: cursor || undefined });
    items.push(...r.items);
    cursor = r.next_cursor;
    if (!cursor) return { count: items.length, items, capped: false };
  }
  return { count: items.length, items, capped: true };
}

/** A count as text: "12", or "–" while it is not known. */
export function countText(n) {
  return n === null || n === undefined ? '–' : String(n);
}

/** Runs fn over items with at most n at a time; resolves the results in order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** The error of one item of a bulk answer ({status, error: {code, message, field}}) as a sentence. */
export function describeItemError(item) {
  const e = item?.error || {};
  return describeError(new ApiError(item?.status || 0, e.code || null, e.message || '', e.field));
}

/** The file name of a Content-Disposition header (filename* first), else fallback. */
function dispositionName(header, fallback) {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* the plain name */
    }
  }
  const plain = /filename="([^"]*)"/i.exec(header) || /filename=([^;]+)/i.exec(header);
  return plain ? plain[1].trim() : fallback;
}

/**
 * Downloads GET /api/v1{path} as a file: fetched first, so a refusal (403, 404 file_missing,
 * 409 file_changed) becomes an ApiError the page shows instead of a file holding the error.
 */
export async function downloadFile(path, fallbackName = 'download') {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e?.message || e));
  }
  if (!res.ok) {
    const text = await res.text();
    let e = {};
    try {
      e = JSON.parse(text).error || {};
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, e.code || null, e.message || text.slice(0, 200), e.field, e.request_id, e);
  }
  const name = dispositionName(res.headers.get('content-disposition'), fallbackName);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

/** Downloads an export job's file (GET /exports/{id}/file) under its name. */
export function downloadExport(job) {
  return downloadFile(`/exports/${job.id}/file`, job.filename || `export-${job.id}.${job.format}`);
}

/** What a held-back application misses (held_back_items[].missing: result, transcript, dim.<key>). */
export function missingText(m) {
  const { t } = i18n.global;
  if (m === 'result') return t('hr.exports.missing.result');
  if (m === 'transcript') return t('hr.exports.missing.transcript');
  const d = /^dim\.(.+)$/.exec(m);
  if (d) return t('hr.exports.missing.dim', { dim: dimName(d[1]) });
  return m;
}

/**
 * A refused export that the fairness gate stopped (409 fairness_unacknowledged) as
 * {position, text}: the position the server names (else fallback) and the refusal in the user's
 * language; null for any other error.
 */
export function fairnessRefusal(e, fallback = '') {
  if (!(e instanceof ApiError) || e.code !== 'fairness_unacknowledged') return null;
  const m = /flags position (\S+)/.exec(e.message || '');
  // the code's meaning is the whole sentence (the position is on the button beside it): the
  // server's English detail and "(field: position)" would only repeat it in another language
  return { position: m ? m[1] : fallback, text: errorCodeText(e.code) || describeError(e) };
}
