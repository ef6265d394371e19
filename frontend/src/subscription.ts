// The life of one `subscribeMessage` subscription, shared by the cards: it follows the
// host onto and off the page and onto a new connection, asks again after a refusal, and
// says "reconnecting" from a dropped socket until the next snapshot.

import type { ReactiveController, ReactiveControllerHost } from "lit";
import { errorMessage } from "./model";
import type { Hass, Unsubscribe } from "./types";

/** After a refused subscription (entry not loaded yet), when to ask again. */
export const RESUBSCRIBE_MS = 30_000;

export interface SubscriptionOptions<M extends { kind: string }> {
  /** The subscribe message, or undefined while the card's config does not allow one. */
  request: () => Record<string, unknown> | undefined;
  /** Every message of the current subscription, after a snapshot cleared the status. */
  onMessage: (message: M) => void;
}

export class SubscriptionController<M extends { kind: string }> implements ReactiveController {
  private _hass?: Hass;
  private _unsubscribe?: Promise<Unsubscribe>;
  // Callbacks of an ended subscription may still arrive; only the current generation counts.
  private _generation = 0;
  private _retry?: ReturnType<typeof setTimeout>;
  /** The connection the subscription and its listener belong to (hass may have moved on). */
  private _connection?: Hass["connection"];
  private _error: string | null = null;
  private _reconnecting = false;
  private readonly _onDisconnected = (): void => {
    this._setReconnecting(true);
  };

  constructor(
    private readonly _host: ReactiveControllerHost & HTMLElement,
    private readonly _options: SubscriptionOptions<M>,
  ) {
    _host.addController(this);
  }

  /** Why the last subscription was refused, until a snapshot arrives. */
  get error(): string | null {
    return this._error;
  }

  set error(value: string | null) {
    this._setError(value);
  }

  /** The socket dropped and no snapshot has arrived since. */
  get reconnecting(): boolean {
    return this._reconnecting;
  }

  get hass(): Hass | undefined {
    return this._hass;
  }

  /** A new hass object comes with every state change; only a new connection resubscribes. */
  set hass(hass: Hass) {
    const old = this._hass;
    this._hass = hass;
    if (old && old.connection !== hass.connection) void this.stop();
    this.subscribe();
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostDisconnected(): void {
    void this.stop();
  }

  /** Subscribe unless already subscribed, off the page, or without hass or a request. */
  subscribe(): void {
    const hass = this._hass;
    if (!this._host.isConnected || !hass || this._unsubscribe) return;
    const request = this._options.request();
    if (!request) return;
    const generation = ++this._generation;
    const connection = hass.connection;
    this._connection = connection;
    // A retry subscribes again on the same connection: never listen twice.
    connection.removeEventListener?.("disconnected", this._onDisconnected);
    connection.addEventListener?.("disconnected", this._onDisconnected);
    this._unsubscribe = connection.subscribeMessage<M>((message) => {
      if (generation !== this._generation) return;
      if (message.kind === "snapshot") {
        this._setReconnecting(false);
        this._setError(null);
      }
      this._options.onMessage(message);
    }, request);
    this._unsubscribe.catch((error: unknown) => {
      if (generation !== this._generation) return;
      this._setError(errorMessage(error));
      // The entry may load later (Pi unreachable at start-up, reload): try again.
      this._retry = setTimeout(() => {
        if (generation !== this._generation) return;
        this._unsubscribe = undefined;
        this.subscribe();
      }, RESUBSCRIBE_MS);
    });
  }

  async stop(): Promise<void> {
    const pending = this._unsubscribe;
    this._unsubscribe = undefined;
    this._generation += 1;
    clearTimeout(this._retry);
    this._connection?.removeEventListener?.("disconnected", this._onDisconnected);
    this._connection = undefined;
    if (!pending) return;
    try {
      const unsubscribe = await pending;
      await unsubscribe();
    } catch (error) {
      // not_found: the subscription is already gone (entry unloaded, socket closed), or it
      // never started; the failure was shown when it happened. Anything else is unexpected.
      if ((error as { code?: unknown } | null)?.code !== "not_found" && !this._error) {
        console.warn("piorchestrator: could not unsubscribe:", errorMessage(error));
      }
    }
  }

  // The host renders both; as with its own @state, only a change asks for an update.
  private _setError(value: string | null): void {
    if (this._error === value) return;
    this._error = value;
    this._host.requestUpdate();
  }

  private _setReconnecting(value: boolean): void {
    if (this._reconnecting === value) return;
    this._reconnecting = value;
    this._host.requestUpdate();
  }
}
