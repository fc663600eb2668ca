// Transient messages shown in the corner (announced to screen readers).
export type Toast = { id: number; message: string; tone: "info" | "success" | "error" };

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(message: string, tone: Toast["tone"] = "info", ms = 4000) {
    const id = this.#next++;
    this.items.push({ id, message, tone });
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }
  error(message: string) {
    return this.show(message, "error", 7000);
  }
  success(message: string) {
    return this.show(message, "success");
  }
  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
