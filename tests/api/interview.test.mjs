// interview.test.mjs - the candidate's AI interview session (issue 4): HR
// invites (single and bulk) with the invitation text; the candidate reads the
// questions (no rubric), autosaves drafts and final answers with versions,
// is warned before exiting, exits incomplete (answers kept) or completed,
// resumes or restarts; the application's stage follows every step; on
// completion the built-in rubric scorer's result enters through the normal
// ingestion path and shows in the report. Expiry through the sweep command
// `talentd interviews expire --before TIME` (time cannot pass in a test).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import path from 'node:path';

import { assertError, dbSnapshot, psql, run, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let anon;
let qs; // no restart
let qsRestart;

const Q1 = {
  text_zh: '请描述一次你带领团队解决问题的经历。',
  text_en: 'Describe a time you led a team to solve a problem.',
  time_limit_s: 120,
  required: true,
  dims: ['communication', 'logic'],
  rubric: {
    phrases: { communication: [{ text: '沟通', weight: 2 }, { text: '协调', weight: 1 }], logic: [{ text: '分析', weight: 1 }] },
    sample_answer: '当时……',
  },
};
const Q2 = { text_zh: '你为什么想加入我们？', text_en: 'Why do you want to join us?', required: true, dims: ['communication'] };
const Q3 = { text_zh: '还有什么想补充的吗？', required: false, dims: ['communication'] };

const GOOD = '当时项目延期，我的任务是协调三个小组。我首先和各组沟通，分析原因，然后重新排期，结果交付时间缩短了20%。';

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
  anon = srv.anon();
  const mk = async (body) => {
    const r = await s.admin.post('/api/v1/question-sets', body);
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  qs = await mk({ code: `IV-${uniq()}`, name: '销售面试', questions: [Q1, Q2, Q3] });
  qsRestart = await mk({ code: `IVR-${uniq()}`, name: 'Restartable', allow_restart: true, questions: [Q1, Q3] });
});

after(async () => {
  if (srv) await srv.stop();
});

/** A fresh application (stage applied) for SALES-01. */
async function freshApp() {
  const c = await s.admin.post('/api/v1/candidates', { name: '候选人 ' + uniq(), email: `iv.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await s.admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function invite(app, body = { question_set: qs.code }) {
  const r = await hr.post(`/api/v1/applications/${app.id}/invite`, body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const stage = async (app) => (await hr.get(`/api/v1/applications/${app.id}`)).body.stage;
const I = (token, rest = '') => `/api/v1/interview/${token}${rest}`;
const put = (token, qid, body) => anon.req('PUT', I(token, `/answers/${qid}`), { body });

describe('invite', () => {
  test('creates a session with a tdi_ token shown once, the invitation in zh and en, and moves to ai_invited', async () => {
    const app = await freshApp();
    const inv = await invite(app, { question_set: qs.code, expires_in_days: 3 });
    assert.match(inv.token, /^tdi_/);
    assert.equal(inv.path, `/i/${inv.token}`);
    assert.equal(inv.link, null, 'no public address configured: the path only');
    assert.equal(inv.session.status, 'invited');
    assert.equal(inv.session.question_set, qs.code);
    assert.equal(inv.session.total, 3);
    assert.equal(inv.session.token, undefined);
    const days = (Date.parse(inv.session.expires_at) - Date.parse(inv.session.created_at)) / 86400000;
    assert.ok(Math.abs(days - 3) < 0.01, `3 days: ${days}`);
    assert.ok(inv.invitation.zh.includes(inv.path) && inv.invitation.en.includes(inv.path));
    assert.ok(inv.invitation.zh.includes('未完成的答题内容将不计入最终评估结果'), inv.invitation.zh);
    assert.ok(inv.invitation.zh.includes('自动保存') && inv.invitation.zh.includes('继续'));
    assert.ok(/saved automatically/.test(inv.invitation.en) && /continue where you stopped|pick up where you stopped/.test(inv.invitation.en));
    assert.ok(inv.invitation.zh.includes(inv.session.expires_at) && inv.invitation.en.includes(inv.session.expires_at));
    assert.equal(await stage(app), 'ai_invited');
    const list = await hr.get(`/api/v1/applications/${app.id}/interviews`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    assert.ok(!list.text.includes(inv.token), 'no token in the list');
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${inv.session.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'interview.invite'), audit.text);
    // a live session refuses a second invitation
    const again = await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: qs.code });
    assertError(assert, again, 409, 'interview_open');
    // a set with sessions cannot be deleted
    assertError(assert, await hr.del(`/api/v1/question-sets/${qs.id}`), 409, 'in_use');
  });

  test('a set that belongs to another position is refused', async () => {
    const other = (await s.admin.post('/api/v1/question-sets', { code: `IVO-${uniq()}`, name: 'Other', position: 'ENG-01', questions: [Q2] })).body;
    assert.ok(other.id, JSON.stringify(other));
    const app = await freshApp();
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: other.code }), 422, 'wrong_position');
    assert.equal(await stage(app), 'applied');
  });

  test('the position default set is used; without one it is 422 no_question_set; bad input changes nothing', async () => {
    const app = await freshApp();
    const before = await dbSnapshot(srv);
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, {}), 422, 'no_question_set');
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: 'NOPE' }), 422, 'invalid_reference');
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: qs.code, expires_in_days: 31 }), 422);
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: qs.code, expires_in_days: 0 }), 422);
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { bogus: 1 }), 422);
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    const pos = await s.admin.get(`/api/v1/positions/${s.pos['ENG-01'].id}`);
    const p = await s.admin.patch(`/api/v1/positions/${s.pos['ENG-01'].id}`, { question_set: qsRestart.code, version: pos.body.version });
    assert.equal(p.status, 200, p.text);
    const c = await s.admin.post('/api/v1/candidates', { name: 'Eng ' + uniq(), email: `iv.eng.${uniq()}@example.com` });
    const a = await s.admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'ENG-01' });
    const inv = await invite(a.body, {});
    assert.equal(inv.session.question_set, qsRestart.code);
  });

  test('bulk: each application in its own transaction with a per-item outcome', async () => {
    const a1 = await freshApp();
    const a2 = await freshApp();
    await invite(a2); // a2 already has a live session
    const r = await hr.post('/api/v1/interviews/invite', { application_ids: [a1.id, a2.id, 999999], question_set: qs.code });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.invited, 1);
    assert.equal(r.body.failed, 2);
    const [i1, i2, i3] = r.body.items;
    assert.equal(i1.ok, true);
    assert.match(i1.token, /^tdi_/);
    assert.equal(i1.application_id, a1.id);
    assert.equal(i2.ok, false);
    assert.equal(i2.error.code, 'interview_open');
    assert.equal(i2.status, 409);
    assert.equal(i3.status, 404);
    assert.equal(await stage(a1), 'ai_invited');
    assertError(assert, await hr.post('/api/v1/interviews/invite', { application_ids: [] }), 422);
  });
});

describe('the candidate session', () => {
  test('state, drafts, finals, versions, exit warning, incomplete, resume, complete, scored into the report', async () => {
    const app = await freshApp();
    const inv = await invite(app);
    const t = inv.token;
    // state: questions without rubric, nothing saved yet
    let st = await anon.get(I(t));
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.status, 'invited');
    assert.equal(st.body.questions.length, 3);
    assert.ok(!st.text.includes('rubric') && !st.text.includes('sample_answer') && !st.text.includes('weight'), 'no rubric');
    assert.deepEqual(st.body.progress, { answered: 0, saved: 0, total: 3, required: 2, required_answered: 0 });
    assert.ok(st.body.time_left_s > 6 * 86400 && st.body.time_left_s <= 7 * 86400);
    assert.equal(st.body.resume_offer, null);
    const [q1, q2, q3] = st.body.questions.map((q) => q.id);
    assert.equal(st.body.current_question, q1);
    assert.equal(st.body.questions[0].time_limit_s, 120);
    assert.equal(st.body.questions[2].required, false);

    // first draft starts the interview
    let r = await put(t, q1, { text: '当时', final: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 1);
    assert.equal(r.body.changed, true);
    assert.equal(r.body.status, 'in_progress');
    assert.equal(await stage(app), 'ai_in_progress');
    // the same text again changes nothing
    const snap = await dbSnapshot(srv);
    r = await put(t, q1, { text: '当时', final: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.changed, false);
    assert.equal(r.body.version, 1);
    let now = await dbSnapshot(srv);
    assert.ok(now === snap, snapshotDiff(snap, now));
    // two tabs: both start from version 1; the second is stale
    r = await put(t, q1, { text: GOOD, final: false, version: 1 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 2);
    assertError(assert, await put(t, q1, { text: 'other tab', final: false, version: 1 }), 409, 'version_conflict');
    // without a version the last write wins
    r = await put(t, q1, { text: GOOD + ' ', final: false });
    assert.equal(r.body.version, 3);
    r = await put(t, q1, { text: GOOD, final: true, version: 3 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.final, true);
    assert.equal(r.body.version, 4);
    assert.equal(r.body.current_question, q2, 'moves on to the next unanswered question');
    // the optional question is answered, the required q2 is only a draft
    assert.equal((await put(t, q3, { text: '没有了，谢谢。', final: true })).status, 200);
    assert.equal((await put(t, q2, { text: '草稿', final: false })).status, 200);

    // reopening offers to continue
    st = await anon.get(I(t));
    assert.equal(st.body.status, 'in_progress');
    assert.deepEqual(st.body.resume_offer.continue, true);
    assert.equal(st.body.resume_offer.restart, false);
    assert.equal(st.body.resume_offer.prompt_zh, '是否继续上次未完成的面试？');
    assert.equal(st.body.answers.length, 3);
    assert.equal(st.body.answers.find((a) => a.question_id === q2).final, false);

    // exit without confirm: the warning, nothing changes
    const beforeExit = await dbSnapshot(srv);
    r = await anon.post(I(t, '/exit'), {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.confirm_required, true);
    assert.equal(r.body.warning.zh, '未完成的答题内容将不计入最终评估结果');
    assert.ok(r.body.warning.en.length > 10);
    assert.deepEqual(r.body.unanswered_required.map((q) => q.id), [q2]);
    r = await anon.post(I(t, '/exit'), { confirm: false });
    assert.equal(r.body.confirm_required, true);
    now = await dbSnapshot(srv);
    assert.ok(now === beforeExit, snapshotDiff(beforeExit, now));

    // exit confirmed with q2 missing: incomplete, answers kept
    r = await anon.post(I(t, '/exit'), { confirm: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'incomplete');
    assert.equal(r.body.answers.length, 3);
    assert.equal(r.body.scoring, null);
    assert.equal(await stage(app), 'ai_incomplete');
    assertError(assert, await anon.post(I(t, '/exit'), { confirm: true }), 409, 'already_finished');
    assertError(assert, await put(t, q2, { text: 'x', final: true }), 409, 'not_in_progress');
    st = await anon.get(I(t));
    assert.equal(st.body.status, 'incomplete');
    assert.equal(st.body.resume_offer.continue, true);

    // resume: restart refused by this set, continue goes back to q2
    assertError(assert, await anon.post(I(t, '/resume'), { mode: 'restart' }), 409, 'restart_not_allowed');
    assertError(assert, await anon.post(I(t, '/resume'), { mode: 'sideways' }), 422);
    r = await anon.post(I(t, '/resume'), { mode: 'continue' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'in_progress');
    assert.equal(r.body.current_question, q2);
    assert.equal(r.body.answers.length, 3, 'answers kept');
    assert.equal(await stage(app), 'ai_in_progress');

    // finish: completed, application pending evaluation, a builtin result in the report
    r = await put(t, q2, { text: '我很认同贵公司的使命，希望在这里与团队沟通协作，分析客户需求。', final: true });
    assert.equal(r.status, 200, r.text);
    r = await anon.post(I(t, '/exit'), { confirm: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'completed');
    assert.deepEqual(r.body.unanswered_required, []);
    assert.equal(r.body.scoring.ok, true, r.text);
    assert.ok(r.body.completed_at);
    assert.equal(await stage(app), 'ai_pending_evaluation');
    assertError(assert, await anon.post(I(t, '/exit'), { confirm: true }), 409, 'already_finished');
    assertError(assert, await put(t, q2, { text: 'late', final: true }), 409, 'already_finished');
    st = await anon.get(I(t));
    assert.equal(st.status, 200, 'a completed session stays readable');
    assert.equal(st.body.status, 'completed');

    const rep = await hr.get(`/api/v1/applications/${app.id}/report`);
    assert.equal(rep.status, 200, rep.text);
    const res = rep.body.result;
    assert.equal(res.vendor, 'builtin');
    assert.equal(res.vendor_result_id, `session-${inv.session.id}`);
    const comm = res.dimensions.find((d) => d.key === 'communication');
    assert.ok(comm, rep.text);
    assert.ok(comm.evidence.includes('Q1: 沟通, 协调'), comm.evidence);
    assert.ok(comm.evidence.includes('STAR'), comm.evidence);
    assert.ok(comm.score > 0);
    assert.ok(res.dimensions.find((d) => d.key === 'logic'));
    assert.ok(res.transcript.some((seg) => seg.speaker === 'ai' && seg.text === Q1.text_zh));
    assert.ok(res.transcript.some((seg) => seg.speaker === 'candidate' && seg.text === GOOD));
    assert.ok(res.tags.includes('STAR partial') || res.tags.includes('STAR complete'), JSON.stringify(res.tags));
    assert.ok(res.key_moments.some((m) => m.label.startsWith('Q1 keywords: 沟通')), JSON.stringify(res.key_moments));

    const list = await hr.get(`/api/v1/applications/${app.id}/interviews`);
    const sess = list.body.items[0];
    assert.equal(sess.status, 'completed');
    assert.equal(sess.result_id, res.id);
    assert.ok(sess.scored_at);
    assert.equal(sess.score_error, null);
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${inv.session.id}&limit=200`);
    const actions = audit.body.items.map((e) => e.action);
    for (const a of ['interview.invite', 'interview.start', 'interview.answer_save', 'interview.incomplete', 'interview.resume',
      'interview.complete', 'interview.score']) {
      assert.ok(actions.includes(a), `${a} in ${actions}`);
    }
    // re-inviting a completed application is refused by the pipeline
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: qs.code }), 409, 'illegal_transition');
  });

  test('answers to a question not in the set, oversize, blank final, bad bodies', async () => {
    const app = await freshApp();
    const { token: t } = await invite(app);
    const st = await anon.get(I(t));
    const q1 = st.body.questions[0].id;
    const other = qsRestart.questions[0].id;
    const before = await dbSnapshot(srv);
    assertError(assert, await put(t, other, { text: 'x', final: false }), 404);
    assertError(assert, await put(t, 99999999, { text: 'x', final: false }), 404);
    assertError(assert, await put(t, q1, { text: 'a'.repeat(20001), final: false }), 413);
    assertError(assert, await put(t, q1, { text: '汉'.repeat(6667), final: false }), 413, '', '20001 bytes of Chinese');
    assertError(assert, await put(t, q1, { text: '   ', final: true }), 422, 'blank_answer');
    assertError(assert, await put(t, q1, { final: true }), 422);
    assertError(assert, await put(t, q1, { text: 1 }), 422);
    assertError(assert, await put(t, q1, { text: 'x', extra: 1 }), 422);
    assertError(assert, await put(t, q1, { text: 'x', version: 5 }), 409, 'version_conflict');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    assert.equal(await stage(app), 'ai_invited');
    // exactly 20000 bytes is fine
    const r = await put(t, q1, { text: 'a'.repeat(20000), final: false });
    assert.equal(r.status, 200, r.text);
  });

  test('wrong, unknown and revoked tokens are 404; revoking moves the application to ai_incomplete; re-invite', async () => {
    const app = await freshApp();
    const inv = await invite(app);
    for (const bad of ['tdi_nope', 'nope', 'tdc_' + inv.token.slice(4), inv.token + 'x']) {
      assertError(assert, await anon.get(I(bad)), 404, '', bad);
    }
    const q1 = (await anon.get(I(inv.token))).body.questions[0].id;
    assert.equal((await put(inv.token, q1, { text: '开始', final: false })).status, 200);
    const rv = await hr.post(`/api/v1/interviews/${inv.session.id}/revoke`, {});
    assert.equal(rv.status, 200, rv.text);
    assert.equal(rv.body.status, 'revoked');
    assert.ok(rv.body.revoked_at);
    assert.equal(await stage(app), 'ai_incomplete');
    assertError(assert, await anon.get(I(inv.token)), 404);
    assertError(assert, await put(inv.token, q1, { text: 'x' }), 404);
    assertError(assert, await anon.post(I(inv.token, '/exit'), { confirm: true }), 404);
    assertError(assert, await anon.post(I(inv.token, '/resume'), { mode: 'continue' }), 404);
    assertError(assert, await hr.post(`/api/v1/interviews/${inv.session.id}/revoke`, {}), 409, 'not_open');
    // a new invitation from ai_incomplete works
    const again = await invite(app);
    assert.equal(await stage(app), 'ai_invited');
    assert.notEqual(again.token, inv.token);
    const st = await anon.get(I(again.token));
    assert.equal(st.body.answers.length, 0, 'a new session starts empty');
  });

  test('restart allowed by the set clears the answers; an incomplete session is re-invited with the old one revoked', async () => {
    const app = await freshApp();
    const inv = await invite(app, { question_set: qsRestart.code });
    const t = inv.token;
    const [q1] = (await anon.get(I(t))).body.questions.map((q) => q.id);
    assert.equal((await put(t, q1, { text: GOOD, final: true })).status, 200);
    let st = await anon.get(I(t));
    assert.equal(st.body.resume_offer.restart, true);
    const r = await anon.post(I(t, '/resume'), { mode: 'restart' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.answers.length, 0);
    assert.equal(r.body.status, 'in_progress');
    assert.equal(r.body.current_question, q1);
    // exit with nothing answered: incomplete; HR re-invites and the old link is revoked
    assert.equal((await anon.post(I(t, '/exit'), { confirm: true })).body.status, 'incomplete');
    assert.equal(await stage(app), 'ai_incomplete');
    const again = await invite(app, { question_set: qsRestart.code });
    assertError(assert, await anon.get(I(t)), 404, '', 'old link revoked');
    st = await anon.get(I(again.token));
    assert.equal(st.body.status, 'invited');
    const list = (await hr.get(`/api/v1/applications/${app.id}/interviews`)).body.items;
    assert.deepEqual(list.map((x) => x.status), ['invited', 'revoked']);
  });
});

describe('the invitation shown again, the CLI', () => {
  test('HR gets the same link and text again while the session is open; others are refused; audited', async () => {
    const app = await freshApp();
    const inv = await invite(app);
    const r = await hr.get(`/api/v1/interviews/${inv.session.id}/invitation`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.token, inv.token);
    assert.equal(r.body.path, inv.path);
    assert.equal(r.body.invitation.zh, inv.invitation.zh);
    assert.equal(r.body.invitation.en, inv.invitation.en);
    assert.equal(r.body.session.id, inv.session.id);
    assert.equal(r.body.session._questions, undefined);
    // the link still works
    assert.equal((await anon.get(I(r.body.token))).status, 200);
    for (const who of ['mgr_sales', 'int1']) {
      const x = await s.clients[who].get(`/api/v1/interviews/${inv.session.id}/invitation`);
      assert.ok(x.status === 403 || x.status === 404, `${who}: ${x.status}`);
      assert.ok(!x.text.includes(inv.token));
    }
    assertError(assert, await anon.get(`/api/v1/interviews/${inv.session.id}/invitation`), 401);
    assertError(assert, await hr.get('/api/v1/interviews/999999999/invitation'), 404);
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${inv.session.id}`);
    const shown = audit.body.items.filter((e) => e.action === 'interview.invitation_shown');
    assert.equal(shown.length, 1, audit.text);
    assert.ok(!audit.text.includes(inv.token), 'the token is not in the audit trail');
    // a session whose token was not kept (made before links were kept) says so
    const legacy = await invite(await freshApp());
    const sql = `UPDATE interview_session SET token_enc = NULL WHERE id = ${legacy.session.id}`;
    if (srv.dbUrl) await psql(srv.dbUrl, sql);
    else assert.equal((await run('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'talentd.db'), sql])).code, 0);
    assertError(assert, await hr.get(`/api/v1/interviews/${legacy.session.id}/invitation`), 409, 'link_unavailable');
    // revoked: no link to show
    assert.equal((await hr.post(`/api/v1/interviews/${inv.session.id}/revoke`, {})).status, 200);
    assertError(assert, await hr.get(`/api/v1/interviews/${inv.session.id}/invitation`), 409, 'not_open');
  });

  test('talentd interviews invite, invitation, revoke: the same use cases from the command line', async () => {
    const app = await freshApp();
    let r = await srv.cli(['interviews', 'invite', String(app.id), '--question-set', qs.code, '--days', '2', '--public-url', 'ftp://x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--public-url/);
    r = await srv.cli(['interviews', 'invite', String(app.id), '--question-set', qs.code, '--days', '2', '--public-url', 'https://hr.example.com/']);
    assert.equal(r.code, 0, r.stderr);
    const inv = JSON.parse(r.stdout);
    assert.match(inv.token, /^tdi_/);
    // with the public address known, the invitation carries the whole link
    assert.equal(inv.link, `https://hr.example.com/i/${inv.token}`);
    assert.ok(inv.invitation.zh.includes(inv.link) && inv.invitation.en.includes(inv.link), inv.invitation.zh);
    assert.equal(inv.session.status, 'invited');
    assert.ok(inv.invitation.zh.includes(inv.path));
    assert.equal(await stage(app), 'ai_invited');
    assert.equal((await anon.get(I(inv.token))).status, 200);
    r = await srv.cli(['interviews', 'invitation', String(inv.session.id)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).token, inv.token);
    r = await srv.cli(['interviews', 'invite', String(app.id), '--question-set', qs.code]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /still open/);
    r = await srv.cli(['interviews', 'revoke', String(inv.session.id)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'revoked');
    assert.equal(await stage(app), 'ai_incomplete');
    r = await srv.cli(['interviews', 'invitation', String(inv.session.id)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /revoked/);
    for (const bad of [['interviews', 'invite', 'x'], ['interviews', 'invite', String(app.id), '--days', '31'],
      ['interviews', 'revoke'], ['interviews', 'frobnicate']]) {
      r = await srv.cli(bad);
      assert.equal(r.code, 2, bad.join(' '));
    }
  });
});

describe('editing the question set during an interview', () => {
  test('a live session keeps the questions it was invited with; new invitations get the edited set', async () => {
    const set = (await s.admin.post('/api/v1/question-sets', { code: `IVE-${uniq()}`, name: 'Editable', questions: [Q1, Q2] })).body;
    const app = await freshApp();
    const inv = await invite(app, { question_set: set.code });
    assert.equal(inv.session.set_version, set.version);
    const t = inv.token;
    const before = (await anon.get(I(t))).body.questions;
    assert.equal((await put(t, before[0].id, { text: GOOD, final: true })).status, 200);
    // HR rewrites the set: question 1 removed, question 2 reworded, a new required question added
    const q2 = set.questions[1];
    const ed = await hr.patch(`/api/v1/question-sets/${set.id}`, {
      questions: [{ ...Q2, id: q2.id, text_zh: '改写后的问题' }, { text_zh: '新增的必答题', required: true, dims: ['logic'] }],
    });
    assert.equal(ed.status, 200, ed.text);
    const st = (await anon.get(I(t))).body;
    assert.deepEqual(st.questions.map((q) => [q.id, q.text_zh]), before.map((q) => [q.id, q.text_zh]));
    assert.equal(st.answers.length, 1, 'the answer to the removed question is kept');
    // a question that was added after the invitation is not part of this interview
    const added = ed.body.questions.find((q) => q.text_zh === '新增的必答题');
    assertError(assert, await put(t, added.id, { text: GOOD, final: true }), 404);
    // finishing the original questions completes the interview and it is scored on them
    assert.equal((await put(t, before[1].id, { text: GOOD, final: true })).status, 200);
    const ex = await anon.post(I(t, '/exit'), { confirm: true });
    assert.equal(ex.status, 200, ex.text);
    assert.equal(ex.body.status, 'completed');
    assert.equal(await stage(app), 'ai_pending_evaluation');
    const sess = (await hr.get(`/api/v1/applications/${app.id}/interviews`)).body.items[0];
    assert.ok(sess.result_id, JSON.stringify(sess));
    assert.equal(sess.total, 2);
    // a new invitation works from the edited set
    const app2 = await freshApp();
    const inv2 = await invite(app2, { question_set: set.code });
    assert.equal(inv2.session.set_version, ed.body.version);
    const st2 = (await anon.get(I(inv2.token))).body;
    assert.deepEqual(st2.questions.map((q) => q.text_zh), ['改写后的问题', '新增的必答题']);
  });
});

describe('expiry (talentd interviews expire)', () => {
  test('the sweep expires open sessions before the given time; candidate calls then answer 409 expired', async () => {
    const app = await freshApp();
    const inv = await invite(app, { question_set: qs.code, expires_in_days: 1 });
    const t = inv.token;
    const q1 = (await anon.get(I(t))).body.questions[0].id;
    assert.equal((await put(t, q1, { text: GOOD, final: true })).status, 200);
    const later = await freshApp();
    const invLater = await invite(later, { question_set: qs.code, expires_in_days: 30 });

    // nothing is past the deadline now
    let r = await srv.cli(['interviews', 'expire']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /expired 0 /);
    // a sweep "two days from now" expires the 1-day session only
    const when = new Date(Date.now() + 2 * 86400000).toISOString();
    r = await srv.cli(['interviews', 'expire', '--before', when]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(/expired [1-9]\d* /.test(r.stdout), r.stdout);
    assert.equal(await stage(app), 'ai_incomplete');
    assert.equal(await stage(later), 'ai_invited');
    assert.equal((await anon.get(I(invLater.token))).status, 200);

    assertError(assert, await anon.get(I(t)), 409, 'expired');
    assertError(assert, await put(t, q1, { text: 'late', final: true }), 409, 'expired');
    assertError(assert, await anon.post(I(t, '/exit'), { confirm: true }), 409, 'expired');
    assertError(assert, await anon.post(I(t, '/resume'), { mode: 'continue' }), 409, 'expired');
    const sess = (await hr.get(`/api/v1/applications/${app.id}/interviews`)).body.items[0];
    assert.equal(sess.status, 'expired');
    assert.equal(sess.saved, 1, 'answers kept');
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${inv.session.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'interview.expire'), audit.text);
  });

  test('an expired application can be invited again', async () => {
    const app = await freshApp();
    await invite(app, { question_set: qs.code, expires_in_days: 1 });
    const r = await srv.cli(['interviews', 'expire', '--before', new Date(Date.now() + 3 * 86400000).toISOString()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await stage(app), 'ai_incomplete');
    const again = await invite(app);
    assert.equal(again.session.status, 'invited');
    assert.equal(await stage(app), 'ai_invited');
  });

  test('a bad --before is a usage error', async () => {
    const r = await srv.cli(['interviews', 'expire', '--before', 'yesterday']);
    assert.equal(r.code, 2);
  });
});
