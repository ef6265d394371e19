// The committed bundle itself (production Lit, transpiled decorators), not the sources:
// what Home Assistant loads must define working cards.
import { describe, expect, it } from "vitest";
import { board, fakeHass, pi, settle } from "./fixtures";

describe("committed bundle", () => {
  it("defines both cards, lists them once and renders live data", async () => {
    await import("../../custom_components/piorchestrator/frontend/piorchestrator-cards.js" as string);
    await import("../../custom_components/piorchestrator/frontend/piorchestrator-cards.js?again" as string);
    expect(window.customCards!.map((entry) => entry.type)).toEqual([
      "piorchestrator-session-card",
      "piorchestrator-fleet-card",
    ]);
    const hass = fakeHass();
    const card = document.createElement("piorchestrator-session-card");
    card.setConfig({ type: "custom:piorchestrator-session-card", entry_id: "entry-1" });
    card.hass = hass;
    document.body.append(card);
    await settle(card);
    hass.subscriptions[0].push({ kind: "snapshot", pi: pi({ boards: [board(1), board(2, { state: "failed" })] }) });
    await settle(card);
    const tiles = card.shadowRoot!.querySelectorAll("piorchestrator-board-tile");
    expect(tiles).toHaveLength(2);
    expect(card.shadowRoot!.querySelector("h2")!.textContent).toBe("Cabinet A");
    card.remove();
    await settle(card);
    expect(hass.subscriptions[0].unsubscribed).toBe(true);
  });
});
