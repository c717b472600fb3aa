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

type ListFieldProps = {
  label: string;
  name: string;
  values: string[];
  placeholder: string;
  set: (name: string, value: string) => void;
};

/** A comma-separated list, applied on Enter or when the field loses focus. */
function ListField({ label, name, values, placeholder, set }: ListFieldProps) {
  const apply = (text: string) => set(name, text.replace(/\s+/g, ''));
  return (
    <label className="field">
      {label}
      <input
        defaultValue={values.join(', ')}
        key={`${name}-${values.join(',')}`}
        placeholder={placeholder}
        onBlur={(e) => apply(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply(e.currentTarget.value);
        }}
      />
    </label>
  );
}

type DateRangeProps = {
  legend: string;
  label: string;
  from: string;
  to: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
};

/** Two labelled date inputs under one legend. */
function DateRange({ legend, label, from, to, onFrom, onTo }: DateRangeProps) {
  return (
    <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
      <legend>{legend}</legend>
      <div className="range-inputs">
        <input type="date" aria-label={`${label} from`} value={from} onChange={(e) => onFrom(e.target.value)} />
        <input type="date" aria-label={`${label} to`} value={to} onChange={(e) => onTo(e.target.value)} />
      </div>
    </fieldset>
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
        <ListField label="Countries" name="country" values={view.countries} placeholder="DE, FR" set={set} />
        <ListField label="Language" name="lang" values={view.languages} placeholder="en, de-DE" set={set} />
        <DateRange
          legend="Created between"
          label="Created"
          from={view.createdFrom}
          to={view.createdTo}
          onFrom={(value) => set('createdFrom', value)}
          onTo={(value) => set('createdTo', value)}
        />
        <DateRange
          legend="Last seen between"
          label="Last seen"
          from={view.seenFrom}
          to={view.seenTo}
          onFrom={(value) => set('seenFrom', value)}
          onTo={(value) => set('seenTo', value)}
        />
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
