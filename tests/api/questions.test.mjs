// questions.test.mjs - interview question sets: CRUD with questions in one
// transaction, validation errors that name the field by its path and change
// nothing, optimistic versions, delete refused while a position uses the set,
// a position's default set, list filters and pagination, who may read and
// write, and `talentd questions import|list|show`.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ROOT, assertError, cliToken, dbSnapshot, paginate, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let admin;

before(async () => {
  srv = await startServer();
  s = await seed(srv);
  hr = s.clients.hr1;
  admin = s.clients.admin;
});

after(async () => {
  if (srv) await srv.stop();
});

const Q1 = {
  text_zh: '请介绍一次你说服客户的经历。',
  text_en: 'Tell us about a time you persuaded a customer.',
  time_limit_s: 120,
  required: true,
  dims: ['communication', 'logic'],
  rubric: {
    phrases: {
      communication: [
        { text: '倾听客户顾虑', weight: 3 },
        { text: '换位思考', weight: 1.5 },
      ],
      logic: [{ text: '首先', weight: 1 }],
    },
    sample_answer: '我先倾听客户的顾虑，然后用数据对比说明方案。',
  },
};
const Q2 = { text_zh: '面对压力你如何调整？', dims: ['stress'] };

/** A valid create body with a fresh code. */
const setBody = (over = {}) => ({ code: `QS-${uniq()}`, name: '销售面试题', questions: [Q1, Q2], ...over });

async function create(body = setBody(), client = hr) {
  const r = await client.post('/api/v1/question-sets', body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('CRUD', () => {
  test('create returns the set with its questions, defaults filled in, and writes an audit row', async () => {
    const body = setBody();
    const qs = await create(body);
    assert.equal(qs.code, body.code);
    assert.equal(qs.name, '销售面试题');
    assert.equal(qs.shared, true);
    assert.equal(qs.position, null);
    assert.equal(qs.position_id, null);
    assert.equal(qs.allow_restart, false);
    assert.equal(qs.version, 1);
    assert.equal(qs.question_count, 2);
    assert.equal(qs.questions.length, 2);
    const [a, b] = qs.questions;
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    assert.ok(Number.isInteger(a.id) && Number.isInteger(b.id) && a.id !== b.id);
    assert.equal(a.text_zh, Q1.text_zh);
    assert.equal(a.text_en, Q1.text_en);
    assert.equal(a.time_limit_s, 120);
    assert.deepEqual(a.dims, ['communication', 'logic']);
    assert.deepEqual(a.rubric, Q1.rubric);
    // Defaults: no English, 180 s, required, empty rubric.
    assert.equal(b.text_en, '');
    assert.equal(b.time_limit_s, 180);
    assert.equal(b.required, true);
    assert.deepEqual(b.rubric, { phrases: {}, sample_answer: '' });

    const g = await s.clients.int1.get(`/api/v1/question-sets/${qs.id}`);
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.body, qs);

    const audit = await admin.get(`/api/v1/audit?entity=question_set&id=${qs.id}`);
    assert.equal(audit.status, 200, audit.text);
    assert.ok(audit.body.items.some((e) => e.action === 'question_set.create'), audit.text);
  });

  test('a duplicate code is 409 with existing_id', async () => {
    const qs = await create();
    const r = await hr.post('/api/v1/question-sets', setBody({ code: qs.code }));
    const e = assertError(assert, r, 409, 'duplicate');
    assert.equal(e.field, 'code');
    assert.equal(e.existing_id, qs.id);
  });

  test('update: name and allow_restart; the question list replaced as a whole, kept questions keep their ids', async () => {
    const qs = await create();
    const [a, b] = qs.questions;
    const r = await hr.patch(`/api/v1/question-sets/${qs.id}`, {
      version: 1,
      name: '销售面试题 v2',
      allow_restart: true,
      questions: [
        { text_zh: '新的第一题', dims: ['drive'], time_limit_s: 60, required: false },
        { ...b, text_zh: '面对压力你如何调整？（修订）' },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 2);
    assert.equal(r.body.name, '销售面试题 v2');
    assert.equal(r.body.allow_restart, true);
    assert.equal(r.body.question_count, 2);
    const [n1, n2] = r.body.questions;
    assert.equal(n1.text_zh, '新的第一题');
    assert.equal(n1.seq, 1);
    assert.equal(n1.required, false);
    assert.ok(n1.id !== a.id && n1.id !== b.id, 'a new question gets a new id');
    assert.equal(n2.id, b.id, 'the kept question keeps its id');
    assert.equal(n2.seq, 2);
    assert.equal(n2.text_zh, '面对压力你如何调整？（修订）');
    const g = await hr.get(`/api/v1/question-sets/${qs.id}`);
    assert.deepEqual(g.body, r.body);
    assert.ok(!g.body.questions.some((q) => q.id === a.id), 'the question left out is gone');

    // Only metadata: the questions stay as they are.
    const m = await hr.patch(`/api/v1/question-sets/${qs.id}`, { name: 'v3' });
    assert.equal(m.status, 200, m.text);
    assert.deepEqual(m.body.questions, r.body.questions);
  });

  test('update with an id from another set is 422 on questions[i].id and changes nothing', async () => {
    const one = await create();
    const other = await create();
    const before = await dbSnapshot(srv);
    const r = await hr.patch(`/api/v1/question-sets/${one.id}`, {
      questions: [Q2, { ...Q1, id: other.questions[0].id }],
    });
    const e = assertError(assert, r, 422, 'invalid_reference');
    assert.equal(e.field, 'questions[1].id');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
  });

  test('a stale version is 409 version_conflict and changes nothing', async () => {
    const qs = await create();
    assert.equal((await hr.patch(`/api/v1/question-sets/${qs.id}`, { version: 1, name: 'first' })).status, 200);
    const before = await dbSnapshot(srv);
    const r = await hr.patch(`/api/v1/question-sets/${qs.id}`, { version: 1, name: 'second', questions: [Q2] });
    const e = assertError(assert, r, 409, 'version_conflict');
    assert.equal(e.field, 'version');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    assert.equal((await hr.get(`/api/v1/question-sets/${qs.id}`)).body.name, 'first');
  });

  test('delete removes the set and its questions; a missing one is 404', async () => {
    const qs = await create();
    const r = await hr.del(`/api/v1/question-sets/${qs.id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { id: qs.id, deleted: true });
    assertError(assert, await hr.get(`/api/v1/question-sets/${qs.id}`), 404, 'not_found');
    assertError(assert, await hr.del(`/api/v1/question-sets/${qs.id}`), 404, 'not_found');
    assertError(assert, await hr.patch(`/api/v1/question-sets/${qs.id}`, { name: 'x' }), 404, 'not_found');
  });
});

describe('validation: the field path, and nothing changes', () => {
  const q = (over) => ({ ...Q1, ...over });
  const cases = [
    ['no questions', setBody({ questions: [] }), 'questions'],
    ['questions not an array', setBody({ questions: {} }), 'questions'],
    ['51 questions', setBody({ questions: Array.from({ length: 51 }, () => Q2) }), 'questions'],
    ['no code', { name: 'x', questions: [Q2] }, 'code'],
    ['no name', { code: 'QS-NONAME', questions: [Q2] }, 'name'],
    ['unknown field', setBody({ colour: 'red' }), 'colour'],
    ['unknown position', setBody({ position: 'NOPE-01' }), 'position'],
    ['missing text_zh', setBody({ questions: [Q2, { dims: ['logic'] }] }), 'questions[1].text_zh'],
    ['text_zh too long', setBody({ questions: [q({ text_zh: '题'.repeat(2001) })] }), 'questions[0].text_zh'],
    ['text_en too long', setBody({ questions: [q({ text_en: 'x'.repeat(2001) })] }), 'questions[0].text_en'],
    ['time limit too short', setBody({ questions: [Q2, Q2, q({ time_limit_s: 5 })] }), 'questions[2].time_limit_s'],
    ['time limit too long', setBody({ questions: [q({ time_limit_s: 3601 })] }), 'questions[0].time_limit_s'],
    ['required not a bool', setBody({ questions: [q({ required: 'yes' })] }), 'questions[0].required'],
    ['no dims', setBody({ questions: [q({ dims: [] })] }), 'questions[0].dims'],
    ['bad dim key', setBody({ questions: [q({ dims: ['logic', 'Bad-Key'] })] }), 'questions[0].dims[1]'],
    ['duplicate dim', setBody({ questions: [q({ dims: ['logic', 'logic'] })] }), 'questions[0].dims[1]'],
    ['21 dims', setBody({ questions: [q({ dims: Array.from({ length: 21 }, (_, i) => `d${i}`), rubric: null })] }), 'questions[0].dims'],
    ['unknown question field', setBody({ questions: [q({ hint: 'x' })] }), 'questions[0].hint'],
    ['rubric not an object', setBody({ questions: [q({ rubric: [] })] }), 'questions[0].rubric'],
    [
      'phrase for a dim the question does not measure',
      setBody({ questions: [q({ rubric: { phrases: { teamwork: [{ text: '合作', weight: 1 }] } } })] }),
      'questions[0].rubric.phrases.teamwork',
    ],
    [
      'phrase weight above 10',
      setBody({ questions: [Q2, Q2, q({ rubric: { phrases: { logic: [{ text: '首先', weight: 11 }] } } })] }),
      'questions[2].rubric.phrases.logic[0].weight',
    ],
    [
      'phrase weight 0',
      setBody({ questions: [q({ rubric: { phrases: { logic: [{ text: '首先', weight: 1 }, { text: '其次', weight: 0 }] } } })] }),
      'questions[0].rubric.phrases.logic[1].weight',
    ],
    [
      'phrase text too long',
      setBody({ questions: [q({ rubric: { phrases: { logic: [{ text: '长'.repeat(65), weight: 1 }] } } })] }),
      'questions[0].rubric.phrases.logic[0].text',
    ],
    [
      '51 phrases',
      setBody({ questions: [q({ rubric: { phrases: { logic: Array.from({ length: 51 }, (_, i) => ({ text: `p${i}`, weight: 1 })) } } })] }),
      'questions[0].rubric.phrases.logic',
    ],
    [
      'sample answer too long',
      setBody({ questions: [q({ rubric: { sample_answer: '答'.repeat(4001) } })] }),
      'questions[0].rubric.sample_answer',
    ],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} -> 422 on ${field}`, async () => {
      const before = await dbSnapshot(srv);
      const r = await hr.post('/api/v1/question-sets', body);
      const e = assertError(assert, r, 422, undefined, name);
      assert.equal(e.field, field, r.text);
      const now = await dbSnapshot(srv);
      assert.ok(now === before, `${name} changed the database:\n${snapshotDiff(before, now)}`);
    });
  }

  test('an invalid question in an update changes neither the set nor its questions', async () => {
    const qs = await create();
    const before = await dbSnapshot(srv);
    const r = await hr.patch(`/api/v1/question-sets/${qs.id}`, {
      name: 'renamed',
      questions: [Q2, { ...Q1, rubric: { phrases: { logic: [{ text: '首先', weight: -1 }] } } }],
    });
    const e = assertError(assert, r, 422, 'out_of_range');
    assert.equal(e.field, 'questions[1].rubric.phrases.logic[0].weight');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
  });

  test('malformed JSON is 400', async () => {
    const r = await hr.req('POST', '/api/v1/question-sets', { raw: '{"code": ' });
    assertError(assert, r, 400);
  });
});

describe('positions and their default set', () => {
  test('a position names a shared set as its default; delete of the set is then 409 in_use', async () => {
    const qs = await create();
    const p = await admin.patch(`/api/v1/positions/${s.pos['SALES-01'].id}`, { question_set: qs.code });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.question_set, qs.code);
    assert.equal(p.body.question_set_id, qs.id);
    const g = await s.clients.int1.get(`/api/v1/positions/${s.pos['SALES-01'].id}`);
    assert.equal(g.body.question_set, qs.code);

    const before = await dbSnapshot(srv);
    const d = await hr.del(`/api/v1/question-sets/${qs.id}`);
    assertError(assert, d, 409, 'in_use');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));

    // Cleared, the set can go.
    const c = await admin.patch(`/api/v1/positions/${s.pos['SALES-01'].id}`, { question_set: null });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.question_set, null);
    assert.equal(c.body.question_set_id, null);
    assert.equal((await hr.del(`/api/v1/question-sets/${qs.id}`)).status, 200);
  });

  test('a new position may name a shared default set; unknown codes are 422', async () => {
    const qs = await create();
    const r = await admin.post('/api/v1/positions', {
      code: `QP-${uniq()}`, title: '销售', org_unit: 'SALES', headcount: 1, question_set: qs.code,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.question_set, qs.code);
    const bad = await admin.post('/api/v1/positions', {
      code: `QP-${uniq()}`, title: '销售', org_unit: 'SALES', headcount: 1, question_set: 'NO-SUCH-SET',
    });
    const e = assertError(assert, bad, 422, 'invalid_reference');
    assert.equal(e.field, 'question_set');
  });

  test("a set tied to a position is only that position's default", async () => {
    const qs = await create(setBody({ position: 'ENG-01' }));
    assert.equal(qs.position, 'ENG-01');
    assert.equal(qs.position_id, s.pos['ENG-01'].id);
    assert.equal(qs.shared, false);
    const wrong = await admin.patch(`/api/v1/positions/${s.pos['SALES-01'].id}`, { question_set: qs.code });
    assertError(assert, wrong, 422, 'invalid_reference');
    const ok = await admin.patch(`/api/v1/positions/${s.pos['ENG-01'].id}`, { question_set: qs.code });
    assert.equal(ok.status, 200, ok.text);
    // Moving the set to another position while ENG-01 uses it is refused.
    const move = await hr.patch(`/api/v1/question-sets/${qs.id}`, { position: 'SALES-01' });
    const e = assertError(assert, move, 409, 'in_use');
    assert.equal(e.field, 'position');
    // Making it shared is fine.
    const share = await hr.patch(`/api/v1/question-sets/${qs.id}`, { position: null });
    assert.equal(share.status, 200, share.text);
    assert.equal(share.body.shared, true);
    await admin.patch(`/api/v1/positions/${s.pos['ENG-01'].id}`, { question_set: null });
  });
});

describe('list', () => {
  let sales;
  let eng;
  let shared;
  before(async () => {
    sales = [await create(setBody({ position: 'SALES-01' })), await create(setBody({ position: 'SALES-01' }))];
    eng = [await create(setBody({ position: 'ENG-01' }))];
    shared = [await create(), await create()];
  });

  test('filters: position, shared, code; items carry question_count, not the questions', async () => {
    const bySales = await hr.all('/api/v1/question-sets?position=SALES-01');
    assert.deepEqual(bySales.map((x) => x.id), sales.map((x) => x.id));
    for (const x of bySales) {
      assert.equal(x.question_count, 2);
      assert.ok(!('questions' in x));
    }
    const sh = await hr.all('/api/v1/question-sets?shared=true');
    assert.ok(sh.every((x) => x.shared && x.position === null));
    for (const x of shared) assert.ok(sh.some((y) => y.id === x.id));
    const tied = await hr.all('/api/v1/question-sets?shared=false');
    assert.ok(tied.every((x) => !x.shared));
    for (const x of [...sales, ...eng]) assert.ok(tied.some((y) => y.id === x.id));
    const one = await hr.all(`/api/v1/question-sets?code=${eng[0].code}`);
    assert.deepEqual(one.map((x) => x.id), [eng[0].id]);
    assert.deepEqual(await hr.all('/api/v1/question-sets?position=NOPE'), []);
    assertError(assert, await hr.get('/api/v1/question-sets?shared=maybe'), 422);
    assertError(assert, await hr.get('/api/v1/question-sets?colour=red'), 400, 'unknown_parameter');
  });

  test('cursor pagination walks every set once, in id order', async () => {
    const everything = await paginate(assert, hr, '/api/v1/question-sets', 2);
    for (const x of [...sales, ...eng, ...shared]) assert.ok(everything.some((y) => y.id === x.id));
  });

  test('a manager sees shared sets and those of positions in their subtree only', async () => {
    const mine = await s.clients.mgr_sales.all('/api/v1/question-sets');
    for (const x of [...sales, ...shared]) assert.ok(mine.some((y) => y.id === x.id), `mgr_sales sees ${x.code}`);
    assert.ok(!mine.some((y) => y.id === eng[0].id), 'ENG set hidden from mgr_sales');
    assertError(assert, await s.clients.mgr_sales.get(`/api/v1/question-sets/${eng[0].id}`), 404, 'not_found');
    const g = await s.clients.mgr_eng.get(`/api/v1/question-sets/${eng[0].id}`);
    assert.equal(g.status, 200, g.text);
  });
});

describe('who may read and write', () => {
  test('interviewer and manager read, but may not write', async () => {
    const qs = await create();
    for (const who of ['int1', 'mgr_sales']) {
      const c = s.clients[who];
      assert.equal((await c.get('/api/v1/question-sets')).status, 200);
      assert.equal((await c.get(`/api/v1/question-sets/${qs.id}`)).status, 200);
      const before = await dbSnapshot(srv);
      assertError(assert, await c.post('/api/v1/question-sets', setBody()), 403, 'forbidden');
      assertError(assert, await c.patch(`/api/v1/question-sets/${qs.id}`, { name: 'x' }), 403, 'forbidden');
      assertError(assert, await c.del(`/api/v1/question-sets/${qs.id}`), 403, 'forbidden');
      const now = await dbSnapshot(srv);
      assert.ok(now === before, snapshotDiff(before, now));
    }
    assertError(assert, await srv.anon().get('/api/v1/question-sets'), 401, 'unauthorized');
  });

  test('tokens need questions:read to read and questions:write to write', async () => {
    const qs = await create();
    const reader = srv.bearer(await cliToken(srv, ['questions:read']));
    const writer = srv.bearer(await cliToken(srv, ['questions:write']));
    const other = srv.bearer(await cliToken(srv, ['positions:read', 'positions:write']));
    assert.equal((await reader.get(`/api/v1/question-sets/${qs.id}`)).status, 200);
    assertError(assert, await reader.post('/api/v1/question-sets', setBody()), 403, 'insufficient_scope');
    assertError(assert, await writer.get('/api/v1/question-sets'), 403, 'insufficient_scope');
    assert.equal((await writer.post('/api/v1/question-sets', setBody())).status, 201);
    assertError(assert, await other.get('/api/v1/question-sets'), 403, 'insufficient_scope');
    assertError(assert, await other.patch(`/api/v1/question-sets/${qs.id}`, { name: 'x' }), 403, 'insufficient_scope');
  });
});

describe('CLI: talentd questions', () => {
  const example = path.join(ROOT, 'docs/examples/question-set-sales.json');

  test('import the example file, then again (replaced), then list and show it', async () => {
    const r = await srv.cli(['questions', 'import', example]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created question set SALES-AI-V1 \(id \d+, 4 questions\)/);
    const list = await hr.all('/api/v1/question-sets?code=SALES-AI-V1');
    assert.equal(list.length, 1);
    const g = await hr.get(`/api/v1/question-sets/${list[0].id}`);
    assert.equal(g.body.questions.length, 4);
    assert.ok(g.body.questions.every((q) => /[\u4e00-\u9fff]/.test(q.text_zh) && q.text_en.length > 0));
    assert.ok(g.body.questions.some((q) => q.rubric.phrases.stress?.length > 0));
    assert.ok(g.body.questions.some((q) => q.required === false));

    const again = await srv.cli(['questions', 'import', example]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /replaced question set SALES-AI-V1/);
    const g2 = await hr.get(`/api/v1/question-sets/${list[0].id}`);
    assert.equal(g2.body.version, 2);
    assert.equal(g2.body.questions.length, 4);

    const ls = await srv.cli(['questions', 'list']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /SALES-AI-V1\s+\(shared\)\s+4/);
    const show = await srv.cli(['questions', 'show', 'SALES-AI-V1']);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).id, list[0].id);
    const byId = await srv.cli(['questions', 'show', String(list[0].id)]);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).code, 'SALES-AI-V1');
    const missing = await srv.cli(['questions', 'show', 'NO-SUCH-SET']);
    assert.equal(missing.code, 1);
  });

  test('a broken file: exit 1, FILE: field: message, nothing changed', async () => {
    const doc = {
      code: 'CLI-BROKEN',
      name: '坏文件',
      questions: [Q2, { ...Q1, rubric: { phrases: { logic: [{ text: '首先', weight: 11 }] } } }],
    };
    const file = path.join(srv.dataDir, 'broken.json');
    writeFileSync(file, JSON.stringify(doc));
    const before = await dbSnapshot(srv);
    const r = await srv.cli(['questions', 'import', file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`${file}: questions[1].rubric.phrases.logic[0].weight: `), r.stderr);
    const syntax = path.join(srv.dataDir, 'syntax.json');
    writeFileSync(syntax, '{"code": "X",\n "name": ');
    const r2 = await srv.cli(['questions', 'import', syntax]);
    assert.equal(r2.code, 1);
    assert.ok(r2.stderr.startsWith(`${syntax}: line 2`), r2.stderr);
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
    const usage = await srv.cli(['questions', 'import']);
    assert.equal(usage.code, 2);
  });
});
