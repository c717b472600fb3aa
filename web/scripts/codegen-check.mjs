// Fails when src/gql/ is not what `npm run codegen` would write now.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fresh = mkdtempSync(join(tmpdir(), 'codegen-'));
const current = 'src/gql';
try {
  execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, CODEGEN_OUT: fresh + '/' },
  });
  const names = new Set([...readdirSync(fresh), ...readdirSync(current)]);
  const stale = [...names].filter((name) => {
    try {
      return readFileSync(join(fresh, name), 'utf8') !== readFileSync(join(current, name), 'utf8');
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(`generated GraphQL types are stale: ${stale.join(', ')}; run npm run codegen`);
    process.exit(1);
  }
  console.log('generated GraphQL types are up to date');
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
