// settings.test.mjs - the organisation's time zone: GET/PATCH /api/v1/settings (who may read and
// change it, bad zones refused with nothing changed, the audit row and the settings.changed event),
// export schedules' daily_at and webhooks' digest_hour read in it (next times recomputed when it
// changes), `talentd settings show|set time-zone` and the 016 migration's choice of zone.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, psql, run, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let admin;
let hr;

before(async () => {
  srv = await startServer();
  s = await seed(srv, { tokens: false });
  admin = s.clients.admin;
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

async function sql(q) {
  if (srv.dbUrl) return (await psql(srv.dbUrl, q)).trim();
  const r = await run('sqlite3', [path.join(srv.dataDir, 'talentd.db'), q]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** The wall time "HH:MM" of instant iso in zone. */
function wall(iso, zone) {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(new Date(iso));
}

async function setZone(zone, client = admin) {
  const r = await client.patch('/api/v1/settings', { time_zone: zone });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.time_zone, zone);
  return r.body;
}

async function template(dailyAt) {
  const r = await hr.post('/api/v1/export-templates', {
    name: `tz template ${uniq()}`,
    fields: ['candidate.name'],
    format: 'csv',
    schedule: { daily_at: dailyAt },
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function hook(hour) {
  const r = await admin.post('/api/v1/webhooks', {
    name: `tz hook ${uniq()}`,
    url: 'http://127.0.0.1:9/none',
    events: ['application.stage_changed'],
    frequency: 'daily',
    digest_hour: hour,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** Asserts iso is the first instant after now (within a day) whose wall time in zone is hhmm. */
function assertNext(iso, zone, hhmm, what) {
  const t = Date.parse(iso);
  assert.ok(t > Date.now() - 5000 && t <= Date.now() + 86400000 + 5000, `${what}: ${iso} within a day`);
  assert.equal(wall(iso, zone), hhmm, `${what}: ${iso} is ${hhmm} in ${zone}`);
}

describe('settings', () => {
  test('a fresh database is in Asia/Shanghai; every staff role reads it, anonymous does not', async () => {
    for (const u of ['admin', 'hr1', 'mgr_sales', 'int1']) {
      const r = await s.clients[u].get('/api/v1/settings');
      assert.equal(r.status, 200, `${u}: ${r.text}`);
      assert.deepEqual(r.body, { time_zone: 'Asia/Shanghai', time_zone_offset_minutes: 480 });
    }
    assertError(assert, await srv.anon().get('/api/v1/settings'), 401);
    assertError(assert, await admin.get('/api/v1/settings?x=1'), 400);
  });

  test('only an admin may change it: hr, manager, interviewer and anonymous change nothing', async () => {
    const snap = await dbSnapshot(srv);
    for (const u of ['hr1', 'mgr_sales', 'int1']) {
      assertError(assert, await s.clients[u].patch('/api/v1/settings', { time_zone: 'UTC' }), 403, null, u);
    }
    assertError(assert, await srv.anon().patch('/api/v1/settings', { time_zone: 'UTC' }), 401);
    assert.equal(snapshotDiff(snap, await dbSnapshot(srv)), '');
    assert.equal((await admin.get('/api/v1/settings')).body.time_zone, 'Asia/Shanghai');
  });

  test('a bad zone is a 422 on time_zone and changes nothing', async () => {
    const snap = await dbSnapshot(srv);
    for (const tz of ['Nope/Zone', '../etc/passwd', '/etc/localtime', 'Asia/../Asia/Shanghai', 'A'.repeat(65), '',
      'Asia', 'zone.tab', 'asia/shanghai ', 8, null]) {
      const e = assertError(assert, await admin.patch('/api/v1/settings', { time_zone: tz }), 422, null, JSON.stringify(tz));
      assert.equal(e.field, 'time_zone', JSON.stringify(tz));
    }
    assertError(assert, await admin.patch('/api/v1/settings', {}), 422);
    const e = assertError(assert, await admin.patch('/api/v1/settings', { time_zone: 'UTC', other: 1 }), 422);
    assert.equal(e.field, 'other');
    assert.equal(snapshotDiff(snap, await dbSnapshot(srv)), '');
  });

  test('daily_at 18:00 runs at 10:00Z in Asia/Shanghai, 18:00Z in UTC, and moves when the zone changes', async () => {
    const t = await template('18:00');
    assert.equal(t.schedule.daily_at, '18:00');
    assert.equal(t.schedule.time_zone, 'Asia/Shanghai');
    assert.equal(t.schedule.next_run_at.slice(11, 16), '10:00');
    assertNext(t.schedule.next_run_at, 'Asia/Shanghai', '18:00', 'Shanghai');
    const h = await hook(18);
    assert.equal(h.time_zone, 'Asia/Shanghai');
    assert.equal(h.next_digest_at.slice(11, 16), '10:00');
    assertNext(h.next_digest_at, 'Asia/Shanghai', '18:00', 'Shanghai digest');
    const realtime = (await admin.post('/api/v1/webhooks', { name: `rt ${uniq()}`, url: 'http://127.0.0.1:9/x', events: ['*'] })).body;
    assert.equal(realtime.next_digest_at, null);

    const out = await setZone('UTC');
    assert.equal(out.time_zone_offset_minutes, 0);
    let t2 = (await hr.get(`/api/v1/export-templates/${t.id}`)).body;
    assert.equal(t2.schedule.time_zone, 'UTC');
    assert.equal(t2.schedule.daily_at, '18:00');
    assert.equal(t2.schedule.next_run_at.slice(11, 16), '18:00');
    assertNext(t2.schedule.next_run_at, 'UTC', '18:00', 'UTC');
    let h2 = (await admin.get(`/api/v1/webhooks/${h.id}`)).body;
    assert.equal(h2.time_zone, 'UTC');
    assert.equal(h2.next_digest_at.slice(11, 16), '18:00');
    assert.equal((await admin.get(`/api/v1/webhooks/${realtime.id}`)).body.next_digest_at, null);

    await setZone('America/New_York');
    t2 = (await hr.get(`/api/v1/export-templates/${t.id}`)).body;
    assertNext(t2.schedule.next_run_at, 'America/New_York', '18:00', 'New York');
    h2 = (await admin.get(`/api/v1/webhooks/${h.id}`)).body;
    assertNext(h2.next_digest_at, 'America/New_York', '18:00', 'New York digest');
    // the list shows the zone too
    const list = await hr.get('/api/v1/export-templates');
    assert.equal(list.body.items.find((x) => x.id === t.id).schedule.time_zone, 'America/New_York');

    await setZone('Asia/Shanghai');
    t2 = (await hr.get(`/api/v1/export-templates/${t.id}`)).body;
    assert.equal(t2.schedule.next_run_at, t.schedule.next_run_at);
    h2 = (await admin.get(`/api/v1/webhooks/${h.id}`)).body;
    assert.equal(h2.next_digest_at, h.next_digest_at);
    // a changed time of day is read in the zone too
    const moved = (await hr.patch(`/api/v1/export-templates/${t.id}`, { schedule: { daily_at: '09:30' } })).body;
    assert.equal(moved.schedule.next_run_at.slice(11, 16), '01:30');
    const mh = (await admin.patch(`/api/v1/webhooks/${h.id}`, { digest_hour: 7 })).body;
    assert.equal(mh.next_digest_at.slice(11, 16), '23:00');
    await hr.del(`/api/v1/export-templates/${t.id}`);
    await admin.del(`/api/v1/webhooks/${h.id}`);
    await admin.del(`/api/v1/webhooks/${realtime.id}`);
  });

  test('a scheduled run and a digest compute their next time in the zone', async () => {
    const t = await template('18:00');
    const next = Date.parse(t.schedule.next_run_at);
    const r = await srv.cli(['export', 'run-due', '--now', new Date(next + 60000).toISOString()]);
    assert.equal(r.code, 0, r.stderr);
    const after1 = (await hr.get(`/api/v1/export-templates/${t.id}`)).body;
    assert.equal(Date.parse(after1.schedule.next_run_at), next + 86400000);
    assert.equal(after1.schedule.next_run_at.slice(11, 16), '10:00');
    await hr.del(`/api/v1/export-templates/${t.id}`);

    const h = await hook(9);
    const due = Date.parse(h.next_digest_at);
    assert.equal(h.next_digest_at.slice(11, 16), '01:00');
    const d = await srv.cli(['webhooks', 'deliver', '--at', new Date(due + 60000).toISOString()]);
    assert.equal(d.code, 0, d.stderr);
    const h2 = (await admin.get(`/api/v1/webhooks/${h.id}`)).body;
    assert.equal(Date.parse(h2.next_digest_at), due + 86400000);
    await admin.del(`/api/v1/webhooks/${h.id}`);
  });

  test('a change is audited and emits settings.changed', async () => {
    await setZone('Europe/London');
    const a = await admin.get('/api/v1/audit?action=settings.update');
    assert.equal(a.status, 200, a.text);
    const row = a.body.items.at(-1);
    assert.ok(row, a.text);
    assert.equal(row.action, 'settings.update');
    assert.equal(row.entity, 'setting');
    assert.ok(JSON.stringify(row).includes('Europe/London'), JSON.stringify(row));
    const ev = await sql("SELECT payload FROM outbox WHERE event = 'settings.changed' ORDER BY id DESC LIMIT 1");
    assert.equal(JSON.parse(ev).time_zone, 'Europe/London');
    const cat = await admin.get('/api/v1/webhook-events');
    assert.ok(cat.body.items.some((e) => e.event === 'settings.changed'));
    await setZone('Asia/Shanghai');
  });

  test('talentd settings show | set time-zone, with the field on a bad zone', async () => {
    let r = await srv.cli(['settings', 'show']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).time_zone, 'Asia/Shanghai');
    const t = await template('18:00');
    r = await srv.cli(['settings', 'set', 'time-zone', 'UTC']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { time_zone: 'UTC', time_zone_offset_minutes: 0 });
    assert.equal((await admin.get('/api/v1/settings')).body.time_zone, 'UTC');
    assert.equal((await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule.next_run_at.slice(11, 16), '18:00');
    const a = await admin.get('/api/v1/audit?action=settings.update');
    assert.match(a.body.items.at(-1).actor, /^system:/);

    const snap = await dbSnapshot(srv);
    r = await srv.cli(['settings', 'set', 'time-zone', 'Nope/Zone']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /time_zone/);
    assert.match(r.stderr, /Nope\/Zone/);
    r = await srv.cli(['settings', 'set', 'time-zone', '../etc/passwd']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /field time_zone/);
    r = await srv.cli(['settings', 'set', 'colour', 'blue']);
    assert.equal(r.code, 2);
    r = await srv.cli(['settings', 'bogus']);
    assert.equal(r.code, 2);
    assert.equal(snapshotDiff(snap, await dbSnapshot(srv)), '');

    r = await srv.cli(['settings', 'set', 'time-zone', 'Asia/Shanghai']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule.next_run_at.slice(11, 16), '10:00');
    await hr.del(`/api/v1/export-templates/${t.id}`);
  });

  test('the 016 migration keeps UTC for a database that already has a daily schedule', async () => {
    const t = await template('18:00');
    await sql("DELETE FROM setting WHERE key = 'time_zone'");
    await sql('DELETE FROM schema_migrations WHERE version = 16');
    let r = await srv.cli(['migrate']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await admin.get('/api/v1/settings')).body.time_zone, 'UTC');
    await hr.del(`/api/v1/export-templates/${t.id}`);
    // and Asia/Shanghai for one without
    await sql("DELETE FROM setting WHERE key = 'time_zone'");
    await sql('DELETE FROM schema_migrations WHERE version = 16');
    r = await srv.cli(['migrate']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await admin.get('/api/v1/settings')).body.time_zone, 'Asia/Shanghai');
    assert.equal(await sql("SELECT COUNT(*) FROM setting WHERE key = 'time_zone'"), '1');
  });
});
