// hostile.test.mjs - bad and hostile input. Part one: SQL and script strings
// are valid text, stored and returned verbatim, never executed. Part two:
// every write endpoint gets malformed, mistyped, incomplete, oversized and
// otherwise invalid input; each gets the right 4xx with the error envelope,
// never a 500, and the database is byte-for-byte unchanged afterwards.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  PASSWORD,
  assertError,
  dbSnapshot,
  rawHttp,
  seed,
  snapshotDiff,
  startServer,
} from './lib/harness.mjs';

let srv;
let s;
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

/** Asserts a rejected request: status (one or a list), the envelope, optional code and field. */
function rejected(r, status, { code, field, what = '' } = {}) {
  const ctx = `${what} -> ${r.status} ${r.text?.slice(0, 300)}`;
  assert.ok(r.status < 500, `never a 5xx: ${ctx}`);
  const allowed = Array.isArray(status) ? status : [status];
  assert.ok(allowed.includes(r.status), `expected ${allowed.join('/')}: ${ctx}`);
  const e = assertError(assert, r, r.status, code, what);
  if (field !== undefined) assert.equal(e.field, field, `field: ${ctx}`);
  return e;
}

const SQLI = ["'; DROP TABLE candidate; --", '" OR 1=1 --', "Robert'); DROP TABLE users;--", "1' OR '1'='1"];
const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert('x')"];
const WEIRD = ['名字 Ω 🚀 ñ', '%_\\%', '{{7*7}} ${7*7}'];
const NASTY = [...SQLI, ...XSS, ...WEIRD];

// ---------------------------------------------------------------------------
// part one: hostile strings are data

describe('SQL and script strings are stored and returned verbatim', () => {
  test('candidates: name, source and external_id round-trip', async () => {
    for (const [i, v] of NASTY.entries()) {
      const r = await hr.post('/api/v1/candidates', {
        name: v,
        source: v,
        external_id: `${v}#${i}`,
        email: `nasty.${i}@example.com`,
      });
      assert.equal(r.status, 201, `${v}: ${r.text}`);
      assert.equal(r.body.name, v);
      assert.equal(r.body.source, v);
      assert.equal(r.body.external_id, `${v}#${i}`);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      const g = await hr.get(`/api/v1/candidates/${r.body.id}`);
      assert.equal(g.body.name, v);
      assert.equal(g.body.source, v);
      const bySource = await hr.all(`/api/v1/candidates?source=${encodeURIComponent(v)}`);
      assert.deepEqual(bySource.map((c) => c.id), [r.body.id], `source filter ${v}`);
      const byName = await hr.all(`/api/v1/candidates?name=${encodeURIComponent(v)}`);
      assert.ok(byName.some((c) => c.id === r.body.id), `name filter finds ${v}`);
      assert.ok(byName.every((c) => c.name.toLowerCase().includes(v.toLowerCase())), `name filter matches literally: ${v}`);
    }
  });

  test('name search treats % and _ literally', async () => {
    const all = await hr.all('/api/v1/candidates');
    const pct = await hr.all('/api/v1/candidates?name=%25');
    assert.ok(pct.length < all.length, 'a % is not a wildcard');
    assert.ok(pct.every((c) => c.name.includes('%')));
    const us = await hr.all('/api/v1/candidates?name=_');
    assert.ok(us.every((c) => c.name.includes('_')));
  });

  test('org units, positions, users, tokens, applications, transitions keep hostile text verbatim', async () => {
    for (const [i, v] of NASTY.entries()) {
      const ou = await hr.post('/api/v1/org-units', { code: `NASTY-${i}`, name: v, parent: 'HQ' });
      assert.equal(ou.status, 201, ou.text);
      assert.equal(ou.body.name, v);
      assert.equal((await hr.get(`/api/v1/org-units/${ou.body.id}`)).body.name, v);

      const pos = await hr.post('/api/v1/positions', {
        code: `NASTY-P${i}`,
        title: v,
        description: `${v}\n${v}`,
        org_unit: `NASTY-${i}`,
        headcount: 1,
      });
      assert.equal(pos.status, 201, pos.text);
      assert.equal(pos.body.title, v);
      assert.equal(pos.body.description, `${v}\n${v}`);

      const u = await admin.post('/api/v1/users', {
        username: `nasty${i}`,
        role: 'interviewer',
        password: `${v}-${PASSWORD}`,
        display_name: v,
      });
      assert.equal(u.status, 201, u.text);
      assert.equal(u.body.display_name, v);

      const t = await admin.post('/api/v1/tokens', { name: v, scopes: ['org:read'] });
      assert.equal(t.status, 201, t.text);
      assert.equal(t.body.name, v);

      const cand = await hr.post('/api/v1/candidates', { name: `Holder ${i}`, phone: `1370000${1000 + i}` });
      assert.equal(cand.status, 201, cand.text);
      const app = await hr.post('/api/v1/applications', {
        candidate_id: cand.body.id,
        position: `NASTY-P${i}`,
        special_note: v,
      });
      assert.equal(app.status, 201, app.text);
      assert.equal(app.body.special_note, v);
      assert.equal(app.body.position_title, v);
      const el = await hr.post(`/api/v1/applications/${app.body.id}/transitions`, {
        to: 'eliminated_pending_review',
        reason: 'other',
        note: v,
      });
      assert.equal(el.status, 200, el.text);
      assert.equal(el.body.elimination_note, v);
      const back = await hr.post(`/api/v1/applications/${app.body.id}/transitions`, { to: 'applied', reason: v });
      assert.equal(back.status, 200, back.text);
      const h = await hr.get(`/api/v1/applications/${app.body.id}/history`);
      assert.equal(h.body.items[1].note, v);
      assert.equal(h.body.items[2].reason, v);
    }
    // A hostile password works as a password.
    const c = await srv.login('nasty0', `${SQLI[0]}-${PASSWORD}`);
    assert.equal((await c.get('/api/v1/me')).body.display_name, SQLI[0]);
  });

  test('hostile filter values match nothing and leak nothing', async () => {
    for (const v of [...SQLI, '%', '*', "' OR ''='"]) {
      const q = encodeURIComponent(v);
      for (const path of [
        `/api/v1/positions?code=${q}`,
        `/api/v1/positions?org_unit=${q}`,
        `/api/v1/applications?position=${q}`,
        `/api/v1/applications?org_unit=${q}`,
        `/api/v1/org-units?parent=${q}`,
        `/api/v1/audit?entity=${q}`,
        `/api/v1/audit?action=${q}`,
        `/api/v1/audit?actor=${q}`,
        `/api/v1/candidates?position=${q}`,
      ]) {
        const r = await hr.get(path);
        assert.equal(r.status, 200, `${path}: ${r.text}`);
        assert.deepEqual(r.body.items, [], `${path} must match nothing`);
      }
      const e = await hr.get(`/api/v1/candidates?email=${q}`);
      rejected(e, 422, { code: 'invalid_format', field: 'email', what: `email=${v}` });
    }
  });

  test('the tables are all still there', async () => {
    for (const p of ['/api/v1/candidates', '/api/v1/users', '/api/v1/positions', '/api/v1/applications', '/api/v1/org-units']) {
      const r = await admin.get(p);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.ok(r.body.items.length > 0);
    }
    const snap = await dbSnapshot(srv);
    for (const t of ['candidate', 'users', 'position', 'application', 'org_unit', 'audit']) {
      assert.ok(snap.includes(`== ${t}\n`), `table ${t} in the snapshot`);
    }
    const v = await srv.cli(['audit', 'verify']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});

// ---------------------------------------------------------------------------
// part two: rejected input changes nothing

// Field kinds: string (single line), text (multi-line), code ([A-Za-z0-9][A-Za-z0-9_.-]*),
// int, bool, array. Wrong values per kind (each must be 422 naming the field).
const WRONG = {
  string: [123, true, {}, ['x'], 1.5],
  text: [123, false, { a: 1 }, ['x']],
  code: [123, true, {}, ['x']],
  int: ['12', 1.5, true, {}, [1], '1e3'],
  bool: [{}, 'true', 1, 0, [], 'false'],
  array: ['x', {}, 5, true],
};

// Every write endpoint, with a valid body (never sent as is) whose fields are
// mutated one at a time. `caller` defaults to hr.
const ENDPOINTS = [
  {
    name: 'POST /org-units', m: 'POST', path: '/api/v1/org-units',
    valid: { code: 'BAD-OU', name: 'Bad', parent: 'HQ', manager: 'mgr_sales' },
    kinds: { code: 'code', name: 'string', parent: 'string', manager: 'string' },
    required: ['code', 'name'], text: ['name'], ints: [],
  },
  {
    name: 'PATCH /org-units/{id}', m: 'PATCH', get path() { return `/api/v1/org-units/${s.org.SALES.id}`; },
    valid: { name: 'Bad', parent: 'HQ', manager: 'mgr_sales' },
    kinds: { name: 'string', parent: 'string', manager: 'string' },
    required: [], text: ['name'], ints: [],
  },
  {
    name: 'POST /positions', m: 'POST', path: '/api/v1/positions',
    valid: {
      code: 'BAD-POS', title: 'Bad', org_unit: 'SALES', headcount: 1, status: 'open', review_required: true,
      description: 'd', competency_model: [{ dim: 'logic', weight: 1, min: 50 }], salary_min: 1, salary_max: 2,
    },
    kinds: {
      code: 'code', title: 'string', org_unit: 'code', headcount: 'int', status: 'string', review_required: 'bool',
      description: 'text', competency_model: 'array', salary_min: 'int', salary_max: 'int',
    },
    required: ['code', 'title', 'org_unit', 'headcount'], text: ['title'], ints: ['headcount', 'salary_min'],
  },
  {
    name: 'PATCH /positions/{id}', m: 'PATCH', get path() { return `/api/v1/positions/${s.pos['SALES-01'].id}`; },
    get valid() { return { title: 'Bad', org_unit: 'SALES', headcount: 2, status: 'closed', review_required: false, description: 'd',
      competency_model: [], salary_min: 1, salary_max: 2, version: s.pos['SALES-01'].version }; },
    kinds: { title: 'string', org_unit: 'code', headcount: 'int', status: 'string', review_required: 'bool',
      description: 'text', competency_model: 'array', salary_min: 'int', salary_max: 'int', version: 'int' },
    required: [], text: ['title'], ints: ['headcount', 'version'],
  },
  {
    name: 'POST /candidates', m: 'POST', path: '/api/v1/candidates',
    valid: { name: 'Bad', email: 'bad.input@example.com', phone: '13912345678', id_number: 'ABC123456', source: 'web',
      external_id: 'bad-1', consent: true },
    kinds: { name: 'string', email: 'string', phone: 'string', id_number: 'string', source: 'string',
      external_id: 'string', consent: 'bool' },
    required: ['name'], text: ['name', 'source'], ints: [],
  },
  {
    name: 'PATCH /candidates/{id}', m: 'PATCH', get path() { return `/api/v1/candidates/${s.cand.sales_b.id}`; },
    get valid() { return { name: 'Bad', email: 'bad.input@example.com', phone: '13912345678', id_number: 'ABC123456', source: 'web',
      external_id: 'bad-1', consent: false, version: s.cand.sales_b.version }; },
    kinds: { name: 'string', email: 'string', phone: 'string', id_number: 'string', source: 'string',
      external_id: 'string', consent: 'bool', version: 'int' },
    required: [], text: ['name'], ints: ['version'],
  },
  {
    name: 'POST /applications', m: 'POST', path: '/api/v1/applications',
    get valid() { return { candidate_id: s.cand.eng_a.id, position: 'SALES-01', special_note: 'n' }; },
    kinds: { candidate_id: 'int', position: 'code', special_note: 'text' },
    required: ['candidate_id', 'position'], text: [], ints: ['candidate_id'],
  },
  {
    name: 'PATCH /applications/{id}', m: 'PATCH', get path() { return `/api/v1/applications/${s.app.sales_b.id}`; },
    get valid() { return { special_note: 'n', talent_pool: true, version: s.app.sales_b.version }; },
    kinds: { special_note: 'text', talent_pool: 'bool', version: 'int' },
    required: [], text: [], ints: ['version'],
  },
  {
    name: 'POST /applications/{id}/transitions', m: 'POST', get path() { return `/api/v1/applications/${s.app.sales_b.id}/transitions`; },
    get valid() { return { to: 'eliminated_pending_review', reason: 'other', note: 'n', version: s.app.sales_b.version }; },
    kinds: { to: 'string', reason: 'string', note: 'text', version: 'int' },
    required: ['to'], text: [], ints: ['version'],
  },
  {
    name: 'POST /applications/{id}/assignees', m: 'POST', get path() { return `/api/v1/applications/${s.app.sales_b.id}/assignees`; },
    valid: { user: 'int2' },
    kinds: { user: 'string' },
    required: ['user'], text: [], ints: [],
  },
  {
    name: 'POST /users', m: 'POST', path: '/api/v1/users', caller: 'admin',
    valid: { username: 'bad.user', role: 'interviewer', password: PASSWORD, display_name: 'Bad', org_unit: 'SALES' },
    kinds: { username: 'string', role: 'string', password: 'string', display_name: 'string', org_unit: 'string' },
    required: ['username', 'role', 'password'], text: ['display_name'], ints: [],
  },
  {
    name: 'PATCH /users/{id}', m: 'PATCH', get path() { return `/api/v1/users/${s.users.int2.id}`; }, caller: 'admin',
    valid: { display_name: 'Bad', role: 'hr', org_unit: 'SALES', password: PASSWORD, disabled: true },
    kinds: { display_name: 'string', role: 'string', org_unit: 'string', password: 'string', disabled: 'bool' },
    required: [], text: ['display_name'], ints: [],
  },
  {
    name: 'POST /tokens', m: 'POST', path: '/api/v1/tokens', caller: 'admin',
    valid: { name: 'bad', scopes: ['org:read'], user: 'hr1', expires_in_days: 3 },
    kinds: { name: 'string', scopes: 'array', user: 'string', expires_in_days: 'int' },
    required: ['name', 'scopes'], text: ['name'], ints: ['expires_in_days'],
  },
  {
    name: 'POST /auth/login', m: 'POST', path: '/api/v1/auth/login', caller: 'anonymous',
    valid: { username: 'admin', password: 'not-the-password' },
    kinds: { username: 'string', password: 'string' },
    required: ['username', 'password'], text: [], ints: [],
  },
];

/** Sends body (an object -> JSON, or raw bytes) to endpoint ep as its caller. */
function send(ep, { body, raw, headers } = {}) {
  const who = ep.caller || 'hr';
  const c = who === 'anonymous' ? srv.anon() : who === 'admin' ? admin : hr;
  return c.req(ep.m, ep.path, { body, raw, headers });
}

const without = (o, k) => {
  const c = { ...o };
  delete c[k];
  return c;
};

describe('rejected input', () => {
  let baseline; // before any rejected input
  let last; // after the previous test: one failure does not spill into the next tests

  before(async () => {
    baseline = await dbSnapshot(srv);
    last = baseline;
  });

  /**
   * A test of rejected input: runs fn, then asserts the database equals the
   * state after the previous such test (refreshed even when fn fails, so one
   * failure does not spill into the next tests).
   */
  function rtest(name, fn) {
    test(name, async () => {
      let err;
      try {
        await fn();
      } catch (e) {
        err = e;
      }
      const now = await dbSnapshot(srv);
      const prev = last;
      last = now;
      if (err) throw err;
      assert.ok(now === prev, `${name}: the database changed:\n${snapshotDiff(prev, now)}`);
    });
  }

  for (const endpoint of ENDPOINTS) {
    const { name } = endpoint;
    const ep = () => endpoint;

    rtest(`${name}: malformed, non-object, empty, duplicate-key and invalid UTF-8 bodies`, async () => {
      const e = ep();
      for (const raw of ['{"a":', '{', '{"name": "x",}', "{'name': 'x'}", 'nul', '{"a":1}}', '\u00ff']) {
        rejected(await send(e, { raw }), 400, { code: 'malformed_json', what: `${name} ${JSON.stringify(raw)}` });
      }
      // Well-formed JSON that is not an object (jansson refuses top-level scalars as malformed).
      for (const raw of ['[1]', '"x"', 'null', '42', 'true', '[]', '[{"name":"x"}]']) {
        rejected(await send(e, { raw }), [400, 422], { what: `${name} ${raw}` });
      }
      rejected(await send(e, { raw: '' }), 400, { code: 'malformed_json', what: `${name} empty body` });
      rejected(await send(e, { raw: '{"name":"a","name":"b"}' }), 400, { code: 'malformed_json', what: 'duplicate keys' });
      // Invalid UTF-8 inside a string, as raw bytes.
      const key = Object.keys(e.kinds).find((k) => ['string', 'text'].includes(e.kinds[k]));
      for (const bytes of [[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
        const raw = Buffer.concat([Buffer.from(`{"${key}":"a`), Buffer.from(bytes), Buffer.from('b"}')]);
        rejected(await send(e, { raw }), [400, 422], { what: `${name} invalid UTF-8 ${bytes}` });
      }
      // A lone surrogate escape is not a character.
      rejected(await send(e, { raw: `{"${key}":"\\ud800"}` }), [400, 422], { what: 'lone surrogate' });
      rejected(await send(e, { body: { ...e.valid, [key]: 'a\u0000b' } }), [400, 422], { what: 'NUL in a string' });
      // A form-encoded or text body is not JSON either.
      const form = await send(e, { raw: 'name=x&code=y', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      rejected(form, 400, { code: 'malformed_json', what: 'form body' });
    });

    rtest(`${name}: wrong types for every field are 422 naming the field`, async () => {
      const e = ep();
      for (const [k, kind] of Object.entries(e.kinds)) {
        for (const v of WRONG[kind]) {
          const r = await send(e, { body: { ...e.valid, [k]: v } });
          rejected(r, 422, { field: k, what: `${name} ${k}=${JSON.stringify(v)}` });
          if (e.kinds[k] !== 'array') assert.ok(['wrong_type', 'validation_failed'].includes(r.body.error.code), r.text);
        }
      }
    });

    rtest(`${name}: missing required fields, unknown fields, control characters, overlong text`, async () => {
      const e = ep();
      for (const k of e.required) {
        const r = await send(e, { body: without(e.valid, k) });
        rejected(r, 422, { code: 'required', field: k, what: `${name} without ${k}` });
        const n = await send(e, { body: { ...e.valid, [k]: null } });
        const ne = rejected(n, 422, { field: k, what: `${name} ${k}=null` });
        assert.ok(['required', 'wrong_type'].includes(ne.code), n.text);
      }
      for (const extra of ['bogus', 'id', 'created_at', '__proto__', 'password_hash', 'role ']) {
        if (extra in e.kinds) continue;
        const raw = JSON.stringify({ ...e.valid }).replace(/}$/, `,${JSON.stringify(extra)}:1}`);
        rejected(await send(e, { raw }), 422, { code: 'unknown_field', field: extra, what: `${name} +${extra}` });
      }
      for (const k of e.text) {
        for (const v of ['a\u0007b', 'esc\u001bape', 'del\u007f', 'line\nbreak', 'cr\rhere', '\u0001', '']) {
          rejected(await send(e, { body: { ...e.valid, [k]: v } }), 422, { field: k, what: `${name} ${k}=${JSON.stringify(v)}` });
        }
        rejected(await send(e, { body: { ...e.valid, [k]: 'x'.repeat(5000) } }), 422, { field: k, what: `${name} long ${k}` });
      }
      for (const [k, kind] of Object.entries(e.kinds)) {
        if (kind !== 'code') continue;
        for (const v of [...SQLI, XSS[0], 'a b', '-lead', 'x'.repeat(65), '../etc', '名字']) {
          rejected(await send(e, { body: { ...e.valid, [k]: v } }), 422, { field: k, what: `${name} ${k}=${v}` });
        }
      }
    });

    rtest(`${name}: huge and out-of-range numbers are 400/422, never 500`, async () => {
      const e = ep();
      for (const k of e.ints) {
        for (const lit of ['1e400', '-1e400', '99999999999999999999999', '-99999999999999999999999', '1e2', '-0.0']) {
          const raw = JSON.stringify(e.valid).replace(new RegExp(`"${k}":[^,}]+`), `"${k}":${lit}`);
          assert.ok(raw.includes(lit), raw);
          rejected(await send(e, { raw }), [400, 422], { what: `${name} ${k}=${lit}` });
        }
        for (const v of [-1, 0, 9223372036854775807n]) {
          if (v === 0 && k !== 'version' && k !== 'candidate_id' && k !== 'expires_in_days') continue;
          const raw = JSON.stringify(e.valid).replace(new RegExp(`"${k}":[^,}]+`), `"${k}":${v}`);
          const r = await send(e, { raw });
          if (k === 'candidate_id' && typeof v === 'bigint') rejected(r, 422, { code: 'invalid_reference', what: raw });
          else if (k === 'version' && typeof v === 'bigint') rejected(r, 409, { code: 'version_conflict', what: raw });
          else rejected(r, 422, { field: k, what: `${name} ${k}=${v}` });
        }
      }
    });

    rtest(`${name}: bodies over 1 MiB are 413, with Content-Length and chunked`, async () => {
      const e = ep();
      const who = e.caller || 'hr';
      const c = who === 'anonymous' ? null : who === 'admin' ? admin : hr;
      const headers = { 'Content-Type': 'application/json', ...(c ? { Cookie: c.cookie, 'X-CSRF-Token': c.csrf } : {}) };
      const key = Object.keys(e.kinds).find((k) => ['string', 'text'].includes(e.kinds[k]));
      const big = Buffer.from(JSON.stringify({ ...e.valid, [key]: 'x'.repeat(1024 * 1024 + 10) }));
      const a = await rawHttp(srv.url, e.m, e.path, { headers: { ...headers, 'Content-Length': String(big.length) }, body: big });
      assert.ok(!a.error, `${name}: no answer to an oversize body (${a.error})`);
      rejected(a, 413, { code: 'payload_too_large', what: `${name} oversize` });
      const b = await rawHttp(srv.url, e.m, e.path, { headers, body: big, chunked: true });
      assert.ok(!b.error, `${name}: no answer to an oversize chunked body (${b.error})`);
      rejected(b, 413, { code: 'payload_too_large', what: `${name} oversize chunked` });
      // A body of exactly 1 MiB is read (and refused for what it says, not its size).
      const pad = 1024 * 1024 - Buffer.byteLength(JSON.stringify({ ...e.valid, [key]: '' }));
      const exact = Buffer.from(JSON.stringify({ ...e.valid, [key]: 'y'.repeat(pad) }));
      assert.equal(exact.length, 1024 * 1024);
      const x = await rawHttp(srv.url, e.m, e.path, { headers: { ...headers, 'Content-Length': String(exact.length) }, body: exact });
      rejected(x, 422, { field: key, what: `${name} exactly 1 MiB` });
    });
  }

  rtest('unknown query parameters on every list are 400 unknown_parameter', async () => {
    for (const p of ['org-units', 'positions', 'candidates', 'applications', 'users', 'tokens', 'audit']) {
      for (const q of ['bogus=1', 'limit=5&bogus=', 'Limit=5', 'stage[]=x', 'dim.logic_gte=5', 'cursor2=a']) {
        if (p === 'applications' && q.startsWith('dim.')) continue; // reserved for AI score filters
        const r = await admin.get(`/api/v1/${p}?${q}`);
        rejected(r, 400, { code: 'unknown_parameter', what: `${p}?${q}` });
        assert.ok(r.body.error.field, 'the parameter is named');
      }
    }
  });

  rtest('bad cursors and limits are 400', async () => {
    const cur = (t) => Buffer.from(t).toString('base64url');
    const wrong = [];
    for (const p of ['org-units', 'positions', 'candidates', 'applications', 'users', 'tokens', 'audit']) {
      const cases = [];
      for (const c of ['garbage!', 'abc', '', cur('a:0'), cur('a:-5'), cur('b:5'), cur('a:5x'), cur('a:99999999999999999999'), 'x'.repeat(500), '%00']) {
        cases.push([`cursor=${encodeURIComponent(c)}`, 'cursor', c === '' ? 'empty' : Buffer.from(c, 'base64url').toString('latin1')]);
      }
      for (const l of ['0', '1000', '201', 'abc', '-1', '1.5', '', ' 5', '5 ', '0x10', '99999999999999999999']) {
        cases.push([`limit=${encodeURIComponent(l)}`, 'limit', l]);
      }
      for (const [q, field, shown] of cases) {
        const r = await admin.get(`/api/v1/${p}?${q}`);
        assert.ok(r.status < 500, `${p}?${q}: ${r.status}`);
        if (r.status !== 400 || r.body?.error?.field !== field || !r.body.error.request_id) {
          wrong.push(`GET /api/v1/${p}?${q} (${JSON.stringify(shown)}) -> ${r.status} ${r.text.slice(0, 80)}`);
        }
      }
    }
    assert.deepEqual(wrong, [], 'each of these must be 400 naming the parameter');
  });

  rtest('bad filter values are 4xx', async () => {
    for (const [p, field] of [
      ['applications?stage=promoted', 'stage'],
      ['applications?stage=', 'stage'],
      ['applications?talent_pool=yes', 'talent_pool'],
      ['applications?position_id=abc', 'position_id'],
      ['applications?candidate_id=-1', 'candidate_id'],
      ['applications?candidate_id=99999999999999999999', 'candidate_id'],
      ['positions?status=maybe', 'status'],
      ['org-units?root=yes', 'root'],
      ['users?role=root', 'role'],
      ['users?disabled=1', 'disabled'],
      ['audit?id=5', 'entity'],
      ['audit?entity=application&id=abc', 'id'],
      ['candidates?phone=12', 'phone'],
      ['candidates?email=not-an-email', 'email'],
    ]) {
      rejected(await admin.get(`/api/v1/${p}`), [400, 422], { field, what: p });
    }
  });

  rtest('ids that are not ids are 404 on every by-id route', async () => {
    const routes = [
      ['GET', 'users/{id}'], ['PATCH', 'users/{id}', { display_name: 'x' }], ['POST', 'users/{id}/disable'],
      ['POST', 'tokens/{id}/revoke'],
      ['GET', 'org-units/{id}'], ['PATCH', 'org-units/{id}', { name: 'x' }], ['DELETE', 'org-units/{id}'],
      ['GET', 'positions/{id}'], ['PATCH', 'positions/{id}', { title: 'x' }],
      ['GET', 'candidates/{id}'], ['PATCH', 'candidates/{id}', { name: 'x' }],
      ['GET', 'applications/{id}'], ['PATCH', 'applications/{id}', { special_note: 'x' }],
      ['POST', 'applications/{id}/transitions', { to: 'withdrawn' }], ['GET', 'applications/{id}/history'],
      ['POST', 'applications/{id}/assignees', { user: 'int1' }],
    ];
    const bad = ['abc', '-1', '0', '99999999999999999999', '9223372036854775807', '9223372036854775808', '1.5', '1e3', '0x1', '%20', '+1', 'null', '%2e%2e'];
    for (const [m, tpl, body] of routes) {
      for (const id of bad) {
        const p = `/api/v1/${tpl.replace('{id}', id)}`;
        const r = await admin.req(m, p, { body });
        rejected(r, 404, { code: 'not_found', what: `${m} ${p}` });
      }
    }
  });

  rtest('illegal transitions are 409 with the current stage and change nothing', async () => {
    const id = s.app.sales_b.id;
    for (const to of ['hired', 'offer', 'followup', 'ai_passed', 'exported', 'applied', 'ai_incomplete']) {
      const e = rejected(await hr.post(`/api/v1/applications/${id}/transitions`, { to }), 409, {
        code: 'illegal_transition',
        what: `applied -> ${to}`,
      });
      assert.equal(e.current_stage, 'applied');
    }
    rejected(await hr.post(`/api/v1/applications/${id}/transitions`, { to: 'eliminated_pending_review' }), 422, {
      code: 'reason_required',
      field: 'reason',
    });
    rejected(await hr.post(`/api/v1/applications/${id}/transitions`, { to: 'eliminated_pending_review', reason: SQLI[0] }), 422, {
      code: 'invalid_reason',
      field: 'reason',
    });
    rejected(await hr.post(`/api/v1/applications/${id}/transitions`, { to: 'ai_in_progress' }), [403, 409]);
    rejected(await s.clients.mgr_sales.post(`/api/v1/applications/${id}/transitions`, { to: 'ai_invited' }), 403, {
      code: 'transition_forbidden',
    });
    rejected(await hr.post(`/api/v1/applications/${id}/transitions`, { to: 'APPLIED' }), 422, { field: 'to' });
  });

  rtest('conflicts are refused without side effects', async () => {
    rejected(await hr.post('/api/v1/candidates', { name: 'Dup', email: s.cand.sales_a.email }), 409, { code: 'duplicate' });
    rejected(await hr.post('/api/v1/candidates', { name: 'Dup', phone: s.cand.sales_a.phone }), 409, { code: 'duplicate' });
    rejected(await hr.post('/api/v1/org-units', { code: 'SALES', name: 'again' }), 409, { code: 'duplicate' });
    rejected(await hr.post('/api/v1/positions', { code: 'SALES-01', title: 'again', org_unit: 'SALES', headcount: 1 }), 409, { code: 'duplicate' });
    rejected(await admin.post('/api/v1/users', { username: 'hr1', role: 'hr', password: PASSWORD }), 409, { code: 'duplicate' });
    rejected(await hr.post('/api/v1/applications', { candidate_id: s.cand.sales_a.id, position: 'SALES-01' }), 409, { code: 'duplicate' });
    rejected(await hr.del(`/api/v1/org-units/${s.org.HQ.id}`), 409, { code: 'in_use' });
    rejected(await hr.patch(`/api/v1/org-units/${s.org.ENG.id}`, { parent: 'ENG-BE' }), 422, { code: 'cycle' });
    rejected(await hr.patch(`/api/v1/positions/${s.pos['SALES-01'].id}`, { title: 'x', version: 999 }), 409, { code: 'version_conflict' });
    rejected(await hr.patch(`/api/v1/candidates/${s.cand.sales_a.id}`, { email: null, phone: null }), 422, { code: 'required' });
    rejected(await hr.post('/api/v1/applications', { candidate_id: s.cand.sales_a.id, position: 'NOPE-1' }), 422, { code: 'invalid_reference' });
    rejected(await hr.post('/api/v1/applications', { candidate_id: s.cand.sales_a.id, position: 'ENG-01', position_id: 2 }), 422);
    rejected(await hr.post(`/api/v1/applications/${s.app.sales_b.id}/assignees`, { user: 'mgr_sales' }), 422, { code: 'not_interviewer' });
    rejected(await hr.post(`/api/v1/applications/${s.app.sales_b.id}/assignees`, { user: 'ghost' }), 422, { code: 'invalid_reference' });
    rejected(await hr.post('/api/v1/org-units', { code: 'NEW-X', name: 'x', parent: 'GHOST' }), 422, { code: 'invalid_reference' });
    rejected(await hr.post('/api/v1/positions', { code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1, salary_min: 5, salary_max: 4 }), 422, { code: 'out_of_range' });
    rejected(await hr.post('/api/v1/positions', {
      code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1,
      competency_model: [{ dim: 'a', weight: 1, min: 1 }, { dim: 'a', weight: 1, min: 1 }],
    }), 422, { code: 'duplicate_dim' });
    rejected(await hr.post('/api/v1/positions', {
      code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1, competency_model: [{ dim: 'a', weight: 0, min: 1 }],
    }), 422, { code: 'out_of_range', field: 'competency_model[0].weight' });
    rejected(await hr.post('/api/v1/positions', {
      code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1, competency_model: [{ dim: 'a', weight: 1, min: 1, x: 1 }],
    }), 422, { code: 'unknown_field' });
    rejected(await hr.post('/api/v1/positions', {
      code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1, competency_model: ['logic'],
    }), 422, { code: 'wrong_type', field: 'competency_model[0]' });
    for (const dim of ['Logic', 'logic-1', '1logic', '逻辑', 'x'.repeat(33)]) {
      // a model dimension must be a key results can carry, or it could never match
      rejected(await hr.post('/api/v1/positions', {
        code: 'NEW-X', title: 'x', org_unit: 'SALES', headcount: 1, competency_model: [{ dim, weight: 1, min: 1 }],
      }), 422, { field: 'competency_model[0].dim', what: dim });
    }
    for (const em of ['no-at', '@example.com', 'a@b', 'a b@example.com', 'a@@example.com', 'x'.repeat(300) + '@example.com']) {
      rejected(await hr.post('/api/v1/candidates', { name: 'x', email: em }), 422, { field: 'email', what: em });
    }
    for (const ph of ['12', 'phone', '+', '1'.repeat(30), '138-0000-abcd']) {
      rejected(await hr.post('/api/v1/candidates', { name: 'x', phone: ph }), 422, { field: 'phone', what: ph });
    }
    rejected(await hr.post('/api/v1/candidates', { name: 'x', phone: '13800001234', id_number: 'ab' }), 422, { field: 'id_number' });
    rejected(await admin.post('/api/v1/users', { username: 'Upper', role: 'hr', password: PASSWORD }), 422, { field: 'username' });
    rejected(await admin.post('/api/v1/users', { username: 'x', role: 'hr', password: PASSWORD }), 422, { field: 'username' });
    rejected(await admin.post('/api/v1/users', { username: 'newone', role: 'root', password: PASSWORD }), 422, { field: 'role' });
    rejected(await admin.post('/api/v1/users', { username: 'newone', role: 'system', password: PASSWORD }), 422, { field: 'role' });
    rejected(await admin.post('/api/v1/tokens', { name: 'x', scopes: [] }), 422, { field: 'scopes' });
    rejected(await admin.post('/api/v1/tokens', { name: 'x', scopes: [1] }), 422, { field: 'scopes' });
    rejected(await admin.post('/api/v1/tokens', { name: 'x', scopes: ['org:read'], user: 'ghost' }), 422, { code: 'invalid_reference' });
  });

  rtest('hostile URLs and headers are refused cleanly', async () => {
    const h = { Cookie: admin.cookie };
    for (const p of ['/api/v1/candidates/1/../../users', '/api/v1//candidates', '/api/v1/candidates/', '/api/v1/CANDIDATES',
      '/api/v1/candidates/1/', '/../etc/passwd', '/api/v1/candidates/1;DROP']) {
      const r = await rawHttp(srv.url, 'GET', p, { headers: h });
      assert.ok(!r.error, `${p}: ${r.error}`);
      rejected(r, [400, 404], { what: p });
    }
    const long = await rawHttp(srv.url, 'GET', '/api/v1/candidates/' + 'a'.repeat(3000), { headers: h });
    assert.ok(long.error || (long.status >= 400 && long.status < 500), `long path: ${long.status}`);
    const bigHeader = await rawHttp(srv.url, 'GET', '/api/v1/me', { headers: { ...h, 'X-Big': 'a'.repeat(70000) } });
    assert.ok(bigHeader.error || (bigHeader.status >= 400 && bigHeader.status < 500), `huge header: ${bigHeader.status}`);
    for (const auth of ['Bearer', 'Bearer ', 'Bearer ' + 'x'.repeat(5000), "Bearer ' OR 1=1 --", 'Basic', 'bearer tdk_x', 'Token abc']) {
      rejected(await srv.api('GET', '/api/v1/me', { headers: { Authorization: auth } }), 401, { what: auth.slice(0, 40) });
    }
    for (const cookie of ['talentd_session=', "talentd_session=' OR 1=1 --", 'talentd_session=' + 'x'.repeat(3000)]) {
      const r = await srv.api('GET', '/api/v1/me', { headers: { Cookie: cookie } });
      rejected(r, 401, { what: cookie.slice(0, 40) });
    }
    const health = await srv.api('GET', '/healthz');
    assert.equal(health.status, 200, 'the server is still up');
  });

  rtest('C1 control characters (U+0080..U+009F) in single-line text are 422 (run last: a failure changes data)', async () => {
    const failures = [];
    for (const e of ENDPOINTS) {
      for (const k of e.text) {
        for (const v of ['\u0085next', 'csi\u009b31m', '\u0080']) {
          const r = await send(e, { body: { ...e.valid, [k]: v } });
          assert.ok(r.status < 500, `${e.name}: ${r.status}`);
          if (r.status !== 422 || r.body?.error?.field !== k) failures.push(`${e.name} ${k}=${JSON.stringify(v)} -> ${r.status}`);
        }
      }
    }
    assert.deepEqual(failures, [], 'C1 controls accepted');
  });

  test('after all of it the database equals the snapshot taken before', async () => {
    assert.ok(srv.alive(), 'the server did not crash');
    const now = await dbSnapshot(srv);
    assert.ok(now === baseline, `the rejected-input part changed the database:\n${snapshotDiff(baseline, now)}`);
  });
});
