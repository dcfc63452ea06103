// rbac.test.mjs - who may call what. A data-driven matrix mirrors
// src/http/routes.c: every route x every kind of caller (anonymous, the four
// staff roles with session + CSRF, an admin-owned token lacking the route's
// scope, one holding exactly that scope). Then row-level visibility: a
// manager sees their org subtree only, an interviewer their assignments only,
// and field-level redaction and masking.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, assertError, cliToken, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

const ALL_SCOPES = [
  'org:read',
  'org:write',
  'positions:read',
  'positions:write',
  'candidates:read',
  'candidates:write',
  'applications:read',
  'applications:write',
  'users:read',
  'users:write',
  'tokens:write',
  'audit:read',
  'results:read',
  'results:write',
  'events:read',
  'questions:read',
  'questions:write',
  'rules:read',
  'rules:write',
  'webhooks:read',
  'webhooks:write',
];

const STAFF = ['admin', 'hr', 'manager', 'interviewer'];
const HR = ['admin', 'hr'];
const ADMIN = ['admin'];
const HR_MGR = ['admin', 'hr', 'manager'];

let srv;
let s;
let admin;
const extra = {}; // resources made for the matrix
const tokens = { only: {}, allBut: {}, all: null };

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  admin = s.clients.admin;
  const mk = async (path, body) => {
    const r = await admin.post(path, body);
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  extra.user = await mk('/api/v1/users', { username: 'rbac.target', role: 'interviewer', password: PASSWORD });
  extra.ou = await mk('/api/v1/org-units', { code: 'RBAC-OU', name: 'Rbac', parent: 'HQ' });
  const cand = await mk('/api/v1/candidates', { name: 'Rbac Assign', email: 'rbac.assign@example.com' });
  extra.assignApp = await mk('/api/v1/applications', { candidate_id: cand.id, position: 'SALES-01' });
  // Targets for refused calls to consuming routes (an allowed call gets a fresh one).
  extra.victimUser = await mk('/api/v1/users', { username: 'rbac.victim', role: 'interviewer', password: PASSWORD });
  extra.victimToken = await mk('/api/v1/tokens', { name: 'victim', scopes: ['org:read'] });
  extra.victimLink = await mk(`/api/v1/applications/${s.app.sales_b.id}/candidate-links`, {});
  extra.victimOu = await mk('/api/v1/org-units', { code: 'RBAC-VICTIM', name: 'Victim', parent: 'HQ' });
  extra.qset = await mk('/api/v1/question-sets', qsetBody('RBAC-QS'));
  extra.victimQset = await mk('/api/v1/question-sets', qsetBody('RBAC-QS-VICTIM'));
  // Interviews: an application refused invitations target, and an invited one for refused revokes.
  extra.victimApp = await mk('/api/v1/applications', {
    candidate_id: (await mk('/api/v1/candidates', { name: 'Rbac Invite', email: 'rbac.invite@example.com' })).id,
    position: 'SALES-01',
  });
  const sessApp = await mk('/api/v1/applications', {
    candidate_id: (await mk('/api/v1/candidates', { name: 'Rbac Session', email: 'rbac.session@example.com' })).id,
    position: 'SALES-01',
  });
  extra.victimSession = (await mk(`/api/v1/applications/${sessApp.id}/invite`, { question_set: 'RBAC-QS' })).session;
  // A completed (and scored) interview for rescore: rescoring it again is repeatable.
  const doneApp = await mk('/api/v1/applications', {
    candidate_id: (await mk('/api/v1/candidates', { name: 'Rbac Done', email: 'rbac.done@example.com' })).id,
    position: 'SALES-01',
  });
  const doneInv = await mk(`/api/v1/applications/${doneApp.id}/invite`, { question_set: 'RBAC-QS' });
  const doneState = await srv.api('GET', `/api/v1/interview/${doneInv.token}`);
  for (const q of doneState.body.questions) {
    const r = await srv.api('PUT', `/api/v1/interview/${doneInv.token}/answers/${q.id}`, { body: { text: '我擅长沟通。', final: true } });
    if (r.status !== 200) throw new Error(`answer: ${r.status} ${r.text}`);
  }
  const doneExit = await srv.api('POST', `/api/v1/interview/${doneInv.token}/exit`, { body: { confirm: true } });
  if (doneExit.body?.status !== 'completed') throw new Error(`exit: ${doneExit.status} ${doneExit.text}`);
  extra.completedSession = doneInv.session;
  // Reviews: an elimination waiting for review for refused calls; fairness attributes configured.
  extra.victimReview = await fresh.review();
  extra.victimPool = await fresh.pooled();
  await admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
  // Results: one on an application of SALES-01 assigned to int2 (the interviewer who reads it, see
  // `as` below; int1's assignments stay as the row-level tests expect), one waiting unmatched.
  extra.resultApp = await mk('/api/v1/applications', {
    candidate_id: (await mk('/api/v1/candidates', { name: 'Rbac Result', email: 'rbac.result@example.com' })).id,
    position: 'SALES-01',
  });
  const assign = await admin.post(`/api/v1/applications/${extra.resultApp.id}/assignees`, { user: 'int2' });
  if (assign.status !== 200) throw new Error(`assign int2: ${assign.status} ${assign.text}`);
  extra.result = await mk('/api/v1/results', resultBody({ application_id: extra.resultApp.id }));
  extra.victimUnmatched = await fresh.unmatched();
  // Rules: disabled, dry-run, so they never fire on the other routes' data.
  extra.rule = await mk('/api/v1/rules', ruleBody());
  extra.victimRule = await mk('/api/v1/rules', ruleBody());
  // Webhooks: disabled, pointing at a closed port on 127.0.0.1, so nothing is ever delivered and the
  // background worker (which only works while some subscription is enabled) leaves them alone.
  hookUrl = `http://127.0.0.1:${await closedPort()}/rbac`;
  extra.hook = await mk('/api/v1/webhooks', hookBody());
  extra.victimHook = await mk('/api/v1/webhooks', hookBody());
  const ping = await admin.post(`/api/v1/webhooks/${extra.hook.id}/ping`);
  if (ping.status !== 200) throw new Error(`ping: ${ping.status} ${ping.text}`);
  extra.delivery = ping.body; // pending, the connection refused
  // Exports: templates, an export made (with its file), and an application waiting for export that
  // a refused POST /exports must leave waiting.
  extra.template = await mk('/api/v1/export-templates', templateBody());
  extra.victimTemplate = await mk('/api/v1/export-templates', templateBody());
  extra.victimEliminated = await fresh.eliminated();
  extra.exportJob = await mk('/api/v1/exports', { template: extra.template.name, filter: { candidate_id: await fresh.eliminated() } });
  // Tokens owned by admin: exactly one scope (CLI-made), every scope but one (API-made).
  for (const sc of ALL_SCOPES) {
    tokens.only[sc] = await cliToken(srv, [sc], { name: `only-${sc}` });
    const t = await mk('/api/v1/tokens', { name: `all-but-${sc}`, scopes: ALL_SCOPES.filter((x) => x !== sc) });
    tokens.allBut[sc] = t.token;
  }
  tokens.all = (await mk('/api/v1/tokens', { name: 'all', scopes: ALL_SCOPES })).token;
});

after(async () => {
  if (srv) await srv.stop();
});

/** A small valid question set. */
function qsetBody(code) {
  return { code, name: 'Matrix set', questions: [{ text_zh: '请介绍你自己。', dims: ['communication'] }] };
}

/** A native AI result for the candidate reference given (application_id, email, ...). */
function resultBody(candidate) {
  return {
    vendor: 'native',
    vendor_result_id: `RBAC-${uniq()}`,
    completed_at: '2026-11-20T09:30:00Z',
    candidate,
    overall: 70,
    dimensions: [
      { key: 'logic', score: 70 },
      { key: 'communication', score: 70 },
    ],
    transcript: [{ start_ms: 0, end_ms: 3000, speaker: 'candidate', text: '我做过三年销售。' }],
  };
}

/** A rule that never fires: disabled, and dry-run should it ever be enabled. */
function ruleBody() {
  return { name: `rbac rule ${uniq()}`, when: 'ai.overall < 60', actions: [{ type: 'tag', tag: 'rbac' }], mode: 'dry_run', enabled: false };
}

/** A small export template. */
function templateBody() {
  return { name: `rbac-template-${uniq()}`, fields: ['application.id', 'candidate.name'], format: 'csv' };
}

let hookUrl; // http://127.0.0.1:<a closed port>/rbac, set in before()

/** A disabled subscription to a closed port: nothing is ever sent. */
function hookBody() {
  return { name: `rbac hook ${uniq()}`, url: hookUrl, events: ['org_unit.deleted'], enabled: false };
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken, then released). */
function closedPort() {
  return new Promise((resolve, reject) => {
    const l = net.createServer();
    l.on('error', reject);
    l.listen(0, '127.0.0.1', () => {
      const { port } = l.address();
      l.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------
// the matrix

/** Fresh resources for routes whose allowed call changes or consumes them. */
const fresh = {
  async user() {
    const r = await admin.post('/api/v1/users', { username: `rbac.fresh-${uniq()}`, role: 'interviewer', password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async token() {
    const r = await admin.post('/api/v1/tokens', { name: 'victim', scopes: ['org:read'] });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async orgUnit() {
    const r = await admin.post('/api/v1/org-units', { code: `RB-DEL-${uniq()}`, name: 'to delete', parent: 'HQ' });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async link() {
    const r = await admin.post(`/api/v1/applications/${s.app.sales_b.id}/candidate-links`, {});
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async questionSet() {
    const r = await admin.post('/api/v1/question-sets', qsetBody(`RB-QS-${uniq()}`));
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async application() {
    const c = await admin.post('/api/v1/candidates', { name: 'Rbac Invitee', email: `rbac.inv.${uniq()}@example.com` });
    assert.equal(c.status, 201, c.text);
    const r = await admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async interview() {
    const app = await fresh.application();
    const r = await admin.post(`/api/v1/applications/${app}/invite`, { question_set: 'RBAC-QS' });
    assert.equal(r.status, 201, r.text);
    return r.body.session.id;
  },
  async candidate() {
    const r = await admin.post('/api/v1/candidates', { name: 'Rbac Fresh', email: `rbac.${uniq()}@example.com` });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  /** An application kept in the talent pool. */
  async pooled() {
    const app = await fresh.application();
    const r = await admin.post('/api/v1/talent-pool', { application_id: app, tags: ['matrix'] });
    assert.equal(r.status, 201, r.text);
    return app;
  },
  /** An application of a review-required position eliminated by hr: waiting in the review queue. */
  async review() {
    const c = await admin.post('/api/v1/candidates', { name: 'Rbac Review', email: `rbac.rev.${uniq()}@example.com` });
    assert.equal(c.status, 201, c.text);
    const a = await admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'ENG-BE-01' });
    assert.equal(a.status, 201, a.text);
    const t = await admin.post(`/api/v1/applications/${a.body.id}/transitions`, { to: 'eliminated_pending_review', reason: 'skills_mismatch' });
    assert.equal(t.status, 200, t.text);
    return a.body.id;
  },
  /** A result that matched nothing, waiting in the unmatched queue. */
  async unmatched() {
    const who = { name: 'Rbac Nobody', email: `rbac.nobody.${uniq()}@example.com`, position_code: 'SALES-01' };
    const r = await admin.post('/api/v1/results', resultBody(who));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.unmatched_reason, 'candidate_not_found', r.text);
    return r.body.id;
  },
  async rule() {
    const r = await admin.post('/api/v1/rules', ruleBody());
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async hook() {
    const r = await admin.post('/api/v1/webhooks', hookBody());
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  async exportTemplate() {
    const r = await admin.post('/api/v1/export-templates', templateBody());
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  },
  /**
   * A new candidate whose SALES-01 application (no review needed), with a complete AI result, waits in eliminated_pending_export;
   * returns the candidate id: the export filter {candidate_id} then takes exactly that application.
   */
  async eliminated() {
    const cand = await fresh.candidate();
    const a = await admin.post('/api/v1/applications', { candidate_id: cand, position: 'SALES-01' });
    assert.equal(a.status, 201, a.text);
    // a complete evaluation (result, transcript, every dimension of the model): the export gate lets it out
    const r = await admin.post('/api/v1/results', resultBody({ application_id: a.body.id }));
    assert.equal(r.status, 201, r.text);
    const t = await admin.post(`/api/v1/applications/${a.body.id}/transitions`, { to: 'eliminated_pending_export', reason: 'skills_mismatch' });
    assert.equal(t.status, 200, t.text);
    return cand;
  },
};

// Each route: method, path (a function building it with real ids), the roles
// routes.c lets in, the token scope, the status an allowed caller gets, and
// the body (a function, may create fresh resources). Rarely: `as` names the
// user playing a role on that route, `raw` marks a response that is a file.
const ROUTES = [
  { pat: '/api/v1/auth/logout', m: 'POST', p: () => '/api/v1/auth/logout', roles: STAFF, scope: null, ok: 200 },
  { pat: '/api/v1/me', m: 'GET', p: () => '/api/v1/me', roles: STAFF, scope: null, ok: 200 },

  { pat: '/api/v1/users', m: 'GET', p: () => '/api/v1/users', roles: ADMIN, scope: 'users:read', ok: 200 },
  {
    pat: '/api/v1/users', m: 'POST', p: () => '/api/v1/users', roles: ADMIN, scope: 'users:write', ok: 201,
    body: async () => ({ username: `rbac.new-${uniq()}`, role: 'hr', password: PASSWORD }),
  },
  { pat: '/api/v1/users/{id}', m: 'GET', p: () => `/api/v1/users/${extra.user.id}`, roles: ADMIN, scope: 'users:read', ok: 200 },
  { pat: '/api/v1/staff', m: 'GET', p: () => '/api/v1/staff?role=interviewer', roles: HR, scope: 'org:read', ok: 200 },
  {
    pat: '/api/v1/users/{id}', m: 'PATCH', p: () => `/api/v1/users/${extra.user.id}`, roles: ADMIN, scope: 'users:write', ok: 200,
    body: async () => ({ display_name: 'Patched ' + uniq() }),
  },
  {
    pat: '/api/v1/users/{id}/disable', m: 'POST', p: (id) => `/api/v1/users/${id}/disable`, roles: ADMIN, scope: 'users:write', ok: 200,
    id: (refused) => (refused ? extra.victimUser.id : fresh.user()),
  },

  { pat: '/api/v1/tokens', m: 'GET', p: () => '/api/v1/tokens', roles: ADMIN, scope: 'tokens:write', ok: 200 },
  {
    pat: '/api/v1/tokens', m: 'POST', p: () => '/api/v1/tokens', roles: ADMIN, scope: 'tokens:write', ok: 201,
    body: async () => ({ name: 'made-in-matrix', scopes: ['org:read'] }),
  },
  {
    pat: '/api/v1/tokens/{id}/revoke', m: 'POST', p: (id) => `/api/v1/tokens/${id}/revoke`, roles: ADMIN, scope: 'tokens:write', ok: 200,
    id: (refused) => (refused ? extra.victimToken.id : fresh.token()),
  },

  { pat: '/api/v1/org-units', m: 'GET', p: () => '/api/v1/org-units', roles: STAFF, scope: 'org:read', ok: 200 },
  {
    pat: '/api/v1/org-units', m: 'POST', p: () => '/api/v1/org-units', roles: HR, scope: 'org:write', ok: 201,
    body: async () => ({ code: `RB-${uniq()}`, name: 'made in matrix', parent: 'HQ' }),
  },
  { pat: '/api/v1/org-units/{id}', m: 'GET', p: () => `/api/v1/org-units/${s.org.SALES.id}`, roles: STAFF, scope: 'org:read', ok: 200 },
  {
    pat: '/api/v1/org-units/{id}', m: 'PATCH', p: () => `/api/v1/org-units/${extra.ou.id}`, roles: HR, scope: 'org:write', ok: 200,
    body: async () => ({ name: 'Rbac ' + uniq() }),
  },
  {
    pat: '/api/v1/org-units/{id}', m: 'DELETE', p: (id) => `/api/v1/org-units/${id}`, roles: HR, scope: 'org:write', ok: 200,
    id: (refused) => (refused ? extra.victimOu.id : fresh.orgUnit()),
  },

  { pat: '/api/v1/positions', m: 'GET', p: () => '/api/v1/positions', roles: STAFF, scope: 'positions:read', ok: 200 },
  {
    pat: '/api/v1/positions', m: 'POST', p: () => '/api/v1/positions', roles: HR, scope: 'positions:write', ok: 201,
    body: async () => ({ code: `RB-POS-${uniq()}`, title: 'Matrix', org_unit: 'RBAC-OU', headcount: 1 }),
  },
  { pat: '/api/v1/positions/{id}', m: 'GET', p: () => `/api/v1/positions/${s.pos['SALES-01'].id}`, roles: STAFF, scope: 'positions:read', ok: 200 },
  {
    pat: '/api/v1/positions/{id}', m: 'PATCH', p: () => `/api/v1/positions/${s.pos['SALES-01'].id}`, roles: HR, scope: 'positions:write', ok: 200,
    body: async () => ({ description: 'patched ' + uniq() }),
  },

  { pat: '/api/v1/candidates', m: 'GET', p: () => '/api/v1/candidates', roles: STAFF, scope: 'candidates:read', ok: 200 },
  {
    pat: '/api/v1/candidates', m: 'POST', p: () => '/api/v1/candidates', roles: HR, scope: 'candidates:write', ok: 201,
    body: async () => ({ name: 'Matrix Candidate', email: `matrix.${uniq()}@example.com` }),
  },
  { pat: '/api/v1/candidates/{id}', m: 'GET', p: () => `/api/v1/candidates/${s.cand.sales_a.id}`, roles: STAFF, scope: 'candidates:read', ok: 200 },
  {
    pat: '/api/v1/candidates/{id}', m: 'PATCH', p: () => `/api/v1/candidates/${s.cand.sales_a.id}`, roles: HR, scope: 'candidates:write', ok: 200,
    body: async () => ({ source: 'referral' }),
  },

  { pat: '/api/v1/applications', m: 'GET', p: () => '/api/v1/applications', roles: STAFF, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/applications', m: 'POST', p: () => '/api/v1/applications', roles: HR, scope: 'applications:write', ok: 201,
    body: async (refused) =>
      refused ? { candidate_id: s.cand.eng_a.id, position: 'SALES-01' } : { candidate_id: await fresh.candidate(), position: 'ENG-01' },
  },
  { pat: '/api/v1/applications/{id}', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}`, roles: STAFF, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/applications/{id}', m: 'PATCH', p: () => `/api/v1/applications/${s.app.sales_a.id}`, roles: HR, scope: 'applications:write', ok: 200,
    body: async () => ({ special_note: 'matrix ' + uniq() }),
  },
  {
    // An illegal move: allowed callers get past access control to the pipeline's 409.
    pat: '/api/v1/applications/{id}/transitions', m: 'POST', p: () => `/api/v1/applications/${s.app.sales_a.id}/transitions`, roles: HR_MGR,
    scope: 'applications:write', ok: 409, okCode: 'illegal_transition', body: async () => ({ to: 'hired' }),
  },
  {
    pat: '/api/v1/applications/{id}/history', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}/history`, roles: STAFF,
    scope: 'applications:read', ok: 200,
  },
  {
    pat: '/api/v1/applications/{id}/assignees', m: 'POST', p: () => `/api/v1/applications/${extra.assignApp.id}/assignees`, roles: HR,
    scope: 'applications:write', ok: 200, body: async () => ({ user: 'int2' }),
  },
  {
    pat: '/api/v1/applications/{id}/assignees/{username}', m: 'DELETE',
    p: () => `/api/v1/applications/${extra.assignApp.id}/assignees/rbac.target`, roles: HR, scope: 'applications:write', ok: 200,
  },

  {
    pat: '/api/v1/results', m: 'POST', p: () => '/api/v1/results', roles: HR, scope: 'results:write', ok: 201,
    body: async (refused) => resultBody({ application_id: refused ? extra.victimApp.id : await fresh.application() }),
  },
  {
    // The interviewer asking is int2, assigned to the result's application (int1 sees sales_a only).
    pat: '/api/v1/results/{id}', m: 'GET', p: () => `/api/v1/results/${extra.result.id}`, roles: STAFF, scope: 'results:read',
    ok: 200, as: { interviewer: 'int2' },
  },

  { pat: '/api/v1/audit', m: 'GET', p: () => '/api/v1/audit', roles: HR, scope: 'audit:read', ok: 200 },
  { pat: '/api/v1/settings', m: 'GET', p: () => '/api/v1/settings', roles: STAFF, scope: 'org:read', ok: 200, notList: true },
  {
    // Sets the zone the fresh database already has: the other rows see the same schedules.
    pat: '/api/v1/settings', m: 'PATCH', p: () => '/api/v1/settings', roles: ADMIN, scope: 'org:write', ok: 200,
    body: async () => ({ time_zone: 'Asia/Shanghai' }),
  },

  { pat: '/api/v1/question-sets', m: 'GET', p: () => '/api/v1/question-sets', roles: STAFF, scope: 'questions:read', ok: 200 },
  {
    pat: '/api/v1/question-sets', m: 'POST', p: () => '/api/v1/question-sets', roles: HR, scope: 'questions:write', ok: 201,
    body: async () => qsetBody(`RB-QS-${uniq()}`),
  },
  {
    pat: '/api/v1/question-sets/{id}', m: 'GET', p: () => `/api/v1/question-sets/${extra.qset.id}`, roles: STAFF,
    scope: 'questions:read', ok: 200,
  },
  {
    pat: '/api/v1/question-sets/{id}', m: 'PATCH', p: () => `/api/v1/question-sets/${extra.qset.id}`, roles: HR,
    scope: 'questions:write', ok: 200, body: async () => ({ name: 'Matrix ' + uniq() }),
  },
  {
    pat: '/api/v1/question-sets/{id}', m: 'DELETE', p: (id) => `/api/v1/question-sets/${id}`, roles: HR, scope: 'questions:write',
    ok: 200, id: (refused) => (refused ? extra.victimQset.id : fresh.questionSet()),
  },

  { pat: '/api/v1/unmatched-results', m: 'GET', p: () => '/api/v1/unmatched-results', roles: HR, scope: 'results:read', ok: 200 },
  {
    pat: '/api/v1/unmatched-results/{id}/attach', m: 'POST', p: (id) => `/api/v1/unmatched-results/${id}/attach`, roles: HR,
    scope: 'results:write', ok: 200, id: (refused) => (refused ? extra.victimUnmatched : fresh.unmatched()),
    body: async () => ({ create_candidate: true }),
  },
  { pat: '/api/v1/vendors', m: 'GET', p: () => '/api/v1/vendors', roles: HR, scope: 'results:read', ok: 200 },
  {
    pat: '/api/v1/applications/{id}/report', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}/report`, roles: STAFF,
    scope: 'results:read', ok: 200, notList: true,
  },
  { pat: '/api/v1/compare', m: 'GET', p: () => `/api/v1/compare?ids=${s.app.sales_a.id}`, roles: STAFF, scope: 'results:read', ok: 200 },
  { pat: '/api/v1/application-counts', m: 'GET', p: () => '/api/v1/application-counts?by=stage,position', roles: STAFF, scope: 'applications:read', ok: 200 },
  { pat: '/api/v1/pipeline-kpis', m: 'GET', p: () => '/api/v1/pipeline-kpis', roles: HR_MGR, scope: 'applications:read', ok: 200, notList: true },
  { pat: '/api/v1/reminders', m: 'GET', p: () => '/api/v1/reminders', roles: STAFF, scope: 'applications:read', ok: 200, notList: true },
  {
    pat: '/api/v1/applications/{id}/annotations', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}/annotations`,
    roles: STAFF, scope: 'applications:read', ok: 200,
  },
  {
    pat: '/api/v1/applications/{id}/annotations', m: 'POST', p: () => `/api/v1/applications/${s.app.sales_a.id}/annotations`,
    roles: STAFF, scope: 'applications:write', ok: 201, body: async () => ({ body: 'matrix note ' + uniq() }),
  },
  {
    pat: '/api/v1/applications/{id}/score-revisions', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}/score-revisions`,
    roles: STAFF, scope: 'results:read', ok: 200,
  },
  {
    // No result to revise: allowed callers get past access control to the 409.
    pat: '/api/v1/applications/{id}/score-revisions', m: 'POST', p: () => `/api/v1/applications/${s.app.sales_a.id}/score-revisions`,
    roles: HR, scope: 'results:write', ok: 409, okCode: 'no_result', body: async () => ({ dim: 'logic', score: 50, reason: 'matrix' }),
  },
  {
    pat: '/api/v1/applications/{id}/candidate-links', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_b.id}/candidate-links`,
    roles: HR, scope: 'applications:read', ok: 200,
  },
  {
    pat: '/api/v1/applications/{id}/candidate-links', m: 'POST', p: () => `/api/v1/applications/${s.app.sales_b.id}/candidate-links`,
    roles: HR, scope: 'applications:write', ok: 201, body: async () => ({ expires_in_days: 7 }),
  },
  {
    pat: '/api/v1/candidate-links/{id}/revoke', m: 'POST', p: (id) => `/api/v1/candidate-links/${id}/revoke`, roles: HR,
    scope: 'applications:write', ok: 200, id: (refused) => (refused ? extra.victimLink.id : fresh.link()),
  },

  {
    pat: '/api/v1/applications/{id}/invite', m: 'POST', p: (id) => `/api/v1/applications/${id}/invite`, roles: HR,
    scope: 'applications:write', ok: 201, id: (refused) => (refused ? extra.victimApp.id : fresh.application()),
    body: async () => ({ question_set: 'RBAC-QS' }),
  },
  {
    pat: '/api/v1/interviews/invite', m: 'POST', p: () => '/api/v1/interviews/invite', roles: HR, scope: 'applications:write',
    ok: 200, notList: true,
    body: async (refused) => ({ application_ids: [refused ? extra.victimApp.id : await fresh.application()], question_set: 'RBAC-QS' }),
  },
  {
    pat: '/api/v1/applications/{id}/interviews', m: 'GET', p: () => `/api/v1/applications/${extra.victimApp.id}/interviews`,
    roles: HR, scope: 'applications:read', ok: 200,
  },
  {
    pat: '/api/v1/interviews/{id}/revoke', m: 'POST', p: (id) => `/api/v1/interviews/${id}/revoke`, roles: HR,
    scope: 'applications:write', ok: 200, id: (refused) => (refused ? extra.victimSession.id : fresh.interview()),
  },
  {
    pat: '/api/v1/interviews/{id}/rescore', m: 'POST', p: (id) => `/api/v1/interviews/${id}/rescore`, roles: HR,
    scope: 'applications:write', ok: 200, id: () => extra.completedSession.id,
  },
  {
    pat: '/api/v1/interviews/{id}/invitation', m: 'GET', p: () => `/api/v1/interviews/${extra.victimSession.id}/invitation`,
    roles: HR, scope: 'applications:write', ok: 200,
  },

  { pat: '/api/v1/rules', m: 'GET', p: () => '/api/v1/rules', roles: HR_MGR, scope: 'rules:read', ok: 200 },
  {
    pat: '/api/v1/rules', m: 'POST', p: () => '/api/v1/rules', roles: HR, scope: 'rules:write', ok: 201,
    body: async () => ruleBody(),
  },
  {
    pat: '/api/v1/rules/check', m: 'POST', p: () => '/api/v1/rules/check', roles: HR, scope: 'rules:read', ok: 200,
    body: async () => ({ when: 'ai.overall < 60' }),
  },
  {
    pat: '/api/v1/rules/simulate', m: 'POST', p: () => '/api/v1/rules/simulate', roles: HR, scope: 'rules:read', ok: 200,
    body: async () => ({ when: 'ai.overall < 60', actions: [{ type: 'tag', tag: 'rbac' }] }),
  },
  { pat: '/api/v1/rules/{id}', m: 'GET', p: () => `/api/v1/rules/${extra.rule.id}`, roles: HR_MGR, scope: 'rules:read', ok: 200 },
  {
    pat: '/api/v1/rules/{id}', m: 'PATCH', p: () => `/api/v1/rules/${extra.rule.id}`, roles: HR, scope: 'rules:write', ok: 200,
    body: async () => ({ name: `rbac rule ${uniq()}` }),
  },
  {
    pat: '/api/v1/rules/{id}', m: 'DELETE', p: (id) => `/api/v1/rules/${id}`, roles: HR, scope: 'rules:write', ok: 200,
    id: (refused) => (refused ? extra.victimRule.id : fresh.rule()),
  },
  {
    pat: '/api/v1/rules/{id}/simulate', m: 'POST', p: () => `/api/v1/rules/${extra.rule.id}/simulate`, roles: HR, scope: 'rules:read',
    ok: 200, body: async () => ({}),
  },
  {
    pat: '/api/v1/applications/{id}/rule-firings', m: 'GET', p: () => `/api/v1/applications/${s.app.sales_a.id}/rule-firings`,
    roles: STAFF, scope: 'applications:read', ok: 200,
  },

  { pat: '/api/v1/reviews', m: 'GET', p: () => '/api/v1/reviews', roles: HR, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/reviews/confirm', m: 'POST', p: () => '/api/v1/reviews/confirm', roles: HR, scope: 'applications:write',
    ok: 200, notList: true, body: async (refused) => ({ application_ids: [refused ? extra.victimReview : await fresh.review()] }),
  },
  {
    pat: '/api/v1/reviews/{id}/confirm', m: 'POST', p: (id) => `/api/v1/reviews/${id}/confirm`, roles: HR,
    scope: 'applications:write', ok: 200, id: (refused) => (refused ? extra.victimReview : fresh.review()),
  },
  {
    pat: '/api/v1/reviews/{id}/override', m: 'POST', p: (id) => `/api/v1/reviews/${id}/override`, roles: HR,
    scope: 'applications:write', ok: 200, id: (refused) => (refused ? extra.victimReview : fresh.review()),
    body: async () => ({ reason: 'matrix override' }),
  },
  { pat: '/api/v1/talent-pool', m: 'GET', p: () => '/api/v1/talent-pool', roles: HR_MGR, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/talent-pool', m: 'POST', p: () => '/api/v1/talent-pool', roles: HR, scope: 'applications:write', ok: 201,
    body: async () => ({ application_id: s.app.sales_a.id, tags: ['matrix'] }),
  },
  {
    pat: '/api/v1/talent-pool/{id}', m: 'DELETE', p: (id) => `/api/v1/talent-pool/${id}`, roles: HR, scope: 'applications:write',
    ok: 200, id: (refused) => (refused ? extra.victimPool : fresh.pooled()),
  },
  { pat: '/api/v1/fairness', m: 'GET', p: () => '/api/v1/fairness?position=SALES-01', roles: HR, scope: 'applications:read', ok: 200, notList: true },
  { pat: '/api/v1/fairness/config', m: 'GET', p: () => '/api/v1/fairness/config', roles: HR, scope: 'rules:read', ok: 200, notList: true },
  {
    pat: '/api/v1/fairness/config', m: 'PUT', p: () => '/api/v1/fairness/config', roles: ADMIN, scope: 'rules:write', ok: 200,
    body: async () => ({ attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] }),
  },
  {
    // Nothing is flagged for SALES-01: allowed callers get past access control to the 409.
    pat: '/api/v1/fairness/acknowledgements', m: 'POST', p: () => '/api/v1/fairness/acknowledgements', roles: HR,
    scope: 'applications:write', ok: 409, okCode: 'not_flagged', body: async () => ({ position: 'SALES-01', reason: 'matrix' }),
  },
  {
    pat: '/api/v1/candidates/{id}/attributes', m: 'GET', p: () => `/api/v1/candidates/${s.cand.sales_a.id}/attributes`, roles: HR,
    scope: 'candidates:read', ok: 200,
  },
  {
    pat: '/api/v1/candidates/{id}/attributes', m: 'PUT', p: () => `/api/v1/candidates/${s.cand.sales_a.id}/attributes`, roles: HR,
    scope: 'candidates:write', ok: 200, body: async () => ({ gender: 'matrix-' + uniq() }),
  },

  { pat: '/api/v1/webhook-events', m: 'GET', p: () => '/api/v1/webhook-events', roles: HR, scope: 'webhooks:read', ok: 200 },
  { pat: '/api/v1/webhooks', m: 'GET', p: () => '/api/v1/webhooks', roles: HR, scope: 'webhooks:read', ok: 200 },
  {
    pat: '/api/v1/webhooks', m: 'POST', p: () => '/api/v1/webhooks', roles: ADMIN, scope: 'webhooks:write', ok: 201,
    body: async () => hookBody(),
  },
  { pat: '/api/v1/webhooks/{id}', m: 'GET', p: () => `/api/v1/webhooks/${extra.hook.id}`, roles: HR, scope: 'webhooks:read', ok: 200 },
  {
    pat: '/api/v1/webhooks/{id}', m: 'PATCH', p: () => `/api/v1/webhooks/${extra.hook.id}`, roles: ADMIN, scope: 'webhooks:write',
    ok: 200, body: async () => ({ name: `rbac hook ${uniq()}` }),
  },
  {
    pat: '/api/v1/webhooks/{id}', m: 'DELETE', p: (id) => `/api/v1/webhooks/${id}`, roles: ADMIN, scope: 'webhooks:write', ok: 200,
    id: (refused) => (refused ? extra.victimHook.id : fresh.hook()),
  },
  {
    pat: '/api/v1/webhooks/{id}/deliveries', m: 'GET', p: () => `/api/v1/webhooks/${extra.hook.id}/deliveries`, roles: HR,
    scope: 'webhooks:read', ok: 200,
  },
  {
    pat: '/api/v1/webhooks/{id}/deliveries/{delivery_id}', m: 'GET',
    p: () => `/api/v1/webhooks/${extra.hook.id}/deliveries/${extra.delivery.id}`, roles: HR, scope: 'webhooks:read', ok: 200,
  },
  {
    // Requeues the (undeliverable) ping; may be repeated. The subscription is disabled: nothing is sent.
    pat: '/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay', m: 'POST',
    p: () => `/api/v1/webhooks/${extra.hook.id}/deliveries/${extra.delivery.id}/replay`, roles: ADMIN, scope: 'webhooks:write',
    ok: 200,
  },
  {
    pat: '/api/v1/webhooks/{id}/replay', m: 'POST', p: () => `/api/v1/webhooks/${extra.hook.id}/replay`, roles: ADMIN,
    scope: 'webhooks:write', ok: 200, body: async () => ({ since: '2020-01-01T00:00:00Z' }),
  },
  {
    // A closed port: the allowed ping answers 200 with the delivery left pending (connection refused);
    // the worker retries nothing while no subscription is enabled.
    pat: '/api/v1/webhooks/{id}/ping', m: 'POST', p: () => `/api/v1/webhooks/${extra.hook.id}/ping`, roles: ADMIN,
    scope: 'webhooks:write', ok: 200,
  },

  { pat: '/api/v1/export-fields', m: 'GET', p: () => '/api/v1/export-fields', roles: HR, scope: 'applications:read', ok: 200 },
  { pat: '/api/v1/export-templates', m: 'GET', p: () => '/api/v1/export-templates', roles: HR, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/export-templates', m: 'POST', p: () => '/api/v1/export-templates', roles: HR, scope: 'applications:write', ok: 201,
    body: async () => templateBody(),
  },
  {
    pat: '/api/v1/export-templates/{id}', m: 'GET', p: () => `/api/v1/export-templates/${extra.template.id}`, roles: HR,
    scope: 'applications:read', ok: 200,
  },
  {
    pat: '/api/v1/export-templates/{id}', m: 'PATCH', p: () => `/api/v1/export-templates/${extra.template.id}`, roles: HR,
    scope: 'applications:write', ok: 200, body: async () => ({ name: `rbac-template-${uniq()}` }),
  },
  {
    pat: '/api/v1/export-templates/{id}', m: 'DELETE', p: (id) => `/api/v1/export-templates/${id}`, roles: HR,
    scope: 'applications:write', ok: 200, id: (refused) => (refused ? extra.victimTemplate.id : fresh.exportTemplate()),
  },
  {
    // An allowed caller exports a fresh eliminated application (and moves it to exported); a refused
    // one names the victim waiting in eliminated_pending_export, which must stay there.
    pat: '/api/v1/exports', m: 'POST', p: () => '/api/v1/exports', roles: HR, scope: 'applications:write', ok: 201,
    body: async (refused) => ({
      template: extra.template.id,
      filter: { candidate_id: refused ? extra.victimEliminated : await fresh.eliminated() },
    }),
  },
  { pat: '/api/v1/exports', m: 'GET', p: () => '/api/v1/exports', roles: HR, scope: 'applications:read', ok: 200 },
  {
    pat: '/api/v1/exports/{id}', m: 'GET', p: () => `/api/v1/exports/${extra.exportJob.id}`, roles: HR, scope: 'applications:read',
    ok: 200,
  },
  {
    // The file itself (CSV), not JSON: `raw` checks the status and a body that is no error envelope.
    pat: '/api/v1/exports/{id}/file', m: 'GET', p: () => `/api/v1/exports/${extra.exportJob.id}/file`, roles: HR,
    scope: 'applications:read', ok: 200, raw: true,
  },
  { pat: '/api/v1/export-requests', m: 'GET', p: () => '/api/v1/export-requests', roles: HR, scope: 'applications:read', ok: 200 },
];

const ROLE_USER = { admin: 'admin', hr: 'hr1', manager: 'mgr_sales', interviewer: 'int1' };
const CALLERS = ['anonymous', 'admin', 'hr', 'manager', 'interviewer', 'token without scope', 'token with scope'];

/** The client for a caller on a route; logout gets a fresh session so the shared ones live on. */
async function clientFor(route, caller) {
  if (caller === 'anonymous') return srv.anon();
  if (caller === 'token without scope') return srv.bearer(tokens.allBut[route.scope], caller);
  if (caller === 'token with scope') return srv.bearer(route.scope ? tokens.only[route.scope] : tokens.all, caller);
  const username = route.as?.[caller] ?? ROLE_USER[caller];
  if (route.pat === '/api/v1/auth/logout') {
    return srv.login(username, username === 'admin' ? srv.adminPassword : PASSWORD);
  }
  return s.clients[username];
}

function expectation(route, caller) {
  if (caller === 'anonymous') return { status: 401, code: 'unauthorized' };
  if (caller === 'token without scope') return { status: 403, code: 'insufficient_scope' };
  if (caller === 'token with scope') return { status: route.ok, code: route.okCode }; // tokens here belong to admin
  if (!route.roles.includes(caller)) return { status: 403, code: 'forbidden' };
  return { status: route.ok, code: route.okCode };
}

describe('access matrix (routes.c)', () => {
  for (const route of ROUTES) {
    // A route without a scope has no "token lacking it"; any valid token may call it.
    const callers = CALLERS.filter((c) => !(c === 'token without scope' && !route.scope));
    // Refused callers first, then one check that they changed nothing, then the allowed ones.
    const refused = callers.filter((c) => expectation(route, c).status >= 400 && expectation(route, c).status !== route.ok);
    const allowed = callers.filter((c) => !refused.includes(c));
    let before;
    for (const caller of [...refused, ...allowed]) {
      const exp = expectation(route, caller);
      const isRefused = refused.includes(caller);
      const callerLabel = caller === 'token with scope' && !route.scope ? 'token (all scopes)' : caller;
      test(`${route.m} ${route.pat} as ${callerLabel} -> ${exp.status}${exp.code ? ' ' + exp.code : ''}`, async () => {
        if (isRefused && caller === refused[0]) before = await dbSnapshot(srv);
        const id = route.id ? await route.id(isRefused) : undefined;
        const path = route.p(id);
        const body = route.body ? await route.body(isRefused) : undefined;
        const c = await clientFor(route, caller);
        const r = await c.req(route.m, path, { body });
        const what = `${route.m} ${path} as ${caller}`;
        if (exp.status >= 400) {
          assertError(assert, r, exp.status, exp.code, what);
        } else if (route.raw) {
          // A file download: not JSON, so only the status and that no error envelope came back.
          assert.equal(r.status, exp.status, `${what}: ${r.text.slice(0, 300)}`);
          assert.ok(r.text.length > 0 && !r.body?.error, `${what}: ${r.text.slice(0, 300)}`);
        } else {
          assert.equal(r.status, exp.status, `${what}: ${r.text.slice(0, 300)}`);
          assert.ok(r.body && typeof r.body === 'object' && !r.body.error, `${what}: ${r.text.slice(0, 300)}`);
          if (route.m === 'GET' && !route.pat.includes('{id}') && route.pat !== '/api/v1/me' && !route.notList) {
            assert.ok(Array.isArray(r.body.items), `${what}: a list`);
          }
        }
      });
      if (isRefused && caller === refused.at(-1)) {
        test(`${route.m} ${route.pat}: the ${refused.length} refused calls changed nothing`, async () => {
          assert.ok(before, 'snapshot taken');
          const now = await dbSnapshot(srv);
          assert.ok(now === before, `refused calls changed the database:\n${snapshotDiff(before, now)}`);
        });
      }
    }
  }
});

describe('the matrix covers every route (openapi.json)', () => {
  const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
  let ops; // [{m, pat, roles, scope}] of the operations that need credentials

  before(async () => {
    const r = await srv.api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200, r.text);
    ops = [];
    for (const [pat, item] of Object.entries(r.body.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (op && op['x-roles']) ops.push({ m: m.toUpperCase(), pat, roles: op['x-roles'], scope: op['x-scope'] ?? null });
      }
    }
  });

  const entry = (op) => ROUTES.find((r) => r.m === op.m && r.pat === op.pat);

  test('every operation with x-roles has a ROUTES entry', () => {
    assert.ok(ops.length > 0, 'openapi.json lists operations with x-roles');
    const missing = ops.filter((op) => !entry(op)).map((op) => `${op.m} ${op.pat}`);
    assert.deepEqual(missing, [], `routes missing from the access matrix:\n  ${missing.join('\n  ')}`);
  });

  test('every ROUTES entry is such an operation, with the same roles and scope', () => {
    const problems = [];
    for (const r of ROUTES) {
      const op = ops.find((o) => o.m === r.m && o.pat === r.pat);
      if (!op) problems.push(`${r.m} ${r.pat}: no operation with x-roles in openapi.json`);
      else {
        const want = [...op.roles].sort().join(',');
        const got = [...r.roles].sort().join(',');
        if (want !== got) problems.push(`${r.m} ${r.pat}: roles ${got} here, ${want} in openapi.json`);
        if (op.scope !== r.scope) problems.push(`${r.m} ${r.pat}: scope ${r.scope} here, ${op.scope} in openapi.json`);
      }
    }
    const dup = ROUTES.filter((r, i) => ROUTES.findIndex((x) => x.m === r.m && x.pat === r.pat) !== i);
    for (const r of dup) problems.push(`${r.m} ${r.pat}: more than one entry`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});

describe('public routes need no credentials', () => {
  for (const p of ['/', '/healthz', '/api/v1/openapi.json']) {
    test(`GET ${p} as anonymous -> 200`, async () => {
      const r = await srv.api('GET', p);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body && typeof r.body === 'object');
    });
  }
  // The candidate's interview routes: the link token is the credential, so an anonymous caller
  // reaches the token check (404 for an unknown token), never 401.
  for (const [m, p, body] of [
    ['GET', '/api/v1/interview/tdi_unknown', undefined],
    ['PUT', '/api/v1/interview/tdi_unknown/answers/1', { text: 'x' }],
    ['POST', '/api/v1/interview/tdi_unknown/exit', { confirm: true }],
    ['POST', '/api/v1/interview/tdi_unknown/resume', { mode: 'continue' }],
  ]) {
    test(`${m} ${p} as anonymous -> 404 (public, token checked)`, async () => {
      const r = await srv.api(m, p, { body });
      assertError(assert, r, 404, 'not_found');
    });
  }
  test('a live interview token works without any login', async () => {
    const inv = await admin.post(`/api/v1/applications/${await fresh.application()}/invite`, { question_set: 'RBAC-QS' });
    assert.equal(inv.status, 201, inv.text);
    const r = await srv.api('GET', `/api/v1/interview/${inv.body.token}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'invited');
  });
  test('POST /api/v1/auth/login as anonymous reaches the credential check (401 invalid_credentials)', async () => {
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'nothing-here' } });
    assertError(assert, r, 401, 'invalid_credentials');
  });
});

// ---------------------------------------------------------------------------
// row-level visibility

/** Every item of a list, as client. */
const all = (client, path) => client.all(path);
const ids = (items) => items.map((i) => i.id).sort((a, b) => a - b);

describe('row level: a manager sees their org subtree only', () => {
  let truthApps; // admin's view
  let truthCands;
  let subtreeOf;

  before(async () => {
    truthApps = await all(admin, '/api/v1/applications');
    truthCands = await all(admin, '/api/v1/candidates');
    const units = await all(admin, '/api/v1/org-units');
    subtreeOf = (code) => {
      const root = units.find((u) => u.code === code);
      return new Set(units.filter((u) => u.path.startsWith(root.path)).map((u) => u.code));
    };
  });

  for (const [mgr, dept, other] of [
    ['mgr_sales', 'SALES', 'ENG'],
    ['mgr_eng', 'ENG', 'SALES'],
  ]) {
    const visibleApps = () => truthApps.filter((a) => subtreeOf(dept).has(a.org_unit));
    const visibleCandIds = () => new Set(visibleApps().map((a) => a.candidate_id));

    test(`${mgr}: GET /applications lists exactly the ${dept} subtree's applications`, async () => {
      const mine = await all(s.clients[mgr], '/api/v1/applications');
      assert.ok(mine.length > 0);
      assert.deepEqual(ids(mine), ids(visibleApps()));
      assert.ok(mine.every((a) => subtreeOf(dept).has(a.org_unit)));
    });

    test(`${mgr}: every application filter stays inside ${dept}`, async () => {
      const c = s.clients[mgr];
      const otherApp = truthApps.find((a) => subtreeOf(other).has(a.org_unit));
      const otherPos = s.pos[other === 'ENG' ? 'ENG-01' : 'SALES-01'];
      // [filter, must the answer be empty]
      const filters = [
        ['stage=applied', false],
        [`position=${otherPos.code}`, true],
        [`position_id=${otherPos.id}`, true],
        [`candidate_id=${otherApp.candidate_id}`, true],
        [`org_unit=${other}`, true],
        ['org_unit=HQ', false],
        [`org_unit=${dept}`, false],
        ['talent_pool=false', false],
        [`position=${dept === 'SALES' ? 'SALES-01' : 'ENG-BE-01'}`, false],
        [`stage=applied&position=${otherPos.code}`, true],
      ];
      for (const [f, empty] of filters) {
        const got = await all(c, `/api/v1/applications?${f}`);
        for (const a of got) assert.ok(subtreeOf(dept).has(a.org_unit), `${mgr} ?${f} leaked application ${a.id} (${a.org_unit})`);
        if (empty) assert.deepEqual(got, [], `${mgr} ?${f} must be empty`);
        else assert.ok(got.length > 0, `${mgr} ?${f} finds their own`);
      }
      const hq = await all(c, '/api/v1/applications?org_unit=HQ');
      assert.deepEqual(ids(hq), ids(visibleApps()), 'HQ filter = own subtree');
    });

    test(`${mgr}: GET /candidates lists exactly candidates with a ${dept} application; filters cannot reach others`, async () => {
      const c = s.clients[mgr];
      const mine = await all(c, '/api/v1/candidates');
      assert.deepEqual(ids(mine), [...visibleCandIds()].sort((a, b) => a - b));
      const otherCand = s.cand[other === 'ENG' ? 'eng_a' : 'sales_a'];
      for (const f of [
        `email=${encodeURIComponent(otherCand.email)}`,
        `phone=${otherCand.phone}`,
        `name=${encodeURIComponent(otherCand.name)}`,
        `position=${other === 'ENG' ? 'ENG-01' : 'SALES-01'}`,
        'source=referral',
      ]) {
        const got = await all(c, `/api/v1/candidates?${f}`);
        for (const x of got) assert.ok(visibleCandIds().has(x.id), `${mgr} ?${f} leaked candidate ${x.id}`);
        if (!f.startsWith('source')) assert.deepEqual(got, [], `${mgr} ?${f} must be empty`);
      }
      const own = s.cand[dept === 'SALES' ? 'sales_a' : 'eng_a'];
      const byEmail = await all(c, `/api/v1/candidates?email=${encodeURIComponent(own.email)}`);
      assert.deepEqual(ids(byEmail), [own.id], 'own department found by email');
    });

    test(`${mgr}: ${other} records by id are 404, ${dept} ones 200`, async () => {
      const c = s.clients[mgr];
      const theirs = other === 'ENG' ? ['eng_a', 'engbe_a'] : ['sales_a', 'sales_b'];
      const own = dept === 'SALES' ? ['sales_a', 'sales_b'] : ['eng_a', 'engbe_a'];
      for (const k of theirs) {
        assertError(assert, await c.get(`/api/v1/applications/${s.app[k].id}`), 404, 'not_found', `app ${k}`);
        assertError(assert, await c.get(`/api/v1/applications/${s.app[k].id}/history`), 404, 'not_found');
        assertError(assert, await c.get(`/api/v1/candidates/${s.cand[k].id}`), 404, 'not_found', `cand ${k}`);
        const t = await c.post(`/api/v1/applications/${s.app[k].id}/transitions`, { to: 'ai_passed' });
        assertError(assert, t, 404, 'not_found', 'transition on an invisible application');
      }
      for (const k of own) {
        const a = await c.get(`/api/v1/applications/${s.app[k].id}`);
        assert.equal(a.status, 200, a.text);
        assert.equal(a.body.candidate_id, s.cand[k].id);
        const cd = await c.get(`/api/v1/candidates/${s.cand[k].id}`);
        assert.equal(cd.status, 200, cd.text);
        assert.equal(cd.body.name, s.cand[k].name);
      }
      // The 404 for an invisible record is the same as for a missing one.
      const missing = await c.get('/api/v1/candidates/987654321');
      const hidden = await c.get(`/api/v1/candidates/${s.cand[theirs[0]].id}`);
      assert.equal(missing.body.error.code, hidden.body.error.code);
    });

    test(`${mgr}: positions are limited to ${dept} and carry no salary`, async () => {
      const c = s.clients[mgr];
      const list = await all(c, '/api/v1/positions');
      assert.ok(list.length > 0);
      const deptCodes = subtreeOf(dept);
      for (const p of list) {
        assert.ok(deptCodes.has(p.org_unit), `position ${p.code} in ${p.org_unit}`);
        assert.ok(!('salary_min' in p) && !('salary_max' in p), `salary hidden on ${p.code}`);
        assert.deepEqual(p.redacted, ['salary_min', 'salary_max']);
      }
      const own = s.pos[dept === 'SALES' ? 'SALES-01' : 'ENG-01'];
      const g = await c.get(`/api/v1/positions/${own.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.body.code, own.code);
      assert.ok(!('salary_min' in g.body) && !('salary_max' in g.body));
      assert.deepEqual(g.body.redacted, ['salary_min', 'salary_max']);
      assert.ok(!g.text.includes('20000'), 'no salary figure anywhere');
      const theirs = s.pos[other === 'ENG' ? 'ENG-01' : 'SALES-01'];
      assertError(assert, await c.get(`/api/v1/positions/${theirs.id}`), 404, 'not_found');
    });
  }

  test('mgr_eng sees the ENG-BE sub-unit (subtree), mgr_sales does not', async () => {
    const eng = await all(s.clients.mgr_eng, '/api/v1/applications');
    assert.ok(eng.some((a) => a.id === s.app.engbe_a.id));
    const sales = await all(s.clients.mgr_sales, '/api/v1/applications');
    assert.ok(!sales.some((a) => a.id === s.app.engbe_a.id));
  });

  test('a manager gets candidates without id_number (redacted) but with full contact data', async () => {
    const c = s.clients.mgr_sales;
    const g = await c.get(`/api/v1/candidates/${s.cand.sales_a.id}`);
    assert.equal(g.status, 200);
    assert.ok(!('id_number' in g.body));
    assert.deepEqual(g.body.redacted, ['id_number']);
    assert.ok(!g.text.includes(s.cand.sales_a.id_number));
    assert.equal(g.body.email, s.cand.sales_a.email);
    assert.equal(g.body.phone, s.cand.sales_a.phone);
    assert.ok(!('masked' in g.body));
    for (const x of await all(c, '/api/v1/candidates')) {
      assert.ok(!('id_number' in x), `list item ${x.id}`);
      assert.deepEqual(x.redacted, ['id_number']);
    }
  });

  test("a manager-owned token has the manager's visibility", async () => {
    const t = await admin.post('/api/v1/tokens', { name: 'mgr token', scopes: ['candidates:read', 'applications:read'], user: 'mgr_sales' });
    assert.equal(t.status, 201, t.text);
    const c = srv.bearer(t.body.token);
    const apps = await all(c, '/api/v1/applications');
    assert.deepEqual(ids(apps), ids(visibleApps('SALES')));
    assertError(assert, await c.get(`/api/v1/candidates/${s.cand.eng_a.id}`), 404, 'not_found');
    const g = await c.get(`/api/v1/candidates/${s.cand.sales_a.id}`);
    assert.ok(!('id_number' in g.body));
  });

  function visibleApps(dept) {
    return truthApps.filter((a) => subtreeOf(dept).has(a.org_unit));
  }
});

describe('row level: an interviewer sees their assignments only, contact data masked', () => {
  test('int1 lists exactly the assigned application, under every filter', async () => {
    const c = s.clients.int1;
    const list = await all(c, '/api/v1/applications');
    assert.deepEqual(ids(list), [s.app.sales_a.id]);
    assert.deepEqual(list[0].assignees, ['int1']);
    for (const f of ['stage=applied', 'position=SALES-01', 'org_unit=HQ', 'org_unit=SALES', `candidate_id=${s.cand.sales_b.id}`,
      'position=ENG-01', `position_id=${s.pos['SALES-01'].id}`, 'talent_pool=false']) {
      const got = await all(c, `/api/v1/applications?${f}`);
      for (const a of got) assert.equal(a.id, s.app.sales_a.id, `int1 ?${f} leaked application ${a.id}`);
    }
    assert.deepEqual(await all(c, `/api/v1/applications?candidate_id=${s.cand.sales_b.id}`), []);
  });

  test('int1 gets other applications and candidates by id as 404', async () => {
    const c = s.clients.int1;
    for (const k of ['sales_b', 'eng_a', 'engbe_a']) {
      assertError(assert, await c.get(`/api/v1/applications/${s.app[k].id}`), 404, 'not_found', k);
      assertError(assert, await c.get(`/api/v1/applications/${s.app[k].id}/history`), 404, 'not_found', k);
      assertError(assert, await c.get(`/api/v1/candidates/${s.cand[k].id}`), 404, 'not_found', k);
    }
    const a = await c.get(`/api/v1/applications/${s.app.sales_a.id}`);
    assert.equal(a.status, 200);
    assert.equal(a.body.stage, 'applied');
    const h = await c.get(`/api/v1/applications/${s.app.sales_a.id}/history`);
    assert.equal(h.status, 200);
    assert.equal(h.body.items[0].to, 'applied');
  });

  test("int1 sees the assigned candidate's phone and email masked, no id_number", async () => {
    const c = s.clients.int1;
    const cand = s.cand.sales_a;
    const list = await all(c, '/api/v1/candidates');
    assert.deepEqual(ids(list), [cand.id]);
    for (const x of [list[0], (await c.get(`/api/v1/candidates/${cand.id}`)).body]) {
      assert.equal(x.name, cand.name);
      assert.equal(x.phone, `${cand.phone.slice(0, 3)}****${cand.phone.slice(-4)}`);
      assert.match(x.phone, /^138\*{4}\d{4}$/);
      assert.equal(x.email, `${cand.email[0]}***@example.com`);
      assert.deepEqual(x.masked, ['email', 'phone']);
      assert.ok(!('id_number' in x));
      assert.deepEqual(x.redacted, ['id_number']);
      const text = JSON.stringify(x);
      assert.ok(!text.includes(cand.phone) && !text.includes(cand.email) && !text.includes(cand.id_number));
    }
    // Searching by the real contact data finds nothing more than the masked record.
    const other = await all(c, `/api/v1/candidates?email=${encodeURIComponent(s.cand.eng_a.email)}`);
    assert.deepEqual(other, []);
  });

  test('int1 sees positions without salary', async () => {
    const r = await s.clients.int1.get(`/api/v1/positions/${s.pos['SALES-01'].id}`);
    assert.equal(r.status, 200);
    assert.ok(!('salary_min' in r.body) && !('salary_max' in r.body));
    assert.deepEqual(r.body.redacted, ['salary_min', 'salary_max']);
  });

  test('an interviewer with no assignment sees no application and no candidate', async () => {
    const u = await admin.post('/api/v1/users', { username: 'int.none', role: 'interviewer', password: PASSWORD });
    assert.equal(u.status, 201);
    const c = await srv.login('int.none', PASSWORD);
    assert.deepEqual(await all(c, '/api/v1/applications'), []);
    assert.deepEqual(await all(c, '/api/v1/candidates'), []);
    assertError(assert, await c.get(`/api/v1/applications/${s.app.sales_a.id}`), 404, 'not_found');
  });

  test('hr and admin see everything, with id_number and salary', async () => {
    for (const who of ['hr1', 'admin']) {
      const c = s.clients[who];
      const g = await c.get(`/api/v1/candidates/${s.cand.eng_a.id}`);
      assert.equal(g.body.id_number, s.cand.eng_a.id_number);
      assert.equal(g.body.phone, s.cand.eng_a.phone);
      assert.ok(!('redacted' in g.body) && !('masked' in g.body));
      const p = await c.get(`/api/v1/positions/${s.pos['ENG-01'].id}`);
      assert.equal(p.body.salary_min, 10000);
      assert.equal(p.body.salary_max, 20000);
      const apps = await all(c, '/api/v1/applications');
      for (const k of Object.keys(s.app)) assert.ok(apps.some((a) => a.id === s.app[k].id), `${who} sees ${k}`);
    }
  });
});
