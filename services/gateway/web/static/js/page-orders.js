// The regular order list: filter by status, pages by cursor, details, and the same actions as
// the dashboard. Plain HTTP only, so it works with no WebSocket at all.

import { errorMessage, sellerApi } from './api.js';
import { $, replaceChildren, showMessage } from './dom.js';
import { notifier, setUpSellerNav } from './nav.js';
import { OrderActions } from './order-actions.js';
import { orderCard, orderRow, refreshAges, swapElement } from './order-view.js';

const PAGE_SIZE = 25;
const els = {
  filter: $('#status-filter'),
  body: $('#orders-body'),
  table: $('#orders-table'),
  none: $('#no-orders'),
  newer: $('#newer'),
  older: $('#older'),
  pageLabel: $('#page-label'),
  loadError: $('#load-error'),
  detail: $('#detail'),
  detailBody: $('#detail-body'),
  detailHeading: $('#detail-heading'),
};
const notify = notifier($('#notice'));
const state = {
  orders: new Map(),
  status: new URLSearchParams(location.search).get('status') ?? '',
  cursors: [null], // the cursor of each page seen so far; the last one is the current page
  nextCursor: null,
  detailId: null,
};

const actions = new OrderActions({
  onOrder: (order) => {
    const known = state.orders.get(order.id);
    if (!known || known.version < order.version) state.orders.set(order.id, order);
  },
  rerender: (orderId, focusKey) => redraw(orderId, focusKey),
  notify,
});
actions.lookup = (orderId) => state.orders.get(orderId);

function redraw(orderId, focusKey = null) {
  const order = state.orders.get(orderId);
  if (!order) return;
  const row = els.body.querySelector(`[data-order-id="${CSS.escape(orderId)}"]`);
  if (row) swapElement(row, orderRow(order, { actions, onDetails: showDetail }), focusKey);
  if (state.detailId === orderId) {
    const card = els.detailBody.firstElementChild;
    const fresh = orderCard(order, { actions, history: true });
    if (card) swapElement(card, fresh, focusKey);
    else els.detailBody.append(fresh);
  }
}

function showDetail(orderId) {
  const order = state.orders.get(orderId);
  if (!order) return;
  state.detailId = orderId;
  els.detailHeading.textContent = `Order ${order.token_number}`;
  replaceChildren(els.detailBody, orderCard(order, { actions, history: true }));
  els.detail.hidden = false;
  els.detail.focus();
}

function closeDetail() {
  const id = state.detailId;
  state.detailId = null;
  els.detail.hidden = true;
  if (id) els.body.querySelector(`[data-focus-key="${CSS.escape(`${id}:details`)}"]`)?.focus();
}

async function loadPage() {
  const cursor = state.cursors[state.cursors.length - 1];
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.status) query.set('status', state.status);
  if (cursor) query.set('cursor', cursor);
  els.table.setAttribute('aria-busy', 'true');
  try {
    const { data } = await sellerApi('GET', `/api/seller/orders?${query}`);
    showMessage(els.loadError, '');
    state.orders = new Map(data.orders.map((order) => [order.id, order]));
    state.nextCursor = data.next_cursor;
    replaceChildren(els.body, data.orders.map((order) => orderRow(order, { actions, onDetails: showDetail })));
    els.none.hidden = data.orders.length > 0;
    els.newer.disabled = state.cursors.length <= 1;
    els.older.disabled = !data.next_cursor;
    els.pageLabel.textContent = `Page ${state.cursors.length}`;
    if (state.detailId && !state.orders.has(state.detailId)) closeDetail();
    else if (state.detailId) redraw(state.detailId);
  } catch (error) {
    showMessage(els.loadError, `Could not load orders: ${errorMessage(error)}`);
  } finally {
    els.table.setAttribute('aria-busy', 'false');
  }
}

function setFilter(status) {
  state.status = status;
  state.cursors = [null];
  const url = new URL(location.href);
  if (status) url.searchParams.set('status', status);
  else url.searchParams.delete('status');
  history.replaceState(null, '', url);
  loadPage();
}

els.filter.value = state.status;
els.filter.addEventListener('change', () => setFilter(els.filter.value));
$('#refresh').addEventListener('click', loadPage);
els.older.addEventListener('click', () => {
  if (!state.nextCursor) return;
  state.cursors.push(state.nextCursor);
  loadPage();
});
els.newer.addEventListener('click', () => {
  if (state.cursors.length <= 1) return;
  state.cursors.pop();
  loadPage();
});
$('#close-detail').addEventListener('click', closeDetail);

setUpSellerNav();
loadPage();
setInterval(() => refreshAges(document.body), 30000);
