// localStorage that never throws (private mode, full quota, disabled storage).

export function load(key, fallback = null) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage unavailable: the page still works, it only forgets on reload.
  }
}

export function remove(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // ignored, as above
  }
}
