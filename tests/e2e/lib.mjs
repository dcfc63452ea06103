// lib.mjs - what the browser tests share: the checks that chromium, the built UI and
// playwright-core are there, a talentd serving web/dist (the API tests' harness), a chromium
// context, screenshots into test-output/e2e/ and logging in through the form.
//
//   import { openBrowser, startUiServer, ... } from './lib.mjs';

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ROOT, startServer } from '../api/lib/harness.mjs';

export const CHROMIUM = process.env.TALENTD_CHROMIUM || '/usr/bin/chromium';
export const WEB_DIST = path.join(ROOT, 'web/dist');
export const SHOTS = path.join(ROOT, 'test-output/e2e');
export const STEP_MS = 60000;

// playwright-core is a devDependency of web/ (web/package-lock.json; bootstrap runs npm ci there).
const requireFromWeb = createRequire(path.join(ROOT, 'web/package.json'));

/** Asserts chromium, the built UI and playwright-core are there; returns playwright-core. */
export function requirePlaywright() {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: scripts/bootstrap installs Debian's chromium (or set TALENTD_CHROMIUM)`);
  assert.ok(existsSync(path.join(WEB_DIST, 'index.html')), `no built UI in ${WEB_DIST}: run make web (npm --prefix web run build)`);
  try {
    return requireFromWeb('playwright-core');
  } catch (e) {
    return assert.fail(`playwright-core is not installed in web/node_modules (scripts/bootstrap runs npm ci there): ${e.message}`);
  }
}

/** A talentd (harness.mjs startServer) that serves the built UI. */
export function startUiServer(opts = {}) {
  return startServer({ ...opts, serveArgs: ['--web', WEB_DIST, ...(opts.serveArgs || [])] });
}

/**
 * Launches headless chromium with a throw-away profile; resolves {ctx, page, close()}.
 * options: viewport (default 1366x900), and any other launchPersistentContext option.
 */
export async function openBrowser(playwright, options = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'talentd-chromium-'));
  const ctx = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => console.error(`# page error: ${e.message}`));
  return {
    ctx,
    page,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot of page as test-output/e2e/NAME.png. */
export function screenshot(page, name) {
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Counts the pixels drawn (alpha > 0) on the canvas inside selector. */
export function drawnPixels(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(`${sel} canvas`);
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, selector);
}

/** Logs in through the login form (labels in either language); waits for a URL matching landing. */
export async function uiLogin(page, baseUrl, username, password, landing = /\/(applications|dashboard)/) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
  await page.waitForURL(landing);
}
