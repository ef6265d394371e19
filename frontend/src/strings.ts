// Every piece of card text, so that a translation is one more table. Home Assistant's
// `hass.localize` only knows the frontend's own keys, and hassfest rejects a free-form
// section in the integration's translations, so the cards carry their own.

const en = {
  "card.session.name": "PiOrchestrator session",
  "card.session.description": "One Pi's provisioning session: boards, actions, allowlist.",
  "card.fleet.name": "PiOrchestrator fleet",
  "card.fleet.description": "Every configured Pi at a glance.",
  "editor.entry": "Pi",
  "error.no_entry": "Choose a Pi in the card's settings (entry_id).",
  "status.loading": "Loading…",
  "status.reconnecting": "Reconnecting to Home Assistant… the figures shown may be out of date.",
  "status.subscribe_failed": "Could not load this Pi: {message}",
  "stream.events": "Events",
  "stream.monitor": "Monitor",
  "stream.connected": "live",
  "stream.reconnecting": "reconnecting",
  "stream.polling": "polling",
  "stream.offline": "offline",
  "session.none": "No session",
  "session.state.discovering": "Discovering",
  "session.state.active": "Active",
  "session.state.paused": "Paused",
  "session.state.closing": "Closing",
  "session.state.closed": "Closed",
  "session.state.unknown": "Unknown",
  "session.target": "Network {ssid}",
  "session.progress": "Progress",
  "count.found": "Found",
  "count.busy": "Busy",
  "count.verified": "Verified",
  "count.failed": "Failed",
  "action.start": "Start",
  "action.pause": "Pause",
  "action.resume": "Resume",
  "action.stop": "Stop",
  "action.provision_all": "Provision all",
  "action.retry_failed": "Retry failed",
  "action.provision": "Provision",
  "action.retry": "Retry",
  "action.skip": "Skip",
  "action.cancel": "Cancel",
  "action.close": "Close",
  "action.add": "Add",
  "action.save": "Save",
  "action.edit": "Edit",
  "action.remove": "Remove",
  "action.add_all": "Add all",
  "action.dismiss": "Dismiss",
  "aria.board_action": "{action} board {name}",
  "aria.entry_action": "{action} allowlist entry {mac}",
  "aria.signal": "Signal {bars} of 4 bars ({rssi} dBm)",
  "aria.signal_unknown": "Signal unknown",
  "aria.progress": "{done} of {total} boards finished",
  "reason.no_session": "No session is running.",
  "reason.session_open": "A session is already running; stop it first.",
  "reason.session_paused": "The session is paused; resume it first.",
  "reason.session_not_paused": "The session is not paused.",
  "reason.session_ending": "The session is closing.",
  "reason.interrupted": "An interrupted session is waiting; resume it from the banner or start a new one.",
  "reason.nothing_to_provision": "No board is waiting to be provisioned.",
  "reason.no_failed": "No board has failed.",
  "reason.offline": "The Pi is offline.",
  "reason.busy": "Another action is in progress.",
  "reason.board_not_discovered": "Only a discovered board can be provisioned.",
  "reason.board_not_failed": "Only a failed board can be retried.",
  "reason.board_max_retries": "This board was already retried {max} times.",
  "reason.board_in_flight": "The board is being provisioned.",
  "reason.board_verified": "The board is already verified.",
  "board.state.discovered": "Discovered",
  "board.state.provisioning": "Provisioning",
  "board.state.provisioned": "Provisioned",
  "board.state.verifying": "Verifying",
  "board.state.verified": "Verified",
  "board.state.failed": "Failed",
  "board.state.unknown": "Unknown",
  "board.ip": "IP",
  "board.retries": "Retries",
  "board.not_allowlisted": "Not in the allowlist",
  "boards.title": "Boards",
  "boards.empty": "No board found yet.",
  "start.title": "Start a provisioning session",
  "start.ssid": "WiFi network (SSID)",
  "start.password": "WiFi password",
  "start.password_hint": "8 to 63 characters, or empty for an open network. It is sent to the Pi and not kept here.",
  "start.invalid_ssid": "Enter the network name (1 to 32 bytes).",
  "start.invalid_password": "The password must have 8 to 63 characters (or 64 hex digits), or be empty.",
  "recover.title": "An interrupted session can be resumed",
  "recover.text": "Session {id} on {ssid} ({count} boards, {state}) stopped when the Pi went down.",
  "allowlist.title": "Allowlist",
  "allowlist.counts": "{used} used, {available} available of {total}",
  "allowlist.mac": "MAC address",
  "allowlist.description": "Description",
  "allowlist.container": "Container",
  "allowlist.status": "Status",
  "allowlist.used": "Used",
  "allowlist.available": "Available",
  "allowlist.empty": "The allowlist is empty.",
  "allowlist.add_title": "Add a board",
  "allowlist.bulk_title": "Paste several MAC addresses",
  "allowlist.bulk_hint": "One per line, or separated by commas or spaces.",
  "allowlist.invalid_mac": "{value} is not a MAC address; expected six hex pairs such as AA:BB:CC:DD:EE:FF.",
  "allowlist.bulk_invalid": "Not MAC addresses: {values}",
  "allowlist.bulk_none": "Paste at least one MAC address.",
  "allowlist.confirm_remove": "Remove {mac} from the allowlist?",
  "fleet.title": "Pi fleet",
  "fleet.empty": "No Pi is configured.",
  "fleet.col.pi": "Pi",
  "fleet.col.streams": "Streams",
  "fleet.col.health": "Health",
  "fleet.col.door": "Door",
  "fleet.col.session": "Session",
  "fleet.failed": "{count} failed: {names}",
  "fleet.open": "Open the session of {name}",
  "fleet.boards": "{count} boards",
  "health.cpu": "CPU {value}%",
  "health.memory": "Memory {value}%",
  "health.temperature": "{value} °C",
  "door.open": "Open",
  "door.closed": "Closed",
  "door.unknown": "Unknown",
  "lock.locked": "locked",
  "lock.unlocked": "unlocked",
  "lock.unknown": "lock unknown",
  "error.action": "{action} failed: {message}",
} as const;

export type StringKey = keyof typeof en;

const tables: Record<string, Partial<Record<StringKey, string>>> = { en };

let language = "en";

/** Use `lang` (HA's `hass.locale.language`) when a table exists for it. */
export function setLanguage(lang: string | undefined): void {
  const base = (lang ?? "en").toLowerCase();
  language = tables[base] ? base : tables[base.split("-")[0]] ? base.split("-")[0] : "en";
}

/** The text for `key` with `{name}` placeholders filled in. */
export function t(key: StringKey, values: Record<string, string | number> = {}): string {
  const template = tables[language]?.[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** The text for a key built from data (a state name), falling back to the raw value. */
export function tOr(key: string, fallback: string): string {
  return key in en ? t(key as StringKey) : fallback;
}
