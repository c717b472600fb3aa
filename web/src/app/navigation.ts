import serverPrefixes from '../../../api/server/api_prefixes.json';

export const SIGN_IN_PATH = '/signin';

/** The sign-in screen, coming back to `location` afterwards. */
export function signInPath(location: { pathname: string; search: string }): string {
  if (location.pathname === SIGN_IN_PATH) return SIGN_IN_PATH + location.search;
  return `${SIGN_IN_PATH}?${new URLSearchParams({ next: location.pathname + location.search })}`;
}

/**
 * Where to go after signing in: a path of this origin, else "/". Anything
 * else ("//evil.example", "https://…", "javascript:…") would make the sign-in
 * screen an open redirect.
 */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/')) return '/';
  const origin = window.location.origin;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  // The URL parser turns "/\evil.example" and "/\t/evil.example" into another host.
  if (url.origin !== origin || url.pathname === SIGN_IN_PATH) return '/';
  return url.pathname + url.search + url.hash;
}

// The API's own pages and files, from the list the API keeps index.html off
// (api/server/static.py): the SPA's router cannot show them, the browser must load them.
const SERVER_PREFIXES: readonly string[] = serverPrefixes;

export function isServerPath(path: string): boolean {
  const pathname = path.split(/[?#]/)[0];
  return SERVER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix + '/'));
}

/** A full page load, for pages the API serves (GraphiQL). */
export function leaveApp(path: string): void {
  window.location.assign(path);
}

/** History state carrying a one-off message for the next page, such as what an erasure deleted. */
export function withNotice(notice: string): { notice: string } {
  return { notice };
}

export function noticeOf(state: unknown): string | null {
  const notice = (state as { notice?: unknown } | null)?.notice;
  return typeof notice === 'string' ? notice : null;
}
