// Building the DOM from data without ever parsing it as HTML: every string becomes a text node
// or an attribute value, so nothing a customer typed can turn into markup.

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'indeterminate']);

/** h('button', {class: 'x', onclick: fn, 'aria-label': 'Accept'}, 'Accept Order') */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  appendChildren(el, children);
  return el;
}

export function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
}

export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

export function pageData() {
  const script = document.getElementById('page-data');
  return script ? JSON.parse(script.textContent || '{}') : {};
}

export function setText(el, text) {
  el.textContent = text ?? '';
}

/** Show `message` in an element (or hide it when empty). */
export function showMessage(el, message) {
  el.textContent = message ?? '';
  el.hidden = !message;
}

let announceTimer = null;

/** Speak a short message through the page's aria-live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  clearTimeout(announceTimer);
  // A fresh text node after a tick makes screen readers announce repeated messages too.
  announceTimer = setTimeout(() => { region.textContent = message; }, 50);
}

/** A `tel:` link target with only the characters a dialer understands. */
export function telHref(phone) {
  return `tel:${String(phone).replace(/[^0-9+]/g, '')}`;
}
