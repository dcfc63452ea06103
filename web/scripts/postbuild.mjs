// postbuild.mjs - after `vite build`: writes FILE.gz next to every compressible file of dist/
// (talentd sends it to clients that accept gzip; src/http/static.c) when it is smaller.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const COMPRESS = /\.(js|mjs|css|html|svg|json|txt|map)$/;

let n = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (COMPRESS.test(name)) {
      const raw = readFileSync(p);
      const gz = gzipSync(raw, { level: 9 });
      if (gz.length < raw.length) {
        writeFileSync(p + '.gz', gz);
        n++;
      }
    }
  }
}
walk(dist);
console.log(`postbuild: ${n} files precompressed (.gz) in ${path.relative(process.cwd(), dist) || 'dist'}`);
