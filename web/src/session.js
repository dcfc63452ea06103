// session.js - who is logged in (GET /api/v1/me) and what their role may use.
//
// The menu and the routes a role is offered follow the API's access rules (src/http/routes.c):
// what a role may not do is not offered. The server still decides: a hidden link is no
// protection, and every refusal it sends is shown (api.js).
import { reactive } from 'vue';

import { ApiError, api, get, setCsrf } from './api.js';

export const session = reactive({ user: null, loaded: false });

/** Routes (by name) each role is offered; the router guard and the menu read this. */
export const ROLE_ROUTES = {
  admin: ['applications', 'report', 'compare', 'reviews', 'rules', 'dashboard', 'exports', 'webhooks', 'talent-pool', 'org', 'question-sets', 'question-set'],
  hr: ['applications', 'report', 'compare', 'reviews', 'rules', 'dashboard', 'exports', 'webhooks', 'talent-pool', 'org', 'question-sets', 'question-set'],
  manager: ['applications', 'report', 'compare', 'rules', 'dashboard', 'talent-pool', 'org', 'question-sets', 'question-set'],
  interviewer: ['applications', 'report', 'compare', 'question-sets', 'question-set'],
};

export function mayUse(routeName) {
  const role = session.user?.role;
  return !!role && (ROLE_ROUTES[role] || []).includes(routeName);
}

/** Whether the role may write rules, review eliminations (admin, hr). */
export const isHr = () => session.user?.role === 'admin' || session.user?.role === 'hr';

/** Loads the session user once (null when not logged in). */
export async function loadSession() {
  if (session.loaded) return session.user;
  try {
    const me = await get('/me');
    setCsrf(me.csrf_token);
    session.user = me;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    session.user = null;
  } finally {
    session.loaded = true;
  }
  return session.user;
}

export async function login(username, password) {
  const r = await api('POST', '/auth/login', { body: { username, password } });
  setCsrf(r.csrf_token);
  session.user = r.user;
  session.loaded = true;
  return r.user;
}

export async function logout() {
  try {
    await api('POST', '/auth/logout', { body: {} });
  } finally {
    setCsrf(null);
    session.user = null;
  }
}

/** Forgets the session (after a 401 from any call). */
export function dropSession() {
  setCsrf(null);
  session.user = null;
  session.loaded = true;
}
