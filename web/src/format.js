// format.js - small display helpers shared by the views.
import { i18n } from './i18n.js';

export const STAGES = [
  'applied', 'ai_invited', 'ai_in_progress', 'ai_incomplete', 'ai_pending_evaluation', 'ai_passed', 'followup',
  'offer', 'hired', 'eliminated_pending_review', 'eliminated_pending_export', 'exported', 'withdrawn',
];
export const RECOMMENDATIONS = ['recommend', 're_interview', 'not_recommended'];
/** The elimination reason categories (docs/results.md), in the order a person picks from. */
export const REASONS = [
  'ai_score_below_threshold', 'skills_mismatch', 'experience_insufficient', 'communication', 'incomplete_interview',
  'culture_fit', 'salary_expectation', 'no_show', 'duplicate_application', 'other',
];

/** A date-time of the API (RFC 3339) in the user's language, minutes precision. */
export function dateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString(i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

/** Milliseconds into the interview as m:ss (or h:mm:ss). */
export function clock(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A stage's name in the current language (the key itself when unknown). */
export function stageName(s) {
  const { t, te } = i18n.global;
  return s && te(`stage.${s}`) ? t(`stage.${s}`) : s || '';
}

/** A dimension's label: the API's pair when given, else the locale catalogue, else the key. */
export function dimName(key, zh, en) {
  const { t, te, locale } = i18n.global;
  if (zh || en) return locale.value === 'en' ? en || zh : zh || en;
  return te(`dims.${key}`) ? t(`dims.${key}`) : key;
}

export function recommendationType(r) {
  return r === 'recommend' ? 'success' : r === 're_interview' ? 'warning' : r === 'not_recommended' ? 'danger' : 'info';
}

/** An elimination reason category (docs/results.md: skills_mismatch, ...) in the current language; the code itself when unknown. */
export function reasonName(code) {
  const { t, te } = i18n.global;
  return code && te(`reasons.${code}`) ? t(`reasons.${code}`) : code || '';
}

/** A rule trigger (result, stage, schedule) in the current language. */
export function triggerName(tr) {
  const { t, te } = i18n.global;
  return tr && te(`rules.triggers.${tr}`) ? t(`rules.triggers.${tr}`) : tr || '';
}

/**
 * A rule action ({type: eliminate, reason}, {type: advance, stage}, {type: tag, tag}, ...) as a
 * phrase in the current language: what the rule does (rules.md), not its JSON.
 */
export function actionText(a) {
  const { t, te } = i18n.global;
  if (!a || !a.type) return '';
  const key = `rules.actionText.${a.type}`;
  if (!te(key)) return a.type;
  return t(key, {
    reason: reasonName(a.reason),
    stage: stageName(a.stage || a.to),
    tag: a.tag || '',
    tags: (a.tags || []).join(t('rules.tagSep')),
    role: a.role && te(`roles.${a.role}`) ? t(`roles.${a.role}`) : a.role || '',
    template: a.template || '',
  });
}

/** A rule action's type (the keys of a simulation's "actions" counts) in the current language. */
export function actionTypeName(type) {
  const { t, te } = i18n.global;
  return type && te(`rules.actionTypes.${type}`) ? t(`rules.actionTypes.${type}`) : type || '';
}

/**
 * An impact ratio (fairness check) with three decimals, rounded down: a ratio under the 0.8
 * threshold never reads as "0.80" next to its flag. null (too few to judge, or not given): '–'.
 */
export function impactRatio(r) {
  if (r === null || r === undefined) return '–';
  return (Math.floor(r * 1000 + 1e-9) / 1000).toFixed(3);
}

/**
 * Whether the screen is phone-sized (under 768 px, as the layout's media queries): description
 * lists then take one column instead of two or three, which a 390 px screen cannot hold. Read
 * when a view is set up (not reactive to rotating the phone).
 */
export function isNarrow() {
  return typeof window !== 'undefined' && !!window.matchMedia?.('(max-width: 767px)').matches;
}
