// webhooks.test.mjs - outgoing webhooks (issue 5): subscriptions (admin writes,
// hr reads), the transactional outbox fanned out into deliveries by the
// background worker of `talentd serve`, signed POSTs to a local receiver (a
// node http server on 127.0.0.1), retries with backoff, the dead letter and
// replay, daily digests, ping, a rolled-back change that sends nothing, and a
// restart that loses nothing, and three processes sharing one pass without
// sending anything twice. The worker runs fast here: --jobs-interval-ms 100
// and backoff of 100 ms doubling up to 400 ms, 4 attempts.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, restartServer, seed, sleep, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

const FAST = [
  '--jobs-interval-ms', '100',
  '--webhook-backoff-ms', '100',
  '--webhook-backoff-max-ms', '400',
  '--webhook-max-attempts', '4',
  '--webhook-timeout-ms', '3000',
];

// ---------------------------------------------------------------------------
// the receiver

/** A local HTTP receiver: records every POST; per path, a script of statuses to answer (then 200). */
class Receiver {
  constructor() {
    this.calls = [];
    this.scripts = new Map(); // path -> [status...] answered in order, then `always` or 200
    this.always = new Map(); // path -> status
    this.delayMs = 0; // before answering
    this.server = null;
    this.port = 0;
  }

  async start(port = 0) {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = JSON.parse(raw);
        } catch {
          json = null;
        }
        const script = this.scripts.get(req.url);
        const status = script && script.length ? script.shift() : this.always.get(req.url) ?? 200;
        this.calls.push({ path: req.url, method: req.method, headers: req.headers, raw, json, status, at: Date.now() });
        setTimeout(() => {
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(status >= 300 ? `nope ${status}` : 'ok');
        }, this.delayMs);
      });
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    await new Promise((r) => {
      s.close(r);
      s.closeAllConnections?.();
    });
  }

  url(path) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path) {
    return this.calls.filter((c) => c.path === path);
  }

  /** Waits until pred() is truthy (polling), failing with what after timeoutMs. */
  async until(pred, what, timeoutMs = 15000) {
    const t0 = Date.now();
    for (;;) {
      const v = await pred();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
}

/** Checks X-Talentd-Signature of a recorded call against secret; returns t. */
function verifySignature(call, secret) {
  const h = call.headers['x-talentd-signature'];
  assert.ok(h, 'X-Talentd-Signature present');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h);
  assert.ok(m, `signature format: ${h}`);
  const expect = createHmac('sha256', secret).update(`${m[1]}.${call.raw}`).digest('hex');
  assert.equal(m[2], expect, 'HMAC-SHA256(secret, t + "." + body) matches');
  assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 120, 'timestamp is now');
  return Number(m[1]);
}

// ---------------------------------------------------------------------------
// the shared server

let srv;
let s;
let admin;
let hr;
const rx = new Receiver();

before(async () => {
  await rx.start();
  srv = await startServer({ serveArgs: FAST });
  s = await seed(srv, { tokens: false });
  admin = s.clients.admin;
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
  await rx.stop();
});

async function createHook(body, client = admin) {
  const r = await client.post('/api/v1/webhooks', { name: `hook ${uniq()}`, ...body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** A new candidate with an application to SALES-01 (events candidate.created, application.created). */
async function newApplication() {
  const c = await admin.post('/api/v1/candidates', { name: `Hook Candidate ${uniq()}`, email: `hook.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await admin.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

async function move(appId, to) {
  const r = await hr.post(`/api/v1/applications/${appId}/transitions`, { to });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function deliveries(hookId, query = '') {
  const r = await admin.get(`/api/v1/webhooks/${hookId}/deliveries${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

/** The deliveries once the worker has recorded what the receiver saw: a receiver
 * holds its answer before the worker writes it down, so polling waits for the write. */
async function recorded(hookId, status, query = '') {
  return rx.until(async () => {
    const ds = await deliveries(hookId, query);
    return ds.length && ds[0].status === status ? ds : null;
  }, `a ${status} delivery of webhook ${hookId}`);
}

// ---------------------------------------------------------------------------

describe('subscriptions', () => {
  test('the events catalogue lists what the system emits', async () => {
    const r = await hr.get('/api/v1/webhook-events');
    assert.equal(r.status, 200, r.text);
    const names = r.body.items.map((e) => e.event);
    for (const e of ['application.stage_changed', 'interview.invited', 'interview.completed', 'result.received', 'candidate.created']) {
      assert.ok(names.includes(e), `${e} in the catalogue`);
    }
    assert.equal(r.body.items.find((e) => e.event === 'application.stage_changed').entity, 'application');
  });

  test('create shows the secret once; get, list, audit and the database never show it', async () => {
    const h = await createHook({ url: rx.url('/crud'), events: ['application.*', 'interview.completed'] });
    assert.match(h.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(h.secret_hint, `…${h.secret.slice(-4)}`);
    assert.deepEqual(h.events, ['application.*', 'interview.completed']);
    assert.equal(h.fields, null);
    assert.equal(h.frequency, 'realtime');
    assert.equal(h.enabled, true);
    assert.deepEqual(h.stats, { held: 0, pending: 0, delivered: 0, dead: 0 });

    const one = await hr.get(`/api/v1/webhooks/${h.id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.secret, undefined);
    assert.equal(one.body.url, rx.url('/crud'));
    const list = await hr.get('/api/v1/webhooks');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.items.some((x) => x.id === h.id));
    assert.ok(!list.text.includes(h.secret), 'no secret in the list');
    const audit = await admin.get(`/api/v1/audit?entity=webhook&id=${h.id}`);
    assert.equal(audit.status, 200, audit.text);
    assert.ok(audit.body.items.some((a) => a.action === 'webhook.create'), audit.text);
    assert.ok(!audit.text.includes(h.secret), 'no secret in the audit log');
    assert.ok(!(await dbSnapshot(srv)).includes(h.secret), 'the secret is stored encrypted');

    // a given secret; rotation shows the new one once
    const given = 'my-own-secret-0123456789';
    const g = await createHook({ url: rx.url('/crud2'), secret: given, enabled: false });
    assert.equal(g.secret, given);
    assert.equal(g.enabled, false);
    const rot = await admin.patch(`/api/v1/webhooks/${g.id}`, { rotate_secret: true });
    assert.equal(rot.status, 200, rot.text);
    assert.match(rot.body.secret, /^whsec_/);
    assert.notEqual(rot.body.secret, given);
    assert.equal(rot.body.version, 2);
    const audit2 = await admin.get(`/api/v1/audit?entity=webhook&id=${g.id}`);
    assert.ok(!audit2.text.includes(rot.body.secret) && !audit2.text.includes(given), 'rotation not in the audit log');
    assert.ok(audit2.body.items.some((a) => a.action === 'webhook.update'));

    const del = await admin.del(`/api/v1/webhooks/${g.id}`);
    assert.equal(del.status, 200, del.text);
    assertError(assert, await admin.get(`/api/v1/webhooks/${g.id}`), 404, 'not_found');
    assertError(assert, await admin.patch(`/api/v1/webhooks/${h.id}`, { name: 'stale', version: 7 }), 409, 'version_conflict');
    assert.equal((await admin.del(`/api/v1/webhooks/${h.id}`)).status, 200);
  });

  test('bad input is a 422 naming the field, and nothing is stored', async () => {
    const before = await dbSnapshot(srv);
    const ok = { name: 'bad', url: rx.url('/bad') };
    const cases = [
      [{ ...ok, url: 'ftp://127.0.0.1/x' }, 'url'],
      [{ ...ok, url: 'not a url' }, 'url'],
      [{ ...ok, url: 'http://' }, 'url'],
      [{ ...ok, url: 'javascript:alert(1)' }, 'url'],
      [{ name: 'no url' }, 'url'],
      [{ url: rx.url('/bad') }, 'name'],
      [{ ...ok, events: ['application.exploded'] }, 'events[0]'],
      [{ ...ok, events: ['application.stage_changed', 'nope.*'] }, 'events[1]'],
      [{ ...ok, events: [] }, 'events'],
      [{ ...ok, events: 'application.created' }, 'events'],
      [{ ...ok, events: ['*', '*'] }, 'events[1]'],
      [{ ...ok, frequency: 'hourly' }, 'frequency'],
      [{ ...ok, frequency: 'daily', digest_hour: 24 }, 'digest_hour'],
      [{ ...ok, digest_hour: -1 }, 'digest_hour'],
      [{ ...ok, fields: ['ok', 'not ok'] }, 'fields[1]'],
      [{ ...ok, fields: [] }, 'fields'],
      [{ ...ok, secret: 'short' }, 'secret'],
      [{ ...ok, secret: 'has spaces in it, 24 chars' }, 'secret'],
      [{ ...ok, enabled: 'yes' }, 'enabled'],
      [{ ...ok, colour: 'blue' }, null],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post('/api/v1/webhooks', body);
      const e = assertError(assert, r, 422, undefined, JSON.stringify(body));
      if (field) assert.equal(e.field, field, JSON.stringify(body));
    }
    const afterCreates = await dbSnapshot(srv);
    assert.ok(afterCreates === before, `refused creates changed the database:\n${snapshotDiff(before, afterCreates)}`);
    const h = await createHook({ url: rx.url('/bad-patch'), enabled: false });
    const snap = await dbSnapshot(srv);
    for (const [body, field] of [
      [{ url: 'gopher://x' }, 'url'],
      [{ events: null }, 'events'],
      [{ frequency: 'weekly' }, 'frequency'],
      [{ secret: 'abc', rotate_secret: true }, 'secret'],
    ]) {
      const e = assertError(assert, await admin.patch(`/api/v1/webhooks/${h.id}`, body), 422, undefined, JSON.stringify(body));
      assert.equal(e.field, field);
    }
    const now = await dbSnapshot(srv);
    assert.ok(now === snap, `refused updates changed the database:\n${snapshotDiff(snap, now)}`);
    assert.equal((await admin.del(`/api/v1/webhooks/${h.id}`)).status, 200);
    assertError(assert, await admin.get('/api/v1/webhooks?enabled=maybe'), 422);
    assertError(assert, await admin.get('/api/v1/webhooks?colour=blue'), 400);
  });

  test('RBAC: admin writes, hr reads only, manager and interviewer are refused; refusals change nothing', async () => {
    const h = await createHook({ url: rx.url('/rbac'), enabled: false });
    const snap = await dbSnapshot(srv);
    for (const r of [
      await hr.post('/api/v1/webhooks', { name: 'hr', url: rx.url('/x') }),
      await hr.patch(`/api/v1/webhooks/${h.id}`, { name: 'hr was here' }),
      await hr.del(`/api/v1/webhooks/${h.id}`),
      await hr.post(`/api/v1/webhooks/${h.id}/ping`),
      await hr.post(`/api/v1/webhooks/${h.id}/replay`, { since: '2020-01-01T00:00:00Z' }),
      await hr.post(`/api/v1/webhooks/${h.id}/deliveries/1/replay`),
    ]) {
      assertError(assert, r, 403, 'forbidden');
    }
    for (const who of ['mgr_sales', 'int1']) {
      const c = s.clients[who];
      for (const r of [
        await c.get('/api/v1/webhooks'),
        await c.get(`/api/v1/webhooks/${h.id}`),
        await c.get(`/api/v1/webhooks/${h.id}/deliveries`),
        await c.get('/api/v1/webhook-events'),
        await c.post('/api/v1/webhooks', { name: who, url: rx.url('/x') }),
        await c.patch(`/api/v1/webhooks/${h.id}`, { enabled: true }),
        await c.del(`/api/v1/webhooks/${h.id}`),
        await c.post(`/api/v1/webhooks/${h.id}/ping`),
      ]) {
        assertError(assert, r, 403, 'forbidden', who);
      }
    }
    assertError(assert, await srv.anon().get('/api/v1/webhooks'), 401, 'unauthorized');
    const now = await dbSnapshot(srv);
    assert.ok(now === snap, `refused calls changed the database:\n${snapshotDiff(snap, now)}`);
    assert.equal((await hr.get(`/api/v1/webhooks/${h.id}/deliveries`)).status, 200);
    assert.equal((await admin.del(`/api/v1/webhooks/${h.id}`)).status, 200);
  });
});

describe('delivery', () => {
  test('signed POSTs; the chosen events and fields only', async () => {
    const secret = `sig-secret-${uniq()}-0123456789`;
    const stage = await createHook({ url: rx.url('/stage'), events: ['application.stage_changed'], fields: ['id', 'to'], secret });
    const cands = await createHook({ url: rx.url('/cands'), events: ['candidate.*'] });
    const app = await newApplication();
    await move(app.id, 'ai_invited');

    const call = await rx.until(() => rx.on('/stage')[0], 'the stage change at /stage');
    verifySignature(call, secret);
    assert.equal(call.method, 'POST');
    assert.match(call.headers['content-type'], /^application\/json/);
    assert.equal(call.headers['x-talentd-event'], 'application.stage_changed');
    assert.match(call.headers['x-talentd-delivery'], /^\d+$/);
    const b = call.json;
    assert.deepEqual(Object.keys(b).sort(), ['created_at', 'data', 'entity', 'entity_id', 'event', 'id']);
    assert.equal(b.event, 'application.stage_changed');
    assert.equal(b.entity, 'application');
    assert.equal(b.entity_id, app.id);
    assert.equal(typeof b.id, 'number');
    assert.ok(!Number.isNaN(Date.parse(b.created_at)));
    assert.deepEqual(b.data, { id: app.id, to: 'ai_invited' }, 'only the chosen fields');

    const cand = await rx.until(() => rx.on('/cands').find((c) => c.json?.entity_id === app.candidate_id), 'candidate.created at /cands');
    verifySignature(cand, cands.secret);
    assert.equal(cand.json.event, 'candidate.created');
    assert.ok(cand.json.data.name, 'all fields when none are chosen');

    await sleep(600); // several worker passes: nothing else may arrive
    assert.deepEqual(rx.on('/stage').map((c) => c.json.event), ['application.stage_changed']);
    assert.ok(rx.on('/cands').every((c) => c.json.event.startsWith('candidate.')));

    const ds = await recorded(stage.id, 'delivered');
    assert.equal(ds.length, 1);
    assert.equal(ds[0].attempts, 1);
    assert.equal(ds[0].last_status, 200);
    assert.equal(String(ds[0].id), call.headers['x-talentd-delivery']);
    assert.equal(ds[0].event_id, b.id);
    const one = await hr.get(`/api/v1/webhooks/${stage.id}/deliveries/${ds[0].id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.body, b, 'the stored body is what was sent');
    assertError(assert, await hr.get(`/api/v1/webhooks/${cands.id}/deliveries/${ds[0].id}`), 404);
    assertError(assert, await hr.get(`/api/v1/webhooks/${stage.id}/deliveries?status=lost`), 422);
    for (const h of [stage, cands]) await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('a receiver answering 500 twice then 200 gets the event on the third attempt', async () => {
    const h = await createHook({ url: rx.url('/flaky'), events: ['application.stage_changed'] });
    rx.scripts.set('/flaky', [500, 500]);
    const app = await newApplication();
    await move(app.id, 'ai_invited');
    await rx.until(() => rx.on('/flaky').some((c) => c.status === 200), 'the third attempt');
    const calls = rx.on('/flaky');
    assert.deepEqual(calls.map((c) => c.status), [500, 500, 200]);
    assert.equal(new Set(calls.map((c) => c.headers['x-talentd-delivery'])).size, 1, 'one delivery, three attempts');
    assert.equal(new Set(calls.map((c) => c.raw)).size, 1, 'the same body each time');
    assert.ok(calls[1].at - calls[0].at >= 90, `backoff between attempts (${calls[1].at - calls[0].at} ms)`);
    const [d] = await recorded(h.id, 'delivered');
    assert.equal(d.attempts, 3);
    assert.equal(d.last_status, 200);
    assert.equal(d.last_error, null);
    assert.equal(d.last_error_code, null);
    await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('dead letter after max attempts; replaying it delivers it; replay since a time sends the events again', async () => {
    const h = await createHook({ url: rx.url('/dead'), events: ['application.stage_changed'] });
    rx.always.set('/dead', 500);
    const t0 = new Date().toISOString();
    const app = await newApplication();
    await move(app.id, 'ai_invited');
    const [dead] = await rx.until(async () => {
      const ds = await deliveries(h.id, '?status=dead');
      return ds.length ? ds : null;
    }, 'the dead letter');
    assert.equal(dead.attempts, 4);
    assert.equal(dead.last_status, 500);
    assert.match(dead.last_error, /^HTTP 500/);
    assert.equal(dead.last_error_code, 'http_status', 'the code beside the text');
    assert.equal(dead.next_at, null);
    assert.equal(rx.on('/dead').length, 4);
    await sleep(500);
    assert.equal(rx.on('/dead').length, 4, 'a dead delivery is not retried');
    assert.equal((await admin.get(`/api/v1/webhooks/${h.id}`)).body.stats.dead, 1);

    rx.always.set('/dead', 200);
    const rp = await admin.post(`/api/v1/webhooks/${h.id}/deliveries/${dead.id}/replay`);
    assert.equal(rp.status, 200, rp.text);
    assert.equal(rp.body.status, 'pending');
    assert.equal(rp.body.attempts, 0);
    assert.equal(rp.body.replays, 1);
    await rx.until(() => rx.on('/dead').some((c) => c.status === 200), 'the replayed delivery');
    const after1 = (await recorded(h.id, 'delivered'))[0];
    assert.equal(after1.id, dead.id);
    const audit = await admin.get(`/api/v1/audit?entity=webhook&id=${h.id}&action=webhook.replay`);
    assert.equal(audit.body.items.length, 1, audit.text);

    // a delivered one may be replayed too; then everything since t0 again
    assert.equal((await admin.post(`/api/v1/webhooks/${h.id}/deliveries/${dead.id}/replay`)).status, 200);
    await rx.until(() => rx.on('/dead').filter((c) => c.status === 200).length === 2, 'the second replay');
    const all = await admin.post(`/api/v1/webhooks/${h.id}/replay`, { since: t0 });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.events, 1);
    assert.equal(all.body.deliveries.length, 1);
    await rx.until(() => rx.on('/dead').filter((c) => c.status === 200).length === 3, 'the window replay');
    const bodies = rx.on('/dead').filter((c) => c.status === 200).map((c) => c.json.id);
    assert.equal(new Set(bodies).size, 1, 'the same event each time (receivers dedupe by id)');
    assertError(assert, await admin.post(`/api/v1/webhooks/${h.id}/replay`, { since: 'yesterday' }), 422);
    assertError(assert, await admin.post(`/api/v1/webhooks/${h.id}/replay`, {}), 422);
    assertError(assert, await admin.post(`/api/v1/webhooks/${h.id}/replay`, { since: t0, until: '2000-01-01T00:00:00Z' }), 422);
    assertError(assert, await admin.post(`/api/v1/webhooks/${h.id}/deliveries/999999/replay`), 404);
    await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('nothing is sent for a change that was rolled back', async () => {
    const h = await createHook({ url: rx.url('/all'), events: ['*'] });
    const app = await newApplication();
    await rx.until(() => rx.on('/all').some((c) => c.json?.event === 'application.created' && c.json.entity_id === app.id), 'application.created');
    const seen = rx.on('/all').length;
    const before = (await deliveries(h.id)).length;
    // refused by validation, by the pipeline, by a missing reference
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'hired' }), 409, 'illegal_transition');
    assertError(assert, await hr.post(`/api/v1/applications/${app.id}/transitions`, { to: 'promoted' }), 422);
    assertError(assert, await admin.post('/api/v1/candidates', { name: '', email: 'x' }), 422);
    const missing = await admin.post('/api/v1/applications', { candidate_id: 99999999, position: 'SALES-01' });
    assert.ok(missing.status >= 400 && missing.status < 500, missing.text);
    // then one change that succeeds: it arrives, and only it
    await move(app.id, 'ai_invited');
    await rx.until(() => rx.on('/all').some((c) => c.json?.event === 'application.stage_changed' && c.json.entity_id === app.id), 'the real change');
    await sleep(400);
    const fresh = rx.on('/all').slice(seen);
    assert.deepEqual(fresh.map((c) => c.json.event), ['application.stage_changed'], 'only the committed change');
    assert.equal(fresh[0].json.data.to, 'ai_invited');
    assert.equal((await deliveries(h.id)).length, before + 1);
    await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('ping: a signed webhook.ping now; a receiver that is down leaves it pending with the error', async () => {
    const h = await createHook({ url: rx.url('/ping'), events: ['user.created'] });
    const r = await admin.post(`/api/v1/webhooks/${h.id}/ping`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'delivered');
    assert.equal(r.body.event, 'webhook.ping');
    assert.equal(r.body.last_status, 200);
    assert.equal(r.body.event_id, null);
    const call = rx.on('/ping').at(-1);
    verifySignature(call, h.secret);
    assert.equal(call.json.event, 'webhook.ping');
    assert.equal(call.json.data.webhook_id, h.id);
    // after rotation the new secret signs
    const rot = await admin.patch(`/api/v1/webhooks/${h.id}`, { rotate_secret: true });
    assert.equal((await admin.post(`/api/v1/webhooks/${h.id}/ping`)).body.status, 'delivered');
    verifySignature(rx.on('/ping').at(-1), rot.body.secret);

    const down = new Receiver();
    await down.start();
    const deadUrl = down.url('/gone');
    await down.stop();
    const d = await createHook({ url: deadUrl, events: ['user.created'], enabled: false });
    const p = await admin.post(`/api/v1/webhooks/${d.id}/ping`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.status, 'pending');
    assert.equal(p.body.attempts, 1);
    assert.equal(p.body.last_status, null);
    assert.ok(p.body.last_error, 'the connection error is kept');
    assert.equal(p.body.last_error_code, 'connect_failed', p.text);
    const listed = (await admin.get(`/api/v1/webhooks/${d.id}/deliveries`)).body.items[0];
    assert.equal(listed.last_error_code, 'connect_failed', 'the list says the same');
    assertError(assert, await admin.post('/api/v1/webhooks/999999/ping'), 404);
    for (const x of [h, d]) await admin.del(`/api/v1/webhooks/${x.id}`);
  });

  test('a daily subscription holds events for one digest POST at its hour (talentd webhooks deliver --at)', async () => {
    const secret = `digest-secret-${uniq()}-000000`;
    const h = await createHook({ url: rx.url('/digest'), events: ['application.stage_changed'], frequency: 'daily', digest_hour: 7, secret });
    assert.equal(h.frequency, 'daily');
    const next = Date.parse(h.next_digest_at);
    // a fresh database is in Asia/Shanghai (UTC+8, no DST): 07:00 there is 23:00Z the day before
    assert.equal(h.time_zone, 'Asia/Shanghai');
    assert.equal(new Date(next).getUTCHours(), 23);
    assert.equal(new Date(next).getUTCMinutes(), 0);
    assert.ok(next > Date.now() && next <= Date.now() + 86400000);
    const since = new Date().toISOString();
    const a1 = await newApplication();
    const a2 = await newApplication();
    await move(a1.id, 'ai_invited');
    await move(a2.id, 'ai_invited');
    await rx.until(async () => (await admin.get(`/api/v1/webhooks/${h.id}`)).body.stats.held === 2, 'two held events');
    await sleep(300);
    assert.equal(rx.on('/digest').length, 0, 'nothing before the digest hour');

    const at = new Date(next + 60000).toISOString();
    const r = await srv.cli(['webhooks', 'deliver', '--at', at]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 digests/);
    const call = await rx.until(() => rx.on('/digest')[0], 'the digest');
    verifySignature(call, secret);
    assert.equal(call.headers['x-talentd-event'], 'digest');
    assert.equal(call.json.event, 'digest');
    assert.equal(call.json.count, 2);
    assert.deepEqual(call.json.events.map((e) => e.entity_id).sort(), [a1.id, a2.id].sort());
    assert.ok(call.json.events.every((e) => e.event === 'application.stage_changed'));
    const held = await deliveries(h.id, '?status=digested');
    assert.equal(held.length, 2);
    const [digest] = await deliveries(h.id, '?event=digest');
    assert.equal(digest.status, 'delivered');
    assert.ok(held.every((d) => d.digest_id === digest.id));
    assertError(assert, await admin.post(`/api/v1/webhooks/${h.id}/deliveries/${held[0].id}/replay`), 409, 'not_replayable');
    const after = (await admin.get(`/api/v1/webhooks/${h.id}`)).body;
    assert.ok(Date.parse(after.next_digest_at) > Date.parse(at), 'the next digest is a day later');

    // a daily replay goes out as a digest at once
    const rp = await admin.post(`/api/v1/webhooks/${h.id}/replay`, { since });
    assert.equal(rp.status, 200, rp.text);
    assert.equal(rp.body.events, 2);
    assert.equal(rp.body.deliveries.length, 1);
    await rx.until(() => rx.on('/digest').length === 2, 'the replayed digest');
    assert.equal(rx.on('/digest')[1].json.count, 2);
    await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('CLI: add, list, deliveries, replay, remove call the same service', async () => {
    let r = await srv.cli(['webhooks', 'add', '--name', 'cli hook', '--url', rx.url('/cli'), '--events', 'application.stage_changed', '--fields', 'id,to']);
    assert.equal(r.code, 0, r.stderr);
    const id = Number(/created webhook (\d+)/.exec(r.stdout)[1]);
    const secret = /secret: (\S+)/.exec(r.stdout)[1];
    r = await srv.cli(['webhooks', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cli hook/);
    assert.ok(!r.stdout.includes(secret));
    const app = await newApplication();
    await move(app.id, 'ai_invited');
    const call = await rx.until(() => rx.on('/cli')[0], 'the CLI hook delivery');
    verifySignature(call, secret);
    assert.deepEqual(call.json.data, { id: app.id, to: 'ai_invited' });
    await recorded(id, 'delivered');
    r = await srv.cli(['webhooks', 'deliveries', String(id), '--status', 'delivered']);
    assert.equal(r.code, 0, r.stderr);
    const did = /^(\d+)\s+delivered/m.exec(r.stdout)[1];
    r = await srv.cli(['webhooks', 'replay', String(id), '--delivery', did]);
    assert.equal(r.code, 0, r.stderr);
    await rx.until(() => rx.on('/cli').length === 2, 'the CLI replay');
    r = await srv.cli(['webhooks', 'add', '--name', 'bad', '--url', 'ftp://x', '--events', 'application.stage_changed']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /url/);
    r = await srv.cli(['webhooks', 'add', '--name', 'bad', '--url', rx.url('/x'), '--events', 'nope.never']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /events\[0\]/);
    r = await srv.cli(['webhooks', 'remove', String(id)]);
    assert.equal(r.code, 0, r.stderr);
    assertError(assert, await admin.get(`/api/v1/webhooks/${id}`), 404);
    r = await srv.cli(['webhooks', 'deliver', '--webhook-max-attempts', '0']);
    assert.equal(r.code, 2);
  });
});

describe('restarts lose nothing', () => {
  let rs;
  let down;
  after(async () => {
    if (rs) await rs.stop();
    if (down) await down.stop();
  });

  test('events recorded while the worker is off, and deliveries pending while the receiver is down, arrive after restarts', async () => {
    const SLOW = ['--jobs-interval-ms', '100', '--webhook-backoff-ms', '200', '--webhook-backoff-max-ms', '1000', '--webhook-max-attempts', '30'];
    down = new Receiver();
    await down.start();
    const port = down.port;
    await down.stop(); // the receiver is down from here on

    // 1. no worker: the change only reaches the outbox
    rs = await startServer({ serveArgs: ['--no-jobs'] });
    const a = await rs.login('admin', rs.adminPassword);
    const sq = await a.post('/api/v1/org-units', { code: 'R-HQ', name: 'Restart HQ' });
    assert.equal(sq.status, 201, sq.text);
    const h = await a.post('/api/v1/webhooks', { name: 'restart', url: `http://127.0.0.1:${port}/r`, events: ['org_unit.*'] });
    assert.equal(h.status, 201, h.text);
    const u1 = await a.post('/api/v1/org-units', { code: 'R-ONE', name: 'One', parent: 'R-HQ' });
    assert.equal(u1.status, 201, u1.text);
    await sleep(300);
    let ds = (await a.get(`/api/v1/webhooks/${h.body.id}/deliveries`)).body.items;
    assert.equal(ds.length, 0, 'no worker, no fan-out yet');

    // 2. worker on, receiver down: the delivery fails and waits
    rs = await restartServer(rs, { serveArgs: SLOW });
    const b = await rs.login('admin', rs.adminPassword);
    await down.until(async () => {
      const items = (await b.get(`/api/v1/webhooks/${h.body.id}/deliveries`)).body.items;
      return items.length === 1 && items[0].attempts >= 1 && items[0].status === 'pending';
    }, 'a failed first attempt');
    const u2 = await b.post('/api/v1/org-units', { code: 'R-TWO', name: 'Two', parent: 'R-HQ' });
    assert.equal(u2.status, 201, u2.text);
    await rs.halt();

    // 3. receiver back, talentd started again on the same data: both events arrive
    down = new Receiver();
    await down.start(port);
    rs = await restartServer(rs, { serveArgs: SLOW });
    const got = await down.until(() => {
      const ids = down.calls.filter((c) => c.status === 200).map((c) => c.json?.entity_id);
      return ids.includes(u1.body.id) && ids.includes(u2.body.id) ? ids : null;
    }, 'both org unit events after the restart', 20000);
    assert.ok(got.length >= 2);
    const c = await rs.login('admin', rs.adminPassword);
    // the receiver has answered; the worker records the delivery right after
    ds = await down.until(async () => {
      const items = (await c.get(`/api/v1/webhooks/${h.body.id}/deliveries`)).body.items;
      return items.length === 2 && items.every((d) => d.status === 'delivered') ? items : null;
    }, 'both deliveries recorded as delivered');
    assert.equal(ds.length, 2);
    assert.ok(ds[0].attempts >= 2, 'the first one failed before the restart');
    assert.equal(new Set(down.calls.map((x) => x.json?.id)).size, down.calls.length, 'each event once');
  });
});

describe('several processes share the work', () => {
  let ps;
  after(async () => {
    if (ps) await ps.stop();
  });

  test('three `talentd webhooks deliver` at once send every event exactly once', async (t) => {
    ps = await startServer({ serveArgs: ['--no-jobs'] });
    const a = await ps.login('admin', ps.adminPassword);
    const slow = new Receiver();
    slow.delayMs = 30; // the three passes overlap
    await slow.start();
    try {
      const h = await a.post('/api/v1/webhooks', { name: 'shared', url: slow.url('/shared'), events: ['org_unit.created'] });
      assert.equal(h.status, 201, h.text);
      const ids = [];
      for (let i = 0; i < 30; i++) {
        const r = await a.post('/api/v1/org-units', { code: `P-${i}`, name: `Unit ${i}` });
        assert.equal(r.status, 201, r.text);
        ids.push(r.body.id);
      }
      const runs = await Promise.all([1, 2, 3].map(() => ps.cli(['webhooks', 'deliver'])));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const attempted = runs.map((r) => Number(/attempted (\d+)/.exec(r.stdout)[1]));
      const dispatched = runs.map((r) => Number(/dispatched (\d+) events into (\d+)/.exec(r.stdout)[2]));
      assert.equal(dispatched.reduce((x, y) => x + y, 0), 30, `fan-out once: ${dispatched}`);
      assert.equal(attempted.reduce((x, y) => x + y, 0), 30, `each delivery claimed once: ${attempted}`);
      t.diagnostic(`deliveries per process: ${attempted.join(', ')}`);
      const got = slow.on('/shared').map((c) => c.json.entity_id);
      assert.equal(got.length, 30);
      assert.deepEqual([...got].sort((x, y) => x - y), [...ids].sort((x, y) => x - y));
      const items = (await a.get(`/api/v1/webhooks/${h.body.id}/deliveries?limit=200`)).body.items;
      assert.equal(items.length, 30);
      assert.ok(items.every((d) => d.status === 'delivered' && d.attempts === 1));
    } finally {
      await slow.stop();
    }
  });
});
