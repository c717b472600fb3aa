/* tracker.js: its API and what it sends are in docs/ingestion.md. Events wait in
   localStorage until acked; the server dedupes by eventId. */
(() => {
const W = window, D = document, N = navigator, L = location, P = performance;
if (W.tracker) return;
const S = D.currentScript || {}, C = S.dataset || {};
const URL_ = new URL(C.endpoint || '/v1/track', S.src || L.href).href;
const EVERY = +C.flushInterval || 5e3, BATCH = Math.min(500, +C.batchSize || 50);
const MAX = 1e3, GRACE = 5e3, IDLE = 18e5; // queue cap; beacon grace; session idle
const on = (t, f, o = W) => o.addEventListener(t, f);
const warn = (...a) => console.warn('[tracker]', ...a);
const now = Date.now, iso = () => new Date().toISOString();

// memory if localStorage is blocked or full
let ls, mem = {}, J = JSON;
try { (ls = localStorage).length; } catch { ls = 0; }
const get = k => { try { if (ls) mem[k] = J.parse(ls.getItem(k)); } catch {} return mem[k]; };
const set = (k, v) => { mem[k] = v; try { ls && ls.setItem(k, J.stringify(v)); } catch { ls = 0; warn('storage full'); } };

const hex = n => Array.from(crypto.getRandomValues(new Uint8Array(n)), b => (b + 256).toString(16).slice(1)).join('');
const uuid = () => crypto.randomUUID ? crypto.randomUUID() : hex(16); // secure contexts only
let vid = get('trk.id');
vid || set('trk.id', vid = 'v_' + hex(8));

// a view ending after a long read keeps its session
const session = keep => {
  let s = get('trk.s');
  if (!s || (now() - s.t > IDLE && s.id != keep)) s = { id: 's_' + hex(8) };
  s.t = now();
  set('trk.s', s);
  return s.id;
};

// {e: event, b: beacon time}; beacons are unacked: due again after GRACE
const queue = () => get('trk.q') || [];
const due = i => !(now() - i.b < GRACE);
let wait = 0, busy, timer, tries = 0; // wait: backoff end
const auto = () => now() >= wait && flush();
// on a load's first event
const cut = s => s.slice(0, 2048) || void 0;
let ctx = { url: cut(L.href), referrer: cut(D.referrer), screenWidth: screen.width, screenHeight: screen.height, language: N.language };
const add = (name, page, m, timestamp, sid) => {
  const q = queue(), id = session(sid);
  q.push({ e: { eventId: uuid(), distinctId: vid, sessionId: sid || id, name, page, timestamp: timestamp || iso(), metadata: J.parse(J.stringify(m)), context: ctx || void 0 } });
  ctx = 0;
  if (q.length > MAX) warn('queue full, dropped', q.splice(0, q.length - MAX).length);
  set('trk.q', q);
  q.filter(due).length < BATCH || auto();
};

// page_view: sent at its end, with visible seconds
let view, prev, own; // view {p: path, t: start, s: session, v: visible since}
const vis = () => D.visibilityState != 'hidden';
const start = p => { view = { p, t: iso(), s: session(), v: vis() ? P.now() : -1 }; };
const end = (v = view) => {
  if (!v) return;
  view = 0; prev = v.p;
  add('page_view', v.p, { timeSpent: v.v < 0 ? 0 : Math.round((P.now() - v.v) / 100) / 10 }, v.t, v.s);
};
// explicit path: the site routes itself
const page = p => { end(); start(typeof p == 'string' ? (own = p) : L.pathname); };

const body = events => {
  const b = { events }, i = get('trk.i');
  if (i) b.identify = i;
  if (C.writeKey) b.writeKey = C.writeKey;
  return J.stringify(b);
};
const fail = (res, error) => {
  // full jitter, >= Retry-After
  const d = Math.max(Math.random() * Math.min(6e4, 1e3 * 2 ** tries++), 1e3 * (res && res.headers.get('Retry-After')) || 0);
  wait = now() + d;
  clearTimeout(timer);
  timer = setTimeout(flush, d);
  T.last = { status: res && res.status, error };
};
const send = async () => {
  const batch = queue().filter(due).slice(0, BATCH), idn = J.stringify(get('trk.i')), done = new Set();
  if (!batch[0] && idn == 'null') return;
  const data = body(batch.map(i => i.e));
  let res, st, out;
  try {
    // a string body is text/plain: no CORS preflight
    res = await fetch(URL_, { method: 'POST', body: data });
    st = res.status;
    if (st == 400 && idn != 'null') { warn('identify dropped:', await res.text()); set('trk.i', null); return 1; } // events may be fine
    if (st == 400 || st == 413) warn('dropped batch, HTTP', st, await res.text());
    else if (res.ok) {
      out = await res.json();
      // accepted, duplicate, rejected: all final
      for (const r of out.results) { done.add(r.eventId); r.status == 'rejected' && warn('rejected', r.eventId, r.reason); }
      tries = 0;
    } else return fail(res);
  } catch (e) {
    return fail(res, '' + e); // offline or unreadable: keep all
  }
  if (!out) batch.map(i => done.add(i.e.eventId));
  set('trk.q', queue().filter(i => !done.has(i.e.eventId)));
  if (J.stringify(get('trk.i')) == idn) set('trk.i', null); // unless changed meanwhile
  T.last = { status: st, ...out, results: 0 };
  return done.size;
};
// one request at a time
const flush = () => busy || (busy = (async () => { try { while (await send()); } finally { busy = 0; } })());

// hiding may end the page, cancelling fetches but not beacons (64 KB quota)
const beacon = () => {
  if (!N.onLine) return;
  const q = queue(), t = now();
  let c = [], n = 0, ok = 1;
  const go = () => {
    if (ok && (ok = N.sendBeacon(URL_, body(c.map(i => i.e))))) c.map(i => i.b = t);
    c = []; n = 0;
  };
  for (const i of q.filter(due)) {
    const s = J.stringify(i.e).length; // 2e4 chars < 60 KB UTF-8
    if (c[0] && (n + s > 2e4 || c.length >= BATCH)) go();
    c.push(i); n += s;
  }
  if (c[0] || get('trk.i')) go();
  set('trk.q', q);
};
const hide = () => { end(); beacon(); };
const resume = () => view ? view.v < 0 && (view.v = P.now()) : prev && start(prev);
on('visibilitychange', () => vis() ? resume() : hide(), D);
on('pagehide', hide);
on('pageshow', e => e.persisted && resume());
on('online', () => { tries = wait = 0; flush(); });

const nav = () => own || !view || view.p == L.pathname || page();
const push = history.pushState;
history.pushState = function () { const r = push.apply(this, arguments); nav(); return r; };
on('popstate', nav);

// after deferred scripts, which may call page('/x')
const boot = () => { view || prev || start(L.pathname); flush(); };
if (D.readyState == 'complete') setTimeout(boot);
else { on('DOMContentLoaded', boot, D); on('load', boot); }
setInterval(auto, EVERY);

const T = W.tracker = {
  identify(p) { // sent with the next batch
    const i = get('trk.i') || {};
    for (const k of ['name', 'email', 'country', 'language']) if (p && p[k]) i[k] = '' + p[k];
    i.distinctId = vid;
    set('trk.i', i);
    setTimeout(auto, 50);
  },
  track(name, props) {
    const { page: p, ...m } = props || {};
    add(name, p || (view ? view.p : prev || L.pathname), m);
  },
  page,
  flush,
  get distinctId() { return vid; },
  get sessionId() { return session(); },
  get queued() { return queue().length; },
};
})();
