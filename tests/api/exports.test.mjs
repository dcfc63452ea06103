// exports.test.mjs - exports of eliminated applications (issue 5): export
// templates (CRUD, validation naming the field), export jobs in CSV (BOM,
// Chinese, RFC 4180), XLSX (unzipped) and JSONL, the moves to exported, the
// file's SHA-256 and byte-identical re-downloads, the empty selection, the
// export directory, who may export, `talentd export` and the daily schedule
// run by `talentd export run-due` exactly once, a failed run recorded on the
// template with its text and code (last_error, last_error_code).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, dbSnapshot, psql, run, seed, snapshotDiff, startServer, uniq } from './lib/harness.mjs';

let srv;
let s;
let hr;
let admin;
let exportDir;
let work;

before(async () => {
  exportDir = mkdtempSync(path.join(tmpdir(), 'talentd-exportdir-'));
  work = mkdtempSync(path.join(tmpdir(), 'talentd-exportwork-'));
  srv = await startServer({ serveArgs: ['--export-dir', exportDir] });
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  admin = s.clients.admin;
});

after(async () => {
  if (srv) await srv.stop();
  rmSync(exportDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** An AI result for application app. */
function result(app, over = {}) {
  return {
    vendor: 'native',
    vendor_result_id: 'EX-' + uniq(),
    completed_at: '2026-11-20T09:30:00Z',
    model_version: 'interview-ai 4.2',
    candidate: { application_id: app },
    overall: 58,
    vendor_recommendation: 'reject',
    dimensions: [
      { key: 'logic', score: 45, evidence: '逻辑不够清晰' },
      { key: 'communication', score: 62 },
    ],
    tags: ['表达清晰', 'needs coaching'],
    transcript: [
      { start_ms: 0, end_ms: 5200, speaker: 'ai', text: '请先做一个简单的自我介绍。' },
      { start_ms: 5200, end_ms: 48100, speaker: 'candidate', text: '我叫测试，"负责"过支付系统,\n也做过销售。' },
    ],
    video_url: 'https://video.example.com/r/ex.mp4',
    key_moments: [{ at_ms: 31000, label: 'STAR 案例' }],
    ...over,
  };
}

/**
 * A candidate with a Chinese name applying to position, given an AI result and eliminated by hr:
 * straight to eliminated_pending_export, or (review-required positions) through the review queue.
 */
async function eliminated(position, name, over = {}) {
  const c = await hr.post('/api/v1/candidates', {
    name,
    email: `ex.${uniq()}@example.com`,
    phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    source: '校园招聘',
  });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position, special_note: over.note ?? null });
  assert.equal(a.status, 201, a.text);
  const r = await hr.post('/api/v1/results', result(a.body.id, over.result));
  assert.equal(r.status, 201, r.text);
  const review = position === 'ENG-BE-01';
  const t = await hr.post(`/api/v1/applications/${a.body.id}/transitions`, {
    to: review ? 'eliminated_pending_review' : 'eliminated_pending_export',
    reason: 'skills_mismatch',
    note: '技能与岗位要求差距较大',
  });
  assert.equal(t.status, 200, t.text);
  if (review) {
    const conf = await admin.post(`/api/v1/reviews/${a.body.id}/confirm`, { note: '确认淘汰' });
    assert.equal(conf.status, 200, conf.text);
  }
  const now = await hr.get(`/api/v1/applications/${a.body.id}`);
  assert.equal(now.body.stage, 'eliminated_pending_export');
  return { cand: c.body, app: now.body };
}

/** Creates a template (201) and returns it. */
async function template(body, client = hr) {
  const r = await client.post('/api/v1/export-templates', { name: '淘汰导出-' + uniq(), ...body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** GETs the job's file as bytes: {status, headers, buf}. */
async function download(job, client = hr) {
  const headers = { Cookie: client.cookie };
  const res = await fetch(srv.url + `/api/v1/exports/${job.id}/file`, { headers });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, buf };
}

/** One SQL query's rows (|-separated text), on the server's database. */
async function sql(q) {
  if (srv.dbUrl) return (await psql(srv.dbUrl, q)).trim();
  const r = await run('sqlite3', [path.join(srv.dataDir, 'talentd.db'), q]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** RFC 4180 parser (quoted fields with "" and line breaks; CRLF records). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (ch === '"') q = false;
      else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(f);
      f = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
      i++;
    } else f += ch;
  }
  if (f || row.length) rows.push([...row, f]);
  return rows;
}

const ALL_FIELDS = [
  'application.id',
  'candidate.name',
  'candidate.email',
  'candidate.phone',
  'candidate.source',
  'position.code',
  'position.title',
  'department.code',
  'department.name',
  'application.stage',
  'application.stage_label',
  'application.applied_at',
  'application.elimination_reason',
  'application.elimination_reason_label',
  'application.elimination_note',
  'application.eliminated_at',
  'application.special_note',
  'ai.vendor',
  'ai.model_version',
  'ai.completed_at',
  'ai.overall',
  'ai.overall_percentile',
  'ai.recommendation',
  'ai.recommendation_label',
  'ai.match_score',
  'dim.logic',
  'percentile.logic',
  'dim.communication',
  'dim.teamwork',
  'ai.tags',
  'ai.transcript',
  'ai.video_url',
  'ai.key_moments',
  'reviewer.name',
  'reviewer.confirmed_at',
  'export.exported_at',
];

describe('templates', () => {
  test('the field catalogue lists every field with zh and en labels', async () => {
    const r = await hr.get('/api/v1/export-fields');
    assert.equal(r.status, 200, r.text);
    const keys = r.body.items.map((f) => f.key);
    for (const k of ALL_FIELDS.filter((k) => !k.includes('logic') && !k.includes('communication') && !k.includes('teamwork')))
      assert.ok(keys.includes(k), `${k} in the catalogue`);
    const name = r.body.items.find((f) => f.key === 'candidate.name');
    assert.equal(name.label_zh, '姓名');
    assert.equal(name.label_en, 'Name');
    assert.deepEqual(r.body.patterns.map((p) => p.key), ['dim.<key>', 'percentile.<key>']);
  });

  test('create, get, list, update with a version, delete', async () => {
    const t = await template({ fields: ['candidate.name', 'dim.logic', 'percentile.communication'], format: 'xlsx' });
    assert.equal(t.format, 'xlsx');
    assert.equal(t.lang, 'zh');
    assert.equal(t.version, 1);
    assert.equal(t.schedule, null);
    assert.equal(t.default_position, null);
    assert.deepEqual(t.columns, [
      { key: 'candidate.name', label: '姓名' },
      { key: 'dim.logic', label: '逻辑思维' },
      { key: 'percentile.communication', label: '沟通能力百分位' },
    ]);
    const got = await hr.get(`/api/v1/export-templates/${t.id}`);
    assert.deepEqual(got.body, t);
    const list = await hr.all(`/api/v1/export-templates?name=${encodeURIComponent(t.name)}`);
    assert.deepEqual(list.map((x) => x.id), [t.id]);
    const up = await hr.patch(`/api/v1/export-templates/${t.id}`, { lang: 'en', fields: ['dim.logic', 'candidate.name'], version: 1 });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.version, 2);
    assert.deepEqual(up.body.columns, [
      { key: 'dim.logic', label: 'Logical thinking' },
      { key: 'candidate.name', label: 'Name' },
    ]);
    assertError(assert, await hr.patch(`/api/v1/export-templates/${t.id}`, { lang: 'zh', version: 1 }), 409, 'version_conflict');
    const audit = await admin.get(`/api/v1/audit?entity=export_template&id=${t.id}`);
    assert.deepEqual(audit.body.items.map((i) => i.action).sort(), ['export_template.create', 'export_template.update']);
    const del = await hr.del(`/api/v1/export-templates/${t.id}`);
    assert.equal(del.status, 200, del.text);
    assertError(assert, await hr.get(`/api/v1/export-templates/${t.id}`), 404);
  });

  test('an unknown field is a 422 naming it, and every invalid template changes nothing', async () => {
    const before = await dbSnapshot(srv);
    const bad = async (body, status, code, field) => {
      const r = await hr.post('/api/v1/export-templates', { name: 'bad-' + uniq(), fields: ['candidate.name'], ...body });
      const e = assertError(assert, r, status, code, JSON.stringify(body));
      if (field) assert.equal(e.field, field, r.text);
      return e;
    };
    const e = await bad({ fields: ['candidate.name', 'candidate.salary'] }, 422, 'unknown_field', 'fields[1]');
    assert.match(e.message, /candidate\.salary/);
    await bad({ fields: ['dim.Logic'] }, 422, 'unknown_field', 'fields[0]');
    await bad({ fields: [] }, 422, null, 'fields');
    await bad({ fields: ['candidate.name', 'candidate.name'] }, 422, 'duplicate', 'fields[1]');
    await bad({ format: 'pdf' }, 422, null, 'format');
    await bad({ lang: 'fr' }, 422, null, 'lang');
    await bad({ default_position: 'NOPE-1' }, 422, 'invalid_reference', 'default_position');
    await bad({ default_stage: 'limbo' }, 422, null, 'default_stage');
    await bad({ schedule: { daily_at: '25:00' } }, 422, null, 'schedule.daily_at');
    await bad({ schedule: { daily_at: '09:00', filter: { bogus: '1' } } }, 422, 'unknown_field', 'schedule.filter.bogus');
    await bad({ schedule: { daily_at: '09:00', filter: { 'dim.logic_gte': '101' } } }, 422, null, 'schedule.filter.dim.logic_gte');
    await bad({ colour: 'red' }, 422, 'unknown_field', 'colour');
    const now = await dbSnapshot(srv);
    assert.ok(now === before, snapshotDiff(before, now));
  });

  test('names are unique; a position or stage has at most one default template', async () => {
    const t = await template({ fields: ['candidate.name'], default_position: 'ENG-01' });
    assert.equal(t.default_position, 'ENG-01');
    const dupName = await hr.post('/api/v1/export-templates', { name: t.name, fields: ['candidate.name'] });
    assert.equal(assertError(assert, dupName, 409, 'duplicate').existing_id, t.id);
    const dupPos = await hr.post('/api/v1/export-templates', { name: 'x-' + uniq(), fields: ['candidate.name'], default_position: 'ENG-01' });
    const e = assertError(assert, dupPos, 409, 'duplicate');
    assert.equal(e.field, 'default_position');
    assert.equal(e.existing_id, t.id);
    assert.equal((await hr.del(`/api/v1/export-templates/${t.id}`)).status, 200);
  });
});

describe('exports', () => {
  let tcsv;
  let job;
  let apps;
  let first;

  before(async () => {
    tcsv = await template({ fields: ALL_FIELDS, format: 'csv', lang: 'zh' });
    apps = [
      await eliminated('SALES-01', '张三丰', { result: { overall: 58, dimensions: [{ key: 'logic', score: 45 }, { key: 'communication', score: 62 }] } }),
      await eliminated('SALES-01', '=HYPERLINK("x")', { result: { overall: 40, dimensions: [{ key: 'logic', score: 30 }, { key: 'communication', score: 50 }] } }),
      await eliminated('ENG-BE-01', '李四', { note: '内推' }),
    ];
  });

  test('POST /exports writes a CSV of the eliminated applications, records the job and moves them to exported', async () => {
    const r = await hr.post('/api/v1/exports', { template: tcsv.name, filter: { department: 'HQ' } });
    assert.equal(r.status, 201, r.text);
    job = r.body;
    assert.equal(job.rows, 3);
    assert.equal(job.moved, 3);
    assert.equal(job.format, 'csv');
    assert.equal(job.template, tcsv.name);
    assert.equal(job.template_id, tcsv.id);
    assert.equal(job.trigger, 'api');
    assert.equal(job.destination, 'download');
    assert.equal(job.created_by, 'user:hr1');
    assert.deepEqual(job.filter, { department: 'HQ', stage: 'eliminated_pending_export' });
    assert.deepEqual(job.fields, ALL_FIELDS);
    assert.match(job.sha256, /^[0-9a-f]{64}$/);
    assert.equal(job.file_url, `/api/v1/exports/${job.id}/file`);
    assert.ok(job.path.endsWith(`/exports/${job.id}.csv`), job.path);
    for (const { app } of apps) {
      const a = await hr.get(`/api/v1/applications/${app.id}`);
      assert.equal(a.body.stage, 'exported');
      const h = await hr.get(`/api/v1/applications/${app.id}/history`);
      const last = h.body.items.at(-1);
      assert.deepEqual([last.from, last.to, last.user], ['eliminated_pending_export', 'exported', 'hr1']);
    }
    const audit = await admin.get(`/api/v1/audit?entity=export&id=${job.id}`);
    assert.deepEqual(audit.body.items.map((i) => i.action), ['export.create']);
    // events: one application.exported per moved application (with the export's id), one export.created
    const events = await sql(`SELECT event, entity_id, payload FROM outbox WHERE event IN ('application.exported', 'export.created') ORDER BY id`);
    const lines = events.split('\n').map((l) => l.split('|'));
    assert.deepEqual(lines.map((l) => l[0]), ['application.exported', 'application.exported', 'application.exported', 'export.created']);
    assert.deepEqual(lines.slice(0, 3).map((l) => Number(l[1])).sort((x, y) => x - y), apps.map((a) => a.app.id).sort((x, y) => x - y));
    const ev = JSON.parse(lines[0].slice(2).join('|'));
    assert.equal(ev.export_id, job.id);
    assert.equal(ev.from, 'eliminated_pending_export');
    assert.equal(ev.to, 'exported');
    assert.equal(Number(lines[3][1]), job.id);
    assert.equal(await sql(`SELECT count(*) FROM export_item WHERE job_id = ${job.id}`), '3');
    assert.equal((await hr.get(`/api/v1/exports/${job.id}`)).body.sha256, job.sha256);
    const hist = await hr.all('/api/v1/exports');
    assert.equal(hist[0].id, job.id, 'newest first');
  });

  test('the CSV: BOM, Chinese labels and name, decrypted contact data, dimension score, quoting, formula guard', async () => {
    const d = await download(job);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(d.headers.get('content-disposition'), /^attachment; filename="[^"]+\.csv"; filename\*=UTF-8''.+\.csv$/);
    assert.equal(Number(d.headers.get('content-length')), job.bytes);
    assert.equal(sha256(d.buf), job.sha256);
    first = d.buf;
    assert.deepEqual([...d.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = d.buf.subarray(3).toString('utf8');
    assert.ok(text.endsWith('\r\n'));
    const rows = parseCsv(text);
    assert.equal(rows.length, 4);
    const head = rows[0];
    assert.equal(head.length, ALL_FIELDS.length);
    const col = (k) => head.indexOf({ 'candidate.name': '姓名', 'dim.logic': '逻辑思维' }[k] ?? k);
    assert.equal(head[0], '申请编号');
    assert.equal(head[1], '姓名');
    assert.ok(col('dim.logic') > 0);
    const byId = Object.fromEntries(rows.slice(1).map((r) => [Number(r[0]), r]));
    const [a, b, c] = apps;
    const ra = byId[a.app.id];
    const at = (row, key) => row[ALL_FIELDS.indexOf(key)];
    assert.equal(at(ra, 'candidate.name'), '张三丰');
    assert.equal(at(ra, 'candidate.email'), a.cand.email);
    assert.equal(at(ra, 'candidate.phone'), a.cand.phone);
    assert.equal(at(ra, 'candidate.source'), '校园招聘');
    assert.equal(at(ra, 'position.code'), 'SALES-01');
    assert.equal(at(ra, 'department.name'), 'Sales');
    assert.equal(at(ra, 'application.stage'), 'eliminated_pending_export');
    assert.equal(at(ra, 'application.stage_label'), '淘汰待导出');
    assert.equal(at(ra, 'application.elimination_reason'), 'skills_mismatch');
    assert.equal(at(ra, 'application.elimination_reason_label'), '技能不匹配');
    assert.equal(at(ra, 'application.elimination_note'), '技能与岗位要求差距较大');
    assert.equal(at(ra, 'ai.vendor'), 'native');
    assert.equal(at(ra, 'ai.overall'), '58');
    assert.equal(at(ra, 'dim.logic'), '45');
    assert.equal(at(ra, 'dim.communication'), '62');
    assert.equal(at(ra, 'dim.teamwork'), '', 'a dimension the result lacks is empty');
    assert.match(at(ra, 'percentile.logic'), /^\d+$/);
    assert.match(at(ra, 'ai.overall_percentile'), /^\d+$/);
    assert.equal(at(ra, 'ai.recommendation'), a.app.recommendation);
    assert.equal(Number(at(ra, 'ai.match_score')), a.app.match_score);
    assert.equal(at(ra, 'ai.tags'), '表达清晰; needs coaching');
    assert.equal(at(ra, 'ai.transcript'), '[00:00-00:05] AI: 请先做一个简单的自我介绍。\n[00:05-00:48] 候选人: 我叫测试，"负责"过支付系统,\n也做过销售。');
    assert.equal(at(ra, 'ai.video_url'), 'https://video.example.com/r/ex.mp4');
    assert.equal(at(ra, 'ai.key_moments'), '00:31 STAR 案例');
    assert.equal(at(ra, 'ai.completed_at'), '2026-11-20T09:30:00Z');
    assert.equal(at(ra, 'reviewer.name'), 'hr1');
    assert.match(at(ra, 'reviewer.confirmed_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(at(ra, 'application.eliminated_at'), at(ra, 'reviewer.confirmed_at'));
    assert.match(at(ra, 'export.exported_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // a name that a spreadsheet would run as a formula is written as text
    assert.equal(at(byId[b.app.id], 'candidate.name'), `'=HYPERLINK("x")`);
    assert.equal(at(byId[b.app.id], 'dim.logic'), '30');
    // through review: eliminated by hr1, confirmed by admin afterwards
    const rc = byId[c.app.id];
    assert.equal(at(rc, 'reviewer.name'), 'Administrator (admin)', 'display name (username)');
    assert.equal(at(rc, 'application.special_note'), '内推');
    assert.ok(at(rc, 'application.eliminated_at') <= at(rc, 'reviewer.confirmed_at'));
  });

  test('a second download is byte-identical and matches the recorded SHA-256', async () => {
    const d = await download(job);
    assert.equal(d.status, 200);
    assert.ok(d.buf.equals(first), 'same bytes');
    assert.equal(sha256(d.buf), job.sha256);
    const audit = await admin.get(`/api/v1/audit?entity=export&id=${job.id}`);
    assert.equal(audit.body.items.filter((i) => i.action === 'export.download').length, 2);
  });

  test('nothing left to export: 422 nothing_to_export, no job, no file', async () => {
    const before = (await hr.all('/api/v1/exports')).length;
    const files = readdirSync(path.join(srv.dataDir, 'exports')).length;
    const r = await hr.post('/api/v1/exports', { template: tcsv.name, filter: { department: 'HQ' } });
    assertError(assert, r, 422, 'nothing_to_export');
    assert.equal((await hr.all('/api/v1/exports')).length, before);
    assert.equal(readdirSync(path.join(srv.dataDir, 'exports')).length, files);
  });

  test('XLSX: header row bold with the English labels, a cell with the Chinese name, numbers as numbers', async () => {
    const t = await template({ fields: ['candidate.name', 'dim.logic', 'ai.overall', 'application.stage_label'], format: 'xlsx', lang: 'en' });
    const { app } = await eliminated('SALES-01', '王小明');
    const r = await hr.post('/api/v1/exports', { template: t.id, filter: { position: 'SALES-01' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.rows, 1);
    const d = await download(r.body);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(sha256(d.buf), r.body.sha256);
    const file = path.join(work, 'a.xlsx');
    writeFileSync(file, d.buf);
    const sheet = await run('unzip', ['-p', file, 'xl/worksheets/sheet1.xml']);
    assert.equal(sheet.code, 0, sheet.stderr);
    assert.ok(sheet.stdout.includes('<c r="A1" s="1" t="inlineStr"><is><t>Name</t></is></c>'), sheet.stdout.slice(0, 2000));
    assert.ok(sheet.stdout.includes('<c r="B1" s="1" t="inlineStr"><is><t>Logical thinking</t></is></c>'));
    assert.ok(sheet.stdout.includes('<c r="A2" t="inlineStr"><is><t>王小明</t></is></c>'), sheet.stdout.slice(0, 2000));
    assert.ok(sheet.stdout.includes('<c r="B2"><v>45</v></c>'));
    assert.ok(sheet.stdout.includes('<t>Eliminated, pending export</t>'));
    assert.equal((await hr.get(`/api/v1/applications/${app.id}`)).body.stage, 'exported');
  });

  test('JSONL: one object per application keyed by field, numbers as numbers, absent values null', async () => {
    const t = await template({ fields: ['application.id', 'candidate.name', 'dim.logic', 'dim.stress', 'ai.match_score', 'ai.tags'], format: 'jsonl' });
    const { app } = await eliminated('ENG-01', '赵六');
    const r = await hr.post('/api/v1/exports', { template: t.name, filter: { position: 'ENG-01', 'dim.logic_lte': 50 } });
    assert.equal(r.status, 201, r.text);
    const d = await download(r.body);
    assert.equal(d.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    const lines = d.buf.toString('utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 1);
    const o = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(o), ['application.id', 'candidate.name', 'dim.logic', 'dim.stress', 'ai.match_score', 'ai.tags']);
    assert.equal(o['application.id'], app.id);
    assert.equal(o['candidate.name'], '赵六');
    assert.equal(o['dim.logic'], 45);
    assert.equal(o['dim.stress'], null);
    assert.equal(typeof o['ai.match_score'], 'number');
    assert.equal(o['ai.tags'], '表达清晰; needs coaching');
  });

  test('a filter that does not match leaves the applications waiting; a bad filter is a 422 naming it', async () => {
    const { app } = await eliminated('SALES-01', '钱七');
    assertError(assert, await hr.post('/api/v1/exports', { template: tcsv.name, filter: { position: 'SALES-01', 'dim.logic_gte': 90 } }), 422, 'nothing_to_export');
    const e = assertError(assert, await hr.post('/api/v1/exports', { template: tcsv.name, filter: { stage: 'limbo' } }), 422);
    assert.equal(e.field, 'filter.stage');
    assert.equal(assertError(assert, await hr.post('/api/v1/exports', { template: 'no-such-template' }), 422, 'invalid_reference').field, 'template');
    assert.equal((await hr.get(`/api/v1/applications/${app.id}`)).body.stage, 'eliminated_pending_export');
  });

  test('application_ids exports exactly the applications named (the UI\'s "export selected")', async () => {
    const one = await eliminated('SALES-01', '孙九');
    const two = await eliminated('SALES-01', '周十');
    const r = await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: [one.app.id, 999999999] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.rows, 1);
    assert.equal(r.body.moved, 1);
    assert.deepEqual(r.body.filter, { application_ids: 2 });
    assert.equal((await hr.get(`/api/v1/applications/${one.app.id}`)).body.stage, 'exported');
    assert.equal((await hr.get(`/api/v1/applications/${two.app.id}`)).body.stage, 'eliminated_pending_export');
    assertError(assert, await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: [] }), 422, 'wrong_type');
    assertError(assert, await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: ['x'] }), 422, 'wrong_type');
    const both = await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: [two.app.id], filter: { position: 'SALES-01' } });
    assert.equal(assertError(assert, both, 422, 'invalid_value').field, 'filter');
    assertError(assert, await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: [999999998] }), 422, 'nothing_to_export');
    assert.equal((await hr.get(`/api/v1/applications/${two.app.id}`)).body.stage, 'eliminated_pending_export');
    const done = await hr.post('/api/v1/exports', { template: tcsv.name, application_ids: [two.app.id] });
    assert.equal(done.status, 201, done.text);
  });

  test('the application keeps what an export reads: a score revision shows in the next export', async () => {
    const t = await template({ fields: ['application.id', 'dim.logic', 'dim.communication', 'ai.overall', 'ai.vendor', 'ai.tags'] });
    const { app } = await eliminated('SALES-01', '吴十一', { result: { overall: 58, dimensions: [{ key: 'logic', score: 45 }, { key: 'communication', score: 62 }] } });
    const rev = await hr.post(`/api/v1/applications/${app.id}/score-revisions`, { dim: 'logic', score: 71, reason: '复核录像后人工评分' });
    assert.equal(rev.status, 201, rev.text);
    const r = await hr.post('/api/v1/exports', { template: t.id, application_ids: [app.id] });
    assert.equal(r.status, 201, r.text);
    const rows = parseCsv((await download(r.body)).buf.subarray(3).toString('utf8'));
    assert.deepEqual(rows[1], [String(app.id), '71', '62', '58', 'native', '表达清晰; needs coaching']);
    assert.equal(await sql(`SELECT count(*) FROM export_item WHERE job_id = ${r.body.id} AND moved = 1`), '1');
  });

  test('migration 011 fills the kept export facts from the results, scores and history as the writes keep them', async () => {
    const cols = ['ai_vendor', 'ai_model', 'ai_completed_at', 'ai_tags', 'ai_transcript', 'ai_dims', 'eliminated_at', 'confirmed_at', 'confirmed_by_kind', 'confirmed_by'];
    const facts = async () => {
      const q = srv.dbUrl
        ? `SELECT json_build_object('id', id, 'v', ai_vendor, 'm', ai_model, 'c', ai_completed_at, 't', ai_tags::json, 'x', ai_transcript, 'd', ai_dims::json, 'e', eliminated_at, 'ca', confirmed_at, 'ck', confirmed_by_kind, 'cb', confirmed_by) FROM application ORDER BY id`
        : `SELECT json_object('id', id, 'v', ai_vendor, 'm', ai_model, 'c', ai_completed_at, 't', json(ai_tags), 'x', ai_transcript, 'd', json(ai_dims), 'e', eliminated_at, 'ca', confirmed_at, 'ck', confirmed_by_kind, 'cb', confirmed_by) FROM application ORDER BY id`;
      return (await sql(q)).split('\n').map((l) => JSON.parse(l));
    };
    const kept = await facts();
    assert.ok(kept.some((f) => f.e && f.ca && f.cb && f.d && Object.keys(f.d).length && f.t && f.x === 1), JSON.stringify(kept.slice(0, 3)));
    // as an older database: without the columns and the migration
    await sql(`DELETE FROM schema_migrations WHERE version = 11; ${cols.map((c) => `ALTER TABLE application DROP COLUMN ${c};`).join(' ')}`);
    const m = await srv.cli(['migrate']);
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(await facts(), kept);
  });

  test('the position default template applies when none is named; destination directory writes to --export-dir', async () => {
    const t = await template({ fields: ['candidate.name', 'position.code'], default_position: 'SALES-01' });
    const r = await hr.post('/api/v1/exports', { filter: { position: 'SALES-01' }, destination: 'directory' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.template_id, t.id);
    assert.equal(r.body.destination, 'directory');
    assert.equal(path.dirname(r.body.path), exportDir);
    assert.ok(r.body.filename.endsWith(`-${r.body.id}.csv`), r.body.filename);
    const bytes = readFileSync(r.body.path);
    assert.equal(sha256(bytes), r.body.sha256);
    assert.ok(bytes.toString('utf8').includes('钱七'));
    await hr.del(`/api/v1/export-templates/${t.id}`);
  });

  test('the file is named after the template, whole characters kept: a Chinese last character, a long name cut', async () => {
    for (const [name, expect] of [
      ['淘汰名单', '淘汰名单'],
      ['ab名单', 'ab名单'],
      ['销售 / 周报', '销售___周报'],
      // 27 characters of 3 bytes: 81 bytes, cut to the 26 whole characters within 80
      ['淘'.repeat(27), '淘'.repeat(26)],
    ]) {
      const t = await hr.post('/api/v1/export-templates', { name, fields: ['candidate.name'] });
      assert.equal(t.status, 201, t.text);
      await eliminated('SALES-01', '周九');
      const r = await hr.post('/api/v1/exports', { template: t.body.id, filter: { position: 'SALES-01' } });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.body.filename.startsWith(`${expect}-`), `${name}: ${r.body.filename}`);
      assert.ok(r.body.filename.endsWith(`-${r.body.id}.csv`), r.body.filename);
      const d = await download(r.body);
      assert.equal(d.status, 200);
      assert.ok(d.headers.get('content-disposition').includes(`filename*=UTF-8''${encodeURIComponent(r.body.filename)}`),
        d.headers.get('content-disposition'));
      await hr.del(`/api/v1/export-templates/${t.body.id}`);
    }
  });

  test('a changed file is refused with 409 file_changed instead of being sent', async () => {
    const t = await template({ fields: ['candidate.name'] });
    await eliminated('SALES-01', '孙八');
    const r = await hr.post('/api/v1/exports', { template: t.name, filter: { position: 'SALES-01' } });
    assert.equal(r.status, 201, r.text);
    writeFileSync(r.body.path, Buffer.concat([readFileSync(r.body.path), Buffer.from('x')]));
    assertError(assert, await hr.get(`/api/v1/exports/${r.body.id}/file`), 409, 'file_changed');
    rmSync(r.body.path);
    assertError(assert, await hr.get(`/api/v1/exports/${r.body.id}/file`), 404, 'file_missing');
  });

  test('managers and interviewers may not export or see templates and files (403)', async () => {
    for (const who of ['mgr_sales', 'int1']) {
      const c = s.clients[who];
      assertError(assert, await c.get('/api/v1/export-templates'), 403, 'forbidden', who);
      assertError(assert, await c.post('/api/v1/export-templates', { name: 'nope', fields: ['candidate.name'] }), 403, 'forbidden', who);
      assertError(assert, await c.post('/api/v1/exports', { template: tcsv.name }), 403, 'forbidden', who);
      assertError(assert, await c.get('/api/v1/exports'), 403, 'forbidden', who);
      assertError(assert, await c.get(`/api/v1/exports/${job.id}`), 403, 'forbidden', who);
      assertError(assert, await c.get(`/api/v1/exports/${job.id}/file`), 403, 'forbidden', who);
      assertError(assert, await c.get('/api/v1/export-fields'), 403, 'forbidden', who);
    }
    assertError(assert, await srv.anon().get(`/api/v1/exports/${job.id}/file`), 401);
  });
});

describe('the command line and schedules', () => {
  test('talentd export --template NAME --position CODE --out FILE exports through the same use case', async () => {
    const t = await template({ fields: ['candidate.name', 'dim.logic', 'position.code'] });
    const { app } = await eliminated('ENG-01', '周九');
    const out = path.join(work, 'cli.csv');
    const r = await srv.cli(['export', '--template', t.name, '--position', 'ENG-01', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const jobOut = JSON.parse(r.stdout);
    assert.equal(jobOut.rows, 1);
    assert.equal(jobOut.trigger, 'cli');
    assert.equal(jobOut.created_by, 'system:cli');
    const bytes = readFileSync(out);
    assert.equal(sha256(bytes), jobOut.sha256);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    assert.deepEqual(rows[1], ['周九', '45', 'ENG-01']);
    // the API serves the same bytes
    const d = await download(jobOut);
    assert.ok(d.buf.equals(bytes));
    assert.equal((await hr.get(`/api/v1/applications/${app.id}`)).body.stage, 'exported');
    const hist = await hr.get(`/api/v1/applications/${app.id}/history`);
    assert.equal(hist.body.items.at(-1).actor, 'system');
    // nothing left: exit status 1 with the reason
    const again = await srv.cli(['export', '--template', t.name, '--position', 'ENG-01']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /nothing to export/);
    const usage = await srv.cli(['export', '--position', 'ENG-01']);
    assert.equal(usage.code, 2);
  });

  test('a daily schedule runs once when its time has come (run-due), even when run again', async () => {
    const t = await template({
      fields: ['candidate.name', 'ai.overall'],
      format: 'jsonl',
      schedule: { daily_at: '02:30', filter: { position: 'SALES-01' } },
    });
    assert.equal(t.schedule.daily_at, '02:30');
    // a fresh database is in Asia/Shanghai (UTC+8, no DST): 02:30 there is 18:30Z the day before
    assert.equal(t.schedule.time_zone, 'Asia/Shanghai');
    assert.equal(t.schedule.destination, 'download');
    assert.deepEqual(t.schedule.filter, { position: 'SALES-01', stage: 'eliminated_pending_export' });
    const next = Date.parse(t.schedule.next_run_at);
    assert.ok(next > Date.now() && next <= Date.now() + 86400000, t.schedule.next_run_at);
    assert.equal(new Date(next).toISOString().slice(11, 16), '18:30');
    const { app } = await eliminated('SALES-01', '吴十');
    const early = await srv.cli(['export', 'run-due', '--now', new Date(next - 60000).toISOString()]);
    assert.equal(early.code, 0, early.stderr);
    assert.match(early.stdout, /ran 0 scheduled exports/);
    const due = new Date(next + 60000).toISOString();
    const r1 = await srv.cli(['export', 'run-due', '--now', due]);
    assert.equal(r1.code, 0, r1.stdout + r1.stderr);
    assert.match(r1.stdout, /ran 1 scheduled export\b/);
    const r2 = await srv.cli(['export', 'run-due', '--now', due]);
    assert.match(r2.stdout, /ran 0 scheduled exports/);
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(t.name)}`);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].trigger, 'schedule');
    assert.equal(jobs[0].rows, 1);
    const after = (await hr.get(`/api/v1/export-templates/${t.id}`)).body;
    assert.equal(after.schedule.last_export_id, jobs[0].id);
    assert.equal(after.schedule.last_error, null);
    assert.equal(after.schedule.last_error_code, null);
    assert.equal(Date.parse(after.schedule.next_run_at), next + 86400000);
    assert.equal((await hr.get(`/api/v1/applications/${app.id}`)).body.stage, 'exported');
    const line = JSON.parse((await download(jobs[0])).buf.toString('utf8'));
    assert.equal(line['candidate.name'], '吴十');
    // the next day finds nothing: a run without a job, recorded on the template
    const r3 = await srv.cli(['export', 'run-due', '--now', new Date(next + 86400000 + 60000).toISOString()]);
    assert.match(r3.stdout, /ran 1 scheduled export\b/);
    assert.equal((await hr.all(`/api/v1/exports?template=${encodeURIComponent(t.name)}`)).length, 1);
    const empty = (await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule;
    assert.equal(empty.last_error, 'nothing to export');
    assert.equal(empty.last_error_code, 'nothing_to_export');
    assert.ok(existsSync(jobs[0].path));
    // the day after exports again: the error and its code are cleared
    await eliminated('SALES-01', '郑十一');
    const r4 = await srv.cli(['export', 'run-due', '--now', new Date(next + 2 * 86400000 + 60000).toISOString()]);
    assert.equal(r4.code, 0, r4.stdout + r4.stderr);
    const ok = (await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule;
    assert.equal(ok.last_error, null);
    assert.equal(ok.last_error_code, null);
    assert.equal((await hr.all(`/api/v1/exports?template=${encodeURIComponent(t.name)}`)).length, 2);
    // the list shows the same schedule
    const listed = (await hr.all('/api/v1/export-templates')).find((x) => x.id === t.id);
    assert.deepEqual(listed.schedule, ok);
    await hr.del(`/api/v1/export-templates/${t.id}`);
  });

  test('a failed scheduled run keeps the error text and code on the template until a run succeeds', async () => {
    // destination directory, run by a worker without --export-dir: refused with no_export_dir
    const t = await template({
      fields: ['candidate.name'],
      schedule: { daily_at: '03:15', filter: { position: 'ENG-01' }, destination: 'directory' },
    });
    assert.equal(t.schedule.last_error_code, null);
    await eliminated('ENG-01', '冯十二');
    const next = Date.parse(t.schedule.next_run_at);
    const r1 = await srv.cli(['export', 'run-due', '--now', new Date(next + 60000).toISOString()]);
    assert.equal(r1.code, 1, 'the refused run is a failure of the run');
    assert.match(r1.stderr, /export directory/);
    const failed = (await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule;
    assert.equal(failed.last_error_code, 'no_export_dir');
    assert.match(failed.last_error, /no export directory is configured/);
    assert.equal(Date.parse(failed.next_run_at), next + 86400000, 'not retried before the next day');
    assert.deepEqual(await hr.all(`/api/v1/exports?template=${encodeURIComponent(t.name)}`), []);
    // the next day, with the directory: the run exports the application and clears the error and its code
    const r2 = await srv.cli(['export', 'run-due', '--export-dir', exportDir, '--now', new Date(next + 86400000 + 60000).toISOString()]);
    assert.equal(r2.code, 0, r2.stdout + r2.stderr);
    const ok = (await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule;
    assert.equal(ok.last_error, null);
    assert.equal(ok.last_error_code, null);
    const jobs = await hr.all(`/api/v1/exports?template=${encodeURIComponent(t.name)}`);
    assert.equal(jobs.length, 1);
    assert.equal(path.dirname(jobs[0].path), exportDir);
    await hr.del(`/api/v1/export-templates/${t.id}`);
  });

  test('migration 017 gives the errors recorded before it the code of their text', async () => {
    const t = await template({ fields: ['candidate.name'], schedule: { daily_at: '04:00' } });
    await sql(`UPDATE export_template SET schedule_last_error = 'nothing to export' WHERE id = ${t.id}`);
    await sql(
      'DELETE FROM schema_migrations WHERE version = 17; ' +
        'ALTER TABLE export_template DROP COLUMN schedule_last_error_code; ALTER TABLE export_request DROP COLUMN last_error_code;',
    );
    const m = await srv.cli(['migrate']);
    assert.equal(m.code, 0, m.stderr);
    const sched = (await hr.get(`/api/v1/export-templates/${t.id}`)).body.schedule;
    assert.equal(sched.last_error, 'nothing to export');
    assert.equal(sched.last_error_code, 'nothing_to_export');
    await hr.del(`/api/v1/export-templates/${t.id}`);
  });
});
