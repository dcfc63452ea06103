// counts.test.mjs - GET /api/v1/application-counts (and `talentd counts`) answered from the
// counters of migration 012 (app_count: applications per position, stage and elimination reason,
// kept by database triggers): after creations, AI results, moves, eliminations with reasons,
// overrides, withdrawals, an export's set-based moves and deletions, the counters' answer equals
// the applications themselves (the list, walked) and the GROUP BY of the applications (the same
// counts with a filter the counters do not cover); the table itself equals a GROUP BY of the
// rows; a manager's counts stay in his subtree; the migration's backfill counts existing rows.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertError, psql, restartServer, run, seed, startServer, uniq } from './lib/harness.mjs';

const LIST = '/api/v1/applications';
const COUNTS = '/api/v1/application-counts';

let srv;
let s;
let hr;

/** One SQL statement's rows (|-separated text) on the server's database. */
async function sql(q) {
  if (srv.dbUrl) return (await psql(srv.dbUrl, q)).trim();
  const r = await run('sqlite3', [path.join(srv.dataDir, 'talentd.db'), q]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** A candidate applying to position (201), as hr. */
async function apply(position) {
  const c = await hr.post('/api/v1/candidates', { name: 'Count Person ' + uniq(), email: `count.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post(LIST, { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

/** A complete AI result for app (an export takes it): the import moves it from applied to ai_pending_evaluation. */
async function score(app, overall = 70) {
  const r = await hr.post('/api/v1/results', {
    vendor: 'native',
    vendor_result_id: 'C-' + uniq() + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app.id },
    overall,
    dimensions: [
      { key: 'logic', score: overall },
      { key: 'communication', score: overall },
    ],
    tags: ['counted'],
    transcript: [
      { start_ms: 0, end_ms: 5200, speaker: 'ai', text: 'Please introduce yourself.' },
      { start_ms: 5200, end_ms: 48100, speaker: 'candidate', text: 'I sold payment systems.' },
    ],
    video_url: 'https://video.example.com/r/count.mp4',
  });
  assert.equal(r.status, 201, r.text);
}

async function move(app, to, reason, client = hr) {
  const r = await client.post(`${LIST}/${app.id}/transitions`, { to, ...(reason ? { reason } : {}) });
  assert.equal(r.status, 200, `${app.id} -> ${to}: ${r.text}`);
  return r.body;
}

const FIELD = { stage: 'stage', position: 'position', department: 'org_unit', reason: 'elimination_reason' };
const rowKey = (x) => JSON.stringify(x);

/** The groups of the applications in items, keyed by the given count keys: sorted [key..., n] rows. */
function groups(items, keys) {
  const m = new Map();
  for (const a of items) {
    const k = rowKey(keys.map((f) => a[FIELD[f]] ?? null));
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].map(([k, n]) => [...JSON.parse(k), n]).sort((x, y) => rowKey(x).localeCompare(rowKey(y)));
}

/** A counts answer as sorted [key..., n] rows (asserting total is their sum). */
function rows(body, keys) {
  assert.equal(body.total, body.items.reduce((t, it) => t + it.count, 0));
  for (const it of body.items) assert.ok(it.count > 0, `no empty group: ${JSON.stringify(it)}`);
  return body.items.map((it) => [...keys.map((k) => it[k]), it.count]).sort((x, y) => rowKey(x).localeCompare(rowKey(y)));
}

/** The same counts from the GROUP BY of the applications: the counters do not cover talent_pool, so
 * the answers for talent_pool=true and =false, added up, are the GROUP BY's answer. */
async function grouped(client, by, query) {
  const m = new Map();
  for (const pool of ['true', 'false']) {
    const r = await client.get(`${COUNTS}?by=${by}&talent_pool=${pool}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const it of r.body.items) {
      const k = rowKey(by.split(',').map((f) => it[f]));
      m.set(k, (m.get(k) ?? 0) + it.count);
    }
  }
  return [...m.entries()].map(([k, n]) => [...JSON.parse(k), n]).sort((x, y) => rowKey(x).localeCompare(rowKey(y)));
}

/** The list filters of a counts query, as a predicate on a listed application. */
function matches(a, query) {
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'stage' && a.stage !== v) return false;
    if (k === 'position' && a.position !== v) return false;
    if (k === 'department' && !(v === 'ENG' ? ['ENG', 'ENG-BE'] : [v]).includes(a.org_unit)) return false;
  }
  return true;
}

const QUERIES = [
  ['stage', ''],
  ['reason', ''],
  ['stage,reason', ''],
  ['position,stage', ''],
  ['department,reason', ''],
  ['reason', 'stage=eliminated_pending_export'],
  ['position,reason', 'stage=exported'],
  ['stage', 'position=SALES-01'],
  ['stage,reason', 'department=ENG'],
  ['department,stage,reason', 'department=SALES&stage=withdrawn'],
];

/** Every counts query of QUERIES as client: the counters' answer equals the groups of the
 * applications the client lists and the GROUP BY's answer; and app_count equals a GROUP BY of the
 * application table. */
async function checkAll(what, client = hr) {
  const listed = await client.all(LIST);
  for (const [by, query] of QUERIES) {
    const keys = by.split(',');
    const r = await client.get(`${COUNTS}?by=${by}${query ? '&' + query : ''}`);
    assert.equal(r.status, 200, r.text);
    const got = rows(r.body, keys);
    assert.deepEqual(got, groups(listed.filter((a) => matches(a, query)), keys), `${what}: by=${by} ${query} (list)`);
    assert.deepEqual(got, await grouped(client, by, query), `${what}: by=${by} ${query} (GROUP BY)`);
  }
  const enc = "CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END";
  // (PostgreSQL's app_count holds rows of changes that add up per key; SQLite's one row per key)
  const counted = 'SELECT position_id, stage, reason, SUM(n) FROM app_count GROUP BY 1, 2, 3';
  assert.equal(
    await sql(`${counted} HAVING SUM(n) <> 0 ORDER BY 1, 2, 3`),
    await sql(`SELECT position_id, stage, ${enc}, COUNT(*) FROM application GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
    `${what}: app_count adds up to the GROUP BY of the applications`,
  );
  assert.equal(await sql(`SELECT COUNT(*) FROM (${counted} HAVING SUM(n) < 0) AS x`), '0', `${what}: no negative count`);
}

const apps = {};

before(async () => {
  srv = await startServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

test('the migration backfilled the seed data, and new applications are counted as they are created', async () => {
  await checkAll('after the seed');
  for (const [i, pos] of ['SALES-01', 'SALES-01', 'SALES-01', 'ENG-01', 'ENG-01', 'ENG-01', 'ENG-BE-01', 'ENG-BE-01'].entries())
    apps[`a${i}`] = await apply(pos);
  await checkAll('after creations');
});

test('AI results, moves, eliminations with reasons, overrides and withdrawals are counted', async () => {
  for (const k of ['a0', 'a1', 'a2', 'a3', 'a4', 'a6']) await score(apps[k]);
  await checkAll('after results (applied -> ai_pending_evaluation)');
  await move(apps.a0, 'eliminated_pending_export', 'skills_mismatch');
  await move(apps.a1, 'eliminated_pending_export', 'communication');
  await move(apps.a3, 'eliminated_pending_export', 'skills_mismatch');
  await move(apps.a5, 'eliminated_pending_export', 'experience_insufficient'); // straight from applied
  await move(apps.a6, 'eliminated_pending_review', 'ai_score_below_threshold'); // a review-required position
  await move(apps.a4, 'ai_passed');
  await checkAll('after eliminations with reasons');
  await move(apps.a1, 'ai_passed', 'the interviewer misheard: override'); // an override clears the reason
  assert.equal((await hr.get(`${LIST}/${apps.a1.id}`)).body.elimination_reason, null);
  await move(apps.a3, 'withdrawn'); // a withdrawal keeps the elimination's reason
  await move(apps.a2, 'withdrawn');
  await move(apps.a7, 'withdrawn');
  await checkAll('after an override and withdrawals');
  const c = await s.admin.post(`/api/v1/reviews/${apps.a6.id}/confirm`, { note: 'confirmed' });
  assert.equal(c.status, 200, c.text);
  await checkAll('after a confirmed review');
});

test("an export's set-based move to exported is counted", async () => {
  const t = await hr.post('/api/v1/export-templates', { name: 'counts-' + uniq(), fields: ['candidate.name'] });
  assert.equal(t.status, 201, t.text);
  const pending = (await hr.all(LIST)).filter((a) => a.stage === 'eliminated_pending_export' && a.position === 'SALES-01');
  assert.ok(pending.length >= 1);
  const r = await hr.post('/api/v1/exports', { template: t.body.name, filter: { position: 'SALES-01' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.moved, pending.length);
  await checkAll('after an export');
  const exported = await hr.get(`${COUNTS}?by=position,reason&stage=exported`);
  assert.deepEqual(
    exported.body.items.map((it) => [it.position, it.reason]),
    groups(pending, ['position', 'reason']).map((g) => g.slice(0, 2)),
  );
});

test('a manager counts his own subtree from the counters; an interviewer his assignments', async () => {
  await checkAll('manager of SALES', s.clients.mgr_sales);
  await checkAll('manager of ENG', s.clients.mgr_eng);
  const eng = await s.clients.mgr_eng.get(`${COUNTS}?by=department`);
  assert.deepEqual(eng.body.items.map((it) => it.department).sort(), ['ENG', 'ENG-BE']);
  const none = await s.clients.mgr_eng.get(`${COUNTS}?by=stage&position=SALES-01`);
  assert.deepEqual(none.body, { by: 'stage', items: [], total: 0 });
  const int1 = await s.clients.int1.get(`${COUNTS}?by=stage,reason`);
  assert.equal(int1.status, 200, int1.text);
  assert.deepEqual(rows(int1.body, ['stage', 'reason']), groups(await s.clients.int1.all(LIST), ['stage', 'reason']));
  assertError(assert, await hr.get(`${COUNTS}?by=reason,salary`), 422, 'invalid_value');
  assertError(assert, await hr.get(`${COUNTS}?by=stage&stage=nosuchstage`), 422);
});

test('the counters answer the queries they cover; other filters and an interviewer count the applications', async () => {
  const pos = await sql("SELECT id FROM position WHERE code = 'SALES-01'");
  await sql(`INSERT INTO app_count (position_id, stage, reason, n) VALUES (${pos}, 'zz_marker', '+other', 5)`);
  try {
    const marked = (body) => body.items.filter((it) => it.stage === 'zz_marker');
    let r = await hr.get(`${COUNTS}?by=stage,reason&position=SALES-01`);
    assert.deepEqual(marked(r.body), [{ stage: 'zz_marker', reason: 'other', count: 5 }], 'from the counters');
    r = await s.clients.mgr_sales.get(`${COUNTS}?by=stage`);
    assert.deepEqual(marked(r.body), [{ stage: 'zz_marker', count: 5 }], "a manager's from the counters");
    r = await s.clients.mgr_eng.get(`${COUNTS}?by=stage`);
    assert.deepEqual(marked(r.body), [], 'not in his subtree');
    for (const q of ['talent_pool=false', 'recommendation=recommend', 'dim.logic_gte=0', 'has_result=true']) {
      r = await hr.get(`${COUNTS}?by=stage&${q}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(marked(r.body), [], `${q}: from the applications`);
    }
    r = await hr.get(`${COUNTS}?by=stage,recommendation`);
    assert.deepEqual(marked(r.body), [], 'by recommendation: from the applications');
    r = await s.clients.int1.get(`${COUNTS}?by=stage`);
    assert.deepEqual(marked(r.body), [], "an interviewer's from the applications");
  } finally {
    await sql("DELETE FROM app_count WHERE stage = 'zz_marker'");
  }
});

test('deletions are counted, and the migration backfills existing rows', async () => {
  const gone = await apply('ENG-01');
  await move(gone, 'eliminated_pending_export', 'no_show');
  await checkAll('before a deletion');
  // no use case deletes applications: plain SQL does (the triggers count every path)
  await sql(`DELETE FROM stage_history WHERE application_id = ${gone.id}`);
  await sql(`DELETE FROM application WHERE id = ${gone.id}`);
  await checkAll('after a deletion');
  // a set-based move in plain SQL
  await sql("UPDATE application SET stage = 'withdrawn' WHERE stage = 'ai_pending_evaluation'");
  await checkAll('after a set-based UPDATE');
  if (srv.dbUrl) {
    // PostgreSQL appends a row of changes per key and statement and folds them every 2 048 rows:
    // 1 101 moves back and forth in one transaction append 2 202 rows and fold at least once
    const id = (await hr.all(LIST)).find((a) => a.stage === 'withdrawn').id;
    const before = Number(await sql('SELECT MAX(id) FROM app_count'));
    await sql(
      'DO $$ BEGIN FOR i IN 1..1101 LOOP UPDATE application SET stage = CASE stage WHEN ' +
        `'withdrawn' THEN 'offer' ELSE 'withdrawn' END WHERE id = ${id}; END LOOP; END $$`,
    );
    assert.ok(Number(await sql('SELECT MAX(id) FROM app_count')) - before >= 2202, 'a row appended per move and key');
    assert.ok(Number(await sql('SELECT COUNT(*) FROM app_count')) < 1000, 'folded');
    await checkAll('after 1 101 moves in one transaction (folded)');
  }

  // undo migration 012 and let the server run it again over the existing rows
  await srv.halt();
  if (srv.dbUrl) {
    await sql(
      'DROP TRIGGER app_count_insert ON application; DROP TRIGGER app_count_delete ON application; ' +
        'DROP TRIGGER app_count_update ON application; DROP FUNCTION app_count_insert(); ' +
        'DROP FUNCTION app_count_delete(); DROP FUNCTION app_count_update(); DROP FUNCTION app_count_fold(BIGINT); ' +
        'DROP TABLE app_count; DELETE FROM schema_migrations WHERE version = 12',
    );
  } else {
    await sql(
      'DROP TRIGGER app_count_insert; DROP TRIGGER app_count_delete; DROP TRIGGER app_count_update; ' +
        'DROP TABLE app_count; DROP INDEX score_hist_dim; DELETE FROM schema_migrations WHERE version = 12',
    );
  }
  srv = await restartServer(srv);
  s.clients.hr1 = hr = await srv.login('hr1', 'correct-horse-battery');
  assert.equal(await sql('SELECT MAX(version) >= 12 FROM schema_migrations'), srv.dbUrl ? 't' : '1');
  await checkAll('after the migration ran again');
  const cli = await srv.cli(['counts', '--by', 'stage']);
  assert.equal(cli.code, 0, cli.stderr);
  const all = await hr.all(LIST);
  assert.deepEqual(rows(JSON.parse(cli.stdout), ['stage']), groups(all, ['stage']), 'talentd counts');
});
