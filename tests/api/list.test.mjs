// list.test.mjs - the applications list (GET /api/v1/applications): filters
// on stage, position, department, recommendation, result presence, unviewed,
// received_since, overall / match / dimension score ranges; the six sort
// orders in both directions walked with small pages (keyset cursors across
// ties and across applications without a result); refused parameters and
// cursors; row-level scoping of managers and interviewers.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, seed, startServer, uniq } from './lib/harness.mjs';

const LIST = '/api/v1/applications';

let srv;
let s;
let hr;
/** Every application as hr sees it, by id, after the fixture is in place. */
let all;
/** Current dimension scores sent for each application id: {dim: score}. */
const dims = new Map();

/** A native result for application id with these scores. */
function result(appId, overall, scores) {
  return {
    vendor: 'native',
    vendor_result_id: 'L-' + uniq() + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: appId },
    overall,
    dimensions: Object.entries(scores).map(([key, score]) => ({ key, score })),
  };
}

async function apply(position) {
  const c = await hr.post('/api/v1/candidates', { name: 'List Person ' + uniq(), email: `list.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post(LIST, { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function score(app, overall, scores) {
  const r = await hr.post('/api/v1/results', result(app.id, overall, scores));
  assert.equal(r.status, 201, r.text);
  dims.set(app.id, scores);
  return r.body;
}

// The fixture: seed()'s four applications (no result) plus these. The
// competency model of every seeded position is logic 0.5 (min 60) +
// communication 0.5 (min 50), so match = (logic + communication) / 2.
const fixture = {};

before(async () => {
  srv = await startServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  const plan = [
    // name, position, overall, dimensions        -> match, recommendation
    ['s1', 'SALES-01', 80, { logic: 90, communication: 70, stress: 60 }], // 80 recommend
    ['s2', 'SALES-01', 80, { logic: 70, communication: 90 }], //             80 recommend
    ['s3', 'SALES-01', 55, { logic: 40, communication: 45 }], //             42.5 not_recommended
    ['e1', 'ENG-01', 65, { logic: 55, communication: 80 }], //               67.5 re_interview
    ['e2', 'ENG-01', 80, { logic: 85, communication: 75 }], //               80 recommend
    ['e3', 'ENG-01', null, null], //                                         no result
    ['b1', 'ENG-BE-01', 92, { logic: 100, communication: 95, stress: 88 }], // 97.5 recommend
    ['b2', 'ENG-BE-01', 70, { communication: 70 }], //                       35 not_recommended
    ['b3', 'ENG-BE-01', 61, { logic: 61, communication: 61 }], //            61 re_interview
  ];
  for (const [name, pos] of plan) fixture[name] = await apply(pos);
  for (const [name, , overall, scores] of plan) if (scores) await score(fixture[name], overall, scores);
  all = new Map((await hr.all(LIST)).map((a) => [a.id, a]));
});

after(async () => {
  if (srv) await srv.stop();
});

/** Every item of a list, walked with pages of `limit`; asserts the page shape and no id twice. */
async function walk(client, query, limit = 2) {
  const items = [];
  let cursor = null;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100, 'pagination ends');
    const sep = query ? '&' : '';
    const r = await client.get(`${LIST}?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, `${query} page ${pages}: ${r.text}`);
    assert.ok(r.body.items.length <= limit);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (cursor === null) break;
    assert.equal(r.body.items.length, limit, 'a page before the last one is full');
  }
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, `no id twice for ${query}: ${ids}`);
  return items;
}

const ids = (items) => items.map((i) => i.id);
const byId = (a, b) => a - b;

/** Ids of every application (as hr) for which pred holds, ascending. */
function expect(pred) {
  return [...all.values()].filter(pred).map((a) => a.id).sort(byId);
}

/** Asserts the list for query (default order) holds exactly the applications for which pred holds. */
async function check(query, pred, client = hr) {
  let got = ids(await walk(client, query, 3));
  if (query.includes('sort=')) got = got.sort(byId); // the order itself is checked by the sort tests
  assert.deepEqual(got, expect(pred), `GET ${LIST}?${query}`);
  return got;
}

const dim = (a, k) => dims.get(a.id)?.[k];
const inDept = (a, ...codes) => codes.includes(a.org_unit);

test('the representation carries the current result: overall, match_score, recommendation, result_at', async () => {
  const b1 = all.get(fixture.b1.id);
  assert.equal(b1.overall, 92);
  assert.equal(b1.match_score, 97.5);
  assert.equal(b1.recommendation, 'recommend');
  assert.match(b1.result_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(b1.stage, 'ai_pending_evaluation');
  assert.equal(all.get(fixture.s3.id).match_score, 42.5);
  assert.equal(all.get(fixture.s3.id).recommendation, 'not_recommended');
  assert.equal(all.get(fixture.e1.id).recommendation, 're_interview');
  for (const key of ['e3', 'sales_a']) {
    const a = all.get((fixture[key] || s.app[key]).id);
    assert.equal(a.overall, null);
    assert.equal(a.match_score, null);
    assert.equal(a.recommendation, null);
    assert.equal(a.result_at, null);
  }
  const one = await hr.get(`${LIST}/${fixture.s1.id}`);
  assert.equal(one.body.overall, 80);
  assert.equal(one.body.match_score, 80);
  assert.equal(all.size, 13);
  // a list item is the same representation as the single read, assignees included
  for (const u of ['int2', 'int1'])
    assert.equal((await s.admin.post(`${LIST}/${fixture.b1.id}/assignees`, { user: u })).status, 200);
  for (const sort of ['id', '-match_score']) {
    const items = await walk(hr, `sort=${sort}`, 5);
    assert.equal(items.length, 13);
    for (const item of items) {
      const single = await hr.get(`${LIST}/${item.id}`);
      assert.deepEqual(item, single.body, `list item ${item.id} (sort=${sort})`);
    }
    assert.deepEqual(items.find((i) => i.id === fixture.b1.id).assignees, ['int1', 'int2']);
    assert.deepEqual(items.find((i) => i.id === s.app.sales_a.id).assignees, ['int1']);
  }
  all = new Map((await hr.all(LIST)).map((a) => [a.id, a]));
});

test('filters: stage, position, department (with its subtree; org_unit still works), recommendation, has_result', async () => {
  await check('stage=ai_pending_evaluation', (a) => a.stage === 'ai_pending_evaluation');
  await check('stage=applied', (a) => a.stage === 'applied');
  await check('position=SALES-01', (a) => a.position === 'SALES-01');
  await check(`position_id=${s.pos['ENG-01'].id}`, (a) => a.position === 'ENG-01');
  await check('department=ENG', (a) => inDept(a, 'ENG', 'ENG-BE'));
  await check('org_unit=ENG', (a) => inDept(a, 'ENG', 'ENG-BE'));
  await check('department=ENG-BE', (a) => inDept(a, 'ENG-BE'));
  await check('department=HQ', () => true);
  await check('department=NOPE', () => false);
  for (const rec of ['recommend', 're_interview', 'not_recommended'])
    await check(`recommendation=${rec}`, (a) => a.recommendation === rec);
  await check('has_result=true', (a) => a.result_at !== null);
  await check('has_result=false', (a) => a.result_at === null);
  const none = await check('has_result=false&department=ENG', (a) => a.result_at === null && inDept(a, 'ENG', 'ENG-BE'));
  assert.equal(none.length, 3); // eng_a, engbe_a, e3
  await check('recommendation=recommend&department=ENG', (a) => a.recommendation === 'recommend' && inDept(a, 'ENG', 'ENG-BE'));
});

test('score filters: overall and match ranges, dim.<key>_gte / _lte on the current scores, and combinations', async () => {
  await check('overall_gte=80', (a) => a.overall >= 80);
  await check('overall_lte=65', (a) => a.overall !== null && a.overall <= 65);
  await check('overall_gte=61&overall_lte=80', (a) => a.overall >= 61 && a.overall <= 80);
  await check('match_gte=80', (a) => a.match_score >= 80);
  await check('match_lte=67.5', (a) => a.match_score !== null && a.match_score <= 67.5);
  await check('match_gte=42.6&match_lte=97.4', (a) => a.match_score >= 42.6 && a.match_score <= 97.4);
  await check('match_gte=0', (a) => a.match_score !== null);

  const got = await check('dim.logic_gte=70', (a) => dim(a, 'logic') >= 70);
  assert.deepEqual(got, [fixture.s1.id, fixture.s2.id, fixture.e2.id, fixture.b1.id]);
  await check('dim.logic_gte=70&dim.communication_lte=90', (a) => dim(a, 'logic') >= 70 && dim(a, 'communication') <= 90);
  await check('dim.logic_lte=100', (a) => dim(a, 'logic') !== undefined); // b2 has no logic: not listed
  await check('dim.stress_gte=0', (a) => dim(a, 'stress') !== undefined);
  await check('dim.logic_gte=55&dim.logic_lte=61', (a) => dim(a, 'logic') >= 55 && dim(a, 'logic') <= 61);
  await check('dim.logic_gte=100&dim.logic_lte=0', () => false);
  await check('dim.nosuchdim_gte=0', () => false);
  await check(
    'stage=ai_pending_evaluation&dim.communication_gte=70&position=SALES-01',
    (a) => a.stage === 'ai_pending_evaluation' && dim(a, 'communication') >= 70 && a.position === 'SALES-01',
  );
  await check(
    'department=ENG&dim.communication_gte=70&dim.logic_gte=50&overall_lte=90&recommendation=recommend',
    (a) =>
      inDept(a, 'ENG', 'ENG-BE') && dim(a, 'communication') >= 70 && dim(a, 'logic') >= 50 && a.overall <= 90 &&
      a.recommendation === 'recommend',
  );
  const eight = Array.from({ length: 8 }, (_, i) => `dim.d${i}_gte=0`).join('&');
  await check(eight, () => false);
  await check('dim.logic_gte=0&dim.communication_gte=0&dim.stress_gte=0&dim.logic_lte=100&dim.stress_lte=99', (a) => dim(a, 'stress') <= 99);
});

test('dimension filters follow a re-score (the current result only)', async () => {
  const app = await apply('SALES-01');
  const first = result(app.id, 50, { logic: 30, communication: 30 });
  let r = await hr.post('/api/v1/results', first);
  assert.equal(r.status, 201, r.text);
  let got = ids(await walk(hr, 'dim.logic_gte=90&position=SALES-01'));
  assert.ok(!got.includes(app.id));
  r = await hr.post('/api/v1/results', { ...first, overall: 95, dimensions: [{ key: 'logic', score: 96 }, { key: 'communication', score: 94 }] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.version, 2);
  got = ids(await walk(hr, 'dim.logic_gte=90&position=SALES-01'));
  assert.ok(got.includes(app.id), `${got}`);
  got = ids(await walk(hr, 'dim.logic_lte=30'));
  assert.ok(!got.includes(app.id), `${got}`);
  got = ids(await walk(hr, 'overall_gte=95&match_gte=95'));
  assert.deepEqual(got, [app.id]);
  dims.set(app.id, { logic: 96, communication: 94 });
  all = new Map((await hr.all(LIST)).map((a) => [a.id, a]));
});

test('unviewed: applications whose current result the caller has (not) opened; received_since', async () => {
  // Nobody has opened a report in this server: unviewed is "has a result".
  const base = (a) => a.result_at !== null && all.has(a.id);
  await check('unviewed=true', base);
  await check('unviewed=true&department=SALES', (a) => base(a) && inDept(a, 'SALES'));
  await check('unviewed=false', () => false);
  const mgrSeen = ids(await walk(s.clients.mgr_sales, 'unviewed=true'));
  assert.deepEqual(mgrSeen, expect((a) => base(a) && inDept(a, 'SALES')));

  // opening the report marks the current result viewed, for the caller only
  for (const app of [fixture.s1, fixture.b1]) {
    const r = await hr.get(`${LIST}/${app.id}/report`);
    assert.equal(r.status, 200, r.text);
  }
  const opened = [fixture.s1.id, fixture.b1.id];
  await check('unviewed=true', (a) => base(a) && !opened.includes(a.id));
  await check('unviewed=false', (a) => opened.includes(a.id));
  await check('unviewed=false&department=ENG', (a) => a.id === fixture.b1.id);
  await check('unviewed=true', base, s.admin);
  await check('unviewed=false', () => false, s.admin);
  await check('unviewed=true', (a) => base(a) && inDept(a, 'SALES'), s.clients.mgr_sales);
  // a re-score is a new result: unviewed again until opened again
  const app = await apply('SALES-01');
  const first = result(app.id, 70, { logic: 70, communication: 70 });
  assert.equal((await hr.post('/api/v1/results', first)).status, 201);
  assert.equal((await hr.get(`${LIST}/${app.id}/report`)).status, 200);
  assert.ok(!ids(await walk(hr, 'unviewed=true')).includes(app.id));
  assert.ok(ids(await walk(hr, 'unviewed=false')).includes(app.id));
  await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the view
  const again = await hr.post('/api/v1/results', { ...first, overall: 72, dimensions: [{ key: 'logic', score: 72 }, { key: 'communication', score: 70 }] });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.body.version, 2);
  assert.ok(ids(await walk(hr, 'unviewed=true')).includes(app.id));
  assert.ok(!ids(await walk(hr, 'unviewed=false')).includes(app.id));
  dims.set(app.id, { logic: 72, communication: 70 });
  all = new Map((await hr.all(LIST)).map((a) => [a.id, a]));

  const times = [...all.values()].filter((a) => a.result_at).map((a) => a.result_at).sort();
  const mid = times[Math.floor(times.length / 2)];
  await check(`received_since=${encodeURIComponent(mid)}`, (a) => a.result_at !== null && a.result_at >= mid);
  await check(`received_since=${times[0]}`, (a) => a.result_at !== null);
  await check('received_since=2999-01-01', () => false);
  await check('received_since=2000-01-01T08:00:00%2B08:00', (a) => a.result_at !== null);
  await check('received_since=2000-01-01&has_result=false', () => false);
});

/** The order the list must have for sort (name, '-' for descending). */
function sorted(items, sort) {
  const desc = sort.startsWith('-');
  const name = desc ? sort.slice(1) : sort;
  const key = (a) => {
    if (name === 'id') return a.id;
    const v = a[name];
    if (v === null) return -1; // no result: before every value ascending, after every value descending
    return typeof v === 'string' ? Date.parse(v) : v;
  };
  const out = [...items].sort((a, b) => key(a) - key(b) || a.id - b.id);
  return desc ? out.reverse() : out;
}

const SORTS = ['id', 'created_at', 'stage_changed_at', 'result_at', 'overall', 'match_score'];

test('every sort, ascending and descending, walked two at a time: no row twice, none missing, ties and nulls in order', async () => {
  const everything = [...(await hr.all(LIST)).values()];
  for (const name of SORTS) {
    for (const sort of [name, '-' + name]) {
      const got = ids(await walk(hr, `sort=${sort}`, 2));
      assert.deepEqual(got, ids(sorted(everything, sort)), `sort=${sort}`);
      const one = ids(await walk(hr, `sort=${sort}`, 1));
      assert.deepEqual(one, got, `sort=${sort} with limit=1`);
    }
  }
  // filters and sorts together
  const sales = everything.filter((a) => a.position === 'SALES-01');
  assert.deepEqual(ids(await walk(hr, 'position=SALES-01&sort=-match_score', 2)), ids(sorted(sales, '-match_score')));
  const scored = everything.filter((a) => a.overall !== null && a.overall >= 61);
  assert.deepEqual(ids(await walk(hr, 'overall_gte=61&sort=overall', 2)), ids(sorted(scored, 'overall')));
  // the first page of -match_score starts with the best match and the last holds those without a result
  const first = await hr.get(`${LIST}?sort=-match_score&limit=1`);
  assert.equal(first.body.items[0].id, fixture.b1.id);
  const worst = ids(sorted(everything, '-match_score')).slice(-1)[0];
  assert.equal(everything.find((a) => a.id === worst).match_score, null);
});

test('refused parameters: 422 naming the parameter, 400 for unknown parameters and foreign cursors', async () => {
  const bad422 = {
    'recommendation=maybe': 'recommendation',
    'dim.Logic_gte=70': 'dim.Logic_gte',
    'dim.logic_gte=101': 'dim.logic_gte',
    'dim.logic_lte=-1': 'dim.logic_lte',
    'dim.logic_gte=7.5': 'dim.logic_gte',
    'dim.logic_gte=abc': 'dim.logic_gte',
    'dim.logic_gte=': 'dim.logic_gte',
    'dim.logic=70': 'dim.logic',
    'dim._x_gte=1': 'dim._x_gte',
    'dim.1x_gte=1': 'dim.1x_gte',
    'dim.a-b_gte=1': 'dim.a-b_gte',
    'dim._gte=1': 'dim._gte',
    [`dim.${'a'.repeat(33)}_gte=1`]: `dim.${'a'.repeat(33)}_gte`,
    'overall_gte=abc': 'overall_gte',
    'overall_lte=100.5': 'overall_lte',
    'match_gte=1e2': 'match_gte',
    'match_lte=100.1': 'match_lte',
    'match_gte=-0': 'match_gte',
    'has_result=yes': 'has_result',
    'unviewed=1': 'unviewed',
    'received_since=yesterday': 'received_since',
    'received_since=2026-13-01': 'received_since',
    'sort=name': 'sort',
    'sort=--id': 'sort',
    'sort=-': 'sort',
    'sort=': 'sort',
    'stage=nope': 'stage',
    'department=ENG&org_unit=ENG': 'org_unit',
  };
  for (const [query, field] of Object.entries(bad422)) {
    const e = assertError(assert, await hr.get(`${LIST}?${query}`), 422, undefined, query);
    assert.equal(e.field, field, query);
  }
  const nine = Array.from({ length: 9 }, (_, i) => `dim.d${i}_gte=1`).join('&');
  assertError(assert, await hr.get(`${LIST}?${nine}`), 422, 'too_many');
  assertError(assert, await hr.get(`${LIST}?dimension.logic_gte=1`), 400, 'unknown_parameter');
  assertError(assert, await hr.get(`${LIST}?overall_gt=1`), 400, 'unknown_parameter');
  assertError(assert, await hr.get(`${LIST}?limit=0&sort=-overall`), 400);

  // a cursor belongs to the sort that made it
  const page = await hr.get(`${LIST}?sort=-overall&limit=2`);
  const cur = encodeURIComponent(page.body.next_cursor);
  assert.equal((await hr.get(`${LIST}?sort=-overall&limit=2&cursor=${cur}`)).status, 200);
  for (const other of ['sort=overall', 'sort=-match_score', 'sort=id', '', 'sort=-id'])
    assertError(assert, await hr.get(`${LIST}?${other}&cursor=${cur}`), 400, undefined, other);
  const plain = (await hr.get(`${LIST}?limit=2`)).body.next_cursor;
  assert.equal((await hr.get(`${LIST}?sort=id&limit=2&cursor=${plain}`)).status, 200);
  assertError(assert, await hr.get(`${LIST}?sort=-id&cursor=${plain}`), 400);
  assertError(assert, await hr.get(`${LIST}?sort=created_at&cursor=${plain}`), 400);
  const forged = (t) => Buffer.from(t).toString('base64url');
  for (const t of ['s:-overall:abc:5', 's:-overall:5:0', 's:-overall:5:-3', 's:-overall::5', 's:-overall:5', 's:-overall:99999999999999999999:5', 's:-overall:2147483648:5',
    's:match_score:nan:5', 's:match_score:inf:5', 's:match_score: 1:5', 's:-overall:1:5x'])
    assertError(assert, await hr.get(`${LIST}?sort=${t.split(':')[1]}&cursor=${forged(t)}`), 400, undefined, t);
  // a well-formed forged cursor is only a position: a huge value is fine
  for (const t of ['s:-overall:2147483647:1', 's:match_score:1e300:1', 's:-result_at:-1:1', 's:created_at:-9223372036854775808:1'])
    assert.equal((await hr.get(`${LIST}?sort=${t.split(':')[1]}&cursor=${forged(t)}`)).status, 200, t);
});

test('managers and interviewers only ever see their rows, whatever the filters and sort', async () => {
  const mgr = s.clients.mgr_sales;
  const salesPred = (a) => inDept(a, 'SALES');
  await check('', salesPred, mgr);
  await check('department=ENG', () => false, mgr);
  await check('dim.logic_gte=0', (a) => salesPred(a) && dim(a, 'logic') !== undefined, mgr);
  await check('recommendation=recommend', (a) => salesPred(a) && a.recommendation === 'recommend', mgr);
  const mine = [...all.values()].filter(salesPred);
  for (const sort of ['-match_score', 'overall', '-result_at', 'created_at'])
    assert.deepEqual(ids(await walk(mgr, `sort=${sort}`, 2)), ids(sorted(mine, sort)), `manager sort=${sort}`);

  const eng = s.clients.mgr_eng;
  await check('has_result=true', (a) => inDept(a, 'ENG', 'ENG-BE') && a.result_at !== null, eng);
  await check('department=ENG-BE&sort=-overall', (a) => inDept(a, 'ENG-BE'), eng);
  await check('position=SALES-01', () => false, eng);

  // int1: sales_a (seed) and b1, int2: b1 (assigned in the first test)
  const int1 = (a) => a.id === s.app.sales_a.id || a.id === fixture.b1.id;
  await check('', int1, s.clients.int1);
  await check('has_result=true', (a) => a.id === fixture.b1.id, s.clients.int1);
  await check('has_result=false&sort=-created_at', (a) => a.id === s.app.sales_a.id, s.clients.int1);
  await check('sort=-match_score', (a) => a.id === fixture.b1.id, s.clients.int2);
  await check('department=SALES', () => false, s.clients.int2);
});

test('counts: the list filters counted, grouped by stage, position, department, recommendation; scoped rows', async () => {
  /** The expected groups of the applications pred selects, keyed by the given fields. */
  const groups = (pred, keys) => {
    const m = new Map();
    for (const a of [...all.values()].filter(pred)) {
      const k = JSON.stringify(keys.map((f) => a[f] ?? null));
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m.entries()].map(([k, n]) => [...JSON.parse(k), n]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  };
  const got = (body, keys) =>
    body.items.map((it) => [...keys.map((k) => it[k]), it.count]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  const field = { stage: 'stage', position: 'position', department: 'org_unit', recommendation: 'recommendation' };
  for (const [query, by, pred, client] of [
    ['', 'stage', () => true, hr],
    ['department=SALES', 'stage,position', (a) => inDept(a, 'SALES'), hr],
    ['dim.logic_gte=70', 'recommendation', (a) => (dim(a, 'logic') ?? -1) >= 70, hr],
    ['', 'department,stage', (a) => inDept(a, 'SALES'), s.clients.mgr_sales],
    ['', 'stage', (a) => a.id === s.app.sales_a.id || a.id === fixture.b1.id, s.clients.int1],
  ]) {
    const keys = by.split(',');
    const r = await client.get(`/api/v1/application-counts?by=${by}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.by, by);
    assert.deepEqual(got(r.body, keys), groups(pred, keys.map((k) => field[k])), `counts by ${by} ${query}`);
    assert.equal(r.body.total, [...all.values()].filter(pred).length, `total of ${by} ${query}`);
  }
  assertError(assert, await hr.get('/api/v1/application-counts?by=salary'), 422, 'invalid_value');
  assertError(assert, await hr.get('/api/v1/application-counts?by=stage,stage'), 422, 'invalid_value');
  assertError(assert, await hr.get('/api/v1/application-counts?sort=id'), 400);
  assertError(assert, await hr.get('/api/v1/application-counts?dim.logic_gte=101'), 422);
  const cli = await srv.cli(['counts', '--by', 'stage']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout).total, all.size);
});

test('dimension filters in id order, both directions, walked one to three at a time, as every role', async () => {
  // On SQLite these pages come from a merged walk of the dimension's scores (one index range per
  // score, merged in id order): every range width, the cursor inside it, other filters beside it.
  const everything = [...(await hr.all(LIST)).values()];
  const cases = [
    ['dim.logic_gte=60', (a) => dim(a, 'logic') >= 60],
    ['dim.logic_lte=100', (a) => dim(a, 'logic') !== undefined],
    ['dim.logic_gte=0&dim.logic_lte=0', (a) => dim(a, 'logic') === 0],
    ['dim.logic_gte=61&dim.logic_lte=61', (a) => dim(a, 'logic') === 61],
    ['dim.communication_gte=70&dim.logic_gte=50', (a) => dim(a, 'communication') >= 70 && dim(a, 'logic') >= 50],
    ['dim.logic_gte=55&position=SALES-01', (a) => dim(a, 'logic') >= 55 && a.position === 'SALES-01'],
    ['dim.communication_gte=0&department=ENG', (a) => dim(a, 'communication') !== undefined && inDept(a, 'ENG', 'ENG-BE')],
    ['dim.stress_gte=1&stage=ai_pending_evaluation', (a) => dim(a, 'stress') >= 1 && a.stage === 'ai_pending_evaluation'],
    ['dim.logic_gte=99', (a) => dim(a, 'logic') >= 99],
  ];
  for (const [query, pred] of cases) {
    const want = everything.filter(pred).map((a) => a.id).sort(byId);
    for (const limit of [1, 2, 3]) {
      assert.deepEqual(ids(await walk(hr, query, limit)), want, `${query} limit ${limit}`);
      assert.deepEqual(ids(await walk(hr, `${query}&sort=id`, limit)), want, `${query}&sort=id limit ${limit}`);
      assert.deepEqual(ids(await walk(hr, `${query}&sort=-id`, limit)), [...want].reverse(), `${query}&sort=-id limit ${limit}`);
    }
  }
  const mgr = s.clients.mgr_sales;
  const mine = (a) => inDept(a, 'SALES') && dim(a, 'logic') >= 40;
  assert.deepEqual(ids(await walk(mgr, 'dim.logic_gte=40&sort=-id', 1)), expect(mine).reverse());
  assert.deepEqual(ids(await walk(s.clients.int1, 'dim.logic_gte=0', 1)), [fixture.b1.id]);
  // a -id cursor is not an id cursor, nor the other way round
  const first = await hr.get(`${LIST}?dim.logic_gte=0&sort=-id&limit=1`);
  assertError(assert, await hr.get(`${LIST}?dim.logic_gte=0&limit=1&cursor=${first.body.next_cursor}`), 400);
  const asc = await hr.get(`${LIST}?dim.logic_gte=0&limit=1`);
  assertError(assert, await hr.get(`${LIST}?dim.logic_gte=0&sort=-id&limit=1&cursor=${asc.body.next_cursor}`), 400);
  assertError(assert, await hr.get(`${LIST}?dim.logic_gte=0&sort=nosuch`), 422);
});

test('dimension filters follow a score revision (the effective scores, not the histograms)', async () => {
  const app = fixture.s3; // logic 40
  assert.ok(!ids(await walk(hr, 'dim.logic_gte=95', 1)).includes(app.id));
  const r = await hr.post(`${LIST}/${app.id}/score-revisions`, { dim: 'logic', score: 97, reason: 'the transcript was cut off' });
  assert.equal(r.status, 201, r.text);
  dims.set(app.id, { ...dims.get(app.id), logic: 97 });
  const want = expect((a) => dim(a, 'logic') >= 95);
  assert.ok(want.includes(app.id));
  for (const sort of ['', '&sort=-id']) {
    const got = ids(await walk(hr, `dim.logic_gte=95${sort}`, 1));
    assert.deepEqual(got, sort ? [...want].reverse() : want, `dim.logic_gte=95${sort}`);
  }
  assert.ok(!ids(await walk(hr, 'dim.logic_lte=40', 2)).includes(app.id));
});
