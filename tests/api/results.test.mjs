// results.test.mjs - the AI results hub: native ingestion, resends and
// re-scores, matching (application id, email + position, unmatched queue and
// attaching), refused payloads that store nothing, vendor webhooks with HMAC
// signatures, and `talentd import results` with rejects.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { DB_KIND, assertError, cliToken, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

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

/** A realistic normalised result for candidate hints `candidate`. */
function result(candidate, over = {}) {
  return {
    vendor: 'native',
    vendor_result_id: 'R-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    model_version: 'interview-ai 4.2',
    candidate,
    overall: 78,
    vendor_recommendation: 'pass',
    dimensions: [
      { key: 'logic', score: 82, evidence: 'Broke the problem into steps.' },
      { key: 'communication', score: 74 },
      { key: 'stress', score: 66 },
    ],
    tags: ['structured', '沉稳'],
    transcript: [
      { start_ms: 0, end_ms: 5200, speaker: 'ai', text: '请先做一个简单的自我介绍。' },
      { start_ms: 5200, end_ms: 48100, speaker: 'candidate', text: '我叫测试，负责过支付系统的故障处理 ' + uniq() },
    ],
    video_url: 'https://video.example.com/r/1.mp4',
    key_moments: [{ at_ms: 31000, label: 'STAR example' }],
    ...over,
  };
}

async function newApplication(positionCode) {
  const c = await hr.post('/api/v1/candidates', { name: 'Result Person ' + uniq(), email: `res.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: positionCode });
  assert.equal(a.status, 201, a.text);
  return { cand: c.body, app: a.body };
}

test('a native result matched by application id moves the application to ai_pending_evaluation with a match report', async () => {
  const { app } = await newApplication('SALES-01');
  const body = result({ application_id: app.id });
  const r = await hr.post('/api/v1/results', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.version, 1);
  assert.equal(r.body.duplicate, false);
  assert.equal(r.body.application_id, app.id);
  assert.equal(r.body.unmatched_reason, null);
  assert.equal(r.body.stage, 'ai_pending_evaluation');
  // model: logic 0.5 (min 60), communication 0.5 (min 50) -> (82 + 74) / 2 = 78
  assert.equal(r.body.match_score, 78);
  assert.equal(r.body.recommendation, 'recommend');
  const a = await hr.get(`/api/v1/applications/${app.id}`);
  assert.equal(a.body.stage, 'ai_pending_evaluation');
  const hist = await hr.get(`/api/v1/applications/${app.id}/history`);
  assert.equal(hist.body.items.at(-1).to, 'ai_pending_evaluation');
  assert.equal(hist.body.items.at(-1).actor, 'system');
  const got = await hr.get(`/api/v1/results/${r.body.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.overall, 78);
  assert.equal(got.body.transcript.length, 2);
  assert.equal(got.body.dimensions[0].label_zh, '逻辑思维');
  assert.equal(JSON.parse(got.body.raw).vendor_result_id, body.vendor_result_id);
});

test('a resend is a no-op (200, duplicate) and a vendor re-score becomes version 2 with version 1 kept', async () => {
  const { app } = await newApplication('SALES-01');
  const body = result({ application_id: app.id });
  const first = await hr.post('/api/v1/results', body);
  assert.equal(first.status, 201, first.text);
  const before = await dbSnapshot(srv);
  const again = await hr.post('/api/v1/results', { ...body, tags: [...body.tags, ' structured '] });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.duplicate, true);
  assert.equal(again.body.id, first.body.id);
  assert.equal(await dbSnapshot(srv), before, 'a resend changes nothing');

  const rescored = await hr.post('/api/v1/results', { ...body, overall: 55, dimensions: [{ key: 'logic', score: 40 }] });
  assert.equal(rescored.status, 201, rescored.text);
  assert.equal(rescored.body.version, 2);
  assert.notEqual(rescored.body.id, first.body.id);
  assert.equal(rescored.body.application_id, app.id);
  assert.equal(rescored.body.recommendation, 'not_recommended');
  const old = await hr.get(`/api/v1/results/${first.body.id}`);
  assert.equal(old.body.is_current, false);
  assert.equal(old.body.overall, 78);
  const cur = await hr.get(`/api/v1/results/${rescored.body.id}`);
  assert.equal(cur.body.is_current, true);
  assert.equal(cur.body.version, 2);
});

test('matching by email plus position code creates the missing application', async () => {
  const c = await hr.post('/api/v1/candidates', { name: 'Email Match', email: `match.${uniq()}@example.com` });
  const r = await hr.post('/api/v1/results', result({ email: c.body.email.toUpperCase(), position_code: 'ENG-01' }));
  assert.equal(r.status, 201, r.text);
  assert.ok(r.body.application_id > 0, r.text);
  const a = await hr.get(`/api/v1/applications/${r.body.application_id}`);
  assert.equal(a.body.candidate_id, c.body.id);
  assert.equal(a.body.position, 'ENG-01');
  assert.equal(a.body.stage, 'ai_pending_evaluation');
});

test('a result that matches nothing waits in the unmatched queue and can be turned into a candidate', async () => {
  const email = `nobody.${uniq()}@example.com`;
  const body = result({ name: '未匹配 候选人', email, position_code: 'SALES-01' });
  const r = await hr.post('/api/v1/results', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.application_id, null);
  assert.equal(r.body.unmatched_reason, 'candidate_not_found');
  const list = await hr.all('/api/v1/unmatched-results');
  const item = list.find((x) => x.id === r.body.id);
  assert.ok(item, 'listed in the unmatched queue');
  assert.equal(item.candidate.email, email);
  // interviewers and managers never see the queue
  assertError(assert, await s.clients.int1.get('/api/v1/unmatched-results'), 403, 'forbidden');
  assertError(assert, await s.clients.mgr_sales.get(`/api/v1/results/${r.body.id}`), 404);

  const att = await hr.post(`/api/v1/unmatched-results/${r.body.id}/attach`, { create_candidate: true });
  assert.equal(att.status, 200, att.text);
  assert.ok(att.body.application_id > 0);
  assert.equal(att.body.stage, 'ai_pending_evaluation');
  const found = await hr.get(`/api/v1/candidates?email=${encodeURIComponent(email)}`);
  assert.equal(found.body.items.length, 1);
  assert.equal(found.body.items[0].name, '未匹配 候选人');
  assert.ok(!(await hr.all('/api/v1/unmatched-results')).some((x) => x.id === r.body.id));
  assertError(assert, await hr.post(`/api/v1/unmatched-results/${r.body.id}/attach`, { application_id: att.body.application_id }), 409, 'not_unmatched');
});

test('an unmatched result can be attached to an existing application', async () => {
  const { app } = await newApplication('ENG-01');
  const r = await hr.post('/api/v1/results', result({ external_id: 'NO-SUCH-' + uniq() }));
  assert.equal(r.body.unmatched_reason, 'candidate_not_found');
  const att = await hr.post(`/api/v1/unmatched-results/${r.body.id}/attach`, { application_id: app.id });
  assert.equal(att.status, 200, att.text);
  assert.equal(att.body.application_id, app.id);
  assert.equal((await hr.get(`/api/v1/applications/${app.id}`)).body.stage, 'ai_pending_evaluation');
});

test('malformed and invalid results are refused with the field path and store nothing', async () => {
  const { app } = await newApplication('SALES-01');
  const before = await dbSnapshot(srv);
  const cases = [
    [{ ...result({ application_id: app.id }), overall: undefined }, 'overall'],
    [{ ...result({ application_id: app.id }), overall: 101 }, 'overall'],
    [result({ application_id: app.id }, { dimensions: [{ key: 'logic', score: 'high' }] }), 'dimensions[0].score'],
    [result({ application_id: app.id }, { transcript: [{ start_ms: 10, end_ms: 5, speaker: 'ai', text: 'x' }] }), 'transcript[0]'],
    [result({ application_id: app.id }, { surprise: 1 }), 'surprise'],
    [result({}), 'candidate'],
  ];
  for (const [body, field] of cases) {
    const r = await hr.post('/api/v1/results', body);
    assertError(assert, r, 422, undefined, JSON.stringify(body).slice(0, 80));
    assert.ok(r.body.error.field.startsWith(field), `field ${r.body.error.field} starts with ${field}`);
  }
  const bad = await hr.req('POST', '/api/v1/results', { raw: '{"vendor": "native",', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400, bad.text);
  const after = await dbSnapshot(srv);
  assert.equal(after, before, snapshotDiff(before, after));
});

test('who may send results: hr and results:write tokens yes; interviewers, managers and other tokens no', async () => {
  const { app } = await newApplication('SALES-01');
  assertError(assert, await s.clients.int1.post('/api/v1/results', result({ application_id: app.id })), 403);
  assertError(assert, await s.clients.mgr_sales.post('/api/v1/results', result({ application_id: app.id })), 403);
  assertError(assert, await srv.anon().post('/api/v1/results', result({ application_id: app.id })), 401);
  const wrong = srv.bearer(await cliToken(srv, ['applications:write']));
  assertError(assert, await wrong.post('/api/v1/results', result({ application_id: app.id })), 403);
  const right = srv.bearer(await cliToken(srv, ['results:write']));
  const r = await right.post('/api/v1/results', result({ application_id: app.id }));
  assert.equal(r.status, 201, r.text);
});

test('transcripts and raw payloads are encrypted at rest (SQLite file holds no plaintext)', { skip: DB_KIND !== 'sqlite' }, async () => {
  const { app } = await newApplication('SALES-01');
  const marker = 'MARKER' + uniq();
  const body = result({ application_id: app.id }, {
    transcript: [{ start_ms: 0, end_ms: 10, speaker: 'candidate', text: `我的秘密 ${marker}` }],
  });
  const r = await hr.post('/api/v1/results', body);
  assert.equal(r.status, 201, r.text);
  await srv.cli(['audit', 'verify']); // forces a checkpoint-free read; the WAL is inspected too
  for (const f of ['talentd.db', 'talentd.db-wal']) {
    const p = path.join(srv.dataDir, f);
    if (existsSync(p)) assert.ok(!readFileSync(p).includes(marker), `${f} holds the transcript in clear`);
  }
  const got = await hr.get(`/api/v1/results/${r.body.id}`);
  assert.ok(got.body.transcript[0].text.includes(marker));
});

function starsPayload(cand, over = {}) {
  return {
    interview_id: 'SR-' + uniq(),
    engine: 'starrate 3',
    finished_at: 1763630000,
    candidate: cand,
    overall_stars: 4,
    recommendation: 'yes',
    ratings: { 沟通能力: 4, 逻辑思维: 5, 抗压能力: 3 },
    summary_tags: ['积极'],
    transcript: [{ from: 0.0, to: 5.2, role: 'interviewer', content: '请介绍一下你自己' }],
    video: { url: 'https://v.example.com/1.mp4', highlights: [{ second: 31, note: '关键时刻' }] },
    ...over,
  };
}

const sign = (secret, body) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');

test('vendor webhook: the stars mapping with a right signature stores a mapped result; a wrong or missing one stores nothing', async () => {
  const secret = 'stars-secret-' + uniq();
  const set = await srv.cli(['vendor', 'secret', 'stars'], { input: secret + '\n' });
  assert.equal(set.code, 0, set.stderr);
  const { app } = await newApplication('SALES-01');
  const body = JSON.stringify(starsPayload({ name: 'x', ats_id: 'none' }, { candidate: undefined }));
  const payload = JSON.stringify({ ...JSON.parse(body), candidate: { name: 'Star Person', job_code: 'SALES-01' } });
  void app;
  const before = await dbSnapshot(srv);
  const anon = srv.anon();
  const hdr = (v) => ({ headers: { 'Content-Type': 'application/json', ...(v ? { 'X-StarRate-Signature': v } : {}) } });
  assertError(assert, await anon.req('POST', '/api/v1/integrations/stars/results', { raw: payload, ...hdr(null) }), 401, 'bad_signature');
  assertError(assert, await anon.req('POST', '/api/v1/integrations/stars/results', { raw: payload, ...hdr(sign('wrong', payload)) }), 401, 'bad_signature');
  assertError(assert, await anon.req('POST', '/api/v1/integrations/stars/results', { raw: payload + ' ', ...hdr(sign(secret, payload)) }), 401, 'bad_signature');
  assertError(assert, await anon.req('POST', '/api/v1/integrations/nosuch/results', { raw: payload, ...hdr(sign(secret, payload)) }), 404, 'unknown_vendor');
  const mid = await dbSnapshot(srv);
  assert.equal(mid, before, snapshotDiff(before, mid));

  const ok = await anon.req('POST', '/api/v1/integrations/stars/results', { raw: payload, ...hdr(sign(secret, payload)) });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.vendor, 'stars');
  assert.equal(ok.body.unmatched_reason, 'candidate_not_found');
  const got = await hr.get(`/api/v1/results/${ok.body.id}`);
  assert.equal(got.body.overall, 80);
  const dims = Object.fromEntries(got.body.dimensions.map((d) => [d.key, d.score]));
  assert.deepEqual(dims, { communication: 80, logic: 100, stress: 60 });
  assert.equal(got.body.vendor_recommendation, 'pass');
  assert.equal(got.body.transcript[0].end_ms, 5200);
  assert.equal(got.body.raw, payload, 'the raw payload is kept exactly as received');
  const again = await anon.req('POST', '/api/v1/integrations/stars/results', { raw: payload, ...hdr(sign(secret, payload)) });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.duplicate, true);
});

test('talentd import results: a Chinese CSV with bad rows imports the good ones, lists every rejected line, and a re-run skips duplicates', async () => {
  const { cand, app } = await newApplication('ENG-01');
  void app;
  const c2 = await hr.post('/api/v1/candidates', { name: '李四', phone: '139' + String(Date.now()).slice(-8) });
  const header = '面试编号,候选人编号,姓名,手机,邮箱,岗位编码,完成时间,总分,推荐结论,淘汰原因,沟通能力,逻辑思维,抗压能力';
  const id = uniq();
  const rows = [
    `CSV-${id}-1,,张三,,${cand.email},ENG-01,2026-11-20 09:30:00,87.5%,通过,,8,9,7`,
    `CSV-${id}-2,,李四,${c2.body.phone},,ENG-01,2026-11-20 10:00:00,45,不合适,技能不匹配,4,5,6`,
    `CSV-${id}-3,,王五,,wang.${id}@example.com,ENG-01,2026-11-20 10:30:00,150,通过,,8,8,8`,
    `CSV-${id}-4,,赵六,,zhao.${id}@example.com,ENG-01,not a time,80,通过,,8,8,8`,
    `CSV-${id}-5,,孙七,,sun.${id}@example.com,ENG-01,2026-11-20 11:00:00,70,通过,,11,8,8`,
    `CSV-${id}-6,,周八,,zhou.${id}@example.com,ENG-01,2026-11-20 11:30:00,66,待定,,6,7,6`,
  ];
  const file = path.join(srv.dataDir, `import-${id}.csv`);
  writeFileSync(file, '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n');
  const r = await srv.cli(['import', 'results', file, '--vendor', 'csv_zh']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /imported 3, duplicates skipped 0, rejected 3/);
  const rejects = readFileSync(file + '.rejects', 'utf8').trim().split('\n');
  assert.equal(rejects.length, 3, rejects.join('\n'));
  assert.match(rejects[0], /^line 4: /);
  assert.match(rejects[1], /^line 5: /);
  assert.match(rejects[2], /^line 6: /);
  const a = await hr.get(`/api/v1/applications/${app.id}`);
  assert.equal(a.body.stage, 'ai_pending_evaluation');
  const again = await srv.cli(['import', 'results', file, '--vendor', 'csv_zh', '--rejects', file + '.again']);
  assert.match(again.stdout, /imported 0, duplicates skipped 3, rejected 3/);
  const unmatched = await hr.all('/api/v1/unmatched-results');
  assert.ok(unmatched.some((x) => x.vendor_result_id === `CSV-${id}-6`), 'the row for an unknown person waits unmatched');
});

test('talentd import results: a JSON-lines file is stored in batches, with the rejects in line order, a re-score, a valid audit chain and a re-run that skips it all', async () => {
  const a1 = await newApplication('SALES-01');
  const a2 = await newApplication('SALES-01');
  const c3 = await hr.post('/api/v1/candidates', { name: 'Jsonl Person ' + uniq(), email: `jsonl.${uniq()}@example.com` });
  const r1 = result({ application_id: a1.app.id });
  const r2 = result({ application_id: a2.app.id });
  const r3 = result({ email: c3.body.email, position_code: 'ENG-01' });
  const r4 = result({ email: `nobody.${uniq()}@example.com`, position_code: 'ENG-01' });
  const bad = result({ application_id: a2.app.id }, { overall: 101 });
  const lines = [
    JSON.stringify(r1),
    '{"not json',
    JSON.stringify(r2),
    JSON.stringify(bad),
    JSON.stringify(r3),
    JSON.stringify({ ...r1, tags: [...r1.tags, ' structured '] }), // the same result again: a resend
    JSON.stringify(r4),
  ];
  const file = path.join(srv.dataDir, `import-${uniq()}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = await srv.cli(['import', 'results', file, '--vendor', 'native']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /imported 4, duplicates skipped 1, rejected 2/);
  const rejects = readFileSync(file + '.rejects', 'utf8').trim().split('\n');
  assert.equal(rejects.length, 2, rejects.join('\n'));
  assert.match(rejects[0], /^line 2: /);
  assert.match(rejects[1], /^line 4: .*overall/);
  for (const { app } of [a1, a2]) {
    const a = await hr.get(`/api/v1/applications/${app.id}`);
    assert.equal(a.body.stage, 'ai_pending_evaluation');
    assert.equal(a.body.match_score, 78);
  }
  const unmatched = await hr.all('/api/v1/unmatched-results');
  assert.ok(unmatched.some((x) => x.vendor_result_id === r4.vendor_result_id), 'the unknown person waits unmatched');
  const created = await hr.all(`/api/v1/applications?candidate_id=${c3.body.id}`);
  assert.equal(created.length, 1, 'the application matched by email was created');
  assert.equal(created[0].stage, 'ai_pending_evaluation');

  // A re-score in its own file: the dimension rows and histograms are replaced, version 2 becomes current.
  const again = await srv.cli(['import', 'results', file, '--vendor', 'native', '--rejects', file + '.again']);
  assert.match(again.stdout, /imported 0, duplicates skipped 5, rejected 2/);
  const file2 = path.join(srv.dataDir, `import-${uniq()}.jsonl`);
  writeFileSync(file2, JSON.stringify({ ...r1, overall: 55, dimensions: [{ key: 'logic', score: 40 }] }) + '\n');
  const r2run = await srv.cli(['import', 'results', file2, '--vendor', 'native']);
  assert.equal(r2run.code, 0, r2run.stdout + r2run.stderr);
  assert.match(r2run.stdout, /imported 1, duplicates skipped 0, rejected 0/);
  const a = await hr.get(`/api/v1/applications/${a1.app.id}`);
  assert.equal(a.body.recommendation, 'not_recommended');
  const verify = await srv.cli(['audit', 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});
