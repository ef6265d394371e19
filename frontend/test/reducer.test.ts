// @vitest-environment node
import { describe, expect, it } from "vitest";
import { mergeBoards, reduceFleet, reducePi } from "../src/reducer";
import { board, pi, session, summary } from "./fixtures";

describe("reducePi", () => {
  it("ignores changes until the first snapshot", () => {
    expect(reducePi(null, { kind: "changes", session: null })).toBeNull();
  });

  it("replaces everything with a snapshot, even after changes", () => {
    const first = pi({ boards: [board(1), board(2)] });
    const second = pi({ title: "Renamed", boards: [board(3)] });
    const state = reducePi(reducePi(null, { kind: "snapshot", pi: first }), {
      kind: "snapshot",
      pi: second,
    });
    expect(state).toBe(second);
    expect(state!.boards.map((b) => b.mac)).toEqual([board(3).mac]);
  });

  it("merges only the keys that changed and keeps the others' identity", () => {
    const start = pi({ boards: [board(1), board(2)] });
    const next = reducePi(start, {
      kind: "changes",
      session: session({ state: "paused" }),
      boards: [board(2, { state: "failed", error: "timeout" })],
    })!;
    expect(next).not.toBe(start);
    expect(next.session!.state).toBe("paused");
    expect(next.streams).toBe(start.streams);
    expect(next.boards[0]).toBe(start.boards[0]);
    expect(next.boards[1]).toMatchObject({ state: "failed", error: "timeout" });
    expect(start.boards[1].state).toBe("discovered");
  });

  it("treats a null session in changes as the session ending", () => {
    const next = reducePi(pi(), { kind: "changes", session: null })!;
    expect(next.session).toBeNull();
  });

  it("adds new boards, removes gone ones and replaces the allowlist", () => {
    const start = pi({ boards: [board(1), board(2)] });
    const next = reducePi(start, {
      kind: "changes",
      boards: [board(3)],
      removed_boards: [board(1).mac],
      allowlist: [
        { mac: board(3).mac, description: "x", container_id: null, used: false, added_at: null, used_at: null },
      ],
    })!;
    expect(next.boards.map((b) => b.mac)).toEqual([board(2).mac, board(3).mac]);
    expect(next.allowlist).toHaveLength(1);
  });
});

describe("mergeBoards", () => {
  it("returns the same array when nothing changed", () => {
    const boards = [board(1)];
    expect(mergeBoards(boards, [], [])).toBe(boards);
  });

  it("drops a board that is both changed and removed", () => {
    expect(mergeBoards([board(1)], [board(2)], [board(2).mac])).toEqual([board(1)]);
  });
});

describe("reduceFleet", () => {
  it("replaces on snapshot, updates in place, appends new and drops removed Pis", () => {
    const start = reduceFleet(null, { kind: "snapshot", pis: [summary(1), summary(2)] })!;
    const updated = summary(2, { title: "Two" });
    const next = reduceFleet(start, { kind: "changes", pis: [updated, summary(3)], removed: ["entry-1"] })!;
    expect(next.map((p) => p.title)).toEqual(["Two", "Cabinet 3"]);
    expect(reduceFleet(null, { kind: "changes", pis: [summary(1)] })).toBeNull();
  });
});
