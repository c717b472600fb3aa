import { Navigate, NavLink, Route, Routes } from 'react-router-dom';
import { NotAllowed } from '../../app/NotAllowed';
import { NotFound } from '../../app/NotFound';
import { can, useMe } from '../../app/session';
import { PageSkeleton } from '../../ui/Skeleton';
import { ApiKeysPage } from './ApiKeysPage';
import { AuditLogPage } from './AuditLogPage';
import { WriteKeysPage } from './WriteKeysPage';

/** /admin/*: keys and the audit log, for admins only. */
export default function AdminPage() {
  const { me, known } = useMe();
  if (!known) return <PageSkeleton />;
  if (!can(me, 'admin')) return <NotAllowed what="The admin pages" needs="admin" me={me} />;
  return (
    <div className="stack">
      <nav aria-label="Administration">
        <ul className="nav subnav">
          <li>
            <NavLink to="/admin/api-keys">API keys</NavLink>
          </li>
          <li>
            <NavLink to="/admin/write-keys">Write keys</NavLink>
          </li>
          <li>
            <NavLink to="/admin/audit">Audit log</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="/admin/api-keys" replace />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
        <Route path="write-keys" element={<WriteKeysPage />} />
        <Route path="audit" element={<AuditLogPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}
