// An order drawn as a restaurant-style card or as a compact table row. Text only: every value
// comes from the API and goes into text nodes.

import { h, telHref } from './dom.js';
import {
  PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, addressLines, age, dateTime, fieldValue, minutesSince, money,
  statusLabel, time,
} from './format.js';

export const OVERDUE_MINUTES = 5;

export function isOverdue(order, now = Date.now()) {
  return order.status === 'pending' && minutesSince(order.created_at, now) >= OVERDUE_MINUTES;
}

function statusBadge(order) {
  return h('span', { class: `badge status status-${order.status}` }, statusLabel(order.status));
}

function paymentBadge(order) {
  return h('span', { class: `badge payment payment-${order.payment_status}` }, PAYMENT_STATUS_LABELS[order.payment_status]);
}

function itemList(order) {
  return h('ul', { class: 'card-items' }, order.items.map((item) => h('li', { class: 'card-item' },
    h('div', { class: 'item-line' },
      h('span', { class: 'item-qty' }, `${item.quantity} ×`),
      h('span', { class: 'item-name' }, item.name),
      h('span', { class: 'item-total' }, money(item.line_total_cents, order.currency))),
    item.custom_fields.length ? h('ul', { class: 'item-fields' }, item.custom_fields.map((field) => h('li', null,
      h('span', { class: 'field-label' }, `${field.label}:`), ' ',
      h('span', { class: 'field-value' }, fieldValue(field.value))))) : null)));
}

function addressBlock(order) {
  const address = order.delivery_address;
  return h('address', { class: 'card-address' },
    addressLines(address).map((line) => h('span', { class: 'address-line' }, line)),
    address.instructions ? h('span', { class: 'instructions' }, h('strong', null, 'Note: '), address.instructions) : null);
}

function ageLabel(order, now) {
  return h('span', { class: 'age', dataset: { createdAt: order.created_at } }, age(order.created_at, now));
}

export function historyList(order) {
  return h('ol', { class: 'history' }, order.history.map((entry) => h('li', null,
    h('span', { class: 'history-status' }, statusLabel(entry.status)), ' ',
    h('time', { datetime: entry.at }, dateTime(entry.at)),
    entry.reason ? h('span', { class: 'history-reason' }, ` — ${entry.reason}`) : null)));
}

/** The full card. `actions` is an OrderActions; `history` adds the status history. */
export function orderCard(order, { actions, now = Date.now(), history = false } = {}) {
  const tokenId = `card-token-${order.id}`;
  return h('article', {
    class: `order-card status-${order.status}${isOverdue(order, now) ? ' overdue' : ''}`,
    'aria-labelledby': tokenId,
    dataset: { orderId: order.id, createdAt: order.created_at, status: order.status, version: order.version },
  },
  h('header', { class: 'card-head' },
    h('h3', { class: 'token', id: tokenId }, order.token_number),
    statusBadge(order),
    h('p', { class: 'card-time' }, h('time', { datetime: order.created_at }, time(order.created_at)), ' · ', ageLabel(order, now)),
    h('p', { class: 'overdue-note' }, 'Waiting for you for over 5 minutes')),
  h('div', { class: 'card-customer' },
    h('p', { class: 'customer-name' }, order.customer.name),
    h('p', null, h('a', { class: 'customer-phone', href: telHref(order.customer.phone) }, order.customer.phone))),
  addressBlock(order),
  itemList(order),
  h('div', { class: 'card-payment' },
    h('span', { class: 'payment-method' }, PAYMENT_METHOD_LABELS[order.payment_method]), ' ', paymentBadge(order)),
  h('p', { class: 'card-total' }, 'Total ', h('strong', { class: 'total' }, money(order.total_cents, order.currency))),
  history ? h('section', { class: 'card-history' }, h('h4', null, 'History'), historyList(order)) : null,
  actions ? actions.render(order) : null);
}

function itemSummary(order) {
  return order.items.map((item) => {
    const fields = item.custom_fields.map((field) => `${field.label}: ${fieldValue(field.value)}`).join(', ');
    return `${item.quantity} × ${item.name}${fields ? ` (${fields})` : ''}`;
  }).join('; ');
}

/** The compact row of List View and the regular order list. */
export function orderRow(order, { actions, now = Date.now(), onDetails = null } = {}) {
  return h('tr', {
    class: `order-row status-${order.status}${isOverdue(order, now) ? ' overdue' : ''}`,
    dataset: { orderId: order.id, createdAt: order.created_at, status: order.status, version: order.version },
  },
  h('th', { scope: 'row', class: 'token' },
    onDetails ? h('button', { type: 'button', class: 'button-link', onclick: () => onDetails(order.id), dataset: { focusKey: `${order.id}:details` } }, order.token_number) : order.token_number),
  h('td', { class: 'row-time' }, h('time', { datetime: order.created_at }, time(order.created_at)), h('br'), ageLabel(order, now)),
  h('td', { class: 'row-customer' },
    h('span', { class: 'customer-name' }, order.customer.name), h('br'),
    h('a', { class: 'customer-phone', href: telHref(order.customer.phone) }, order.customer.phone)),
  h('td', { class: 'row-items' }, itemSummary(order)),
  h('td', { class: 'row-total total' }, money(order.total_cents, order.currency)),
  h('td', { class: 'row-payment' }, h('span', { class: 'payment-method' }, PAYMENT_METHOD_LABELS[order.payment_method]), h('br'), paymentBadge(order)),
  h('td', { class: 'row-status' }, statusBadge(order)),
  h('td', { class: 'row-actions' }, actions ? actions.render(order) : null));
}

/** Replace `oldEl` by `newEl`, keeping keyboard focus on the matching control. */
export function swapElement(oldEl, newEl, focusKey = null) {
  const focused = oldEl.contains(document.activeElement) ? document.activeElement?.dataset?.focusKey : null;
  oldEl.replaceWith(newEl);
  const key = focusKey ?? focused;
  if (key) {
    // The control may be gone (an action moved the order on): keep focus in the same order.
    const target = newEl.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)
      ?? newEl.querySelector('[data-focus-key]:not([disabled])');
    target?.focus();
  }
}

/** Refresh every "N min ago" label and the overdue highlight without redrawing. */
export function refreshAges(root, now = Date.now()) {
  for (const label of root.querySelectorAll('.age[data-created-at]')) {
    label.textContent = age(label.dataset.createdAt, now);
  }
  for (const el of root.querySelectorAll('[data-order-id][data-status]')) {
    const overdue = el.dataset.status === 'pending' && minutesSince(el.dataset.createdAt, now) >= OVERDUE_MINUTES;
    el.classList.toggle('overdue', overdue);
  }
}
