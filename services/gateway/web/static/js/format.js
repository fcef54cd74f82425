// How money, times, statuses and field values are shown.

const moneyFormats = new Map();

function moneyFormat(currency) {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/** The number of minor-unit digits of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency = 'USD') {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** money(700, 'USD') → "$7.00" */
export function money(minorUnits, currency = 'USD') {
  return moneyFormat(currency).format(Number(minorUnits) / 10 ** currencyDigits(currency));
}

/** "4.50" → 450 for USD, without floating-point rounding; null when it is not a price. */
export function parseMoney(text, currency = 'USD') {
  const digits = currencyDigits(currency);
  const cleaned = String(text).trim().replace(/^[^0-9.]+/, '').replaceAll(',', '');
  const pattern = digits > 0 ? new RegExp(`^(\\d+)(?:\\.(\\d{0,${digits}}))?$`) : /^(\d+)$/;
  const match = pattern.exec(cleaned);
  if (!match) return null;
  const fraction = (match[2] ?? '').padEnd(digits, '0');
  return Number(match[1]) * 10 ** digits + Number(fraction || 0);
}

/** 450 → "4.50" (for an input's value). */
export function moneyInput(minorUnits, currency = 'USD') {
  const digits = currencyDigits(currency);
  return digits ? (Number(minorUnits) / 10 ** digits).toFixed(digits) : String(minorUnits);
}

const timeFormat = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' });
const timeWithSeconds = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
});

export function time(iso) {
  return iso ? timeFormat.format(new Date(iso)) : '';
}

export function clock(date = new Date()) {
  return timeWithSeconds.format(date);
}

export function dateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : '';
}

/** "just now", "4 min", "1 h 5 min" since `iso`. */
export function age(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

export function minutesSince(iso, now = Date.now()) {
  return (now - Date.parse(iso)) / 60000;
}

export const STATUS_LABELS = {
  pending: 'Pending',
  accepted: 'Accepted',
  rejected: 'Rejected',
  preparing: 'Preparing',
  out_for_delivery: 'Out for Delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

export const PAYMENT_METHOD_LABELS = { cod: 'Cash on delivery', zelle: 'Zelle' };
export const PAYMENT_STATUS_LABELS = { pending: 'Unpaid', received: 'Paid' };

export function statusLabel(status) {
  return STATUS_LABELS[status] ?? status;
}

export function fieldValue(value) {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  return String(value ?? '');
}

/** "12 Main St, Apt 4, Springfield 12345" */
export function addressLines(address) {
  const cityLine = [address.city, address.postal_code].filter(Boolean).join(' ');
  return [address.line1, address.line2, cityLine].filter(Boolean);
}
