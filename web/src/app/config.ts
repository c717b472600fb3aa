declare global {
  interface Window {
    /** Set by an optional /config.js deployed beside index.html. */
    __TRACKING_CONFIG__?: { apiUrl?: string };
  }
}

/** Run-time config first, then the build-time VITE_API_URL, else same origin. */
export function apiUrl(): string {
  return (
    (typeof window !== 'undefined' && window.__TRACKING_CONFIG__?.apiUrl) ||
    import.meta.env.VITE_API_URL ||
    '/graphql'
  );
}
