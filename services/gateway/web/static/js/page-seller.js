// Seller Information: profile, accepting orders, Enable Real-Time Orders, payment methods,
// and the QR code poster.

import { errorMessage, sellerApi, validationErrors } from './api.js';
import { $, h, replaceChildren, showMessage } from './dom.js';
import { clearFieldErrors, formValue, placeErrors, showFieldError } from './forms.js';
import { setUpSellerNav } from './nav.js';

const form = $('#seller-form');
const formError = $('#form-error');
const saveStatus = $('#save-status');
const FIELDS = {
  business_name: 'business_name', phone: 'phone', zelle_handle: 'zelle_handle', currency: 'currency',
  timezone: 'timezone', payment_methods: 'payment_methods', realtime_enabled: 'realtime_enabled',
  accepting_orders: 'accepting_orders',
};
let seller = null;

function fill(current) {
  seller = current;
  $('#business_name').value = current.business_name;
  $('#phone').value = current.phone ?? '';
  $('#email').textContent = current.email;
  $('#accepting_orders').checked = current.accepting_orders;
  $('#realtime_enabled').checked = current.realtime_enabled;
  $('#pm-cod').checked = current.payment_methods.includes('cod');
  $('#pm-zelle').checked = current.payment_methods.includes('zelle');
  $('#zelle_handle').value = current.zelle_handle ?? '';
  $('#currency').value = current.currency;
  $('#timezone').value = current.timezone;
  form.setAttribute('aria-busy', 'false');
  showRealtimeNote();
  showPoster();
}

function showRealtimeNote() {
  $('#realtime-note').textContent = seller.realtime_enabled
    ? 'Real-time orders are on. Keep the dashboard open to hear new orders.'
    : 'Real-time orders are off. Turn on Enable Real-Time Orders and Save changes to use the dashboard.';
}

function showPoster() {
  const base = `/api/storefronts/${encodeURIComponent(seller.slug)}`;
  $('#poster-name').textContent = seller.business_name;
  $('#poster-url').textContent = seller.storefront_url;
  const image = $('#qr-image');
  image.src = `${base}/qr.svg`;
  image.alt = `QR code that opens ${seller.storefront_url}`;
  $('#download-png').href = `${base}/qr.png`;
  $('#download-png').setAttribute('download', `${seller.slug}-qr.png`);
  $('#download-svg').href = `${base}/qr.svg`;
  $('#download-svg').setAttribute('download', `${seller.slug}-qr.svg`);
  const link = $('#storefront-link');
  link.href = seller.storefront_url;
  link.textContent = seller.storefront_url;
}

function chosenMethods() {
  return ['cod', 'zelle'].filter((method) => $(`#pm-${method}`).checked);
}

/** Only what changed, so a PATCH never rewrites a field the seller did not touch. */
function changes() {
  const wanted = {
    business_name: formValue('business_name'),
    phone: formValue('phone') || null,
    accepting_orders: $('#accepting_orders').checked,
    realtime_enabled: $('#realtime_enabled').checked,
    payment_methods: chosenMethods(),
    zelle_handle: formValue('zelle_handle') || null,
    currency: formValue('currency').toUpperCase(),
    timezone: formValue('timezone'),
  };
  const patch = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (JSON.stringify(value) !== JSON.stringify(seller[key])) patch[key] = value;
  }
  return patch;
}

function localProblems(patch) {
  const problems = [];
  if (!formValue('business_name')) problems.push(['business_name', 'Enter your business name.']);
  if (!chosenMethods().length) problems.push(['payment_methods', 'Choose at least one payment method.']);
  if (chosenMethods().includes('zelle') && !formValue('zelle_handle')) {
    problems.push(['zelle_handle', 'Zelle needs the handle customers pay to.']);
  }
  if (patch.currency !== undefined && !/^[A-Z]{3}$/.test(patch.currency)) {
    problems.push(['currency', 'Use a three-letter code such as USD.']);
  }
  return problems;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(formError, '');
  saveStatus.textContent = '';
  const patch = changes();
  const problems = localProblems(patch);
  if (problems.length) {
    for (const [id, message] of problems) showFieldError(id, message);
    document.getElementById(problems[0][0])?.focus();
    return;
  }
  if (!Object.keys(patch).length) {
    saveStatus.textContent = 'Nothing to save: no changes.';
    return;
  }
  const save = $('#save');
  save.disabled = true;
  try {
    const { data } = await sellerApi('PATCH', '/api/seller', { body: patch });
    fill(data);
    saveStatus.textContent = 'Changes saved.';
  } catch (error) {
    const errors = validationErrors(error);
    if (errors.length) placeErrors(errors, FIELDS, formError)?.focus();
    else {
      showMessage(formError, errorMessage(error));
      formError.focus();
    }
  } finally {
    save.disabled = false;
  }
});

$('#print-poster').addEventListener('click', () => window.print());

async function start() {
  setUpSellerNav();
  try {
    const { data } = await sellerApi('GET', '/api/seller');
    fill(data);
  } catch (error) {
    replaceChildren($('#load-error'), `Could not load your information: ${errorMessage(error)} `,
      h('a', { href: '/seller' }, 'Try again'));
    $('#load-error').hidden = false;
  }
}

start();
