// The customer's confirmation and tracking page: the order from GET /api/orders/{id}?key=...,
// then every change from /ws/orders/{id}, reconnecting by itself.

import { ApiError, api, errorMessage } from './api.js';
import { $, announce, h, pageData, replaceChildren, showMessage, telHref } from './dom.js';
import { addressLines, dateTime, fieldValue, money, statusLabel, time } from './format.js';
import { LiveSocket } from './live-socket.js';

const { order_id: orderId } = pageData();
const key = new URLSearchParams(location.search).get('key') ?? '';
const STEPS = ['pending', 'accepted', 'preparing', 'out_for_delivery', 'delivered'];
const STEP_LABELS = { ...Object.fromEntries(STEPS.map((s) => [s, statusLabel(s)])), pending: 'Order placed' };
const LIVE_TEXT = {
  connecting: 'Connecting for live updates…',
  connected: 'Live: this page updates by itself.',
  reconnecting: 'Reconnecting for live updates…',
  disconnected: 'Offline. Trying to reconnect…',
};

const els = {
  page: $('#tracking'),
  loadError: $('#load-error'),
  view: $('#order-view'),
  token: $('#token'),
  store: $('#store'),
  live: $('#live-state'),
  steps: $('#steps'),
  payHow: $('#pay-how'),
  payStatus: $('#pay-status'),
  items: $('#items'),
  total: $('#total'),
  address: $('#address'),
  contact: $('#contact'),
  link: $('#keep-link'),
  copy: $('#copy-link'),
  copyStatus: $('#copy-status'),
};
let current = null;

/** Each step with its state: done (with its time), current, skipped or upcoming. */
export function stepsOf(order) {
  const reached = new Map(order.history.map((entry) => [entry.status, entry]));
  let sequence = STEPS;
  if (order.status === 'rejected') sequence = ['pending', 'rejected'];
  if (order.status === 'cancelled') sequence = [...new Set([...order.history.map((e) => e.status), 'cancelled'])];
  const currentIndex = sequence.indexOf(order.status);
  return sequence.map((status, index) => {
    const entry = reached.get(status) ?? null;
    let stepState = 'upcoming';
    if (status === order.status) stepState = 'current';
    else if (entry) stepState = 'done';
    else if (index < currentIndex) stepState = 'skipped';
    return { status, entry, state: stepState };
  });
}

function renderSteps(order) {
  replaceChildren(els.steps, stepsOf(order).map((step) => h('li', {
    class: `step step-${step.state} step-${step.status}`,
    'aria-current': step.state === 'current' ? 'step' : null,
  },
  h('span', { class: 'step-marker', 'aria-hidden': 'true' }),
  h('span', { class: 'step-label' }, STEP_LABELS[step.status] ?? statusLabel(step.status)),
  step.entry ? h('time', { class: 'step-time', datetime: step.entry.at }, dateTime(step.entry.at)) : null,
  step.state === 'skipped' ? h('span', { class: 'step-note' }, 'skipped') : null,
  step.state === 'upcoming' ? h('span', { class: 'visually-hidden' }, ' (not yet)') : null,
  step.entry?.reason ? h('span', { class: 'step-reason' }, `Reason: ${step.entry.reason}`) : null)));
}

function renderPayment(order) {
  const amount = money(order.payment_instructions.amount_cents, order.currency);
  if (order.payment_instructions.method === 'zelle') {
    replaceChildren(els.payHow, 'Pay ', h('strong', null, amount), ' with Zelle to ',
      h('strong', { class: 'zelle-handle' }, order.payment_instructions.zelle_handle ?? ''), '.');
  } else {
    replaceChildren(els.payHow, 'Pay ', h('strong', null, amount), ' in cash when your order arrives.');
  }
  els.payStatus.textContent = order.payment_status === 'received'
    ? `Payment received${order.payment_received_at ? ` at ${time(order.payment_received_at)}` : ''}. Thank you!`
    : 'Not paid yet.';
}

function render(order) {
  const previous = current;
  current = order;
  document.title = `Order ${order.token_number} · ${statusLabel(order.status)} · Santhai`;
  els.token.textContent = order.token_number;
  els.store.textContent = `from ${order.seller.business_name}`;
  renderSteps(order);
  renderPayment(order);
  replaceChildren(els.items, order.items.map((item) => h('li', null,
    h('div', { class: 'item-line' },
      h('span', { class: 'item-qty' }, `${item.quantity} ×`),
      h('span', { class: 'item-name' }, item.name),
      h('span', { class: 'item-total' }, money(item.line_total_cents, order.currency))),
    item.custom_fields.length ? h('ul', { class: 'item-fields' }, item.custom_fields.map((field) => h('li', null,
      `${field.label}: `, h('span', { class: 'field-value' }, fieldValue(field.value))))) : null)));
  els.total.textContent = money(order.total_cents, order.currency);
  replaceChildren(els.address, addressLines(order.delivery_address).map((line) => h('span', { class: 'address-line' }, line)),
    order.delivery_address.instructions ? h('span', { class: 'instructions' }, `Note: ${order.delivery_address.instructions}`) : null);
  replaceChildren(els.contact, order.seller.business_name,
    order.seller.phone ? [': call ', h('a', { href: telHref(order.seller.phone) }, order.seller.phone)] : '');
  els.view.hidden = false;
  els.page.setAttribute('aria-busy', 'false');
  if (previous && previous.status !== order.status) announce(`Your order is now ${statusLabel(order.status)}.`);
}

function apply(order) {
  if (!order || (current && current.version > order.version)) return;
  render(order);
}

function showLive(state, info) {
  if (state === 'stopped') {
    els.live.textContent = info.reason === 'not_found' ? 'This order could not be found for live updates.' : '';
    return;
  }
  els.live.textContent = LIVE_TEXT[state] ?? '';
  els.live.dataset.state = state;
}

function setUpLink() {
  els.link.value = location.href;
  els.copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
    } catch {
      els.link.select();
      document.execCommand?.('copy');
    }
    els.copyStatus.textContent = 'Link copied.';
  });
}

async function start() {
  setUpLink();
  try {
    const { data } = await api('GET', `/api/orders/${encodeURIComponent(orderId)}?key=${encodeURIComponent(key)}`);
    apply(data);
  } catch (error) {
    els.page.setAttribute('aria-busy', 'false');
    const notFound = error instanceof ApiError && error.status === 404;
    showMessage(els.loadError, notFound
      ? 'We could not find this order. Check that you opened the full link you were given.'
      : `Could not load your order: ${errorMessage(error)} Reload the page to try again.`);
    if (notFound) return;
  }
  const socket = new LiveSocket({
    path: `/ws/orders/${encodeURIComponent(orderId)}`,
    subscribe: () => ({ type: 'subscribe', key }),
    onMessage: (message) => {
      if (message.type === 'subscribed' || message.type === 'order.updated') apply(message.order);
    },
    onState: showLive,
  });
  socket.start();
  window.addEventListener('pagehide', () => socket.stop('page closed'));
  window.addEventListener('pageshow', (event) => { if (event.persisted) socket.start(); });
}

start();
