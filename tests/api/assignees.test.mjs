// assignees.test.mjs - an application's interviewers as hr manages them: the staff directory hr
// picks them from (GET /api/v1/staff: active users, who they are, not their accounts), assigning
// (POST /applications/{id}/assignees) and taking off (DELETE /applications/{id}/assignees/{username})
// with what the interviewer can then see, the audit rows, refusals that change nothing, and the CLI
// (`talentd assign`, `talentd user staff`) on the same use cases.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, seed, snapshotDiff, startServer } from './lib/harness.mjs';

let srv;
let s;
let hr;

before(async () => {
  srv = await startServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
});

after(async () => {
  if (srv) await srv.stop();
});

const assignees = async (app) => (await hr.get(`/api/v1/applications/${app.id}`)).body.assignees;
const audits = async (app, action) =>
  (await s.admin.get(`/api/v1/audit?entity=application&id=${app.id}`)).body.items.filter((e) => e.action === action);

describe('the staff directory', () => {
  test('hr lists the active interviewers: who they are, without account details; others are refused', async () => {
    const r = await hr.get('/api/v1/staff?role=interviewer');
    assert.equal(r.status, 200, r.text);
    const names = r.body.items.map((u) => u.username);
    assert.ok(names.includes('int1') && names.includes('int2'), r.text);
    for (const u of r.body.items) {
      assert.equal(u.role, 'interviewer');
      assert.deepEqual(Object.keys(u).sort(), ['display_name', 'id', 'org_unit', 'role', 'username']);
    }
    const all = await hr.all('/api/v1/staff');
    assert.ok(all.some((u) => u.role === 'manager') && all.some((u) => u.role === 'hr'));
    // a disabled user is no longer offered
    const gone = await s.admin.post('/api/v1/users', { username: 'int.leaver', role: 'interviewer', password: 'Leaver-Pass-2026' });
    assert.equal(gone.status, 201, gone.text);
    assert.ok((await hr.all('/api/v1/staff?role=interviewer')).some((u) => u.username === 'int.leaver'));
    assert.equal((await s.admin.post(`/api/v1/users/${gone.body.id}/disable`, {})).status, 200);
    assert.ok(!(await hr.all('/api/v1/staff?role=interviewer')).some((u) => u.username === 'int.leaver'));

    assertError(assert, await hr.get('/api/v1/staff?role=boss'), 422, '', 'unknown role');
    assertError(assert, await hr.get('/api/v1/staff?disabled=true'), 400, 'unknown_parameter');
    assertError(assert, await s.clients.mgr_sales.get('/api/v1/staff'), 403);
    assertError(assert, await s.clients.int1.get('/api/v1/staff'), 403);
    assertError(assert, await srv.anon().get('/api/v1/staff'), 401);
  });
});

describe('assigning and taking off', () => {
  test('an interviewer sees the application while assigned, not after; each change audited once', async () => {
    const app = s.app.sales_b;
    assertError(assert, await s.clients.int2.get(`/api/v1/applications/${app.id}`), 404, '', 'not assigned yet');
    const add = await hr.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int2' });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual(add.body.assignees, ['int2']);
    assert.equal((await s.clients.int2.get(`/api/v1/applications/${app.id}`)).status, 200);
    // assigning someone already assigned changes nothing and writes no audit row
    const twice = await hr.post(`/api/v1/applications/${app.id}/assignees`, { user: 'int2' });
    assert.equal(twice.status, 200, twice.text);
    assert.deepEqual(twice.body.assignees, ['int2']);
    assert.equal((await audits(app, 'application.assign')).length, 1);

    const del = await hr.del(`/api/v1/applications/${app.id}/assignees/int2`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.body.assignees, []);
    assert.deepEqual(await assignees(app), []);
    assertError(assert, await s.clients.int2.get(`/api/v1/applications/${app.id}`), 404, '', 'taken off');
    assert.equal((await audits(app, 'application.unassign')).length, 1);

    // taking off someone not assigned changes nothing and writes no audit row
    const again = await hr.del(`/api/v1/applications/${app.id}/assignees/int2`);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.assignees, []);
    assert.equal((await audits(app, 'application.unassign')).length, 1);
  });

  test('refused or bad calls change nothing', async () => {
    const app = s.app.sales_a; // int1 is assigned by the seed
    assert.deepEqual(await assignees(app), ['int1']);
    const before = await dbSnapshot(srv);
    assertError(assert, await s.clients.mgr_sales.del(`/api/v1/applications/${app.id}/assignees/int1`), 403);
    assertError(assert, await s.clients.int1.del(`/api/v1/applications/${app.id}/assignees/int1`), 403);
    const nobody = assertError(assert, await hr.del(`/api/v1/applications/${app.id}/assignees/nobody`), 404);
    assert.equal(nobody.field, 'username');
    assertError(assert, await hr.del('/api/v1/applications/999999/assignees/int1'), 404);
    assertError(assert, await hr.del(`/api/v1/applications/${app.id}/assignees/`), 404);
    const now = await dbSnapshot(srv);
    assert.ok(now === before, `refused calls changed the database:\n${snapshotDiff(before, now)}`);
    assert.deepEqual(await assignees(app), ['int1']);
  });

  test('the CLI assigns and takes off through the same use cases', async () => {
    const app = s.app.eng_a;
    const add = await srv.cli(['assign', String(app.id), 'int1']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout.trim(), `application ${app.id}: interviewers int1`);
    const two = await srv.cli(['assign', String(app.id), 'int2']);
    assert.equal(two.stdout.trim(), `application ${app.id}: interviewers int1, int2`);
    assert.deepEqual(await assignees(app), ['int1', 'int2']);
    const off = await srv.cli(['assign', String(app.id), 'int1', '--remove']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout.trim(), `application ${app.id}: interviewers int2`);
    assert.equal((await audits(app, 'application.unassign')).length, 1);

    const bad = await srv.cli(['assign', String(app.id), 'nobody', '--remove']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /username/);
    const notInterviewer = await srv.cli(['assign', String(app.id), 'hr1']);
    assert.equal(notInterviewer.code, 1);
    assert.match(notInterviewer.stderr, /hr1 is not an interviewer/);
    assert.equal((await srv.cli(['assign', 'x', 'int1'])).code, 2);
    assert.equal((await srv.cli(['assign', String(app.id)])).code, 2);
    assert.deepEqual(await assignees(app), ['int2']);

    const staff = await srv.cli(['user', 'staff', '--role', 'interviewer']);
    assert.equal(staff.code, 0, staff.stderr);
    assert.match(staff.stdout, /\bint1\b/);
    assert.match(staff.stdout, /\bint2\b/);
    assert.doesNotMatch(staff.stdout, /int\.leaver/);
  });
});
