// What the cards show, computed from the live state: pure functions, tested on their own.

import { t, type StringKey } from "./strings";
import type { Board, BoardState, Pi, Session, Streams } from "./types";

/** The Pi refuses a fourth retry of the same board (MAX_RETRIES_EXCEEDED). */
export const MAX_RETRIES = 3;

const IN_FLIGHT: ReadonlySet<BoardState> = new Set(["provisioning", "provisioned", "verifying"]);
const RUNNING: ReadonlySet<string> = new Set(["discovering", "active"]);
const OPEN: ReadonlySet<string> = new Set(["discovering", "active", "paused", "closing"]);

// Failed boards first: they are the ones a technician has to act on.
const STATE_ORDER: Record<string, number> = {
  failed: 0,
  provisioning: 1,
  provisioned: 1,
  verifying: 1,
  discovered: 2,
  unknown: 3,
  verified: 4,
};

export function boardLabel(board: Pick<Board, "name" | "mac">): string {
  return board.name?.trim() || board.mac;
}

export function sortBoards(boards: readonly Board[]): Board[] {
  return [...boards].sort((a, b) => {
    const order = (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3);
    if (order) return order;
    const byName = boardLabel(a).localeCompare(boardLabel(b));
    return byName || a.mac.localeCompare(b.mac);
  });
}

export interface Counts {
  found: number;
  busy: number;
  verified: number;
  failed: number;
  waiting: number;
}

export function countBoards(boards: readonly Board[]): Counts {
  const counts: Counts = { found: boards.length, busy: 0, verified: 0, failed: 0, waiting: 0 };
  for (const board of boards) {
    if (IN_FLIGHT.has(board.state)) counts.busy += 1;
    else if (board.state === "verified") counts.verified += 1;
    else if (board.state === "failed") counts.failed += 1;
    else if (board.state === "discovered") counts.waiting += 1;
  }
  return counts;
}

/** Settled boards (verified or failed) out of those found, 0..1; 0 when nothing was found. */
export function progress(counts: Counts): number {
  return counts.found ? (counts.verified + counts.failed) / counts.found : 0;
}

/** Signal strength as 0-4 bars, null when the Pi did not report one. */
export function signalBars(rssi: number | null | undefined): number | null {
  if (rssi === null || rssi === undefined || !Number.isFinite(rssi)) return null;
  if (rssi >= -55) return 4;
  if (rssi >= -67) return 3;
  if (rssi >= -75) return 2;
  if (rssi >= -85) return 1;
  return 0;
}

const STATE_ICONS: Record<string, string> = {
  discovered: "mdi:magnify",
  provisioning: "mdi:progress-upload",
  provisioned: "mdi:wifi-arrow-up",
  verifying: "mdi:progress-check",
  verified: "mdi:check-circle",
  failed: "mdi:alert-circle",
};

export function boardIcon(state: BoardState): string {
  return STATE_ICONS[state] ?? "mdi:help-circle";
}

/** A CSS colour for the state: theme variables, with fallbacks for themes without them. */
export function boardColor(state: BoardState): string {
  if (state === "failed") return "var(--error-color, #db4437)";
  if (state === "verified") return "var(--success-color, #43a047)";
  if (IN_FLIGHT.has(state)) return "var(--warning-color, #ffa600)";
  if (state === "discovered") return "var(--info-color, #039be5)";
  return "var(--disabled-text-color, #9e9e9e)";
}

export function sessionIsOpen(session: Session | null | undefined): session is Session {
  return !!session && OPEN.has(session.state);
}

export function piOffline(streams: Streams | null | undefined): boolean {
  return !!streams && streams.events === "offline" && streams.monitor === "offline";
}

/** Why each action is refused right now; an absent key means the action is allowed. */
export type SessionAction = "start" | "pause" | "resume" | "stop" | "provision_all" | "retry_failed";
export type Reasons = Partial<Record<SessionAction, string>>;

export function sessionActionReasons(pi: Pi, pending = false): Reasons {
  const reasons: Reasons = {};
  const refuse = (action: SessionAction, key: StringKey): void => {
    reasons[action] ??= t(key);
  };
  const all: SessionAction[] = ["start", "pause", "resume", "stop", "provision_all", "retry_failed"];
  if (pending) for (const action of all) refuse(action, "reason.busy");
  if (piOffline(pi.streams)) for (const action of all) refuse(action, "reason.offline");

  const session = pi.session;
  if (!sessionIsOpen(session)) {
    for (const action of all.slice(1)) refuse(action, "reason.no_session");
    return reasons;
  }
  refuse("start", "reason.session_open");
  if (session.state === "closing") {
    for (const action of all.slice(1)) refuse(action, "reason.session_ending");
    return reasons;
  }
  if (session.state === "paused") {
    refuse("pause", "reason.session_paused");
    refuse("provision_all", "reason.session_paused");
    refuse("retry_failed", "reason.session_paused");
  } else {
    refuse("resume", "reason.session_not_paused");
  }
  if (!RUNNING.has(session.state) && session.state !== "paused") {
    refuse("provision_all", "reason.no_session");
  }
  if (!pi.boards.some((board) => board.state === "discovered")) {
    refuse("provision_all", "reason.nothing_to_provision");
  }
  if (!retryableBoards(pi.boards).length) refuse("retry_failed", "reason.no_failed");
  return reasons;
}

export function retryableBoards(boards: readonly Board[]): Board[] {
  return boards.filter((board) => board.state === "failed" && board.retry_count < MAX_RETRIES);
}

export type BoardAction = "provision" | "retry" | "skip";
export type BoardReasons = Partial<Record<BoardAction, string>>;

/**
 * Why each board action is refused. `sessionReason` is the refusal that applies to every
 * board (no session, paused...), computed once for the whole grid.
 */
export function boardActionReasons(board: Board, sessionReason: string | null): BoardReasons {
  const reasons: BoardReasons = {};
  if (sessionReason) {
    return { provision: sessionReason, retry: sessionReason, skip: sessionReason };
  }
  if (board.state !== "discovered") reasons.provision = t("reason.board_not_discovered");
  else if (!board.in_allowlist) reasons.provision = t("board.not_allowlisted");
  if (board.state !== "failed") reasons.retry = t("reason.board_not_failed");
  else if (board.retry_count >= MAX_RETRIES)
    reasons.retry = t("reason.board_max_retries", { max: MAX_RETRIES });
  if (IN_FLIGHT.has(board.state)) reasons.skip = t("reason.board_in_flight");
  else if (board.state === "verified") reasons.skip = t("reason.board_verified");
  return reasons;
}

/** The refusal every board action shares, or null when boards can be acted on. */
export function boardSessionReason(pi: Pi): string | null {
  if (piOffline(pi.streams)) return t("reason.offline");
  const session = pi.session;
  if (!sessionIsOpen(session)) return t("reason.no_session");
  if (session.state === "closing") return t("reason.session_ending");
  if (session.state === "paused") return t("reason.session_paused");
  return null;
}

// -- MAC addresses: the same rules as the integration's services (api/mac.py) --------

const SEPARATED = /^[0-9A-Fa-f]{2}([:\-.]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$/;
const DOTTED = /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;

/** `value` as `AA:BB:CC:DD:EE:FF`, or null when it is not a MAC address. */
export function normalizeMac(value: string): string | null {
  const candidate = value.trim();
  if (!SEPARATED.test(candidate) && !DOTTED.test(candidate)) return null;
  const digits = candidate.replace(/[:\-.]/g, "").toUpperCase();
  return digits.match(/../g)!.join(":");
}

/** MACs pasted as lines, commas, semicolons or spaces: the valid ones (deduplicated) and the rest. */
export function parseMacList(text: string): { macs: string[]; invalid: string[] } {
  const macs: string[] = [];
  const invalid: string[] = [];
  for (const token of text.split(/[\s,;]+/)) {
    if (!token) continue;
    const mac = normalizeMac(token);
    if (mac === null) invalid.push(token);
    else if (!macs.includes(mac)) macs.push(mac);
  }
  return { macs, invalid };
}

// -- Start dialog: the same limits as the start_batch service ------------------------

export function ssidError(ssid: string): string | null {
  const bytes = new TextEncoder().encode(ssid).length;
  return bytes >= 1 && bytes <= 32 ? null : t("start.invalid_ssid");
}

export function passwordError(password: string): string | null {
  if (password === "" || (password.length >= 8 && password.length <= 63)) return null;
  if (/^[0-9a-fA-F]{64}$/.test(password)) return null;
  return t("start.invalid_password");
}

// -- Presentation helpers ------------------------------------------------------------

export function streamLabel(state: string): string {
  const key = `stream.${state}` as StringKey;
  return ["connected", "reconnecting", "polling", "offline"].includes(state) ? t(key) : state;
}

export function sessionStateLabel(session: Session | null | undefined): string {
  if (!session) return t("session.none");
  const known = ["discovering", "active", "paused", "closing", "closed", "unknown"];
  return known.includes(session.state)
    ? t(`session.state.${session.state}` as StringKey)
    : session.state;
}

export function boardStateLabel(state: BoardState): string {
  const known = ["discovered", "provisioning", "provisioned", "verifying", "verified", "failed", "unknown"];
  return known.includes(state) ? t(`board.state.${state}` as StringKey) : state;
}

export function formatNumber(value: number | null | undefined, digits = 0): string | null {
  return value === null || value === undefined || !Number.isFinite(value)
    ? null
    : value.toFixed(digits);
}

/** The message of an error from `callService`/`subscribeMessage`, as Home Assistant sent it. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message) return message;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") return String(code);
  }
  return typeof error === "string" && error ? error : "unknown error";
}
