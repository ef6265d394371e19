import { css } from "lit";

// Home Assistant's theme variables with fallbacks, so the cards also read well in themes
// (and test pages) that do not define them.
export const shared = css`
  :host {
    --pio-gap: var(--ha-space-3, 12px);
    --pio-radius: var(--ha-card-border-radius, 12px);
    --pio-fg: var(--primary-text-color, #212121);
    --pio-fg2: var(--secondary-text-color, #727272);
    --pio-accent: var(--primary-color, #03a9f4);
    --pio-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --pio-error: var(--error-color, #db4437);
    --pio-warning: var(--warning-color, #ffa600);
    --pio-success: var(--success-color, #43a047);
    --pio-bg: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--pio-fg);
  }
  button {
    font: inherit;
    font-size: var(--ha-font-size-s, 0.875rem);
    color: var(--text-primary-color, #fff);
    background: var(--pio-accent);
    border: 1px solid transparent;
    border-radius: 8px;
    padding: 6px 12px;
    min-height: 36px;
    cursor: pointer;
  }
  button.secondary {
    color: var(--pio-accent);
    background: transparent;
    border-color: var(--pio-divider);
  }
  button.danger {
    background: var(--pio-error);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.45;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  .focusable:focus-visible {
    outline: 2px solid var(--pio-accent);
    outline-offset: 2px;
  }
  input,
  textarea {
    font: inherit;
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: 1px solid var(--pio-divider);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
    min-height: 36px;
    max-width: 100%;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border-color: var(--pio-error);
  }
  .muted {
    color: var(--pio-fg2);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  .bar {
    height: 8px;
    border-radius: 4px;
    background: var(--pio-divider);
    overflow: hidden;
  }
  .bar > span {
    display: block;
    height: 100%;
    background: var(--pio-accent);
  }
  .field-error {
    color: var(--pio-error);
    font-size: var(--ha-font-size-s, 0.875rem);
  }
  dialog {
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: none;
    border-radius: var(--pio-radius);
    padding: 16px;
    max-width: min(92vw, 480px);
    box-sizing: border-box;
  }
  dialog:not([open]) {
    display: none;
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.4);
  }
`;

// Both cards' frame: a card that fills its cell of the dashboard grid, its title, and a
// status line shown only while it has something to say.
export const cardFrame = css`
  :host {
    display: block;
    container-type: inline-size;
  }
  ha-card {
    height: 100%;
    box-sizing: border-box;
    padding: 16px;
  }
  h2 {
    font-size: var(--ha-font-size-xl, 1.25rem);
    font-weight: var(--ha-font-weight-medium, 500);
  }
  .status:empty {
    display: none;
  }
  .status {
    color: var(--pio-warning);
  }
`;

/** Open `dialog` as a modal where the browser can; a plain open dialog otherwise. */
export function openDialog(dialog: HTMLDialogElement | null | undefined): void {
  if (!dialog || dialog.open) return;
  if (typeof dialog.showModal === "function") {
    try {
      dialog.showModal();
      return;
    } catch {
      // Not connected yet, or an engine without modal support: fall through.
    }
  }
  dialog.setAttribute("open", "");
}

export function closeDialog(dialog: HTMLDialogElement | null | undefined): void {
  if (!dialog) return;
  if (typeof dialog.close === "function") dialog.close();
  else dialog.removeAttribute("open");
  dialog.removeAttribute("open");
}
