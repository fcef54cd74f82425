// Form helpers for the seller pages: field errors beside their fields, from the server's 422.

import { showMessage } from './dom.js';

/** Show `message` beside the field whose id is `id` (or clear it). */
export function showFieldError(id, message) {
  const input = document.getElementById(id);
  const error = document.getElementById(`${id}-error`);
  if (error) showMessage(error, message);
  if (!input) return;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

export function clearFieldErrors(form) {
  for (const error of form.querySelectorAll('.field-error')) showMessage(error, '');
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/**
 * Place validation errors: `fieldIds` maps an API path ("business_name") to an element id.
 * Messages with no field go to `general`. Returns the element to focus.
 */
export function placeErrors(errors, fieldIds, general) {
  const rest = [];
  let first = null;
  for (const { path, message } of errors) {
    const id = fieldIds[path] ?? fieldIds[path.split('.')[0]];
    if (id && document.getElementById(`${id}-error`)) {
      showFieldError(id, message);
      first ??= document.getElementById(id);
    } else {
      rest.push(message);
    }
  }
  if (rest.length) {
    showMessage(general, rest.join(' '));
    first ??= general;
  }
  return first;
}

export function formValue(id) {
  return document.getElementById(id).value.trim();
}
