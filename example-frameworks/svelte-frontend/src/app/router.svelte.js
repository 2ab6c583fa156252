// A small router for the client routes under a prefix (docs/router-under-a-prefix.md): the page
// says where its routes start (<meta name="duet-base" content="/svelte/app/">, written by
// client_routes), and the app's paths are written from its root ("/items/2").
const base = document.querySelector('meta[name="duet-base"]')?.content ?? "/";

function current() {
  const path = location.pathname;
  return path.startsWith(base) ? "/" + path.slice(base.length) : "/";
}

/** Where the app is, and how many pages it showed since the page loaded (no load in between). */
export const route = $state({ path: current(), shown: 1 });

function show() {
  route.path = current();
  route.shown++;
}

/** The browser's URL of an app path: href("/items/2") is "/svelte/app/items/2". */
export function href(path) {
  return base + path.replace(/^\//, "");
}

export function navigate(path) {
  history.pushState(null, "", href(path));
  show();
}

addEventListener("popstate", show);

/** On the app's root: a click on a link under the base navigates without a page load. */
export function followLinks(event) {
  const link = event.target.closest?.("a[href]");
  if (link === null || link === undefined || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
  event.preventDefault();
  navigate("/" + url.pathname.slice(base.length));
}
