import type { CustomerFilterInput, CustomerOrder, CustomerOrderField, OrderDirection } from '../../gql/graphql';

/** The customers view as it lives in the URL query string. */
export interface CustomerView {
  q: string;
  countries: string[];
  languages: string[];
  createdFrom: string;
  createdTo: string;
  seenFrom: string;
  seenTo: string;
  sort: CustomerOrderField;
  dir: OrderDirection;
}

const FIELDS: CustomerOrderField[] = ['CREATED_AT', 'NAME', 'LAST_SEEN_AT'];

const list = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function readView(params: URLSearchParams): CustomerView {
  const sort = params.get('sort') as CustomerOrderField | null;
  return {
    q: params.get('q') ?? '',
    countries: list(params.get('country')).map((c) => c.toUpperCase()),
    languages: list(params.get('lang')),
    createdFrom: params.get('createdFrom') ?? '',
    createdTo: params.get('createdTo') ?? '',
    seenFrom: params.get('seenFrom') ?? '',
    seenTo: params.get('seenTo') ?? '',
    sort: sort && FIELDS.includes(sort) ? sort : 'CREATED_AT',
    dir: params.get('dir') === 'ASC' ? 'ASC' : 'DESC',
  };
}

/** A day (YYYY-MM-DD) as the start of that local day; `end` gives the next day's start. */
export function dayToIso(day: string, end = false): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + (end ? 1 : 0)).toISOString();
}

function range(from: string, to: string) {
  const f = dayToIso(from);
  const t = dayToIso(to, true);
  return f || t ? { from: f, to: t } : null;
}

export function toVariables(view: CustomerView): {
  search: string | null;
  filter: CustomerFilterInput | null;
  orderBy: CustomerOrder;
} {
  const filter: CustomerFilterInput = {};
  if (view.countries.length) filter.countries = view.countries;
  if (view.languages.length) filter.languages = view.languages;
  const created = range(view.createdFrom, view.createdTo);
  if (created) filter.created = created;
  const lastSeen = range(view.seenFrom, view.seenTo);
  if (lastSeen) filter.lastSeen = lastSeen;
  return {
    search: view.q.trim() || null,
    filter: Object.keys(filter).length ? filter : null,
    orderBy: { field: view.sort, direction: view.dir },
  };
}
