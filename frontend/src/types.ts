// Shapes of the integration's WebSocket API (see the cards contract), and the small
// part of Home Assistant's `hass` object the cards use.

export type StreamState = "connected" | "reconnecting" | "polling" | "offline" | string;

export interface Streams {
  events: StreamState;
  monitor: StreamState;
}

export interface Health {
  cpu_percent: number | null;
  memory_percent: number | null;
  temperature: number | null;
  disk_percent: number | null;
}

export interface Door {
  door: "open" | "closed" | "unknown" | string;
  lock: "locked" | "unlocked" | "unknown" | string;
}

export type SessionState =
  | "discovering"
  | "active"
  | "paused"
  | "closing"
  | "closed"
  | "unknown"
  | string;

export interface Session {
  id: string;
  state: SessionState;
  target_ssid: string | null;
  created_at: string | null;
  expires_at: string | null;
  device_count: number;
  provisioned_count: number;
  verified_count: number;
  failed_count: number;
}

export type BoardState =
  | "discovered"
  | "provisioning"
  | "provisioned"
  | "verifying"
  | "verified"
  | "failed"
  | "unknown"
  | string;

export interface Board {
  mac: string;
  name: string | null;
  state: BoardState;
  rssi: number | null;
  ip: string | null;
  retry_count: number;
  error: string | null;
  in_allowlist: boolean;
}

export interface AllowlistEntry {
  mac: string;
  description: string | null;
  container_id: string | null;
  used: boolean;
  added_at: string | null;
  used_at: string | null;
}

export interface AllowlistCounts {
  total: number;
  used: number;
  available: number;
}

export interface Recoverable {
  id: string;
  target_ssid: string | null;
  state: SessionState;
  device_count: number;
}

export interface Pi {
  entry_id: string;
  title: string;
  is_admin: boolean;
  streams: Streams;
  health: Health;
  door: Door;
  session: Session | null;
  boards: Board[];
  /** Present only for administrators. */
  allowlist?: AllowlistEntry[];
  allowlist_counts: AllowlistCounts | null;
  recoverable: Recoverable[];
}

export interface SessionSnapshot {
  kind: "snapshot";
  pi: Pi;
}

export interface SessionChanges {
  kind: "changes";
  session?: Session | null;
  streams?: Streams;
  health?: Health;
  door?: Door;
  allowlist?: AllowlistEntry[];
  allowlist_counts?: AllowlistCounts | null;
  recoverable?: Recoverable[];
  boards?: Board[];
  removed_boards?: string[];
}

export type SessionMessage = SessionSnapshot | SessionChanges;

export interface FailedBoard {
  mac: string;
  name: string | null;
  error: string | null;
}

export interface PiSummary {
  entry_id: string;
  title: string;
  streams: Streams;
  health: Health;
  door: Door;
  session: Session | null;
  failed_boards: FailedBoard[];
  board_count: number;
}

export interface FleetSnapshot {
  kind: "snapshot";
  pis: PiSummary[];
}

export interface FleetChanges {
  kind: "changes";
  pis?: PiSummary[];
  removed?: string[];
}

export type FleetMessage = FleetSnapshot | FleetChanges;

export interface EntryInfo {
  entry_id: string;
  title: string;
  state: string;
}

export type Unsubscribe = () => Promise<void> | void;

export interface HassConnection {
  subscribeMessage<T>(
    callback: (message: T) => void,
    message: Record<string, unknown>,
  ): Promise<Unsubscribe>;
  addEventListener?(event: string, listener: () => void): void;
  removeEventListener?(event: string, listener: () => void): void;
}

export interface Hass {
  connection: HassConnection;
  connected?: boolean;
  user?: { is_admin: boolean } | null;
  locale?: { language: string };
  language?: string;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
  ): Promise<unknown>;
}

export interface SessionCardConfig {
  type: string;
  entry_id?: string;
}

export interface FleetCardConfig {
  type: string;
}
