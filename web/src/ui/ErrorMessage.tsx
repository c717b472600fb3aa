import type { CombinedError } from 'urql';

/** A GraphQL or network error, with each error's extensions.code. */
export function ErrorMessage({ error, retry }: { error: CombinedError; retry?: () => void }) {
  const items = error.graphQLErrors.length
    ? error.graphQLErrors.map((e) => ({
        code: String(e.extensions?.code ?? 'ERROR'),
        message: e.message,
      }))
    : [{ code: 'NETWORK_ERROR', message: error.networkError?.message ?? error.message }];
  return (
    <div className="alert" role="alert">
      <strong>Could not load this data.</strong>
      <ul>
        {items.map((item, i) => (
          <li key={i}>
            <code className="code-badge">{item.code}</code> {item.message}
          </li>
        ))}
      </ul>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
