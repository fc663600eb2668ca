// Formatting helpers shared by the screens.

/** Seconds as `m:ss` (`1:05`); hours roll into minutes (`75:00`). */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–:––";
  const whole = Math.max(0, Math.floor(seconds + 1e-6));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return `${m}:${s.toString().padStart(2, "0")}`;
}

/** Seconds with one decimal for short spans (`2.6 s`), `m:ss` for long ones. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${(Math.round(seconds * 10) / 10).toFixed(seconds < 10 ? 1 : 0)} s`;
  return formatTime(seconds);
}

export function formatScore(score: number | null | undefined): string {
  if (score == null || !Number.isFinite(score)) return "–";
  return Math.round(score).toString();
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n == null || !Number.isFinite(n)) return "–";
  return n.toFixed(digits);
}

export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share == null || !Number.isFinite(share)) return "–";
  return `${(share * 100).toFixed(digits)} %`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  const units = ["B", "KB", "MB", "GB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

const dateFmt = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const shortDateFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}

export function formatShortDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : shortDateFmt.format(d);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = (now.getTime() - d.getTime()) / 1000;
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  if (days === 1) return "yesterday";
  if (days < 14) return `${days} days ago`;
  return formatShortDate(iso);
}

/** A score's band for colouring: good ≥ 75, fair ≥ 50, else poor. */
export function scoreTone(score: number | null | undefined): "good" | "fair" | "poor" | "none" {
  if (score == null || !Number.isFinite(score)) return "none";
  if (score >= 75) return "good";
  if (score >= 50) return "fair";
  return "poor";
}

export function capitalise(s: string): string {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}
