// New-order alerts: a beep made with the Web Audio API (no audio file), a browser notification
// when permitted, and a count in the tab title. The beep repeats while any order is pending,
// so it stops as soon as someone acts on it, on this device or another.

import { money } from './format.js';

const REPEAT_EVERY_MS = 8000;

export class OrderAlerts {
  constructor({ warning, testButton, notifyButton, baseTitle }) {
    this.warning = warning;
    this.testButton = testButton;
    this.notifyButton = notifyButton;
    this.baseTitle = baseTitle;
    this.context = null;
    this.pending = new Set();
    this.notifications = new Map();
    this.repeatTimer = null;
    this.testButton.addEventListener('click', () => this.testSound());
    this.notifyButton.addEventListener('click', () => this.askNotificationPermission());
    // Browsers allow sound after a user gesture: use the first one on the page to unlock it.
    const unlock = () => this.resume();
    document.addEventListener('pointerdown', unlock, { capture: true });
    document.addEventListener('keydown', unlock, { capture: true });
  }

  start() {
    this.audio();
    this.showAudioState();
    this.notifyButton.hidden = !('Notification' in window) || Notification.permission !== 'default';
  }

  audio() {
    if (!this.context) {
      const AudioContextClass = window.AudioContext ?? window.webkitAudioContext;
      if (!AudioContextClass) return null;
      this.context = new AudioContextClass();
      this.context.addEventListener('statechange', () => this.showAudioState());
    }
    return this.context;
  }

  audioBlocked() {
    const context = this.audio();
    return !context || context.state !== 'running';
  }

  showAudioState() {
    this.warning.hidden = !this.audioBlocked();
  }

  async resume() {
    const context = this.audio();
    if (context && context.state !== 'running') {
      try {
        await context.resume();
      } catch {
        // still blocked; the warning stays
      }
    }
    this.showAudioState();
  }

  async testSound() {
    await this.resume();
    // A resume started by the same gesture (pointerdown) may still be settling: wait for it.
    await this.running(2000);
    this.beep();
  }

  /** Resolves when the audio context runs, or after `ms` milliseconds. */
  running(ms) {
    const context = this.audio();
    if (!context || context.state === 'running') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        context.removeEventListener('statechange', check);
        resolve();
      };
      const check = () => {
        if (context.state === 'running') done();
      };
      context.addEventListener('statechange', check);
      setTimeout(done, ms);
    });
  }

  /** Two short tones; shows the warning instead when the browser keeps audio suspended. */
  beep() {
    const context = this.audio();
    if (!context || context.state !== 'running') {
      this.showAudioState();
      return false;
    }
    const start = context.currentTime + 0.01;
    this.tone(context, 880, start);
    this.tone(context, 1320, start + 0.22);
    return true;
  }

  tone(context, frequency, at) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.2);
  }

  async askNotificationPermission() {
    if (!('Notification' in window)) return;
    try {
      await Notification.requestPermission();
    } finally {
      this.notifyButton.hidden = Notification.permission !== 'default';
    }
  }

  /** A new order arrived: alert now (the repeating alert follows from `setPending`). */
  newOrder(order) {
    this.beep();
    if ('Notification' in window && Notification.permission === 'granted') {
      try {
        const notification = new Notification(`New order ${order.token_number}`, {
          body: `${order.customer.name} · ${money(order.total_cents, order.currency)}`,
          tag: `order-${order.id}`,
        });
        notification.addEventListener('click', () => window.focus());
        this.notifications.set(order.id, notification);
      } catch {
        // Some browsers only allow notifications from a service worker; the sound still plays.
      }
    }
  }

  /** The orders still waiting for someone to act: drives the tab title and the repeat. */
  setPending(orderIds) {
    this.pending = new Set(orderIds);
    for (const [id, notification] of this.notifications) {
      if (!this.pending.has(id)) {
        notification.close();
        this.notifications.delete(id);
      }
    }
    const count = this.pending.size;
    document.title = count ? `(${count}) ${this.baseTitle}` : this.baseTitle;
    if (count && !this.repeatTimer) {
      this.repeatTimer = setInterval(() => this.beep(), REPEAT_EVERY_MS);
    } else if (!count && this.repeatTimer) {
      clearInterval(this.repeatTimer);
      this.repeatTimer = null;
    }
  }
}
