// kpis.test.mjs - the pipeline's figures over a period (GET /api/v1/pipeline-kpis, `talentd
// kpis`): of the applications exported in the period, the minutes from the AI interview to the
// export (median, p90, mean, max: the same minutes each application's history gives), how many
// went through with no staff member moving them and an export a rule started (the automation
// rate), and what started each export. Three ways out of the buffer are made: a rule eliminates
// and its export() is run by the worker (automated), a rule eliminates and the command line
// exports (not automated: trigger cli), HR eliminates by hand, the review confirms and HR exports
// through the API (not automated). Filters, a manager's subtree, refused callers and bad
// parameters; the CLI prints the same figures. The server runs without its background worker.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, cliToken, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
const pos = {}; // auto (SALES), cli (SALES), manual (ENG-BE, review required) -> code
const apps = { auto: [], cli: [], manual: [] };
let tmpl;
let t0;

function result(app, overall) {
  return {
    vendor: 'native',
    vendor_result_id: 'KPI-' + uniq(),
    completed_at: new Date(Date.now() - (overall + 5) * 60000).toISOString(), // a different time for each
    candidate: { application_id: app },
    overall,
    dimensions: [
      { key: 'logic', score: overall, evidence: '…' },
      { key: 'communication', score: overall, evidence: '…' },
    ],
    transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }],
  };
}

async function application(position, overall) {
  const c = await hr.post('/api/v1/candidates', { name: `指标 ${uniq()}`, email: `kpi.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  const r = await hr.post('/api/v1/results', result(a.body.id, overall));
  assert.equal(r.status, 201, r.text);
  return a.body.id;
}

const stage = async (id) => (await hr.get(`/api/v1/applications/${id}`)).body.stage;
const kpi = async (id) => (await hr.get(`/api/v1/applications/${id}/history`)).body.kpi;

before(async () => {
  srv = await startServer({ serveArgs: ['--no-jobs'] });
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  t0 = new Date(Date.now() - 1000).toISOString();
  for (const [key, org, review] of [['auto', 'SALES', false], ['cli', 'SALES', false], ['manual', 'ENG-BE', true]]) {
    pos[key] = `KPI-${key.toUpperCase()}-${uniq()}`;
    const p = await s.admin.post('/api/v1/positions', {
      code: pos[key], title: `KPI ${key}`, org_unit: org, headcount: 5, status: 'open', review_required: review,
    });
    assert.equal(p.status, 201, p.text);
  }
  tmpl = 'kpi-' + uniq();
  const t = await hr.post('/api/v1/export-templates', { name: tmpl, fields: ['application.id', 'candidate.name'] });
  assert.equal(t.status, 201, t.text);
  for (const [key, actions] of [
    ['auto', [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: tmpl }]],
    ['cli', [{ type: 'eliminate', reason: 'ai_score_below_threshold' }]],
  ]) {
    const r = await hr.post('/api/v1/rules', { name: `kpi ${key} ${uniq()}`, when: 'ai.overall < 50', scope: { kind: 'position', code: pos[key] }, actions });
    assert.equal(r.status, 201, r.text);
  }
  for (const score of [20, 30, 40]) apps.auto.push(await application(pos.auto, score));
  for (const score of [25, 35]) apps.cli.push(await application(pos.cli, score));
  apps.manual.push(await application(pos.manual, 45));
  // the rule's exports, by the worker
  const run = await srv.cli(['export', 'run-due']);
  assert.equal(run.code, 0, run.stderr);
  // the command line's
  const cli = await srv.cli(['export', '--template', tmpl, '--position', pos.cli, '--quiet']);
  assert.equal(cli.code, 0, cli.stderr);
  // by hand: eliminated, reviewed, exported through the API
  const [m] = apps.manual;
  const mv = await hr.post(`/api/v1/applications/${m}/transitions`, { to: 'eliminated_pending_review', reason: 'ai_score_below_threshold' });
  assert.equal(mv.status, 200, mv.text);
  const ok = await hr.post(`/api/v1/reviews/${m}/confirm`, {});
  assert.equal(ok.status, 200, ok.text);
  const ex = await hr.post('/api/v1/exports', { template: tmpl, filter: { position: pos.manual } });
  assert.equal(ex.status, 201, ex.text);
  for (const id of [...apps.auto, ...apps.cli, ...apps.manual]) assert.equal(await stage(id), 'exported');
});

after(async () => {
  if (srv) await srv.stop();
});

/** The nearest-rank percentile pct of the numbers. */
function rank(values, pct) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.max(1, Math.ceil((v.length * pct) / 100)) - 1];
}

test('the figures of the applications exported in the period, each as its history gives it', async () => {
  const r = await hr.get(`/api/v1/pipeline-kpis?since=${t0}`);
  assert.equal(r.status, 200, r.text);
  const k = r.body;
  assert.equal(k.exported, 6);
  assert.equal(k.automated, 3, 'the rule exported three with nobody moving them');
  assert.equal(k.automation_rate, 0.5);
  assert.deepEqual(k.by_trigger, { rule: 3, schedule: 0, api: 1, cli: 2 });
  const mins = [];
  for (const id of [...apps.auto, ...apps.cli, ...apps.manual]) {
    const own = await kpi(id);
    assert.equal(typeof own.completion_to_export_minutes, 'number', JSON.stringify(own));
    mins.push(own.completion_to_export_minutes);
  }
  const t = k.completion_to_export_minutes;
  assert.equal(t.count, 6);
  assert.equal(t.median, rank(mins, 50));
  assert.equal(t.p90, rank(mins, 90));
  assert.equal(t.max, Math.max(...mins));
  const mean = mins.reduce((a, b) => a + b, 0) / mins.length;
  assert.ok(Math.abs(t.mean - mean) <= 0.1, `mean ${t.mean} against ${mean}`);
  assert.ok(t.median >= 25 && t.max < 60, `the interviews ended 25-50 minutes ago: ${JSON.stringify(t)}`);
  assert.ok(Date.parse(k.since) === Date.parse(t0) && Date.parse(k.until) <= Date.now());
});

test('filters by position and department; a manager sees his subtree; the period bounds it', async () => {
  const one = (await hr.get(`/api/v1/pipeline-kpis?since=${t0}&position=${pos.auto}`)).body;
  assert.equal(one.exported, 3);
  assert.equal(one.automation_rate, 1);
  assert.deepEqual(one.by_trigger, { rule: 3, schedule: 0, api: 0, cli: 0 });
  const sales = (await hr.get(`/api/v1/pipeline-kpis?since=${t0}&department=SALES`)).body;
  assert.equal(sales.exported, 5);
  const eng = (await hr.get(`/api/v1/pipeline-kpis?since=${t0}&department=ENG`)).body;
  assert.equal(eng.exported, 1, 'ENG-BE is under ENG');
  assert.equal(eng.automated, 0);
  const mgr = await s.clients.mgr_sales.get(`/api/v1/pipeline-kpis?since=${t0}`);
  assert.equal(mgr.status, 200, mgr.text);
  assert.equal(mgr.body.exported, 5, 'SALES only');
  assert.equal((await s.clients.mgr_eng.get(`/api/v1/pipeline-kpis?since=${t0}`)).body.exported, 1);
  // a period before any of it (the default: the 30 days before until)
  const old = (await hr.get('/api/v1/pipeline-kpis?until=2026-01-01T00:00:00Z')).body;
  assert.equal(old.exported, 0);
  assert.equal(old.automation_rate, null);
  assert.deepEqual(old.completion_to_export_minutes, { count: 0, median: null, p90: null, mean: null, max: null });
  assert.equal(old.since, '2025-12-02T00:00:00.000Z');
  const none = (await hr.get(`/api/v1/pipeline-kpis?since=${t0}&position=NOSUCH`)).body;
  assert.equal(none.exported, 0);
});

test('the CLI prints the same figures', async () => {
  const until = new Date().toISOString();
  const api = (await hr.get(`/api/v1/pipeline-kpis?since=${t0}&until=${until}`)).body;
  const cli = await srv.cli(['kpis', '--since', t0, '--until', until]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout), api);
  // the commands that share its flag parsing (a query key per flag)
  const rem = await srv.cli(['reminders', '--unopened-hours', '0', '--stuck-days', '0', '--limit', '2']);
  assert.equal(rem.code, 0, rem.stderr);
  const remApi = (await s.admin.get('/api/v1/reminders?unopened_hours=0&stuck_days=0&limit=2')).body;
  assert.deepEqual(JSON.parse(rem.stdout).stuck.count, remApi.stuck.count);
  assert.equal(JSON.parse(rem.stdout).stuck.items.length, 2);
  const bad = await srv.cli(['kpis', '--since', 'yesterday']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /since/);
});

test('admin, hr and managers only; bad parameters are refused and change nothing', async () => {
  const before = await dbSnapshot(srv);
  assertError(assert, await s.clients.int1.get('/api/v1/pipeline-kpis'), 403);
  assertError(assert, await srv.anon().get('/api/v1/pipeline-kpis'), 401);
  const without = srv.bearer(await cliToken(srv, ['candidates:read']));
  const scoped = srv.bearer(await cliToken(srv, ['applications:read']));
  const mid = await dbSnapshot(srv); // the tokens are made; the calls below change nothing
  assertError(assert, await without.get('/api/v1/pipeline-kpis'), 403);
  assert.equal((await scoped.get(`/api/v1/pipeline-kpis?since=${t0}`)).body.exported, 6);
  assert.equal((await s.admin.get(`/api/v1/pipeline-kpis?since=${t0}`)).body.exported, 6);
  for (const [q, field] of [
    ['since=yesterday', 'since'],
    ['until=2026-13-01T00:00:00Z', 'until'],
    ['since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z', 'since'],
    ['since=2026-12-01T00:00:00Z&until=2026-12-01T00:00:00Z', 'since'],
  ]) {
    const e = assertError(assert, await hr.get(`/api/v1/pipeline-kpis?${q}`), 422, '', q);
    assert.equal(e.field, field, q);
  }
  assertError(assert, await hr.get('/api/v1/pipeline-kpis?stage=exported'), 400, 'unknown_parameter');
  const now = await dbSnapshot(srv);
  assert.ok(now === mid, `refused calls changed the database:\n${snapshotDiff(mid, now)}`);
  assert.ok(before.length > 0);
});
