// Which actions an order allows right now, and carrying one out through the API. The same
// controller serves the Real-Time Orders Dashboard and the regular order list.

import { ApiError, errorMessage, sellerApi } from './api.js';
import { h } from './dom.js';

/** The contract's transitions: status → the statuses it may move to. */
export const NEXT_STATUSES = {
  pending: ['accepted', 'rejected'],
  accepted: ['preparing', 'out_for_delivery', 'delivered', 'cancelled'],
  preparing: ['out_for_delivery', 'delivered', 'cancelled'],
  out_for_delivery: ['delivered'],
};

const STATUS_ACTIONS = {
  accepted: { label: 'Accept Order', tone: 'primary' },
  rejected: { label: 'Reject', tone: 'danger', reason: 'required', confirm: 'Confirm reject' },
  preparing: { label: 'Preparing' },
  out_for_delivery: { label: 'Out for Delivery' },
  delivered: { label: 'Mark as Delivered', tone: 'primary' },
  cancelled: { label: 'Cancel Order', tone: 'danger', reason: 'optional', confirm: 'Confirm cancel' },
};
const PAYMENT_ACTION = { key: 'payment', kind: 'payment', label: 'Mark Payment Received', tone: 'money' };
const ORDERED_KEYS = ['accepted', 'rejected', 'preparing', 'out_for_delivery', 'delivered', 'payment', 'cancelled'];

export function paymentCanBeReceived(order) {
  return order.payment_status === 'pending' && order.status !== 'rejected' && order.status !== 'cancelled';
}

/** The actions valid for `order`, in the order they are shown. */
export function availableActions(order) {
  const actions = (NEXT_STATUSES[order.status] ?? []).map((status) => ({
    key: status, kind: 'status', status, ...STATUS_ACTIONS[status],
  }));
  if (paymentCanBeReceived(order)) actions.push(PAYMENT_ACTION);
  return actions.sort((a, b) => ORDERED_KEYS.indexOf(a.key) - ORDERED_KEYS.indexOf(b.key));
}

export function isFinal(order) {
  return !NEXT_STATUSES[order.status];
}

async function send(order, action, reason) {
  const base = `/api/seller/orders/${encodeURIComponent(order.id)}`;
  if (action.kind === 'payment') {
    return sellerApi('POST', `${base}/payment`, { body: { status: 'received', expected_version: order.version } });
  }
  const body = { status: action.status, expected_version: order.version };
  if (reason) body.reason = reason;
  return sellerApi('POST', `${base}/status`, { body });
}

/**
 * The action bar of an order, with its in-flight and "reason" states kept across re-renders.
 * `onOrder(order)` receives every fresher copy of an order (a success or a 409's current order);
 * `rerender(orderId)` redraws that order; `notify(text, tone)` shows a short notice.
 */
export class OrderActions {
  constructor({ onOrder, rerender, notify }) {
    this.onOrder = onOrder;
    this.rerender = rerender;
    this.notify = notify;
    this.busy = new Set();
    this.reasonFor = new Map(); // order id → action key whose reason form is open
    this.reasonDraft = new Map();
  }

  render(order) {
    const actions = availableActions(order);
    const openKey = this.reasonFor.get(order.id);
    const open = actions.find((action) => action.key === openKey);
    if (openKey && !open) this.reasonFor.delete(order.id);
    const bar = h('div', { class: 'actions', 'aria-busy': this.busy.has(order.id) ? 'true' : null });
    if (open) {
      bar.append(this.reasonForm(order, open));
      return bar;
    }
    for (const action of actions) {
      bar.append(h('button', {
        type: 'button',
        class: `button action action-${action.key} ${action.tone ? `button-${action.tone}` : ''}`,
        dataset: { action: action.key, focusKey: `${order.id}:${action.key}` },
        // aria-disabled, not disabled: the button keeps keyboard focus while the request runs.
        'aria-disabled': this.busy.has(order.id) ? 'true' : null,
        onclick: () => this.choose(order.id, action),
      }, action.label));
    }
    return bar;
  }

  reasonForm(order, action) {
    const inputId = `reason-${order.id}-${action.key}`;
    const input = h('input', {
      id: inputId, type: 'text', maxlength: 500, required: action.reason === 'required',
      value: this.reasonDraft.get(order.id) ?? '',
      dataset: { focusKey: `${order.id}:reason` },
      oninput: (event) => this.reasonDraft.set(order.id, event.target.value),
    });
    const error = h('p', { class: 'field-error', id: `${inputId}-error`, hidden: true });
    input.setAttribute('aria-describedby', error.id);
    const submit = (event) => {
      event.preventDefault();
      const reason = input.value.trim();
      if (action.reason === 'required' && !reason) {
        error.textContent = 'Please give a reason; the customer sees it.';
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      this.run(order.id, action, reason);
    };
    const label = action.key === 'rejected' ? 'Reason for rejecting' : 'Reason for cancelling (optional)';
    return h('form', { class: 'reason-form', onsubmit: submit, novalidate: true },
      h('label', { for: inputId }, label),
      input,
      error,
      h('div', { class: 'button-row' },
        h('button', {
          type: 'submit', class: 'button button-danger', 'aria-disabled': this.busy.has(order.id) ? 'true' : null,
          dataset: { focusKey: `${order.id}:confirm` },
        }, action.confirm),
        h('button', {
          type: 'button', class: 'button',
          onclick: () => { this.reasonFor.delete(order.id); this.rerender(order.id, `${order.id}:${action.key}`); },
        }, 'Back')));
  }

  choose(orderId, action) {
    if (this.busy.has(orderId)) return;
    if (action.reason) {
      this.reasonFor.set(orderId, action.key);
      this.rerender(orderId, `${orderId}:reason`);
      return;
    }
    this.run(orderId, action, null);
  }

  async run(orderId, action, reason) {
    if (this.busy.has(orderId)) return;
    const order = this.current(orderId);
    if (!order) return;
    this.busy.add(orderId);
    this.rerender(orderId);
    try {
      const { data } = await send(order, action, reason);
      this.reasonFor.delete(orderId);
      this.reasonDraft.delete(orderId);
      this.onOrder(data);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.body?.order) {
        this.reasonFor.delete(orderId);
        this.onOrder(error.body.order);
        this.notify(`Order ${order.token_number} was already changed on another device; it now shows its current state.`, 'warning');
      } else {
        this.notify(`Could not update order ${order.token_number}: ${errorMessage(error)}`, 'error');
      }
    } finally {
      this.busy.delete(orderId);
      this.rerender(orderId);
    }
  }

  /** Set by the owner: the freshest copy of an order it holds. */
  current(orderId) {
    return this.lookup?.(orderId) ?? null;
  }
}
