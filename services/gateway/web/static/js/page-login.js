import { ApiError, api, errorMessage, validationErrors } from './api.js';
import { $, pageData, showMessage } from './dom.js';
import { clearFieldErrors, placeErrors, showFieldError } from './forms.js';

const { next } = pageData();
const form = $('#login-form');
const formError = $('#form-error');
const submit = $('#login-submit');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(formError, '');
  const email = $('#email').value.trim();
  const password = $('#password').value;
  if (!email) showFieldError('email', 'Enter your email.');
  if (!password) showFieldError('password', 'Enter your password.');
  if (!email || !password) {
    (email ? $('#password') : $('#email')).focus();
    return;
  }
  submit.disabled = true;
  try {
    await api('POST', '/api/auth/login', { body: { email, password } });
    location.assign(next || '/seller');
    return;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showMessage(formError, 'Wrong email or password.');
    else if (validationErrors(error).length) placeErrors(validationErrors(error), { email: 'email', password: 'password' }, formError);
    else showMessage(formError, errorMessage(error));
    formError.focus();
  }
  submit.disabled = false;
});
