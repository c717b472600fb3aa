import { useState, type ReactNode } from 'react';
import { useMutation, type TypedDocumentNode } from 'urql';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { CopyButton } from '../../ui/CopyButton';
import { RelativeTime } from '../../ui/Time';

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
