import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { apiUrl } from '../../app/config';
import type { WriteKeyFieldsFragment } from '../../gql/graphql';
import { CopyButton } from '../../ui/CopyButton';
import type { Column } from '../../ui/DataTable';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { useConnection } from '../../ui/useConnection';
import { ADMIN_PAGE_SIZE, CreateWriteKeyMutation, RevokeWriteKeyMutation, WriteKeysQuery } from './documents';
import { Copyable, Created, KeysPage, Revoke, keyColumns } from './parts';

/** The tag a website puts into its pages; tracker.js is served by the API, wherever that is. */
function snippet(key: string): string {
  const origin = new URL(apiUrl(), window.location.href).origin;
  return `<script src="${origin}/tracker.js" data-write-key="${key}" defer></script>`;
}

const columns: Column<WriteKeyFieldsFragment>[] = [
  { key: 'website', header: 'Website', render: (k) => <strong>{k.website}</strong> },
  {
    key: 'key',
    header: 'Key',
    render: (k) => (
      <span className="key-cell">
        <code>{k.key}</code>
        {!k.revokedAt && <CopyButton value={snippet(k.key)} label={`snippet for ${k.website}`} />}
      </span>
    ),
  },
  ...keyColumns<WriteKeyFieldsFragment>((k) => (
    <Revoke
      mutation={RevokeWriteKeyMutation}
      id={k.id}
      revokedAt={k.revokedAt}
      what={`the write key of “${k.website}”`}
      consequence="Events the website sends with it are refused from now on; its snippet must get a new key."
    />
  )),
];

function CreateWriteKey() {
  const [state, create] = useMutation(CreateWriteKeyMutation);
  const [created, setCreated] = useState<WriteKeyFieldsFragment | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setCreated(null);
    const result = await create({ website: String(new FormData(form).get('website')).trim() });
    const made = result.data?.createWriteKey;
    if (!made) return;
    setCreated(made);
    form.reset();
  };
  return (
    <section className="card stack" aria-labelledby="create-write-key">
      <div>
        <h2 id="create-write-key" className="card-title">
          Create a write key
        </h2>
        <p className="muted small">
          One per website. It goes into the website's pages, so it is public: it can only send events, never read.
        </p>
      </div>
      <form className="inline-form" onSubmit={submit} aria-busy={state.fetching}>
        <label className="field">
          Website
          <input name="website" required maxLength={200} placeholder="shop.example.com" />
        </label>
        <button type="submit" className="button button-primary" disabled={state.fetching}>
          {state.fetching ? 'Creating…' : 'Create write key'}
        </button>
      </form>
      {state.error && <ErrorMessage error={state.error} title="Could not create the write key." />}
      {created && (
        <Created title={`Write key for “${created.website}” created`} onDone={() => setCreated(null)}>
          <Copyable value={created.key} label="write key" testId="write-key" />
          <p className="small">Paste this into every page of the website, before the closing &lt;/body&gt; tag:</p>
          <Copyable value={snippet(created.key)} label="snippet" testId="write-key-snippet" />
        </Created>
      )}
    </section>
  );
}

export function WriteKeysPage() {
  const list = useConnection(WriteKeysQuery, { first: ADMIN_PAGE_SIZE }, (d) => d.writeKeys);
  return <KeysPage title="Write keys" create={<CreateWriteKey />} list={list} columns={columns} testId="write-keys" />;
}
