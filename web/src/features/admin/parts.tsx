import { useEffect, useState, type ReactNode } from 'react';
import { useMutation, type TypedDocumentNode } from 'urql';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ConnectionTable } from '../../ui/ConnectionTable';
import { CopyButton } from '../../ui/CopyButton';
import type { Column } from '../../ui/DataTable';
import { RelativeTime } from '../../ui/Time';
import type { ConnectionState } from '../../ui/useConnection';

/** A value to copy, such as a secret or a snippet. */
export function Copyable({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <div className="copyable">
      <pre className="copyable-value" data-testid={testId} aria-label={label} tabIndex={0}>
        {value}
      </pre>
      <CopyButton value={value} label={label} />
    </div>
  );
}

/** What a create form made, until dismissed. */
export function Created({ title, children, onDone }: { title: string; children: ReactNode; onDone: () => void }) {
  return (
    <div className="created" role="status">
      <strong>{title}</strong>
      {children}
      <button type="button" className="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

/** A time, or "never". */
export function When({ iso, never = 'never' }: { iso: string | null | undefined; never?: string }) {
  return iso ? <RelativeTime iso={iso} /> : <span className="muted">{never}</span>;
}

/** "Revoke" on a row, asking first; a revoked key stays listed with its time. */
export function Revoke<D>({
  mutation,
  id,
  revokedAt,
  what,
  consequence,
}: {
  mutation: TypedDocumentNode<D, { id: string }>;
  id: string;
  revokedAt: string | null | undefined;
  what: string;
  consequence: string;
}) {
  const [asking, setAsking] = useState(false);
  const [state, revoke] = useMutation(mutation);
  if (revokedAt) {
    return (
      <span className="badge badge-revoked">
        revoked <RelativeTime iso={revokedAt} />
      </span>
    );
  }
  const confirm = async () => {
    const result = await revoke({ id });
    if (!result.error) setAsking(false);
  };
  return (
    <>
      <button type="button" className="button button-small button-danger" onClick={() => setAsking(true)} aria-label={`Revoke ${what}`}>
        Revoke
      </button>
      {asking && (
        <ConfirmDialog
          title={`Revoke ${what}?`}
          confirmLabel="Revoke"
          busyLabel="Revoking…"
          busy={state.fetching}
          error={state.error}
          onConfirm={confirm}
          onClose={() => setAsking(false)}
        >
          <p>{consequence} This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** The page of a kind of key: a title, the form that creates one, and the list, newest first. */
export function KeysPage<Q, N extends { id: string }>({
  title,
  create,
  list,
  columns,
  testId,
}: {
  title: string;
  create: ReactNode;
  list: ConnectionState<Q, N>;
  columns: Column<N>[];
  testId: string;
}) {
  useEffect(() => {
    document.title = `${title} · Tracking`;
  }, [title]);
  const noun = title.toLowerCase();
  return (
    <div className="stack">
      <h1>{title}</h1>
      {create}
      <section className="card" aria-labelledby={`${testId}-title`}>
        <div className="card-head">
          <h2 id={`${testId}-title`} className="card-title">
            Keys
          </h2>
          <span className="muted small">newest first</span>
        </div>
        <ConnectionTable
          list={list}
          columns={columns}
          rowKey={(k) => k.id}
          caption={title}
          empty={`No ${noun} yet.`}
          loadMoreLabel={`Load more ${noun}`}
          testId={testId}
        />
      </section>
    </div>
  );
}

type KeyRow = { createdAt: string; createdBy: string; lastUsedAt?: string | null };

/** The columns every kind of key shares: when and by whom it was made, its last use, and revoking it. */
export function keyColumns<K extends KeyRow>(revoke: (key: K) => ReactNode): Column<K>[] {
  return [
    {
      key: 'created',
      header: 'Created',
      render: (k) => (
        <>
          <When iso={k.createdAt} />
          <div className="muted small">by {k.createdBy}</div>
        </>
      ),
    },
    { key: 'used', header: 'Last used', render: (k) => <When iso={k.lastUsedAt} /> },
    { key: 'revoked', header: 'Revoked', render: revoke },
  ];
}
