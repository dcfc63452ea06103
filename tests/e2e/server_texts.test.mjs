// server_texts.test.mjs - the texts the server makes read in the user's language (zh-CN here,
// English once), in a real browser (playwright-core, /usr/bin/chromium; set-up in lib.mjs). The
// server sends a stable code beside its English; the UI's locale files say it.
//
//   The demo data (talentd demo: the system eliminates some applications into review), plus:
//   rule A eliminates ai.overall < 50 on ENG-01 (review required), rule B would advance the same
//   applications but A moves them first, rule C advances SALES-01 results to followup, which the
//   pipeline refuses from ai_pending_evaluation. One ENG-01 and one SALES-01 result arrive.
//   1. the report's timeline: "规则：A" and "收到 AI 面试结果（native / ID）", no English note;
//      the firings: B "另一条规则已先移动了该申请", C "当前阶段不允许此操作（当前阶段：待评估）";
//   2. the simulation of A: "“通过”指：未被此规则淘汰";
//   3. the review queue: the demo's eliminations by the system read "系统自动" (not "系统 (hr1)");
//   4. webhook deliveries (admin): a refused connection "无法连接到接收方服务器", a 500
//      "接收方返回 HTTP 500", libcurl's English kept as the title;
//   5. in English: the timeline note "Rule: A" and the queue's "System (automatic)".
//
// Screenshots go to test-output/e2e/server-texts-*.png.
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/server_texts.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin } from './lib.mjs';

let srv;
let hr;
let admin;
let hrPassword;
let playwright;
let browser;
let page;
let receiver;
const RULE_A = `低分淘汰 ${uniq()}`;
const RULE_B = `低分推进 ${uniq()}`;
const RULE_C = `高分跟进 ${uniq()}`;
let elim; // the ENG-01 application rule A eliminated
let refused; // the SALES-01 application rule C could not move
let elimResult; // its vendor_result_id

const shot = (name) => screenshot(page, `server-texts-${name}`);

async function must(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.text}`);
  return r.body;
}

/** A candidate with an application to position and an AI result of overall; the application and result id. */
async function scored(position, overall) {
  const c = await must(await hr.post('/api/v1/candidates', { name: `文本 ${uniq()}`, email: `st.${uniq()}@example.com` }), 201, 'candidate');
  const a = await must(await hr.post('/api/v1/applications', { candidate_id: c.id, position }), 201, 'application');
  const id = `ST-${uniq()}`;
  await must(
    await hr.post('/api/v1/results', {
      vendor: 'native',
      vendor_result_id: id,
      completed_at: '2026-11-20T09:30:00Z',
      candidate: { application_id: a.id },
      overall,
      dimensions: [
        { key: 'logic', score: overall, evidence: '…' },
        { key: 'communication', score: overall, evidence: '…' },
      ],
      transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我做过后端开发。' }],
    }),
    201,
    'result',
  );
  return { app: a, result: id };
}

before(async () => {
  playwright = requirePlaywright();
  srv = await startUiServer();
  const demo = await srv.cli(['demo', '--candidates', '60', '--seed', '7']);
  assert.equal(demo.code, 0, demo.stderr);
  const users = readFileSync(path.join(srv.dataDir, 'demo-users.txt'), 'utf8');
  hrPassword = users.match(/^hr1 hr (\S+)$/m)[1];
  hr = await srv.login('hr1', hrPassword);
  admin = await srv.login('admin', srv.adminPassword);
  const rule = async (body) => must(await hr.post('/api/v1/rules', body), 201, body.name);
  await rule({ name: RULE_A, when: 'ai.overall < 50', actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }], priority: 10, scope: { kind: 'position', code: 'ENG-01' } });
  await rule({ name: RULE_B, when: 'ai.overall < 50', actions: [{ type: 'advance', stage: 'ai_passed' }], priority: 20, scope: { kind: 'position', code: 'ENG-01' } });
  await rule({ name: RULE_C, when: 'ai.overall >= 80', actions: [{ type: 'advance', stage: 'followup' }], scope: { kind: 'position', code: 'SALES-01' } });
  const e = await scored('ENG-01', 40);
  elim = e.app.id;
  elimResult = e.result;
  refused = (await scored('SALES-01', 85)).app.id;
  assert.equal((await hr.get(`/api/v1/applications/${elim}`)).body.stage, 'eliminated_pending_review');
  assert.equal((await hr.get(`/api/v1/applications/${refused}`)).body.stage, 'ai_pending_evaluation');
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('receiver is down for maintenance');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (receiver) receiver.close();
  if (srv) await srv.stop();
});

describe('server-made texts in the user language', () => {
  test('the timeline notes and the firings that were not applied, in Chinese', { timeout: STEP_MS }, async () => {
    await uiLogin(page, srv.url, 'hr1', hrPassword);
    await page.goto(`${srv.url}/applications/${elim}`);
    const timeline = page.getByTestId('timeline');
    await timeline.getByText(`规则：${RULE_A}`).waitFor();
    await timeline.getByText(`收到 AI 面试结果（native / ${elimResult}）`).waitFor();
    assert.equal(await timeline.getByText(/AI result|received|rule:/).count(), 0, 'no English note');
    const firings = page.getByTestId('firings');
    await firings.getByText(/未执行：另一条规则已先移动了该申请/).waitFor();
    assert.equal(await firings.getByText(/another rule/).count(), 0);
    await shot('01-timeline');

    await page.goto(`${srv.url}/applications/${refused}`);
    await page.getByTestId('firings').getByText(/未执行：当前阶段不允许此操作（当前阶段：待评估）/).waitFor();
    assert.equal(await page.getByTestId('firings').getByText(/illegal|not allowed/i).count(), 0, 'no English refusal');
    await shot('02-firing-refused');
  });

  test('the simulation says what "selected" means', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/rules`);
    await page.locator('[data-testid=rules-table] .el-table__row', { hasText: RULE_A }).click();
    const simulated = page.waitForResponse((x) => x.url().endsWith('/simulate'));
    await page.getByRole('button', { name: '模拟运行' }).click();
    const sim = await (await simulated).json();
    assert.equal(sim.fairness.selected_means_code, 'not_eliminated_by_rule');
    await page.getByTestId('sim-selected-means').getByText('“通过”指：未被此规则淘汰').waitFor();
  });

  test('the review queue: the system eliminated on its own', { timeout: STEP_MS }, async () => {
    const q = (await hr.get('/api/v1/reviews?limit=200')).body.items;
    const bySystem = q.filter((x) => x.by_kind === 'system');
    assert.ok(bySystem.length >= 1, 'the demo eliminates some applications as the system');
    for (const x of bySystem) assert.equal(x.by_user, null, 'no user made the system move');
    await page.goto(`${srv.url}/reviews`);
    const table = page.getByTestId('reviews-table');
    const row = table.locator('.el-table__row', { hasText: bySystem[0].candidate_name });
    await row.getByText('系统自动').waitFor();
    assert.equal(await table.getByText(/系统 \(|\(hr1\)|\(system\)/).count(), 0, 'no "system (hr1)"');
    const ruled = table.locator('.el-table__row', { hasText: `规则: ${RULE_A}` }); // the rule that moved it, not B
    await ruled.getByTestId('review-note').getByText(`规则：${RULE_A}`).waitFor();
    assert.equal(await table.getByText('rule:').count(), 0, 'no English note');
    await shot('03-review-queue');
  });

  test('webhook delivery failures in words, libcurl English as the title', { timeout: STEP_MS }, async () => {
    const down = await must(await admin.post('/api/v1/webhooks', { name: `关闭的端口 ${uniq()}`, url: 'http://127.0.0.1:9/hook', events: ['user.created'], enabled: false }), 201, 'hook');
    const ping = await must(await admin.post(`/api/v1/webhooks/${down.id}/ping`), 200, 'ping');
    assert.equal(ping.last_error_code, 'connect_failed', JSON.stringify(ping));
    const failing = await must(
      await admin.post('/api/v1/webhooks', { name: `返回 500 ${uniq()}`, url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ['user.created'], enabled: false }),
      201,
      'hook',
    );
    assert.equal((await must(await admin.post(`/api/v1/webhooks/${failing.id}/ping`), 200, 'ping')).last_error_code, 'http_status');

    await page.getByRole('button', { name: /^(退出登录|Log out)$/ }).click();
    await uiLogin(page, srv.url, 'admin', srv.adminPassword);
    await page.goto(`${srv.url}/webhooks`);
    await page.getByTestId(`webhook-deliveries-${down.id}`).click();
    let err = page.getByTestId('deliveries').getByTestId('delivery-error');
    await err.getByText('无法连接到接收方服务器').waitFor();
    assert.equal(await err.getAttribute('title'), ping.last_error, "libcurl's text is the title");
    await shot('04-webhook-connect-failed');
    await page.keyboard.press('Escape');
    await page.getByTestId('deliveries').waitFor({ state: 'hidden' });
    await page.getByTestId(`webhook-deliveries-${failing.id}`).click();
    err = page.getByTestId('deliveries').getByTestId('delivery-error');
    await err.getByText('接收方返回 HTTP 500').waitFor();
    assert.match(await err.getAttribute('title'), /^HTTP 500: receiver is down/);
    await shot('05-webhook-http-500');
    await page.keyboard.press('Escape');
    await page.getByTestId('deliveries').waitFor({ state: 'hidden' });
  });

  test('in English: the timeline note and the queue', { timeout: STEP_MS }, async () => {
    await page.evaluate(() => localStorage.setItem('talentd.lang', 'en'));
    await page.goto(`${srv.url}/applications/${elim}`);
    await page.getByTestId('timeline').getByText(`Rule: ${RULE_A}`).waitFor();
    await page.getByTestId('timeline').getByText(`AI interview result received (native / ${elimResult})`).waitFor();
    await page.goto(`${srv.url}/reviews`);
    await page.getByTestId('reviews-table').getByText('System (automatic)').first().waitFor();
    await shot('06-english');
  });
});
