// Input level meter scale: dBFS → 0–1 over [-60, 0].
export const METER_FLOOR_DB = -60;

export function levelFraction(db: number | null | undefined): number {
  if (db == null || !Number.isFinite(db)) return 0;
  return Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
}

export function levelZone(db: number): "quiet" | "good" | "hot" {
  if (db < -45) return "quiet";
  if (db > -6) return "hot";
  return "good";
}
