// Every API request starts a W3C trace in the browser: the server joins it, so
// one trace id follows a request from the click to the database, and error
// messages show the one the server answered with (ui/ErrorMessage.tsx) for an
// SRE to look up.

const hex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export function newTraceparent(): { header: string; traceId: string } {
  const traceId = hex(16);
  return { header: `00-${traceId}-${hex(8)}-01`, traceId };
}

/** fetch with a traceparent header; a network failure names its trace id. */
export const tracedFetch: typeof fetch = async (input, init) => {
  const { header, traceId } = newTraceparent();
  const headers = new Headers(init?.headers);
  headers.set('traceparent', header);
  try {
    return await fetch(input, { ...init, headers });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message} (trace id ${traceId})`);
  }
};
