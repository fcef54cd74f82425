// What every seller page shares: the log-out button.

import { api } from './api.js';

export function setUpSellerNav() {
  const logout = document.getElementById('logout');
  if (!logout) return;
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    try {
      await api('POST', '/api/auth/logout');
    } catch {
      // Whatever the answer, leave: the login page shows whether the session is gone.
    }
    location.assign('/login');
  });
}

/** A short notice that goes away by itself. */
export function notifier(container, lifetimeMs = 8000) {
  return (text, tone = 'info') => {
    const notice = document.createElement('p');
    notice.className = `notice notice-${tone}`;
    notice.textContent = text;
    container.append(notice);
    setTimeout(() => notice.remove(), lifetimeMs);
  };
}
