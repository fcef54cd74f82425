// A WebSocket that stays connected: backoff with jitter (never more than 5 s between tries),
// a heartbeat watchdog that notices a dead connection without waiting for TCP, and close codes
// that end the retrying where retrying cannot help (4401, 4403, 4404).

export const MAX_DELAY_MS = 5000;
const BASE_DELAY_MS = 250;
const HEARTBEAT_TIMEOUT_MS = 25000; // the server sends a frame at least every 20 s
const HANDSHAKE_TIMEOUT_MS = 10000;
const DISCONNECTED_AFTER_MS = 10000; // yellow while briefly away, red when it lasts

/** Close codes after which trying again cannot succeed. */
export const TERMINAL_CLOSE_CODES = {
  4401: 'unauthorized',
  4403: 'forbidden',
  4404: 'not_found',
};
const SERVICE_RESTART = 1012;

/**
 * The wait before retry number `attempt` (0-based): exponential, with "equal jitter" so a fleet
 * of dashboards dropped at once does not come back in lockstep, and never above MAX_DELAY_MS.
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function socketUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/**
 * states: 'connecting' (first try), 'connected' (subscribed), 'reconnecting' (lost, retrying),
 * 'disconnected' (lost for a while, or a missed heartbeat; still retrying), 'stopped' (terminal).
 */
export class LiveSocket {
  /**
   * @param {object} options
   * @param {string} options.path            e.g. '/ws/seller'
   * @param {() => object} options.subscribe the first frame, built at each (re)connect
   * @param {(message: object) => void} options.onMessage every frame but heartbeats
   * @param {(state: string, info: object) => void} options.onState
   */
  constructor({ path, subscribe, onMessage, onState, heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS }) {
    this.path = path;
    this.subscribe = subscribe;
    this.onMessage = onMessage;
    this.onState = onState ?? (() => {});
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.ws = null;
    this.state = 'idle';
    this.attempt = 0;
    this.healthy = false; // the current connection got as far as `subscribed`
    this.lostAt = null;
    this.lastFrameAt = null;
    this.timers = { retry: null, watchdog: null, handshake: null };
    this.stopped = false;
    this.onOnline = () => {
      if (this.state !== 'connected') this.reconnectNow();
    };
    this.onOffline = () => this.setState('disconnected', { reason: 'offline' });
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connect();
  }

  /** Close for good (page leaving, or a terminal close code). */
  stop(reason = 'stopped', code = null) {
    this.stopped = true;
    this.clearTimers();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.drop(1000);
    this.setState('stopped', { reason, code });
  }

  /** Drop the current connection and connect again at once (e.g. after a gap in `seq`). */
  reconnectNow() {
    if (this.stopped) return;
    this.drop(4000);
    this.connect();
  }

  /** Send a frame on the open connection; false when there is none. */
  send(frame) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    if (this.stopped) return;
    this.clearTimers();
    this.healthy = false;
    if (this.state === 'idle') this.setState('connecting');
    else if (this.state !== 'disconnected' && this.state !== 'connecting') this.setState('reconnecting');
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.path));
    } catch {
      this.scheduleRetry(null);
      return;
    }
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.subscribe()));
    ws.onmessage = (event) => this.receive(ws, event);
    ws.onclose = (event) => this.closed(ws, event.code);
    ws.onerror = () => {}; // always followed by close
    this.timers.handshake = setTimeout(() => this.giveUpOn(ws, 'timeout'), HANDSHAKE_TIMEOUT_MS);
  }

  receive(ws, event) {
    if (ws !== this.ws) return;
    this.lastFrameAt = new Date();
    this.armWatchdog();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'heartbeat') {
      this.setState(this.state, {});
      return;
    }
    if (message.type === 'subscribed') {
      clearTimeout(this.timers.handshake);
      this.healthy = true;
      this.attempt = 0;
      this.lostAt = null;
      this.setState('connected');
    }
    this.onMessage(message);
  }

  closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    const terminal = TERMINAL_CLOSE_CODES[code];
    if (terminal) {
      this.stop(terminal, code);
      return;
    }
    this.scheduleRetry(code);
  }

  /** A connection that is silent too long is treated as dead, without waiting for TCP. */
  giveUpOn(ws, reason) {
    if (ws !== this.ws) return;
    this.drop(4000);
    if (reason === 'heartbeat') this.setState('disconnected', { reason });
    this.scheduleRetry(null);
  }

  scheduleRetry(code) {
    if (this.stopped) return;
    this.clearTimers();
    const wasHealthy = this.healthy;
    this.healthy = false;
    this.lostAt ??= Date.now();
    // 1012: the gateway lost the notifier behind a healthy connection; another one may be up.
    const delay = code === SERVICE_RESTART && wasHealthy ? 0 : backoffDelay(this.attempt++);
    const longLost = Date.now() - this.lostAt >= DISCONNECTED_AFTER_MS;
    const state = this.state === 'disconnected' || longLost ? 'disconnected' : 'reconnecting';
    this.setState(state, { retryInMs: delay, code });
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }

  armWatchdog() {
    clearTimeout(this.timers.watchdog);
    const ws = this.ws;
    this.timers.watchdog = setTimeout(() => this.giveUpOn(ws, 'heartbeat'), this.heartbeatTimeoutMs);
  }

  drop(code) {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code);
    } catch {
      // already closing
    }
  }

  clearTimers() {
    for (const name of Object.keys(this.timers)) {
      clearTimeout(this.timers[name]);
      this.timers[name] = null;
    }
  }

  setState(state, info = {}) {
    this.state = state;
    this.onState(state, { lastFrameAt: this.lastFrameAt, ...info });
  }
}
