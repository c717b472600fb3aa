// How an event type reads wherever events are shown: a session's events, the
// customer comparison and the analytics charts.

/** PAGE_VIEW → "page view". */
export const eventLabel = (type: string) => type.toLowerCase().replace(/_/g, ' ');
