// Live state from the integration's subscriptions. A snapshot replaces everything
// (the socket library re-subscribes after a reconnect, and the snapshot then is the
// truth); `changes` carry only what changed. Objects that did not change keep their
// identity, which is what lets a 500-board grid update a single board.

import type { Board, FleetMessage, Pi, PiSummary, SessionChanges, SessionMessage } from "./types";

const PI_KEYS = [
  "session",
  "streams",
  "health",
  "door",
  "allowlist_counts",
  "recoverable",
] as const satisfies readonly (keyof SessionChanges & keyof Pi)[];

/** `boards` with `changed` replacing (or joining) boards of the same MAC and `removed` dropped. */
export function mergeBoards(
  boards: readonly Board[],
  changed: readonly Board[] = [],
  removed: readonly string[] = [],
): Board[] {
  if (!changed.length && !removed.length) return boards as Board[];
  const byMac = new Map(changed.map((board) => [board.mac, board]));
  const gone = new Set(removed);
  const result: Board[] = [];
  for (const board of boards) {
    if (gone.has(board.mac)) continue;
    const update = byMac.get(board.mac);
    if (update) {
      byMac.delete(board.mac);
      result.push(update);
    } else {
      result.push(board);
    }
  }
  for (const board of byMac.values()) {
    if (!gone.has(board.mac)) result.push(board);
  }
  return result;
}

/** The Pi after `message`; `null` before the first snapshot (changes alone are not enough). */
export function reducePi(pi: Pi | null, message: SessionMessage): Pi | null {
  if (message.kind === "snapshot") {
    const pi = message.pi;
    // Lists the view iterates over are never null, even from an older integration.
    return pi.boards && pi.recoverable ? pi : { ...pi, boards: pi.boards ?? [], recoverable: pi.recoverable ?? [] };
  }
  if (message.kind !== "changes" || pi === null) return pi;
  const next: Pi = { ...pi };
  for (const key of PI_KEYS) {
    if (key in message) (next as unknown as Record<string, unknown>)[key] = message[key];
  }
  if ("allowlist" in message) next.allowlist = message.allowlist;
  if (message.boards || message.removed_boards) {
    next.boards = mergeBoards(pi.boards, message.boards, message.removed_boards);
  }
  return next;
}

/** The fleet after `message`, in the order the Pis first appeared. */
export function reduceFleet(pis: PiSummary[] | null, message: FleetMessage): PiSummary[] | null {
  if (message.kind === "snapshot") return message.pis;
  if (message.kind !== "changes" || pis === null) return pis;
  const byId = new Map((message.pis ?? []).map((pi) => [pi.entry_id, pi]));
  const gone = new Set(message.removed ?? []);
  const result: PiSummary[] = [];
  for (const pi of pis) {
    if (gone.has(pi.entry_id)) continue;
    result.push(byId.get(pi.entry_id) ?? pi);
    byId.delete(pi.entry_id);
  }
  for (const pi of byId.values()) if (!gone.has(pi.entry_id)) result.push(pi);
  return result;
}
