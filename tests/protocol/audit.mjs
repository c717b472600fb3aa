// Runs graphql-http's GraphQL-over-HTTP server audits against a running API:
//   node audit.mjs URL [BEARER]
// and prints one JSON object per audit: {id, name, status, reason}.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs URL [BEARER]');
  process.exit(2);
}

function fetchWithKey(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithKey });
for (const { id, name, status, reason } of results) {
  console.log(JSON.stringify({ id, name, status, reason: reason ?? null }));
}
