// ui.test.mjs - the web UI in a real browser (issue 6): playwright-core driving Debian's
// /usr/bin/chromium against a talentd that serves the built UI (web/dist, `--web`).
//
//   hr1 logs in, filters the applications by a dimension threshold (every row shown is checked
//   through the API), opens a report and sees the radar chart drawn (pixels on its canvas) and a
//   rule firing explained, compares three candidates (table and radar), confirms an elimination in the review queue, gets a rule's syntax
//   error (line and column) live and simulates it, switches the UI to English; the interviewer
//   int1 is offered neither reviews nor rules, opens an application not assigned to them and
//   sees the refusal, which the server gave (403/404 on the API call).
//
// A screenshot of each step goes to test-output/e2e/. Needs the UI built (make web, or
// `npm --prefix web run build`) and chromium (scripts/bootstrap installs both).
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/ui.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, drawnPixels as drawn, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin as login } from './lib.mjs';

let srv;
let s;
let browser;
let page;
const apps = {}; // key -> application id

/** Posts a native AI result for application id with these dimension scores (as hr1). */
async function result(id, overall, dims) {
  const r = await s.clients.hr1.post('/api/v1/results', {
    vendor: 'native',
    vendor_result_id: `E2E-${uniq()}`,
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: id },
    overall,
    dimensions: Object.entries(dims).map(([key, score]) => ({ key, score, evidence: '回答有条理' })),
    tags: ['表达清晰'],
    transcript: [
      { start_ms: 0, end_ms: 4000, speaker: 'ai', text: '请介绍一个你负责过的项目。' },
      { start_ms: 4500, end_ms: 15000, speaker: 'candidate', text: '我负责过对账系统的重构。' },
    ],
  });
  assert.equal(r.status, 201, `result for ${id}: ${r.text}`);
}

const shot = (name) => screenshot(page, name);
const drawnPixels = (selector) => drawn(page, selector);
const uiLogin = (username, password) => login(page, srv.url, username, password, /\/applications/);

before(async () => {
  const playwright = requirePlaywright();
  srv = await startUiServer();
  s = await seed(srv, { tokens: false });
  const hr = s.clients.hr1;
  // A dry-run rule whose firing (with its explanation) the report shows.
  const rule = await hr.post('/api/v1/rules', {
    name: 'logic below 60',
    when: 'ai.dim.logic < 60',
    actions: [{ type: 'tag', tag: 'logic-low' }],
    mode: 'dry_run',
  });
  assert.equal(rule.status, 201, rule.text);
  for (const k of ['sales_a', 'sales_b', 'eng_a', 'engbe_a']) apps[k] = s.app[k].id;
  await result(apps.sales_a, 82, { logic: 86, communication: 74, teamwork: 70 });
  await result(apps.sales_b, 58, { logic: 55, communication: 80, teamwork: 66 });
  await result(apps.eng_a, 90, { logic: 92, communication: 61, teamwork: 88 });
  // a third SALES-01 candidate, for the comparison
  const c = await hr.post('/api/v1/candidates', { name: 'Sales Candidate C', email: `sales.c.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
  assert.equal(a.status, 201, a.text);
  apps.sales_c = a.body.id;
  await result(apps.sales_c, 70, { logic: 70, communication: 66, teamwork: 90 });
  // ENG-BE-01 asks for review: an elimination waits in the review queue.
  await result(apps.engbe_a, 41, { logic: 40, communication: 45, teamwork: 50 });
  const elim = await hr.post(`/api/v1/applications/${apps.engbe_a}/transitions`, { to: 'eliminated_pending_review', reason: 'skills_mismatch' });
  assert.equal(elim.status, 200, elim.text);

  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('the web UI in chromium', () => {
  test('the UI is served at / to browsers; API clients still get JSON there', { timeout: STEP_MS }, async () => {
    const html = await fetch(`${srv.url}/`, { headers: { Accept: 'text/html' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    const json = await srv.api('GET', '/');
    assert.equal(json.body?.api, '/api/v1', json.text);
  });

  test('anonymous visitors land on the login page; hr1 logs in', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('用户名').fill('hr1');
    await page.getByLabel('密码', { exact: true }).fill('wrong-password-0');
    await page.getByRole('button', { name: '登录' }).click();
    await assert.doesNotReject(page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor(), 'a wrong password is said, in Chinese');
    await shot('01-login-wrong-password');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/applications/);
    await page.locator('[data-testid=applications-table] .el-table__row').first().waitFor();
    // hr may use the review queue and rules: the menu offers them
    await page.getByTestId('nav-reviews').waitFor();
    await shot('02-applications');
  });

  test('filter by a dimension threshold: every row shown meets it (checked through the API)', { timeout: STEP_MS }, async () => {
    await page.locator('#f-dim').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '逻辑思维' }).click();
    await page.locator('[data-testid=f-dim-min] input').fill('80');
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/applications?') && r.url().includes('dim.logic_gte=80'));
    await page.getByTestId('f-search').click();
    const res = await answered;
    assert.equal(res.status(), 200);
    await page.waitForURL(/dim=logic/);
    await page.waitForFunction(() => !document.querySelector('[data-testid=applications-table] .el-loading-mask:not([style*="display: none"])'));
    const ids = (await page.locator('[data-testid=applications-table] .el-table__body tr td:nth-child(2)').allInnerTexts()).map(Number);
    assert.deepEqual([...ids].sort((a, b) => a - b), [apps.sales_a, apps.eng_a].sort((a, b) => a - b), `rows shown: ${ids}`);
    for (const id of ids) {
      const rep = await s.clients.hr1.get(`/api/v1/applications/${id}/report`);
      assert.equal(rep.status, 200, rep.text);
      const logic = rep.body.result.dimensions.find((d) => d.key === 'logic');
      assert.ok(logic && logic.score >= 80, `application ${id}: logic ${logic?.score}`);
    }
    await shot('03-filtered-logic-80');
  });

  test('a report: the radar chart is drawn, percentiles and the match are shown', { timeout: STEP_MS }, async () => {
    await page.getByTestId(`open-${apps.sales_a}`).click();
    await page.waitForURL(new RegExp(`/applications/${apps.sales_a}$`));
    await page.locator('[data-testid=radar] canvas').waitFor();
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid=radar] canvas');
      return c && c.width > 0;
    });
    await page.waitForTimeout(300); // the first frame
    const pixels = await drawnPixels('[data-testid=radar]');
    assert.ok(pixels > 2000, `radar canvas has ${pixels} drawn pixels`);
    await page.getByTestId('percentiles').getByText(/高于 \d+% 的候选人/).first().waitFor();
    await page.getByTestId('match').getByText('推荐理由').waitFor();
    await shot('04-report');
  });

  test('a rule firing is shown with its explanation', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications/${apps.sales_b}`);
    const firings = page.getByTestId('firings');
    await firings.getByText('logic below 60').waitFor();
    await firings.getByText('ai.dim.logic < 60').waitFor();
    await firings.getByText('ai.dim.logic = 55').waitFor();
    await shot('05-report-rule-firing');
  });

  test('compare three candidates of one position: table and overlaid radar', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications?position=SALES-01`);
    const rows = page.locator('[data-testid=applications-table] .el-table__body tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    for (let i = 0; i < 3; i++) await rows.nth(i).locator('.el-checkbox').click();
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/compare?'));
    await page.getByRole('button', { name: /对比所选（3）/ }).click();
    assert.equal((await answered).status(), 200);
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    for (const name of ['Sales Candidate A', 'Sales Candidate B', 'Sales Candidate C']) await table.getByText(name).waitFor();
    await page.waitForTimeout(300);
    assert.ok((await drawnPixels('[data-testid=radar]')) > 2000, 'the compare radar is drawn');
    await shot('06-compare');
  });

  test('the review queue: hr confirms an elimination', { timeout: STEP_MS }, async () => {
    await page.getByTestId('nav-reviews').click();
    await page.waitForURL(/\/reviews$/);
    const row = page.locator('[data-testid=reviews-table] .el-table__row', { hasText: 'Backend Candidate A' });
    await row.waitFor();
    await shot('07-review-queue');
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/reviews/${apps.engbe_a}/confirm`));
    await row.getByRole('button', { name: '确认淘汰' }).click();
    // a confirmation first: the elimination becomes final only from the dialog
    const dialog = page.getByTestId('review-confirm-dialog');
    await dialog.getByText('Backend Candidate A').waitFor();
    await dialog.getByTestId('review-confirm-ok').click();
    assert.equal((await answered).status(), 200);
    await row.waitFor({ state: 'detached' });
    const app = await s.clients.hr1.get(`/api/v1/applications/${apps.engbe_a}`);
    assert.equal(app.body.stage, 'eliminated_pending_export', app.text);
  });

  test('rules: the editor checks the syntax live and simulates', { timeout: STEP_MS }, async () => {
    await page.getByTestId('nav-rules').click();
    await page.locator('[data-testid=rules-table] .el-table__row', { hasText: 'logic below 60' }).click();
    const when = page.getByLabel('规则条件表达式');
    await when.fill('ai.dim.logic <\n <');
    await page.getByTestId('rule-problem').filter({ hasText: /第 2 行第 \d+ 列/ }).waitFor();
    await shot('08-rule-syntax-error');
    await when.fill('ai.dim.logic < 70');
    await page.getByTestId('rule-ok').filter({ hasText: 'ai.dim.logic' }).waitFor();
    const simulated = page.waitForResponse((r) => /\/api\/v1\/rules\/simulate$/.test(r.url())); // the edited condition, unsaved
    await page.getByRole('button', { name: '模拟运行' }).click();
    assert.equal((await simulated).status(), 200);
    await page.getByTestId('rule-editor').getByText('将会触发').waitFor();
    await shot('09-rule-simulation');
  });

  test('switching the language to English', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications/${apps.sales_b}`);
    await page.locator('[data-testid=radar] canvas').waitFor();
    await page.getByTestId('lang-switch').first().click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'English' }).click();
    await page.getByText('Competency radar').waitFor();
    await page.getByTestId('nav-applications').getByText('Applications').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await shot('10-report-english');
  });

  test('the interviewer int1 cannot open an application not assigned to them: the server refuses', { timeout: STEP_MS }, async () => {
    await page.getByRole('button', { name: /^(退出登录|Log out)$/ }).click();
    await page.waitForURL(/\/login/);
    await uiLogin('int1', PASSWORD);
    // the role-aware menu: no review queue, no rules
    await page.getByTestId('nav-applications').waitFor();
    assert.equal(await page.getByTestId('nav-reviews').count(), 0);
    assert.equal(await page.getByTestId('nav-rules').count(), 0);
    // int1's list holds only the assigned application
    await page.locator('[data-testid=applications-table] .el-table__row').first().waitFor();
    const ids = (await page.locator('[data-testid=applications-table] .el-table__body tr td:nth-child(2)').allInnerTexts()).map(Number);
    assert.deepEqual(ids, [apps.sales_a]);
    await shot('11-interviewer-list');

    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/applications/${apps.eng_a}/report`));
    await page.goto(`${srv.url}/applications/${apps.eng_a}`);
    const res = await refused;
    assert.ok([403, 404].includes(res.status()), `the API answered ${res.status()}`);
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Not found, or not visible to you|You may not do this/);
    await shot('12-interviewer-refused');
  });
});
