// The fleet card: every configured Pi on one card, live from
// `piorchestrator/subscribe_fleet`; a row opens that Pi's session card in a dialog.

import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { boardLabel, formatNumber, sessionStateLabel } from "./model";
import { reduceFleet } from "./reducer";
import { SESSION_CARD_TAG, type PiorchestratorSessionCard } from "./session-card";
import { setLanguage, t, type StringKey } from "./strings";
import { cardFrame, closeDialog, openDialog, shared } from "./styles";
import { SubscriptionController } from "./subscription";
import { streamStatuses } from "./templates";
import type { FleetCardConfig, FleetMessage, Hass, PiSummary } from "./types";

export const FLEET_CARD_TAG = "piorchestrator-fleet-card";
const DOMAIN = "piorchestrator";

export class PiorchestratorFleetCard extends LitElement {
  @state() private _config?: FleetCardConfig;
  @state() private _pis: PiSummary[] | null = null;
  @state() private _open: PiSummary | null = null;

  private _sessionCard?: PiorchestratorSessionCard;
  private readonly _subscription = new SubscriptionController<FleetMessage>(this, {
    request: () => (this._config ? { type: `${DOMAIN}/subscribe_fleet` } : undefined),
    onMessage: (message) => {
      this._pis = reduceFleet(this._pis, message);
    },
  });

  static getStubConfig(): FleetCardConfig {
    return { type: `custom:${FLEET_CARD_TAG}` };
  }

  setConfig(config: FleetCardConfig): void {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    this._config = { ...config };
    this._subscription.subscribe();
  }

  set hass(hass: Hass) {
    setLanguage(hass.locale?.language ?? hass.language);
    if (this._sessionCard) this._sessionCard.hass = hass;
    this._subscription.hass = hass;
  }

  get hass(): Hass | undefined {
    return this._subscription.hass;
  }

  getCardSize(): number {
    return 2 + (this._pis?.length ?? 1) * 2;
  }

  getGridOptions(): Record<string, unknown> {
    return { columns: 12, rows: "auto", min_rows: 2, min_columns: 6 };
  }

  override disconnectedCallback(): void {
    this._closeSession();
    // Ends the subscription (the controller's hostDisconnected).
    super.disconnectedCallback();
  }

  private _openSession(pi: PiSummary): void {
    this._closeSession();
    this._open = pi;
    const card = document.createElement(SESSION_CARD_TAG);
    card.setConfig({ type: `custom:${SESSION_CARD_TAG}`, entry_id: pi.entry_id });
    if (this.hass) card.hass = this.hass;
    this._sessionCard = card;
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>("dialog.session-dialog");
    dialog?.querySelector(".dialog-body")?.replaceChildren(card);
    openDialog(dialog);
  }

  private _closeSession(): void {
    // Removing the card ends its subscription (its disconnectedCallback).
    this._sessionCard?.remove();
    this._sessionCard = undefined;
    this._open = null;
    closeDialog(this.renderRoot?.querySelector<HTMLDialogElement>("dialog.session-dialog"));
  }

  protected override render(): TemplateResult {
    const pis = this._pis;
    let status: string | null = null;
    if (this._subscription.error) {
      status = t("status.subscribe_failed", { message: this._subscription.error });
    } else if (this._subscription.reconnecting) status = t("status.reconnecting");
    else if (!pis) status = t("status.loading");
    return html`<ha-card>
      <h2>${t("fleet.title")}</h2>
      <div class="status" role="status" aria-live="polite">${status ?? nothing}</div>
      ${pis && !pis.length ? html`<p class="muted">${t("fleet.empty")}</p>` : nothing}
      ${pis?.length
        ? html`<ul class="rows">
            ${repeat(
              pis,
              (pi) => pi.entry_id,
              (pi) => this._renderRow(pi),
            )}
          </ul>`
        : nothing}
      <dialog
        class="session-dialog"
        aria-label=${this._open?.title ?? t("card.session.name")}
        @close=${this._closeSession}
      >
        <div class="dialog-head">
          <button class="secondary close" @click=${this._closeSession}>${t("action.close")}</button>
        </div>
        <div class="dialog-body"></div>
      </dialog>
    </ha-card>`;
  }

  private _renderRow(pi: PiSummary): TemplateResult {
    const session = pi.session;
    const total = session ? session.device_count || pi.board_count || 0 : 0;
    const done = (session?.verified_count ?? 0) + (session?.failed_count ?? 0);
    const share = total ? Math.min(1, done / total) : 0;
    const failed = pi.failed_boards ?? [];
    const health = [
      formatNumber(pi.health?.cpu_percent) !== null
        ? t("health.cpu", { value: formatNumber(pi.health.cpu_percent)! })
        : null,
      formatNumber(pi.health?.memory_percent) !== null
        ? t("health.memory", { value: formatNumber(pi.health.memory_percent)! })
        : null,
      formatNumber(pi.health?.temperature, 1) !== null
        ? t("health.temperature", { value: formatNumber(pi.health.temperature, 1)! })
        : null,
    ].filter((part): part is string => part !== null);
    const door = pi.door ?? { door: "unknown", lock: "unknown" };
    const doorText = `${known("door", door.door)}, ${known("lock", door.lock)}`;
    return html`<li class=${failed.length ? "has-failed" : ""} data-entry=${pi.entry_id}>
      <button
        class="row"
        aria-label=${t("fleet.open", { name: pi.title })}
        @click=${() => this._openSession(pi)}
      >
        <span class="name">${pi.title}</span>
        <span class="cell streams">
          ${streamStatuses(pi.streams)}
        </span>
        <span class="cell health">${health.length ? health.join(" · ") : "—"}</span>
        <span class="cell door">${doorText}</span>
        <span class="cell session">
          <span
            >${sessionStateLabel(session)}${total
              ? html` · ${done}/${total}`
              : nothing}</span
          >
          <span class="bar" aria-hidden="true"
            ><span style=${`width:${Math.round(share * 100)}%`}></span
          ></span>
        </span>
        ${failed.length
          ? html`<span class="cell failed"
              >${t("fleet.failed", {
                count: failed.length,
                names: failed.map((board) => boardLabel(board)).join(", "),
              })}</span
            >`
          : nothing}
      </button>
    </li>`;
  }

  static override styles = [
    shared,
    cardFrame,
    css`
      h2 {
        margin: 0 0 8px;
      }
      .rows {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      button.row {
        width: 100%;
        text-align: left;
        color: var(--pio-fg);
        background: transparent;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--pio-success);
        display: grid;
        grid-template-columns:
          minmax(0, 1.2fr) minmax(0, 1fr) minmax(0, 1.4fr) minmax(0, 0.9fr)
          minmax(0, 1.2fr);
        gap: 4px 12px;
        align-items: center;
        padding: 8px 10px;
      }
      li.has-failed button.row {
        border-left-color: var(--pio-error);
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        overflow-wrap: anywhere;
      }
      .cell {
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      .streams {
        display: flex;
        flex-direction: column;
      }
      .stream-reconnecting,
      .stream-polling {
        color: var(--pio-warning);
      }
      .stream-offline {
        color: var(--pio-error);
      }
      .session {
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      .failed {
        grid-column: 1 / -1;
        color: var(--pio-error);
        overflow-wrap: anywhere;
      }
      @container (max-width: 640px) {
        button.row {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      dialog.session-dialog {
        width: min(96vw, 1100px);
        max-width: 96vw;
        max-height: 92vh;
        overflow: auto;
        padding: 8px;
      }
      .dialog-head {
        display: flex;
        justify-content: flex-end;
        align-items: center;
        padding: 4px 8px 8px;
      }
    `,
  ];
}

function known(prefix: "door" | "lock", value: string): string {
  return ["open", "closed", "locked", "unlocked", "unknown"].includes(value)
    ? t(`${prefix}.${value}` as StringKey)
    : value;
}

if (!customElements.get(FLEET_CARD_TAG)) {
  customElements.define(FLEET_CARD_TAG, PiorchestratorFleetCard);
}

declare global {
  interface HTMLElementTagNameMap {
    "piorchestrator-fleet-card": PiorchestratorFleetCard;
  }
}
