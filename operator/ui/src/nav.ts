// History API navigation: links under /ui/ change the page without a reload.
const listeners = new Set<() => void>();

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const fn of listeners) fn();
}

/** Calls fn after every navigation, including the browser's back and forward. */
export function onNavigate(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

/** A plain left click on a link to a page of the app (not a new tab or window). */
export function isAppClick(event: MouseEvent, href: string): boolean {
  return (
    event.button === 0 &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey &&
    !event.defaultPrevented &&
    href.startsWith('/ui/')
  );
}
