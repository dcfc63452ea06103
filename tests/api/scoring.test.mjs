// scoring.test.mjs - the external interview scorer and the repairs around it
// (issue 4): talentd serve --scorer-url points at a local fake scorer (a node
// http server on 127.0.0.1) that can fail, hang, answer garbage or try to
// score another application. A scorer that fails twice (500, then a timeout)
// and then answers is retried into a scored session whose result carries
// vendor "external"; a scorer that always fails leaves the session completed
// with score_error and every answer kept, until `talentd rescore` or POST
// /interviews/{id}/rescore scores it; a scorer cannot write to another
// application. Then `talentd check`: clean on a fresh database and on
// everything this file did, and reporting mismatches planted straight into
// the database of the stopped server (sqlite3 / psql).

import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, psql, run, seed, startServer, uniq } from './lib/harness.mjs';

// ---------------------------------------------------------------------------
// the fake external scorer

const fake = {
  mode: 'good', // good | flaky | fail | invalid | foreign | garbage
  flaky: 0, // calls seen in flaky mode
  calls: [], // request bodies, parsed
  foreignApp: 0, // the application a "foreign" result claims
  hangMs: 2500, // longer than --scorer-timeout 1
  pending: new Set(),
};
let scorer;
let scorerUrl;

function goodResult(req, extra = {}) {
  return {
    vendor: 'someone-else',
    vendor_result_id: 'their-id',
    completed_at: '2020-01-01T00:00:00Z',
    model_version: 'fake-scorer 1.0',
    candidate: { application_id: req.application_id },
    overall: 77,
    vendor_recommendation: 'pass',
    dimensions: [
      { key: 'communication', score: 81, evidence: `external: ${req.answers.length} answers read` },
      { key: 'logic', score: 73, evidence: null },
    ],
    tags: ['external'],
    ...extra,
  };
}

function handle(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let parsed = null;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = { unparsable: body };
    }
    fake.calls.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: parsed });
    const reply = (status, obj) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    switch (fake.mode) {
      case 'flaky': {
        const n = ++fake.flaky;
        if (n === 1) return reply(500, { error: 'boom' });
        if (n === 2) {
          // no answer within the timeout: talentd gives up on this attempt and tries again
          const t = setTimeout(() => {
            fake.pending.delete(t);
            reply(503, { error: 'too late' });
          }, fake.hangMs);
          fake.pending.add(t);
          return undefined;
        }
        return reply(200, goodResult(parsed));
      }
      case 'fail':
        return reply(500, { error: 'scorer down' });
      case 'invalid':
        return reply(200, goodResult(parsed, { overall: 150 }));
      case 'garbage':
        return reply(200, 'this is not json');
      case 'foreign':
        return reply(
          200,
          goodResult(parsed, {
            vendor: 'native',
            vendor_result_id: 'stolen-1',
            candidate: { application_id: fake.foreignApp, email: 'victim@example.com' },
            overall: 11,
          }),
        );
      default:
        return reply(200, goodResult(parsed));
    }
  });
}

// ---------------------------------------------------------------------------

let srv;
let s;
let hr;
let anon;
let qs;

const Q1 = {
  text_zh: '请描述一次你带领团队解决问题的经历。',
  text_en: 'Describe a time you led a team to solve a problem.',
  required: true,
  dims: ['communication', 'logic'],
  rubric: { phrases: { communication: [{ text: '沟通', weight: 2 }], logic: [{ text: '分析', weight: 1 }] } },
};
const Q2 = { text_zh: '你为什么想加入我们？', text_en: 'Why do you want to join us?', required: true, dims: ['communication'] };
const A1 = '当时项目延期，我的任务是协调三个小组。我首先和各组沟通，分析原因，结果交付时间缩短了20%。';
const A2 = '我认同贵公司的使命。';

before(async () => {
  scorer = http.createServer(handle);
  await new Promise((r) => scorer.listen(0, '127.0.0.1', r));
  scorerUrl = `http://127.0.0.1:${scorer.address().port}/score`;
  srv = await startServer({ serveArgs: ['--scorer-url', scorerUrl, '--scorer-timeout', '1'] });
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  anon = srv.anon();
  const r = await s.admin.post('/api/v1/question-sets', { code: `SC-${uniq()}`, name: 'Scoring', questions: [Q1, Q2] });
  assert.equal(r.status, 201, r.text);
  qs = r.body;
});

after(async () => {
  if (srv) await srv.stop();
  for (const t of fake.pending) clearTimeout(t);
  if (scorer) {
    scorer.closeAllConnections?.();
    await new Promise((r) => scorer.close(r));
  }
});

/** A fresh application invited to qs: {app, token, session}. */
async function invited() {
  const c = await s.admin.post('/api/v1/candidates', { name: '候选人 ' + uniq(), email: `sc.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await s.admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
  assert.equal(a.status, 201, a.text);
  const inv = await hr.post(`/api/v1/applications/${a.body.id}/invite`, { question_set: qs.code });
  assert.equal(inv.status, 201, inv.text);
  return { app: a.body, token: inv.body.token, session: inv.body.session };
}

/** Answers both questions finally and exits confirmed; returns the exit answer. */
async function complete(token) {
  const st = await anon.get(`/api/v1/interview/${token}`);
  assert.equal(st.status, 200, st.text);
  const [q1, q2] = st.body.questions.map((q) => q.id);
  for (const [q, text] of [[q1, A1], [q2, A2]]) {
    const r = await anon.req('PUT', `/api/v1/interview/${token}/answers/${q}`, { body: { text, final: true } });
    assert.equal(r.status, 200, r.text);
  }
  const r = await anon.post(`/api/v1/interview/${token}/exit`, { confirm: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'completed');
  return r.body;
}

const sessionOf = async (app) => {
  const r = await hr.get(`/api/v1/applications/${app.id}/interviews`);
  assert.equal(r.status, 200, r.text);
  return r.body.items[0];
};
const reportOf = async (app) => {
  const r = await hr.get(`/api/v1/applications/${app.id}/report`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

describe('talentd check on a fresh database', () => {
  test('no mismatch, exit 0', async () => {
    const r = await srv.cli(['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^check: 0 mismatch\(es\)/m);
    const j = await srv.cli(['check', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(out.mismatches, []);
    assert.ok(out.checked.applications >= 4, j.stdout);
  });
});

describe('the external scorer', () => {
  test('fails twice (500, then no answer within the timeout), then answers: scored through the external path', async () => {
    fake.mode = 'flaky';
    fake.flaky = 0;
    fake.calls = [];
    const { app, token, session } = await invited();
    const t0 = Date.now();
    const ex = await complete(token);
    const took = Date.now() - t0;
    assert.equal(ex.scoring.ok, true, JSON.stringify(ex.scoring));
    assert.equal(fake.calls.length, 3, 'three attempts');
    assert.ok(took >= 2000, `a 1 s timeout and pauses between attempts: ${took} ms`);
    assert.ok(took < 15000, `bounded: ${took} ms`);
    // what the scorer was sent
    const call = fake.calls[2];
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/score');
    assert.match(call.type, /^application\/json/);
    assert.deepEqual(fake.calls[0].body, call.body, 'every attempt sends the same request');
    const req = call.body;
    assert.equal(req.session_id, session.id);
    assert.equal(req.application_id, app.id);
    assert.equal(req.position_code, 'SALES-01');
    assert.equal(req.question_set, qs.code);
    assert.ok(req.completed_at);
    assert.equal(req.questions.length, 2);
    assert.equal(req.questions[0].text_zh, Q1.text_zh);
    assert.equal(req.questions[0].text_en, Q1.text_en);
    assert.deepEqual(req.questions[0].dims, Q1.dims);
    assert.equal(req.questions[0].required, true);
    assert.ok(!JSON.stringify(req).includes('rubric'), 'the rubric stays home');
    assert.deepEqual(req.answers.map((a) => a.text), [A1, A2]);
    assert.deepEqual(req.answers.map((a) => a.question_id), req.questions.map((q) => q.id));

    const sess = await sessionOf(app);
    assert.equal(sess.status, 'completed');
    assert.equal(sess.score_error, null);
    assert.ok(sess.scored_at);
    assert.equal(sess.result_id, ex.scoring.result_id);
    const rep = await reportOf(app);
    assert.equal(rep.result.vendor, 'external', 'the scorer cannot choose its vendor');
    assert.equal(rep.result.vendor_result_id, `session-${session.id}`);
    assert.equal(rep.result.model_version, 'fake-scorer 1.0');
    assert.equal(rep.result.completed_at, sess.completed_at, "the session's completion time, not the scorer's");
    assert.equal(rep.result.overall.score, 77);
    assert.equal(rep.result.dimensions.find((d) => d.key === 'communication').score, 81);
    assert.equal(rep.result.dimensions.find((d) => d.key === 'communication').evidence, 'external: 2 answers read');
    assert.equal(rep.application.stage, 'ai_pending_evaluation');
    assert.ok(rep.result.match && typeof rep.result.match.match_score === 'number', 'the match report applies as to any result');
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${session.id}&limit=200`);
    assert.ok(audit.body.items.some((e) => e.action === 'interview.score'), audit.text);
  });

  test('always failing: completed, score_error set, answers kept; talentd rescore --session with a good scorer scores it', async () => {
    fake.mode = 'fail';
    fake.calls = [];
    const { app, token, session } = await invited();
    const ex = await complete(token);
    assert.equal(ex.scoring.ok, false, JSON.stringify(ex.scoring));
    assert.equal(fake.calls.length, 3, 'three attempts');
    let sess = await sessionOf(app);
    assert.equal(sess.status, 'completed');
    assert.equal(sess.result_id, null);
    assert.match(sess.score_error, /external scorer: answered HTTP 500 \(after 3 attempts\)/);
    assert.ok(!sess.score_error.includes(scorerUrl), 'no URL in the error');
    assert.equal(sess.answered, 2);
    const st = await anon.get(`/api/v1/interview/${token}`);
    assert.equal(st.status, 200, st.text);
    assert.deepEqual(st.body.answers.map((a) => [a.text, a.final]), [[A1, true], [A2, true]], 'answers intact');
    const rep = await reportOf(app);
    assert.equal(rep.result, null);
    assert.equal(rep.application.stage, 'ai_pending_evaluation');
    const audit = await s.admin.get(`/api/v1/audit?entity=interview_session&id=${session.id}&limit=200`);
    assert.ok(audit.body.items.some((e) => e.action === 'interview.score_fail'), audit.text);

    // rescore while the scorer is still down: still failed, exit 1
    let r = await srv.cli(['rescore', '--session', String(session.id), '--scorer-url', scorerUrl, '--scorer-timeout', '1']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^session ${session.id}: failed, external scorer: answered HTTP 500`, 'm'));

    fake.mode = 'good';
    fake.calls = [];
    r = await srv.cli(['rescore', '--session', String(session.id), '--scorer-url', scorerUrl]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = new RegExp(`^session ${session.id}: scored, result (\\d+) \\(external, version 1\\)$`, 'm').exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(fake.calls.length, 1);
    sess = await sessionOf(app);
    assert.equal(sess.result_id, Number(m[1]));
    assert.equal(sess.score_error, null);
    assert.ok(sess.scored_at);
    const rep2 = await reportOf(app);
    assert.equal(rep2.result.vendor, 'external');
    assert.equal(rep2.result.id, Number(m[1]));
    assert.equal(rep2.result.vendor_result_id, `session-${session.id}`);

    // the same scorer again: nothing new (a resend), still exit 0
    r = await srv.cli(['rescore', '--session', String(session.id), '--scorer-url', scorerUrl]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /, unchanged\)$/m);
    // the built-in scorer from the command line
    r = await srv.cli(['rescore', '--session', String(session.id), '--scorer', 'builtin']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^session ${session.id}: scored, result \\d+ \\(builtin, version 1\\)$`, 'm'));
  });

  test('POST /interviews/{id}/rescore: a failure is reported and recorded, then a success; not completed is 409', async () => {
    fake.mode = 'garbage';
    const { app, token, session } = await invited();
    const ex = await complete(token);
    assert.equal(ex.scoring.ok, false);
    assert.match((await sessionOf(app)).score_error, /not a JSON object/);

    fake.mode = 'fail';
    let r = await hr.post(`/api/v1/interviews/${session.id}/rescore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.scoring.ok, false);
    assert.match(r.body.scoring.error, /HTTP 500/);
    assert.match(r.body.session.score_error, /HTTP 500/);
    assert.equal(r.body.session.result_id, null);

    fake.mode = 'good';
    r = await hr.post(`/api/v1/interviews/${session.id}/rescore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.scoring.ok, true, r.text);
    assert.equal(r.body.scoring.vendor, 'external');
    assert.equal(r.body.session.result_id, r.body.scoring.result_id);
    assert.equal(r.body.session.score_error, null);
    assert.equal((await reportOf(app)).result.vendor, 'external');

    const open = await invited();
    assertError(assert, await hr.post(`/api/v1/interviews/${open.session.id}/rescore`), 409, 'not_completed');
    assertError(assert, await hr.post('/api/v1/interviews/999999/rescore'), 404);
    assertError(assert, await s.clients.mgr_sales.post(`/api/v1/interviews/${session.id}/rescore`), 403, 'forbidden');
  });

  test('an invalid result is refused by ingestion (the 422 of result_parse) and recorded; rescore --unscored repairs', async () => {
    fake.mode = 'invalid';
    const { app, token, session } = await invited();
    const ex = await complete(token);
    assert.equal(ex.scoring.ok, false);
    const sess = await sessionOf(app);
    assert.match(sess.score_error, /^the scorer's result was refused: .* at overall$/);
    assert.equal(sess.result_id, null);

    fake.mode = 'good';
    const r = await srv.cli(['rescore', '--unscored', '--scorer-url', scorerUrl]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^session ${session.id}: scored, result \\d+ \\(external, version 1\\)$`, 'm'));
    assert.match(r.stdout, /^rescored \d+ session\(s\): \d+ scored, 0 failed$/m);
    assert.equal((await sessionOf(app)).score_error, null);
    const again = await srv.cli(['rescore', '--unscored']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^rescored 0 session\(s\): 0 scored, 0 failed$/m);
  });

  test('a scorer answering for another application cannot write there', async () => {
    const victim = await invited();
    fake.mode = 'good';
    await complete(victim.token);
    const victimBefore = await reportOf(victim.app);
    assert.equal(victimBefore.result.overall.score, 77);

    fake.mode = 'foreign';
    fake.foreignApp = victim.app.id;
    const { app, token, session } = await invited();
    const ex = await complete(token);
    assert.equal(ex.scoring.ok, true, JSON.stringify(ex.scoring));
    const res = await hr.get(`/api/v1/results/${ex.scoring.result_id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.application_id, app.id, 'the session\'s application');
    assert.equal(res.body.vendor, 'external');
    assert.equal(res.body.vendor_result_id, `session-${session.id}`);
    assert.deepEqual(Object.keys(res.body.candidate), ['application_id']);
    assert.equal(res.body.candidate.application_id, app.id);
    assert.equal((await reportOf(app)).result.overall.score, 11);
    const victimAfter = await reportOf(victim.app);
    assert.equal(victimAfter.result.id, victimBefore.result.id, 'the other application keeps its result');
    assert.equal(victimAfter.result.overall.score, 77);
    assert.equal(victimAfter.versions.length, victimBefore.versions.length);
    const un = await s.admin.get('/api/v1/unmatched-results');
    assert.ok(!un.text.includes('stolen-1'), 'nothing parked under the claimed identity');
  });
});

describe('the scorer options', () => {
  test('bad --scorer options are usage errors', async () => {
    for (const args of [
      ['--scorer-url', 'ftp://example.com/x'],
      ['--scorer', 'external'],
      ['--scorer', 'magic'],
      ['--scorer-url', scorerUrl, '--scorer-name', 'Bad Name'],
      ['--scorer-url', scorerUrl, '--scorer-timeout', '0'],
      ['--scorer', 'builtin', '--scorer-url', scorerUrl],
    ]) {
      const r = await srv.cli(['rescore', '--unscored', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
    const r = await srv.cli(['rescore']);
    assert.equal(r.code, 2);
    const n = await srv.cli(['rescore', '--session', '999999']);
    assert.equal(n.code, 1);
    assert.match(n.stdout, /^session 999999: failed, /m);
  });
});

describe('talentd check', () => {
  test('clean after everything above; reports every mismatch planted into the stopped server\'s database', async () => {
    let r = await srv.cli(['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // material: a completed session, an invited one, a result of another application
    fake.mode = 'good';
    const done = await invited();
    const ex = await complete(done.token);
    const open = await invited();
    const other = await invited();
    await complete(other.token);
    const otherResult = (await reportOf(other.app)).result.id;
    await srv.halt();

    const sql = [
      // the completed session claims to be in progress; the invited one's application went back to applied
      `UPDATE interview_session SET status = 'in_progress' WHERE id = ${done.session.id}`,
      `UPDATE application SET stage = 'applied' WHERE id = ${open.app.id}`,
      // an application pointing at another application's result
      `UPDATE application SET result_id = ${otherResult} WHERE id = ${done.app.id}`,
      // more hires than headcount
      `UPDATE position SET headcount = 1 WHERE code = 'SALES-01'`,
      `UPDATE application SET stage = 'hired' WHERE id IN (${s.app.sales_a.id}, ${s.app.sales_b.id})`,
    ];
    if (srv.dbUrl) {
      await psql(srv.dbUrl, sql.join('; '));
    } else {
      const w = await run('sqlite3', [path.join(srv.dataDir, 'talentd.db'), sql.join('; ') + ';']);
      assert.equal(w.code, 0, w.stderr);
    }

    r = await srv.cli(['check']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.includes(`session_stage: interview session ${done.session.id} is in_progress but its application ${done.app.id} is in stage ai_pending_evaluation (expected ai_in_progress)`), r.stdout);
    assert.ok(lines.includes(`session_stage: interview session ${open.session.id} is invited but its application ${open.app.id} is in stage applied (expected ai_invited)`), r.stdout);
    assert.ok(lines.includes(`headcount: position SALES-01 has 2 hired applications for a headcount of 1`), r.stdout);
    assert.ok(lines.includes(`application_result: application ${done.app.id} names result ${otherResult}, which belongs to application ${other.app.id}`), r.stdout);
    assert.match(lines.at(-1), /^check: 4 mismatch\(es\)/);

    const j = await srv.cli(['check', '--json']);
    assert.equal(j.code, 1);
    const out = JSON.parse(j.stdout);
    assert.equal(out.ok, false);
    assert.deepEqual(out.mismatches.map((m) => m.kind).sort(), ['application_result', 'headcount', 'session_stage', 'session_stage']);
    const hc = out.mismatches.find((m) => m.kind === 'headcount');
    assert.equal(hc.hired, 2);
    assert.equal(hc.headcount, 1);
    assert.equal(hc.entity, 'position');
    const st = out.mismatches.find((m) => m.kind === 'session_stage' && m.id === done.session.id);
    assert.equal(st.application_id, done.app.id);
    assert.equal(st.status, 'in_progress');
    assert.equal(st.stage, 'ai_pending_evaluation');
    assert.ok(ex.scoring.ok);
  });
});
