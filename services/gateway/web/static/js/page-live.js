// The Real-Time Orders Dashboard: the order list from GET /api/seller/orders, kept current by
// /ws/seller events applied in `seq` order; the last applied `seq` survives reloads.

import { ApiError, errorMessage, sellerApi } from './api.js';
import { OrderAlerts } from './alerts.js';
import { $, announce, h, pageData, showMessage } from './dom.js';
import { clock, money } from './format.js';
import { LiveSocket } from './live-socket.js';
import { setUpSellerNav, notifier } from './nav.js';
import { OrderActions, isFinal } from './order-actions.js';
import { orderCard, orderRow, refreshAges, swapElement } from './order-view.js';
import * as storage from './storage.js';

const LIST_LIMIT = 200;
const MAX_REPLAY = 1000; // the contract's replay reaches back at least this far
const AGE_REFRESH_MS = 15000;
const CONNECTION_LABELS = {
  connecting: 'Connecting',
  connected: 'WebSocket Connected',
  reconnecting: 'Reconnecting',
  disconnected: 'Disconnected',
  stopped: 'Disconnected',
};

const { seller_id: sellerId } = pageData();
const keys = {
  lastSeq: `santhai.lastSeq.${sellerId}`,
  view: 'santhai.dashboard.view',
  hideCompleted: 'santhai.dashboard.hideCompleted',
};
const els = {
  orders: $('#orders'),
  noOrders: $('#no-orders'),
  count: $('#order-count'),
  connection: $('#connection'),
  connectionLabel: $('#connection-label'),
  connectionDetail: $('#connection-detail'),
  disabled: $('#disabled-message'),
  auth: $('#auth-message'),
  loadError: $('#load-error'),
  viewCards: $('#view-cards'),
  viewList: $('#view-list'),
  hideCompleted: $('#hide-completed'),
};
const state = {
  orders: new Map(),
  lastSeq: 0,
  view: storage.load(keys.view, 'cards') === 'list' ? 'list' : 'cards',
  hideCompleted: storage.load(keys.hideCompleted, false) === true,
  reloading: false,
  buffered: [],
  lastSync: null,
};

const notify = notifier($('#notices'));
const alerts = new OrderAlerts({
  warning: $('#sound-warning'),
  testButton: $('#test-sound'),
  notifyButton: $('#enable-notifications'),
  baseTitle: document.title,
});
const actions = new OrderActions({
  onOrder: (order) => applyOrder(order),
  rerender: (orderId, focusKey) => renderOrder(orderId, focusKey),
  notify,
});
actions.lookup = (orderId) => state.orders.get(orderId);

const socket = new LiveSocket({
  path: '/ws/seller',
  subscribe: () => ({ type: 'subscribe', last_seq: state.lastSeq }),
  onMessage: handleMessage,
  onState: showConnection,
});

// --- events --------------------------------------------------------------------------

function handleMessage(message) {
  if (message.type === 'reset') {
    reloadList();
  } else if (message.type === 'order.created' || message.type === 'order.updated') {
    if (state.reloading) state.buffered.push(message);
    else applyEvent(message);
  }
}

function applyEvent(event) {
  if (!Number.isInteger(event.seq) || event.seq <= state.lastSeq) return; // already applied
  if (event.seq > state.lastSeq + 1) {
    // A gap: the server replays from our last_seq when we subscribe again.
    socket.reconnectNow();
    return;
  }
  setLastSeq(event.seq);
  const isNew = !state.orders.has(event.order.id);
  applyOrder(event.order);
  if (isNew && event.order.status === 'pending') {
    const order = event.order;
    alerts.newOrder(order);
    announce(`New order ${order.token_number} from ${order.customer.name}, ${money(order.total_cents, order.currency)}`);
  }
}

/** Keep the freshest copy of an order (events, action answers and 409s all arrive here). */
function applyOrder(order) {
  const known = state.orders.get(order.id);
  if (known && known.version >= order.version) return;
  state.orders.set(order.id, order);
  renderOrder(order.id);
  afterChange();
}

function setLastSeq(seq) {
  state.lastSeq = seq;
  storage.save(keys.lastSeq, seq);
}

// --- the list ------------------------------------------------------------------------

async function fetchList() {
  const { data } = await sellerApi('GET', `/api/seller/orders?limit=${LIST_LIMIT}`);
  return data;
}

function replaceOrders(list) {
  state.orders = new Map(list.orders.map((order) => [order.id, order]));
}

/** On `reset`: load the list again and continue from its head_seq, then apply what came meanwhile. */
async function reloadList() {
  if (state.reloading) return;
  state.reloading = true;
  state.buffered = [];
  try {
    const list = await fetchList();
    replaceOrders(list);
    setLastSeq(list.head_seq);
    showMessage(els.loadError, '');
  } catch (error) {
    showMessage(els.loadError, `Could not reload your orders: ${errorMessage(error)} Retrying…`);
    state.reloading = false;
    setTimeout(() => socket.reconnectNow(), 3000);
    return;
  }
  state.reloading = false;
  const buffered = state.buffered.sort((a, b) => a.seq - b.seq);
  state.buffered = [];
  renderAll();
  buffered.forEach(applyEvent);
  afterChange();
}

/** The `last_seq` to resume from: the stored one when it fits this list, else the list's own. */
function resumeFrom(headSeq) {
  const stored = storage.load(keys.lastSeq, null);
  if (Number.isInteger(stored) && stored >= 0 && stored <= headSeq && headSeq - stored <= MAX_REPLAY) {
    return stored;
  }
  return headSeq;
}

// --- drawing -------------------------------------------------------------------------

function sortedOrders() {
  return [...state.orders.values()]
    .filter((order) => !state.hideCompleted || !isFinal(order))
    .sort(newestFirst);
}

function newestFirst(a, b) {
  if (a.created_at !== b.created_at) return Date.parse(b.created_at) - Date.parse(a.created_at);
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function holder() {
  return state.view === 'cards' ? els.orders : els.orders.querySelector('tbody');
}

function draw(order) {
  return state.view === 'cards' ? orderCard(order, { actions }) : orderRow(order, { actions });
}

function renderAll() {
  const orders = sortedOrders();
  els.orders.className = state.view === 'cards' ? 'orders-cards' : 'orders-list';
  if (state.view === 'cards') {
    els.orders.replaceChildren(...orders.map(draw));
  } else {
    els.orders.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'orders-table' },
      h('caption', { class: 'visually-hidden' }, 'Orders'),
      h('thead', null, h('tr', null, ['Token', 'Placed', 'Customer', 'Items', 'Total', 'Payment', 'Status', 'Actions']
        .map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', null, orders.map(draw)))));
  }
  els.orders.setAttribute('aria-busy', 'false');
  els.viewCards.setAttribute('aria-pressed', String(state.view === 'cards'));
  els.viewList.setAttribute('aria-pressed', String(state.view === 'list'));
  afterChange();
}

function renderOrder(orderId, focusKey = null) {
  const container = holder();
  if (!container) return;
  const existing = container.querySelector(`:scope > [data-order-id="${CSS.escape(orderId)}"]`);
  const order = state.orders.get(orderId);
  if (!order || (state.hideCompleted && isFinal(order))) {
    existing?.remove();
    return;
  }
  const el = draw(order);
  if (existing) {
    swapElement(existing, el, focusKey);
    return;
  }
  const next = [...container.children].find((child) => {
    const other = state.orders.get(child.dataset.orderId);
    return other && newestFirst(order, other) < 0;
  });
  container.insertBefore(el, next ?? null);
}

function afterChange() {
  const all = [...state.orders.values()];
  const pending = all.filter((order) => order.status === 'pending');
  const active = all.filter((order) => !isFinal(order));
  els.count.textContent = `${pending.length} pending · ${active.length} active · ${all.length} shown`;
  els.noOrders.hidden = sortedOrders().length > 0;
  alerts.setPending(pending.map((order) => order.id));
}

function showConnection(connection, info) {
  if (info.lastFrameAt) state.lastSync = info.lastFrameAt;
  const shown = connection === 'stopped' ? 'disconnected' : connection;
  els.connection.dataset.state = shown;
  els.connectionLabel.textContent = CONNECTION_LABELS[connection];
  const sync = state.lastSync ? `Last sync ${clock(state.lastSync)}` : '';
  const retry = info.retryInMs !== undefined && connection !== 'connected'
    ? `Retrying in ${Math.max(1, Math.ceil(info.retryInMs / 1000))} s` : '';
  els.connectionDetail.textContent = [retry, sync].filter(Boolean).join(' · ');
  if (connection === 'stopped') {
    els.disabled.hidden = info.reason !== 'forbidden';
    els.auth.hidden = info.reason !== 'unauthorized';
  } else if (connection === 'connected') {
    els.disabled.hidden = true;
    els.auth.hidden = true;
  }
}

// --- controls ------------------------------------------------------------------------

function setView(view) {
  state.view = view;
  storage.save(keys.view, view);
  renderAll();
}

els.viewCards.addEventListener('click', () => setView('cards'));
els.viewList.addEventListener('click', () => setView('list'));
els.hideCompleted.checked = state.hideCompleted;
els.hideCompleted.addEventListener('change', () => {
  state.hideCompleted = els.hideCompleted.checked;
  storage.save(keys.hideCompleted, state.hideCompleted);
  renderAll();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && socket.state !== 'connected' && socket.state !== 'stopped') {
    socket.reconnectNow();
  }
});
window.addEventListener('pagehide', () => socket.stop('page closed'));
window.addEventListener('pageshow', (event) => {
  if (event.persisted) socket.start(); // back from the back-forward cache
});

// --- start ---------------------------------------------------------------------------

async function loadAndConnect() {
  let list;
  try {
    list = await fetchList();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    showMessage(els.loadError, `Could not load your orders: ${errorMessage(error)} Retrying…`);
    setTimeout(loadAndConnect, 3000);
    return;
  }
  showMessage(els.loadError, '');
  replaceOrders(list);
  setLastSeq(resumeFrom(list.head_seq));
  renderAll();
  socket.start();
}

setUpSellerNav();
alerts.start();
loadAndConnect();
setInterval(() => refreshAges(els.orders), AGE_REFRESH_MS);
