// report_cache.test.mjs - the application report is rendered once and served from memory
// (svc/report_cache.h) while the rows it is made of are unchanged: every write that changes what
// a report shows changes the next read, by the server or by the CLI (another process); what each
// role sees (contact data masked or not, who may see the application at all) is decided per
// request; revoked credentials are refused at once; and repeated reads write nothing.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertError, cliToken, dbSnapshot, PASSWORD, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let admin;

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
  admin = s.clients.admin;
});

after(async () => {
  if (srv) await srv.stop();
});

/** A position of its own (so its histograms hold only this test's scores). */
async function newPosition(org_unit = 'SALES') {
  const r = await admin.post('/api/v1/positions', {
    code: `RC-${uniq()}`,
    title: 'Cache Analyst',
    org_unit,
    headcount: 2,
    competency_model: [{ dim: 'logic', weight: 1, min: 50 }],
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

function result(app, overall, logic, over = {}) {
  return {
    vendor: 'native',
    vendor_result_id: 'RC-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall,
    dimensions: [{ key: 'logic', score: logic, evidence: 'e' }],
    transcript: [{ start_ms: 0, end_ms: 1000, speaker: 'candidate', text: '你好' }],
    ...over,
  };
}

async function newApp(code) {
  const c = await hr.post('/api/v1/candidates', {
    name: `Cache Person ${uniq()}`,
    email: `rc.${uniq()}@example.com`,
    phone: `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    id_number: `110105199001011${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`,
  });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: code });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function withResult(code, overall, logic) {
  const app = await newApp(code);
  const r = await hr.post('/api/v1/results', result(app.id, overall, logic));
  assert.equal(r.status, 201, r.text);
  return { app, res: r.body };
}

const report = async (client, id) => {
  const r = await client.get(`/api/v1/applications/${id}/report`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  return r.body;
};

test('repeated reads give the same report and write nothing; another viewer counts once', async () => {
  const pos = await newPosition();
  const { app } = await withResult(pos.code, 70, 70);
  const first = await report(hr, app.id);
  assert.equal(first.viewed.viewers, 1);
  assert.ok(first.viewed.by_me);
  const snap = await dbSnapshot(srv);
  const second = await report(hr, app.id);
  const third = await report(hr, app.id);
  assert.deepEqual(second, first, 'the second read is the first one');
  assert.deepEqual(third, first);
  const after2 = await dbSnapshot(srv);
  assert.equal(after2, snap, `repeated reads write nothing: ${snapshotDiff(snap, after2)}`);
  const mgr = await report(s.clients.mgr_sales, app.id);
  assert.equal(mgr.viewed.viewers, 2);
  assert.equal((await report(hr, app.id)).viewed.viewers, 2, 'the other viewer shows in the next read');
  assert.equal((await report(hr, app.id)).viewed.by_me, first.viewed.by_me, 'the first time stays');
});

test('every write that changes a report changes the next read', async () => {
  const pos = await newPosition();
  const { app, res } = await withResult(pos.code, 60, 60);
  let r = await report(hr, app.id);
  assert.equal(r.result.overall.percentile, 0, 'alone in its position');
  await report(hr, app.id); // served from the cache from here on

  // an annotation
  const note = await s.clients.mgr_sales.post(`/api/v1/applications/${app.id}/annotations`, { body: 'note ' + uniq() });
  assert.equal(note.status, 201, note.text);
  r = await report(hr, app.id);
  assert.deepEqual(r.annotations.map((n) => [n.body, n.role]), [[note.body.body, 'manager']]);

  // a score revision
  const rev = await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 65, reason: 'reread' });
  assert.equal(rev.status, 201, rev.text);
  r = await report(hr, app.id);
  assert.deepEqual([r.result.dimensions[0].score, r.result.dimensions[0].revised], [65, true]);
  assert.equal(r.revisions.length, 1);

  // a stage move
  const mv = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'ai_passed' });
  assert.equal(mv.status, 200, mv.text);
  r = await report(hr, app.id);
  assert.equal(r.application.stage, 'ai_passed');
  assert.equal(r.timeline.at(-1).to, 'ai_passed');

  // another application's score in the same position moves this one's percentile
  await withResult(pos.code, 40, 40);
  r = await report(hr, app.id);
  assert.equal(r.result.overall.percentile, 50, 'now above one of two');

  // a new result (a vendor re-score)
  const re = await hr.post('/api/v1/results', { ...result(app.id, 90, 90), vendor_result_id: res.vendor_result_id });
  assert.equal(re.status, 201, re.text);
  r = await report(hr, app.id);
  assert.equal(r.result.version, 2);
  assert.equal(r.result.overall.score, 90);
  assert.equal(r.versions.length, 2);

  // the candidate's contact data, the position's title, an assignee
  const cand = await hr.patch(`/api/v1/candidates/${app.candidate_id}`, { email: `changed.${uniq()}@example.com` });
  assert.equal(cand.status, 200, cand.text);
  r = await report(hr, app.id);
  assert.equal(r.candidate.email, cand.body.email);
  const p = await admin.patch(`/api/v1/positions/${pos.id}`, { title: 'Renamed ' + uniq() });
  assert.equal(p.status, 200, p.text);
  r = await report(hr, app.id);
  assert.equal(r.position.title, p.body.title);
  assert.equal(r.application.position_title, p.body.title);
  const as = await admin.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int2' });
  assert.equal(as.status, 200, as.text);
  r = await report(hr, app.id);
  assert.deepEqual(r.application.assignees, ['int2']);

  // the role an annotation's author has now
  const u = await admin.post('/api/v1/users', { username: `rc.${uniq()}`, role: 'hr', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  const author = await srv.login(u.body.username, PASSWORD);
  assert.equal((await author.post(`/api/v1/applications/${app.id}/annotations`, { body: 'by hr' })).status, 201);
  r = await report(hr, app.id);
  assert.equal(r.annotations.at(-1).role, 'hr');
  const rr = await admin.patch(`/api/v1/users/${u.body.id}`, { role: 'manager', org_unit: 'SALES' });
  assert.equal(rr.status, 200, rr.text);
  r = await report(hr, app.id);
  assert.equal(r.annotations.at(-1).role, 'manager');
});

test('a write by the CLI (another process) changes the next read of the server', async () => {
  const pos = await newPosition();
  const { app, res } = await withResult(pos.code, 55, 55);
  const other = await withResult(pos.code, 80, 80);
  assert.equal((await report(hr, app.id)).result.version, 1);
  assert.equal((await report(hr, other.app.id)).result.overall.percentile, 50);
  const file = path.join(srv.dataDir, `rc-${uniq()}.jsonl`);
  writeFileSync(file, JSON.stringify({ ...result(app.id, 95, 95), vendor_result_id: res.vendor_result_id }) + '\n');
  const imp = await srv.cli(['import', 'results', file, '--vendor', 'native']);
  assert.equal(imp.code, 0, imp.stdout + imp.stderr);
  const r = await report(hr, app.id);
  assert.equal(r.result.version, 2, 'the re-score imported by the CLI');
  assert.equal(r.result.overall.score, 95);
  assert.equal((await report(hr, other.app.id)).result.overall.percentile, 0, 'and the histogram it moved');
});

test('each role sees its own masking from the same cached report; who may see it is checked every time', async () => {
  const pos = await newPosition();
  const { app } = await withResult(pos.code, 75, 75);
  const full = await report(hr, app.id);
  assert.ok(!full.candidate.email.includes('*'));
  assert.ok(full.candidate.id_number, 'hr sees the id number');
  for (let i = 0; i < 2; i++) {
    const m = await report(s.clients.mgr_sales, app.id);
    assert.equal(m.candidate.email, full.candidate.email, 'managers see contact data');
    assert.equal(m.candidate.id_number, undefined);
    assert.deepEqual(m.candidate.redacted, ['id_number']);
    assertError(assert, await s.clients.mgr_eng.get(`/api/v1/applications/${app.id}/report`), 404);
    assertError(assert, await s.clients.int1.get(`/api/v1/applications/${app.id}/report`), 404, undefined, 'not assigned');
  }
  await admin.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int1' });
  for (let i = 0; i < 2; i++) {
    const m = await report(s.clients.int1, app.id);
    assert.ok(m.candidate.email.includes('***'), m.candidate.email);
    assert.ok(m.candidate.phone.includes('****'), m.candidate.phone);
    assert.equal(m.candidate.id_number, undefined);
    assert.deepEqual(m.candidate.masked, ['email', 'phone']);
  }
  assert.equal((await report(hr, app.id)).candidate.email, full.candidate.email, 'hr still sees it in clear');

  // a reader whose role changes sees the next report as the new role does
  const u = await admin.post('/api/v1/users', { username: `rc.${uniq()}`, role: 'hr', password: PASSWORD });
  const reader = await srv.login(u.body.username, PASSWORD);
  assert.equal((await report(reader, app.id)).candidate.email, full.candidate.email);
  assert.equal((await admin.patch(`/api/v1/users/${u.body.id}`, { role: 'interviewer' })).status, 200);
  assertError(assert, await reader.get(`/api/v1/applications/${app.id}/report`), 404, undefined, 'an interviewer not assigned');
  await admin.post(`/api/v1/applications/${app.id}/assignees`, { user: u.body.username });
  assert.ok((await report(reader, app.id)).candidate.email.includes('***'), 'masked as an interviewer');
  assert.equal((await admin.patch(`/api/v1/users/${u.body.id}`, { role: 'manager', org_unit: 'ENG' })).status, 200);
  assertError(assert, await reader.get(`/api/v1/applications/${app.id}/report`), 404, undefined, 'a manager of another subtree');
  assert.equal((await admin.patch(`/api/v1/users/${u.body.id}`, { org_unit: 'HQ' })).status, 200);
  assert.equal((await report(reader, app.id)).candidate.email, full.candidate.email, 'a manager above SALES');
});

test('revoked credentials are refused on the next report: token revoke (API and CLI), logout, a disabled user', async () => {
  const pos = await newPosition();
  const { app } = await withResult(pos.code, 65, 65);
  const scopes = ['applications:read', 'results:read'];

  const t1 = await admin.post('/api/v1/tokens', { name: 'rc-' + uniq(), scopes });
  assert.equal(t1.status, 201, t1.text);
  const c1 = srv.bearer(t1.body.token);
  await report(c1, app.id);
  await report(c1, app.id);
  assert.equal((await admin.post(`/api/v1/tokens/${t1.body.id}/revoke`)).status, 200);
  assertError(assert, await c1.get(`/api/v1/applications/${app.id}/report`), 401, 'invalid_token');

  const r = await srv.cli(['token', 'create', '--name', 'rc-' + uniq(), '--scopes', scopes.join(','), '--user', 'hr1']);
  assert.equal(r.code, 0, r.stderr);
  const id = Number(/token (\d+) created/.exec(r.stderr)?.[1]);
  const c2 = srv.bearer(r.stdout.trim());
  await report(c2, app.id);
  await report(c2, app.id);
  assert.equal((await srv.cli(['token', 'revoke', '--id', String(id)])).code, 0);
  assertError(assert, await c2.get(`/api/v1/applications/${app.id}/report`), 401, 'invalid_token');

  const u = await admin.post('/api/v1/users', { username: `rc.${uniq()}`, role: 'hr', password: PASSWORD });
  const sess = await srv.login(u.body.username, PASSWORD);
  const tok = srv.bearer(await cliToken(srv, scopes, { user: u.body.username }));
  const other = await srv.login(u.body.username, PASSWORD);
  for (const c of [sess, tok, other]) {
    await report(c, app.id);
    await report(c, app.id);
  }
  assert.equal((await sess.post('/api/v1/auth/logout')).status, 200);
  assertError(assert, await sess.get(`/api/v1/applications/${app.id}/report`), 401);
  await report(other, app.id); // the user's other session goes on
  assert.equal((await srv.cli(['user', 'disable', '--username', u.body.username])).code, 0);
  assertError(assert, await other.get(`/api/v1/applications/${app.id}/report`), 401);
  assertError(assert, await tok.get(`/api/v1/applications/${app.id}/report`), 401);
});

test('bad ids and unknown applications are 404 as before', async () => {
  assertError(assert, await hr.get('/api/v1/applications/0/report'), 404);
  assertError(assert, await hr.get('/api/v1/applications/abc/report'), 404);
  assertError(assert, await hr.get('/api/v1/applications/99999999999/report'), 404);
  assertError(assert, await hr.get('/api/v1/applications/99999999999999999999/report'), 404);
  const h = await srv.api('HEAD', `/api/v1/applications/${s.app.sales_a.id}/report`, { headers: { Authorization: `Bearer ${s.tokens.api}` } });
  assert.equal(h.status, 403, 'the seed token lacks results:read');
});
