// One board of the grid. Its own element, so that a change to one board re-renders only
// that tile: its inputs are the (immutable) board object and primitives, and Lit skips
// the update when none of them changed identity.

import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { property } from "lit/decorators.js";
import {
  boardActionReasons,
  boardColor,
  boardIcon,
  boardLabel,
  boardStateLabel,
  signalBars,
  type BoardAction,
} from "./model";
import { t, type StringKey } from "./strings";
import { shared } from "./styles";
import type { Board } from "./types";

export const BOARD_TILE_TAG = "piorchestrator-board-tile";

export interface BoardActionDetail {
  action: BoardAction;
  mac: string;
}

export class PiorchestratorBoardTile extends LitElement {
  @property({ attribute: false }) board!: Board;
  /** The refusal shared by every board (no session, paused...), or null. */
  @property({ attribute: false }) sessionReason: string | null = null;
  /** An action on this board is waiting for the Pi's answer. */
  @property({ type: Boolean }) busy = false;

  static override styles = [
    shared,
    css`
      :host {
        display: block;
        /* A 500-board session: the browser lays out and paints only the tiles in view. */
        content-visibility: auto;
        contain-intrinsic-size: auto 170px;
      }
      article {
        height: 100%;
        box-sizing: border-box;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--state-color);
        border-radius: 8px;
        padding: 8px 10px;
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 0;
      }
      article.failed {
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .top {
        display: flex;
        align-items: center;
        gap: 6px;
        min-width: 0;
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      ha-icon {
        color: var(--state-color);
        --mdc-icon-size: 20px;
        flex: none;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        overflow-wrap: anywhere;
      }
      .state {
        color: var(--state-color);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        margin: 0;
      }
      .meta div {
        display: flex;
        gap: 4px;
      }
      .meta dd {
        margin: 0;
        color: var(--pio-fg);
        overflow-wrap: anywhere;
      }
      .error {
        color: var(--pio-error);
        font-size: var(--ha-font-size-s, 0.875rem);
        margin: 0;
        overflow-wrap: anywhere;
      }
      .signal {
        display: inline-flex;
        align-items: flex-end;
        gap: 2px;
        height: 14px;
        flex: none;
      }
      .signal i {
        width: 3px;
        background: var(--pio-divider);
        border-radius: 1px;
      }
      .signal i.on {
        background: var(--pio-fg);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: auto;
        padding-top: 4px;
      }
      .actions button {
        padding: 4px 8px;
        min-height: 32px;
      }
    `,
  ];

  protected override render(): TemplateResult | typeof nothing {
    const board = this.board;
    if (!board) return nothing;
    const label = boardLabel(board);
    const reasons = this.busy
      ? { provision: t("reason.busy"), retry: t("reason.busy"), skip: t("reason.busy") }
      : boardActionReasons(board, this.sessionReason);
    const stateClass = /^[a-z_]+$/.test(board.state) ? board.state : "unknown";
    return html`
      <article
        class=${stateClass}
        style=${`--state-color:${boardColor(board.state)}`}
        aria-label=${label}
      >
        <div class="top">
          <ha-icon icon=${boardIcon(board.state)} aria-hidden="true"></ha-icon>
          <span class="name" title=${label}>${label}</span>
          ${this._signal(board.rssi)}
        </div>
        ${board.name ? html`<div class="mac">${board.mac}</div>` : nothing}
        <div class="state">${boardStateLabel(board.state)}</div>
        <dl class="meta">
          ${board.ip
            ? html`<div><dt>${t("board.ip")}</dt><dd>${board.ip}</dd></div>`
            : nothing}
          <div><dt>${t("board.retries")}</dt><dd>${board.retry_count}</dd></div>
          ${board.in_allowlist
            ? nothing
            : html`<div><dd>${t("board.not_allowlisted")}</dd></div>`}
        </dl>
        ${board.state === "failed" && board.error
          ? html`<p class="error">${board.error}</p>`
          : nothing}
        <div class="actions">
          ${(["provision", "retry", "skip"] as const).map((action) =>
            this._button(action, label, reasons[action]),
          )}
        </div>
      </article>
    `;
  }

  private _signal(rssi: number | null): TemplateResult {
    const bars = signalBars(rssi);
    const text =
      bars === null ? t("aria.signal_unknown") : t("aria.signal", { bars, rssi: rssi ?? "" });
    return html`<span class="signal" role="img" aria-label=${text} title=${text}>
      ${[1, 2, 3, 4].map(
        (level) =>
          html`<i class=${bars !== null && level <= bars ? "on" : ""} style=${`height:${level * 25}%`}></i>`,
      )}
    </span>`;
  }

  private _button(action: BoardAction, label: string, reason: string | undefined): TemplateResult {
    const name = t(`action.${action}` as StringKey);
    return html`<button
      class=${action === "skip" ? "secondary" : ""}
      data-action=${action}
      ?disabled=${!!reason}
      title=${reason ?? name}
      aria-label=${t("aria.board_action", { action: name, name: label })}
      aria-description=${reason ?? nothing}
      @click=${() => this._fire(action)}
    >
      ${name}
    </button>`;
  }

  private _fire(action: BoardAction): void {
    this.dispatchEvent(
      new CustomEvent<BoardActionDetail>("board-action", {
        detail: { action, mac: this.board.mac },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

if (!customElements.get(BOARD_TILE_TAG)) customElements.define(BOARD_TILE_TAG, PiorchestratorBoardTile);

declare global {
  interface HTMLElementTagNameMap {
    [BOARD_TILE_TAG]: PiorchestratorBoardTile;
  }
}
