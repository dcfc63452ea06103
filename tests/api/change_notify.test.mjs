// change_notify.test.mjs - on PostgreSQL the server keeps the credential lookups and the report's
// stamp and visibility read in per-thread caches (svc/read_cache.h), dropped at every notification
// on channel talentd_change (migration 015) and at every commit of its own (store/change_gen.h).
// A change made by another process (the CLI, psql) is seen within the time a notification takes to
// arrive (polled here up to 2 s); a change made through the server itself at the very next request;
// and when the listener's connection is killed the server stays correct and listens again. On
// SQLite nothing is cached: the same changes are seen at once, which the tests check where they
// apply to both.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { DB_KIND, PASSWORD, assertError, cliToken, psql, run, seed, sleep, startServer, uniq } from './lib/harness.mjs';

const PG = DB_KIND === 'postgres';
const PG_ONLY = PG ? false : 'PostgreSQL only: the LISTEN/NOTIFY read caches exist only there';

let srv;
let s;

before(async () => {
  // One event loop (its caches are the server's) and a quiet background worker (its commits move
  // the generation too), so that what is cached stays cached unless the test changes something.
  srv = await startServer({ serveArgs: ['--threads', '1', '--jobs-interval-ms', '3600000'] });
  s = await seed(srv);
});

after(async () => {
  if (srv) await srv.stop();
});

/** Runs SQL as another process would: psql on PostgreSQL, sqlite3 on SQLite. */
async function sql(text) {
  if (PG) return psql(srv.dbUrl, text);
  const r = await run('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'talentd.db'), text]);
  if (r.code !== 0) throw new Error(`sqlite3 failed (${r.code}): ${text}\n${r.stderr}`);
  return r.stdout;
}

/** Calls fn until it returns true, every 20 ms for up to ms; returns how many calls it took (or fails). */
async function within(ms, what, fn) {
  const t0 = Date.now();
  for (let n = 1; ; n++) {
    if (await fn()) return n;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not seen within ${ms} ms`);
    await sleep(20);
  }
}

const reportPath = (id) => `/api/v1/applications/${id}/report`;

async function report(client, id) {
  const r = await client.get(reportPath(id));
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** The id of the CLI token named name (`talentd token list`). */
async function tokenId(name) {
  const r = await srv.cli(['token', 'list']);
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[1] === name);
  assert.ok(line, `token ${name} in ${r.stdout}`);
  return Number(line.split(/\s+/)[0]);
}

/** The pid of this server's listener connection (application_name talentd-listen), or null. */
async function listenerPid() {
  const out = await sql(
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'talentd-listen' AND datname = current_database()",
  );
  return out.trim() ? Number(out.trim().split('\n')[0]) : null;
}

test('a token revoked by the CLI is refused by the running server once the notification arrives', async () => {
  const name = 'cn-' + uniq();
  const tok = await cliToken(srv, ['applications:read', 'results:read'], { user: 'hr1', name });
  const client = srv.bearer(tok);
  for (let i = 0; i < 3; i++) await report(client, s.app.sales_a.id); // looked up, then cached
  const r = await srv.cli(['token', 'revoke', '--id', String(await tokenId(name))]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  await within(2000, 'the revocation', async () => (await client.get(reportPath(s.app.sales_a.id))).status === 401);
  assertError(assert, await client.get(reportPath(s.app.sales_a.id)), 401, 'invalid_token');
});

test('a user disabled by the CLI loses both a session and a token', async () => {
  const username = 'cn.' + uniq();
  const u = await s.admin.post('/api/v1/users', { username, role: 'hr', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  const session = await srv.login(username, PASSWORD);
  const token = srv.bearer(await cliToken(srv, ['applications:read', 'results:read'], { user: username }));
  for (let i = 0; i < 3; i++) {
    await report(session, s.app.sales_a.id);
    await report(token, s.app.sales_a.id);
  }
  const r = await srv.cli(['user', 'disable', '--username', username]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  await within(2000, 'the session refused', async () => (await session.get(reportPath(s.app.sales_a.id))).status === 401);
  await within(2000, 'the token refused', async () => (await token.get(reportPath(s.app.sales_a.id))).status === 401);
});

test('changes through this server are seen at the very next request', async () => {
  const hr = s.clients.hr1;
  const id = s.app.sales_b.id;
  for (let i = 0; i < 3; i++) await report(hr, id);
  // an annotation by another user
  const note = await s.clients.mgr_sales.post(`/api/v1/applications/${id}/annotations`, { body: 'next ' + uniq() });
  assert.equal(note.status, 201, note.text);
  assert.equal((await report(hr, id)).annotations.at(-1).body, note.body.body);
  // an assignment makes the report visible to an interviewer who was refused it a moment ago
  assertError(assert, await s.clients.int2.get(reportPath(id)), 404);
  assertError(assert, await s.clients.int2.get(reportPath(id)), 404);
  const as = await s.admin.post(`/api/v1/applications/${id}/assignees`, { user: 'int2' });
  assert.equal(as.status, 200, as.text);
  assert.equal((await report(s.clients.int2, id)).application.id, id);
  // a token revoked through the API
  const t = await s.admin.post('/api/v1/tokens', { name: 'cn-api-' + uniq(), scopes: ['applications:read', 'results:read'] });
  assert.equal(t.status, 201, t.text);
  const client = srv.bearer(t.body.token);
  for (let i = 0; i < 3; i++) await report(client, id);
  const rv = await s.admin.post(`/api/v1/tokens/${t.body.id}/revoke`, {});
  assert.equal(rv.status, 200, rv.text);
  assertError(assert, await client.get(reportPath(id)), 401, 'invalid_token');
  // a user disabled through the API
  const username = 'cn.' + uniq();
  const u = await s.admin.post('/api/v1/users', { username, role: 'hr', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  const session = await srv.login(username, PASSWORD);
  for (let i = 0; i < 3; i++) await report(session, id);
  const d = await s.admin.post(`/api/v1/users/${u.body.id}/disable`, {});
  assert.equal(d.status, 200, d.text);
  assertError(assert, await session.get(reportPath(id)), 401);
});

test('a report cached by the server follows plain SQL writes of another process', async () => {
  const hr = s.clients.hr1;
  const id = s.app.eng_a.id;
  const cand = s.cand.eng_a.id;
  for (let i = 0; i < 3; i++) await report(hr, id);
  const name = 'Renamed ' + uniq();
  await sql(`UPDATE candidate SET name = '${name}' WHERE id = ${cand}`);
  const tries = await within(2000, 'the rename', async () => (await report(hr, id)).candidate.name === name);
  if (!PG) assert.equal(tries, 1, 'SQLite: at once');
  // visibility: an assignment written by psql
  const int1 = s.clients.int1;
  assertError(assert, await int1.get(reportPath(id)), 404);
  assertError(assert, await int1.get(reportPath(id)), 404);
  await sql(`INSERT INTO application_assignee (application_id, user_id, assigned_at) VALUES (${id}, ${s.users.int1.id}, 0)`);
  await within(2000, 'the assignment', async () => (await int1.get(reportPath(id))).status === 200);
  await sql(`DELETE FROM application_assignee WHERE application_id = ${id} AND user_id = ${s.users.int1.id}`);
  await within(2000, 'the unassignment', async () => (await int1.get(reportPath(id))).status === 404);
});

test('repeated reads are served from the caches: a write that does not notify stays unseen until a notification', { skip: PG_ONLY }, async () => {
  const hr = s.clients.hr1;
  const id = s.app.engbe_a.id;
  for (let i = 0; i < 3; i++) await report(hr, id);
  const before = (await report(hr, id)).candidate.name;
  const name = 'Silent ' + uniq();
  // The same rename with the notifying triggers off: the stamp moves in the database, but the
  // server does not ask it.
  await sql(`BEGIN;
    ALTER TABLE candidate DISABLE TRIGGER candidate_change_notify;
    ALTER TABLE application DISABLE TRIGGER application_change_notify;
    UPDATE candidate SET name = '${name}' WHERE id = ${s.cand.engbe_a.id};
    ALTER TABLE candidate ENABLE TRIGGER candidate_change_notify;
    ALTER TABLE application ENABLE TRIGGER application_change_notify;
    COMMIT;`);
  await sleep(300);
  assert.equal((await report(hr, id)).candidate.name, before, 'served from the caches, no round trip');
  await sql("NOTIFY talentd_change");
  await within(2000, 'the notification', async () => (await report(hr, id)).candidate.name === name);
});

test('the listener connection killed: the server stays correct and listens again', { skip: PG_ONLY }, async () => {
  const hr = s.clients.hr1;
  const id = s.app.sales_a.id;
  const first = await listenerPid();
  assert.ok(first, 'a listener connection');
  for (let i = 0; i < 3; i++) await report(hr, id);
  await sql(`SELECT pg_terminate_backend(${first})`);
  const name = 'Meanwhile ' + uniq();
  await sql(`UPDATE candidate SET name = '${name}' WHERE id = ${s.cand.sales_a.id}`);
  await within(2000, 'the change made while the listener was away', async () => (await report(hr, id)).candidate.name === name);
  await within(5000, 'the listener back', async () => {
    const pid = await listenerPid();
    return pid !== null && pid !== first;
  });
  // and it listens: a change is seen again, through a notification
  const again = 'Again ' + uniq();
  for (let i = 0; i < 3; i++) await report(hr, id);
  await sql(`UPDATE candidate SET name = '${again}' WHERE id = ${s.cand.sales_a.id}`);
  await within(2000, 'a change after the reconnection', async () => (await report(hr, id)).candidate.name === again);
  assert.ok(srv.alive(), 'the server runs');
});
