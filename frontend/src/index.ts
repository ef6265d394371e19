// Entry point of the bundle Home Assistant loads (add_extra_js_url): defines both cards
// and lists them in the dashboard's card picker.

import "./session-card";
import "./fleet-card";
import { FLEET_CARD_TAG } from "./fleet-card";
import { SESSION_CARD_TAG } from "./session-card";
import { t } from "./strings";

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview?: boolean;
  documentationURL?: string;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}

const DOCS = "https://github.com/piorchestrator-ha/piorchestrator-homeassistant";

export function registerCards(target: Window = window): void {
  target.customCards ??= [];
  const cards: CustomCardEntry[] = [
    {
      type: SESSION_CARD_TAG,
      name: t("card.session.name"),
      description: t("card.session.description"),
      preview: true,
      documentationURL: DOCS,
    },
    {
      type: FLEET_CARD_TAG,
      name: t("card.fleet.name"),
      description: t("card.fleet.description"),
      preview: true,
      documentationURL: DOCS,
    },
  ];
  // The bundle can be loaded twice (extra JS URL and a manual resource): list each card once.
  for (const card of cards) {
    if (!target.customCards.some((entry) => entry.type === card.type)) target.customCards.push(card);
  }
}

registerCards();
