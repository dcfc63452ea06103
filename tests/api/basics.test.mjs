// basics.test.mjs - the API's plumbing and every resource's happy paths:
// health, OpenAPI, request ids, errors, sessions + CSRF, bearer tokens,
// login rate limit, Idempotency-Key, CRUD + cursor pagination + filters,
// candidate dedupe, the pipeline, the audit log and the CLI.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DB_KIND,
  PASSWORD,
  assertError,
  cliToken,
  dbSnapshot,
  paginate,
  request,
  seed,
  setCookies,
  startServer,
  uniq,
} from './lib/harness.mjs';

let srv;
let s; // seed
let admin;
let hr;

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  admin = s.clients.admin;
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

// ---------------------------------------------------------------------------
// plumbing

test('GET /healthz answers ok with the database kind', async () => {
  const r = await srv.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.database, DB_KIND === 'postgres' ? 'postgresql' : 'sqlite');
  assert.equal(typeof r.body.schema_version, 'number');
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

test('GET /api/v1/openapi.json is an OpenAPI document with paths', async () => {
  const r = await srv.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.ok(r.body, `JSON body: ${r.text.slice(0, 200)}`);
  assert.match(String(r.body.openapi), /^3\./);
  assert.equal(typeof r.body.paths, 'object');
  assert.ok(r.body.paths !== null && !Array.isArray(r.body.paths));
});

test('every response carries X-Request-Id; a valid one sent is echoed, a bad one replaced', async () => {
  const a = await srv.api('GET', '/healthz');
  const b = await srv.api('GET', '/healthz');
  const ida = a.headers.get('x-request-id');
  assert.match(ida, /^[A-Za-z0-9._-]{8,64}$/);
  assert.notEqual(ida, b.headers.get('x-request-id'), 'generated ids differ');

  const mine = 'test-req.42_abc';
  const c = await srv.api('GET', '/api/v1/nope', { headers: { 'X-Request-Id': mine } });
  assert.equal(c.headers.get('x-request-id'), mine);
  assert.equal(c.body.error.request_id, mine, 'the error envelope names the same id');

  const bad = 'x'.repeat(65);
  const d = await srv.api('GET', '/healthz', { headers: { 'X-Request-Id': bad } });
  assert.notEqual(d.headers.get('x-request-id'), bad);
  assert.match(d.headers.get('x-request-id'), /^[A-Za-z0-9._-]{1,64}$/);
  const e = await srv.api('GET', '/healthz', { headers: { 'X-Request-Id': 'a b<script>' } });
  assert.notEqual(e.headers.get('x-request-id'), 'a b<script>');
});

test('unknown paths are 404 with the error envelope', async () => {
  for (const p of ['/api/v1/nope', '/api/v2/candidates', '/api/v1/candidates/1/nope', '/nope']) {
    const r = await admin.get(p);
    assertError(assert, r, 404, 'not_found', p);
  }
});

test('a known path with the wrong method is 405 with Allow', async () => {
  for (const [m, p] of [
    ['DELETE', '/api/v1/candidates'],
    ['PUT', '/api/v1/positions'],
    ['GET', '/api/v1/auth/login'],
    ['DELETE', `/api/v1/applications/${s.app.sales_a.id}`],
  ]) {
    const r = await admin.req(m, p);
    assertError(assert, r, 405, 'method_not_allowed', `${m} ${p}`);
    assert.ok(r.headers.get('allow'), 'Allow header');
  }
});

// ---------------------------------------------------------------------------
// sessions

test('login sets an HttpOnly SameSite=Strict session cookie and returns a CSRF token', async () => {
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'hr1', password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  const cookies = setCookies(r.headers);
  const c = cookies.find((x) => x.startsWith('talentd_session='));
  assert.ok(c, `session cookie in ${cookies}`);
  assert.match(c, /;\s*HttpOnly/i);
  assert.match(c, /;\s*SameSite=Strict/i);
  assert.match(c, /;\s*Path=\//i);
  assert.equal(typeof r.body.csrf_token, 'string');
  assert.ok(r.body.csrf_token.length >= 16);
  assert.equal(r.body.user.username, 'hr1');
  assert.equal(r.body.user.role, 'hr');
  assert.ok(!('password_hash' in r.body.user) && !r.text.includes('argon2'), 'no password hash leaks');
});

test('login with a wrong password or unknown user is 401 invalid_credentials, same message', async () => {
  const a = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'int2', password: 'wrong-password-1' } });
  const b = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'ghost', password: 'wrong-password-1' } });
  assertError(assert, a, 401, 'invalid_credentials');
  assertError(assert, b, 401, 'invalid_credentials');
  assert.equal(a.body.error.message, b.body.error.message, 'no user enumeration');
  assert.equal(setCookies(a.headers).length, 0, 'no cookie on failure');
});

test('GET /me returns the session user; anonymous is 401', async () => {
  const r = await hr.get('/api/v1/me');
  assert.equal(r.status, 200);
  assert.equal(r.body.username, 'hr1');
  assert.equal(r.body.role, 'hr');
  const m = await s.clients.mgr_sales.get('/api/v1/me');
  assert.equal(m.body.role, 'manager');
  assert.equal(m.body.org_unit, 'SALES');
  assertError(assert, await srv.api('GET', '/api/v1/me'), 401, 'unauthorized');
});

test('logout ends the session: the old cookie is 401 afterwards', async () => {
  const c = await srv.login('int2', PASSWORD);
  const oldCookie = c.cookie;
  assert.equal((await c.get('/api/v1/me')).status, 200);
  const r = await c.post('/api/v1/auth/logout', undefined);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.logged_out, true);
  const cleared = setCookies(r.headers).find((x) => x.startsWith('talentd_session='));
  assert.match(cleared, /Max-Age=0/);
  const gone = await request(srv.url, 'GET', '/api/v1/me', { headers: { Cookie: oldCookie } });
  assertError(assert, gone, 401, "session_expired");
});

test('logout with a bearer token ends nothing: logged_out false, the token still works', async () => {
  const tok = srv.bearer(await cliToken(srv, ['org:read']));
  const r = await tok.post('/api/v1/auth/logout', undefined);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.logged_out, false);
  assert.equal(setCookies(r.headers).length, 0);
  assert.equal((await tok.get('/api/v1/me')).status, 200);
});

test('cookie writes need X-CSRF-Token: missing or wrong is 403 csrf_failed, right is ok', async () => {
  const code = 'CSRF-' + uniq();
  const body = { code, name: 'Csrf test', parent: 'HQ' };
  const missing = await hr.req('POST', '/api/v1/org-units', { body, csrf: false });
  assertError(assert, missing, 403, 'csrf_failed');
  const wrong = await hr.req('POST', '/api/v1/org-units', {
    body,
    csrf: false,
    headers: { 'X-CSRF-Token': hr.csrf.slice(0, -2) + (hr.csrf.endsWith('aa') ? 'bb' : 'aa') },
  });
  assertError(assert, wrong, 403, 'csrf_failed');
  // Another session's token is not this one's.
  const other = await hr.req('POST', '/api/v1/org-units', {
    body,
    csrf: false,
    headers: { 'X-CSRF-Token': admin.csrf },
  });
  assertError(assert, other, 403, 'csrf_failed');
  const list = await hr.get(`/api/v1/org-units?parent=HQ&limit=200`);
  assert.ok(!list.body.items.some((o) => o.code === code), 'refused writes created nothing');
  const ok = await hr.post('/api/v1/org-units', body);
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.code, code);
  assert.equal(ok.body.parent, 'HQ');
  // GET needs no CSRF token.
  assert.equal((await hr.get(`/api/v1/org-units/${ok.body.id}`, { csrf: false })).status, 200);
});

test('bearer tokens (CLI and API made) authenticate; scopes show on /me', async () => {
  const cli = srv.bearer(s.tokens.cli);
  const r = await cli.get(`/api/v1/candidates/${s.cand.sales_a.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.name, 'Sales Candidate A');
  assert.equal(r.body.id_number, s.cand.sales_a.id_number, 'an admin-owned token sees id_number');
  const api = srv.bearer(s.tokens.api);
  const p = await api.get('/api/v1/positions');
  assert.equal(p.status, 200, p.text);
  assert.ok(p.body.items.length >= 3);
  // The token acts with its scopes only.
  assertError(assert, await api.get('/api/v1/users'), 403, 'insufficient_scope');
  // Bearer callers need no CSRF token.
  const w = await srv.bearer(await cliToken(srv, ['org:write'])).post('/api/v1/org-units', {
    code: 'TOK-' + uniq(),
    name: 'By token',
    parent: 'HQ',
  });
  assert.equal(w.status, 201, w.text);
  const audit = await admin.get(`/api/v1/audit?entity=org_unit&id=${w.body.id}`);
  assert.match(audit.body.items[0].actor, /^token:\d+:admin$/, 'audited as the token');
});

test('GET /me works with a bearer token and lists its scopes', async () => {
  const t = await cliToken(srv, ['candidates:read', 'positions:read']);
  const r = await srv.bearer(t).get('/api/v1/me');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.username, 'admin');
  assert.deepEqual(r.body.token_scopes, ['candidates:read', 'positions:read']);
});

test('unknown, malformed and revoked tokens are 401', async () => {
  assertError(assert, await srv.bearer('tdk_nope').get('/api/v1/positions'), 401, 'invalid_token');
  assertError(
    assert,
    await srv.api('GET', '/api/v1/positions', { headers: { Authorization: 'Basic YWRtaW46eA==' } }),
    401,
    'unauthorized',
  );
  const t = await admin.post('/api/v1/tokens', { name: 'to-revoke', scopes: ['positions:read'] });
  assert.equal(t.status, 201, t.text);
  assert.match(t.body.token, /^tdk_/);
  assert.equal(t.body.prefix, t.body.token.slice(0, 10));
  const c = srv.bearer(t.body.token);
  assert.equal((await c.get('/api/v1/positions')).status, 200);
  const rv = await admin.post(`/api/v1/tokens/${t.body.id}/revoke`, undefined);
  assert.equal(rv.status, 200, rv.text);
  assert.equal(typeof rv.body.revoked_at, 'string');
  assert.ok(!('token' in rv.body), 'the token is shown once only');
  assertError(assert, await c.get('/api/v1/positions'), 401, 'invalid_token');
  assertError(assert, await admin.post(`/api/v1/tokens/${t.body.id}/revoke`, undefined), 409, 'already_revoked');
});

test('login is rate limited: 5 wrong passwords, then even the right one is 429', async () => {
  const u = await admin.post('/api/v1/users', { username: 'ratelimited', role: 'hr', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  for (let i = 0; i < 5; i++) {
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'ratelimited', password: `wrong-${i}-xxxxx` } });
    assertError(assert, r, 401, 'invalid_credentials', `attempt ${i + 1}`);
  }
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'ratelimited', password: PASSWORD } });
  assertError(assert, r, 429, 'rate_limited');
  assert.equal(setCookies(r.headers).length, 0);
  // Other accounts are not locked by it.
  assert.equal((await srv.api('POST', '/api/v1/auth/login', { body: { username: 'int1', password: PASSWORD } })).status, 200);
});

// ---------------------------------------------------------------------------
// Idempotency-Key

test('Idempotency-Key: the same POST twice creates once and replays the same answer', async () => {
  const key = 'idem-' + uniq();
  const body = { name: 'Idem Person', email: `idem.${uniq()}@example.com` };
  const a = await hr.post('/api/v1/candidates', body, { headers: { 'Idempotency-Key': key } });
  assert.equal(a.status, 201, a.text);
  const b = await hr.post('/api/v1/candidates', body, { headers: { 'Idempotency-Key': key } });
  assert.equal(b.status, 201, b.text);
  assert.deepEqual(b.body, a.body);
  const found = await hr.get(`/api/v1/candidates?email=${encodeURIComponent(body.email)}`);
  assert.equal(found.body.items.length, 1, 'one candidate');
  // Without the key the duplicate is reported.
  const c = await hr.post('/api/v1/candidates', body);
  assertError(assert, c, 409, 'duplicate');
  assert.equal(c.body.error.existing_id, a.body.id);
  // Keys are per caller: admin's same key is a new request.
  const d = await admin.post('/api/v1/org-units', { code: 'IDEM-' + uniq(), name: 'x', parent: 'HQ' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(d.status, 201, d.text);
});

test('a replayed response that shows a secret once is kept encrypted, never in the clear', async () => {
  const key = 'idem-' + uniq();
  const body = { name: 'idem-secret-' + uniq(), scopes: ['org:read'] };
  const a = await admin.post('/api/v1/tokens', body, { headers: { 'Idempotency-Key': key } });
  assert.equal(a.status, 201, a.text);
  assert.ok(a.body.token, a.text);
  const b = await admin.post('/api/v1/tokens', body, { headers: { 'Idempotency-Key': key } });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.body.token, a.body.token, 'the replay is the first answer');
  const dump = await dbSnapshot(srv);
  assert.ok(dump.includes(body.name), 'the snapshot holds the token row');
  assert.ok(!dump.includes(a.body.token), 'the token is nowhere in the database in the clear');
});

test('Idempotency-Key reused on another path is 422 and creates nothing', async () => {
  const key = 'idem-' + uniq();
  const a = await hr.post('/api/v1/candidates', { name: 'Idem Two', email: `idem2.${uniq()}@example.com` }, {
    headers: { 'Idempotency-Key': key },
  });
  assert.equal(a.status, 201, a.text);
  const code = 'IDP-' + uniq();
  const r = await hr.post('/api/v1/org-units', { code, name: 'x', parent: 'HQ' }, { headers: { 'Idempotency-Key': key } });
  assertError(assert, r, 422, 'idempotency_key_reused');
  const all = await hr.all('/api/v1/org-units');
  assert.ok(!all.some((o) => o.code === code));
});

test('Idempotency-Key reused with another body on the same path is 422 and creates nothing', async () => {
  const key = 'idem-' + uniq();
  const a = await hr.post('/api/v1/org-units', { code: 'IDB-' + uniq(), name: 'first', parent: 'HQ' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(a.status, 201, a.text);
  const code2 = 'IDB-' + uniq();
  const r = await hr.post('/api/v1/org-units', { code: code2, name: 'second', parent: 'HQ' }, { headers: { 'Idempotency-Key': key } });
  assertError(assert, r, 422, 'idempotency_key_reused', 'same key, other body');
  const all = await hr.all('/api/v1/org-units');
  assert.ok(!all.some((o) => o.code === code2));
});

test('Idempotency-Key: concurrent repeats create once; the others replay or are told it is in progress', async () => {
  const key = 'idem-race-' + uniq();
  const body = { name: 'Race Person', email: `race.${uniq()}@example.com` };
  const rs = await Promise.all(
    Array.from({ length: 8 }, () => hr.post('/api/v1/candidates', body, { headers: { 'Idempotency-Key': key } })),
  );
  const ok = rs.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1, rs.map((r) => r.status).join(','));
  for (const r of rs) {
    if (r.status !== 201) assertError(assert, r, 409, 'idempotency_key_in_progress');
  }
  assert.equal(new Set(ok.map((r) => r.body.id)).size, 1, 'every 201 names the same candidate');
  const found = await hr.get(`/api/v1/candidates?email=${encodeURIComponent(body.email)}`);
  assert.equal(found.body.items.length, 1, 'one candidate');
  const again = await hr.post('/api/v1/candidates', body, { headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 201);
  assert.equal(again.body.id, ok[0].body.id);
});

test('Idempotency-Key: a refused request releases the key for a corrected retry', async () => {
  const key = 'idem-retry-' + uniq();
  const code = 'IDR-' + uniq();
  const bad = await hr.post('/api/v1/org-units', { code, name: 'x', parent: 'NO-SUCH-PARENT' }, { headers: { 'Idempotency-Key': key } });
  assert.ok(bad.status >= 400 && bad.status < 500, bad.text);
  const good = await hr.post('/api/v1/org-units', { code, name: 'x', parent: 'HQ' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(good.status, 201, good.text);
  assert.equal(good.body.code, code);
});

test('a bad Idempotency-Key is 422', async () => {
  const r = await hr.post('/api/v1/org-units', { code: 'IDK-' + uniq(), name: 'x', parent: 'HQ' }, {
    headers: { 'Idempotency-Key': 'k'.repeat(129) },
  });
  assertError(assert, r, 422, undefined);
  assert.equal(r.body.error.field, 'Idempotency-Key');
});

// ---------------------------------------------------------------------------
// CRUD + pagination

test('org units: create, get, update, list with cursor pagination, filters, delete', async () => {
  const created = [];
  for (let i = 1; i <= 7; i++) {
    const r = await hr.post('/api/v1/org-units', { code: `PG-OU-${i}`, name: `Paged ${i}`, parent: 'SALES' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.code, `PG-OU-${i}`);
    assert.equal(r.body.parent, 'SALES');
    assert.equal(r.body.parent_id, s.org.SALES.id);
    assert.equal(r.body.path, `${s.org.SALES.path}${r.body.id}/`);
    created.push(r.body);
  }
  const g = await hr.get(`/api/v1/org-units/${created[0].id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.body, created[0]);

  const items = await paginate(assert, hr, '/api/v1/org-units', 3);
  for (const c of created) assert.equal(items.filter((i) => i.id === c.id).length, 1, `${c.code} seen once`);
  for (const k of ['HQ', 'SALES', 'ENG', 'ENG-BE']) assert.ok(items.some((i) => i.code === k));

  const kids = await paginate(assert, hr, '/api/v1/org-units?parent=SALES', 3);
  assert.deepEqual(kids.map((k) => k.code).sort(), created.map((c) => c.code).sort());
  const roots = await hr.get('/api/v1/org-units?root=true');
  assert.deepEqual(roots.body.items.map((o) => o.code), ['HQ']);

  const u = await hr.patch(`/api/v1/org-units/${created[1].id}`, { name: 'Renamed', manager: 'mgr_sales' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.name, 'Renamed');
  assert.equal(u.body.manager, 'mgr_sales');
  assert.equal(u.body.version, created[1].version + 1);
  // A stale version (two people editing the same unit) is refused and changes nothing.
  const stale = await hr.patch(`/api/v1/org-units/${created[1].id}`, { name: 'Lost update', version: created[1].version });
  assertError(assert, stale, 409, 'version_conflict');
  assert.equal((await hr.get(`/api/v1/org-units/${created[1].id}`)).body.name, 'Renamed');
  const fresh = await hr.patch(`/api/v1/org-units/${created[1].id}`, { name: 'Renamed', version: u.body.version });
  assert.equal(fresh.status, 200, fresh.text);

  // Moving re-roots the subtree.
  const child = await hr.post('/api/v1/org-units', { code: 'PG-OU-CHILD', name: 'child', parent: 'PG-OU-3' });
  const mv = await hr.patch(`/api/v1/org-units/${created[2].id}`, { parent: 'ENG' });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(mv.body.path, `${s.org.ENG.path}${created[2].id}/`);
  const ch = await hr.get(`/api/v1/org-units/${child.body.id}`);
  assert.equal(ch.body.path, `${s.org.ENG.path}${created[2].id}/${child.body.id}/`);
  const cyc = await hr.patch(`/api/v1/org-units/${created[2].id}`, { parent: 'PG-OU-CHILD' });
  assertError(assert, cyc, 422, 'cycle');

  const del = await hr.del(`/api/v1/org-units/${created[6].id}`);
  assert.equal(del.status, 200, del.text);
  assert.deepEqual(del.body, { id: created[6].id, deleted: true });
  assertError(assert, await hr.get(`/api/v1/org-units/${created[6].id}`), 404, 'not_found');
  assertError(assert, await hr.del('/api/v1/org-units/' + s.org.HQ.id), 409, 'in_use');
  const dup = await hr.post('/api/v1/org-units', { code: 'PG-OU-1', name: 'again' });
  assertError(assert, dup, 409, 'duplicate');
  assert.equal(dup.body.error.existing_id, created[0].id);
});

test('positions: create, get, update with version, list with pagination and filters', async () => {
  const created = [];
  for (let i = 1; i <= 7; i++) {
    const r = await hr.post('/api/v1/positions', {
      code: `PG-POS-${i}`,
      title: `Paged position ${i}`,
      org_unit: i % 2 ? 'ENG-BE' : 'SALES',
      headcount: i,
      status: i === 7 ? 'closed' : 'open',
      review_required: i === 1,
      description: 'line one\nline two',
      competency_model: [{ dim: 'logic', weight: 2, min: 70 }],
      salary_min: 1000 * i,
      salary_max: 2000 * i,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.code, `PG-POS-${i}`);
    assert.equal(r.body.headcount, i);
    assert.equal(r.body.salary_max, 2000 * i);
    assert.equal(r.body.description, 'line one\nline two');
    assert.deepEqual(r.body.competency_model, [{ dim: 'logic', weight: 2, min: 70 }]);
    created.push(r.body);
  }
  const g = await hr.get(`/api/v1/positions/${created[0].id}`);
  assert.deepEqual(g.body, created[0]);
  assert.equal(g.body.review_required, true);

  const items = await paginate(assert, hr, '/api/v1/positions', 3);
  for (const c of created) assert.equal(items.filter((i) => i.id === c.id).length, 1);

  const eng = await paginate(assert, hr, '/api/v1/positions?org_unit=ENG', 3);
  const engCodes = eng.map((p) => p.code);
  assert.ok(engCodes.includes('ENG-01') && engCodes.includes('ENG-BE-01'), 'the subtree is included');
  assert.ok(!engCodes.includes('SALES-01') && !engCodes.includes('PG-POS-2'));
  const closed = await hr.get('/api/v1/positions?status=closed');
  assert.deepEqual(closed.body.items.map((p) => p.code), ['PG-POS-7']);
  const byCode = await hr.get('/api/v1/positions?code=PG-POS-3');
  assert.deepEqual(byCode.body.items.map((p) => p.id), [created[2].id]);

  const u = await hr.patch(`/api/v1/positions/${created[0].id}`, { title: 'Retitled', version: created[0].version });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.title, 'Retitled');
  assert.equal(u.body.version, created[0].version + 1);
  assert.equal(u.body.headcount, 1, 'untouched fields keep their values');
  const stale = await hr.patch(`/api/v1/positions/${created[0].id}`, { title: 'Stale', version: created[0].version });
  assertError(assert, stale, 409, 'version_conflict');
  const dup = await hr.post('/api/v1/positions', { code: 'PG-POS-1', title: 'x', org_unit: 'ENG', headcount: 1 });
  assertError(assert, dup, 409, 'duplicate');
  assert.equal(dup.body.error.existing_id, created[0].id);
  const band = await hr.patch(`/api/v1/positions/${created[1].id}`, { salary_min: 999999 });
  assertError(assert, band, 422, 'out_of_range');
});

const newCands = [];

test('candidates: create, get, update, list with pagination and filters (email via blind index)', async () => {
  for (let i = 1; i <= 7; i++) {
    const r = await hr.post('/api/v1/candidates', {
      name: `Paged Candidate ${i}`,
      email: `Paged.${i}@Example.COM`,
      phone: `+86 139-0000-${String(2000 + i)}`,
      id_number: `11010519900101${3000 + i}x`,
      source: i % 2 ? 'campus' : 'web',
      external_id: `ext-${i}-${uniq()}`,
      consent: true,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.email, `paged.${i}@example.com`, 'email normalised');
    assert.equal(r.body.phone, `1390000${2000 + i}`, 'phone normalised');
    assert.equal(r.body.id_number, `11010519900101${3000 + i}X`);
    assert.equal(typeof r.body.consent_at, 'string');
    newCands.push(r.body);
  }
  const g = await hr.get(`/api/v1/candidates/${newCands[0].id}`);
  assert.deepEqual(g.body, newCands[0]);

  const items = await paginate(assert, hr, '/api/v1/candidates', 3);
  for (const c of newCands) assert.equal(items.filter((i) => i.id === c.id).length, 1);

  const byEmail = await hr.get(`/api/v1/candidates?email=${encodeURIComponent('  PAGED.3@example.com ')}`);
  assert.equal(byEmail.status, 200, byEmail.text);
  assert.deepEqual(byEmail.body.items.map((c) => c.id), [newCands[2].id]);
  const byPhone = await hr.get(`/api/v1/candidates?phone=13900002004`);
  assert.deepEqual(byPhone.body.items.map((c) => c.id), [newCands[3].id]);
  const none = await hr.get(`/api/v1/candidates?email=nobody@example.com`);
  assert.deepEqual(none.body.items, []);
  const byName = await hr.get(`/api/v1/candidates?name=paged%20candidate%205`);
  assert.deepEqual(byName.body.items.map((c) => c.id), [newCands[4].id]);
  const bySource = await paginate(assert, hr, '/api/v1/candidates?source=campus', 3);
  assert.deepEqual(bySource.filter((c) => c.name.startsWith('Paged')).map((c) => c.id),
    newCands.filter((_, i) => i % 2 === 0).map((c) => c.id));
  const byPos = await hr.get('/api/v1/candidates?position=SALES-01');
  assert.deepEqual(byPos.body.items.map((c) => c.id).sort(), [s.cand.sales_a.id, s.cand.sales_b.id].sort());

  const u = await hr.patch(`/api/v1/candidates/${newCands[0].id}`, { name: 'Renamed Candidate', source: 'fair' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.name, 'Renamed Candidate');
  assert.equal(u.body.source, 'fair');
  assert.equal(u.body.email, newCands[0].email);
  const stale = await hr.patch(`/api/v1/candidates/${newCands[0].id}`, { name: 'x', version: 1 });
  assertError(assert, stale, 409, 'version_conflict');
  const both = await hr.patch(`/api/v1/candidates/${newCands[1].id}`, { email: null, phone: null });
  assertError(assert, both, 422, 'required');
});

test('candidates: contact data is not stored in clear nor in the audit log', async () => {
  const a = await admin.get(`/api/v1/audit?entity=candidate&id=${newCands[0].id}`);
  assert.equal(a.status, 200);
  assert.ok(a.body.items.length >= 2);
  assert.ok(!a.text.includes('paged.1@example.com'), 'no email in audit');
  assert.ok(!a.text.includes('13900002001'), 'no phone in audit');
  assert.equal(a.body.items[0].diff.after.email, '[set]');
});

test('candidates: duplicate email and duplicate phone are 409 with existing_id', async () => {
  const email = await hr.post('/api/v1/candidates', { name: 'Dup Mail', email: s.cand.sales_a.email.toUpperCase() });
  const e = assertError(assert, email, 409, 'duplicate');
  assert.equal(e.existing_id, s.cand.sales_a.id);
  assert.equal(e.field, 'email');
  const phone = await hr.post('/api/v1/candidates', {
    name: 'Dup Phone',
    email: `fresh.${uniq()}@example.com`,
    phone: s.cand.eng_a.phone,
  });
  const p = assertError(assert, phone, 409, 'duplicate');
  assert.equal(p.existing_id, s.cand.eng_a.id);
  assert.equal(p.field, 'phone');
  const upd = await hr.patch(`/api/v1/candidates/${newCands[1].id}`, { phone: s.cand.eng_a.phone });
  assert.equal(assertError(assert, upd, 409, 'duplicate').existing_id, s.cand.eng_a.id);
  const neither = await hr.post('/api/v1/candidates', { name: 'No Contact' });
  assertError(assert, neither, 422, 'required');
});

const newApps = [];

test('applications: create, get, update, list with pagination and filters', async () => {
  for (let i = 0; i < 7; i++) {
    const position = i < 4 ? 'ENG-BE-01' : 'SALES-01';
    const r = await hr.post('/api/v1/applications', {
      candidate_id: newCands[i].id,
      position,
      ...(i === 0 ? { special_note: 'veteran\nreferred by X' } : {}),
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.stage, 'applied');
    assert.equal(r.body.candidate_id, newCands[i].id);
    assert.equal(r.body.position, position);
    assert.equal(r.body.org_unit, position === 'SALES-01' ? 'SALES' : 'ENG-BE');
    assert.deepEqual(r.body.assignees, []);
    newApps.push(r.body);
  }
  assert.equal(newApps[0].special_note, 'veteran\nreferred by X');
  const g = await hr.get(`/api/v1/applications/${newApps[0].id}`);
  assert.deepEqual(g.body, newApps[0]);

  const dup = await hr.post('/api/v1/applications', { candidate_id: newCands[0].id, position: 'ENG-BE-01' });
  assert.equal(assertError(assert, dup, 409, 'duplicate').existing_id, newApps[0].id);
  const closed = await hr.post('/api/v1/applications', { candidate_id: newCands[0].id, position: 'PG-POS-7' });
  assertError(assert, closed, 422, 'position_closed');
  const noCand = await hr.post('/api/v1/applications', { candidate_id: 99999999, position: 'ENG-01' });
  assertError(assert, noCand, 422, 'invalid_reference');

  const items = await paginate(assert, hr, '/api/v1/applications', 3);
  for (const a of newApps) assert.equal(items.filter((i) => i.id === a.id).length, 1);

  const byPos = await paginate(assert, hr, '/api/v1/applications?position=ENG-BE-01', 3);
  assert.deepEqual(byPos.map((a) => a.id), [s.app.engbe_a.id, ...newApps.slice(0, 4).map((a) => a.id)]);
  const byOrg = await paginate(assert, hr, '/api/v1/applications?org_unit=ENG', 3);
  assert.deepEqual(byOrg.map((a) => a.id), [s.app.eng_a.id, s.app.engbe_a.id, ...newApps.slice(0, 4).map((a) => a.id)],
    'org_unit includes the subtree');
  const byHQ = await paginate(assert, hr, '/api/v1/applications?org_unit=HQ', 3);
  assert.equal(byHQ.length, items.length, 'the root subtree is everything');
  const byCand = await hr.get(`/api/v1/applications?candidate_id=${newCands[5].id}`);
  assert.deepEqual(byCand.body.items.map((a) => a.id), [newApps[5].id]);

  const u = await hr.patch(`/api/v1/applications/${newApps[1].id}`, { special_note: 'note', talent_pool: true });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.special_note, 'note');
  assert.equal(u.body.talent_pool, true);
  const pool = await hr.get('/api/v1/applications?talent_pool=true');
  assert.deepEqual(pool.body.items.map((a) => a.id), [newApps[1].id]);

  const t = await hr.post(`/api/v1/applications/${newApps[2].id}/transitions`, { to: 'ai_invited' });
  assert.equal(t.status, 200, t.text);
  const byStage = await hr.get('/api/v1/applications?stage=ai_invited');
  assert.deepEqual(byStage.body.items.map((a) => a.id), [newApps[2].id]);
  const both = await hr.get('/api/v1/applications?stage=applied&position=SALES-01');
  assert.deepEqual(both.body.items.map((a) => a.id),
    [s.app.sales_a.id, s.app.sales_b.id, newApps[4].id, newApps[5].id, newApps[6].id]);

  const asg = await hr.post(`/api/v1/applications/${newApps[3].id}/assignees`, { user: 'int2' });
  assert.equal(asg.status, 200, asg.text);
  assert.deepEqual(asg.body.assignees, ['int2']);
  const again = await hr.post(`/api/v1/applications/${newApps[3].id}/assignees`, { user: 'int2' });
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.assignees, ['int2']);
  const notInt = await hr.post(`/api/v1/applications/${newApps[3].id}/assignees`, { user: 'hr1' });
  assertError(assert, notInt, 422, 'not_interviewer');
});

test('users: create, get, update, list with pagination and filters', async () => {
  const created = [];
  for (let i = 1; i <= 7; i++) {
    const r = await admin.post('/api/v1/users', {
      username: `paged.user-${i}`,
      role: i === 7 ? 'manager' : 'interviewer',
      password: PASSWORD,
      display_name: `Paged User ${i}`,
      ...(i === 7 ? { org_unit: 'ENG' } : {}),
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.username, `paged.user-${i}`);
    assert.equal(r.body.disabled, false);
    assert.ok(!('password' in r.body) && !('password_hash' in r.body));
    created.push(r.body);
  }
  assert.equal(created[6].org_unit, 'ENG');
  const g = await admin.get(`/api/v1/users/${created[0].id}`);
  assert.deepEqual(g.body, created[0]);
  const items = await paginate(assert, admin, '/api/v1/users', 3);
  for (const c of created) assert.equal(items.filter((i) => i.id === c.id).length, 1);
  const ints = await paginate(assert, admin, '/api/v1/users?role=interviewer', 3);
  assert.ok(ints.every((u) => u.role === 'interviewer'));
  assert.deepEqual(ints.map((u) => u.username), ['int1', 'int2', ...created.slice(0, 6).map((u) => u.username)]);

  const u = await admin.patch(`/api/v1/users/${created[0].id}`, { display_name: 'New Name', role: 'hr' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.display_name, 'New Name');
  assert.equal(u.body.role, 'hr');
  const d = await admin.post(`/api/v1/users/${created[1].id}/disable`, undefined);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.disabled, true);
  const dis = await admin.get('/api/v1/users?disabled=true');
  assert.deepEqual(dis.body.items.map((x) => x.id), [created[1].id]);
  const dup = await admin.post('/api/v1/users', { username: 'paged.user-1', role: 'hr', password: PASSWORD });
  assert.equal(assertError(assert, dup, 409, 'duplicate').existing_id, created[0].id);
  const weak = await admin.post('/api/v1/users', { username: 'weakling', role: 'hr', password: 'short' });
  assertError(assert, weak, 422, 'weak_password');
  const mgr = await admin.post('/api/v1/users', { username: 'orgless', role: 'manager', password: PASSWORD });
  assertError(assert, mgr, 422, 'required');
});

test('tokens: create, list with pagination, revoke', async () => {
  const created = [];
  for (let i = 1; i <= 7; i++) {
    const r = await admin.post('/api/v1/tokens', {
      name: `paged-token-${i}`,
      scopes: ['candidates:read', 'applications:read'],
      ...(i === 7 ? { user: 'hr1', expires_in_days: 30 } : {}),
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.scopes, ['candidates:read', 'applications:read']);
    assert.equal(r.body.revoked_at, null);
    created.push(r.body);
  }
  assert.equal(created[6].user, 'hr1');
  assert.equal(typeof created[6].expires_at, 'string');
  assert.equal(created[0].user, 'admin');
  const items = await paginate(assert, admin, '/api/v1/tokens', 3);
  for (const c of created) assert.equal(items.filter((i) => i.id === c.id).length, 1);
  assert.ok(items.every((t) => !('token' in t) && !('token_hash' in t)), 'no secrets listed');
  // A token acts as its user: hr1's token sees id_number (hr) but may not write users (scope).
  const t = srv.bearer(created[6].token);
  const me = await t.get(`/api/v1/candidates/${s.cand.sales_a.id}`);
  assert.equal(me.status, 200);
  assert.equal(me.body.id_number, s.cand.sales_a.id_number);
  const rv = await admin.post(`/api/v1/tokens/${created[6].id}/revoke`, undefined);
  assert.equal(rv.status, 200);
  assertError(assert, await t.get(`/api/v1/candidates/${s.cand.sales_a.id}`), 401, 'invalid_token');
  const bad = await admin.post('/api/v1/tokens', { name: 'bad', scopes: ['everything'] });
  assertError(assert, bad, 422, 'unknown_scope');
});

// ---------------------------------------------------------------------------
// pipeline

/** Moves application id through stages as client; asserts every step. */
async function walk(client, id, steps) {
  let app;
  for (const step of steps) {
    const body = typeof step === 'string' ? { to: step } : step;
    const r = await client.post(`/api/v1/applications/${id}/transitions`, body);
    assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.body.stage, body.to);
    if (app) assert.equal(r.body.prev_stage, app.stage);
    assert.equal(r.body.version, (app?.version ?? r.body.version - 1) + 1, 'version bumps');
    app = r.body;
  }
  return app;
}

async function freshApp(position = 'SALES-01') {
  const c = await hr.post('/api/v1/candidates', { name: 'Pipeline ' + uniq(), email: `pipe.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

test('pipeline as hr: applied -> ai_invited -> withdrawn', async () => {
  const a = await freshApp();
  const end = await walk(hr, a.id, ['ai_invited', 'withdrawn']);
  assert.equal(end.stage, 'withdrawn');
});

test('pipeline as hr: applied -> eliminated_pending_review -> (override) ai_pending_evaluation -> ai_passed -> followup -> offer -> hired', async () => {
  const a = await freshApp('ENG-BE-01');
  const el = await walk(hr, a.id, [{ to: 'eliminated_pending_review', reason: 'skills_mismatch', note: 'weak in SQL' }]);
  assert.equal(el.elimination_reason, 'skills_mismatch');
  assert.equal(el.elimination_note, 'weak in SQL');
  const back = await walk(hr, a.id, [{ to: 'ai_pending_evaluation', reason: 'reviewer disagrees' }]);
  assert.equal(back.elimination_reason, null, 'an override clears the elimination');
  const end = await walk(hr, a.id, ['ai_passed', 'followup', 'offer', 'hired']);
  assert.equal(end.stage, 'hired');
  const h = await hr.get(`/api/v1/applications/${a.id}/history`);
  assert.equal(h.status, 200);
  assert.deepEqual(h.body.items.map((x) => [x.from, x.to]), [
    [null, 'applied'],
    ['applied', 'eliminated_pending_review'],
    ['eliminated_pending_review', 'ai_pending_evaluation'],
    ['ai_pending_evaluation', 'ai_passed'],
    ['ai_passed', 'followup'],
    ['followup', 'offer'],
    ['offer', 'hired'],
  ]);
  assert.equal(h.body.items[1].reason, 'skills_mismatch');
  assert.equal(h.body.items[1].note, 'weak in SQL');
  assert.equal(h.body.items[1].user, 'hr1');
  assert.equal(h.body.items[1].actor, 'hr');
  // Nothing leaves hired.
  const r = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'withdrawn' });
  assert.equal(assertError(assert, r, 409, 'illegal_transition').current_stage, 'hired');
});

test('pipeline as hr: the other roads to hired (ai_passed -> offer; eliminated_pending_export -> followup)', async () => {
  const a = await freshApp();
  await walk(hr, a.id, [{ to: 'eliminated_pending_review', reason: 'communication' }, { to: 'ai_passed', reason: 'second look' }, 'offer', 'hired']);
  const b = await freshApp();
  await walk(hr, b.id, [
    { to: 'eliminated_pending_export', reason: 'no_show' },
    { to: 'followup', reason: 'candidate called back' },
    'offer',
    'hired',
  ]);
  const c = await freshApp();
  await walk(hr, c.id, [{ to: 'eliminated_pending_export', reason: 'other' }, { to: 'ai_passed', reason: 'x' }]);
  const d = await freshApp();
  await walk(hr, d.id, [{ to: 'eliminated_pending_review', reason: 'other' }, { to: 'followup', reason: 'x' }, 'offer', 'withdrawn']);
});

test('pipeline as hr: applied -> eliminated_pending_export -> exported, and via review', async () => {
  const a = await freshApp();
  const x = await walk(hr, a.id, [{ to: 'eliminated_pending_export', reason: 'experience_insufficient' }, 'exported']);
  assert.equal(x.elimination_reason, 'experience_insufficient', 'exported keeps the reason');
  const b = await freshApp('ENG-BE-01');
  await walk(hr, b.id, [
    { to: 'eliminated_pending_review', reason: 'culture_fit' },
    'eliminated_pending_export',
    'exported',
  ]);
  const r = await hr.post(`/api/v1/applications/${b.id}/transitions`, { to: 'ai_passed', reason: 'too late' });
  assert.equal(assertError(assert, r, 409, 'illegal_transition').current_stage, 'exported');
});

test('pipeline: illegal moves are 409 naming the current stage; nothing changes', async () => {
  const a = await freshApp();
  for (const to of ['hired', 'offer', 'followup', 'ai_passed', 'exported', 'applied']) {
    const r = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to });
    const e = assertError(assert, r, 409, 'illegal_transition', to);
    assert.equal(e.current_stage, 'applied');
  }
  const g = await hr.get(`/api/v1/applications/${a.id}`);
  assert.equal(g.body.stage, 'applied');
  assert.equal(g.body.version, a.version);
  const unknown = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'promoted' });
  assert.equal(assertError(assert, unknown, 422).field, 'to');
});

test('pipeline: hr may not do the candidate/system moves (403 transition_forbidden)', async () => {
  const a = await freshApp();
  await walk(hr, a.id, ['ai_invited']);
  const r = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'ai_in_progress' });
  assertError(assert, r, 403, 'transition_forbidden');
});

test('pipeline: elimination needs a known reason; an override needs a reason', async () => {
  const a = await freshApp();
  const none = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'eliminated_pending_export' });
  assert.equal(assertError(assert, none, 422, 'reason_required').field, 'reason');
  const empty = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'eliminated_pending_review', reason: null });
  assertError(assert, empty, 422, 'reason_required');
  const bogus = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'eliminated_pending_review', reason: 'too_tall' });
  assert.equal(assertError(assert, bogus, 422, 'invalid_reason').field, 'reason');
  await walk(hr, a.id, [{ to: 'eliminated_pending_review', reason: 'salary_expectation' }]);
  const over = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'applied' });
  assertError(assert, over, 422, 'reason_required');
  const g = await hr.get(`/api/v1/applications/${a.id}`);
  assert.equal(g.body.stage, 'eliminated_pending_review');
});

test('pipeline: a stale version is 409 version_conflict', async () => {
  const a = await freshApp();
  const r = await hr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'ai_invited', version: a.version + 5 });
  assertError(assert, r, 409, 'version_conflict');
  await walk(hr, a.id, [{ to: 'ai_invited', version: a.version }]);
});

test('pipeline as manager: ai_passed -> followup in their subtree; hr-only moves are 403; other departments 404', async () => {
  const a = await freshApp('SALES-01');
  await walk(hr, a.id, [{ to: 'eliminated_pending_review', reason: 'other' }, { to: 'ai_passed', reason: 'x' }]);
  const mgr = s.clients.mgr_sales;
  const off = await mgr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'offer' });
  assertError(assert, off, 403, 'transition_forbidden');
  const r = await mgr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'followup', note: 'strong' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stage, 'followup');
  const h = await mgr.get(`/api/v1/applications/${a.id}/history`);
  assert.deepEqual(h.body.items.at(-1), { ...h.body.items.at(-1), from: 'ai_passed', to: 'followup', actor: 'manager', user: 'mgr_sales', note: 'strong' });
  const el = await mgr.post(`/api/v1/applications/${a.id}/transitions`, { to: 'eliminated_pending_review', reason: 'culture_fit' });
  assert.equal(el.status, 200, el.text);

  const b = await freshApp('ENG-01');
  const other = await mgr.post(`/api/v1/applications/${b.id}/transitions`, { to: 'ai_invited' });
  assertError(assert, other, 404, 'not_found');
  const eng = await s.clients.mgr_eng.post(`/api/v1/applications/${b.id}/transitions`, { to: 'ai_invited' });
  assertError(assert, eng, 403, 'transition_forbidden');
});

// ---------------------------------------------------------------------------
// audit

test('audit: the application log shows every transition with before/after', async () => {
  const a = await freshApp();
  await walk(hr, a.id, ['ai_invited', 'withdrawn']);
  const r = await hr.get(`/api/v1/audit?entity=application&id=${a.id}`);
  assert.equal(r.status, 200, r.text);
  const items = r.body.items;
  assert.deepEqual(items.map((i) => i.action), ['application.create', 'application.transition', 'application.transition']);
  for (const i of items) {
    assert.equal(i.entity, 'application');
    assert.equal(i.entity_id, a.id);
    assert.equal(i.actor, 'user:hr1');
    assert.match(i.hash, /^[0-9a-f]{64}$/);
    assert.match(i.prev_hash, /^[0-9a-f]{64}$/);
  }
  assert.equal(items[0].diff.before, null);
  assert.equal(items[0].diff.after.stage, 'applied');
  assert.equal(items[1].diff.before.stage, 'applied');
  assert.equal(items[1].diff.after.stage, 'ai_invited');
  assert.equal(items[2].diff.before.stage, 'ai_invited');
  assert.equal(items[2].diff.after.stage, 'withdrawn');
  const byAction = await hr.get(`/api/v1/audit?entity=application&id=${a.id}&action=application.transition`);
  assert.equal(byAction.body.items.length, 2);
  const byActor = await paginate(assert, hr, '/api/v1/audit?actor=hr1', 50);
  assert.ok(byActor.length >= 3 && byActor.every((i) => i.actor.endsWith(':hr1')));
  const noEntity = await hr.get(`/api/v1/audit?id=${a.id}`);
  assertError(assert, noEntity, 422, 'required');
  // The chain links row to row.
  const all = await paginate(assert, admin, '/api/v1/audit', 200);
  assert.equal(all[0].prev_hash, '0'.repeat(64));
  for (let i = 1; i < all.length; i++) assert.equal(all[i].prev_hash, all[i - 1].hash, `chain at ${all[i].id}`);
});

test('talentd audit verify: the chain is intact', async () => {
  const r = await srv.cli(['audit', 'verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /intact/);
});

// ---------------------------------------------------------------------------
// CLI

test('CLI: user add --password-stdin, user list, login, user disable ends sessions and logins', async () => {
  const add = await srv.cli(['user', 'add', '--username', 'cli.user', '--role', 'interviewer', '--display-name', 'From CLI', '--password-stdin'], {
    input: 'cli-password-123\n',
  });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /created user cli\.user \(id \d+, interviewer\)/);
  const list = await srv.cli(['user', 'list']);
  assert.equal(list.code, 0, list.stderr);
  const line = list.stdout.split('\n').find((l) => /\bcli\.user\b/.test(l));
  assert.ok(line, list.stdout);
  assert.match(line, /interviewer/);
  assert.match(line, /active/);
  const onlyHr = await srv.cli(['user', 'list', '--role', 'hr']);
  assert.ok(!onlyHr.stdout.includes('cli.user') && onlyHr.stdout.includes('hr1'));

  const c = await srv.login('cli.user', 'cli-password-123');
  assert.equal((await c.get('/api/v1/me')).body.display_name, 'From CLI');
  const dup = await srv.cli(['user', 'add', '--username', 'cli.user', '--role', 'hr', '--password-stdin'], { input: 'cli-password-123\n' });
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already exists/);
  const weak = await srv.cli(['user', 'add', '--username', 'cli.weak', '--role', 'hr', '--password-stdin'], { input: 'short\n' });
  assert.equal(weak.code, 1);
  const usage = await srv.cli(['user', 'add', '--username', 'cli.x']);
  assert.equal(usage.code, 2);

  const dis = await srv.cli(['user', 'disable', '--username', 'cli.user']);
  assert.equal(dis.code, 0, dis.stderr);
  assertError(assert, await c.get('/api/v1/me'), 401, undefined, 'old session after disable');
  const again = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'cli.user', password: 'cli-password-123' } });
  assertError(assert, again, 401, 'invalid_credentials');
  const list2 = await srv.cli(['user', 'list']);
  assert.match(list2.stdout.split('\n').find((l) => /\bcli\.user\b/.test(l)), /disabled/);
  const ghost = await srv.cli(['user', 'disable', '--username', 'ghost']);
  assert.equal(ghost.code, 1);
});

test('CLI: token create prints the token once; token list; token revoke', async () => {
  const r = await srv.cli(['token', 'create', '--name', 'cli-made', '--scopes', 'positions:read,org:read', '--user', 'hr1']);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^tdk_\S+$/);
  const id = Number(/token (\d+) created/.exec(r.stderr)?.[1]);
  assert.ok(id > 0, r.stderr);
  const c = srv.bearer(token);
  const p = await c.get('/api/v1/positions');
  assert.equal(p.status, 200);
  assert.ok(p.body.items.length > 0);
  assert.ok(p.body.items.every((x) => 'salary_min' in x), 'an hr-owned token sees salary');
  assertError(assert, await c.get('/api/v1/candidates'), 403, 'insufficient_scope');

  const list = await srv.cli(['token', 'list']);
  assert.equal(list.code, 0);
  const line = list.stdout.split('\n').find((l) => l.includes('cli-made'));
  assert.ok(line && line.includes('hr1') && line.includes('active'), list.stdout);
  assert.ok(!list.stdout.includes(token), 'the list does not show the secret');

  const rv = await srv.cli(['token', 'revoke', '--id', String(id)]);
  assert.equal(rv.code, 0, rv.stderr);
  assertError(assert, await c.get('/api/v1/positions'), 401, 'invalid_token');
  assert.equal((await srv.cli(['token', 'revoke', '--id', String(id)])).code, 1);
  const bad = await srv.cli(['token', 'create', '--name', 'x', '--scopes', 'root:all']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown scope/);
});

test('the audit chain is still intact after everything above', async () => {
  const r = await srv.cli(['audit', 'verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /intact/);
});
