// Markup the cards share. Form fields: one place wires a field to its hint and error, so
// a screen reader announces both and a field with an error is marked invalid, in every
// form alike.

import { html, nothing, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { streamLabel } from "./model";
import { t } from "./strings";
import type { Streams } from "./types";

/** Each stream's status, named and colour-coded by class; a stream not reported is offline. */
export function streamStatuses(streams: Streams | undefined): TemplateResult[] {
  return (["events", "monitor"] as const).map((name) => {
    const state = streams?.[name] ?? "offline";
    return html`<span class="stream stream-${state}"
      >${t(`stream.${name}`)}: ${streamLabel(state)}</span
    >`;
  });
}

export interface FieldOptions {
  /** The control's id; its hint and error elements are `${id}-hint` and `${id}-error`. */
  id: string;
  label: string;
  /** A checked field's error: the message, or null while there is none. Unchecked: absent. */
  error?: string | null;
  /** Whether a `fieldHint` explains the field. */
  hint?: boolean;
  /** A textarea of this many rows instead of a one-line input. */
  rows?: number;
  /** Filled in when first shown, as when editing what exists. */
  value?: string;
  type?: "password";
  name?: string;
  autocomplete?: string;
  placeholder?: string;
  required?: boolean;
  /** Off for what is no prose, such as MAC addresses. */
  spellcheck?: false;
}

/** A labelled input (or textarea); its hint and error go where the form lays them out. */
export function field(options: FieldOptions): TemplateResult {
  const { id, error } = options;
  const checked = error !== undefined;
  const describedBy = checked
    ? [options.hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ")
    : undefined;
  const invalid = checked ? (error ? "true" : "false") : undefined;
  const spellcheck = options.spellcheck === false ? "false" : undefined;
  const control = options.rows
    ? html`<textarea
        id=${id}
        rows=${options.rows}
        spellcheck=${ifDefined(spellcheck)}
        aria-invalid=${ifDefined(invalid)}
        aria-describedby=${ifDefined(describedBy)}
      ></textarea>`
    : html`<input
        id=${id}
        name=${ifDefined(options.name)}
        type=${ifDefined(options.type)}
        .value=${options.value ?? ""}
        autocomplete=${ifDefined(options.autocomplete)}
        spellcheck=${ifDefined(spellcheck)}
        placeholder=${ifDefined(options.placeholder)}
        ?required=${options.required ?? false}
        aria-invalid=${ifDefined(invalid)}
        aria-describedby=${ifDefined(describedBy)}
      />`;
  return html`<label>
    <span>${options.label}</span>
    ${control}
  </label>`;
}

/** The explanation under field `id`, which the field names for screen readers. */
export function fieldHint(id: string, text: string): TemplateResult {
  return html`<span id="${id}-hint" class="muted hint">${text}</span>`;
}

/** Field `id`'s error, empty while there is none; the field names it for screen readers. */
export function fieldError(id: string, error: string | null | undefined): TemplateResult {
  return html`<span id="${id}-error" class="field-error">${error ?? nothing}</span>`;
}
