// The customer's side of a product's custom fields: one control per field (text, number,
// select, checkbox), the same checks the server makes, and the values as the API wants them.

import { h } from './dom.js';

let nextId = 0;

/** The problem with `value` for `field`, or null. `undefined` means "not given". */
export function fieldProblem(field, value) {
  const missing = value === undefined || value === '' || value === null;
  if (field.type === 'checkbox') {
    if (field.required && value !== true) return 'Please tick this box.';
    return null;
  }
  if (missing) return field.required ? 'Required.' : null;
  if (field.type === 'text') {
    const limit = field.max_length ?? 200;
    if (String(value).length > limit) return `At most ${limit} characters.`;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(String(value))) return 'Contains characters that are not allowed.';
  }
  if (field.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number.';
    if (field.min !== null && field.min !== undefined && value < field.min) return `At least ${field.min}.`;
    if (field.max !== null && field.max !== undefined && value > field.max) return `At most ${field.max}.`;
  }
  if (field.type === 'select' && !(field.options ?? []).includes(value)) return 'Choose one of the options.';
  return null;
}

/** Problems of a whole set of values: {key: message}. */
export function valuesProblems(fields, values) {
  const problems = {};
  for (const field of fields) {
    const problem = fieldProblem(field, values[field.key]);
    if (problem) problems[field.key] = problem;
  }
  return problems;
}

/**
 * A labelled control for one field. `read()` gives the value to send (undefined for an empty
 * optional field), `showProblem(text)` puts a message beside it.
 */
export function fieldControl(field, value, { onChange } = {}) {
  const id = `cf-${field.key}-${nextId++}`;
  const errorId = `${id}-error`;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const marker = field.required ? [' ', h('span', { class: 'req', 'aria-hidden': 'true' }, '*'),
    h('span', { class: 'visually-hidden' }, ' (required)')] : [];
  const common = { id, 'aria-describedby': errorId, 'aria-required': field.required ? 'true' : null, dataset: { fieldKey: field.key } };
  let input;
  let read;
  if (field.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: value === true });
    read = () => input.checked;
  } else if (field.type === 'select') {
    input = h('select', common,
      h('option', { value: '' }, field.required ? 'Choose…' : 'No preference'),
      (field.options ?? []).map((option) => h('option', { value: option, selected: option === value }, option)));
    read = () => (input.value === '' ? undefined : input.value);
  } else if (field.type === 'number') {
    input = h('input', {
      ...common, type: 'number', inputmode: 'decimal', step: 'any',
      min: field.min ?? null, max: field.max ?? null, value: value ?? '',
    });
    read = () => {
      const text = input.value.trim();
      if (text === '') return input.validity.badInput ? Number.NaN : undefined;
      return Number(text);
    };
  } else {
    input = h('input', { ...common, type: 'text', maxlength: field.max_length ?? 200, value: value ?? '' });
    read = () => (input.value.trim() === '' ? undefined : input.value.trim());
  }
  const label = h('label', { for: id }, field.label, marker);
  const wrapper = field.type === 'checkbox'
    ? h('div', { class: 'field field-checkbox' }, input, label, error)
    : h('div', { class: 'field' }, label, input, error);
  const showProblem = (problem) => {
    error.textContent = problem ?? '';
    error.hidden = !problem;
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  if (onChange) input.addEventListener('change', () => onChange(read()));
  return { element: wrapper, input, field, read, showProblem };
}

/** Read a set of controls: {values, problems}; marks each control with its problem. */
export function readControls(controls) {
  const values = {};
  let firstBad = null;
  for (const control of controls) {
    const value = control.read();
    const problem = fieldProblem(control.field, value);
    control.showProblem(problem);
    if (problem && !firstBad) firstBad = control;
    if (value !== undefined) values[control.field.key] = value;
  }
  return { values, firstBad };
}
