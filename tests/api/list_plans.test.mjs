// list_plans.test.mjs - the applications list filtered by dimension ranges gives the same rows
// whichever plan reads it. The list chooses its plan from the data (SQLite: a merged walk of the
// scores, a list of the range's applications, or a probe per application; PostgreSQL: a merged
// walk (LATERAL per score) for a range and nothing else, otherwise the range's applications as an
// array, or a probe per application walked): a page of 1 probes, a page of 200 reads the range's
// list. Both are compared with each other and with the counts endpoint, which filters without
// those plans, on the demo company's applications; a range alone is also compared with the same
// range and a filter every scored application passes (has_result=true), which takes the other plans. On SQLite a walk of an index
// that probes each application's scores has a budget, past which the page is read from the
// dimension's list instead: a second server whose walks all run out at once
// (TALENTD_LIST_WALK_BUDGET=1) must give the same pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startServer } from './lib/harness.mjs';

let srv;
let hr; // the admin: every application
let short; // the same data, every walk out of budget at once
let shortHr;

async function demoServer() {
  const s = await startServer();
  const demo = await s.cli(['demo', '--candidates', '160', '--seed', '7']);
  assert.equal(demo.code, 0, demo.stderr);
  return s;
}

before(async () => {
  srv = await demoServer();
  hr = await srv.login('admin', srv.adminPassword);
  process.env.TALENTD_LIST_WALK_BUDGET = '1';
  try {
    short = await demoServer();
  } finally {
    delete process.env.TALENTD_LIST_WALK_BUDGET;
  }
  shortHr = await short.login('admin', short.adminPassword);
});

after(async () => {
  if (srv) await srv.stop();
  if (short) await short.stop();
});

/** The ids of every application the list gives for query, walked with pages of limit. */
async function ids(query, limit, client = hr) {
  const out = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await client.get(`/api/v1/applications?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.items.map((a) => a.id));
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('the walk did not end');
}

test('dimension ranges: pages of 1 and of 200 hold the same applications, as many as the counts', async () => {
  let nonEmpty = 0;
  for (const q of [
    'dim.logic_gte=0',
    'dim.logic_gte=50',
    'dim.logic_gte=70',
    'dim.logic_gte=85',
    'dim.logic_lte=60',
    'dim.logic_gte=40&dim.communication_gte=60',
    'dim.logic_gte=0&sort=-id',
    'dim.logic_gte=60&sort=-overall',
    'dim.communication_gte=30&stage=eliminated_pending_export',
  ]) {
    const small = await ids(q, 1);
    const large = await ids(q, 200);
    assert.deepEqual(small, large, q);
    assert.equal(new Set(large).size, large.length, `${q}: no row twice`);
    const filter = q.replace(/&sort=[^&]*/, '');
    const c = await hr.get(`/api/v1/application-counts?${filter}&by=stage`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.total, large.length, `${q}: the counts agree`);
    if (large.length > 0) nonEmpty++;
    if (!/&(?!sort)/.test(q)) {
      // a range alone (merged walks) against the same range with a filter that changes nothing
      assert.deepEqual(await ids(`${q}&has_result=true`, 7), small, `${q}: the merged walk and the other plans`);
    }
  }
  assert.ok(nonEmpty >= 6, 'the demo data fills most ranges');
});

test('sorted lists with dimension ranges: a walk out of budget gives the same pages from the dimension\'s list', async () => {
  for (const q of [
    'dim.logic_gte=60&sort=overall',
    'dim.logic_gte=40&sort=-match_score',
    'dim.communication_lte=70&sort=result_at',
    'dim.logic_gte=50&dim.communication_gte=50&sort=-stage_changed_at',
    'dim.logic_gte=30&stage=eliminated_pending_export',
    'dim.logic_gte=20&sort=-id&position=SALES-01',
  ]) {
    for (const limit of [1, 3, 200]) {
      const want = await ids(q, limit);
      const got = await ids(q, limit, shortHr);
      assert.deepEqual(got, want, `${q}, pages of ${limit}`);
    }
  }
});
