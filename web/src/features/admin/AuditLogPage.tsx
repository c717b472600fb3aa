import { useEffect } from 'react';
import type { AuditLogQuery as AuditLogData } from '../../gql/graphql';
import { ConnectionTable } from '../../ui/ConnectionTable';
import type { Column } from '../../ui/DataTable';
import { summarize } from '../../ui/format';
import { RelativeTime } from '../../ui/Time';
import { useConnection } from '../../ui/useConnection';
import { ADMIN_PAGE_SIZE, AuditLogQuery } from './documents';

type Entry = AuditLogData['auditLog']['edges'][number]['node'];

const columns: Column<Entry>[] = [
  { key: 'at', header: 'When', render: (e) => <RelativeTime iso={e.at} /> },
  { key: 'actor', header: 'Who', render: (e) => <span className="cell-email">{e.actor}</span> },
  { key: 'action', header: 'Action', render: (e) => <code>{e.action}</code> },
  { key: 'target', header: 'Target', render: (e) => <span className="cell-email">{e.target}</span> },
  { key: 'details', header: 'Details', render: (e) => <span className="muted">{summarize(e.details)}</span> },
];

export function AuditLogPage() {
  const list = useConnection(AuditLogQuery, { first: ADMIN_PAGE_SIZE }, (d) => d.auditLog);
  useEffect(() => {
    document.title = 'Audit log · Tracking';
  }, []);
  return (
    <div className="stack">
      <div>
        <h1>Audit log</h1>
        <p className="muted small">Who changed access or erased data, newest first.</p>
      </div>
      <section className="card" aria-label="Audit log entries">
        <ConnectionTable
          list={list}
          columns={columns}
          rowKey={(e, i) => `${e.at}-${i}`}
          caption="Audit log"
          empty="Nothing recorded yet."
          loadMoreLabel="Load more entries"
          testId="audit-log"
        />
      </section>
    </div>
  );
}
