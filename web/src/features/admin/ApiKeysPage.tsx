import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { ApiKeyFieldsFragment, Role } from '../../gql/graphql';
import type { Column } from '../../ui/DataTable';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { useConnection } from '../../ui/useConnection';
import { ADMIN_PAGE_SIZE, ApiKeysQuery, CreateApiKeyMutation, RevokeApiKeyMutation } from './documents';
import { Copyable, Created, KeysPage, Revoke, keyColumns } from './parts';

const ROLES: { role: Role; label: string }[] = [
  { role: 'VIEWER', label: 'Viewer: customers and analytics' },
  { role: 'ANALYST', label: 'Analyst: also raw events' },
  { role: 'ADMIN', label: 'Admin: everything, keys and erasure too' },
];

const columns: Column<ApiKeyFieldsFragment>[] = [
  { key: 'name', header: 'Name', render: (k) => <strong>{k.name}</strong> },
  { key: 'role', header: 'Role', render: (k) => <span className="badge">{k.role.toLowerCase()}</span> },
  { key: 'prefix', header: 'Prefix', render: (k) => <code>{k.prefix}…</code> },
  ...keyColumns<ApiKeyFieldsFragment>((k) => (
    <Revoke
      mutation={RevokeApiKeyMutation}
      id={k.id}
      revokedAt={k.revokedAt}
      what={`API key “${k.name}”`}
      consequence={`Requests with the key ${k.prefix}… are refused from now on.`}
    />
  )),
];

function CreateApiKey() {
  const [state, create] = useMutation(CreateApiKeyMutation);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = new FormData(form);
    setCreated(null);
    const result = await create({ name: String(fields.get('name')).trim(), role: fields.get('role') as Role });
    const made = result.data?.createApiKey;
    if (!made) return;
    setCreated({ name: made.apiKey.name, secret: made.secret });
    form.reset();
  };
  return (
    <section className="card stack" aria-labelledby="create-api-key">
      <div>
        <h2 id="create-api-key" className="card-title">
          Create an API key
        </h2>
        <p className="muted small">
          For scripts and integrations, sent as <code>Authorization: Bearer …</code>. Give it the smallest role that
          does the job.
        </p>
      </div>
      <form className="inline-form" onSubmit={submit} aria-busy={state.fetching}>
        <label className="field">
          Name
          <input name="name" required maxLength={100} placeholder="Nightly export" />
        </label>
        <label className="field">
          Role
          <select name="role" defaultValue="VIEWER">
            {ROLES.map(({ role, label }) => (
              <option key={role} value={role}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={state.fetching}>
          {state.fetching ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {state.error && <ErrorMessage error={state.error} title="Could not create the key." />}
      {created && (
        <Created title={`API key “${created.name}” created`} onDone={() => setCreated(null)}>
          <p className="warning">
            Copy the secret now: it is shown this once and cannot be shown again (only its digest is stored).
          </p>
          <Copyable value={created.secret} label="API key secret" testId="api-key-secret" />
        </Created>
      )}
    </section>
  );
}

export function ApiKeysPage() {
  const list = useConnection(ApiKeysQuery, { first: ADMIN_PAGE_SIZE }, (d) => d.apiKeys);
  return <KeysPage title="API keys" create={<CreateApiKey />} list={list} columns={columns} testId="api-keys" />;
}
