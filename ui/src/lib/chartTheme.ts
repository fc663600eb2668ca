// Colours for canvas charts (uPlot cannot read CSS variables).
export type Palette = {
  fg: string;
  muted: string;
  grid: string;
  accent: string;
  good: string;
  fair: string;
  poor: string;
  band: string;
  series: string[];
};

export function palette(theme: "light" | "dark"): Palette {
  return theme === "dark"
    ? {
        fg: "#e7eaf0",
        muted: "#a1a9b8",
        grid: "rgba(255,255,255,0.07)",
        accent: "#8b83ff",
        good: "#4ade80",
        fair: "#fbbf24",
        poor: "#fb923c",
        band: "rgba(74,222,128,0.13)",
        series: ["#8b83ff", "#38bdf8", "#a78bfa", "#34d399", "#fbbf24"],
      }
    : {
        fg: "#161b26",
        muted: "#5b6476",
        grid: "rgba(15,23,42,0.07)",
        accent: "#4f46e5",
        good: "#15803d",
        fair: "#b45309",
        poor: "#c2410c",
        band: "rgba(16,185,129,0.14)",
        series: ["#4f46e5", "#0284c7", "#7c3aed", "#059669", "#d97706"],
      };
}
