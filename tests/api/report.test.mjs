// report.test.mjs - reading and working with AI results: the application
// report (percentiles from the histograms, match report, versions, timeline,
// what each role sees), compare, annotations, score revisions, viewed
// tracking and reminders, and the candidate's own page through a link.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let admin;
let pos; // a position of this file's own, so its histograms hold only these results

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
  admin = s.clients.admin;
  const r = await admin.post('/api/v1/positions', {
    code: 'RPT-01',
    title: 'Report Analyst',
    org_unit: 'SALES',
    headcount: 2,
    competency_model: [
      { dim: 'logic', weight: 2, min: 60 },
      { dim: 'communication', weight: 1, min: 50 },
      { dim: 'teamwork', weight: 1, min: 40 },
    ],
  });
  assert.equal(r.status, 201, r.text);
  pos = r.body;
});

after(async () => {
  if (srv) await srv.stop();
});

/** A native result for application app with overall and dimension scores {key: score}. */
function result(app, overall, dims, over = {}) {
  return {
    vendor: 'native',
    vendor_result_id: 'RPT-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    model_version: 'interview-ai 4.2',
    candidate: { application_id: app },
    overall,
    dimensions: Object.entries(dims).map(([key, score]) => ({ key, score, evidence: `evidence for ${key}` })),
    tags: ['structured'],
    transcript: [
      { start_ms: 0, end_ms: 4000, speaker: 'ai', text: '请介绍一个你解决过的难题。' },
      { start_ms: 4000, end_ms: 52000, speaker: 'candidate', text: '我在上一家公司负责对账系统。' },
    ],
    video_url: 'https://video.example.com/r.mp4',
    key_moments: [{ at_ms: 30000, label: 'STAR example' }],
    ...over,
  };
}

async function newApp(code = 'RPT-01', name = 'Report Person') {
  const c = await hr.post('/api/v1/candidates', { name: `${name} ${uniq()}`, email: `rpt.${uniq()}@example.com`, phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: code });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function withResult(overall, dims, code = 'RPT-01') {
  const app = await newApp(code);
  const r = await hr.post('/api/v1/results', result(app.id, overall, dims));
  assert.equal(r.status, 201, r.text);
  return { app, res: r.body };
}

// Four results on RPT-01: logic 50, 70, 90, 90.
let apps;
test('set-up: four results on one position', async () => {
  apps = [];
  for (const [o, l] of [[55, 50], [70, 70], [88, 90], [91, 90]]) {
    apps.push(await withResult(o, { logic: l, communication: 80, stress: 65 }));
  }
});

test('the report holds the scores with percentiles from the histogram, the match report, flags and the stored result', async () => {
  const { app, res } = apps[2];
  const r = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(r.status, 200, r.text);
  const b = r.body;
  assert.equal(b.application.id, app.id);
  assert.equal(b.application.stage, 'ai_pending_evaluation');
  assert.equal(b.position.code, 'RPT-01');
  assert.equal(b.position.competency_model.length, 3);
  assert.ok(b.candidate.email.includes('@') && !b.candidate.email.includes('*'), 'hr sees the contact data');
  assert.equal(b.result.id, res.id);
  assert.equal(b.result.version, 1);
  assert.equal(b.result.transcript.length, 2);
  assert.equal(b.result.video_url, 'https://video.example.com/r.mp4');
  assert.deepEqual(b.result.tags, ['structured']);
  assert.equal(b.result.key_moments[0].at_ms, 30000);
  assert.equal(b.result.candidate, undefined, 'the vendor hints are not part of the report');
  // overall 88 among 55, 70, 88, 91: higher than 2 of 4
  assert.deepEqual(b.result.overall, { score: 88, original: 88, revised: false, percentile: 50 });
  const logic = b.result.dimensions.find((d) => d.key === 'logic');
  // logic 90 among 50, 70, 90, 90: strictly higher than 2 of 4
  assert.equal(logic.score, 90);
  assert.equal(logic.percentile, 50);
  assert.equal(logic.label_zh, '逻辑思维');
  assert.equal(logic.evidence, 'evidence for logic');
  assert.equal(logic.weight, 2);
  assert.equal(logic.min, 60);
  assert.equal(logic.below_min, false);
  const stress = b.result.dimensions.find((d) => d.key === 'stress');
  assert.equal(stress.in_model, false);
  assert.equal(stress.weight, null);
  const team = b.result.dimensions.find((d) => d.key === 'teamwork');
  assert.equal(team.missing, true);
  assert.equal(team.score, null);
  // match: (2*90 + 1*80 + 1*0) / 4 = 65 -> re_interview because teamwork is missing
  assert.equal(b.result.match.match_score, 65);
  assert.equal(b.result.match.recommendation, 're_interview');
  assert.ok(b.result.match.flags.some((f) => f.code === 'missing_dimension' && f.dim === 'teamwork'));
  assert.ok(b.result.match.reasons.every((x) => x.message_zh && x.message_en));
  assert.equal(b.versions.length, 1);
  assert.deepEqual(b.revisions, []);
  assert.deepEqual(b.annotations, []);
  const kinds = b.timeline.map((t) => `${t.kind}:${t.to ?? t.version ?? ''}`);
  assert.deepEqual(kinds, ['stage:applied', 'result:1', 'stage:ai_pending_evaluation']);
  assert.ok(b.viewed.by_me, 'opening the report marks it viewed');
  assert.equal(b.viewed.viewers, 1);
});

test('the report of an application without a result has result null; the lowest scorer is below the minimum', async () => {
  const app = await newApp();
  const r = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.result, null);
  assert.equal(r.body.viewed.by_me, null, 'nothing to view, nothing marked');
  const low = await hr.get(`/api/v1/applications/${apps[0].app.id}/report`);
  const logic = low.body.result.dimensions.find((d) => d.key === 'logic');
  assert.equal(logic.below_min, true);
  assert.equal(logic.percentile, 0);
  assert.deepEqual(low.body.result.match.below_min.map((d) => d.dim), ['logic']);
});

test('a vendor re-score shows as version 2 with version 1 listed; the histogram counts the new scores only', async () => {
  const { app, res } = await withResult(60, { logic: 60, communication: 60 });
  const again = await hr.post('/api/v1/results', { ...result(app.id, 95, { logic: 99, communication: 90 }), vendor_result_id: (await hr.get(`/api/v1/results/${res.id}`)).body.vendor_result_id });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.body.version, 2);
  const r = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(r.body.result.version, 2);
  assert.deepEqual(r.body.versions.map((v) => [v.version, v.is_current, v.overall]), [[1, false, 60], [2, true, 95]]);
  assert.equal(r.body.result.overall.score, 95);
  // 95 is above every other current overall on RPT-01 (55, 70, 88, 91): 4 of 5 below
  assert.equal(r.body.result.overall.percentile, 80);
  assert.equal(r.body.timeline.filter((t) => t.kind === 'result').length, 2);
});

test('who sees a report: managers of the subtree and assigned interviewers (contact masked); others get 404', async () => {
  const { app } = apps[1];
  const mgr = await s.clients.mgr_sales.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(mgr.status, 200, mgr.text);
  assert.equal(mgr.body.result.overall.score, 70);
  assertError(assert, await s.clients.mgr_eng.get(`/api/v1/applications/${app.id}/report`), 404);
  assertError(assert, await s.clients.int2.get(`/api/v1/applications/${app.id}/report`), 404);
  const as = await admin.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int2' });
  assert.equal(as.status, 200, as.text);
  const int = await s.clients.int2.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(int.status, 200, int.text);
  assert.ok(int.body.candidate.email.includes('***'), `interviewers see masked email: ${int.body.candidate.email}`);
  assert.ok(int.body.candidate.phone.includes('****'));
  assert.equal(int.body.result.transcript.length, 2);
  assertError(assert, await srv.anon().get(`/api/v1/applications/${app.id}/report`), 401);
  assertError(assert, await hr.get('/api/v1/applications/99999999/report'), 404);
});

test('compare: up to 10 applications of one position side by side; 11 is a 422, mixed positions a 422', async () => {
  const ids = apps.map((a) => a.app.id);
  const r = await hr.get(`/api/v1/compare?ids=${ids.slice(0, 3).join(',')}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.position.code, 'RPT-01');
  assert.deepEqual(r.body.dims.slice(0, 3), ['logic', 'communication', 'teamwork'], 'the model first');
  assert.ok(r.body.dims.includes('stress'));
  assert.deepEqual(r.body.items.map((i) => i.application_id), ids.slice(0, 3));
  const third = r.body.items[2];
  assert.equal(third.overall.score, 88);
  const rep = await hr.get(`/api/v1/applications/${ids[2]}/report`);
  assert.equal(third.dimensions.find((d) => d.key === 'logic').percentile,
    rep.body.result.dimensions.find((d) => d.key === 'logic').percentile, 'the same percentile as the report');
  assert.equal(third.dimensions[0].evidence, undefined, 'no evidence in compare');
  assert.equal(third.match.recommendation, 're_interview');
  const noResult = await newApp();
  const mixed = await hr.get(`/api/v1/compare?ids=${ids[0]},${noResult.id}`);
  assert.equal(mixed.status, 200, mixed.text);
  assert.equal(mixed.body.items[1].has_result, false);
  assert.equal(mixed.body.items[1].overall, null);

  const eleven = Array.from({ length: 11 }, (_, i) => ids[0] + i);
  assertError(assert, await hr.get(`/api/v1/compare?ids=${eleven.join(',')}`), 422, 'too_many');
  assertError(assert, await hr.get(`/api/v1/compare?ids=${ids[0]},${s.app.eng_a.id}`), 422, 'different_positions');
  assertError(assert, await hr.get(`/api/v1/compare?ids=${ids[0]},${ids[0]}`), 422, 'duplicate');
  assertError(assert, await hr.get('/api/v1/compare?ids=1,x'), 422);
  assertError(assert, await hr.get('/api/v1/compare'), 422, 'required');
  assertError(assert, await s.clients.mgr_eng.get(`/api/v1/compare?ids=${ids[0]}`), 404);
});

test('annotations: hr, managers and assigned interviewers write them; they show in the report oldest first', async () => {
  const { app } = apps[3];
  await admin.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int1' });
  const texts = [];
  for (const u of ['hr1', 'mgr_sales', 'int1']) {
    const body = `${u}: 表达清晰，\n建议复试 ${uniq()}`;
    const r = await s.clients[u].post(`/api/v1/applications/${app.id}/annotations`, { body });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.user, u);
    assert.equal(r.body.body, body);
    texts.push(body);
  }
  const list = await hr.get(`/api/v1/applications/${app.id}/annotations`);
  assert.deepEqual(list.body.items.map((n) => n.body), texts);
  assert.deepEqual(list.body.items.map((n) => n.role), ['hr', 'manager', 'interviewer']);
  const rep = await s.clients.int1.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(rep.body.annotations.length, 3);
  const before = await dbSnapshot(srv);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/annotations`, { body: '' }), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/annotations`, {}), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/annotations`, { body: 'x'.repeat(4001) }), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/annotations`, { body: 'x', extra: 1 }), 422);
  assertError(assert, await s.clients.mgr_eng.post(`/api/v1/applications/${app.id}/annotations`, { body: 'not mine' }), 404);
  assertError(assert, await s.clients.int2.post(`/api/v1/applications/${app.id}/annotations`, { body: 'not assigned' }), 404);
  const after = await dbSnapshot(srv);
  assert.equal(after, before, snapshotDiff(before, after));
  const audit = await admin.get(`/api/v1/audit?entity=application&id=${app.id}`);
  assert.ok(audit.body.items.filter((a) => a.action === 'application.annotate').length >= 3, audit.text);
});

test('score revisions: a reason is required, the original is kept, the history says who, when, old, new and why', async () => {
  const { app, res } = await withResult(72, { logic: 58, communication: 70, teamwork: 70 });
  const before = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(before.body.result.match.recommendation, 're_interview'); // logic below its minimum 60
  const snap = await dbSnapshot(srv);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 65 }), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 65, reason: '' }), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 101, reason: 'x' }), 422);
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'charm', score: 50, reason: 'x' }), 422, 'unknown_dimension');
  assertError(assert, await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 58, reason: 'x' }), 422, 'unchanged');
  assertError(assert, await s.clients.mgr_sales.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 65, reason: 'x' }), 403);
  assertError(assert, await s.clients.int1.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 65, reason: 'x' }), 403);
  assert.equal(await dbSnapshot(srv), snap, 'refused revisions change nothing');

  const reason = '复核录像：第二题回答被截断，人工评分';
  const r = await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 75, reason });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.revision.old, 58);
  assert.equal(r.body.revision.new, 75);
  assert.equal(r.body.revision.user, 'hr1');
  assert.equal(r.body.revision.reason, reason);
  assert.equal(r.body.revision.result_id, res.id);
  // (2*75 + 70 + 70) / 4 = 72.5 -> recommend
  assert.equal(r.body.match_score, 72.5);
  assert.equal(r.body.recommendation, 'recommend');

  const ov = await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'overall', score: 80, reason: 'overall re-read' });
  assert.equal(ov.status, 201, ov.text);
  const rep = await hr.get(`/api/v1/applications/${app.id}/report`);
  const logic = rep.body.result.dimensions.find((d) => d.key === 'logic');
  assert.deepEqual([logic.score, logic.original, logic.revised, logic.below_min], [75, 58, true, false]);
  assert.deepEqual(rep.body.result.overall.score, 80);
  assert.deepEqual(rep.body.result.overall.original, 72);
  assert.equal(rep.body.result.match.recommendation, 'recommend');
  assert.deepEqual(rep.body.revisions.map((x) => [x.dim, x.old, x.new, x.user]), [['logic', 58, 75, 'hr1'], ['overall', 72, 80, 'hr1']]);
  assert.ok(rep.body.revisions.every((x) => x.at && x.reason));
  assert.equal(rep.body.timeline.filter((t) => t.kind === 'revision').length, 2);
  const appNow = await hr.get(`/api/v1/applications/${app.id}`);
  assert.equal(appNow.body.match_score ?? 72.5, 72.5);
  // the stored vendor result is unchanged
  const stored = await hr.get(`/api/v1/results/${res.id}`);
  assert.equal(stored.body.dimensions.find((d) => d.key === 'logic').score, 58);
  assert.equal(stored.body.overall, 72);
  const hist = await s.clients.int1.get(`/api/v1/applications/${app.id}/score-revisions`);
  assertError(assert, hist, 404, undefined, 'not assigned to int1');
  const list = await s.clients.mgr_sales.get(`/api/v1/applications/${app.id}/score-revisions`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.items.length, 2);
  const audit = await admin.get(`/api/v1/audit?entity=application&id=${app.id}`);
  assert.ok(audit.body.items.some((a) => a.action === 'result.revise'), audit.text);
});

test('a revision moves the histogram: the percentile of others follows the revised score', async () => {
  const p = await admin.post('/api/v1/positions', {
    code: `RPT-H-${uniq()}`, title: 'Histogram', org_unit: 'SALES', headcount: 1,
    competency_model: [{ dim: 'logic', weight: 1, min: 0 }],
  });
  assert.equal(p.status, 201, p.text);
  const a = await withResult(50, { logic: 50 }, p.body.code);
  const b = await withResult(60, { logic: 60 }, p.body.code);
  let rb = await hr.get(`/api/v1/applications/${b.app.id}/report`);
  assert.equal(rb.body.result.dimensions[0].percentile, 50);
  const r = await hr.post(`/api/v1/applications/${a.app.id}/score-revisions`, { dim: 'logic', score: 70, reason: 'reviewed' });
  assert.equal(r.status, 201, r.text);
  rb = await hr.get(`/api/v1/applications/${b.app.id}/report`);
  assert.equal(rb.body.result.dimensions[0].percentile, 0, 'the other score is now above it');
});

test('viewed tracking and reminders: unopened results and applications stuck in a stage', async () => {
  const { app } = await withResult(66, { logic: 66, communication: 66, teamwork: 66 });
  const rem = await hr.get('/api/v1/reminders?unopened_hours=0&stuck_days=0&limit=200');
  assert.equal(rem.status, 200, rem.text);
  assert.equal(rem.body.unopened.hours, 0);
  const item = rem.body.unopened.items.find((i) => i.application_id === app.id);
  assert.ok(item, 'a result nobody opened is listed');
  assert.equal(item.position, 'RPT-01');
  assert.equal(item.waiting_hours, 0);
  assert.ok(rem.body.unopened.count >= rem.body.unopened.items.length);
  assert.ok(rem.body.stuck.items.some((i) => i.application_id === app.id && i.stage === 'ai_pending_evaluation'));
  assert.ok(rem.body.stuck.items.every((i) => !['hired', 'exported', 'withdrawn'].includes(i.stage)));
  // default thresholds (24 h, 3 days): nothing this fresh
  const def = await hr.get('/api/v1/reminders');
  assert.equal(def.body.unopened.hours, 24);
  assert.equal(def.body.stuck.days, 3);
  assert.ok(!def.body.unopened.items.some((i) => i.application_id === app.id));
  // the manager of the subtree opens it: nobody is reminded any more
  const open = await s.clients.mgr_sales.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(open.body.viewed.viewers, 1);
  const again = await hr.get('/api/v1/reminders?unopened_hours=0');
  assert.ok(!again.body.unopened.items.some((i) => i.application_id === app.id), 'opened results are not reminded');
  const mine = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(mine.body.viewed.viewers, 2);
  // a vendor re-score makes it unopened again, and opening it (within the minute) clears that
  const vrid = mine.body.result.vendor_result_id;
  const re = await hr.post('/api/v1/results', { ...result(app.id, 67, { logic: 67, communication: 66, teamwork: 66 }), vendor_result_id: vrid });
  assert.equal(re.status, 201, re.text);
  const back = await hr.get('/api/v1/reminders?unopened_hours=0');
  assert.ok(back.body.unopened.items.some((i) => i.application_id === app.id), 'a re-score is unopened again');
  await hr.get(`/api/v1/applications/${app.id}/report`);
  const cleared = await hr.get('/api/v1/reminders?unopened_hours=0');
  assert.ok(!cleared.body.unopened.items.some((i) => i.application_id === app.id), 'reopened after the re-score');
  // managers are reminded of their subtree only
  const eng = await s.clients.mgr_eng.get('/api/v1/reminders?unopened_hours=0&stuck_days=0&limit=200');
  assert.ok(eng.body.stuck.items.every((i) => !i.position.startsWith('SALES') && !i.position.startsWith('RPT')));
  assertError(assert, await hr.get('/api/v1/reminders?unopened_hours=-1'), 422);
  assertError(assert, await hr.get('/api/v1/reminders?stuck_days=x'), 422);
  assertError(assert, await hr.get('/api/v1/reminders?limit=0'), 422);
  assertError(assert, await hr.get('/api/v1/reminders?since=1'), 400);
});

test('the candidate page: status through a link; the result summary only when the position allows it', async () => {
  const { app } = await withResult(77, { logic: 80, communication: 70 });
  const link = await hr.post(`/api/v1/applications/${app.id}/candidate-links`, { expires_in_days: 14 });
  assert.equal(link.status, 201, link.text);
  assert.ok(link.body.token.startsWith('tdc_'));
  assert.equal(link.body.path, `/c/${link.body.token}`);
  assert.equal(link.body.active, true);
  const anon = srv.anon();
  const page = await anon.get(`/api/v1/portal/${link.body.token}`);
  assert.equal(page.status, 200, page.text);
  assert.equal(page.body.position.title, 'Report Analyst');
  assert.equal(page.body.status.key, 'evaluation');
  assert.ok(page.body.status.label_zh.length > 0 && page.body.status.label_en.length > 0);
  assert.equal(page.body.result_visible, false);
  assert.equal(page.body.result, null, 'the position does not show results');

  const upd = await admin.patch(`/api/v1/positions/${pos.id}`, { show_result_to_candidate: true });
  assert.equal(upd.status, 200, upd.text);
  assert.equal(upd.body.show_result_to_candidate, true);
  const shown = await anon.get(`/api/v1/portal/${link.body.token}`);
  assert.equal(shown.body.result_visible, true);
  assert.equal(shown.body.result.overall, 77);
  assert.deepEqual(shown.body.result.dimensions.map((d) => [d.key, d.score]), [['logic', 80], ['communication', 70]]);
  assert.ok(shown.body.result.dimensions[0].label_zh);
  const text = JSON.stringify(shown.body);
  for (const hidden of ['percentile', 'match', 'recommend', 'evidence', 'transcript', 'email', 'phone']) {
    assert.ok(!text.includes(hidden), `the candidate page shows no ${hidden}: ${text}`);
  }
  // an elimination reads as closed, never as the internal stage
  const el = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'eliminated_pending_export', reason: 'skills_mismatch' });
  assert.equal(el.status, 200, el.text);
  const closed = await anon.get(`/api/v1/portal/${link.body.token}`);
  assert.equal(closed.body.status.key, 'closed');
  assert.ok(!JSON.stringify(closed.body).includes('eliminated'));

  const links = await hr.get(`/api/v1/applications/${app.id}/candidate-links`);
  assert.equal(links.body.items.length, 1);
  assert.equal(links.body.items[0].token, undefined, 'the token is shown once only');
  const rv = await hr.post(`/api/v1/candidate-links/${link.body.id}/revoke`);
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.body.active, false);
  assertError(assert, await anon.get(`/api/v1/portal/${link.body.token}`), 404);
  assertError(assert, await anon.get('/api/v1/portal/tdc_nosuchtokennosuchtokennosuchtokennosuchtok'), 404);
  assertError(assert, await anon.get('/api/v1/portal/x'), 404);
  const bad = await hr.post(`/api/v1/applications/${app.id}/candidate-links`, { expires_in_days: 181 });
  assertError(assert, bad, 422);
  await admin.patch(`/api/v1/positions/${pos.id}`, { show_result_to_candidate: false });
});
