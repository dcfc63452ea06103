// size.mjs - what each screen costs to load: the JavaScript (and CSS) a first visit to a route
// downloads, gzip-compressed, from dist/.vite/manifest.json: the entry chunk, the route's lazily
// loaded component and everything both import statically (modulepreloaded). Run after a build:
//   npm run size            (npm --prefix web run size)
// The issue's budget: the candidate interview's first screen under 300 KB of compressed JS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = new Map();
const gzSize = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length);
  return gz.get(file);
};

/** The chunks key loads statically, key first. */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const k of manifest[key].imports || []) closure(k, seen);
  return seen;
}

function cost(keys) {
  const all = new Set();
  for (const k of keys) closure(k, all);
  let js = 0;
  let css = 0;
  const files = new Set();
  for (const k of all) {
    const c = manifest[k];
    files.add(c.file);
    for (const f of c.css || []) files.add(f);
  }
  for (const f of files) {
    if (f.endsWith('.js')) js += gzSize(f);
    else if (f.endsWith('.css')) css += gzSize(f);
  }
  return { js, css, chunks: [...files].filter((f) => f.endsWith('.js')).length };
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const layout = 'src/views/LayoutView.vue';
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
const rows = [];
for (const key of Object.keys(manifest).filter((k) => /^src\/views\/.*\.vue$/.test(k)).sort()) {
  // Signed-in screens are shown inside the layout; the login page (and the candidate's pages) are not.
  const inLayout = !/LoginView|Candidate|Interview/.test(key);
  const c = cost([entry, key, ...(inLayout && manifest[layout] ? [layout] : [])]);
  rows.push({ route: path.basename(key, '.vue'), ...c });
}
console.log('first load of each screen, gzip -9 (KB):');
console.log('screen                      JS      CSS   JS chunks');
for (const r of rows) console.log(`${r.route.padEnd(22)} ${kb(r.js)}  ${kb(r.css)}   ${r.chunks}`);
const total = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith('.js'));
console.log(`all JavaScript of the UI: ${kb(total.reduce((a, f) => a + gzSize(f), 0)).trim()} KB in ${total.length} chunks`);

// The candidate's pages (reached by link token, on a phone) and their budget (issue 6): the first
// screen under 300 KB of compressed JavaScript. Listed by route; the exit status is 1 when one is
// over, so a heavy import (ECharts, tables, selects) into them does not go unnoticed.
const CANDIDATE = [
  { route: '/i/:token', what: 'AI interview', key: 'src/views/CandidateInterviewView.vue' },
  { route: '/c/:token', what: 'application progress', key: 'src/views/CandidatePortalView.vue' },
];
const BUDGET_JS = 300 * 1024;
let over = false;
console.log('\ncandidate pages, first screen (budget: JS under 300 KB gzip):');
for (const p of CANDIDATE) {
  if (!manifest[p.key]) {
    console.log(`${p.route.padEnd(10)} ${p.what.padEnd(22)} not built`);
    over = true;
    continue;
  }
  const c = cost([entry, p.key]);
  const ok = c.js < BUDGET_JS;
  over ||= !ok;
  const lazy = (manifest[p.key].dynamicImports || []).length;
  console.log(`${p.route.padEnd(10)} ${p.what.padEnd(22)} JS ${kb(c.js)} KB  CSS ${kb(c.css)} KB  ${c.chunks} chunks${lazy ? `, ${lazy} loaded later` : ''}  ${ok ? 'ok' : 'OVER BUDGET'}`);
}
if (over) process.exitCode = 1;
