// A customer's country, as the customers list, the customer page and the
// analytics' countries show it.

/** Flag emoji of an ISO-3166 alpha-2 code ("DE" → 🇩🇪); empty when not a code. */
export function flag(code: string | null | undefined): string {
  if (!code || !/^[A-Za-z]{2}$/.test(code)) return '';
  const base = 0x1f1e6 - 65;
  return String.fromCodePoint(...[...code.toUpperCase()].map((c) => base + c.charCodeAt(0)));
}
