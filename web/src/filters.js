// filters.js - the applications filter that the list (GET /applications), the export page
// (POST /exports {filter}, GET /application-counts) and the list's "export by the current filter"
// share: the filter object ApplicationFilters.vue edits, the same filter in the URL and as the
// API's parameters, and the dimensions offered. The server checks every value.
import { dimName } from './format.js';
import { i18n } from './i18n.js';

/** The filter's keys sent as they are (dim and dimMin become dim.<key>_gte). */
export const FILTER_KEYS = ['stage', 'position', 'department', 'recommendation'];

/** An empty filter: {stage, position, department, recommendation, dim, dimMin}. */
export const blankFilter = () => ({ stage: '', position: '', department: '', recommendation: '', dim: '', dimMin: null });

/** Whether the dimension threshold is complete (a dimension and a score). */
function hasDim(f) {
  return Boolean(f.dim) && f.dimMin !== null && f.dimMin !== undefined;
}

/** The filter of a route's query (stage, position, department, recommendation, dim, min). */
export function filterFromQuery(q) {
  const f = blankFilter();
  for (const k of [...FILTER_KEYS, 'dim']) if (typeof q[k] === 'string') f[k] = q[k];
  if (q.min !== undefined && q.min !== '') f.dimMin = Number(q.min);
  return f;
}

/** Whether a route's query names any filter (the list's "export by the current filter"). */
export function queryHasFilter(q) {
  return [...FILTER_KEYS, 'dim'].some((k) => typeof q[k] === 'string');
}

/** The filter as a route's query: only what is set; the threshold only when complete. */
export function filterToQuery(f) {
  const q = {};
  for (const k of FILTER_KEYS) if (f[k]) q[k] = f[k];
  if (hasDim(f)) {
    q.dim = f.dim;
    q.min = String(f.dimMin);
  }
  return q;
}

/** The filter as the API's parameters: stage, position, department, recommendation, dim.<key>_gte. */
export function filterParams(f) {
  const p = {};
  for (const k of FILTER_KEYS) if (f[k]) p[k] = f[k];
  if (hasDim(f)) p[`dim.${f.dim}_gte`] = f.dimMin;
  return p;
}

/**
 * The dimensions to choose from, [{key, label}] by label: those the locales name (dims.*) and
 * those of the positions' competency models.
 */
export function dimChoices(positions = []) {
  const keys = new Set(Object.keys(i18n.global.tm('dims')).filter((k) => k !== 'true'));
  for (const p of positions) for (const d of p.competency_model || []) keys.add(d.dim);
  return [...keys].map((k) => ({ key: k, label: dimName(k) })).sort((a, b) => a.label.localeCompare(b.label));
}
