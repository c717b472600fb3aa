import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useMutation } from 'urql';
import { withNotice } from '../../app/navigation';
import { graphql } from '../../gql';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { number } from '../../ui/format';
import { forgetCustomer } from '../customers/recent';

export const EraseCustomerMutation = graphql(`
  mutation EraseCustomer($id: ID!) {
    eraseCustomer(id: $id) {
      erasedCustomerId
      sessions
      events
    }
  }
`);

const count = (n: number, one: string) => `${number(n)} ${n === 1 ? one : one + 's'}`;

/** Admins only: erase the customer for good, after typing their distinct id. */
export function EraseCustomer({ customer }: { customer: { id: string; name: string; distinctId: string } }) {
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  const [state, erase] = useMutation(EraseCustomerMutation);
  const navigate = useNavigate();
  const close = () => {
    setAsking(false);
    setTyped('');
  };
  const confirm = async () => {
    const result = await erase({ id: customer.id });
    const erased = result.data?.eraseCustomer;
    if (!erased) return;
    forgetCustomer(customer.id);
    const notice = `Customer ${customer.distinctId} erased, with ${count(erased.sessions, 'session')} and ${count(erased.events, 'event')}.`;
    navigate('/', { state: withNotice(notice) });
  };
  return (
    <section className="card danger-zone" aria-labelledby="danger-zone">
      <h2 id="danger-zone" className="card-title">
        Danger zone
      </h2>
      <div className="danger-row">
        <p className="small">
          Erase this customer with their sessions, events and share of every figure, for example on a request to be
          forgotten. The erasure is recorded in the audit log and cannot be undone.
        </p>
        <button type="button" className="button button-danger" onClick={() => setAsking(true)}>
          Erase customer
        </button>
      </div>
      {asking && (
        <ConfirmDialog
          title={`Erase ${customer.name || customer.distinctId}?`}
          confirmLabel="Erase customer"
          busyLabel="Erasing…"
          ready={typed === customer.distinctId}
          busy={state.fetching}
          error={state.error}
          onConfirm={confirm}
          onClose={close}
        >
          <p>
            The customer, all their sessions and events, and their share of the analytics are deleted. This cannot be
            undone.
          </p>
          <label className="field">
            <span>
              Type the distinct id <code className="confirm-text">{customer.distinctId}</code> to confirm
            </span>
            <input
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
