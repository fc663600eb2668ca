// Validation of a question card before `save_card` (docs/question-format.md).
import { CATEGORIES, type Card, type Point } from "./types";

export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type CardErrors = Record<string, string>;

export function emptyCard(): Card {
  return {
    id: "",
    title: "",
    prompt: "",
    category: "judgement",
    why_asked: "",
    how_to_answer: [],
    target_seconds: [60, 120],
    key_points: [{ id: "", label: "", cues: [] }],
    mistakes: [],
    sample_outline: null,
    tags: [],
  };
}

/** `"Tell me about yourself"` → `"tell-me-about-yourself"`. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
}

/** Comma-separated text → trimmed, non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One item per non-empty line. */
export function splitLines(text: string): string[] {
  return text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

function checkPoints(points: Point[], field: "key_points" | "mistakes", errors: CardErrors, seen: Map<string, string>) {
  points.forEach((p, i) => {
    const at = `${field}.${i}`;
    if (!p.id.trim()) errors[`${at}.id`] = "Give this an id.";
    else if (!ID_PATTERN.test(p.id)) errors[`${at}.id`] = "Use lowercase letters, digits and hyphens.";
    else if (seen.has(p.id)) errors[`${at}.id`] = `“${p.id}” is already used by ${seen.get(p.id)}.`;
    else seen.set(p.id, field === "key_points" ? "a key point" : "a mistake");
    const label = p.label.trim();
    if (!label) errors[`${at}.label`] = "Describe it in a full phrase.";
    else if (!/\s/.test(label)) errors[`${at}.label`] = "Use a full phrase, not a single word.";
  });
}

/** Field errors keyed by path (`title`, `key_points.0.label`, …); empty when valid. */
export function validateCard(card: Card): CardErrors {
  const errors: CardErrors = {};
  if (!card.id.trim()) errors.id = "An id is required.";
  else if (!ID_PATTERN.test(card.id)) errors.id = "Use lowercase letters, digits and hyphens, e.g. my-question.";
  if (!card.title.trim()) errors.title = "A title is required.";
  if (!card.prompt.trim()) errors.prompt = "Write the question as the interviewer would ask it.";
  if (!CATEGORIES.some((c) => c.slug === card.category)) errors.category = "Choose a category.";
  const [min, max] = card.target_seconds;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min <= 0 || max <= 0)
    errors.target_seconds = "Use whole seconds above zero.";
  else if (min >= max) errors.target_seconds = "The shortest time must be less than the longest.";
  if (!card.key_points.length) errors.key_points = "Add at least one key point.";
  const seen = new Map<string, string>();
  checkPoints(card.key_points, "key_points", errors, seen);
  checkPoints(card.mistakes, "mistakes", errors, seen);
  return errors;
}

/** Trims text fields and drops empty optional values before saving. */
export function normaliseCard(card: Card): Card {
  const outline = card.sample_outline?.trim() ?? "";
  const clean = (p: Point): Point => ({ id: p.id.trim(), label: p.label.trim(), cues: p.cues.map((c) => c.trim()).filter(Boolean) });
  return {
    ...card,
    id: card.id.trim(),
    title: card.title.trim(),
    prompt: card.prompt.trim(),
    why_asked: card.why_asked.trim(),
    how_to_answer: card.how_to_answer.map((s) => s.trim()).filter(Boolean),
    key_points: card.key_points.map(clean),
    mistakes: card.mistakes.map(clean),
    sample_outline: outline ? outline : null,
    tags: card.tags.map((t) => t.trim()).filter(Boolean),
  };
}
