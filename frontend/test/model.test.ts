// @vitest-environment node
import { describe, expect, it } from "vitest";
import {
  boardActionReasons,
  boardSessionReason,
  countBoards,
  normalizeMac,
  parseMacList,
  passwordError,
  progress,
  sessionActionReasons,
  signalBars,
  sortBoards,
  ssidError,
} from "../src/model";
import { board, pi, session } from "./fixtures";

describe("sortBoards", () => {
  it("puts failed boards first, then busy, waiting and verified, each by name", () => {
    const boards = [
      board(1, { state: "verified" }),
      board(2, { state: "discovered" }),
      board(3, { state: "failed", name: "zeta" }),
      board(4, { state: "verifying" }),
      board(5, { state: "failed", name: "alpha" }),
    ];
    expect(sortBoards(boards).map((b) => b.name)).toEqual(["alpha", "zeta", "cam-004", "cam-002", "cam-001"]);
    expect(boards[0].state).toBe("verified");
  });
});

describe("counts and progress", () => {
  it("counts found, busy, verified and failed boards", () => {
    const counts = countBoards([
      board(1, { state: "provisioning" }),
      board(2, { state: "provisioned" }),
      board(3, { state: "verified" }),
      board(4, { state: "failed" }),
      board(5),
    ]);
    expect(counts).toEqual({ found: 5, busy: 2, verified: 1, failed: 1, waiting: 1 });
    expect(progress(counts)).toBeCloseTo(0.4);
    expect(progress(countBoards([]))).toBe(0);
  });
});

describe("signalBars", () => {
  it.each([
    [-40, 4],
    [-55, 4],
    [-60, 3],
    [-70, 2],
    [-80, 1],
    [-95, 0],
    [null, null],
  ])("rssi %s gives %s bars", (rssi, bars) => {
    expect(signalBars(rssi)).toBe(bars);
  });
});

describe("MAC addresses", () => {
  it.each([
    ["aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF"],
    ["AA-BB-CC-DD-EE-0F", "AA:BB:CC:DD:EE:0F"],
    [" aabbccddeeff ", "AA:BB:CC:DD:EE:FF"],
    ["aabb.ccdd.eeff", "AA:BB:CC:DD:EE:FF"],
  ])("normalises %s", (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it.each(["", "AA:BB:CC:DD:EE", "AA:BB-CC:DD:EE:FF", "GG:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF:00"])(
    "rejects %j",
    (input) => {
      expect(normalizeMac(input)).toBeNull();
    },
  );

  it("parses a pasted list, deduplicating and reporting the rest", () => {
    expect(parseMacList("aa:bb:cc:dd:ee:ff\nAA-BB-CC-DD-EE-FF, 11:22:33:44:55:66; nope")).toEqual({
      macs: ["AA:BB:CC:DD:EE:FF", "11:22:33:44:55:66"],
      invalid: ["nope"],
    });
  });
});

describe("start dialog validation", () => {
  it("accepts what start_batch accepts", () => {
    expect(ssidError("Cabinet")).toBeNull();
    expect(ssidError("")).not.toBeNull();
    expect(ssidError("x".repeat(33))).not.toBeNull();
    expect(passwordError("")).toBeNull();
    expect(passwordError("12345678")).toBeNull();
    expect(passwordError("a".repeat(64))).toBeNull();
    expect(passwordError("short")).not.toBeNull();
    expect(passwordError("z".repeat(64))).not.toBeNull();
  });
});

describe("session action reasons", () => {
  it("allows only Start without a session, and says why the rest are off", () => {
    const reasons = sessionActionReasons(pi({ session: null }));
    expect(reasons.start).toBeUndefined();
    expect(reasons.stop).toMatch(/No session/);
    expect(reasons.provision_all).toMatch(/No session/);
  });

  it("treats a closed session as none", () => {
    expect(sessionActionReasons(pi({ session: session({ state: "closed" }) })).start).toBeUndefined();
  });

  it("refuses provisioning while paused and Start while a session runs", () => {
    const reasons = sessionActionReasons(
      pi({ session: session({ state: "paused" }), boards: [board(1), board(2, { state: "failed" })] }),
    );
    expect(reasons.start).toMatch(/already running/);
    expect(reasons.provision_all).toMatch(/paused/);
    expect(reasons.retry_failed).toMatch(/paused/);
    expect(reasons.resume).toBeUndefined();
    expect(reasons.pause).toBeDefined();
  });

  it("allows provisioning and retrying when there is something to do", () => {
    const running = pi({ boards: [board(1), board(2, { state: "failed" })] });
    const reasons = sessionActionReasons(running);
    expect(reasons.provision_all).toBeUndefined();
    expect(reasons.retry_failed).toBeUndefined();
    expect(reasons.pause).toBeUndefined();
    expect(reasons.resume).toMatch(/not paused/);
    const idle = sessionActionReasons(pi({ boards: [board(1, { state: "verified" })] }));
    expect(idle.provision_all).toMatch(/No board is waiting/);
    expect(idle.retry_failed).toMatch(/No board has failed/);
  });

  it("refuses everything while another action runs or the Pi is offline", () => {
    expect(sessionActionReasons(pi({ session: null }), true).start).toMatch(/in progress/);
    const offline = pi({ streams: { events: "offline", monitor: "offline" } });
    expect(sessionActionReasons(offline).stop).toMatch(/offline/);
  });
});

describe("board action reasons", () => {
  it("follows the Pi's rules per state", () => {
    expect(boardActionReasons(board(1), null)).toEqual({
      retry: expect.stringMatching(/failed/),
    });
    expect(boardActionReasons(board(1, { in_allowlist: false }), null).provision).toMatch(/allowlist/);
    const failed = boardActionReasons(board(1, { state: "failed" }), null);
    expect(failed.retry).toBeUndefined();
    expect(failed.provision).toBeDefined();
    expect(boardActionReasons(board(1, { state: "failed", retry_count: 3 }), null).retry).toMatch(/3 times/);
    expect(boardActionReasons(board(1, { state: "verifying" }), null).skip).toMatch(/being provisioned/);
    expect(boardActionReasons(board(1, { state: "verified" }), null).skip).toMatch(/verified/);
  });

  it("shares the session's refusal", () => {
    const reason = boardSessionReason(pi({ session: session({ state: "paused" }) }));
    expect(reason).toMatch(/paused/);
    expect(boardActionReasons(board(1), reason)).toEqual({ provision: reason, retry: reason, skip: reason });
    expect(boardSessionReason(pi())).toBeNull();
  });
});
