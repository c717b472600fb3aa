export interface RecentCustomer {
  id: string;
  name: string;
  email?: string | null;
}

const KEY = 'tracking.recentCustomers';
const MAX = 8;

export function readRecent(): RecentCustomer[] {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.slice(0, MAX) : [];
  } catch {
    return [];
  }
}

export function rememberCustomer(customer: RecentCustomer): void {
  try {
    const rest = readRecent().filter((c) => c.id !== customer.id);
    localStorage.setItem(KEY, JSON.stringify([customer, ...rest].slice(0, MAX)));
  } catch {
    // Storage full or disabled: recently viewed is a convenience.
  }
}

/** An erased customer must not linger on this device either. */
export function forgetCustomer(id: string): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(readRecent().filter((c) => c.id !== id)));
  } catch {
    // Storage disabled: nothing was remembered.
  }
}
