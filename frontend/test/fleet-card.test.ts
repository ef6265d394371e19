import { afterEach, describe, expect, it } from "vitest";
import "../src/index";
import type { PiorchestratorFleetCard } from "../src/fleet-card";
import { PiorchestratorSessionCard } from "../src/session-card";
import { fakeHass, last, pi, settle, summary, type FakeHass } from "./fixtures";

let card: PiorchestratorFleetCard;
let hass: FakeHass;

async function mount(): Promise<void> {
  hass = fakeHass();
  card = document.createElement("piorchestrator-fleet-card");
  card.setConfig({ type: "custom:piorchestrator-fleet-card" });
  card.hass = hass;
  document.body.append(card);
  await settle(card);
}

async function push(payload: unknown, index = 0): Promise<void> {
  hass.subscriptions[index].push(payload);
  await settle(card);
}

function rows(): HTMLLIElement[] {
  return [...card.shadowRoot!.querySelectorAll<HTMLLIElement>(".rows > li")];
}

afterEach(() => {
  document.body.replaceChildren();
});

describe("fleet card", () => {
  it("shows one row per Pi with streams, health, door, session and failed boards", async () => {
    await mount();
    expect(hass.subscriptions[0].message).toEqual({ type: "piorchestrator/subscribe_fleet" });
    await push({
      kind: "snapshot",
      pis: [
        summary(1, {
          streams: { events: "connected", monitor: "offline" },
          door: { door: "open", lock: "unlocked" },
          failed_boards: [{ mac: "AA:BB:CC:00:00:07", name: "cam-7", error: "timeout" }],
        }),
        summary(2, { session: null }),
      ],
    });
    const [first, second] = rows();
    const firstText = first.textContent!.replace(/\s+/g, " ");
    expect(firstText).toContain("Cabinet 1");
    expect(firstText).toContain("Events: live");
    expect(firstText).toContain("Monitor: offline");
    expect(firstText).toContain("CPU 11% · Memory 30% · 45.0 °C");
    expect(firstText).toContain("Open, unlocked");
    expect(firstText).toContain("Active · 5/10");
    expect(firstText).toContain("1 failed: cam-7");
    expect(first.classList.contains("has-failed")).toBe(true);
    expect(second.classList.contains("has-failed")).toBe(false);
    expect(second.textContent).toContain("No session");
    expect(second.textContent).not.toContain("/10");
    expect(first.querySelector("button")!.getAttribute("aria-label")).toBe("Open the session of Cabinet 1");
  });

  it("works with 20 Pis and applies changes and removals", async () => {
    await mount();
    await push({ kind: "snapshot", pis: Array.from({ length: 20 }, (_, i) => summary(i + 1)) });
    expect(rows()).toHaveLength(20);
    const untouched = rows()[5];
    await push({ kind: "changes", pis: [summary(3, { title: "Renamed" })], removed: ["entry-20"] });
    expect(rows()).toHaveLength(19);
    expect(rows()[2].textContent).toContain("Renamed");
    expect(rows()[5]).toBe(untouched);
  });

  it("opens a Pi's session card in a dialog and ends its subscription on close", async () => {
    await mount();
    await push({ kind: "snapshot", pis: [summary(1), summary(2)] });
    rows()[1].querySelector("button")!.click();
    await settle(card);
    const dialog = card.shadowRoot!.querySelector<HTMLDialogElement>("dialog.session-dialog")!;
    expect(dialog.open).toBe(true);
    const session = dialog.querySelector<PiorchestratorSessionCard>("piorchestrator-session-card")!;
    await settle(session);
    expect(last(hass.subscriptions)!.message).toEqual({ type: "piorchestrator/subscribe", entry_id: "entry-2" });
    last(hass.subscriptions)!.push({ kind: "snapshot", pi: pi({ entry_id: "entry-2", title: "Cabinet 2" }) });
    await settle(session);
    expect(session.shadowRoot!.querySelector("h2")!.textContent).toBe("Cabinet 2");
    card.shadowRoot!.querySelector<HTMLButtonElement>("dialog .close")!.click();
    await settle(card, session);
    expect(dialog.open).toBe(false);
    expect(last(hass.subscriptions)!.unsubscribed).toBe(true);
    expect(hass.subscriptions[0].unsubscribed).toBe(false);
  });

  it("unsubscribes when removed from the page", async () => {
    await mount();
    card.remove();
    await settle(card);
    expect(hass.subscriptions[0].unsubscribed).toBe(true);
  });
});

describe("registration", () => {
  it("lists both cards once in the card picker and defines each tag once", async () => {
    const { registerCards } = await import("../src/index");
    registerCards();
    const types = (window.customCards ?? []).map((entry) => entry.type);
    expect(types.filter((type) => type === "piorchestrator-session-card")).toHaveLength(1);
    expect(types.filter((type) => type === "piorchestrator-fleet-card")).toHaveLength(1);
    expect(customElements.get("piorchestrator-session-card")).toBeDefined();
  });

  it("offers a config-entry picker and a stub config with the first loaded Pi", async () => {
    const Card = customElements.get("piorchestrator-session-card") as unknown as typeof PiorchestratorSessionCard;
    const form = Card.getConfigForm() as { schema: { name: string; selector: unknown }[] };
    expect(form.schema[0]).toMatchObject({ name: "entry_id", selector: { config_entry: { integration: "piorchestrator" } } });
    const stubHass = fakeHass({
      entries: [
        { entry_id: "a", title: "A", state: "not_loaded" },
        { entry_id: "b", title: "B", state: "loaded" },
      ],
    });
    expect(await Card.getStubConfig(stubHass)).toEqual({ type: "custom:piorchestrator-session-card", entry_id: "b" });
    expect(stubHass.wsCalls).toEqual([{ type: "piorchestrator/entries" }]);
    const instance = document.createElement("piorchestrator-session-card");
    expect(instance.getGridOptions()).toMatchObject({ rows: "auto" });
    expect(instance.getCardSize()).toBeGreaterThan(0);
  });
});
