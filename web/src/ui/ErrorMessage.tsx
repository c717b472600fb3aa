import type { CombinedError } from 'urql';
import { CopyButton } from './CopyButton';

/** The trace id the server answered with, when there was an answer. */
function traceIdOf(response: unknown): string | null {
  const headers = (response as { headers?: Headers } | undefined)?.headers;
  return headers && typeof headers.get === 'function' ? headers.get('x-trace-id') : null;
}

/** A GraphQL or network error, with each error's extensions.code and the
 * request's trace id, which support can hand to an SRE. */
export function ErrorMessage({
  error,
  retry,
  title = 'Could not load this data.',
}: {
  error: CombinedError;
  retry?: () => void;
  title?: string;
}) {
  const traceId = traceIdOf(error.response);
  const items = error.graphQLErrors.length
    ? error.graphQLErrors.map((e) => ({
        code: String(e.extensions?.code ?? 'ERROR'),
        message: e.message,
      }))
    : [{ code: 'NETWORK_ERROR', message: error.networkError?.message ?? error.message }];
  return (
    <div className="alert" role="alert">
      <strong>{title}</strong>
      <ul>
        {items.map((item, i) => (
          <li key={i}>
            <code className="code-badge">{item.code}</code> {item.message}
          </li>
        ))}
      </ul>
      {traceId && (
        <p className="trace-id">
          Trace id <code>{traceId}</code> <CopyButton value={traceId} label="Copy trace id" />
        </p>
      )}
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
