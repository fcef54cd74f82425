// The seller's products: create, edit, delete, sold out, and the custom-field editor.

import { errorMessage, sellerApi, validationErrors } from './api.js';
import { $, h, replaceChildren, showMessage } from './dom.js';
import { clearFieldErrors, formValue, placeErrors, showFieldError } from './forms.js';
import { money, moneyInput, parseMoney } from './format.js';
import { notifier, setUpSellerNav } from './nav.js';

const TYPES = [['text', 'Text'], ['number', 'Number'], ['select', 'Choice from a list'], ['checkbox', 'Checkbox']];
const FIELDS = { name: 'product-name', description: 'product-description', price_cents: 'product-price' };

const els = {
  list: $('#product-list'),
  none: $('#no-products'),
  form: $('#product-form'),
  formError: $('#form-error'),
  heading: $('#form-heading'),
  rows: $('#custom-fields'),
  rowsError: $('#custom-fields-error'),
  cancel: $('#cancel-edit'),
  loadError: $('#load-error'),
};
const notify = notifier($('#notice'));
const state = { products: [], editing: null, currency: 'USD', confirmDelete: null };
let rowCounter = 0;

// --- the list ------------------------------------------------------------------------

function renderList() {
  els.none.hidden = state.products.length > 0;
  replaceChildren(els.list, state.products.map((product) => h('li', { class: 'product-admin', dataset: { productId: product.id } },
    h('div', { class: 'product-admin-info' },
      h('strong', { class: 'product-name' }, product.name), ' ',
      h('span', { class: 'price' }, money(product.price_cents, state.currency)), ' ',
      product.available ? h('span', { class: 'badge badge-available' }, 'Available') : h('span', { class: 'badge badge-soldout' }, 'Sold out'),
      product.custom_fields.length ? h('span', { class: 'muted small' }, ` · ${product.custom_fields.length} custom field${product.custom_fields.length === 1 ? '' : 's'}`) : null),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'button', onclick: () => edit(product), 'aria-label': `Edit ${product.name}` }, 'Edit'),
      h('button', { type: 'button', class: 'button', onclick: () => toggleAvailable(product),
        'aria-label': product.available ? `Mark ${product.name} sold out` : `Mark ${product.name} available` },
      product.available ? 'Mark sold out' : 'Mark available'),
      state.confirmDelete === product.id
        ? h('button', { type: 'button', class: 'button button-danger', onclick: () => remove(product), 'aria-label': `Confirm delete ${product.name}` }, 'Confirm delete')
        : h('button', { type: 'button', class: 'button', onclick: () => askDelete(product), 'aria-label': `Delete ${product.name}` }, 'Delete')))));
}

async function loadProducts() {
  const [{ data: seller }, { data }] = await Promise.all([
    sellerApi('GET', '/api/seller'), sellerApi('GET', '/api/seller/products'),
  ]);
  state.currency = seller.currency;
  state.products = data.products;
  renderList();
}

function replaceProduct(product) {
  const index = state.products.findIndex((candidate) => candidate.id === product.id);
  if (index >= 0) state.products[index] = product;
  else state.products.push(product);
  renderList();
}

async function toggleAvailable(product) {
  try {
    const { data } = await sellerApi('PATCH', `/api/seller/products/${encodeURIComponent(product.id)}`, {
      body: { available: !product.available },
    });
    replaceProduct(data);
    notify(`${data.name} is now ${data.available ? 'available' : 'sold out'}.`);
  } catch (error) {
    notify(`Could not update ${product.name}: ${errorMessage(error)}`, 'error');
  }
}

function askDelete(product) {
  state.confirmDelete = product.id;
  renderList();
  els.list.querySelector(`[data-product-id="${CSS.escape(product.id)}"] .button-danger`)?.focus();
}

async function remove(product) {
  try {
    await sellerApi('DELETE', `/api/seller/products/${encodeURIComponent(product.id)}`);
    state.products = state.products.filter((candidate) => candidate.id !== product.id);
    state.confirmDelete = null;
    if (state.editing === product.id) resetForm();
    renderList();
    notify(`${product.name} deleted.`);
  } catch (error) {
    notify(`Could not delete ${product.name}: ${errorMessage(error)}`, 'error');
  }
}

// --- the custom-field editor ---------------------------------------------------------

function keyFromLabel(label) {
  return label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
}

function labelled(id, text, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    control, h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

function fieldRow(field = {}) {
  const n = rowCounter++;
  const id = (name) => `cf${n}-${name}`;
  const label = h('input', { id: id('label'), type: 'text', maxlength: 100, value: field.label ?? '', 'aria-describedby': `${id('label')}-error` });
  const key = h('input', { id: id('key'), type: 'text', maxlength: 40, value: field.key ?? '', spellcheck: 'false', autocapitalize: 'none',
    'aria-describedby': `${id('key')}-hint ${id('key')}-error` });
  const type = h('select', { id: id('type') }, TYPES.map(([value, text]) => h('option', { value, selected: value === (field.type ?? 'text') }, text)));
  const required = h('input', { id: id('required'), type: 'checkbox', checked: field.required === true });
  const options = h('textarea', { id: id('options'), rows: 3, 'aria-describedby': `${id('options')}-hint ${id('options')}-error` });
  options.value = (field.options ?? []).join('\n');
  const maxLength = h('input', { id: id('max_length'), type: 'number', min: 1, max: 2000, value: field.max_length ?? '' });
  const min = h('input', { id: id('min'), type: 'number', step: 'any', value: field.min ?? '' });
  const max = h('input', { id: id('max'), type: 'number', step: 'any', value: field.max ?? '' });
  let keyEdited = Boolean(field.key);
  key.addEventListener('input', () => { keyEdited = true; });
  label.addEventListener('input', () => { if (!keyEdited) key.value = keyFromLabel(label.value); });

  const optionsBox = labelled(id('options'), 'Options, one per line', options);
  const textBox = labelled(id('max_length'), 'Longest answer (characters)', maxLength);
  const numberBox = h('div', { class: 'inline-fields' }, labelled(id('min'), 'Smallest', min), labelled(id('max'), 'Largest', max));
  const showTypeParts = () => {
    optionsBox.hidden = type.value !== 'select';
    textBox.hidden = type.value !== 'text';
    numberBox.hidden = type.value !== 'number';
  };
  type.addEventListener('change', showTypeParts);

  const row = h('li', { class: 'field-row' },
    h('fieldset', null,
      h('legend', null, 'Custom field'),
      labelled(id('label'), 'Question shown to the customer', label),
      labelled(id('key'), 'Key', key, 'Lowercase letters, digits and _; made from the question.'),
      labelled(id('type'), 'Type', type),
      h('div', { class: 'field field-checkbox' }, required, h('label', { for: id('required') }, 'Required')),
      optionsBox, textBox, numberBox,
      h('button', { type: 'button', class: 'button', onclick: () => { row.remove(); renumber(); } }, 'Remove field')));
  row.read = () => {
    const value = { key: key.value.trim(), label: label.value.trim(), type: type.value, required: required.checked };
    if (type.value === 'select') value.options = options.value.split('\n').map((o) => o.trim()).filter(Boolean);
    if (type.value === 'text' && maxLength.value) value.max_length = Number(maxLength.value);
    if (type.value === 'number' && min.value !== '') value.min = Number(min.value);
    if (type.value === 'number' && max.value !== '') value.max = Number(max.value);
    return value;
  };
  row.ids = id;
  showTypeParts();
  return row;
}

function renumber() {
  [...els.rows.children].forEach((row, index) => {
    row.querySelector('legend').textContent = `Custom field ${index + 1}`;
  });
}

function addRow(field) {
  const row = fieldRow(field);
  els.rows.append(row);
  renumber();
  return row;
}

// --- the form ------------------------------------------------------------------------

function resetForm() {
  state.editing = null;
  els.form.reset();
  $('#product-available').checked = true;
  els.rows.replaceChildren();
  els.heading.textContent = 'Add a product';
  els.cancel.hidden = true;
  clearFieldErrors(els.form);
  showMessage(els.formError, '');
}

function edit(product) {
  resetForm();
  state.editing = product.id;
  els.heading.textContent = `Edit ${product.name}`;
  $('#product-name').value = product.name;
  $('#product-description').value = product.description ?? '';
  $('#product-price').value = moneyInput(product.price_cents, state.currency);
  $('#product-available').checked = product.available;
  product.custom_fields.forEach((field) => addRow(field));
  els.cancel.hidden = false;
  $('#product-name').focus();
}

function readForm() {
  return {
    name: formValue('product-name'),
    description: $('#product-description').value.trim(),
    price_cents: parseMoney(formValue('product-price'), state.currency),
    available: $('#product-available').checked,
    custom_fields: [...els.rows.children].map((row) => row.read()),
  };
}

function localProblems(body) {
  const problems = [];
  if (!body.name) problems.push(['product-name', 'Enter a name.']);
  if (!body.price_cents || body.price_cents <= 0) problems.push(['product-price', 'Enter a price, such as 4.50.']);
  const rows = [...els.rows.children];
  const keys = new Set();
  body.custom_fields.forEach((field, index) => {
    const id = rows[index].ids;
    if (!field.label) problems.push([id('label'), 'Enter the question.']);
    if (!/^[a-z0-9_]{1,40}$/.test(field.key)) problems.push([id('key'), 'Use lowercase letters, digits and _.']);
    else if (keys.has(field.key)) problems.push([id('key'), 'Another field already uses this key.']);
    keys.add(field.key);
    if (field.type === 'select' && !field.options?.length) problems.push([id('options'), 'Add at least one option.']);
  });
  return problems;
}

/** 422 paths like custom_fields.1.options go beside that row's control. */
function fieldIdsFor(errors) {
  const ids = { ...FIELDS };
  const rows = [...els.rows.children];
  for (const { path } of errors) {
    const [head, index, name] = path.split('.');
    if (head === 'custom_fields' && rows[Number(index)]) {
      const candidate = rows[Number(index)].ids(name ?? 'label');
      ids[path] = document.getElementById(candidate) ? candidate : rows[Number(index)].ids('label');
    }
  }
  return ids;
}

els.form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(els.form);
  showMessage(els.formError, '');
  const body = readForm();
  const problems = localProblems(body);
  if (problems.length) {
    for (const [id, message] of problems) showFieldError(id, message);
    document.getElementById(problems[0][0])?.focus();
    return;
  }
  const save = $('#save-product');
  save.disabled = true;
  try {
    const { data } = state.editing
      ? await sellerApi('PATCH', `/api/seller/products/${encodeURIComponent(state.editing)}`, { body })
      : await sellerApi('POST', '/api/seller/products', { body });
    replaceProduct(data);
    notify(`${data.name} saved.`);
    resetForm();
  } catch (error) {
    const errors = validationErrors(error);
    if (errors.length) placeErrors(errors, fieldIdsFor(errors), els.formError)?.focus();
    else {
      showMessage(els.formError, errorMessage(error));
      els.formError.focus();
    }
  } finally {
    save.disabled = false;
  }
});

$('#add-field').addEventListener('click', () => addRow().querySelector('input')?.focus());
els.cancel.addEventListener('click', resetForm);
$('#new-product').addEventListener('click', () => {
  resetForm();
  $('#product-name').focus();
});

setUpSellerNav();
loadProducts().catch((error) => showMessage(els.loadError, `Could not load your products: ${errorMessage(error)}`));
