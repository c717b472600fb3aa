// Performance budget: the JavaScript a first visit loads (the entry chunk and
// every chunk it imports statically, from Vite's build manifest), gzipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024;
const dist = 'dist';
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
if (!entries.length) throw new Error('no entry in dist/.vite/manifest.json; run npm run build');

const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const next of manifest[key].imports ?? []) visit(next);
};
entries.forEach(visit);

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
let total = 0;
for (const key of seen) {
  const file = manifest[key].file;
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  console.log(`${file.padEnd(48)} ${kb(bytes.length).padStart(10)} ${kb(gz).padStart(10)} gzip`);
}
const lazy = Object.values(manifest).filter((c) => c.isDynamicEntry).length;
console.log(`initial JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET)}); ${lazy} lazy chunks`);
if (total > BUDGET) {
  console.error('over the performance budget');
  process.exit(1);
}
