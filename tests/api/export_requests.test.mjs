// export_requests.test.mjs - the queue of exports requested by rules
// (GET /api/v1/export-requests, `talentd export requests`): a rule's
// export(template) action queues its application; while the export is refused
// (here: a template deleted after the rule was saved) the request stays, state retrying,
// with the reason (its English text, last_error, and the code the API's error
// envelope would carry, last_error_code, which the UI translates); once the cause is fixed the worker (`talentd export
// run-due`) exports it and it leaves the queue. An application under review is
// held, and so is every request of a position whose fairness flag nobody has
// acknowledged. Filters, pagination, refused callers and bad parameters; the CLI
// prints the same queue. The server runs without its background worker
// (--no-jobs) so that only the test's runs of the worker change the queue.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, cliToken, dbSnapshot, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let tmpl; // the template the rule names: missing until the test creates it
let ruleBody;
const direct = []; // SALES-01 applications: eliminated_pending_export at once
let reviewed; // ENG-BE-01 application: eliminated_pending_review (held)

before(async () => {
  srv = await startServer({ serveArgs: ['--no-jobs'] });
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

function result(app, overall) {
  return {
    vendor: 'native',
    vendor_result_id: 'XR-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall,
    dimensions: [
      { key: 'logic', score: overall, evidence: '…' },
      { key: 'communication', score: overall, evidence: '…' },
    ],
    transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }],
  };
}

/** A new candidate's application to position that a low AI result eliminates (the rule fires). */
async function eliminated(position) {
  const c = await hr.post('/api/v1/candidates', { name: `队列 ${uniq()}`, email: `xr.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position });
  assert.equal(a.status, 201, a.text);
  const r = await hr.post('/api/v1/results', result(a.body.id, 30));
  assert.equal(r.status, 201, r.text);
  return { ...a.body, candidate_name: c.body.name };
}

const getApp = async (id) => (await hr.get(`/api/v1/applications/${id}`)).body;

/** Every item of the queue through the API, walking pages of limit (asserting the page shape). */
async function walk(client, query = '', limit = 200) {
  const items = [];
  let cursor = null;
  for (let pages = 0; pages < 100; pages++) {
    const q = `${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await client.get(`/api/v1/export-requests?${q}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= limit);
    items.push(...r.body.items);
    if (r.body.next_cursor === null) return items;
    assert.equal(r.body.items.length, limit, 'a page before the last one is full');
    cursor = r.body.next_cursor;
  }
  throw new Error('pagination does not end');
}

/** Runs the export worker once at time at (ms): `talentd export run-due --now`. */
const runWorker = (at) => srv.cli(['export', 'run-due', '--now', new Date(at).toISOString()]);

/** `talentd export requests` lines as {app, state, template} (header and empty line skipped). */
async function cliQueue(args = []) {
  const r = await srv.cli(['export', 'requests', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) => {
      const f = l.split(/\s+/);
      return { app: Number(f[0]), state: f[2], template: f[3] };
    });
}


describe('the queue of exports requested by rules', () => {
  before(async () => {
    tmpl = 'queue-' + uniq();
    ruleBody = {
      name: `export queue ${uniq()}`,
      when: 'ai.overall < 50',
      actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: tmpl }],
    };
    // a rule may only name a template that exists; deleted afterwards, the rule's exports are refused
    const t = await hr.post('/api/v1/export-templates', { name: tmpl, fields: ['application.id'] });
    assert.equal(t.status, 201, t.text);
    const r = await hr.post('/api/v1/rules', ruleBody);
    assert.equal(r.status, 201, r.text);
    ruleBody.id = r.body.id;
    assert.equal((await hr.del(`/api/v1/export-templates/${t.body.id}`)).status, 200);
    for (let i = 0; i < 3; i++) direct.push(await eliminated('SALES-01'));
    reviewed = await eliminated('ENG-BE-01');
    assert.equal((await getApp(reviewed.id)).stage, 'eliminated_pending_review');
  });

  test('queued requests: waiting, or held while under review; each with its application, rule and template', async () => {
    const items = await walk(hr);
    assert.deepEqual(items.map((x) => x.application_id), [...direct, reviewed].map((a) => a.id));
    const first = items[0];
    assert.equal(first.candidate_id, direct[0].candidate_id);
    assert.equal(first.candidate_name, direct[0].candidate_name);
    assert.equal(first.position, 'SALES-01');
    assert.equal(first.position_title, 'Account Executive');
    assert.equal(first.stage, 'eliminated_pending_export');
    assert.equal(first.template, tmpl);
    assert.equal(first.rule_id, ruleBody.id);
    assert.equal(first.rule, ruleBody.name);
    assert.equal(first.last_error, null);
    assert.equal(first.last_error_code, null);
    assert.equal(first.state, 'waiting');
    assert.ok(Date.parse(first.requested_at) > 0 && Date.parse(first.next_at) >= Date.parse(first.requested_at));
    const held = items[3];
    assert.equal(held.position, 'ENG-BE-01');
    assert.equal(held.stage, 'eliminated_pending_review');
    assert.equal(held.state, 'held');
  });

  test('a refused export stays queued, retrying, with the reason; filters by state and template', async () => {
    const t0 = Date.now();
    const run = await runWorker(t0);
    assert.equal(run.code, 1, `the refused export is a failure of the run: ${run.stdout}${run.stderr}`);
    const items = await walk(hr);
    assert.equal(items.length, 4);
    for (const it of items.slice(0, 3)) {
      assert.equal(it.state, 'retrying', JSON.stringify(it));
      assert.equal(typeof it.last_error, 'string');
      assert.ok(it.last_error.includes(tmpl), `the reason names the template: ${it.last_error}`);
      // the code POST /exports answers for a template that does not exist
      assert.equal(it.last_error_code, 'invalid_reference', JSON.stringify(it));
      assert.ok(Date.parse(it.next_at) >= t0 + 60000, `tried again a minute later: ${it.next_at}`);
      assert.equal((await getApp(it.application_id)).stage, 'eliminated_pending_export', 'nothing exported');
    }
    assert.equal(items[3].state, 'held');
    const ids = (list) => list.map((x) => x.application_id);
    assert.deepEqual(ids(await walk(hr, 'state=retrying')), direct.map((a) => a.id));
    assert.deepEqual(ids(await walk(hr, 'state=held')), [reviewed.id]);
    assert.deepEqual(await walk(hr, 'state=waiting'), []);
    assert.deepEqual(ids(await walk(hr, `template=${encodeURIComponent(tmpl)}`)), ids(items));
    assert.deepEqual(await walk(hr, 'template=nosuch'), []);
    assert.deepEqual(ids(await walk(hr, `template=${encodeURIComponent(tmpl)}&state=held`)), [reviewed.id]);
    // admin sees the same
    assert.deepEqual(ids(await walk(s.admin)), ids(items));
  });

  test('pagination walks every request once, in application order', async () => {
    const all = await walk(hr);
    for (const limit of [1, 2, 3]) {
      const paged = await walk(hr, '', limit);
      const ids = paged.map((x) => x.application_id);
      assert.equal(new Set(ids).size, ids.length, `no duplicates with limit ${limit}`);
      assert.deepEqual(paged, all, `limit ${limit}`);
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
    }
    const p = await walk(hr, 'state=retrying', 2);
    assert.deepEqual(p.map((x) => x.application_id), direct.map((a) => a.id));
  });

  test('the CLI prints the same queue', async () => {
    const all = await walk(hr);
    const lines = await cliQueue();
    assert.deepEqual(lines, all.map((x) => ({ app: x.application_id, state: x.state, template: x.template })));
    // a refused request's reason: its code in brackets, then the text (every request of the template
    // was attempted, the held one too)
    const raw = await srv.cli(['export', 'requests']);
    assert.equal(raw.code, 0, raw.stderr);
    for (const x of all) {
      assert.equal(x.last_error_code, 'invalid_reference', JSON.stringify(x));
      const line = raw.stdout.split('\n').find((l) => l.startsWith(`${x.application_id} `));
      assert.ok(line.endsWith(` [invalid_reference] ${x.last_error}`), line);
    }
    assert.deepEqual((await cliQueue(['--state', 'held'])).map((l) => l.app), [reviewed.id]);
    assert.deepEqual((await cliQueue(['--template', tmpl, '--state', 'retrying'])).map((l) => l.app), direct.map((a) => a.id));
    const none = await srv.cli(['export', 'requests', '--template', 'nosuch']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no export requests/);
    const bad = await srv.cli(['export', 'requests', '--state', 'bogus']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /state/);
  });

  test('only admin and hr read it; bad parameters are refused and change nothing', async () => {
    const before = await dbSnapshot(srv);
    assertError(assert, await s.clients.mgr_sales.get('/api/v1/export-requests'), 403);
    assertError(assert, await s.clients.int1.get('/api/v1/export-requests'), 403);
    assertError(assert, await srv.anon().get('/api/v1/export-requests'), 401);
    const without = srv.bearer(await cliToken(srv, ['candidates:read', 'applications:write']));
    const scoped = srv.bearer(await cliToken(srv, ['applications:read']));
    const mid = await dbSnapshot(srv); // the tokens are made; the calls below change nothing
    assertError(assert, await without.get('/api/v1/export-requests'), 403);
    assert.equal((await scoped.get('/api/v1/export-requests')).body.items.length, 4);
    for (const q of ['state=bogus', 'state=', 'template=', `template=${'x'.repeat(101)}`]) {
      const e = assertError(assert, await hr.get(`/api/v1/export-requests?${q}`), 422, '', q);
      assert.equal(e.field, q.split('=')[0], q);
    }
    // the page parameters are malformed requests, as on every list
    for (const q of ['limit=0', 'limit=abc', 'limit=201', 'cursor=garbage']) {
      const e = assertError(assert, await hr.get(`/api/v1/export-requests?${q}`), 400, '', q);
      assert.equal(e.field, q.split('=')[0], q);
    }
    assertError(assert, await hr.get('/api/v1/export-requests?foo=1'), 400, 'unknown_parameter');
    assertError(assert, await hr.get('/api/v1/export-requests?sort=id'), 400, 'unknown_parameter');
    assertError(assert, await hr.get('/api/v1/export-requests?position=SALES-01'), 400, 'unknown_parameter');
    const now = await dbSnapshot(srv);
    assert.ok(now === mid, `refused calls changed the database:\n${snapshotDiff(mid, now)}`);
    assert.ok(before.length > 0);
  });

  test('once the cause is fixed the worker exports them and they leave the queue; the held one after its review', async () => {
    const tpl = await hr.post('/api/v1/export-templates', { name: tmpl, fields: ['application.id', 'candidate.name'] });
    assert.equal(tpl.status, 201, tpl.text);
    // the retry is due a minute after the refused attempt
    const soon = await runWorker(Date.now());
    assert.equal(soon.code, 0, soon.stderr);
    assert.equal((await walk(hr, 'state=retrying')).length, 3, 'not due yet');
    const run = await runWorker(Date.now() + 120000);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /ran 1 export requested by rules/);
    const left = await walk(hr);
    assert.deepEqual(left.map((x) => x.application_id), [reviewed.id]);
    assert.equal(left[0].state, 'held');
    for (const a of direct) assert.equal((await getApp(a.id)).stage, 'exported');
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(tmpl)}`);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].trigger, 'rule');
    assert.equal(jobs[0].rows, 3);
    // the review confirms the elimination: the held request is exported by the next run
    const ok = await hr.post(`/api/v1/reviews/${reviewed.id}/confirm`, {});
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await walk(hr))[0].state, 'retrying', 'no longer held; its last attempt was refused');
    const again = await runWorker(Date.now() + 240000);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await walk(hr), []);
    assert.equal((await getApp(reviewed.id)).stage, 'exported');
    const none = await srv.cli(['export', 'requests']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no export requests/);
  });

  test('workers running at once export each request once: one job, no empty or repeated ones', async () => {
    const apps = [];
    for (let i = 0; i < 4; i++) apps.push(await eliminated('SALES-01'));
    const before = (await hr.all(`/api/v1/exports?template=${encodeURIComponent(tmpl)}`)).length;
    // the server's own worker and `talentd export run-due` (or two servers) may run together
    for (let round = 0; round < 3; round++) {
      const runs = await Promise.all([0, 1, 2, 3].map(() => runWorker(Date.now() + 360000)));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
    }
    for (const a of apps) assert.equal((await getApp(a.id)).stage, 'exported');
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(tmpl)}`);
    assert.equal(jobs.length, before + 1, JSON.stringify(jobs.map((j) => j.rows)));
    assert.equal(jobs.filter((j) => j.rows === 4).length, 1);
    assert.deepEqual(await walk(hr), []);
  });
});

describe('a rule-requested export waits for the fairness acknowledgement', () => {
  test('refused while the position is flagged (retrying, the reason kept, nothing exported); exported once acknowledged', async () => {
    await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
    const pos = `XRF-${uniq()}`;
    const p = await s.admin.post('/api/v1/positions', {
      code: pos, title: 'Rule export gate', org_unit: 'SALES', headcount: 5, status: 'open',
      competency_model: [{ dim: 'logic', weight: 0.5, min: 60 }, { dim: 'communication', weight: 0.5, min: 50 }],
    });
    assert.equal(p.status, 201, p.text);
    const name = 'gate-' + uniq();
    const tpl = await hr.post('/api/v1/export-templates', { name, fields: ['application.id', 'candidate.name'] });
    assert.equal(tpl.status, 201, tpl.text);
    const r = await hr.post('/api/v1/rules', {
      name: `gate ${uniq()}`, when: 'ai.overall < 50', scope: { kind: 'position', code: pos },
      actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: name }],
    });
    assert.equal(r.status, 201, r.text);
    // women: 3 of 6 eliminated by the rule, men: none -> the women's impact ratio 0.5, flagged
    const low = [];
    for (let i = 0; i < 6; i++) {
      for (const [g, score] of [['女', i < 3 ? 20 : 90], ['男', 90]]) {
        const c = await hr.post('/api/v1/candidates', { name: `公平 ${uniq()}`, email: `xf.${uniq()}@example.com` });
        assert.equal(c.status, 201, c.text);
        const at = await hr.req('PUT', `/api/v1/candidates/${c.body.id}/attributes`, { body: { gender: g } });
        assert.equal(at.status, 200, at.text);
        const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: pos });
        assert.equal(a.status, 201, a.text);
        const res = await hr.post('/api/v1/results', result(a.body.id, score));
        assert.equal(res.status, 201, res.text);
        if (score < 50) low.push(a.body.id);
      }
    }
    for (const id of low) assert.equal((await getApp(id)).stage, 'eliminated_pending_export');
    const fair = await hr.get(`/api/v1/fairness?position=${pos}`);
    assert.equal(fair.body.flagged, true, fair.text);

    const t0 = Date.now() + 600000; // after every earlier test's retries
    const run = await runWorker(t0);
    assert.notEqual(run.code, 0, 'the refused export is reported');
    assert.match(run.stderr, /fairness|公平/i);
    const queued = await walk(hr, `template=${encodeURIComponent(name)}`);
    assert.deepEqual(queued.map((x) => x.application_id).sort((a, b) => a - b), [...low].sort((a, b) => a - b));
    for (const q of queued) {
      assert.equal(q.state, 'retrying');
      assert.ok(q.last_error.includes(pos), q.last_error);
      assert.equal(q.last_error_code, 'fairness_unacknowledged', JSON.stringify(q));
    }
    for (const id of low) assert.equal((await getApp(id)).stage, 'eliminated_pending_export', 'nothing left the buffer');
    assert.deepEqual(await hr.all(`/api/v1/exports?template=${encodeURIComponent(name)}`), []);

    const ack = await hr.post('/api/v1/fairness/acknowledgements', { position: pos, reason: '已逐一复核被淘汰候选人的评估' });
    assert.equal(ack.status, 201, ack.text);
    // acknowledged, but the template is gone meanwhile: the next refusal replaces the reason and its code
    const del = await hr.del(`/api/v1/export-templates/${tpl.body.id}`);
    assert.equal(del.status, 200, del.text);
    const gone = await runWorker(t0 + 120000);
    assert.notEqual(gone.code, 0, 'the refused export is reported');
    const stillQueued = await walk(hr, `template=${encodeURIComponent(name)}`);
    assert.equal(stillQueued.length, low.length);
    for (const q of stillQueued) {
      assert.equal(q.state, 'retrying');
      assert.ok(q.last_error.includes(name), q.last_error);
      assert.equal(q.last_error_code, 'invalid_reference', JSON.stringify(q));
    }
    const back = await hr.post('/api/v1/export-templates', { name, fields: ['application.id', 'candidate.name'] });
    assert.equal(back.status, 201, back.text);
    const again = await runWorker(t0 + 240000);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await walk(hr, `template=${encodeURIComponent(name)}`), []);
    for (const id of low) assert.equal((await getApp(id)).stage, 'exported');
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(name)}`);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].rows, 3);
  });
});

describe('a rule requesting the export again', () => {
  test('clears the last refusal: its reason and code are gone and the request is waiting, due at once', async () => {
    const name = 'again-' + uniq(); // deleted after the rule is saved: the attempt is refused
    const pos = `XRA-${uniq()}`;
    const p = await s.admin.post('/api/v1/positions', { code: pos, title: 'Rule export again', org_unit: 'SALES', headcount: 2, status: 'open' });
    assert.equal(p.status, 201, p.text);
    const t = await hr.post('/api/v1/export-templates', { name, fields: ['application.id'] });
    assert.equal(t.status, 201, t.text);
    const r = await hr.post('/api/v1/rules', {
      name: `again ${uniq()}`, when: 'ai.overall < 50', scope: { kind: 'position', code: pos },
      actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: name }],
    });
    assert.equal(r.status, 201, r.text);
    assert.equal((await hr.del(`/api/v1/export-templates/${t.body.id}`)).status, 200);
    const app = await eliminated(pos);
    const t0 = Date.now() + 1200000; // after every earlier test's retries
    const run = await runWorker(t0);
    assert.notEqual(run.code, 0, 'the refused export is reported');
    const [refused] = await walk(hr, `template=${encodeURIComponent(name)}`);
    assert.equal(refused.application_id, app.id);
    assert.equal(refused.state, 'retrying');
    assert.equal(refused.last_error_code, 'invalid_reference', JSON.stringify(refused));
    // HR sends the application back (an override), then a new AI result arrives: the rule fires
    // again in the new stage and queues the same export
    const cur = await getApp(app.id);
    const back = await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: cur.prev_stage, reason: '复核后重新评估' });
    assert.equal(back.status, 200, back.text);
    const res = await hr.post('/api/v1/results', result(app.id, 25));
    assert.equal(res.status, 201, res.text);
    assert.equal((await getApp(app.id)).stage, 'eliminated_pending_export');
    const [queued] = await walk(hr, `template=${encodeURIComponent(name)}`);
    assert.equal(queued.application_id, app.id);
    assert.equal(queued.last_error, null, JSON.stringify(queued));
    assert.equal(queued.last_error_code, null, JSON.stringify(queued));
    assert.equal(queued.state, 'waiting', JSON.stringify(queued));
    assert.ok(Date.parse(queued.next_at) <= Date.now(), `due at once: ${queued.next_at}`);
    const line = (await srv.cli(['export', 'requests', '--template', name])).stdout.split('\n').find((l) => l.startsWith(`${app.id} `));
    assert.ok(line && !line.includes('['), `no reason printed: ${line}`);
  });
});
