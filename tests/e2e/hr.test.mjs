// hr.test.mjs - the HR screens in a real browser (issue 6): playwright-core driving Debian's
// /usr/bin/chromium against a talentd that serves the built UI (web/dist); the set-up is
// tests/e2e/lib.mjs, shared with the other browser tests.
//
//   hr1 lands on the dashboard, whose numbers are the API's (applications per stage and per
//   position as GET /application-counts answers them and as many as the list holds, the review
//   queue, pending exports, unviewed results, reminders, a position's "0/3 filled"); confirms an
//   elimination with the bulk action of the applications list; builds an export template in the
//   editor, exports with one click (an incomplete evaluation is held back and listed), downloads
//   the file (the browser's download), opens it (UTF-8 BOM, CSV) and finds the candidate's row;
//   downloads it again from the history (same SHA-256); meets the fairness gate (409
//   fairness_unacknowledged shown in Chinese), acknowledges with a reason and exports; ticks one of
//   two applications pending export in the list and exports exactly that one. The admin
//   creates a webhook, copies the secret shown once, pings a receiver in this test that checks
//   the signature with that secret. The manager mgr_eng sees their subtree's numbers and is not
//   offered exports or reviews; the server refuses them (403 on the API calls, not only hidden
//   buttons).
//
// Screenshots go to test-output/e2e/hr-*.png. Needs the UI built (make web, or
// `npm --prefix web run build`) and chromium (scripts/bootstrap installs both).
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/hr.test.mjs

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin } from './lib.mjs';

const STAGES = [
  'applied', 'ai_invited', 'ai_in_progress', 'ai_incomplete', 'ai_pending_evaluation', 'ai_passed', 'followup', 'offer',
  'hired', 'eliminated_pending_review', 'eliminated_pending_export', 'exported', 'withdrawn',
];
const ACTIVE = STAGES.slice(0, 8); // applied up to offer: "in the pipeline"

let srv;
let s;
let hr;
let browser;
let page;
let receiver; // the webhook receiver: {url, requests, close()}
const apps = {};
let job; // the export made through the UI

const shot = (name) => screenshot(page, `hr-${name}`);

/** A native AI result for application id (as hr1); {transcript: false} leaves the transcript out. */
async function result(id, overall, { transcript = true } = {}) {
  const r = await hr.post('/api/v1/results', {
    vendor: 'native',
    vendor_result_id: `HR-E2E-${uniq()}`,
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: id },
    overall,
    dimensions: [
      { key: 'logic', score: overall, evidence: '分析清楚' },
      { key: 'communication', score: overall, evidence: '表达流畅' },
    ],
    ...(transcript ? { transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }] } : {}),
  });
  assert.equal(r.status, 201, `result for ${id}: ${r.text}`);
}

async function move(id, to, reason = 'skills_mismatch') {
  const r = await hr.post(`/api/v1/applications/${id}/transitions`, { to, reason });
  assert.equal(r.status, 200, `${id} -> ${to}: ${r.text}`);
}

const stageOf = async (id) => (await hr.get(`/api/v1/applications/${id}`)).body.stage;

/** RFC 4180 CSV (quotes doubled, CRLF) into rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** Waits until every stage count on the dashboard is a number (exact: no "N+"). */
async function dashboardLoaded() {
  await page.waitForFunction(
    (stages) => stages.every((st) => /^\d+$/.test(document.querySelector(`[data-testid=stage-count-${st}]`)?.textContent.trim() || '')),
    STAGES,
  );
}

/**
 * The dashboard's numbers against the API, as client: every stage count and the total are those
 * of GET /application-counts?by=stage, and each equals how many applications the list holds; the
 * in-pipeline tile adds up applied..offer. Returns {stage: count}.
 */
async function checkStageCounts(client, who) {
  const r = await client.get('/api/v1/application-counts?by=stage');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.by, 'stage');
  const counts = Object.fromEntries(STAGES.map((st) => [st, 0]));
  for (const i of r.body.items) counts[i.stage] = i.count;
  for (const st of STAGES) {
    const listed = (await client.all(`/api/v1/applications?stage=${st}`)).length;
    assert.equal(counts[st], listed, `${who}: the count of ${st} is what the list holds`);
    assert.equal(await page.getByTestId(`stage-count-${st}`).innerText(), String(counts[st]), `${who}: stage ${st}`);
  }
  assert.equal(r.body.total, (await client.all('/api/v1/applications')).length, `${who}: the total`);
  assert.equal(await page.getByTestId('stage-total').innerText(), `共 ${r.body.total} 个申请`);
  const active = ACTIVE.reduce((n, st) => n + counts[st], 0);
  assert.equal(await page.getByTestId('tile-in-pipeline').innerText(), String(active), `${who}: in the pipeline`);
  return counts;
}

/**
 * The department progress row of key ("p:SALES-01", "u:ENG") against GET
 * /application-counts?by=position,stage (and the list) as client: hired and in the pipeline.
 */
async function checkProgress(client, key, positions) {
  const r = await client.get('/api/v1/application-counts?by=position,stage');
  assert.equal(r.status, 200, r.text);
  let hired = 0;
  let active = 0;
  for (const i of r.body.items) {
    if (!positions.includes(i.position)) continue;
    if (i.stage === 'hired') hired += i.count;
    else if (ACTIVE.includes(i.stage)) active += i.count;
  }
  let listed = 0;
  for (const p of positions) listed += (await client.all(`/api/v1/applications?position=${p}`)).filter((a) => ACTIVE.includes(a.stage)).length;
  assert.equal(active, listed, `${key}: the count is what the list holds`);
  const row = page.locator('[data-testid=dept-progress] tr', { has: page.getByTestId(`progress-${key}`) });
  const cells = row.locator('td');
  assert.equal((await cells.nth(2).innerText()).trim(), String(hired), `${key}: hired`);
  assert.equal((await cells.nth(3).innerText()).trim(), String(active), `${key}: in the pipeline`);
}

/** Picks the option with this text in the Element Plus select whose input has id. */
async function choose(id, text) {
  // the select's box (a select that is not filterable keeps its input hidden)
  await page.locator('.el-select__wrapper', { has: page.locator(`#${id}`) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/** A local HTTP server that records what it receives (the webhook's receiver). */
function startReceiver() {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/hook`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

before(async () => {
  const playwright = requirePlaywright();
  srv = await startUiServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  for (const k of ['sales_a', 'sales_b', 'eng_a', 'engbe_a']) apps[k] = s.app[k].id;
  await result(apps.sales_a, 82);
  await result(apps.eng_a, 90);
  // ENG-BE-01 asks for review: the elimination waits in the review queue for hr to confirm.
  await result(apps.engbe_a, 41);
  await move(apps.engbe_a, 'eliminated_pending_review');
  // SALES-01 does not: sales_b goes straight to pending export, but its result has no
  // transcript, so the export holds it back.
  await result(apps.sales_b, 35, { transcript: false });
  await move(apps.sales_b, 'eliminated_pending_export');
  receiver = await startReceiver();
  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (receiver) await receiver.close();
  if (srv) await srv.stop();
});

describe('the HR screens in chromium', () => {
  test('hr1 lands on the dashboard and its numbers are those of the API', { timeout: STEP_MS }, async () => {
    await uiLogin(page, srv.url, 'hr1', PASSWORD, /\/dashboard$/);
    await dashboardLoaded();
    const counts = await checkStageCounts(hr, 'hr1');
    assert.equal(counts.eliminated_pending_review, 1);
    assert.equal(counts.eliminated_pending_export, 1);
    await checkProgress(hr, 'p:SALES-01', ['SALES-01']);
    await checkProgress(hr, 'u:ENG', ['ENG-01', 'ENG-BE-01']);
    const reviews = await hr.all('/api/v1/reviews');
    assert.equal(reviews.length, 1);
    await page.getByTestId('tile-reviews').filter({ hasText: /^1$/ }).waitFor();
    await page.getByTestId('tile-pending-export').filter({ hasText: /^1$/ }).waitFor();
    const unviewed = await hr.get('/api/v1/reminders?unopened_hours=0&stuck_days=365&limit=1');
    assert.equal(await page.getByTestId('tile-unviewed').innerText(), String(unviewed.body.unopened.count));
    const rem = await hr.get('/api/v1/reminders?unopened_hours=24&stuck_days=3&limit=10');
    assert.equal(await page.getByTestId('tile-unopened').innerText(), String(rem.body.unopened.count));
    assert.equal(await page.getByTestId('tile-stuck').innerText(), String(rem.body.stuck.count));
    // department progress: every seeded position has a headcount of 3 and nobody hired yet
    assert.equal(await page.getByTestId('filled-p:SALES-01').innerText(), '已招 0/3');
    assert.equal(await page.getByTestId('filled-u:ENG').innerText(), '已招 0/6', 'ENG adds up its subtree (ENG-01, ENG-BE-01)');
    await shot('01-dashboard');
  });

  test('the bulk action of the list confirms an elimination', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications?stage=eliminated_pending_review`);
    const row = page.locator('[data-testid=applications-table] .el-table__row', { hasText: 'Backend Candidate A' });
    await row.waitFor();
    await row.locator('.el-checkbox').click();
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/reviews/confirm') && r.request().method() === 'POST');
    await page.getByTestId('bulk-confirm').click();
    // asked first: the eliminations become final only from the dialog
    await page.getByTestId('bulk-confirm-dialog').getByText('确认淘汰所选的 1 个申请').waitFor();
    await page.getByTestId('bulk-confirm-ok').click();
    const res = await answered;
    assert.equal(res.status(), 200);
    assert.deepEqual(JSON.parse(res.request().postData()), { application_ids: [apps.engbe_a] });
    assert.equal((await res.json()).confirmed, 1);
    const outcome = page.getByTestId('bulk-outcome');
    await outcome.getByText('成功 1 个，失败 0 个').waitFor();
    await outcome.getByTestId(`bulk-outcome-${apps.engbe_a}`).filter({ hasText: '淘汰待导出' }).waitFor();
    await shot('02-bulk-confirm');
    await outcome.getByRole('button', { name: '关闭', exact: true }).click();
    assert.equal(await stageOf(apps.engbe_a), 'eliminated_pending_export');
  });

  test('a template made in the editor; one click exports; the downloaded CSV holds the candidate', { timeout: STEP_MS }, async () => {
    await page.getByTestId('nav-exports').click();
    await page.getByRole('tab', { name: '导出模板' }).click();
    await page.getByTestId('template-new').click();
    const editor = page.getByTestId('template-editor');
    await editor.getByLabel('模板名称').fill('E2E 淘汰归档');
    for (const f of ['application.id', 'candidate.name', 'position.code', 'application.stage_label', 'ai.overall']) {
      await editor.getByTestId(`tpl-add-${f}`).click();
    }
    await page.locator('[data-testid=tpl-dim]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '逻辑思维' }).click();
    await editor.getByTestId('tpl-dim-add').click();
    // the last field first: reorder with the keyboard-usable buttons
    await editor.getByRole('button', { name: '上移 逻辑思维' }).click();
    const chosen = await editor.getByTestId('tpl-chosen').locator('code').allInnerTexts();
    assert.deepEqual(chosen, ['application.id', 'candidate.name', 'position.code', 'application.stage_label', 'dim.logic', 'ai.overall']);
    await shot('03-template-editor');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/export-templates') && r.request().method() === 'POST');
    await editor.getByTestId('tpl-save').click();
    assert.equal((await created).status(), 201);
    await page.getByTestId('templates-table').getByText('E2E 淘汰归档').waitFor();

    await page.getByRole('tab', { name: '一键导出' }).click();
    await choose('ex-template', 'E2E 淘汰归档');
    await page.getByTestId('export-run').click();
    const dialog = page.getByTestId('export-confirm-dialog');
    await dialog.getByText('符合条件的“淘汰待导出”申请：2 个。').waitFor();
    const exported = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
    await dialog.getByTestId('export-confirm').click();
    const res = await exported;
    assert.equal(res.status(), 201);
    job = await res.json();
    assert.equal(job.rows, 1);
    assert.equal(job.held_back, 1);
    const result = page.getByTestId('export-result');
    await result.getByTestId('export-rows').filter({ hasText: /^1$/ }).waitFor();
    const held = result.getByTestId('held-back');
    await held.getByText('Sales Candidate B').waitFor();
    await held.getByText('面试转录').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await shot('04-export-result');

    const [download] = await Promise.all([page.waitForEvent('download'), result.getByTestId('export-download').click()]);
    assert.equal(download.suggestedFilename(), job.filename);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark');
    assert.equal(createHash('sha256').update(bytes).digest('hex'), job.sha256);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    assert.deepEqual(rows[0], ['申请编号', '姓名', '职位编码', '阶段名称', '逻辑思维', 'AI总分']);
    const mine = rows.find((r) => r[1] === 'Backend Candidate A');
    assert.ok(mine, `a row with the candidate: ${JSON.stringify(rows)}`);
    assert.deepEqual(mine, [String(apps.engbe_a), 'Backend Candidate A', 'ENG-BE-01', '淘汰待导出', '41', '41']);
    assert.equal(rows.length, 2, 'the header and one row: the held-back application is not in the file');
    assert.equal(await stageOf(apps.engbe_a), 'exported');
    assert.equal(await stageOf(apps.sales_b), 'eliminated_pending_export', 'held back in the buffer');
  });

  test('the history downloads the same file again', { timeout: STEP_MS }, async () => {
    await page.getByRole('tab', { name: '导出记录' }).click();
    const history = page.getByTestId('export-history');
    await history.getByText('E2E 淘汰归档').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), history.getByTestId(`history-download-${job.id}`).click()]);
    const bytes = readFileSync(await download.path());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), job.sha256);
    await shot('05-export-history');
  });

  test('the dashboard\'s efficiency card counts that export: by hand, so not automated', { timeout: STEP_MS }, async () => {
    const api = (await hr.get(`/api/v1/pipeline-kpis?since=${new Date(Date.now() - 30 * 86400000).toISOString()}`)).body;
    assert.equal(api.exported, 1, JSON.stringify(api));
    assert.equal(api.by_trigger.api, 1);
    await page.getByTestId('nav-dashboard').click();
    const card = page.getByTestId('pipeline-kpis');
    await card.getByTestId('kpi-exported').filter({ hasText: /^1$/ }).waitFor();
    assert.match(await card.getByTestId('kpi-rate').innerText(), /^0%\s+0 \/ 1 无人工操作$/);
    assert.match(await card.getByTestId('kpi-triggers').innerText(), /界面 \/ API 1/);
    assert.match(await card.getByTestId('kpi-median').innerText(), /^[\d.]+ (分钟|小时|天)$/);
    // another period asks the server again
    const again = page.waitForResponse((r) => r.url().includes('/api/v1/pipeline-kpis?since='));
    await card.getByTestId('kpi-days').getByText('近 7 天').click();
    assert.equal((await again).status(), 200);
    await shot('05b-dashboard-kpis');
  });

  test('the fairness gate: the refusal is shown, acknowledged with a reason, then the export goes', { timeout: STEP_MS * 2 }, async () => {
    // A position where the AI recommends 3 of 6 women and 6 of 6 men: flagged (impact ratio 0.5).
    const put = await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
    assert.equal(put.status, 200, put.text);
    const pos = `FAIR-${uniq()}`.toUpperCase();
    const p = await s.admin.post('/api/v1/positions', {
      code: pos, title: '公平性检查', org_unit: 'SALES', headcount: 5, status: 'open',
      competency_model: [{ dim: 'logic', weight: 0.5, min: 60 }, { dim: 'communication', weight: 0.5, min: 50 }],
    });
    assert.equal(p.status, 201, p.text);
    const low = [];
    for (let i = 0; i < 6; i++) {
      for (const [gender, score] of [['女', i < 3 ? 20 : 90], ['男', 90]]) {
        const c = await hr.post('/api/v1/candidates', { name: `Fair ${gender} ${i}`, email: `fair.${uniq()}@example.com` });
        assert.equal(c.status, 201, c.text);
        const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: pos });
        assert.equal(a.status, 201, a.text);
        await result(a.body.id, score);
        const attr = await hr.req('PUT', `/api/v1/candidates/${c.body.id}/attributes`, { body: { gender } });
        assert.equal(attr.status, 200, attr.text);
        if (score < 60) low.push(a.body.id);
      }
    }
    for (const id of low) await move(id, 'eliminated_pending_export');

    await page.goto(`${srv.url}/exports?tab=run`); // the new position among the choices
    await choose('ex-template', 'E2E 淘汰归档');
    await choose('ex-position', pos);
    await page.getByTestId('export-run').click();
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
    await page.getByTestId('export-confirm-dialog').getByTestId('export-confirm').click();
    const res = await refused;
    assert.equal(res.status(), 409);
    assert.equal((await res.json()).error.code, 'fairness_unacknowledged');
    const alert = page.getByTestId('fairness-error');
    await alert.getByText('该岗位的公平性检查有标记，需先确认才能导出').waitFor();
    await page.getByTestId('export-confirm-dialog').waitFor({ state: 'hidden' });
    await shot('06-fairness-refused');

    await alert.getByTestId('fairness-open').click();
    const dialog = page.getByTestId('fairness-dialog');
    await dialog.getByTestId('fairness-report').getByText('已标记').waitFor();
    await dialog.getByTestId('fairness-report').getByText('女').waitFor();
    const acked = page.waitForResponse((r) => r.url().endsWith('/api/v1/fairness/acknowledgements'));
    await dialog.getByTestId('fairness-ack').click(); // no reason: refused in the dialog, nothing sent
    await dialog.getByRole('alert').getByText('请选择岗位并填写理由').waitFor();
    await dialog.getByLabel('确认理由').fill('样本量小，已逐一复核淘汰理由');
    await shot('07-fairness-acknowledge');
    await dialog.getByTestId('fairness-ack').click();
    const ack = await acked;
    assert.equal(ack.status(), 201);
    assert.deepEqual(JSON.parse(ack.request().postData()), { position: pos, reason: '样本量小，已逐一复核淘汰理由' });

    await alert.getByTestId('export-retry').click();
    const again = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
    await page.getByTestId('export-confirm-dialog').getByTestId('export-confirm').click();
    const ok = await again;
    assert.equal(ok.status(), 201);
    assert.equal((await ok.json()).rows, 3);
    await page.getByTestId('export-result').getByTestId('export-rows').filter({ hasText: /^3$/ }).waitFor();
    for (const id of low) assert.equal(await stageOf(id), 'exported');
    await s.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [] } });
  });

  test('export selected: exactly the ticked application is exported', { timeout: STEP_MS }, async () => {
    // Two more eliminations of SALES-01 waiting for export, with complete evaluations (sales_b,
    // held back before, waits there too): the list ticks one of them.
    const pending = {};
    for (const [key, name, score] of [['picked', 'Export Picked', 30], ['other', 'Export Other', 33]]) {
      const c = await hr.post('/api/v1/candidates', { name, email: `export.${uniq()}@example.com` });
      assert.equal(c.status, 201, c.text);
      const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
      assert.equal(a.status, 201, a.text);
      await result(a.body.id, score);
      await move(a.body.id, 'eliminated_pending_export');
      pending[key] = a.body.id;
    }
    const templates = await hr.all('/api/v1/export-templates');
    const template = templates.find((tp) => tp.name === 'E2E 淘汰归档');
    assert.ok(template, JSON.stringify(templates));

    await page.goto(`${srv.url}/applications?stage=eliminated_pending_export&position=SALES-01`);
    const table = page.getByTestId('applications-table');
    await table.getByText('Export Other').waitFor();
    await table.locator('.el-table__row', { hasText: 'Export Picked' }).locator('.el-checkbox').click();
    await page.getByTestId('bulk-export').filter({ hasText: '导出所选（1）' }).click();
    const dialog = page.getByTestId('export-selected-dialog');
    await dialog.getByText('将导出勾选的 1 个申请').waitFor();
    await dialog.getByText('其中 1 个“淘汰待导出”的申请导出后进入“已导出”阶段').waitFor();
    await choose('exs-template', 'E2E 淘汰归档');
    await shot('08-export-selected-confirm');
    const exported = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
    await dialog.getByTestId('export-selected-confirm').click();
    const res = await exported;
    assert.equal(res.status(), 201);
    assert.deepEqual(JSON.parse(res.request().postData()), { template: template.id, application_ids: [pending.picked] });
    const selJob = await res.json();
    assert.equal(selJob.rows, 1);
    assert.equal(selJob.moved, 1);
    assert.equal(selJob.held_back || 0, 0);
    await dialog.waitFor({ state: 'hidden' });
    const outcome = page.getByTestId('export-selected-outcome');
    await outcome.getByTestId('export-rows').filter({ hasText: /^1$/ }).waitFor();
    await outcome.getByTestId('export-moved').filter({ hasText: /^1$/ }).waitFor();
    // the list reloads: the exported application has left the stage, the other is still there
    await table.getByText('Export Picked').waitFor({ state: 'hidden' });
    await table.getByText('Export Other').waitFor();
    await shot('09-export-selected-result');

    const [download] = await Promise.all([page.waitForEvent('download'), outcome.getByTestId('export-download').click()]);
    assert.equal(download.suggestedFilename(), selJob.filename);
    const bytes = readFileSync(await download.path());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), selJob.sha256);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    assert.deepEqual(rows.slice(1).map((r) => r[1]), ['Export Picked'], 'the file holds the ticked application only');

    assert.equal(await stageOf(pending.picked), 'exported');
    assert.equal(await stageOf(pending.other), 'eliminated_pending_export', 'not ticked: not exported');
    assert.equal(await stageOf(apps.sales_b), 'eliminated_pending_export', 'not ticked: not exported');
    const listed = await hr.all('/api/v1/applications?stage=exported&position=SALES-01');
    assert.deepEqual(listed.map((a) => a.id), [pending.picked], 'the only SALES-01 application exported');
  });

  test('the admin creates a webhook, keeps the secret shown once and pings a receiver that checks the signature', { timeout: STEP_MS }, async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login/);
    await uiLogin(page, srv.url, 'admin', srv.adminPassword, /\/dashboard$/);
    await page.getByTestId('nav-webhooks').click();
    await page.getByTestId('webhook-new').click();
    const form = page.getByTestId('webhook-create');
    await form.getByLabel('名称').fill('E2E 接收端');
    await form.getByLabel('推送地址（URL）').fill(receiver.url);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/webhooks') && r.request().method() === 'POST');
    await form.getByTestId('wh-save').click();
    const res = await created;
    assert.equal(res.status(), 201);
    const hook = await res.json();
    const secretDialog = page.getByTestId('webhook-secret');
    await secretDialog.getByText('密钥只显示这一次').waitFor();
    const secret = await secretDialog.getByTestId('wh-secret').inputValue();
    assert.equal(secret, hook.secret);
    assert.match(secret, /^whsec_/);
    await shot('10-webhook-secret');
    await secretDialog.getByRole('button', { name: '我已保存' }).click();
    const listed = await s.admin.get('/api/v1/webhooks');
    assert.equal(listed.body.items[0].secret, undefined, 'the list never shows the secret');

    const pinged = page.waitForResponse((r) => r.url().endsWith(`/api/v1/webhooks/${hook.id}/ping`));
    await page.getByTestId(`webhook-ping-${hook.id}`).click();
    assert.equal((await pinged).status(), 200);
    await page.getByTestId('webhook-ping-result').getByText('已送达').waitFor();
    const got = receiver.requests.find((r) => r.headers['x-talentd-event'] === 'webhook.ping');
    assert.ok(got, 'the receiver got the ping');
    const sig = /t=(\d+),v1=([0-9a-f]+)/.exec(got.headers['x-talentd-signature']);
    assert.ok(sig, got.headers['x-talentd-signature']);
    assert.equal(createHmac('sha256', secret).update(`${sig[1]}.${got.body}`).digest('hex'), sig[2], 'signed with the secret the UI showed');
    await page.getByTestId('webhook-ping-result').getByRole('button', { name: '关闭', exact: true }).click();
    await page.getByTestId(`webhook-deliveries-${hook.id}`).click();
    await page.getByTestId('deliveries-table').getByText('webhook.ping').waitFor();
    await page.waitForTimeout(400); // the drawer slides in
    await shot('11-webhook-deliveries');
    await page.keyboard.press('Escape');
  });

  test('the manager mgr_eng: the subtree on the dashboard; exports and reviews are refused by the server', { timeout: STEP_MS }, async () => {
    await page.getByTestId('deliveries').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login/);
    await uiLogin(page, srv.url, 'mgr_eng', PASSWORD, /\/dashboard$/);
    await dashboardLoaded();
    const mgr = s.clients.mgr_eng;
    await checkStageCounts(mgr, 'mgr_eng');
    await checkProgress(mgr, 'u:ENG', ['ENG-01', 'ENG-BE-01']);
    assert.equal(await page.getByTestId('stage-count-exported').innerText(), '1', 'the ENG-BE-01 export, not the sales ones');
    assert.equal(await page.getByTestId('tile-reviews').count(), 0);
    await page.getByTestId('filled-u:ENG').waitFor();
    assert.equal(await page.getByTestId('filled-p:SALES-01').count(), 0, 'positions outside the subtree are not shown');
    for (const name of ['exports', 'webhooks', 'reviews']) assert.equal(await page.getByTestId(`nav-${name}`).count(), 0, `no ${name} in the menu`);
    await shot('12-manager-dashboard');

    // The export page is not offered; its API is refused by the server, whatever the UI shows.
    await page.goto(`${srv.url}/exports`);
    await page.waitForURL(/\/forbidden$/);
    await page.getByText('你的角色无权访问此页面').waitFor();
    await shot('13-manager-exports-forbidden');
    const refusals = [];
    const listen = (r) => {
      if (r.url().includes('/api/v1/')) refusals.push({ url: r.url(), status: r.status() });
    };
    page.on('response', listen);
    const file = page.waitForResponse((r) => r.url().endsWith(`/api/v1/exports/${job.id}/file`));
    await page.goto(`${srv.url}/api/v1/exports/${job.id}/file`).catch(() => {});
    const fileRes = await file;
    assert.equal(fileRes.status(), 403, 'a manager may not download an export file');
    assert.equal((await fileRes.json()).error.code, 'forbidden');

    await page.goto(`${srv.url}/dashboard`);
    await dashboardLoaded();
    const confirmRes = page.waitForResponse((r) => r.url().endsWith('/api/v1/reviews/confirm'));
    // The page's own session (cookie and CSRF token) tries what the UI does not offer a manager.
    const answer = await page.evaluate(async (id) => {
      const me = await (await fetch('/api/v1/me')).json();
      const r = await fetch('/api/v1/reviews/confirm', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ application_ids: [id] }),
      });
      return { status: r.status, body: await r.json() };
    }, apps.sales_b);
    assert.equal((await confirmRes).status(), 403, 'the page saw the server refuse');
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'forbidden');
    page.off('response', listen);
    assert.ok(refusals.some((r) => r.status === 403), JSON.stringify(refusals));
    assert.equal(await stageOf(apps.sales_b), 'eliminated_pending_export', 'nothing changed');
  });
});
