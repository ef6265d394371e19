// The session card: one Pi's provisioning session, live from `piorchestrator/subscribe`,
// acting through the integration's services.

import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import "./board-tile";
import type { BoardActionDetail } from "./board-tile";
import { field, fieldError, fieldHint, streamStatuses } from "./templates";
import {
  boardLabel,
  boardSessionReason,
  countBoards,
  errorMessage,
  normalizeMac,
  parseMacList,
  passwordError,
  progress,
  retryableBoards,
  sessionActionReasons,
  sessionIsOpen,
  sessionStateLabel,
  sortBoards,
  ssidError,
  type SessionAction,
} from "./model";
import { reducePi } from "./reducer";
import { setLanguage, t, type StringKey } from "./strings";
import { cardFrame, closeDialog, openDialog, shared } from "./styles";
import { SubscriptionController } from "./subscription";
import type {
  AllowlistEntry,
  Board,
  EntryInfo,
  Hass,
  Pi,
  SessionCardConfig,
  SessionMessage,
} from "./types";

export const SESSION_CARD_TAG = "piorchestrator-session-card";
const DOMAIN = "piorchestrator";
export { RESUBSCRIBE_MS } from "./subscription";

interface ActionError {
  id: number;
  text: string;
}

export class PiorchestratorSessionCard extends LitElement {
  @state() private _config?: SessionCardConfig;
  @state() private _pi: Pi | null = null;
  @state() private _errors: ActionError[] = [];
  @state() private _pending: string | null = null;
  @state() private _pendingBoards: ReadonlySet<string> = new Set();
  @state() private _startError: { ssid?: string; password?: string } = {};
  @state() private _macError: string | null = null;
  @state() private _bulkError: string | null = null;
  @state() private _editing: string | null = null;

  private _errorId = 0;
  private _sortedFor?: readonly Board[];
  private _sorted: Board[] = [];
  private readonly _subscription = new SubscriptionController<SessionMessage>(this, {
    request: () => {
      const entryId = this._config?.entry_id;
      return entryId ? { type: `${DOMAIN}/subscribe`, entry_id: entryId } : undefined;
    },
    onMessage: (message) => {
      this._pi = reducePi(this._pi, message);
    },
  });

  // -- Home Assistant's card API -------------------------------------------------------

  static getConfigForm(): Record<string, unknown> {
    return {
      schema: [
        { name: "entry_id", required: true, selector: { config_entry: { integration: DOMAIN } } },
      ],
      computeLabel: (schema: { name: string }) =>
        schema.name === "entry_id" ? t("editor.entry") : undefined,
    };
  }

  static async getStubConfig(hass: Hass): Promise<SessionCardConfig> {
    let entryId = "";
    try {
      const entries = await hass.callWS<EntryInfo[]>({ type: `${DOMAIN}/entries` });
      entryId = (entries.find((entry) => entry.state === "loaded") ?? entries[0])?.entry_id ?? "";
    } catch {
      // Older integration or no permission: the editor still lets the user pick.
    }
    return { type: `custom:${SESSION_CARD_TAG}`, entry_id: entryId };
  }

  setConfig(config: SessionCardConfig): void {
    if (!config || typeof config !== "object") throw new Error(t("error.no_entry"));
    const changed = config.entry_id !== this._config?.entry_id;
    this._config = { ...config };
    if (changed) {
      void this._subscription.stop();
      this._pi = null;
      this._subscription.error = null;
      this._subscription.subscribe();
    }
  }

  set hass(hass: Hass) {
    setLanguage(hass.locale?.language ?? hass.language);
    this._subscription.hass = hass;
  }

  get hass(): Hass | undefined {
    return this._subscription.hass;
  }

  getCardSize(): number {
    const boards = this._pi?.boards.length ?? 0;
    return 4 + Math.min(12, Math.ceil(boards / 3) * 3);
  }

  getGridOptions(): Record<string, unknown> {
    return { columns: 12, rows: "auto", min_rows: 4, min_columns: 6 };
  }

  // -- Actions --------------------------------------------------------------------------

  private _addError(action: string, error: unknown): void {
    const text = t("error.action", { action, message: errorMessage(error) });
    this._errors = [...this._errors, { id: ++this._errorId, text }];
  }

  private async _call(
    label: string,
    service: string,
    data: Record<string, unknown> = {},
  ): Promise<boolean> {
    const hass = this.hass;
    const entryId = this._config?.entry_id;
    if (!hass || !entryId) return false;
    try {
      await hass.callService(DOMAIN, service, { config_entry_id: entryId, ...data });
      return true;
    } catch (error) {
      this._addError(label, error);
      return false;
    }
  }

  private async _sessionAction(action: SessionAction): Promise<void> {
    if (action === "start") {
      this._openStart();
      return;
    }
    const label = t(`action.${action}` as StringKey);
    this._pending = action;
    try {
      if (action === "retry_failed") {
        for (const board of retryableBoards(this._pi?.boards ?? [])) {
          await this._call(`${label} (${boardLabel(board)})`, "retry_device", { mac: board.mac });
        }
      } else {
        const service = {
          pause: "pause_batch",
          resume: "resume_batch",
          stop: "stop_batch",
          provision_all: "provision_all",
        }[action];
        await this._call(label, service);
      }
    } finally {
      this._pending = null;
    }
  }

  private async _boardAction(event: CustomEvent<BoardActionDetail>): Promise<void> {
    const { action, mac } = event.detail;
    const board = this._pi?.boards.find((candidate) => candidate.mac === mac);
    const label = `${t(`action.${action}` as StringKey)} (${board ? boardLabel(board) : mac})`;
    this._pendingBoards = new Set([...this._pendingBoards, mac]);
    try {
      await this._call(label, `${action}_device`, { mac });
    } finally {
      const next = new Set(this._pendingBoards);
      next.delete(mac);
      this._pendingBoards = next;
    }
  }

  private _dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector<HTMLDialogElement>("dialog.start");
  }

  private _openStart(): void {
    this._startError = {};
    openDialog(this._dialog());
    this.renderRoot.querySelector<HTMLInputElement>("#ssid")?.focus();
  }

  private _closeStart(): void {
    // The password leaves the page's memory with the dialog: nothing keeps a copy.
    const password = this.renderRoot.querySelector<HTMLInputElement>("#password");
    if (password) password.value = "";
    closeDialog(this._dialog());
  }

  private async _submitStart(event: Event): Promise<void> {
    event.preventDefault();
    const ssidInput = this.renderRoot.querySelector<HTMLInputElement>("#ssid");
    const passwordInput = this.renderRoot.querySelector<HTMLInputElement>("#password");
    if (!ssidInput || !passwordInput) return;
    const ssid = ssidInput.value;
    const errors = {
      ssid: ssidError(ssid) ?? undefined,
      password: passwordError(passwordInput.value) ?? undefined,
    };
    this._startError = errors;
    if (errors.ssid || errors.password) return;
    this._pending = "start";
    try {
      const ok = await this._call(t("action.start"), "start_batch", {
        target_ssid: ssid,
        target_password: passwordInput.value,
      });
      if (ok) this._closeStart();
    } finally {
      this._pending = null;
    }
  }

  private async _resumeRecoverable(sessionId: string): Promise<void> {
    this._pending = "resume_session";
    try {
      await this._call(t("action.resume"), "resume_session", { session_id: sessionId });
    } finally {
      this._pending = null;
    }
  }

  private _input(selector: string): HTMLInputElement | HTMLTextAreaElement | null {
    return this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector);
  }

  private async _addEntry(event: Event): Promise<void> {
    event.preventDefault();
    const macInput = this._input("#al-mac");
    if (!macInput) return;
    const mac = normalizeMac(macInput.value);
    if (mac === null) {
      this._macError = t("allowlist.invalid_mac", { value: macInput.value || "''" });
      return;
    }
    this._macError = null;
    const description = this._input("#al-description")?.value.trim() ?? "";
    const container = this._input("#al-container")?.value.trim() ?? "";
    this._pending = "allowlist_add";
    try {
      const ok = await this._call(t("action.add"), "allowlist_add", {
        mac,
        ...(description ? { description } : {}),
        ...(container ? { container_id: container } : {}),
      });
      if (ok) {
        for (const selector of ["#al-mac", "#al-description", "#al-container"]) {
          const input = this._input(selector);
          if (input) input.value = "";
        }
      }
    } finally {
      this._pending = null;
    }
  }

  private async _addBulk(event: Event): Promise<void> {
    event.preventDefault();
    const area = this._input("#al-bulk");
    if (!area) return;
    const { macs, invalid } = parseMacList(area.value);
    if (invalid.length) {
      this._bulkError = t("allowlist.bulk_invalid", { values: invalid.join(", ") });
      return;
    }
    if (!macs.length) {
      this._bulkError = t("allowlist.bulk_none");
      return;
    }
    this._bulkError = null;
    this._pending = "allowlist_bulk";
    let allOk = true;
    try {
      for (const mac of macs) {
        allOk = (await this._call(`${t("action.add")} (${mac})`, "allowlist_add", { mac })) && allOk;
      }
      if (allOk) area.value = "";
    } finally {
      this._pending = null;
    }
  }

  private async _saveEntry(event: Event, mac: string): Promise<void> {
    event.preventDefault();
    const description = this._input("#edit-description")?.value.trim() ?? "";
    const container = this._input("#edit-container")?.value.trim() ?? "";
    this._pending = "allowlist_update";
    try {
      const ok = await this._call(`${t("action.save")} (${mac})`, "allowlist_update", {
        mac,
        description,
        container_id: container,
      });
      if (ok) this._editing = null;
    } finally {
      this._pending = null;
    }
  }

  private async _removeEntry(mac: string): Promise<void> {
    this._pending = "allowlist_remove";
    try {
      await this._call(`${t("action.remove")} (${mac})`, "allowlist_remove", { mac: [mac] });
    } finally {
      this._pending = null;
    }
  }

  // -- Rendering ------------------------------------------------------------------------

  private _sortedBoards(boards: readonly Board[]): Board[] {
    if (boards !== this._sortedFor) {
      this._sortedFor = boards;
      this._sorted = sortBoards(boards);
    }
    return this._sorted;
  }

  protected override render(): TemplateResult {
    if (!this._config?.entry_id) {
      return html`<ha-card><div class="message">${t("error.no_entry")}</div></ha-card>`;
    }
    const pi = this._pi;
    return html`
      <ha-card>
        ${pi ? this._renderHeader(pi) : nothing}
        ${this._renderStatus(pi)}
        <div class="errors" role="alert" aria-live="assertive">
          ${this._errors.map(
            (error) => html`<div class="error-line">
              <span>${error.text}</span>
              <button
                class="secondary"
                aria-label=${`${t("action.dismiss")}: ${error.text}`}
                @click=${() => (this._errors = this._errors.filter((e) => e.id !== error.id))}
              >
                ${t("action.dismiss")}
              </button>
            </div>`,
          )}
        </div>
        ${pi
          ? html`${this._renderRecoverable(pi)} ${this._renderActions(pi)} ${this._renderBoards(pi)}
            ${this._renderAllowlist(pi)}`
          : nothing}
        ${this._renderStartDialog()}
      </ha-card>
    `;
  }

  private _renderStatus(pi: Pi | null): TemplateResult | typeof nothing {
    let text: string | null = null;
    const subscription = this._subscription;
    if (subscription.error) text = t("status.subscribe_failed", { message: subscription.error });
    else if (subscription.reconnecting) text = t("status.reconnecting");
    else if (!pi) text = t("status.loading");
    return html`<div class="status ${subscription.error ? "bad" : ""}" role="status" aria-live="polite">
      ${text ?? nothing}
    </div>`;
  }

  private _renderHeader(pi: Pi): TemplateResult {
    const counts = countBoards(pi.boards);
    const share = progress(counts);
    const done = counts.verified + counts.failed;
    const session = pi.session;
    return html`
      <header>
        <div class="title-row">
          <h2>${pi.title}</h2>
          <span class="chip session-state">${sessionStateLabel(session)}</span>
        </div>
        <div class="streams">
          ${streamStatuses(pi.streams)}
        </div>
        ${session?.target_ssid
          ? html`<div class="target">${t("session.target", { ssid: session.target_ssid })}</div>`
          : nothing}
        <div
          class="bar"
          role="progressbar"
          aria-label=${t("session.progress")}
          aria-valuemin="0"
          aria-valuemax=${counts.found}
          aria-valuenow=${done}
          aria-valuetext=${t("aria.progress", { done, total: counts.found })}
        >
          <span style=${`width:${Math.round(share * 100)}%`}></span>
        </div>
        <dl class="counts">
          <div><dt>${t("count.found")}</dt><dd class="found">${counts.found}</dd></div>
          <div><dt>${t("count.busy")}</dt><dd class="busy">${counts.busy}</dd></div>
          <div><dt>${t("count.verified")}</dt><dd class="verified">${counts.verified}</dd></div>
          <div class=${counts.failed ? "has-failed" : ""}>
            <dt>${t("count.failed")}</dt><dd class="failed">${counts.failed}</dd>
          </div>
        </dl>
      </header>
    `;
  }

  private _renderRecoverable(pi: Pi): TemplateResult | typeof nothing {
    if (!pi.recoverable?.length || sessionIsOpen(pi.session)) return nothing;
    return html`${pi.recoverable.map(
      (item) => html`<div class="banner" role="region" aria-label=${t("recover.title")}>
        <div>
          <strong>${t("recover.title")}</strong>
          <p>
            ${t("recover.text", {
              id: item.id,
              ssid: item.target_ssid ?? "?",
              count: item.device_count,
              state: item.state,
            })}
          </p>
        </div>
        <button
          class="resume-recoverable"
          ?disabled=${this._pending !== null}
          @click=${() => this._resumeRecoverable(item.id)}
        >
          ${t("action.resume")}
        </button>
      </div>`,
    )}`;
  }

  private _renderActions(pi: Pi): TemplateResult {
    const reasons = sessionActionReasons(pi, this._pending !== null);
    const paused = pi.session?.state === "paused";
    const actions: SessionAction[] = [
      "start",
      paused ? "resume" : "pause",
      "stop",
      "provision_all",
      "retry_failed",
    ];
    return html`<div class="actions" role="group" aria-label=${t("session.progress")}>
      ${actions.map((action) => {
        const reason = reasons[action];
        return html`<div class="action">
          <button
            class=${action === "stop" ? "danger" : ""}
            data-action=${action}
            ?disabled=${!!reason}
            aria-describedby=${reason ? `reason-${action}` : nothing}
            @click=${() => this._sessionAction(action)}
          >
            ${t(`action.${action}` as StringKey)}
          </button>
          ${reason ? html`<span class="reason" id=${`reason-${action}`}>${reason}</span>` : nothing}
        </div>`;
      })}
    </div>`;
  }

  private _renderBoards(pi: Pi): TemplateResult {
    const boards = this._sortedBoards(pi.boards);
    const sessionReason = boardSessionReason(pi);
    const pending = this._pendingBoards;
    return html`<section class="boards" aria-label=${t("boards.title")}>
      <h3>${t("boards.title")}</h3>
      ${boards.length
        ? html`<div class="grid" role="list">
            ${repeat(
              boards,
              (board) => board.mac,
              (board) =>
                html`<piorchestrator-board-tile
                  role="listitem"
                  .board=${board}
                  .sessionReason=${sessionReason}
                  .busy=${pending.has(board.mac)}
                  @board-action=${this._onBoardAction}
                ></piorchestrator-board-tile>`,
            )}
          </div>`
        : html`<p class="muted">${t("boards.empty")}</p>`}
    </section>`;
  }

  private readonly _onBoardAction = (event: Event): void => {
    void this._boardAction(event as CustomEvent<BoardActionDetail>);
  };

  private _renderAllowlist(pi: Pi): TemplateResult | typeof nothing {
    if (!pi.is_admin || !Array.isArray(pi.allowlist)) return nothing;
    const counts = pi.allowlist_counts;
    const busy = this._pending !== null;
    return html`<section class="allowlist" aria-label=${t("allowlist.title")}>
      <h3>${t("allowlist.title")}</h3>
      ${counts ? html`<p class="muted">${t("allowlist.counts", { ...counts })}</p>` : nothing}
      ${pi.allowlist.length
        ? html`<ul class="entries">
            ${repeat(
              pi.allowlist,
              (entry) => entry.mac,
              (entry) => this._renderEntry(entry, busy),
            )}
          </ul>`
        : html`<p class="muted">${t("allowlist.empty")}</p>`}
      <form class="add" @submit=${this._addEntry} novalidate>
        <h4>${t("allowlist.add_title")}</h4>
        ${field({
          id: "al-mac",
          label: t("allowlist.mac"),
          error: this._macError,
          autocomplete: "off",
          spellcheck: false,
          placeholder: "AA:BB:CC:DD:EE:FF",
        })}
        ${field({ id: "al-description", label: t("allowlist.description"), autocomplete: "off" })}
        ${field({ id: "al-container", label: t("allowlist.container"), autocomplete: "off" })}
        <button type="submit" ?disabled=${busy}>${t("action.add")}</button>
        ${fieldError("al-mac", this._macError)}
      </form>
      <form class="bulk" @submit=${this._addBulk} novalidate>
        ${field({
          id: "al-bulk",
          label: t("allowlist.bulk_title"),
          error: this._bulkError,
          hint: true,
          rows: 3,
          spellcheck: false,
        })}
        ${fieldHint("al-bulk", t("allowlist.bulk_hint"))}
        <button type="submit" ?disabled=${busy}>${t("action.add_all")}</button>
        ${fieldError("al-bulk", this._bulkError)}
      </form>
    </section>`;
  }

  private _renderEntry(entry: AllowlistEntry, busy: boolean): TemplateResult {
    if (this._editing === entry.mac) {
      return html`<li class="entry editing" data-mac=${entry.mac}>
        <form @submit=${(event: Event) => this._saveEntry(event, entry.mac)}>
          <span class="mac">${entry.mac}</span>
          ${field({
            id: "edit-description",
            label: t("allowlist.description"),
            value: entry.description ?? "",
            autocomplete: "off",
          })}
          ${field({
            id: "edit-container",
            label: t("allowlist.container"),
            value: entry.container_id ?? "",
            autocomplete: "off",
          })}
          <button type="submit" ?disabled=${busy}>${t("action.save")}</button>
          <button type="button" class="secondary" @click=${() => (this._editing = null)}>
            ${t("action.cancel")}
          </button>
        </form>
      </li>`;
    }
    return html`<li class="entry ${entry.used ? "used" : ""}" data-mac=${entry.mac}>
      <span class="mac">${entry.mac}</span>
      <span class="description">${entry.description ?? ""}</span>
      <span class="container muted">${entry.container_id ?? ""}</span>
      <span class="used-state">${entry.used ? t("allowlist.used") : t("allowlist.available")}</span>
      <span class="entry-actions">
        <button
          class="secondary"
          data-action="edit"
          aria-label=${t("aria.entry_action", { action: t("action.edit"), mac: entry.mac })}
          ?disabled=${busy}
          @click=${() => (this._editing = entry.mac)}
        >
          ${t("action.edit")}
        </button>
        <button
          class="danger"
          data-action="remove"
          aria-label=${t("aria.entry_action", { action: t("action.remove"), mac: entry.mac })}
          ?disabled=${busy}
          @click=${() => this._removeEntry(entry.mac)}
        >
          ${t("action.remove")}
        </button>
      </span>
    </li>`;
  }

  private _renderStartDialog(): TemplateResult {
    const error = this._startError;
    return html`<dialog
      class="start"
      aria-labelledby="start-title"
      @close=${this._closeStart}
      @cancel=${this._closeStart}
    >
      <form @submit=${this._submitStart} novalidate>
        <h3 id="start-title">${t("start.title")}</h3>
        ${field({
          id: "ssid",
          label: t("start.ssid"),
          error: error.ssid ?? null,
          name: "ssid",
          autocomplete: "off",
          required: true,
        })}
        ${fieldError("ssid", error.ssid)}
        ${field({
          id: "password",
          label: t("start.password"),
          error: error.password ?? null,
          hint: true,
          type: "password",
          autocomplete: "new-password",
        })}
        ${fieldHint("password", t("start.password_hint"))}
        ${fieldError("password", error.password)}
        <div class="dialog-actions">
          <button type="button" class="secondary" @click=${this._closeStart}>
            ${t("action.cancel")}
          </button>
          <button type="submit" class="submit" ?disabled=${this._pending === "start"}>
            ${t("action.start")}
          </button>
        </div>
      </form>
    </dialog>`;
  }

  static override styles = [
    shared,
    cardFrame,
    css`
      ha-card {
        display: flex;
        flex-direction: column;
        gap: var(--pio-gap);
      }
      header {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
      }
      h2 {
        margin: 0;
        overflow-wrap: anywhere;
      }
      h3 {
        margin: 0 0 8px;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      h4 {
        margin: 0;
        width: 100%;
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .chip {
        border: 1px solid var(--pio-divider);
        border-radius: 12px;
        padding: 2px 10px;
        font-size: var(--ha-font-size-s, 0.875rem);
      }
      .streams {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .stream-connected::before,
      .stream-reconnecting::before,
      .stream-polling::before,
      .stream-offline::before {
        content: "";
        display: inline-block;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        margin-right: 4px;
        background: var(--pio-success);
      }
      .stream-reconnecting::before,
      .stream-polling::before {
        background: var(--pio-warning);
      }
      .stream-offline::before {
        background: var(--pio-error);
      }
      .counts {
        display: grid;
        grid-template-columns: repeat(4, minmax(0, 1fr));
        gap: 4px;
        margin: 0;
        text-align: center;
      }
      .counts dt {
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .counts dd {
        margin: 0;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-bold, 600);
      }
      .counts .has-failed dd {
        color: var(--pio-error);
      }
      .errors:empty {
        display: none;
      }
      .status.bad {
        color: var(--pio-error);
      }
      .error-line {
        display: flex;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
        color: var(--pio-error);
        border: 1px solid var(--pio-error);
        border-radius: 8px;
        padding: 6px 8px;
        margin-bottom: 4px;
        overflow-wrap: anywhere;
      }
      .banner {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        justify-content: space-between;
        border: 1px solid var(--pio-warning);
        border-radius: 8px;
        padding: 8px 12px;
      }
      .banner p {
        margin: 4px 0 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      .action {
        display: flex;
        flex-direction: column;
        gap: 2px;
        max-width: 220px;
      }
      .reason {
        font-size: var(--ha-font-size-xs, 0.75rem);
        color: var(--pio-fg2);
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 215px), 1fr));
        gap: 8px;
      }
      .entries {
        list-style: none;
        margin: 0 0 12px;
        padding: 0;
      }
      .entry {
        display: grid;
        grid-template-columns: minmax(150px, auto) 1fr auto auto auto;
        gap: 4px 12px;
        align-items: center;
        padding: 6px 0;
        border-bottom: 1px solid var(--pio-divider);
      }
      .entry.editing form,
      form.add,
      form.bulk {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: flex-end;
      }
      form.bulk {
        margin-top: 12px;
      }
      .entry.editing {
        display: block;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      form.bulk label {
        width: 100%;
      }
      textarea {
        width: 100%;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
      }
      .entry.used .used-state {
        color: var(--pio-fg2);
      }
      .entry-actions {
        display: flex;
        gap: 6px;
      }
      @container (max-width: 600px) {
        .entry {
          grid-template-columns: 1fr auto;
        }
        .counts {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
      }
      dialog form {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      dialog input {
        width: 100%;
      }
      .dialog-actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 8px;
      }
      .message {
        padding: 8px 0;
      }
      .hint {
        font-size: var(--ha-font-size-s, 0.875rem);
      }
    `,
  ];
}

if (!customElements.get(SESSION_CARD_TAG)) {
  customElements.define(SESSION_CARD_TAG, PiorchestratorSessionCard);
}

declare global {
  interface HTMLElementTagNameMap {
    "piorchestrator-session-card": PiorchestratorSessionCard;
  }
}
