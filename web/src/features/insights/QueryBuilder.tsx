import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import type { FilterOperator, PropertyType } from '../../gql/graphql';
import { PropertyNamesQuery } from './documents';
import {
  formatValue,
  INTERVALS,
  MATHS,
  MAX_BREAKDOWN,
  needsProperty,
  needsValue,
  newFilter,
  newSeries,
  OPERATORS,
  parseValue,
  PRESETS,
  type FilterState,
  type InsightQuery,
  type Preset,
  type SeriesState,
} from './query';

export interface PropertyOption {
  name: string;
  type: PropertyType;
}

/** What the pickers offer: the events' own properties and the product's dimensions. */
export interface Catalog {
  events: { name: string; count: number }[];
  properties: PropertyOption[];
  dimensions: (PropertyOption & { label: string })[];
}

export type Update = (change: (q: InsightQuery) => InsightQuery, replace?: boolean) => void;

/** A property may hold several types; the most used one (listed first) types its filter values. */
function typesOf(options: PropertyOption[]): Map<string, PropertyType> {
  const types = new Map<string, PropertyType>();
  for (const o of options) if (!types.has(o.name)) types.set(o.name, o.type);
  return types;
}

const unique = (options: PropertyOption[]) => [...typesOf(options).entries()].map(([name, type]) => ({ name, type }));

function PropertySelect({
  label,
  value,
  onChange,
  properties,
  dimensions,
  none,
}: {
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  properties: PropertyOption[];
  dimensions: (PropertyOption & { label: string })[];
  none: string;
}) {
  const known = value === null || value === '' || properties.some((p) => p.name === value) || dimensions.some((d) => d.name === value);
  return (
    <label className="field">
      {label}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{none}</option>
        {/* A property of the URL that the lists (of this range) do not hold stays selectable. */}
        {!known && <option value={value ?? ''}>{value}</option>}
        {properties.length > 0 && (
          <optgroup label="Event properties">
            {properties.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </optgroup>
        )}
        {dimensions.length > 0 && (
          <optgroup label="Dimensions">
            {dimensions.map((d) => (
              <option key={d.name} value={d.name}>
                {d.label} ({d.name})
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}

/** The value box keeps what is typed ("1." on the way to "1.5") while the URL holds the typed value. */
function ValueInput({
  label,
  filter,
  type,
  onChange,
}: {
  label: string;
  filter: FilterState;
  type: PropertyType | undefined;
  onChange: (value: FilterState['value']) => void;
}) {
  const [text, setText] = useState(() => formatValue(filter.value));
  const shown = formatValue(filter.value);
  useEffect(() => {
    // From elsewhere (back, forward, another property): show the new value.
    setText((current) => (formatValue(parseValue(current, filter.operator, type)) === shown ? current : shown));
  }, [shown, filter.operator, type]);
  if (!needsValue(filter.operator)) return null;
  if (type === 'BOOLEAN' && (filter.operator === 'EQUALS' || filter.operator === 'NOT_EQUALS')) {
    return (
      <label className="field">
        {label}
        <select value={shown} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}>
          <option value="">—</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      </label>
    );
  }
  const numeric = type === 'NUMBER' || filter.operator === 'GREATER_THAN' || filter.operator === 'LESS_THAN';
  return (
    <label className="field">
      {label}
      <input
        type="text"
        inputMode={numeric && filter.operator !== 'IN' ? 'decimal' : undefined}
        value={text}
        placeholder={filter.operator === 'IN' ? 'a, b, c' : numeric ? 'a number' : 'a value'}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseValue(e.target.value, filter.operator, type));
        }}
      />
    </label>
  );
}

function FilterRow({
  name,
  filter,
  properties,
  dimensions,
  onChange,
  onRemove,
}: {
  name: string;
  filter: FilterState;
  properties: PropertyOption[];
  dimensions: (PropertyOption & { label: string })[];
  onChange: (change: (filter: FilterState) => FilterState, replace?: boolean) => void;
  onRemove: () => void;
}) {
  const types = useMemo(() => typesOf([...properties, ...dimensions]), [properties, dimensions]);
  const type = types.get(filter.property);
  const retype =
    (property: string | null, operator: FilterOperator | null) =>
    (f: FilterState): FilterState => {
      const p = property ?? f.property;
      const o = operator ?? f.operator;
      return { property: p, operator: o, value: parseValue(formatValue(f.value), o, types.get(p)) };
    };
  return (
    <div className="insight-row" role="group" aria-label={name}>
      <PropertySelect
        label={`${name}: property`}
        value={filter.property}
        onChange={(p) => onChange(retype(p ?? '', null))}
        properties={properties}
        dimensions={dimensions}
        none="Pick a property"
      />
      <label className="field">
        {`${name}: operator`}
        <select value={filter.operator} onChange={(e) => onChange(retype(null, e.target.value as FilterOperator))}>
          {OPERATORS.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <ValueInput
        label={`${name}: value`}
        filter={filter}
        type={type}
        onChange={(value) => onChange((f) => ({ ...f, value }), true)}
      />
      <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove ${name.toLowerCase()}`}>
        Remove
      </button>
    </div>
  );
}

function Filters({
  title,
  filters,
  properties,
  dimensions,
  onChange,
}: {
  title: string;
  filters: FilterState[];
  properties: PropertyOption[];
  dimensions: (PropertyOption & { label: string })[];
  onChange: (change: (filters: FilterState[]) => FilterState[], replace?: boolean) => void;
}) {
  return (
    <div className="insight-filters">
      {filters.map((f, i) => (
        <FilterRow
          key={i}
          name={`${title} filter ${i + 1}`}
          filter={f}
          properties={properties}
          dimensions={dimensions}
          onChange={(change, replace) => onChange((all) => all.map((old, j) => (j === i ? change(old) : old)), replace)}
          onRemove={() => onChange((all) => all.filter((_, j) => j !== i))}
        />
      ))}
      <div>
        <button type="button" className="button button-small" onClick={() => onChange((all) => [...all, newFilter()])}>
          Add {title.toLowerCase()} filter
        </button>
      </div>
    </div>
  );
}

function SeriesEditor({
  index,
  series,
  catalog,
  discovery,
  removable,
  onChange,
  onRemove,
}: {
  index: number;
  series: SeriesState;
  catalog: Catalog;
  discovery: { from: string; to: string; includeBots: boolean };
  removable: boolean;
  onChange: (change: (series: SeriesState) => SeriesState, replace?: boolean) => void;
  onRemove: () => void;
}) {
  const name = `Series ${index + 1}`;
  const [result] = useQuery({
    query: PropertyNamesQuery,
    variables: {
      input: { event: series.event, range: { from: discovery.from, to: discovery.to }, includeBots: discovery.includeBots },
    },
  });
  const properties = useMemo(() => unique(result.data?.propertyNames ?? []), [result.data]);
  const numeric = useMemo(() => properties.filter((p) => p.type === 'NUMBER'), [properties]);
  const numericDimensions = useMemo(() => catalog.dimensions.filter((d) => d.type === 'NUMBER'), [catalog.dimensions]);
  const eventKnown = series.event === null || catalog.events.some((e) => e.name === series.event);
  return (
    <fieldset className="insight-series">
      <legend>{name}</legend>
      <div className="insight-row">
        <label className="field">
          {`${name}: event`}
          <select value={series.event ?? ''} onChange={(e) => {
              const event = e.target.value || null;
              onChange((s) => ({ ...s, event }));
            }}>
            <option value="">Any event</option>
            {!eventKnown && <option value={series.event ?? ''}>{series.event}</option>}
            {catalog.events.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {`${name}: measure`}
          <select
            value={series.math}
            onChange={(e) => {
              const math = e.target.value as SeriesState['math'];
              onChange((s) => ({ ...s, math, property: needsProperty(math) ? s.property : null }));
            }}
          >
            {MATHS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {needsProperty(series.math) && (
          <PropertySelect
            label={`${name}: numeric property`}
            value={series.property}
            onChange={(property) => onChange((s) => ({ ...s, property }))}
            properties={numeric}
            dimensions={numericDimensions}
            none="Pick a property"
          />
        )}
        {removable && (
          <button type="button" className="button button-small" onClick={onRemove}>
            Remove series {index + 1}
          </button>
        )}
      </div>
      <Filters
        title={name}
        filters={series.filters}
        properties={properties}
        dimensions={catalog.dimensions}
        onChange={(change, replace) => onChange((s) => ({ ...s, filters: change(s.filters) }), replace)}
      />
    </fieldset>
  );
}

/** The box may be empty or out of range while typing; the URL only takes a whole number in range. */
function LimitInput({ value, onChange }: { value: number; onChange: (n: number) => void }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  return (
    <label className="field">
      Breakdown values shown
      <input
        type="number"
        min={1}
        max={MAX_BREAKDOWN}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const n = Number(e.target.value);
          if (e.target.value !== '' && Number.isInteger(n) && n >= 1 && n <= MAX_BREAKDOWN) onChange(n);
        }}
        onBlur={() => setText(String(value))}
      />
    </label>
  );
}

export function QueryBuilder({
  query,
  update,
  catalog,
  range,
  timeZones,
}: {
  query: InsightQuery;
  update: Update;
  catalog: Catalog;
  range: { from: string; to: string; fromDay: string; toDay: string };
  timeZones: string[];
}) {
  const discovery = { from: range.from, to: range.to, includeBots: query.includeBots };
  const setPreset = (preset: Preset) =>
    update((q) => ({
      ...q,
      preset,
      from: preset === 'custom' ? range.fromDay : '',
      to: preset === 'custom' ? range.toDay : '',
      interval: preset === '24h' ? 'HOUR' : q.preset === '24h' && q.interval === 'HOUR' ? 'DAY' : q.interval,
    }));
  return (
    <section className="card stack" aria-label="Query">
      <h2 className="card-title">Query</h2>
      {query.series.map((s, i) => (
        <SeriesEditor
          key={i}
          index={i}
          series={s}
          catalog={catalog}
          discovery={discovery}
          removable={query.series.length > 1}
          onChange={(change, replace) => update((q) => ({ ...q, series: q.series.map((old, j) => (j === i ? change(old) : old)) }), replace)}
          onRemove={() => update((q) => ({ ...q, series: q.series.filter((_, j) => j !== i) }))}
        />
      ))}
      <div>
        <button type="button" className="button" onClick={() => update((q) => ({ ...q, series: [...q.series, newSeries()] }))}>
          Add series
        </button>
      </div>

      <fieldset className="insight-series">
        <legend>Every series</legend>
        <Filters
          title="Global"
          filters={query.filters}
          properties={catalog.properties}
          dimensions={catalog.dimensions}
          onChange={(change, replace) => update((q) => ({ ...q, filters: change(q.filters) }), replace)}
        />
        <div className="insight-row">
          <PropertySelect
            label="Breakdown"
            value={query.breakdown}
            onChange={(breakdown) => update((q) => ({ ...q, breakdown }))}
            properties={catalog.properties}
            dimensions={catalog.dimensions}
            none="None"
          />
          {query.breakdown && (
            <LimitInput value={query.breakdownLimit} onChange={(n) => update((q) => ({ ...q, breakdownLimit: n }), true)} />
          )}
          <label className="field">
            Interval
            <select value={query.interval} onChange={(e) => update((q) => ({ ...q, interval: e.target.value as InsightQuery['interval'] }))}>
              {INTERVALS.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Time zone
            <select value={query.timeZone} onChange={(e) => update((q) => ({ ...q, timeZone: e.target.value }))}>
              {timeZones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          <label className="insight-check">
            <input
              type="checkbox"
              checked={query.includeBots}
              onChange={(e) => update((q) => ({ ...q, includeBots: e.target.checked }))}
            />
            Include bots
          </label>
        </div>
        <div className="insight-row">
          <div className="presets" role="group" aria-label="Date range">
            {PRESETS.map((p) => (
              <button key={p.id} type="button" className="button" aria-pressed={query.preset === p.id} onClick={() => setPreset(p.id)}>
                {p.label}
              </button>
            ))}
          </div>
          {query.preset === 'custom' && (
            <>
              <label className="field">
                From
                <input
                  type="date"
                  value={range.fromDay}
                  max={range.toDay}
                  onChange={(e) => e.target.value && update((q) => ({ ...q, from: e.target.value, to: q.to < e.target.value ? e.target.value : q.to }))}
                />
              </label>
              <label className="field">
                To
                <input
                  type="date"
                  value={range.toDay}
                  min={range.fromDay}
                  onChange={(e) => e.target.value && update((q) => ({ ...q, to: e.target.value, from: q.from > e.target.value ? e.target.value : q.from }))}
                />
              </label>
            </>
          )}
        </div>
      </fieldset>
    </section>
  );
}
