// candidate.test.mjs - the candidate's pages in a real browser (issue 6): playwright-core driving
// Debian's /usr/bin/chromium on a phone-sized viewport (390x844) against a talentd that serves
// the built UI (web/dist).
//
//   HR invites an application to the AI interview through the API; the candidate opens the link
//   (no account), answers two questions and sees each autosaved (the server has them), sees an
//   over-long answer refused with the server's reason in Chinese, exits: the dialog warns
//   "未完成的答题内容将不计入最终评估结果", is used with the keyboard (Esc stays, Tab + Enter
//   confirms); comes back to the link, gets "是否继续上次未完成的面试？" (no restart: the set does
//   not allow it), continues at the unanswered question, finishes and submits; with a set that
//   allows it, starting over is offered, confirmed in a dialog and clears the answers, and an
//   answer changed in another window is a conflict the candidate sees and may overwrite. Through the API:
//   the session is completed and scored, the application moved on. The candidate's progress page
//   (/c/<token>) then shows the status in plain words, the steps and the result summary, and
//   switches to English; an unknown link says so.
//
// Screenshots of each step go to test-output/e2e/candidate-*.png. Needs the UI built (make web,
// or `npm --prefix web run build`) and chromium (scripts/bootstrap installs both).
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/candidate.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer } from './lib.mjs';

const WARNING = '未完成的答题内容将不计入最终评估结果';
const RESUME = '是否继续上次未完成的面试？';
const ANSWER_1 = '去年我跟进一家连锁餐饮客户，先倾听客户顾虑并确认客户需求，再用数据对比说明方案，最终签约。';
const ANSWER_2 = '我会保持冷静，先处理情绪：“非常理解您的心情”，再核实进度，给出明确时间和补偿方案。';
const ANSWER_3 = '首先把客户分级，其次每天安排拜访，重点跟进大客户，最终完成目标。';

let srv;
let s;
let hr;
let browser;
let page;
let app; // the invited application
let invitation; // POST /applications/{id}/invite's answer
let portalToken;
let restartSet; // a question set that allows starting over

const shot = (name) => screenshot(page, `candidate-${name}`);
const session = async () => {
  const r = await hr.get(`/api/v1/applications/${app.id}/interviews`);
  assert.equal(r.status, 200, r.text);
  return r.body.items[0];
};
const stage = async () => (await hr.get(`/api/v1/applications/${app.id}`)).body.stage;
const isAnswerPut = (qid) => (r) => r.request().method() === 'PUT' && r.url().endsWith(`/answers/${qid}`);

/** Types an answer into the current question and waits until the indicator says the server saved it. */
async function answer(text, qid) {
  const saved = page.waitForResponse(isAnswerPut(qid));
  await page.getByLabel('你的回答').fill(text);
  await page.getByTestId('iv-save-state').filter({ hasText: '保存中…' }).waitFor();
  assert.equal((await saved).status(), 200);
  await page.getByTestId('iv-save-state').filter({ hasText: '已自动保存' }).waitFor();
}

before(async () => {
  const playwright = requirePlaywright();
  srv = await startUiServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  // Four questions, three required; restarting is not allowed.
  const set = await hr.post('/api/v1/question-sets', {
    code: `E2E-CAND-${uniq()}`,
    name: '销售代表 AI 面试',
    allow_restart: false,
    questions: [
      { text_zh: '请介绍一次你说服犹豫客户签单的经历。', text_en: 'Tell us how you persuaded a hesitant customer to sign.', time_limit_s: 180, required: true, dims: ['communication', 'logic'], rubric: { phrases: { communication: [{ text: '倾听客户顾虑', weight: 3 }], logic: [{ text: '数据对比', weight: 2 }] } } },
      { text_zh: '客户情绪激动地投诉交付延迟，你会如何回应？', text_en: 'An upset customer complains about a late delivery. How do you respond?', time_limit_s: 150, required: true, dims: ['communication'], rubric: { phrases: { communication: [{ text: '非常理解您的心情', weight: 2 }] } } },
      { text_zh: '季度目标只完成了 40%，还剩一个月，你会怎么安排？', text_en: 'You are at 40% of the quarterly target with a month left. What is your plan?', time_limit_s: 90, required: true, dims: ['logic'], rubric: { phrases: { logic: [{ text: '首先', weight: 1 }] } } },
      { text_zh: '还有什么想补充的吗？', text_en: 'Anything to add?', required: false, dims: ['communication'] },
    ],
  });
  assert.equal(set.status, 201, set.text);
  const again = await hr.post('/api/v1/question-sets', {
    code: `E2E-RESTART-${uniq()}`,
    name: '可重新开始的面试',
    allow_restart: true,
    questions: [
      { text_zh: '请做一个简短的自我介绍。', text_en: 'Introduce yourself briefly.', required: true, dims: ['communication'] },
      { text_zh: '你为什么想加入我们？', text_en: 'Why do you want to join us?', required: true, dims: ['communication'] },
    ],
  });
  assert.equal(again.status, 201, again.text);
  restartSet = again.body.code;
  // The position shows candidates their result summary on their own page.
  const pos = await hr.patch(`/api/v1/positions/${s.pos['SALES-01'].id}`, { show_result_to_candidate: true });
  assert.equal(pos.status, 200, pos.text);

  app = s.app.sales_a;
  const inv = await hr.post(`/api/v1/applications/${app.id}/invite`, { question_set: set.body.code });
  assert.equal(inv.status, 201, inv.text);
  invitation = inv.body;
  assert.match(invitation.path, /^\/i\/tdi_/);
  const link = await hr.post(`/api/v1/applications/${app.id}/candidate-links`, {});
  assert.equal(link.status, 201, link.text);
  portalToken = link.body.token;

  browser = await openBrowser(playwright, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('the candidate on a phone', () => {
  test('the invitation link opens the interview without an account: what to expect first', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}${invitation.path}`);
    const intro = page.getByTestId('iv-intro');
    await intro.getByText('共 4 题，其中必答 3 题').waitFor();
    await intro.getByText(/答题进度会自动保存/).waitFor(); // the server's instructions
    await shot('01-intro');
    await page.getByRole('button', { name: '开始答题' }).click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 1 / 4 题' }).waitFor();
    await page.getByText('请介绍一次你说服犹豫客户签单的经历。').waitFor();
    await page.getByTestId('iv-time-limit').filter({ hasText: '答题时限：3 分钟' }).waitFor();
    // the page fits the phone: nothing wider than the viewport
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
  });

  test('two answers, each autosaved: the indicator follows the server', { timeout: STEP_MS }, async () => {
    const state = await srv.api('GET', `/api/v1/interview/${invitation.token}`);
    assert.equal(state.status, 200, state.text);
    const ids = state.body.questions.map((q) => q.id);

    await answer(ANSWER_1, ids[0]);
    await shot('02-first-answer-autosaved');
    let sess = await session();
    assert.equal(sess.status, 'in_progress', 'the first save started the interview');
    assert.equal(sess.saved, 1);
    assert.equal(await stage(), 'ai_in_progress');

    // "next" saves the answer as final
    const finalSave = page.waitForResponse(isAnswerPut(ids[0]));
    await page.getByRole('button', { name: '下一题' }).click();
    assert.equal((await finalSave).status(), 200);
    assert.deepEqual(JSON.parse((await finalSave).request().postData()), { text: ANSWER_1, final: true, version: 1 });
    await page.getByTestId('iv-progress').filter({ hasText: '第 2 / 4 题' }).waitFor();

    await answer(ANSWER_2, ids[1]);
    await page.getByRole('button', { name: '下一题' }).click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 3 / 4 题' }).waitFor();
    await page.getByText('已作答 2 / 4 题').waitFor();
    sess = await session();
    assert.equal(sess.answered, 2, 'two final answers on the server');

    // an answer the server refuses (over 20 000 bytes): its reason, in Chinese, never swallowed
    const refused = page.waitForResponse(isAnswerPut(ids[2]));
    await page.getByLabel('你的回答').fill('很长的回答。'.repeat(1200));
    assert.equal((await refused).status(), 413);
    await page.getByTestId('iv-save-state').filter({ hasText: '保存失败：回答过长' }).waitFor();
    await shot('03-save-refused');
  });

  test('exit: the warning, keyboard use of the dialog, then confirmed', { timeout: STEP_MS }, async () => {
    const asked = page.waitForResponse((r) => r.url().endsWith('/exit') && r.request().method() === 'POST');
    await page.getByRole('button', { name: '退出面试' }).click();
    assert.equal((await asked).status(), 200);
    const dialog = page.getByRole('dialog');
    await dialog.getByText(WARNING, { exact: true }).waitFor();
    await dialog.getByText('还有 1 道必答题未完成：第 3 题').waitFor();
    // the answer the server refused is not kept: said before leaving
    await dialog.getByTestId('iv-exit-unsaved').filter({ hasText: '本题当前的回答未能保存（回答过长' }).waitFor();
    // the safe choice has the focus; Esc keeps the candidate in the interview
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === '继续答题');
    await shot('04-exit-warning');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await session()).status, 'in_progress', 'asking changed nothing');

    await page.getByRole('button', { name: '退出面试' }).click();
    await dialog.getByText(WARNING, { exact: true }).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === '继续答题');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), '确认退出');
    const confirmed = page.waitForResponse((r) => r.url().endsWith('/exit') && r.request().postData()?.includes('"confirm":true'));
    await page.keyboard.press('Enter');
    assert.equal((await confirmed).status(), 200);
    await page.getByTestId('iv-left').getByText('你已退出面试').waitFor();
    await shot('05-exited');
    const sess = await session();
    assert.equal(sess.status, 'incomplete');
    assert.equal(sess.answered, 2, 'the saved answers are kept');
    assert.equal(await stage(), 'ai_incomplete');
  });

  test('coming back: the resume prompt, continue at the unanswered question, finish', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}${invitation.path}`);
    const prompt = page.getByTestId('iv-resume');
    await prompt.getByText(RESUME).waitFor();
    await prompt.getByText('上次已作答 2 / 4 题').waitFor();
    assert.equal(await page.getByRole('button', { name: '重新开始' }).count(), 0, 'the set does not allow a restart: not offered');
    await shot('06-resume-prompt');

    const resumed = page.waitForResponse((r) => r.url().endsWith('/resume'));
    await page.getByRole('button', { name: '继续面试' }).click();
    assert.equal((await resumed).status(), 200);
    assert.deepEqual(JSON.parse((await resumed).request().postData()), { mode: 'continue' });
    await page.getByTestId('iv-progress').filter({ hasText: '第 3 / 4 题' }).waitFor();
    assert.equal(await stage(), 'ai_in_progress');

    // the earlier answers are there
    await page.getByRole('button', { name: '上一题' }).click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 2 / 4 题' }).waitFor();
    assert.equal(await page.getByLabel('你的回答').inputValue(), ANSWER_2);
    await page.getByRole('button', { name: '下一题' }).click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 3 / 4 题' }).waitFor();

    const state = await srv.api('GET', `/api/v1/interview/${invitation.token}`);
    const ids = state.body.questions.map((q) => q.id);
    await answer(ANSWER_3, ids[2]);
    await page.getByRole('button', { name: '下一题' }).click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 4 / 4 题' }).waitFor();
    await page.getByText('选答').waitFor();
    await shot('07-last-question');

    await page.getByRole('button', { name: '提交答卷' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/所有必答题均已作答/).waitFor();
    await dialog.getByText('还有 1 道题未作答').waitFor(); // the optional one
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === '继续答题'); // opened
    await shot('08-submit');
    const done = page.waitForResponse((r) => r.url().endsWith('/exit') && r.request().postData()?.includes('"confirm":true'));
    await dialog.getByRole('button', { name: '确认提交' }).click();
    assert.equal((await done).status(), 200);
    await page.getByTestId('iv-completed').getByText('面试已提交').waitFor();
    await shot('09-completed');
  });

  test('through the API: the session is completed and scored, the application moved on', { timeout: STEP_MS }, async () => {
    const sess = await session();
    assert.equal(sess.status, 'completed');
    assert.equal(sess.answered, 3);
    assert.ok(sess.result_id, `scored: ${JSON.stringify(sess)}`);
    const now = await stage();
    assert.ok(!['ai_invited', 'ai_in_progress', 'ai_incomplete'].includes(now), `the application moved on (stage ${now})`);
    // coming back once more: finished, no prompt
    await page.goto(`${srv.url}${invitation.path}`);
    await page.getByTestId('iv-completed').waitFor();
  });

  test('the progress page: status in plain words, steps, the result summary; English', { timeout: STEP_MS }, async () => {
    const portal = await srv.api('GET', `/api/v1/portal/${portalToken}`);
    assert.equal(portal.status, 200, portal.text);
    await page.goto(`${srv.url}/c/${portalToken}`);
    await page.getByTestId('pt-status').filter({ hasText: portal.body.status.label_zh }).waitFor();
    await page.getByText(`${portal.body.candidate.name}，你好`).waitFor();
    const current = page.locator('[data-testid=pt-steps] [aria-current=step]');
    assert.match(await current.innerText(), /结果评估/);
    assert.ok(portal.body.result, 'the position shows the result');
    await page.getByTestId('pt-overall').filter({ hasText: String(portal.body.result.overall) }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
    await shot('10-progress');

    await page.getByTestId('cand-lang').click();
    await page.getByTestId('pt-status').filter({ hasText: portal.body.status.label_en }).waitFor();
    await page.getByText('Your AI interview result').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await shot('11-progress-english');
    await page.getByTestId('cand-lang').click(); // back to Chinese
    await page.getByText('你的 AI 面试结果').waitFor();
  });

  test('restart, when the question set allows it: offered, confirmed in a dialog, the answers cleared', { timeout: STEP_MS }, async () => {
    const other = s.app.sales_b;
    const inv = await hr.post(`/api/v1/applications/${other.id}/invite`, { question_set: restartSet });
    assert.equal(inv.status, 201, inv.text);
    const { token, path: link } = inv.body;
    const st = await srv.api('GET', `/api/v1/interview/${token}`);
    const q1 = st.body.questions[0].id;
    const put = await srv.api('PUT', `/api/v1/interview/${token}/answers/${q1}`, { body: { text: '我叫小王，做过三年销售。', final: true } });
    assert.equal(put.status, 200, put.text);

    await page.goto(`${srv.url}${link}`);
    await page.getByTestId('iv-resume').getByText(RESUME).waitFor();
    await page.getByRole('button', { name: '重新开始' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/重新开始会清空已保存的全部回答/).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === '取消');
    await shot('13-restart-confirm');
    const restarted = page.waitForResponse((r) => r.url().endsWith('/resume'));
    await dialog.getByRole('button', { name: '清空并重新开始' }).click();
    assert.equal((await restarted).status(), 200);
    assert.deepEqual(JSON.parse((await restarted).request().postData()), { mode: 'restart' });
    await page.getByTestId('iv-progress').filter({ hasText: '第 1 / 2 题' }).waitFor();
    assert.equal(await page.getByLabel('你的回答').inputValue(), '');
    const sessions = await hr.get(`/api/v1/applications/${other.id}/interviews`);
    assert.equal(sessions.body.items[0].saved, 0, 'the server cleared the answers');

    // the same answer changed in another window meanwhile: the server's 409 is said, and the
    // candidate may keep this window's text
    await answer('我叫小王。', q1);
    const elsewhere = await srv.api('PUT', `/api/v1/interview/${token}/answers/${q1}`, { body: { text: '另一个窗口的回答', version: 1 } });
    assert.equal(elsewhere.status, 200, elsewhere.text);
    const conflict = page.waitForResponse(isAnswerPut(q1));
    await page.getByLabel('你的回答').fill('我叫小王，做过三年销售。');
    assert.equal((await conflict).status(), 409);
    await page.getByTestId('iv-save-state').filter({ hasText: '保存失败：这道题的回答已在其他页面修改过' }).waitFor();
    await shot('14-version-conflict');
    await page.getByRole('button', { name: '用当前内容覆盖' }).click();
    await page.getByTestId('iv-save-state').filter({ hasText: '已自动保存' }).waitFor();
    const now = await srv.api('GET', `/api/v1/interview/${token}`);
    assert.equal(now.body.answers.find((a) => a.question_id === q1).text, '我叫小王，做过三年销售。');

    // the question in English, with the UI
    await page.getByTestId('cand-lang').click();
    await page.getByTestId('iv-progress').filter({ hasText: 'Question 1 of 2' }).waitFor();
    await page.getByText('Introduce yourself briefly.').waitFor();
    await page.getByLabel('Your answer').waitFor();
    await shot('15-question-english');
    await page.getByTestId('cand-lang').click();
    await page.getByTestId('iv-progress').filter({ hasText: '第 1 / 2 题' }).waitFor();
  });

  test('an unknown link says so (the server answered 404)', { timeout: STEP_MS }, async () => {
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/interview/tdi_'));
    await page.goto(`${srv.url}/i/tdi_${'x'.repeat(43)}`);
    assert.equal((await answered).status(), 404);
    await page.getByTestId('iv-invalid').getByText('面试链接无效').waitFor();
    await shot('12-invalid-link');
  });
});
