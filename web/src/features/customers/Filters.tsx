import { useSearchParams } from 'react-router-dom';
import { readView } from './params';

function useParam() {
  const [, setParams] = useSearchParams();
  return (name: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
}

/** Filters and sort; every change goes to the URL. */
export function Filters() {
  const [params] = useSearchParams();
  const view = readView(params);
  const set = useParam();
  const active = ['country', 'lang', 'createdFrom', 'createdTo', 'seenFrom', 'seenTo'].some((k) =>
    params.get(k),
  );
  return (
    <details className="filters-box" open={active || undefined}>
      <summary>Filters and sort{active ? ' (active)' : ''}</summary>
      <div className="filters">
        <label className="field">
          Countries
          <input
            defaultValue={view.countries.join(', ')}
            key={`c-${params.get('country')}`}
            placeholder="DE, FR"
            onBlur={(e) => set('country', e.target.value.replace(/\s+/g, ''))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') set('country', e.currentTarget.value.replace(/\s+/g, ''));
            }}
          />
        </label>
        <label className="field">
          Language
          <input
            defaultValue={view.languages.join(', ')}
            key={`l-${params.get('lang')}`}
            placeholder="en, de-DE"
            onBlur={(e) => set('lang', e.target.value.replace(/\s+/g, ''))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') set('lang', e.currentTarget.value.replace(/\s+/g, ''));
            }}
          />
        </label>
        <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend>Created between</legend>
          <div className="range-inputs">
            <input
              type="date"
              aria-label="Created from"
              value={view.createdFrom}
              onChange={(e) => set('createdFrom', e.target.value)}
            />
            <input
              type="date"
              aria-label="Created to"
              value={view.createdTo}
              onChange={(e) => set('createdTo', e.target.value)}
            />
          </div>
        </fieldset>
        <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend>Last seen between</legend>
          <div className="range-inputs">
            <input
              type="date"
              aria-label="Last seen from"
              value={view.seenFrom}
              onChange={(e) => set('seenFrom', e.target.value)}
            />
            <input
              type="date"
              aria-label="Last seen to"
              value={view.seenTo}
              onChange={(e) => set('seenTo', e.target.value)}
            />
          </div>
        </fieldset>
        <label className="field">
          Sort by
          <select value={view.sort} onChange={(e) => set('sort', e.target.value)}>
            <option value="CREATED_AT">Created</option>
            <option value="LAST_SEEN_AT">Last seen</option>
            <option value="NAME">Name</option>
          </select>
        </label>
        <label className="field">
          Direction
          <select value={view.dir} onChange={(e) => set('dir', e.target.value)}>
            <option value="DESC">Descending</option>
            <option value="ASC">Ascending</option>
          </select>
        </label>
      </div>
    </details>
  );
}
