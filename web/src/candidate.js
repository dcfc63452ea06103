// candidate.js - what the candidate's pages (/i/:token, /c/:token) share: their errors in the
// candidate's words, durations and time left. Kept small and free of heavy imports: these pages
// have a budget (docs/ui.md, "Sizes").
import { ApiError, describeError } from './api.js';
import { i18n } from './i18n.js';

/**
 * An API error as one sentence for a candidate: the candidate-facing meaning of its code
 * (candidate.errors.*; without the server's English detail, which is written for developers),
 * else what describeError says (network, server errors, ...).
 */
export function candidateError(err) {
  const { t, te } = i18n.global;
  if (err instanceof ApiError) {
    if (err.code && te(`candidate.errors.${err.code}`)) return t(`candidate.errors.${err.code}`);
    if (err.status === 404) return t('candidate.errors.not_found');
    if (err.status === 413) return t('candidate.errors.answer_too_large');
  }
  return describeError(err);
}

/** A time limit in seconds as "3 分钟" / "1 min 30 s". */
export function duration(seconds) {
  const { t } = i18n.global;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (!m) return t('candidate.duration.seconds', { s });
  return s ? t('candidate.duration.minutesSeconds', { m, s }) : t('candidate.duration.minutes', { m });
}

/** Seconds left before a deadline, in words ("剩余 2 天 3 小时"). */
export function timeLeft(seconds) {
  const { t } = i18n.global;
  if (seconds <= 0) return t('candidate.timeLeft.none');
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return t('candidate.timeLeft.days', { d, h });
  if (h) return t('candidate.timeLeft.hours', { h, m });
  return t('candidate.timeLeft.minutes', { m: Math.max(1, m) });
}
