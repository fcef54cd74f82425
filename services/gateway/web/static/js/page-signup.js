import { ApiError, api, errorMessage, validationErrors } from './api.js';
import { $, pageData, showMessage } from './dom.js';
import { clearFieldErrors, formValue, placeErrors, showFieldError } from './forms.js';

const { next } = pageData();
const form = $('#signup-form');
const formError = $('#form-error');
const submit = $('#signup-submit');
const FIELDS = { email: 'email', password: 'password', business_name: 'business_name', slug: 'slug', phone: 'phone' };

function localProblems(body) {
  const problems = [];
  if (!body.business_name) problems.push(['business_name', 'Enter your business name.']);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) problems.push(['email', 'Enter an email address.']);
  if (body.password.length < 8) problems.push(['password', 'Use at least 8 characters.']);
  if (body.slug && !/^[a-z0-9-]{3,40}$/.test(body.slug)) {
    problems.push(['slug', 'Use 3 to 40 lowercase letters, digits or dashes.']);
  }
  return problems;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(formError, '');
  const body = {
    business_name: formValue('business_name'),
    email: formValue('email'),
    password: $('#password').value,
  };
  if (formValue('slug')) body.slug = formValue('slug');
  if (formValue('phone')) body.phone = formValue('phone');
  const problems = localProblems(body);
  if (problems.length) {
    for (const [id, message] of problems) showFieldError(id, message);
    document.getElementById(problems[0][0]).focus();
    return;
  }
  submit.disabled = true;
  try {
    await api('POST', '/api/auth/signup', { body });
    // Log in as well, so the session cookie is set however the signup answer was made.
    await api('POST', '/api/auth/login', { body: { email: body.email, password: body.password } });
    location.assign(next || '/seller');
    return;
  } catch (error) {
    const errors = validationErrors(error);
    if (errors.length) {
      placeErrors(errors, FIELDS, formError)?.focus();
    } else {
      const taken = error instanceof ApiError && error.status === 409;
      showMessage(formError, taken ? `${errorMessage(error)} Choose another, or log in.` : errorMessage(error));
      formError.focus();
    }
  }
  submit.disabled = false;
});
