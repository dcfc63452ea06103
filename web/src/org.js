// org.js - what the org, position and question-set screens and the report's forms share: reading
// a whole list through its pages, the pipeline numbers of each position (GET /application-counts),
// and the server's refusal split into "which field" and "what is wrong" so a form can show it on
// that field. Every rule is the server's: nothing here decides what is valid.
import { ApiError, describeError, get } from './api.js';
import { i18n } from './i18n.js';

/** Stages an application is still "in the pipeline" in: applied up to offer. */
export const PIPELINE_STAGES = ['applied', 'ai_invited', 'ai_in_progress', 'ai_incomplete', 'ai_pending_evaluation', 'ai_passed', 'followup', 'offer'];

/** Every item of a list endpoint (200 a page, following next_cursor; at most `pages` pages). */
export async function fetchAll(path, params = {}, pages = 50) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const r = await get(path, { ...params, limit: 200, cursor: cursor || undefined });
    items.push(...r.items);
    cursor = r.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * Per position code: {hired, pipeline} from GET /application-counts?by=position,stage (the
 * caller's rows only: a manager's subtree).
 */
export async function positionCounts() {
  const r = await get('/application-counts', { by: 'position,stage' });
  const out = new Map();
  for (const it of r.items || []) {
    if (!it.position) continue;
    const c = out.get(it.position) || { hired: 0, pipeline: 0 };
    if (it.stage === 'hired') c.hired += it.count;
    else if (PIPELINE_STAGES.includes(it.stage)) c.pipeline += it.count;
    out.set(it.position, c);
  }
  return out;
}

/** The error's sentence without the "(field: ...)" part, for showing under the field itself. */
export function fieldMessage(err) {
  if (!(err instanceof ApiError) || !err.field) return describeError(err);
  const copy = new ApiError(err.status, err.code, err.message, null, err.requestId);
  return describeError(copy);
}

/**
 * The field path the form shows that is nearest to the server's `field`: the path itself, else
 * the path with its last `[n]` or `.name` taken off, and so on (`questions[0].dims[1]` ->
 * `questions[0].dims`); null when none is shown.
 */
export function shownField(field, known) {
  let f = field;
  while (f) {
    if (known(f)) return f;
    const cut = f.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
    if (cut === f) return null;
    f = cut;
  }
  return null;
}

/**
 * A form's problem: {field, text, general}. `field` is the field path the form shows nearest to
 * the server's (`competency_model[1].weight`): the text goes under it; when the form shows no such
 * field, the whole sentence (naming the server's field) is shown for the form (general).
 */
export function problemOf(err, known = () => false) {
  const field = err instanceof ApiError && err.field ? shownField(err.field, known) : null;
  if (field) return { field, text: fieldMessage(err), general: '' };
  return { field: null, text: '', general: describeError(err) };
}

export const noProblem = () => ({ field: null, text: '', general: '' });

/** Weights added up, rounded for display (the server weighs them proportionally). */
export function weightSum(rows) {
  const s = rows.reduce((a, r) => a + (Number.isFinite(Number(r.weight)) && r.weight !== null && r.weight !== '' ? Number(r.weight) : 0), 0);
  return Math.round(s * 1000) / 1000;
}

/** The dimension keys the UI has names for (locales: dims.*), for pickers; any other key may be typed. */
export function knownDims() {
  const dims = i18n.global.getLocaleMessage('zh-CN').dims || {};
  return Object.keys(dims).filter((k) => /^[a-z][a-z0-9_]{0,31}$/.test(k) && k !== 'true');
}

/** A number typed in a text input: '' stays null (the server says it is required), else Number. */
export function num(v) {
  if (v === null || v === undefined || String(v).trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : String(v);
}
