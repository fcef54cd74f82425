// The storefront a QR code opens: menu, custom fields, a cart kept across reloads, and an
// idempotent checkout (one Idempotency-Key per attempt, reused for retries of that attempt).

import { ApiError, NetworkError, api, errorMessage, randomKey, validationErrors } from './api.js';
import { fieldControl, readControls, valuesProblems } from './custom-fields.js';
import { $, announce, h, pageData, replaceChildren, showMessage, telHref } from './dom.js';
import { PAYMENT_METHOD_LABELS, money } from './format.js';
import * as storage from './storage.js';

const { slug } = pageData();
const keys = { cart: `santhai.cart.${slug}`, attempt: `santhai.checkout.${slug}`, recent: `santhai.orders.${slug}` };
const RETRY_DELAYS_MS = [500, 1500, 3000];
const MAX_RECENT = 5;
const FIELD_IDS = {
  'customer.name': 'customer-name',
  'customer.phone': 'customer-phone',
  'delivery_address.line1': 'address-line1',
  'delivery_address.line2': 'address-line2',
  'delivery_address.city': 'address-city',
  'delivery_address.postal_code': 'address-postal-code',
  'delivery_address.instructions': 'address-instructions',
};

const els = {
  shop: $('#shop'),
  name: $('#store-name'),
  contact: $('#store-contact'),
  loadError: $('#load-error'),
  closed: $('#closed-banner'),
  products: $('#products'),
  cart: $('#cart'),
  cartLines: $('#cart-lines'),
  cartEmpty: $('#cart-empty'),
  cartError: $('#cart-error'),
  cartTotalRow: $('#cart-total-row'),
  cartTotal: $('#cart-total'),
  cartBar: $('#cart-bar'),
  cartBarCount: $('#cart-bar-count'),
  cartBarTotal: $('#cart-bar-total'),
  form: $('#checkout-form'),
  formError: $('#form-error'),
  payment: $('#payment-options'),
  paymentError: $('#payment-error'),
  zelle: $('#zelle-info'),
  checkoutTotal: $('#checkout-total'),
  submit: $('#place-order'),
  submitStatus: $('#submit-status'),
  recent: $('#recent-orders'),
  recentList: $('#recent-list'),
  dialog: $('#options-dialog'),
  dialogForm: $('#options-form'),
  dialogTitle: $('#options-title'),
  dialogPrice: $('#options-price'),
  dialogFields: $('#options-fields'),
  dialogQuantity: $('#options-quantity'),
  dialogQuantityError: $('#options-quantity-error'),
};

const state = {
  seller: null,
  products: new Map(),
  cart: loadCart(),
  lineControls: new Map(), // line id → custom-field controls
  dialogProduct: null,
  dialogControls: [],
  submitting: false,
  cartInView: false,
};

// --- the cart ------------------------------------------------------------------------

function loadCart() {
  const cart = storage.load(keys.cart, null);
  const lines = Array.isArray(cart?.lines) ? cart.lines : [];
  return {
    lines: lines.filter((line) => typeof line?.product_id === 'string' && Number.isInteger(line.quantity))
      .map((line) => ({ id: String(line.id ?? randomKey().slice(0, 8)), product_id: line.product_id,
        quantity: clampQuantity(line.quantity), custom_fields: line.custom_fields ?? {} })),
  };
}

function saveCart() {
  storage.save(keys.cart, state.cart);
  refreshTotals();
}

function clampQuantity(quantity) {
  return Math.min(99, Math.max(1, Math.trunc(Number(quantity)) || 1));
}

function sameChoices(a, b) {
  const canonical = (values) => JSON.stringify(Object.keys(values).sort().map((key) => [key, values[key]]));
  return canonical(a) === canonical(b);
}

function addToCart(product, quantity, customFields) {
  const existing = state.cart.lines.find((line) => line.product_id === product.id && sameChoices(line.custom_fields, customFields));
  if (existing) existing.quantity = clampQuantity(existing.quantity + quantity);
  else state.cart.lines.push({ id: randomKey().slice(0, 8), product_id: product.id, quantity, custom_fields: customFields });
  saveCart();
  renderCart();
  announce(`Added ${quantity} × ${product.name} to your cart.`);
}

function removeLine(lineId) {
  const line = state.cart.lines.find((candidate) => candidate.id === lineId);
  state.cart.lines = state.cart.lines.filter((candidate) => candidate.id !== lineId);
  saveCart();
  renderCart();
  const product = line && state.products.get(line.product_id);
  announce(`Removed ${product?.name ?? 'the item'} from your cart.`);
  els.cart.focus();
}

function lineProblem(line) {
  const product = state.products.get(line.product_id);
  if (!product) return 'No longer on the menu. Remove it to check out.';
  if (!product.available) return 'Sold out. Remove it to check out.';
  return null;
}

function cartTotalCents() {
  return state.cart.lines.reduce((sum, line) => {
    const product = state.products.get(line.product_id);
    return product ? sum + product.price_cents * line.quantity : sum;
  }, 0);
}

function currency() {
  return state.seller?.currency ?? 'USD';
}

function renderCart() {
  state.lineControls.clear();
  replaceChildren(els.cartLines, state.cart.lines.map(cartLine));
  els.cartEmpty.hidden = state.cart.lines.length > 0;
  showMessage(els.cartError, '');
  refreshTotals();
}

function cartLine(line) {
  const product = state.products.get(line.product_id);
  const name = product?.name ?? 'Unavailable item';
  const quantityId = `qty-${line.id}`;
  const errorId = `line-${line.id}-error`;
  const quantity = h('input', {
    id: quantityId, type: 'number', min: 1, max: 99, step: 1, inputmode: 'numeric', value: line.quantity,
    class: 'qty-input', 'aria-describedby': errorId,
  });
  const setQuantity = (value) => {
    line.quantity = clampQuantity(value);
    quantity.value = line.quantity;
    saveCart();
  };
  quantity.addEventListener('change', () => setQuantity(quantity.value));
  const controls = (product?.custom_fields ?? []).map((field) => fieldControl(field, line.custom_fields[field.key], {
    onChange: (value) => {
      if (value === undefined) delete line.custom_fields[field.key];
      else line.custom_fields[field.key] = value;
      const problems = valuesProblems([field], line.custom_fields);
      controls.find((control) => control.field.key === field.key)?.showProblem(problems[field.key]);
      saveCart();
    },
  }));
  state.lineControls.set(line.id, controls);
  const problem = lineProblem(line);
  return h('li', { class: 'cart-line', dataset: { lineId: line.id } },
    h('div', { class: 'line-head' },
      h('span', { class: 'line-name' }, name),
      h('span', { class: 'line-total', dataset: { lineTotal: line.id } },
        product ? money(product.price_cents * line.quantity, currency()) : '')),
    h('div', { class: 'qty-row' },
      h('button', { type: 'button', class: 'button qty-button', 'aria-label': `Decrease quantity of ${name}`,
        onclick: () => setQuantity(line.quantity - 1) }, '−'),
      h('label', { class: 'visually-hidden', for: quantityId }, `Quantity of ${name}`),
      quantity,
      h('button', { type: 'button', class: 'button qty-button', 'aria-label': `Increase quantity of ${name}`,
        onclick: () => setQuantity(line.quantity + 1) }, '+'),
      h('button', { type: 'button', class: 'button-link remove-line', 'aria-label': `Remove ${name} from cart`,
        onclick: () => removeLine(line.id) }, 'Remove')),
    controls.length ? h('div', { class: 'line-fields' }, controls.map((control) => control.element)) : null,
    h('p', { class: 'field-error line-error', id: errorId, hidden: !problem, role: problem ? 'alert' : null }, problem ?? ''));
}

function refreshTotals() {
  const total = money(cartTotalCents(), currency());
  for (const line of state.cart.lines) {
    const product = state.products.get(line.product_id);
    const cell = els.cartLines.querySelector(`[data-line-total="${CSS.escape(line.id)}"]`);
    if (cell && product) cell.textContent = money(product.price_cents * line.quantity, currency());
  }
  const count = state.cart.lines.reduce((sum, line) => sum + line.quantity, 0);
  els.cartTotal.textContent = total;
  els.checkoutTotal.textContent = total;
  els.cartTotalRow.hidden = count === 0;
  els.cartBar.hidden = count === 0 || state.cartInView;
  els.cartBarCount.textContent = `${count} item${count === 1 ? '' : 's'}`;
  els.cartBarTotal.textContent = total;
  showZelle();
}

// --- the menu ------------------------------------------------------------------------

/** Drop answers to custom fields a product no longer has (the server refuses unknown keys). */
function fitCartToMenu() {
  for (const line of state.cart.lines) {
    const product = state.products.get(line.product_id);
    if (!product) continue;
    const known = new Set(product.custom_fields.map((field) => field.key));
    line.custom_fields = Object.fromEntries(Object.entries(line.custom_fields).filter(([key]) => known.has(key)));
  }
  storage.save(keys.cart, state.cart);
}

function renderStore() {
  const seller = state.seller;
  fitCartToMenu();
  document.title = `${seller.business_name} · Santhai`;
  els.name.textContent = seller.business_name;
  replaceChildren(els.contact, seller.phone ? ['Call ', h('a', { href: telHref(seller.phone) }, seller.phone)] : []);
  els.closed.hidden = seller.accepting_orders;
  replaceChildren(els.products, [...state.products.values()].map(productItem));
  if (!state.products.size) els.products.append(h('li', { class: 'muted' }, 'Nothing on the menu yet.'));
  renderPaymentOptions();
  els.submit.disabled = !seller.accepting_orders;
  renderCart();
  renderRecent();
  els.shop.setAttribute('aria-busy', 'false');
}

function productItem(product) {
  const canAdd = product.available && state.seller.accepting_orders;
  const label = product.available ? 'Add' : 'Sold out';
  return h('li', { class: `product-card${product.available ? '' : ' sold-out'}`, dataset: { productId: product.id } },
    h('div', { class: 'product-info' },
      h('h3', { class: 'product-name' }, product.name),
      product.description ? h('p', { class: 'product-desc' }, product.description) : null,
      h('p', { class: 'product-meta' },
        h('span', { class: 'price' }, money(product.price_cents, currency())),
        product.available ? null : h('span', { class: 'badge badge-soldout' }, 'Sold out'),
        product.custom_fields.length ? h('span', { class: 'muted small' }, ' · options') : null)),
    h('button', {
      type: 'button', class: 'button button-primary add-button', disabled: !canAdd,
      'aria-label': product.available ? `Add ${product.name}` : `${product.name} is sold out`,
      onclick: () => chooseProduct(product),
    }, label));
}

function chooseProduct(product) {
  if (!product.custom_fields.length) {
    addToCart(product, 1, {});
    return;
  }
  state.dialogProduct = product;
  state.dialogControls = product.custom_fields.map((field) => fieldControl(field, undefined));
  els.dialogTitle.textContent = product.name;
  els.dialogPrice.textContent = money(product.price_cents, currency());
  replaceChildren(els.dialogFields, state.dialogControls.map((control) => control.element));
  els.dialogQuantity.value = '1';
  showMessage(els.dialogQuantityError, '');
  els.dialog.showModal();
  state.dialogControls[0]?.input.focus();
}

els.dialogForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const { values, firstBad } = readControls(state.dialogControls);
  const quantity = Number(els.dialogQuantity.value);
  const quantityOk = Number.isInteger(quantity) && quantity >= 1 && quantity <= 99;
  showMessage(els.dialogQuantityError, quantityOk ? '' : 'Enter a whole number from 1 to 99.');
  if (firstBad) {
    firstBad.input.focus();
    return;
  }
  if (!quantityOk) {
    els.dialogQuantity.focus();
    return;
  }
  els.dialog.close();
  addToCart(state.dialogProduct, quantity, values);
});
$('#options-cancel').addEventListener('click', () => els.dialog.close());

function renderRecent() {
  const recent = storage.load(keys.recent, []);
  els.recent.hidden = !recent.length;
  replaceChildren(els.recentList, recent.map((order) => h('li', null,
    h('a', { href: order.url }, `Order ${order.token}`), ' ', h('span', { class: 'muted' }, order.placed))));
}

function rememberOrder(order, url) {
  const recent = storage.load(keys.recent, []).filter((item) => item.url !== url);
  recent.unshift({ token: order.token_number, url, placed: new Date(order.created_at).toLocaleString('en-US') });
  storage.save(keys.recent, recent.slice(0, MAX_RECENT));
}

// --- checkout ------------------------------------------------------------------------

function renderPaymentOptions() {
  const methods = state.seller.payment_methods;
  replaceChildren(els.payment, methods.map((method) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'payment_method', value: method, checked: methods.length === 1,
      onchange: showZelle }),
    ' ', PAYMENT_METHOD_LABELS[method] ?? method)));
  showZelle();
}

function chosenPayment() {
  return els.payment.querySelector('input[name="payment_method"]:checked')?.value ?? null;
}

function showZelle() {
  const zelle = chosenPayment() === 'zelle' && state.seller;
  els.zelle.hidden = !zelle;
  if (zelle) {
    replaceChildren(els.zelle, 'Pay ', h('strong', null, money(cartTotalCents(), currency())),
      ' with Zelle to ', h('strong', { class: 'zelle-handle' }, state.seller.zelle_handle ?? ''),
      '. The seller confirms when it arrives.');
  }
}

function value(id) {
  return document.getElementById(id).value;
}

function checkoutBody() {
  return {
    customer: { name: value('customer-name'), phone: value('customer-phone') },
    delivery_address: {
      line1: value('address-line1'),
      line2: value('address-line2'),
      city: value('address-city'),
      postal_code: value('address-postal-code'),
      instructions: value('address-instructions'),
    },
    payment_method: chosenPayment(),
    items: state.cart.lines.map((line) => ({
      product_id: line.product_id, quantity: line.quantity, custom_fields: line.custom_fields,
    })),
  };
}

function clearErrors() {
  showMessage(els.formError, '');
  showMessage(els.cartError, '');
  showMessage(els.paymentError, '');
  for (const id of Object.values(FIELD_IDS)) showFieldError(id, null);
  for (const line of state.cart.lines) {
    const error = document.getElementById(`line-${line.id}-error`);
    if (error) showMessage(error, lineProblem(line));
  }
}

function showFieldError(id, message) {
  const input = document.getElementById(id);
  showMessage(document.getElementById(`${id}-error`), message);
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** Cart problems found before sending: sold-out lines, missing required fields. */
function cartProblems() {
  if (!state.cart.lines.length) return 'Your cart is empty. Add something from the menu first.';
  let bad = false;
  for (const line of state.cart.lines) {
    if (lineProblem(line)) bad = true;
    const controls = state.lineControls.get(line.id) ?? [];
    if (readControls(controls).firstBad) bad = true;
  }
  return bad ? 'Please fix the items marked in your cart.' : null;
}

/** Put the server's 422 messages beside the fields they concern; returns the first field shown. */
function showValidation(errors) {
  const general = [];
  let first = null;
  for (const { path, message } of errors) {
    const parts = path.split('.');
    if (FIELD_IDS[path]) {
      showFieldError(FIELD_IDS[path], message);
      first ??= document.getElementById(FIELD_IDS[path]);
    } else if (parts[0] === 'payment_method') {
      showMessage(els.paymentError, message);
      first ??= els.payment.querySelector('input');
    } else if (parts[0] === 'items' && parts.length > 1 && /^\d+$/.test(parts[1])) {
      const line = state.cart.lines[Number(parts[1])];
      const target = line && document.getElementById(`line-${line.id}-error`);
      if (target) {
        const fieldKey = parts[2] === 'custom_fields' ? parts[3] : null;
        const control = fieldKey && (state.lineControls.get(line.id) ?? []).find((c) => c.field.key === fieldKey);
        if (control) control.showProblem(message);
        else showMessage(target, message);
        first ??= control?.input ?? target;
      } else {
        general.push(message);
      }
    } else if (parts[0] === 'items') {
      showMessage(els.cartError, message);
      first ??= els.cart;
    } else {
      general.push(path ? `${path.replaceAll('_', ' ')}: ${message}` : message);
    }
  }
  if (general.length) showMessage(els.formError, general.join(' '));
  return first ?? (general.length ? els.formError : null);
}

/** The key of this attempt: the same as the last unfinished attempt when the body is the same. */
function attemptKey(bodyJson) {
  const previous = storage.load(keys.attempt, null);
  if (previous?.body === bodyJson && typeof previous.key === 'string') return previous.key;
  const key = randomKey();
  storage.save(keys.attempt, { key, body: bodyJson });
  return key;
}

async function postOrder(body, key) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api('POST', `/api/storefronts/${encodeURIComponent(slug)}/orders`, {
        body, headers: { 'Idempotency-Key': key },
      });
    } catch (error) {
      const retryable = error instanceof NetworkError || (error instanceof ApiError && [502, 503, 504].includes(error.status));
      if (!retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
      els.submitStatus.textContent = 'Still trying to reach the store…';
      await new Promise((resolve) => { setTimeout(resolve, RETRY_DELAYS_MS[attempt]); });
    }
  }
}

function setSubmitting(submitting) {
  state.submitting = submitting;
  els.submit.disabled = submitting || !state.seller?.accepting_orders;
  els.submit.textContent = submitting ? 'Placing order…' : 'Place order';
  els.form.setAttribute('aria-busy', String(submitting));
}

async function submitOrder(event) {
  event.preventDefault();
  if (state.submitting) return; // a double tap sends one request
  clearErrors();
  els.submitStatus.textContent = '';
  const problem = cartProblems();
  if (problem) {
    showMessage(els.cartError, problem);
    els.cart.focus();
    return;
  }
  const body = checkoutBody();
  const bodyJson = JSON.stringify(body);
  const key = attemptKey(bodyJson);
  setSubmitting(true);
  try {
    const { data } = await postOrder(body, key);
    storage.remove(keys.attempt);
    storage.remove(keys.cart);
    rememberOrder(data.order, data.tracking_url);
    els.submitStatus.textContent = `Order ${data.order.token_number} placed.`;
    location.assign(data.tracking_url);
    return;
  } catch (error) {
    handleSubmitError(error);
  }
  setSubmitting(false);
}

function handleSubmitError(error) {
  els.submitStatus.textContent = '';
  if (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)) {
    // The order may have been placed: keep this attempt's key, so trying again cannot make two.
    showMessage(els.formError, 'We could not confirm your order. Check your connection and tap Place order again; it will not be placed twice.');
    els.formError.focus?.();
    return;
  }
  storage.remove(keys.attempt); // refused: this key made nothing, a corrected attempt gets a new one
  if (error instanceof ApiError && error.status === 422) {
    const errors = validationErrors(error);
    const first = errors.length ? showValidation(errors) : (showMessage(els.formError, errorMessage(error)), els.formError);
    first?.focus?.();
    return;
  }
  if (error instanceof ApiError && error.status === 409) {
    showMessage(els.formError, 'This store is not accepting orders right now. Please try again later.');
    loadStore();
    return;
  }
  showMessage(els.formError, errorMessage(error));
}

els.form.addEventListener('submit', submitOrder);

// The "View cart" bar is for the menu; over the cart and the checkout form it would hide fields.
const visibleSections = new Set();
const cartObserver = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) visibleSections.add(entry.target);
    else visibleSections.delete(entry.target);
  }
  state.cartInView = visibleSections.size > 0;
  refreshTotals();
});
cartObserver.observe(els.cart);
cartObserver.observe(document.getElementById('checkout'));

// --- start ---------------------------------------------------------------------------

async function loadStore() {
  try {
    const { data } = await api('GET', `/api/storefronts/${encodeURIComponent(slug)}`);
    state.seller = data.seller;
    state.products = new Map(data.products.map((product) => [product.id, product]));
    renderStore();
  } catch (error) {
    els.shop.setAttribute('aria-busy', 'false');
    if (error instanceof ApiError && error.status === 404) {
      els.name.textContent = 'Store not found';
      showMessage(els.loadError, 'There is no store at this address. Check the QR code or link.');
      els.form.hidden = true;
    } else {
      els.name.textContent = 'Menu unavailable';
      showMessage(els.loadError, `Could not load the menu: ${errorMessage(error)}`);
    }
  }
}

loadStore();
