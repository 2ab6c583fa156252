/**
 * `django-duet/ssr/client`: hydrates what `{% duet_render %}` rendered on the server.
 *
 * ```tsx
 * import { createElement } from "react";
 * import { createRoot, hydrateRoot } from "react-dom/client";
 * import { hydrate } from "django-duet/ssr/client";
 * import { ProductPage } from "./ProductPage";
 *
 * hydrate({ components: { ProductPage }, createElement, hydrateRoot, createRoot });
 * ```
 *
 * Each container (`<div data-duet-ssr="ProductPage" data-duet-props="<id>">`) names its
 * component and the `<script type="application/json">` holding the props the server rendered
 * with, so the browser renders the same tree and React hydrates without a mismatch. A container
 * marked `data-duet-mode="client"` (the server fell back) is rendered in the browser instead.
 */

interface ElementLike {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
}

interface DocumentLike {
  querySelectorAll(selectors: string): Iterable<ElementLike>;
  getElementById(id: string): ElementLike | null;
}

// The React functions are typed loosely (`never` parameters accept any function): React's
// overloads defy a precise generic type, and this helper only passes values through.
export interface HydrateOptions {
  /** The components of the page, by the names the templates use (as in the server entry). */
  components: Record<string, unknown>;
  createElement: (component: never, props: never) => unknown;
  /** React's `hydrateRoot` from `react-dom/client`. */
  hydrateRoot: (container: never, element: never, options?: never) => unknown;
  /** React's `createRoot`, for containers the server could not render. */
  createRoot: (container: never) => { render(element: never): void };
  /** Passed to `hydrateRoot` (e.g. `onRecoverableError`). */
  hydrateOptions?: Record<string, unknown>;
  /** Where to look for containers. Default: `document`. */
  root?: DocumentLike;
}

/** The marker attribute of the containers Django emits. */
export const CONTAINER_SELECTOR = "[data-duet-ssr]";

function fail(message: string): never {
  throw new Error(`django-duet hydrate(): ${message}`);
}

function readProps(doc: DocumentLike, container: ElementLike, name: string): Record<string, unknown> {
  const id = container.dataset.duetProps;
  const script = id ? doc.getElementById(id) : null;
  if (script === null) {
    fail(
      `no props element with id ${JSON.stringify(id ?? "")} for the component "${name}". ` +
        "Render the container with {% duet_render %} (or django_duet.ssr.render_component), which writes both.",
    );
  }
  return JSON.parse(script.textContent ?? "null") as Record<string, unknown>;
}

/** Hydrates (or renders) every container on the page; returns how many it mounted. */
export function hydrate(options: HydrateOptions): number {
  const doc = options.root ?? (globalThis as { document?: DocumentLike }).document;
  if (doc === undefined) fail("there is no document: call it from the browser entry, not on the server.");
  let mounted = 0;
  for (const container of doc.querySelectorAll(CONTAINER_SELECTOR)) {
    const name = container.dataset.duetSsr ?? "";
    const component = Object.prototype.hasOwnProperty.call(options.components, name)
      ? options.components[name]
      : undefined;
    if (component === undefined) {
      fail(
        `the page has a container for "${name}", which this entry does not declare. ` +
          `Add it to hydrate({ components }) (declared: ${Object.keys(options.components).join(", ") || "none"}).`,
      );
    }
    const element = options.createElement(component as never, readProps(doc, container, name) as never);
    if (container.dataset.duetMode === "client") {
      options.createRoot(container as never).render(element as never);
    } else {
      options.hydrateRoot(container as never, element as never, options.hydrateOptions as never);
    }
    mounted++;
  }
  return mounted;
}
