// api.js - the one way the UI talks to talentd's API (docs/openapi.yaml).
//
// Every call goes to /api/v1 on the same origin with the session cookie (HttpOnly; the browser
// sends it) and, on unsafe methods, the X-CSRF-Token header holding the session's csrf_token (from
// the login answer or GET /me). An error answer {error:{code,message,field}} becomes an ApiError;
// describeError() turns it into a sentence in the user's language and showError() shows it. Views
// either show it inline (form fields) or call showError: errors are never swallowed, and
// main.js shows any ApiError nobody caught.
import { ElMessage } from 'element-plus';
import 'element-plus/es/components/message/style/css';

import { i18n } from './i18n.js';

export class ApiError extends Error {
  /** extra: the envelope's other members (line and column of a rule syntax error, current_stage, existing_id). */
  constructor(status, code, message, field, requestId, extra = {}) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.requestId = requestId || null;
    this.line = extra.line || null;
    this.column = extra.column || null;
    this.currentStage = extra.current_stage || null;
    this.shown = false;
  }
}

let csrfToken = null;
let onUnauthorized = null;

/** Remembers the session's CSRF token (login answer, GET /me); null after logout. */
export function setCsrf(token) {
  csrfToken = token || null;
}

/** fn(err) runs when an answer is 401 (the session ended): the app goes to the login page. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** Query string from an object; null, undefined and '' values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === '') continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * One API call: method, path (under /api/v1, e.g. '/applications'), options {body, params}.
 * Resolves the parsed JSON answer; rejects with an ApiError.
 */
export async function api(method, path, { body, params } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const safe = method === 'GET' || method === 'HEAD';
  if (!safe && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(`/api/v1${path}${query(params)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e?.message || e));
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data?.error || {};
    const err = new ApiError(res.status, e.code || null, e.message || text.slice(0, 200), e.field, e.request_id, e);
    if (res.status === 401 && path !== '/auth/login' && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path, params) => api('GET', path, { params });
export const post = (path, body) => api('POST', path, { body: body ?? {} });

/**
 * The meaning of an API error code (the envelope's error.code, or one the server recorded with a
 * failure, e.g. an export queue item's last_error_code) in the user's language; null when the UI
 * does not know the code.
 */
export function errorCodeText(code) {
  const { t, te } = i18n.global;
  return code && te(`errors.codes.${code}`) ? t(`errors.codes.${code}`) : null;
}

/**
 * The error as one sentence in the user's language: the localized meaning of its code (or of
 * its HTTP status), the server's detail when it adds something, and the field it names.
 */
export function describeError(err) {
  const { t } = i18n.global;
  if (!(err instanceof ApiError)) return String(err?.message || err);
  if (err.code === 'network') return t('errors.network');
  let text = errorCodeText(err.code);
  if (text === null) text = t('errors.unknown', { status: err.status });
  // The server's message is English and precise ("dim.logic_gte must be 0-100"): keep it as the
  // detail for errors about the input, where it tells the user what to change.
  const detailed = err.status === 400 || err.status === 409 || err.status === 422 || !err.code;
  if (detailed && err.message && err.message !== err.code) text = `${text}: ${err.message}`;
  if (err.field) text = t('errors.withField', { message: text, field: err.field });
  return text;
}

/** Shows err to the user (once) as an error message; returns the text shown. */
export function showError(err) {
  const text = describeError(err);
  if (err && typeof err === 'object') {
    if (err.shown) return text;
    err.shown = true;
  }
  ElMessage({ type: 'error', message: text, showClose: true, duration: 6000 });
  return text;
}

/** Shows a success message. */
export function showOk(text) {
  ElMessage({ type: 'success', message: text, duration: 3000 });
}
