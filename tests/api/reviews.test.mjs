// reviews.test.mjs - the human review of eliminations and the fairness check
// (issue 5): the review queue with age and who eliminated; confirm (one and
// bulk) -> eliminated_pending_export; override with a reason -> back where it
// came from; voluntary candidate attributes; selection rates and impact
// ratios by group for the AI recommendation (four-fifths rule); an
// acknowledgement that is audited; who may do what; the CLI.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

function result(app, score) {
  return {
    vendor: 'native',
    vendor_result_id: 'RV-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall: score,
    dimensions: [
      { key: 'logic', score, evidence: '分析清楚' },
      { key: 'communication', score, evidence: '表达流畅' },
    ],
    transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }],
  };
}

/** An application of position with an AI result of score (stage ai_pending_evaluation). */
async function scored(position, score, name = '候选人') {
  const c = await hr.post('/api/v1/candidates', { name: `${name} ${uniq()}`, email: `rv.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  const r = await hr.post('/api/v1/results', result(a.body.id, score));
  assert.equal(r.status, 201, r.text);
  return { app: a.body, candidate: c.body };
}

async function eliminate(app, reason = 'skills_mismatch') {
  const r = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'eliminated_pending_review', reason });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

const stage = async (app) => (await hr.get(`/api/v1/applications/${app.id}`)).body.stage;

describe('review queue', () => {
  test('lists eliminations waiting for review with age, reason and who; confirm and override', async () => {
    const a = (await scored('ENG-BE-01', 40)).app;
    const b = (await scored('ENG-BE-01', 45)).app;
    await eliminate(a);
    await eliminate(b, 'communication');
    const list = await hr.get('/api/v1/reviews?position=ENG-BE-01');
    assert.equal(list.status, 200, list.text);
    const ia = list.body.items.find((x) => x.application_id === a.id);
    assert.ok(ia, list.text);
    assert.equal(ia.reason, 'skills_mismatch');
    assert.equal(ia.by, 'hr1');
    assert.equal(ia.by_user, 'hr1');
    assert.equal(ia.position, 'ENG-BE-01');
    assert.equal(typeof ia.age_hours, 'number');
    assert.equal(ia.fairness_flagged, false);
    assert.equal(ia.overall, 40);

    const c = await hr.post(`/api/v1/reviews/${a.id}/confirm`, { note: '评估完整，确认淘汰' });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.stage, 'eliminated_pending_export');
    assert.equal(c.body.elimination_reason, 'skills_mismatch', 'the reason stays');
    assertError(assert, await hr.post(`/api/v1/reviews/${a.id}/confirm`, {}), 409, 'not_in_review');

    // override: a reason is required, and it goes back to where it came from
    const before = await dbSnapshot(srv);
    assertError(assert, await hr.post(`/api/v1/reviews/${b.id}/override`, {}), 422);
    assertError(assert, await hr.post(`/api/v1/reviews/${b.id}/override`, { reason: 'x', to: 'hired' }), 422, 'invalid_value');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    const o = await hr.post(`/api/v1/reviews/${b.id}/override`, { reason: '沟通评分与面试记录不符，复核后恢复' });
    assert.equal(o.status, 200, o.text);
    assert.equal(o.body.stage, 'ai_pending_evaluation');
    assert.equal(o.body.elimination_reason, null);
    const hist = (await hr.get(`/api/v1/applications/${b.id}/history`)).body.items;
    const last = hist[hist.length - 1];
    assert.equal(last.from, 'eliminated_pending_review');
    assert.equal(last.reason, '沟通评分与面试记录不符，复核后恢复');
    assert.equal(last.actor, 'hr');
    const audit = await s.admin.get(`/api/v1/audit?entity=application&id=${b.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'application.transition'), audit.text);
  });

  test('bulk confirm: each in its own transaction with a per-item outcome', async () => {
    const a = (await scored('ENG-BE-01', 30)).app;
    const b = (await scored('ENG-BE-01', 31)).app;
    await eliminate(a);
    await eliminate(b);
    const notInReview = (await scored('ENG-BE-01', 90)).app;
    const r = await hr.post('/api/v1/reviews/confirm', { application_ids: [a.id, notInReview.id, b.id, 999999999] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.confirmed, 2);
    assert.equal(r.body.failed, 2);
    assert.deepEqual(r.body.items.map((x) => x.ok), [true, false, true, false]);
    assert.equal(r.body.items[1].error.code, 'not_in_review');
    assert.equal(r.body.items[3].status, 404);
    assert.equal(await stage(a), 'eliminated_pending_export');
    assert.equal(await stage(notInReview), 'ai_pending_evaluation');
    for (const bad of [{}, { application_ids: [] }, { application_ids: ['x'] }, { application_ids: [1], extra: 1 }]) {
      assertError(assert, await hr.post('/api/v1/reviews/confirm', bad), 422, '', JSON.stringify(bad));
    }
  });

  test('managers and interviewers cannot review; the server refuses them', async () => {
    const a = (await scored('ENG-BE-01', 20)).app;
    await eliminate(a);
    for (const who of ['mgr_eng', 'int1']) {
      const cl = s.clients[who];
      assertError(assert, await cl.get('/api/v1/reviews'), 403, '', who);
      assertError(assert, await cl.post(`/api/v1/reviews/${a.id}/confirm`, {}), 403, '', who);
      assertError(assert, await cl.post(`/api/v1/reviews/${a.id}/override`, { reason: 'x' }), 403, '', who);
      assertError(assert, await cl.post('/api/v1/reviews/confirm', { application_ids: [a.id] }), 403, '', who);
    }
    assert.equal(await stage(a), 'eliminated_pending_review');
  });

  test('talentd reviews list / confirm / override', async () => {
    const a = (await scored('ENG-BE-01', 25)).app;
    const b = (await scored('ENG-BE-01', 26)).app;
    await eliminate(a);
    await eliminate(b);
    let r = await srv.cli(['reviews', 'list', '--position', 'ENG-BE-01']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).items.some((x) => x.application_id === a.id));
    r = await srv.cli(['reviews', 'confirm', String(a.id), '--note', 'ok']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).confirmed, 1);
    r = await srv.cli(['reviews', 'override', String(b.id), '--reason', '复核恢复']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).stage, 'ai_pending_evaluation');
    r = await srv.cli(['reviews', 'override', String(b.id)]);
    assert.equal(r.code, 2, 'no --reason');
    r = await srv.cli(['reviews', 'confirm', String(b.id)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).failed, 1);
  });
});

describe('fairness check', () => {
  test('configuration is admin-only; answers only for configured attributes', async () => {
    assertError(assert, await hr.req('PUT', '/api/v1/fairness/config', { body: { attributes: [] } }), 403);
    for (const bad of [
      { attributes: [{ attr: 'Gender', label_zh: '性别', label_en: 'Gender' }] },
      { attributes: [{ attr: 'gender', label_zh: '性别' }] },
      { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'G' }, { attr: 'gender', label_zh: '性别', label_en: 'G' }] },
      { attributes: 'gender' },
    ]) {
      assertError(assert, await s.admin.req('PUT', '/api/v1/fairness/config', { body: bad }), 422, '', JSON.stringify(bad));
    }
    const put = await s.admin.req('PUT', '/api/v1/fairness/config', {
      body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }, { attr: 'age_band', label_zh: '年龄段', label_en: 'Age band' }] },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.attributes.map((a) => a.attr), ['age_band', 'gender']);
    const got = await hr.get('/api/v1/fairness/config');
    assert.equal(got.body.attributes.length, 2);
    const { candidate } = await scored('SALES-01', 80);
    assertError(assert, await hr.req('PUT', `/api/v1/candidates/${candidate.id}/attributes`, { body: { religion: 'x' } }), 422, 'unknown_field');
    const ok = await hr.req('PUT', `/api/v1/candidates/${candidate.id}/attributes`, { body: { gender: '女' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.attributes, { gender: '女' });
    const cleared = await hr.req('PUT', `/api/v1/candidates/${candidate.id}/attributes`, { body: { gender: null } });
    assert.deepEqual(cleared.body.attributes, {});
    assertError(assert, await s.clients.int1.get(`/api/v1/candidates/${candidate.id}/attributes`), 403);
  });

  test('impact ratios of the AI recommendation flag a group below 0.8; an acknowledgement is audited', async () => {
    await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
    const pos = `FAIR-${uniq()}`;
    const p = await s.admin.post('/api/v1/positions', {
      code: pos, title: 'Fairness', org_unit: 'SALES', headcount: 5, status: 'open',
      competency_model: [{ dim: 'logic', weight: 0.5, min: 60 }, { dim: 'communication', weight: 0.5, min: 50 }],
    });
    assert.equal(p.status, 201, p.text);
    // women: 3 of 6 recommended (0.5); men: 6 of 6 (1.0) -> women's ratio 0.5, flagged
    const people = [];
    for (let i = 0; i < 6; i++) people.push(['女', i < 3 ? 90 : 20], ['男', 90]);
    for (const [g, score] of people) {
      const { candidate } = await scored(pos, score);
      const r = await hr.req('PUT', `/api/v1/candidates/${candidate.id}/attributes`, { body: { gender: g } });
      assert.equal(r.status, 200, r.text);
    }
    await scored(pos, 90); // one without an answer: shown, never judged
    const rep = await hr.get(`/api/v1/fairness?position=${pos}`);
    assert.equal(rep.status, 200, rep.text);
    assert.equal(rep.body.flagged, true);
    assert.equal(rep.body.acknowledged, false);
    assert.equal(rep.body.ai_recommendation.selected_means_code, 'not_not_recommended');
    const g = rep.body.ai_recommendation.attributes[0];
    assert.equal(g.attr, 'gender');
    const byValue = Object.fromEntries(g.groups.map((x) => [x.value, x]));
    assert.equal(byValue['女'].total, 6);
    assert.equal(byValue['女'].selected, 3);
    assert.equal(byValue['女'].impact_ratio, 0.5);
    assert.equal(byValue['女'].flagged, true);
    assert.equal(byValue['男'].impact_ratio, 1);
    const none = g.groups.find((x) => x.value === null);
    assert.equal(none.total, 1);
    assert.equal(none.impact_ratio, null);
    assert.equal(none.rate, 1);
    assert.equal(none.flagged, false);

    assertError(assert, await hr.post('/api/v1/fairness/acknowledgements', { position: pos }), 422);
    assertError(assert, await s.clients.mgr_sales.post('/api/v1/fairness/acknowledgements', { position: pos, reason: 'x' }), 403);
    const ack = await hr.post('/api/v1/fairness/acknowledgements', { position: pos, reason: '样本量小，已人工复核每位候选人的评估' });
    assert.equal(ack.status, 201, ack.text);
    const again = await hr.get(`/api/v1/fairness?position=${pos}`);
    assert.equal(again.body.acknowledged, true);
    assert.equal(again.body.acknowledgement.reason, '样本量小，已人工复核每位候选人的评估');
    const audit = await s.admin.get(`/api/v1/audit?entity=position&id=${p.body.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'fairness.acknowledge'), audit.text);

    // a position with nothing flagged has nothing to acknowledge
    assertError(assert, await hr.post('/api/v1/fairness/acknowledgements', { position: 'ENG-01', reason: 'x' }), 409, 'not_flagged');
    assertError(assert, await hr.get('/api/v1/fairness'), 422);
    assertError(assert, await hr.get('/api/v1/fairness?position=NOPE'), 422);

    const cli = await srv.cli(['fairness', 'report', '--position', pos]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).flagged, true);
  });

  test('eliminations leave the buffer only when the position is acknowledged; incomplete evaluations are held back', async () => {
    await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
    const pos = `GATE-${uniq()}`;
    const p = await s.admin.post('/api/v1/positions', {
      code: pos, title: 'Gate', org_unit: 'SALES', headcount: 5, status: 'open',
      competency_model: [{ dim: 'logic', weight: 0.5, min: 60 }, { dim: 'communication', weight: 0.5, min: 50 }],
    });
    assert.equal(p.status, 201, p.text);
    const low = [];
    for (let i = 0; i < 6; i++) {
      for (const [g, score] of [['女', i < 3 ? 20 : 90], ['男', 90]]) {
        const { app, candidate } = await scored(pos, score);
        await hr.req('PUT', `/api/v1/candidates/${candidate.id}/attributes`, { body: { gender: g } });
        if (score < 60) low.push(app);
      }
    }
    // two more eliminations whose evaluation is incomplete: no transcript; a dimension of the model missing
    const mk = async (mut) => {
      const c = await hr.post('/api/v1/candidates', { name: `缺项 ${uniq()}`, email: `gate.${uniq()}@example.com` });
      const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: pos });
      const body = result(a.body.id, 20);
      mut(body);
      const r = await hr.post('/api/v1/results', body);
      assert.equal(r.status, 201, r.text);
      return a.body;
    };
    const noTranscript = await mk((b) => delete b.transcript);
    const noDim = await mk((b) => (b.dimensions = b.dimensions.filter((d) => d.key !== 'communication')));
    for (const app of [...low, noTranscript, noDim]) {
      const t = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'eliminated_pending_export', reason: 'skills_mismatch' });
      assert.equal(t.status, 200, t.text);
    }
    const tpl = await hr.post('/api/v1/export-templates', { name: 'gate-' + uniq(), fields: ['application.id', 'candidate.name'] });
    assert.equal(tpl.status, 201, tpl.text);
    const exp = { template: tpl.body.name, filter: { position: pos } };

    const before = await dbSnapshot(srv);
    const refused = await hr.post('/api/v1/exports', exp);
    assert.match(assertError(assert, refused, 409, 'fairness_unacknowledged').message, new RegExp(pos));
    assert.equal(await dbSnapshot(srv), before, 'a refused export changes nothing');

    const ack = await hr.post('/api/v1/fairness/acknowledgements', { position: pos, reason: '已逐一复核淘汰理由' });
    assert.equal(ack.status, 201, ack.text);
    const job = await hr.post('/api/v1/exports', exp);
    assert.equal(job.status, 201, job.text);
    assert.equal(job.body.rows, 3);
    assert.equal(job.body.moved, 3);
    assert.equal(job.body.held_back, 2);
    const held = Object.fromEntries(job.body.held_back_items.map((x) => [x.application_id, x.missing]));
    assert.deepEqual(held[noTranscript.id], ['transcript']);
    assert.deepEqual(held[noDim.id], ['dim.communication']);
    for (const app of low) assert.equal(await stage(app), 'exported');
    for (const app of [noTranscript, noDim]) assert.equal(await stage(app), 'eliminated_pending_export', 'held back in the buffer');
    const again = await hr.post('/api/v1/exports', exp);
    assert.match(assertError(assert, again, 422, 'nothing_to_export').message, /incomplete evaluation/);
    await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [] } });
  });
});

describe('talent pool', () => {
  test('kept by hand with tags; searched by tag and dimension; ranked for a new position; removed', async () => {
    const strong = (await scored('SALES-01', 88)).app;
    const weak = (await scored('SALES-01', 40)).app;
    const eng = (await scored('ENG-01', 75)).app;
    const tag = `储备-${uniq()}`;
    for (const a of [strong, weak, eng]) {
      const r = await hr.post('/api/v1/talent-pool', { application_id: a.id, tags: [tag, '可复联'] });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.body.tags.includes(tag) && r.body.tags.includes('可复联'), r.text);
    }
    assert.equal((await stage(strong)), 'ai_pending_evaluation', 'keeping in the pool does not move the stage');
    let r = await hr.get(`/api/v1/talent-pool?tag=${encodeURIComponent(tag)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.application_id).sort(), [strong.id, weak.id, eng.id].sort());
    r = await hr.get(`/api/v1/talent-pool?tag=${encodeURIComponent(tag)}&dim.logic_gte=70`);
    assert.deepEqual(r.body.items.map((x) => x.application_id).sort(), [strong.id, eng.id].sort());
    assert.equal(r.body.items.find((x) => x.application_id === strong.id).dims.logic, 88);
    r = await hr.get(`/api/v1/talent-pool?tag=${encodeURIComponent(tag)}&for_position=ENG-BE-01`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.application_id), [strong.id, eng.id, weak.id], 'best match first');
    assert.equal(r.body.items[0].match.match_score, 88);
    assert.equal(r.body.ranked_for, 'ENG-BE-01');
    // a manager sees the pool of their subtree only; interviewers are refused
    r = await s.clients.mgr_eng.get(`/api/v1/talent-pool?tag=${encodeURIComponent(tag)}`);
    assert.deepEqual(r.body.items.map((x) => x.application_id), [eng.id]);
    assertError(assert, await s.clients.int1.get('/api/v1/talent-pool'), 403);
    assertError(assert, await s.clients.mgr_eng.post('/api/v1/talent-pool', { application_id: eng.id }), 403);
    for (const bad of [{}, { application_id: 'x' }, { application_id: weak.id, tags: 'x' }, { application_id: weak.id, tags: [''] }]) {
      assertError(assert, await hr.post('/api/v1/talent-pool', bad), 422, '', JSON.stringify(bad));
    }
    assertError(assert, await hr.get('/api/v1/talent-pool?nope=1'), 400);
    assertError(assert, await hr.get('/api/v1/talent-pool?dim.logic_gte=abc'), 422);
    const del = await hr.del(`/api/v1/talent-pool/${weak.id}`);
    assert.equal(del.status, 200, del.text);
    assertError(assert, await hr.del(`/api/v1/talent-pool/${weak.id}`), 409, 'not_in_pool');
    const audit = await s.admin.get(`/api/v1/audit?entity=application&id=${weak.id}`);
    assert.deepEqual(audit.body.items.filter((e) => e.action.startsWith('talent_pool.')).map((e) => e.action).sort(), ['talent_pool.add', 'talent_pool.remove']);
    const cli = await srv.cli(['pool', 'search', '--tag', tag, '--dim', 'logic>=70', '--for-position', 'ENG-BE-01']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).items.map((x) => x.application_id), [strong.id, eng.id]);
    assert.equal((await srv.cli(['pool', 'search', '--dim', 'logic=70'])).code, 2);
  });
});
