/* Demo shop: hash routes (#/product/3) reported to the tracker as page paths
   (/product/3), and the shop's actions reported as events. */
(() => {
  'use strict';
  const tracker = window.tracker;
  const $ = (selector) => document.querySelector(selector);
  const app = $('#app');
  const CURRENCY = 'EUR';
  const money = new Intl.NumberFormat('en-IE', { style: 'currency', currency: CURRENCY });
  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const PRODUCTS = [
    { id: 1, name: 'Aurora Mug', price: 18, kind: 'mug', color: '#14b8a6', blurb: 'Stoneware mug with a glaze that shifts from teal to violet. 350 ml.' },
    { id: 2, name: 'Fjord Desk Lamp', price: 89, kind: 'lamp', color: '#f59e0b', blurb: 'A warm, dimmable lamp in powder-coated steel for long winter evenings.' },
    { id: 3, name: 'Tundra Backpack', price: 74.5, kind: 'pack', color: '#6366f1', blurb: 'Water-resistant 22 l daypack with a padded laptop sleeve.' },
    { id: 4, name: 'Birch Notebook', price: 12.9, kind: 'book', color: '#a3a3a3', blurb: 'Dot-grid notebook, 192 pages of heavy paper, lies flat.' },
    { id: 5, name: 'Glacier Bottle', price: 29, kind: 'bottle', color: '#38bdf8', blurb: 'Insulated steel bottle: cold for 24 hours, hot for 12.' },
    { id: 6, name: 'Ember Candle', price: 15, kind: 'candle', color: '#ef4444', blurb: 'Soy candle scented with smoked birch and cardamom. 40 hours.' },
    { id: 7, name: 'Moss Planter', price: 24, kind: 'plant', color: '#22c55e', blurb: 'Glazed ceramic planter with a drainage saucer, for the windowsill jungle.' },
    { id: 8, name: 'Polar Scarf', price: 39, kind: 'scarf', color: '#e11d48', blurb: 'Merino wool scarf, striped, soft enough for the coldest mornings.' },
  ];
  const UPSELL = { productId: 6, price: 9, offer: 'candle-with-order' };
  const byId = (id) => PRODUCTS.find((p) => p.id === Number(id));

  // Small inline drawings: the demo loads nothing from the internet.
  const SHAPES = {
    mug: (c) => `<rect x="34" y="40" width="42" height="46" rx="7" fill="${c}"/><path d="M76 50h6a10 10 0 0 1 0 20h-6" stroke="${c}" stroke-width="6" fill="none"/><path d="M46 24c-4 5 4 7 0 12M58 24c-4 5 4 7 0 12" stroke="#94a3b8" stroke-width="3" fill="none" stroke-linecap="round"/>`,
    lamp: (c) => `<path d="M40 30h40l10 28H30z" fill="${c}"/><rect x="57" y="58" width="6" height="28" fill="#334155"/><ellipse cx="60" cy="90" rx="22" ry="6" fill="#334155"/><circle cx="60" cy="62" r="5" fill="#fde68a"/>`,
    pack: (c) => `<rect x="34" y="28" width="52" height="64" rx="14" fill="${c}"/><rect x="42" y="60" width="36" height="24" rx="6" fill="#fff" opacity=".35"/><path d="M48 28c0-10 24-10 24 0" stroke="#334155" stroke-width="4" fill="none"/>`,
    book: (c) => `<rect x="36" y="24" width="48" height="70" rx="4" fill="#f5f5f4" stroke="${c}" stroke-width="3"/><rect x="36" y="24" width="9" height="70" fill="${c}"/><path d="M54 42h22M54 52h22M54 62h16" stroke="#cbd5e1" stroke-width="3" stroke-linecap="round"/>`,
    bottle: (c) => `<rect x="46" y="18" width="28" height="12" rx="3" fill="#334155"/><rect x="40" y="30" width="40" height="66" rx="14" fill="${c}"/><rect x="48" y="42" width="6" height="40" rx="3" fill="#fff" opacity=".45"/>`,
    candle: (c) => `<rect x="42" y="50" width="36" height="44" rx="5" fill="${c}"/><path d="M60 24c8 9 8 16 0 22c-8-6-8-13 0-22z" fill="#fbbf24"/><rect x="59" y="44" width="2" height="7" fill="#334155"/>`,
    plant: (c) => `<ellipse cx="50" cy="44" rx="8" ry="18" fill="${c}" transform="rotate(-25 50 44)"/><ellipse cx="70" cy="44" rx="8" ry="18" fill="${c}" transform="rotate(25 70 44)"/><ellipse cx="60" cy="38" rx="7" ry="18" fill="${c}"/><path d="M40 62h40l-6 32H46z" fill="#b45309"/>`,
    scarf: (c) => `<ellipse cx="60" cy="42" rx="26" ry="12" fill="none" stroke="${c}" stroke-width="11"/><path d="M56 48l-8 38h13l6-36zM66 50l6 34h13l-9-36z" fill="${c}"/><path d="M50 76h12M73 74h12" stroke="#fff" stroke-width="3"/><path d="M49 87v6M54 87v6M59 87v6M73 85v6M78 85v6M83 85v6" stroke="${c}" stroke-width="2"/>`,
  };
  const art = (p) => `<svg class="art" viewBox="0 0 120 120" role="img" aria-label="${esc(p.name)}"><circle cx="60" cy="60" r="54" fill="${p.color}" opacity=".12"/>${SHAPES[p.kind](p.color)}</svg>`;

  // The cart lives in localStorage, like a real shop's.
  const loadCart = () => { try { return JSON.parse(localStorage.getItem('shop.cart')) || []; } catch { return []; } };
  let cart = loadCart();
  const saveCart = () => { localStorage.setItem('shop.cart', JSON.stringify(cart)); $('#cart-count').textContent = cart.reduce((n, l) => n + l.quantity, 0); };
  const total = () => Math.round(cart.reduce((sum, l) => sum + l.price * l.quantity, 0) * 100) / 100;

  const card = (p) => `
    <a class="card" href="#/product/${p.id}" data-product="${p.id}">
      ${art(p)}
      <span class="name">${esc(p.name)}</span>
      <span class="price">${money.format(p.price)}</span>
    </a>`;

  const views = {
    home: () => `
      <section class="hero">
        <div>
          <h1>Cosy things for long northern nights</h1>
          <p>Every click in this shop is an event. Watch the status line below: events queue in the browser and fly to <code>/v1/track</code>.</p>
          <a class="button" href="#/search?q=">Browse everything</a>
        </div>
        <div class="sky" aria-hidden="true"><i></i><i></i><i></i></div>
      </section>
      <h2>Bestsellers</h2>
      <div class="grid">${PRODUCTS.slice(0, 4).map(card).join('')}</div>
      <h2>New this season</h2>
      <div class="grid">${PRODUCTS.slice(4).map(card).join('')}</div>`,

    search: (query) => {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const found = PRODUCTS.filter((p) => words.every((w) => `${p.name} ${p.kind} ${p.blurb}`.toLowerCase().includes(w)));
      return `
        <h1>${query ? `Results for “${esc(query)}”` : 'All products'}</h1>
        <p class="muted" id="result-count">${found.length} product${found.length === 1 ? '' : 's'}</p>
        <div class="grid">${found.map(card).join('') || '<p>Nothing found. Try “lamp”.</p>'}</div>`;
    },

    product: (id) => {
      const p = byId(id);
      if (!p) return '<h1>Not found</h1><p><a href="#/">Back to the shop</a></p>';
      return `
        <article class="product">
          <div class="frame">${art(p)}</div>
          <div>
            <p class="crumbs"><a href="#/">Home</a> / ${esc(p.name)}</p>
            <h1>${esc(p.name)}</h1>
            <p class="big-price">${money.format(p.price)}</p>
            <p>${esc(p.blurb)}</p>
            <form class="buy" id="buy-form">
              <label>Quantity <input id="quantity" type="number" min="1" max="9" value="1"></label>
              <button type="submit" id="add-to-cart">Add to cart</button>
            </form>
            <p class="note" id="added" hidden>Added. <a href="#/cart">Go to cart →</a></p>
          </div>
        </article>`;
    },

    cart: () => {
      if (!cart.length) return '<h1>Your cart</h1><p class="muted">Empty for now. <a href="#/">Find something nice</a>.</p>';
      const hasOffer = !cart.some((l) => l.productId === UPSELL.productId);
      const offer = byId(UPSELL.productId);
      return `
        <h1>Your cart</h1>
        <table class="lines">
          ${cart.map((l) => `<tr><td>${esc(byId(l.productId).name)}${l.upsell ? ' <span class="tag">offer</span>' : ''}</td><td>× ${l.quantity}</td><td class="num">${money.format(l.price * l.quantity)}</td></tr>`).join('')}
          <tr class="sum"><td>Total</td><td></td><td class="num" id="cart-total">${money.format(total())}</td></tr>
        </table>
        ${hasOffer ? `
        <aside class="offer">
          ${art(offer)}
          <div><strong>Make it glow:</strong> add an ${esc(offer.name)} for ${money.format(UPSELL.price)} instead of ${money.format(offer.price)}.</div>
          <button type="button" id="upsell-accept">Add offer</button>
        </aside>` : ''}
        <p class="row end"><a class="button" id="to-checkout" href="#/checkout">Checkout</a></p>`;
    },

    checkout: () => {
      if (!cart.length) return '<h1>Checkout</h1><p class="muted">Your cart is empty. <a href="#/">Back to the shop</a>.</p>';
      const me = JSON.parse(localStorage.getItem('shop.me') || '{}');
      return `
        <h1>Checkout</h1>
        <form class="checkout" id="checkout-form">
          <label>Name <input name="name" required value="${esc(me.name || '')}"></label>
          <label>Email <input name="email" type="email" required value="${esc(me.email || '')}"></label>
          <label>Address <input name="address" required value="Storgata 1, Oslo"></label>
          <p>Total: <strong>${money.format(total())}</strong> for ${cart.reduce((n, l) => n + l.quantity, 0)} items</p>
          <button type="submit" id="place-order">Place order</button>
        </form>`;
    },
  };

  // Route → [page path for the tracker, html].
  const route = () => {
    const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'product') return [`/product/${parts[1]}`, views.product(parts[1])];
    if (parts[0] === 'search') return ['/search', views.search(new URLSearchParams(query).get('q') || '')];
    if (parts[0] === 'cart') return ['/cart', views.cart()];
    if (parts[0] === 'checkout') return ['/checkout', views.checkout()];
    return ['/home', views.home()];
  };

  const render = (newPage = true) => {
    const [page, html] = route();
    app.innerHTML = html;
    if (newPage) {
      tracker.page(page);
      window.scrollTo(0, 0);
    }
  };

  // Event delegation: the views are re-rendered as HTML strings.
  app.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    if (form.id === 'buy-form') {
      const p = byId(location.hash.split('/')[2]);
      const quantity = Math.max(1, Math.min(9, Number($('#quantity').value) || 1));
      const line = cart.find((l) => l.productId === p.id && !l.upsell);
      if (line) line.quantity += quantity; else cart.push({ productId: p.id, price: p.price, quantity });
      saveCart();
      tracker.track('add_to_cart', { productId: p.id, name: p.name, price: p.price, quantity, currency: CURRENCY });
      $('#added').hidden = false;
    } else if (form.id === 'checkout-form') {
      const data = Object.fromEntries(new FormData(form));
      const order = {
        orderTotal: total(),
        items: cart.map((l) => ({ productId: l.productId, quantity: l.quantity, price: l.price })),
        currency: CURRENCY,
      };
      tracker.track('checkout', order);
      cart = [];
      saveCart();
      app.innerHTML = `
        <section class="thanks" id="thanks">
          <h1>Thank you, ${esc(data.name)}!</h1>
          <p>Your order of ${money.format(order.orderTotal)} is on its way. The checkout event is in the queue below.</p>
          <a class="button" href="#/">Keep shopping</a>
        </section>`;
    }
  });

  app.addEventListener('click', (event) => {
    if (event.target.id !== 'upsell-accept') return;
    cart.push({ productId: UPSELL.productId, price: UPSELL.price, quantity: 1, upsell: true });
    saveCart();
    tracker.track('upsell', { ...UPSELL, accepted: true, currency: CURRENCY });
    render(false);
  });

  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = $('#search-input').value.trim();
    tracker.track('search', { page: '/search', query });
    const target = `#/search?q=${encodeURIComponent(query)}`;
    if (location.hash === target) render(); else location.hash = target;
  });

  // "Who are you": identify the visitor.
  const who = $('#who');
  const showMe = () => {
    const me = JSON.parse(localStorage.getItem('shop.me') || '{}');
    $('#who-open').textContent = me.name ? `Hi, ${me.name.split(' ')[0]}` : 'Who are you?';
  };
  $('#who-open').addEventListener('click', () => {
    const me = JSON.parse(localStorage.getItem('shop.me') || '{}');
    $('#who-name').value = me.name || '';
    $('#who-email').value = me.email || '';
    $('#who-country').value = me.country || '';
    who.showModal();
  });
  $('#who-cancel').addEventListener('click', () => who.close());
  $('#who-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const me = {
      name: $('#who-name').value.trim(),
      email: $('#who-email').value.trim(),
      country: $('#who-country').value,
      language: navigator.language,
    };
    localStorage.setItem('shop.me', JSON.stringify(me));
    tracker.identify(me);
    who.close();
    showMe();
  });

  // Live status: what the tracker has queued and how its last request went.
  let last, lastAt = '';
  const status = () => {
    const result = tracker.last;
    if (result !== last) {
      last = result;
      lastAt = new Date().toLocaleTimeString();
    }
    let text = `${tracker.queued} event${tracker.queued === 1 ? '' : 's'} queued`;
    let state = 'idle';
    if (!result) text += ' · nothing sent yet';
    else if (!result.status || result.error || result.status >= 300) {
      state = 'bad';
      const what = result.status ? `HTTP ${result.status}` : 'network error';
      const next = result.status === 400 || result.status === 413 ? 'batch dropped' : 'will retry';
      text += ` · last flush ${lastAt}: ${what}, ${next}`;
    } else {
      state = 'ok';
      text += ` · last flush ${lastAt}: HTTP ${result.status}, ${result.accepted ?? 0} accepted, ${result.duplicates ?? 0} duplicates, ${result.rejected ?? 0} rejected`;
    }
    text += ` · visitor ${tracker.distinctId}`;
    $('#status-text').textContent = text;
    $('#status-dot').className = `dot ${state}`;
  };

  window.addEventListener('hashchange', () => render());
  saveCart();
  showMe();
  render();
  status();
  setInterval(status, 500);
})();
