// rules.test.mjs - pipeline rules (issue 5): CRUD with syntax and type errors
// at line and column; the result, stage and schedule triggers; every action;
// enforce and dry_run; priority; scope; firings stored with their explanation
// and shown on the application's timeline; simulation that changes nothing;
// the CLI.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
const made = []; // rule ids to delete after each test that makes them

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

async function cleanup() {
  while (made.length) {
    const id = made.pop();
    await hr.del(`/api/v1/rules/${id}`);
  }
}

async function rule(body) {
  const r = await hr.post('/api/v1/rules', { name: `rule ${uniq()}`, ...body });
  assert.equal(r.status, 201, r.text);
  made.push(r.body.id);
  return r.body;
}

function result(app, overall, dims = {}, extra = {}) {
  const d = { logic: overall, communication: overall, ...dims };
  return {
    vendor: 'native',
    vendor_result_id: 'RL-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall,
    dimensions: Object.entries(d).map(([key, score]) => ({ key, score, evidence: '…' })),
    tags: ['结构化'],
    transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }],
    ...extra,
  };
}

async function newApp(position = 'SALES-01', note) {
  const c = await hr.post('/api/v1/candidates', { name: `规则 ${uniq()}`, email: `rl.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position, ...(note ? { special_note: note } : {}) });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function arrive(app, overall, dims, extra) {
  const r = await hr.post('/api/v1/results', result(app.id, overall, dims, extra));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const getApp = async (app) => (await hr.get(`/api/v1/applications/${app.id}`)).body;
const firings = async (app) => (await hr.get(`/api/v1/applications/${app.id}/rule-firings`)).body.items;

const LOW = 'ai.overall < 60 && !has(application.special_note)';

describe('rules CRUD and validation', () => {
  after(cleanup);

  test('create, read, list, update with version, delete; defaults', async () => {
    const r = await rule({ when: LOW, actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }] });
    assert.equal(r.mode, 'enforce');
    assert.equal(r.enabled, true);
    assert.equal(r.priority, 100);
    assert.deepEqual(r.triggers, ['result']);
    assert.deepEqual(r.scope, { kind: 'all' });
    assert.equal((await hr.get(`/api/v1/rules/${r.id}`)).body.when, LOW);
    const list = await hr.get('/api/v1/rules?trigger=result');
    assert.ok(list.body.items.some((x) => x.id === r.id));
    const up = await hr.patch(`/api/v1/rules/${r.id}`, { version: r.version, mode: 'dry_run', scope: { kind: 'position', code: 'SALES-01' } });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.mode, 'dry_run');
    assert.deepEqual(up.body.scope, { kind: 'position', code: 'SALES-01' });
    assert.equal(up.body.when, LOW, 'unchanged fields stay');
    assertError(assert, await hr.patch(`/api/v1/rules/${r.id}`, { version: r.version, name: 'x' }), 409, 'version_conflict');
    const dup = await hr.post('/api/v1/rules', { name: r.name, when: 'true', actions: [{ type: 'tag', tag: 'x' }] });
    assertError(assert, dup, 409, 'duplicate');
    assert.equal(dup.body.error.existing_id, r.id);
    const audit = await s.admin.get(`/api/v1/audit?entity=rule&id=${r.id}`);
    assert.deepEqual(audit.body.items.map((e) => e.action).sort(), ['rule.create', 'rule.update']);
    // managers read rules, interviewers do not
    assert.equal((await s.clients.mgr_sales.get(`/api/v1/rules/${r.id}`)).status, 200);
    assertError(assert, await s.clients.int1.get('/api/v1/rules'), 403);
    assertError(assert, await s.clients.mgr_sales.post('/api/v1/rules', { name: 'm', when: 'true', actions: [{ type: 'tag', tag: 'x' }] }), 403);
  });

  test('syntax and type errors answer 422 with the line and column, and store nothing', async () => {
    const before = await dbSnapshot(srv);
    const cases = [
      ['ai.overall <', 1],
      ['ai.overall < 60 &&\n  has(application.special_note', 2],
      ['ai.overall == "high"', 1],
      ['ai.nosuch > 3', 1],
      ['application.stage > 3', 1],
    ];
    for (const [when, line] of cases) {
      const r = await hr.post('/api/v1/rules', { name: 'bad ' + uniq(), when, actions: [{ type: 'tag', tag: 'x' }] });
      assertError(assert, r, 422, 'rule_syntax', when);
      assert.equal(r.body.error.field, 'when');
      assert.equal(r.body.error.line, line, `${when}: ${r.text}`);
      assert.ok(r.body.error.column >= 1, r.text);
      assert.match(r.body.error.message, new RegExp(`^line ${line}, column \\d+: `));
    }
    const bad = [
      [{ when: 'true', actions: [] }, 'actions'],
      [{ when: 'true', actions: [{ type: 'explode' }] }, 'actions[0]'],
      [{ when: 'true', actions: [{ type: 'eliminate' }] }, 'actions[0].reason'],
      [{ when: 'true', actions: [{ type: 'eliminate', reason: 'bad_reason' }] }, 'actions[0]'],
      [{ when: 'true', actions: [{ type: 'advance', stage: 'hired' }] }, 'actions[0]'],
      [{ when: 'true', actions: [{ type: 'eliminate', reason: 'culture_fit' }, { type: 'advance', stage: 'ai_passed' }] }, 'actions'],
      [{ when: 'true', actions: [{ type: 'notify', role: 'ceo' }] }, 'actions[0]'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x', extra: 1 }] }, 'actions[0].extra'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x' }], triggers: ['daily'] }, 'triggers'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x' }], mode: 'maybe' }, 'mode'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x' }], scope: { kind: 'position', code: 'NOPE' } }, 'scope.code'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x' }], scope: { kind: 'planet' } }, 'scope.kind'],
      [{ actions: [{ type: 'tag', tag: 'x' }] }, 'when'],
      [{ when: 'true', actions: [{ type: 'tag', tag: 'x' }, { type: 'export', template: '没有这个模板' }] }, 'actions[1].template'],
    ];
    for (const [body, field] of bad) {
      const r = await hr.post('/api/v1/rules', { name: 'bad ' + uniq(), ...body });
      assertError(assert, r, 422, '', JSON.stringify(body));
      assert.equal(r.body.error.field, field, `${JSON.stringify(body)}: ${r.text}`);
    }
    // an update naming a missing template is refused too; other fields of such a rule may still change
    const ok = await hr.post('/api/v1/rules', { name: 'ok ' + uniq(), when: 'false', actions: [{ type: 'tag', tag: 'x' }] });
    assert.equal(ok.status, 201, ok.text);
    const mid = await dbSnapshot(srv);
    const upd = await hr.patch(`/api/v1/rules/${ok.body.id}`, { actions: [{ type: 'export', template: 'nosuch-' + uniq() }] });
    const e = assertError(assert, upd, 422, 'invalid_reference');
    assert.equal(e.field, 'actions[0].template');
    assert.ok((await dbSnapshot(srv)) === mid, 'the refused update changed nothing');
    assert.equal((await hr.del(`/api/v1/rules/${ok.body.id}`)).status, 200);
    const now = await dbSnapshot(srv);
    assert.ok(now !== before, 'the accepted rule was written (and deleted: audited)');
  });

  test('check: the editor\'s live syntax check', async () => {
    const ok = await hr.post('/api/v1/rules/check', { when: LOW });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.paths.sort(), ['ai.overall', 'application.special_note']);
    const bad = await hr.post('/api/v1/rules/check', { when: 'ai.overall <\n <' });
    assertError(assert, bad, 422, 'rule_syntax');
    assert.equal(bad.body.error.line, 2);
  });
});

describe('rules at work', () => {
  after(cleanup);

  test('a result arrives: eliminate low scores without a special note; the firing is explained', async () => {
    const r = await rule({ when: LOW, actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }], scope: { kind: 'position', code: 'SALES-01' } });
    const low = await newApp();
    const noted = await newApp('SALES-01', '内推，需人工看');
    const high = await newApp();
    const other = await newApp('ENG-01');
    await arrive(low, 42);
    await arrive(noted, 42);
    await arrive(high, 85);
    await arrive(other, 30);
    const a = await getApp(low);
    assert.equal(a.stage, 'eliminated_pending_export');
    assert.equal(a.elimination_reason, 'ai_score_below_threshold');
    assert.equal((await getApp(noted)).stage, 'ai_pending_evaluation');
    assert.equal((await getApp(high)).stage, 'ai_pending_evaluation');
    assert.equal((await getApp(other)).stage, 'ai_pending_evaluation', 'out of scope');
    const f = await firings(low);
    assert.equal(f.length, 1);
    assert.equal(f[0].rule_id, r.id);
    assert.equal(f[0].trigger, 'result');
    assert.equal(f[0].mode, 'enforce');
    assert.equal(f[0].explanation.result, true);
    const clauses = f[0].explanation.clauses;
    assert.ok(clauses.some((c) => c.text.includes('ai.overall < 60') && c.held && c.values['ai.overall'] === 42), JSON.stringify(clauses));
    assert.ok(clauses.some((c) => c.text.includes('has(application.special_note)')), JSON.stringify(clauses));
    assert.equal(f[0].actions[0].applied, true);
    assert.equal(f[0].actions[0].to, 'eliminated_pending_export');
    assert.equal((await firings(noted)).length, 0);
    const hist = (await hr.get(`/api/v1/applications/${low.id}/history`)).body.items;
    const last = hist[hist.length - 1];
    assert.equal(last.actor, 'rule', 'the transition came from a rule');
    assert.equal(last.to, 'eliminated_pending_export');
    // the notes the server wrote itself come with a code and its parameters; the English stays
    assert.equal(last.note, `rule: ${r.name}`);
    assert.equal(last.note_code, 'rule');
    assert.deepEqual(last.note_params, { rule: r.name });
    const arrival = hist.find((h) => h.to === 'ai_pending_evaluation');
    assert.match(arrival.note, /^AI result native\/RL-.+ received$/);
    assert.equal(arrival.note_code, 'result_received');
    assert.equal(arrival.note_params.vendor, 'native');
    assert.equal(`AI result native/${arrival.note_params.vendor_result_id} received`, arrival.note);
    const created = hist.find((h) => h.from === null);
    assert.equal(created.note_code, undefined, 'no code without a note the server wrote');
    const timeline = (await hr.get(`/api/v1/applications/${low.id}/report`)).body.timeline.filter((x) => x.kind === 'stage');
    assert.deepEqual(timeline.map((x) => x.note_code ?? null), hist.map((x) => x.note_code ?? null), 'the report timeline says the same');
    const audit = await s.admin.get(`/api/v1/audit?entity=application&id=${low.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'rule.fired'), audit.text);
    // a re-score in the same stage does not fire the rule again
    await hr.del(`/api/v1/rules/${made.pop()}`);
  });

  test('a position that requires review sends rule eliminations to review', async () => {
    const first = await rule({ when: 'ai.overall < 50', actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }], scope: { kind: 'org_unit', code: 'ENG' }, priority: 10 });
    await rule({ when: 'ai.overall < 50', actions: [{ type: 'advance', stage: 'ai_passed' }], scope: { kind: 'org_unit', code: 'ENG' }, priority: 20 }); // skipped
    const app = await newApp('ENG-BE-01');
    await arrive(app, 30);
    assert.equal((await getApp(app)).stage, 'eliminated_pending_review');
    const q = await hr.get('/api/v1/reviews?position=ENG-BE-01');
    const item = q.body.items.find((x) => x.application_id === app.id);
    assert.equal(item.note_code, 'rule', JSON.stringify(item));
    assert.equal(item.by_user, null, 'a rule is no user');
    assert.equal(item.by_kind, 'rule');
    assert.equal(item.by, first.name, 'the rule that moved it, not the one skipped after it');
    await cleanup();
  });

  test('export(template): queued, exported by the export worker once the elimination leaves review', async () => {
    const tpl = await hr.post('/api/v1/export-templates', { name: 'rule-export-' + uniq(), fields: ['application.id', 'candidate.name'] });
    assert.equal(tpl.status, 201, tpl.text);
    await rule({
      when: 'ai.overall < 50',
      actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: tpl.body.name }],
    });
    const direct = await newApp();
    const reviewed = await newApp('ENG-BE-01');
    await arrive(direct, 30);
    await arrive(reviewed, 30);
    assert.equal((await getApp(reviewed)).stage, 'eliminated_pending_review');
    // the worker of the server (or `talentd export run-due`) exports what waits in the buffer
    const exported = async (app) => {
      for (let i = 0; i < 50; i++) {
        const run = await srv.cli(['export', 'run-due']);
        assert.equal(run.code, 0, run.stderr);
        if ((await getApp(app)).stage === 'exported') return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    assert.ok(await exported(direct), 'the rule-requested export ran');
    const kpi = (await hr.get(`/api/v1/applications/${direct.id}/history`)).body.kpi;
    assert.deepEqual(kpi.transitions, { by_rule: 1, by_person: 0, by_system: 2 }, JSON.stringify(kpi)); // arrival, rule, export
    assert.equal(kpi.ai_completed_at, '2026-11-20T09:30:00.000Z');
    assert.ok(kpi.exported_at);
    const minutes = (Date.parse(kpi.exported_at) - Date.parse(kpi.ai_completed_at)) / 60000;
    assert.ok(Math.abs(kpi.completion_to_export_minutes - minutes) < 0.1, JSON.stringify(kpi));
    assert.equal((await getApp(reviewed)).stage, 'eliminated_pending_review', 'under review: waits');
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(tpl.body.name)}`);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].trigger, 'rule');
    assert.equal(jobs[0].rows, 1);
    const ok = await hr.post(`/api/v1/reviews/${reviewed.id}/confirm`, {});
    assert.equal(ok.status, 200, ok.text);
    assert.ok(await exported(reviewed), 'exported after the review');
    assert.equal((await hr.all(`/api/v1/exports?template=${encodeURIComponent(tpl.body.name)}`)).length, 2);
    await cleanup();
  });

  test('dry_run records what it would do and changes nothing', async () => {
    await rule({ when: 'ai.overall < 60', mode: 'dry_run', actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'tag', tag: '待定' }] });
    const app = await newApp();
    await arrive(app, 20);
    const a = await getApp(app);
    assert.equal(a.stage, 'ai_pending_evaluation');
    const f = await firings(app);
    assert.equal(f.length, 1);
    assert.equal(f[0].mode, 'dry_run');
    assert.deepEqual(f[0].actions.map((x) => [x.type, x.applied, x.dry_run]), [['eliminate', false, true], ['tag', false, true]]);
    await cleanup();
  });

  test('tag, talent pool and notify; priority: the first stage move wins', async () => {
    await rule({ name: `second ${uniq()}`, priority: 20, when: 'ai.overall >= 90', actions: [{ type: 'advance', stage: 'ai_passed' }] });
    await rule({
      name: `first ${uniq()}`, priority: 10, when: 'ai.dim.communication >= 90 && contains(ai.tags, "结构化")',
      actions: [{ type: 'eliminate', reason: 'salary_expectation' }, { type: 'talent_pool', tags: ['高潜'] }, { type: 'tag', tag: '沟通优秀' }, { type: 'notify', role: 'hr', message: '请跟进' }],
    });
    const app = await newApp();
    await arrive(app, 95, { communication: 96 });
    const a = await getApp(app);
    assert.equal(a.stage, 'eliminated_pending_export', 'the priority 10 rule moved first');
    assert.equal(a.talent_pool, true);
    const f = await firings(app);
    assert.equal(f.length, 2);
    const second = f.find((x) => x.rule.startsWith('second'));
    assert.equal(second.actions[0].applied, false);
    assert.match(second.actions[0].skipped, /moved the application first/);
    assert.equal(second.actions[0].skipped_code, 'moved_by_other_rule');
    await cleanup();
  });

  test('an action the pipeline refuses is recorded with its code and the stage it was in', async () => {
    const r = await rule({ when: 'ai.overall >= 0', actions: [{ type: 'advance', stage: 'followup' }], scope: { kind: 'position', code: 'SALES-01' } });
    const app = await newApp();
    await arrive(app, 70);
    assert.equal((await getApp(app)).stage, 'ai_pending_evaluation', 'not moved');
    const [f] = (await firings(app)).filter((x) => x.rule_id === r.id);
    assert.ok(f, 'the rule fired');
    const [o] = f.actions;
    assert.equal(o.applied, false);
    assert.ok(o.error, 'the English text stays');
    assert.equal(o.error_code, 'illegal_transition', JSON.stringify(o));
    assert.deepEqual(o.error_params, { current: 'ai_pending_evaluation' });
    await cleanup();
  });

  test('a stage change triggers stage rules (not rule-made moves)', async () => {
    await rule({ triggers: ['stage'], when: 'application.stage == "ai_passed" && ai.dim.logic >= 80', actions: [{ type: 'tag', tag: '逻辑强' }] });
    const app = await newApp();
    await arrive(app, 85);
    assert.equal((await firings(app)).length, 0, 'not in ai_passed yet');
    const t = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'ai_passed' });
    assert.equal(t.status, 200, t.text);
    const f = await firings(app);
    assert.equal(f.length, 1);
    assert.equal(f[0].trigger, 'stage');
    assert.equal(f[0].stage, 'ai_passed');
    await cleanup();
  });

  test('schedule: talentd rules run-schedule fires once per stage visit', async () => {
    const r = await rule({ triggers: ['schedule'], when: 'application.stage == "applied" && application.hours_in_stage >= 0 && position.code == "ENG-01"', actions: [{ type: 'notify', role: 'hr', message: '已投递未邀约' }] });
    const app = await newApp('ENG-01');
    let c = await srv.cli(['rules', 'run-schedule']);
    assert.equal(c.code, 0, c.stderr);
    const n = Number(/fired (\d+) time/.exec(c.stdout)[1]);
    assert.ok(n >= 1, c.stdout);
    assert.equal((await firings(app)).length, 1);
    c = await srv.cli(['rules', 'run-schedule']);
    assert.match(c.stdout, /fired 0 time/);
    assert.equal((await firings(app))[0].rule_id, r.id);
    await cleanup();
  });
});

describe('simulation', () => {
  after(cleanup);

  test('counts, samples and fairness without changing anything; stored and unsaved rules', async () => {
    for (const score of [20, 30, 90]) await arrive(await newApp(), score);
    const r = await rule({ when: 'ai.overall < 60', enabled: false, actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }] });
    const before = await dbSnapshot(srv);
    const sim = await hr.post(`/api/v1/rules/${r.id}/simulate`, { stage: 'ai_pending_evaluation' });
    assert.equal(sim.status, 200, sim.text);
    assert.ok(sim.body.evaluated >= 3, sim.text);
    assert.ok(sim.body.would_fire >= 2, sim.text);
    assert.equal(sim.body.by_stage.ai_pending_evaluation, sim.body.would_fire);
    assert.equal(sim.body.actions.eliminate, sim.body.would_fire);
    assert.ok(sim.body.sample.length >= 2 && sim.body.sample[0].explanation.result === true);
    for (const it of sim.body.sample) { // each with whom and where, as the application says
      const app = (await hr.get(`/api/v1/applications/${it.application_id}`)).body;
      assert.deepEqual([it.candidate_name, it.position, it.position_title], [app.candidate_name, app.position, app.position_title]);
    }
    assert.equal(sim.body.fairness.selected_means, 'not eliminated by this rule');
    assert.equal(sim.body.fairness.selected_means_code, 'not_eliminated_by_rule');
    const unsaved = await hr.post('/api/v1/rules/simulate', { when: 'ai.overall >= 60', actions: [{ type: 'advance', stage: 'ai_passed' }], scope: { kind: 'position', code: 'SALES-01' } });
    assert.equal(unsaved.status, 200, unsaved.text);
    assert.ok(unsaved.body.would_fire >= 1);
    assert.equal(unsaved.body.fairness.selected_means_code, 'moved_on_by_rule');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    assertError(assert, await hr.post('/api/v1/rules/simulate', { when: 'ai.overall <', actions: [{ type: 'tag', tag: 'x' }] }), 422, 'rule_syntax');
    assertError(assert, await hr.post(`/api/v1/rules/${r.id}/simulate`, { stage: 'nowhere' }), 422);
    assertError(assert, await hr.post('/api/v1/rules/999999/simulate', {}), 404);
  });

  test('the CLI: add from a file, check with a caret, simulate, firings', async () => {
    const file = path.join(srv.dataDir, 'rule.json');
    writeFileSync(file, JSON.stringify({ name: `cli ${uniq()}`, when: 'ai.overall < 10', enabled: false, actions: [{ type: 'tag', tag: 'cli' }] }));
    let c = await srv.cli(['rules', 'add', file]);
    assert.equal(c.code, 0, c.stderr);
    const id = JSON.parse(c.stdout).id;
    made.push(id);
    c = await srv.cli(['rules', 'check', 'ai.overall < 60 && has(']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /\^\n/);
    assert.match(c.stderr, /line 1, column \d+/);
    c = await srv.cli(['rules', 'simulate', String(id)]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(typeof JSON.parse(c.stdout).evaluated, 'number');
    writeFileSync(file, JSON.stringify({ name: 'bad', when: 'ai.overall <', actions: [{ type: 'tag', tag: 'x' }] }));
    c = await srv.cli(['rules', 'add', file]);
    assert.equal(c.code, 1);
    assert.ok(c.stderr.startsWith(`${file}: when: line 1, column`), c.stderr);
    c = await srv.cli(['rules', 'firings', String(s.app.sales_a.id)]);
    assert.equal(c.code, 0, c.stderr);
  });
});
