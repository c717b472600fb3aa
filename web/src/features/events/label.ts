// How an event name reads wherever events are shown: a session's events, the
// customer comparison and the analytics charts.

/** PAGE_VIEW and page_view → "page view"; a site's own names (video.play) as they are. */
export const eventLabel = (name: string) => name.toLowerCase().replace(/_/g, ' ');
