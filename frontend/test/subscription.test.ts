// The subscription life both cards share, driven directly: the branches the card tests
// reach only through rendering (or not at all) are checked here one by one.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { RESUBSCRIBE_MS, SubscriptionController } from "../src/subscription";
import type { Unsubscribe } from "../src/types";
import { fakeHass, type FakeHass } from "./fixtures";

type Message = { kind: "snapshot" | "changes"; value: number };

class FakeHost extends EventTarget implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  updates = 0;
  isConnected = false;
  readonly updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates += 1;
  }
  connect(): void {
    this.isConnected = true;
    for (const controller of this.controllers) controller.hostConnected?.();
  }
  disconnect(): void {
    this.isConnected = false;
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
}

let host: FakeHost;
let hass: FakeHass;
let received: Message[];
let request: Record<string, unknown> | undefined;

function setup(options: Parameters<typeof fakeHass>[0] = {}): SubscriptionController<Message> {
  host = new FakeHost();
  hass = fakeHass(options);
  received = [];
  request = { type: "piorchestrator/subscribe", entry_id: "entry-1" };
  const controller = new SubscriptionController<Message>(host as unknown as FakeHost & HTMLElement, {
    request: () => request,
    onMessage: (message) => received.push(message),
  });
  controller.hass = hass;
  host.connect();
  return controller;
}

/** Make the connection's unsubscribe functions fail with this error. */
function failUnsubscribe(error: unknown): void {
  const subscribe = hass.connection.subscribeMessage.bind(hass.connection);
  hass.connection.subscribeMessage = <T>(
    callback: (message: T) => void,
    message: Record<string, unknown>,
  ): Promise<Unsubscribe> =>
    subscribe(callback, message).then(() => async () => {
      throw error;
    });
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("subscription controller", () => {
  it("subscribes only on the page, with hass and a request, and only once", async () => {
    host = new FakeHost();
    hass = fakeHass();
    request = undefined;
    const controller = new SubscriptionController<Message>(host as unknown as FakeHost & HTMLElement, {
      request: () => request,
      onMessage: () => undefined,
    });
    controller.hass = hass;
    host.connect();
    expect(hass.subscriptions).toHaveLength(0);
    request = { type: "piorchestrator/subscribe_fleet" };
    controller.subscribe();
    controller.hass = { ...hass };
    controller.subscribe();
    await Promise.resolve();
    expect(hass.subscriptions.map((subscription) => subscription.message)).toEqual([
      { type: "piorchestrator/subscribe_fleet" },
    ]);
  });

  it("shows a refused subscription and asks again after RESUBSCRIBE_MS", async () => {
    vi.useFakeTimers();
    const controller = setup({ subscribeError: { code: "not_found", message: "Pi entry-1 is not loaded" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.error).toBe("Pi entry-1 is not loaded");
    expect(host.updates).toBe(1);
    hass.subscribeError = null;
    await vi.advanceTimersByTimeAsync(RESUBSCRIBE_MS - 1);
    expect(hass.subscriptions).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(hass.subscriptions).toHaveLength(1);
    // The error stays until the new subscription proves itself with a snapshot.
    hass.subscriptions[0].push({ kind: "changes", value: 1 });
    expect(controller.error).toBe("Pi entry-1 is not loaded");
    hass.subscriptions[0].push({ kind: "snapshot", value: 2 });
    expect(controller.error).toBeNull();
    expect(received.map((message) => message.value)).toEqual([1, 2]);
  });

  it("does not ask again once stopped", async () => {
    vi.useFakeTimers();
    const controller = setup({ subscribeError: { code: "not_found", message: "not loaded" } });
    await vi.advanceTimersByTimeAsync(0);
    hass.subscribeError = null;
    host.disconnect();
    await vi.advanceTimersByTimeAsync(RESUBSCRIBE_MS * 2);
    expect(hass.subscriptions).toHaveLength(0);
    expect(controller.error).toBe("not loaded");
  });

  it("says reconnecting from a dropped socket until the next snapshot", async () => {
    const controller = setup();
    await Promise.resolve();
    hass.subscriptions[0].push({ kind: "snapshot", value: 1 });
    expect(controller.reconnecting).toBe(false);
    const updates = host.updates;
    hass.dropConnection();
    expect(controller.reconnecting).toBe(true);
    expect(host.updates).toBe(updates + 1);
    hass.subscriptions[0].push({ kind: "changes", value: 2 });
    expect(controller.reconnecting).toBe(true);
    hass.subscriptions[0].push({ kind: "snapshot", value: 3 });
    expect(controller.reconnecting).toBe(false);
    expect(host.updates).toBe(updates + 2);
  });

  it("stops listening to a connection it left and to messages of an ended subscription", async () => {
    const controller = setup();
    await Promise.resolve();
    const first = hass;
    const stale = first.subscriptions[0];
    hass = fakeHass();
    controller.hass = hass;
    await Promise.resolve();
    expect(hass.subscriptions).toHaveLength(1);
    first.dropConnection();
    expect(controller.reconnecting).toBe(false);
    // A message already on its way when the subscription ended is dropped.
    stale.unsubscribed = false;
    stale.push({ kind: "snapshot", value: 9 });
    expect(received).toEqual([]);
  });

  it("ignores not_found when unsubscribing and warns about anything else", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    for (const [code, warnings] of [
      ["not_found", 0],
      ["unknown_error", 1],
    ] as const) {
      const controller = setup();
      await controller.stop();
      failUnsubscribe({ code, message: "boom" });
      controller.subscribe();
      await controller.stop();
      expect(hass.subscriptions).toHaveLength(2);
      expect(warn).toHaveBeenCalledTimes(warnings);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]).toEqual(["piorchestrator: could not unsubscribe:", "boom"]);
  });

  it("does not warn again about a refusal it already shows", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const controller = setup({ subscribeError: { code: "unauthorized", message: "Admins only" } });
    await Promise.resolve();
    expect(controller.error).toBe("Admins only");
    await controller.stop();
    expect(warn).not.toHaveBeenCalled();
  });
});
