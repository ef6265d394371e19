import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import { PiorchestratorBoardTile } from "../src/board-tile";
import { RESUBSCRIBE_MS, type PiorchestratorSessionCard } from "../src/session-card";
import type { Pi } from "../src/types";
import { board, fakeHass, last, pi, session, settle, type FakeHass } from "./fixtures";

let card: PiorchestratorSessionCard;
let hass: FakeHass;

async function mount(options: Parameters<typeof fakeHass>[0] = {}): Promise<void> {
  hass = fakeHass(options);
  card = document.createElement("piorchestrator-session-card");
  card.setConfig({ type: "custom:piorchestrator-session-card", entry_id: "entry-1" });
  card.hass = hass;
  document.body.append(card);
  await settle(card);
}

async function push(payload: unknown, index = 0): Promise<void> {
  hass.subscriptions[index].push(payload);
  await settle(card);
  await Promise.all(tiles().map((tile) => tile.updateComplete));
}

async function snapshot(value: Pi): Promise<void> {
  await push({ kind: "snapshot", pi: value });
}

function root(): ShadowRoot {
  return card.shadowRoot!;
}

function tiles(): PiorchestratorBoardTile[] {
  return [...(card.shadowRoot?.querySelectorAll("piorchestrator-board-tile") ?? [])];
}

function button(action: string): HTMLButtonElement {
  return root().querySelector<HTMLButtonElement>(`.actions button[data-action="${action}"]`)!;
}

function text(selector: string): string {
  return root().querySelector(selector)?.textContent?.replace(/\s+/g, " ").trim() ?? "";
}

async function click(element: HTMLElement): Promise<void> {
  element.click();
  for (let i = 0; i < 5; i += 1) await settle(card);
}

beforeEach(() => {
  document.body.replaceChildren();
});

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe("subscription", () => {
  it("subscribes once connected, with the entry, and unsubscribes when removed", async () => {
    await mount();
    expect(hass.subscriptions).toHaveLength(1);
    expect(hass.subscriptions[0].message).toEqual({ type: "piorchestrator/subscribe", entry_id: "entry-1" });
    card.hass = { ...hass }; // a new hass object on every state change must not resubscribe
    await settle(card);
    expect(hass.subscriptions).toHaveLength(1);
    card.remove();
    await settle(card);
    expect(hass.subscriptions[0].unsubscribed).toBe(true);
    document.body.append(card);
    await settle(card);
    expect(hass.subscriptions).toHaveLength(2);
  });

  it("moves its subscription and its listener to a new connection", async () => {
    await mount();
    const first = hass;
    hass = fakeHass();
    card.hass = hass;
    await settle(card);
    expect(first.subscriptions[0].unsubscribed).toBe(true);
    expect(hass.subscriptions).toHaveLength(1);
    await snapshot(pi());
    first.dropConnection();
    await settle(card);
    expect(text(".status")).toBe("");
    hass.dropConnection();
    await settle(card);
    expect(text(".status")).toMatch(/Reconnecting/);
  });

  it("does not subscribe without an entry and says what to do", async () => {
    hass = fakeHass();
    card = document.createElement("piorchestrator-session-card");
    card.setConfig({ type: "custom:piorchestrator-session-card" });
    card.hass = hass;
    document.body.append(card);
    await settle(card);
    expect(hass.subscriptions).toHaveLength(0);
    expect(text("ha-card")).toMatch(/Choose a Pi/);
  });

  it("shows why the subscription failed and tries again later", async () => {
    vi.useFakeTimers();
    try {
      await mount({ subscribeError: { code: "not_found", message: "Pi entry-1 is not loaded" } });
      expect(text(".status")).toMatch(/Pi entry-1 is not loaded/);
      hass.subscribeError = null;
      await vi.advanceTimersByTimeAsync(RESUBSCRIBE_MS);
      expect(hass.subscriptions).toHaveLength(1);
      await snapshot(pi());
      expect(text(".status")).toBe("");
      expect(text("h2")).toBe("Cabinet A");
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows reconnecting from a dropped socket until the next snapshot", async () => {
    await mount();
    await snapshot(pi());
    expect(text(".status")).toBe("");
    hass.dropConnection();
    await settle(card);
    expect(text(".status")).toMatch(/Reconnecting/);
    await push({ kind: "changes", health: pi().health });
    expect(text(".status")).toMatch(/Reconnecting/);
    await snapshot(pi());
    expect(text(".status")).toBe("");
  });
});

describe("rendering", () => {
  it("shows the header, counts and boards failed-first", async () => {
    await mount();
    await snapshot(
      pi({
        streams: { events: "connected", monitor: "polling" },
        boards: [
          board(1, { state: "verified", ip: "10.0.0.5" }),
          board(2, { state: "failed", error: "No IP address [corr 4f2a]", retry_count: 2 }),
          board(3, { state: "provisioning" }),
        ],
      }),
    );
    expect(text("h2")).toBe("Cabinet A");
    expect(text(".session-state")).toBe("Active");
    expect([...root().querySelectorAll(".stream")].map((span) => span.textContent)).toEqual([
      "Events: live",
      "Monitor: polling",
    ]);
    expect(text(".target")).toBe("Network Cabinet-WiFi");
    expect(text(".counts .found")).toBe("3");
    expect(text(".counts .busy")).toBe("1");
    expect(text(".counts .verified")).toBe("1");
    expect(text(".counts .failed")).toBe("1");
    expect(root().querySelector('[role="progressbar"]')!.getAttribute("aria-valuenow")).toBe("2");
    const order = tiles().map((tile) => tile.board.mac);
    expect(order).toEqual([board(2).mac, board(3).mac, board(1).mac]);
    const failed = tiles()[0].shadowRoot!;
    expect(failed.querySelector(".error")!.textContent).toBe("No IP address [corr 4f2a]");
    expect(failed.querySelector(".meta")!.textContent).toMatch(/Retries\s*2/);
    expect(failed.querySelector('button[data-action="retry"]')!.hasAttribute("disabled")).toBe(false);
    expect(failed.querySelector('button[data-action="retry"]')!.getAttribute("aria-label")).toBe(
      "Retry board cam-002",
    );
    expect(tiles()[2].shadowRoot!.querySelector(".meta")!.textContent).toMatch(/10\.0\.0\.5/);
  });

  it("disables actions with a visible reason", async () => {
    await mount();
    await snapshot(pi({ session: null }));
    expect(button("start").disabled).toBe(false);
    expect(button("stop").disabled).toBe(true);
    expect(text("#reason-stop")).toBe("No session is running.");
    expect(button("stop").getAttribute("aria-describedby")).toBe("reason-stop");
    await push({ kind: "changes", session: session({ state: "paused" }), boards: [board(1)] });
    expect(button("resume").disabled).toBe(false);
    expect(button("provision_all").disabled).toBe(true);
    expect(text("#reason-provision_all")).toMatch(/paused/);
    expect(text("#reason-start")).toMatch(/already running/);
  });

  it("shows the allowlist to admins only", async () => {
    const entry = { mac: board(1).mac, description: "Shelf 1", container_id: "C-7", used: true, added_at: null, used_at: null };
    await mount();
    await snapshot(pi({ allowlist: [entry], allowlist_counts: { total: 1, used: 1, available: 0 } }));
    expect(text(".allowlist .entry")).toMatch(/AA:BB:CC:00:00:01 Shelf 1 C-7 Used/);
    const { allowlist: _omitted, ...withoutAllowlist } = pi({ is_admin: false });
    await snapshot(withoutAllowlist as Pi);
    expect(root().querySelector(".allowlist")).toBeNull();
    await snapshot(pi({ is_admin: false, allowlist: [entry] }));
    expect(root().querySelector(".allowlist")).toBeNull();
  });
});

describe("actions", () => {
  it("calls the service with the entry and shows a failure with its message", async () => {
    await mount();
    await snapshot(pi({ boards: [board(1)] }));
    await click(button("pause"));
    expect(last(hass.calls)).toEqual({
      domain: "piorchestrator",
      service: "pause_batch",
      data: { config_entry_id: "entry-1" },
    });
    hass.failWith = { code: "home_assistant_error", message: "The Pi refused (correlation ID 9c1e)" };
    await click(button("provision_all"));
    expect(last(hass.calls)!.service).toBe("provision_all");
    const alert = root().querySelector('[role="alert"]')!;
    expect(alert.textContent).toMatch(/Provision all failed: The Pi refused \(correlation ID 9c1e\)/);
    await click(alert.querySelector("button")!);
    expect(root().querySelector('[role="alert"]')!.textContent!.trim()).toBe("");
  });

  it("acts on one board and retries every failed board", async () => {
    await mount();
    await snapshot(
      pi({
        boards: [
          board(1, { state: "failed" }),
          board(2, { state: "failed", retry_count: 3 }),
          board(3, { state: "failed" }),
          board(4),
        ],
      }),
    );
    const discovered = tiles().find((tile) => tile.board.mac === board(4).mac)!;
    await click(discovered.shadowRoot!.querySelector<HTMLButtonElement>('button[data-action="provision"]')!);
    expect(last(hass.calls)).toMatchObject({ service: "provision_device", data: { mac: board(4).mac } });
    hass.calls.length = 0;
    await click(button("retry_failed"));
    expect(hass.calls.map((call) => [call.service, call.data.mac])).toEqual([
      ["retry_device", board(1).mac],
      ["retry_device", board(3).mac],
    ]);
  });

  it("resumes an interrupted session from the banner", async () => {
    await mount();
    await snapshot(
      pi({ session: null, recoverable: [{ id: "sess-9", target_ssid: "Old", state: "active", device_count: 4 }] }),
    );
    expect(text(".banner")).toMatch(/Session sess-9 on Old \(4 boards/);
    await click(root().querySelector<HTMLButtonElement>(".banner button")!);
    expect(last(hass.calls)).toMatchObject({ service: "resume_session", data: { session_id: "sess-9" } });
  });

  it("adds allowlist entries with validated MACs, edits and removes them", async () => {
    const entry = { mac: board(1).mac, description: "old", container_id: null, used: false, added_at: null, used_at: null };
    await mount();
    await snapshot(pi({ allowlist: [entry] }));
    const macInput = root().querySelector<HTMLInputElement>("#al-mac")!;
    macInput.value = "not-a-mac";
    await click(root().querySelector<HTMLButtonElement>("form.add button[type=submit]")!);
    expect(hass.calls).toHaveLength(0);
    expect(text("#al-mac-error")).toMatch(/not-a-mac is not a MAC address/);
    expect(macInput.getAttribute("aria-invalid")).toBe("true");

    macInput.value = "aa-bb-cc-dd-ee-01";
    root().querySelector<HTMLInputElement>("#al-description")!.value = "Shelf 2";
    await click(root().querySelector<HTMLButtonElement>("form.add button[type=submit]")!);
    expect(last(hass.calls)).toEqual({
      domain: "piorchestrator",
      service: "allowlist_add",
      data: { config_entry_id: "entry-1", mac: "AA:BB:CC:DD:EE:01", description: "Shelf 2" },
    });
    expect(macInput.value).toBe("");

    const bulk = root().querySelector<HTMLTextAreaElement>("#al-bulk")!;
    bulk.value = "11:22:33:44:55:66\nbad";
    await click(root().querySelector<HTMLButtonElement>("form.bulk button[type=submit]")!);
    expect(text("#al-bulk-error")).toBe("Not MAC addresses: bad");
    bulk.value = "11:22:33:44:55:66\n112233445577, 11:22:33:44:55:66";
    hass.calls.length = 0;
    await click(root().querySelector<HTMLButtonElement>("form.bulk button[type=submit]")!);
    expect(hass.calls.map((call) => call.data.mac)).toEqual(["11:22:33:44:55:66", "11:22:33:44:55:77"]);

    await click(root().querySelector<HTMLButtonElement>('.entry button[data-action="edit"]')!);
    root().querySelector<HTMLInputElement>("#edit-description")!.value = "new";
    await click(root().querySelector<HTMLButtonElement>(".entry.editing button[type=submit]")!);
    expect(last(hass.calls)).toMatchObject({
      service: "allowlist_update",
      data: { mac: board(1).mac, description: "new", container_id: "" },
    });
    await click(root().querySelector<HTMLButtonElement>('.entry button[data-action="remove"]')!);
    expect(last(hass.calls)).toMatchObject({ service: "allowlist_remove", data: { mac: [board(1).mac] } });
  });
});

describe("start dialog", () => {
  it("sends the password only in the service call and keeps no copy", async () => {
    const secret = "Sup3r-Secret-Wifi";
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
      vi.spyOn(console, method),
    );
    const storageWrites = vi.spyOn(Storage.prototype, "setItem");
    const history = [vi.spyOn(window.history, "pushState"), vi.spyOn(window.history, "replaceState")];
    await mount();
    await snapshot(pi({ session: null }));
    await click(button("start"));
    const dialog = root().querySelector<HTMLDialogElement>("dialog.start")!;
    expect(dialog.open).toBe(true);

    root().querySelector<HTMLInputElement>("#ssid")!.value = "Cabinet-WiFi";
    const password = root().querySelector<HTMLInputElement>("#password")!;
    expect(password.type).toBe("password");
    password.value = "short";
    await click(root().querySelector<HTMLButtonElement>("dialog button.submit")!);
    expect(hass.calls).toHaveLength(0);
    expect(text("#password-error")).toMatch(/8 to 63/);
    expect(text("#password-error")).not.toContain("short");

    password.value = secret;
    await click(root().querySelector<HTMLButtonElement>("dialog button.submit")!);
    expect(hass.calls).toEqual([
      {
        domain: "piorchestrator",
        service: "start_batch",
        data: { config_entry_id: "entry-1", target_ssid: "Cabinet-WiFi", target_password: secret },
      },
    ]);
    expect(dialog.open).toBe(false);
    expect(password.value).toBe("");

    const everywhere = [
      JSON.stringify({ ...localStorage }),
      JSON.stringify({ ...sessionStorage }),
      window.location.href,
      document.cookie,
      JSON.stringify((card as unknown as { _config: unknown })._config),
      card.outerHTML,
      root().innerHTML,
      JSON.stringify(spies.flatMap((spy) => spy.mock.calls)),
      JSON.stringify(storageWrites.mock.calls),
      JSON.stringify(history.flatMap((spy) => spy.mock.calls)),
    ];
    for (const place of everywhere) expect(place).not.toContain(secret);
  });

  it("keeps the dialog open with the error when the Pi refuses", async () => {
    await mount();
    await snapshot(pi({ session: null }));
    await click(button("start"));
    root().querySelector<HTMLInputElement>("#ssid")!.value = "Net";
    root().querySelector<HTMLInputElement>("#password")!.value = "";
    hass.failWith = { code: "home_assistant_error", message: "A session is already active (correlation ID ab12)" };
    await click(root().querySelector<HTMLButtonElement>("dialog button.submit")!);
    expect(root().querySelector<HTMLDialogElement>("dialog.start")!.open).toBe(true);
    expect(text('[role="alert"]')).toMatch(/correlation ID ab12/);
  });
});

describe("large sessions", () => {
  const many = (count: number) =>
    Array.from({ length: count }, (_, index) => board(index, { state: "provisioning", rssi: -50 }));

  function observe(): { records: MutationRecord[]; stop: () => void } {
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((found) => records.push(...found));
    for (const tile of tiles()) {
      observer.observe(tile.shadowRoot!, { subtree: true, childList: true, attributes: true, characterData: true });
    }
    observer.observe(root().querySelector(".grid")!, { childList: true });
    return {
      records,
      stop: () => {
        records.push(...observer.takeRecords());
        observer.disconnect();
      },
    };
  }

  it("renders 500 boards and then changes only the one that changed", async () => {
    await mount();
    const started = performance.now();
    await snapshot(pi({ boards: many(500) }));
    const elapsed = performance.now() - started;
    console.info(`500-board first render in jsdom: ${elapsed.toFixed(0)} ms`);
    expect(tiles()).toHaveLength(500);

    const target = tiles()[250];
    const watch = observe();
    // Identical output is not a DOM mutation: count the tiles' renders as well.
    const renders = vi.spyOn(PiorchestratorBoardTile.prototype as unknown as { render: () => unknown }, "render");
    await push({ kind: "changes", boards: [{ ...target.board, state: "verifying", ip: "10.0.0.9" }] });
    watch.stop();
    expect(renders.mock.contexts).toEqual([target]);
    expect(watch.records.length).toBeGreaterThan(0);
    const outside = watch.records.filter((record) => !target.shadowRoot!.contains(record.target));
    expect(outside).toEqual([]);
    expect(target.shadowRoot!.textContent).toMatch(/10\.0\.0\.9/);
    expect(text(".counts .busy")).toBe("500");
  });

  it("moves a newly failed board to the front without touching the other tiles", async () => {
    await mount();
    await snapshot(pi({ boards: many(500) }));
    const target = tiles()[400];
    const watch = observe();
    await push({ kind: "changes", boards: [{ ...target.board, state: "failed", error: "timeout" }] });
    watch.stop();
    expect(tiles()[0]).toBe(target);
    const grid = root().querySelector(".grid")!;
    const otherTiles = watch.records.filter(
      (record) => record.target !== grid && !target.shadowRoot!.contains(record.target),
    );
    expect(otherTiles).toEqual([]);
    const moved = watch.records
      .filter((record) => record.target === grid)
      .flatMap((record) => [...record.addedNodes, ...record.removedNodes])
      .filter((node) => node.nodeType === Node.ELEMENT_NODE);
    expect(new Set(moved)).toEqual(new Set([target]));
  });
});
