// The public API, from the browser: same-origin fetch with the session cookie, JSON in and out.

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter ? Number(retryAfter) : null;
  }
}

/** A network failure: the request may or may not have reached the server. */
export class NetworkError extends Error {}

export async function api(method, path, { body, headers = {}, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new NetworkError('Could not reach the server. Check your connection and try again.');
  }
  const data = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return { status: response.status, data };
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

function messageOf(status, body) {
  const detail = body?.detail;
  if (typeof detail === 'string' && detail) return detail;
  if (status === 401) return 'Please log in again.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That is too much text to send at once.';
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  if (status >= 500) return 'The service is having trouble right now. Please try again shortly.';
  if (status === 422) return 'Some of the information is not valid.';
  return `Request failed (${status}).`;
}

/** A human sentence for any error thrown by `api`. */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfter) return `Too many attempts. Try again in ${error.retryAfter} s.`;
    if (error.status === 422 && Array.isArray(error.body?.detail)) {
      return error.body.detail.map((item) => `${fieldName(item.loc)}: ${cleanMessage(item.msg)}`).join(' ');
    }
    return error.message;
  }
  if (error instanceof NetworkError) return error.message;
  return 'Something went wrong. Please try again.';
}

/** FastAPI's validation list as [{path: 'customer.name', message}] (the leading "body" dropped). */
export function validationErrors(error) {
  if (!(error instanceof ApiError) || error.status !== 422 || !Array.isArray(error.body?.detail)) return [];
  return error.body.detail.map((item) => ({
    path: (item.loc ?? []).filter((part, i) => !(i === 0 && part === 'body')).join('.'),
    message: cleanMessage(item.msg),
  }));
}

function fieldName(loc) {
  const parts = (loc ?? []).filter((part, i) => !(i === 0 && part === 'body'));
  return parts.length ? parts.join(' › ').replaceAll('_', ' ') : 'Request';
}

function cleanMessage(msg) {
  const text = String(msg ?? 'is not valid').replace(/^Value error, /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 128 random bits as hex; crypto.getRandomValues works outside secure contexts too (a phone on LAN). */
export function randomKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** For seller pages: a 401 means the session ended, so go to the login page and come back. */
export function redirectToLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

export async function sellerApi(method, path, options) {
  try {
    return await api(method, path, options);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirectToLogin();
    throw error;
  }
}
