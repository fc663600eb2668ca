// A small hash router: `#/path/segments?query`. No history API, no remote anything.

export type Route = { path: string[]; query: URLSearchParams; raw: string };

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/library";
  const [pathPart, queryPart = ""] = raw.split("?");
  const path = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  return { path: path.length ? path : ["library"], query: new URLSearchParams(queryPart), raw };
}

class Router {
  route = $state<Route>(parse(typeof location === "undefined" ? "" : location.hash));

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("hashchange", () => {
        this.route = parse(location.hash);
      });
    }
  }

  /** Navigates to `to` (`"/card/x"`), optionally replacing the history entry. */
  go(to: string, replace = false) {
    const hash = `#${to.startsWith("/") ? to : `/${to}`}`;
    if (replace) {
      history.replaceState(null, "", hash);
      this.route = parse(hash);
    } else if (location.hash === hash) {
      this.route = parse(hash);
    } else {
      location.hash = hash;
    }
  }

  back(fallback = "/library") {
    if (history.length > 1) history.back();
    else this.go(fallback);
  }
}

export const router = new Router();

export function href(to: string): string {
  return `#${to.startsWith("/") ? to : `/${to}`}`;
}
