// A small history router: the path is state; links and navigate() push it.
import { useEffect, useState } from "preact/hooks";

const EVENT = "child-alert:navigate";

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return path;
}

/** Same-origin links navigate without a page load (modifier keys keep the browser's behaviour). */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as Element).closest("a");
  if (!a || a.target || a.hasAttribute("download") || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/alert/")) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
