// A fake `hass` for the cards: records subscriptions and service calls and lets a test
// push messages the way the integration's WebSocket API sends them.

import type { Board, Hass, Pi, PiSummary, Session } from "../src/types";

export interface Subscription {
  message: Record<string, unknown>;
  push: (payload: unknown) => void;
  unsubscribed: boolean;
}

export interface FakeHass extends Hass {
  subscriptions: Subscription[];
  calls: { domain: string; service: string; data: Record<string, unknown> }[];
  wsCalls: Record<string, unknown>[];
  /** Make subscriptions fail with this error while set. */
  subscribeError: unknown;
  /** Make the next service calls fail with this error. */
  failWith: { code: string; message: string } | null;
  /** Fire the connection's "disconnected" event, as the socket library does. */
  dropConnection(): void;
}

export function fakeHass(options: { entries?: unknown[]; subscribeError?: unknown } = {}): FakeHass {
  const listeners = new Map<string, Set<() => void>>();
  const hass: FakeHass = {
    subscriptions: [],
    calls: [],
    wsCalls: [],
    failWith: null,
    subscribeError: options.subscribeError ?? null,
    locale: { language: "en" },
    user: { is_admin: true },
    connection: {
      subscribeMessage<T>(callback: (message: T) => void, message: Record<string, unknown>) {
        if (hass.subscribeError) return Promise.reject(hass.subscribeError);
        const subscription: Subscription = {
          message,
          push: (payload) => {
            if (!subscription.unsubscribed) callback(payload as T);
          },
          unsubscribed: false,
        };
        hass.subscriptions.push(subscription);
        return Promise.resolve(async () => {
          subscription.unsubscribed = true;
        });
      },
      addEventListener(event: string, listener: () => void) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener);
      },
      removeEventListener(event: string, listener: () => void) {
        listeners.get(event)?.delete(listener);
      },
    },
    async callWS<T>(message: Record<string, unknown>): Promise<T> {
      hass.wsCalls.push(message);
      return (options.entries ?? []) as T;
    },
    async callService(domain: string, service: string, data: Record<string, unknown> = {}) {
      hass.calls.push({ domain, service, data });
      if (hass.failWith) throw hass.failWith;
      return undefined;
    },
    dropConnection() {
      for (const listener of listeners.get("disconnected") ?? []) listener();
    },
  };
  return hass;
}

export function macOf(index: number): string {
  const hex = index.toString(16).toUpperCase().padStart(6, "0");
  return `AA:BB:CC:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

export function board(index: number, overrides: Partial<Board> = {}): Board {
  return {
    mac: macOf(index),
    name: `cam-${String(index).padStart(3, "0")}`,
    state: "discovered",
    rssi: -60,
    ip: null,
    retry_count: 0,
    error: null,
    in_allowlist: true,
    ...overrides,
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    id: "sess-1",
    state: "active",
    target_ssid: "Cabinet-WiFi",
    created_at: "2026-12-06T20:00:00Z",
    expires_at: "2026-12-06T21:00:00Z",
    device_count: 0,
    provisioned_count: 0,
    verified_count: 0,
    failed_count: 0,
    ...overrides,
  };
}

export function pi(overrides: Partial<Pi> = {}): Pi {
  return {
    entry_id: "entry-1",
    title: "Cabinet A",
    is_admin: true,
    streams: { events: "connected", monitor: "connected" },
    health: { cpu_percent: 12.5, memory_percent: 40, temperature: 51.3, disk_percent: 20 },
    door: { door: "closed", lock: "locked" },
    session: session(),
    boards: [],
    allowlist: [],
    allowlist_counts: { total: 0, used: 0, available: 0 },
    recoverable: [],
    ...overrides,
  };
}

export function summary(index: number, overrides: Partial<PiSummary> = {}): PiSummary {
  return {
    entry_id: `entry-${index}`,
    title: `Cabinet ${index}`,
    streams: { events: "connected", monitor: "connected" },
    health: { cpu_percent: 10 + index, memory_percent: 30, temperature: 45, disk_percent: 10 },
    door: { door: "closed", lock: "locked" },
    session: session({ device_count: 10, verified_count: 4, failed_count: 1 }),
    failed_boards: [],
    board_count: 10,
    ...overrides,
  };
}

/** Let Lit render everything pending (microtasks, then the element's update cycle). */
export async function settle(...elements: { updateComplete: Promise<boolean> }[]): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    await Promise.resolve();
    await Promise.all(elements.map((element) => element.updateComplete));
  }
}

/** The last item (the cards target ES2020, whose typings have no Array.prototype.at). */
export function last<T>(items: readonly T[]): T {
  return items[items.length - 1];
}
