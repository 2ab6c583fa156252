/**
 * What an island element carries: `<div data-duet-island="Greeting" data-props="<id>"
 * data-duet-load="visible">` and, when Django rendered it on the server, React's HTML inside.
 * The props are the JSON of `<script type="application/json" id="<id>">`, as
 * `{% duet_props %}` and `{% duet_island %}` write it.
 */

export interface IslandElement {
  readonly dataset: Record<string, string | undefined>;
  readonly childNodes: ArrayLike<{ readonly nodeType: number; readonly textContent: string | null }>;
}

export interface IslandDocument {
  getElementById(id: string): { readonly textContent: string | null } | null;
}

export interface IslandRoot {
  querySelectorAll(selectors: string): Iterable<IslandElement> | ArrayLike<IslandElement>;
}

export const ISLAND_SELECTOR = "[data-duet-island]";

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

export class IslandPropsError extends Error {
  override name = "IslandPropsError";
}

/** The island's props: `{}` without `data-props`; an error says what is wrong otherwise. */
export function readProps(element: IslandElement, doc: IslandDocument, name: string): Record<string, unknown> {
  const id = element.dataset.props;
  if (id === undefined || id === "") return {};
  const script = doc.getElementById(id);
  if (script === null) {
    throw new IslandPropsError(
      `the island "${name}" names the props element "${id}" (data-props), which is not on the page. ` +
        `Write it with {% duet_props "${id}" value %}, or use {% duet_island "${name}" value %}, which writes both.`,
    );
  }
  let props: unknown;
  try {
    props = JSON.parse(script.textContent ?? "");
  } catch (error) {
    throw new IslandPropsError(`the props element "${id}" of the island "${name}" is not JSON (${String(error)}).`);
  }
  if (typeof props !== "object" || props === null || Array.isArray(props)) {
    throw new IslandPropsError(
      `the props element "${id}" of the island "${name}" holds ${JSON.stringify(props)}: props are a JSON object (a dict in Django).`,
    );
  }
  return props as Record<string, unknown>;
}

/** True when the server rendered the island's HTML (it has content), so React hydrates it. */
export function serverRendered(element: IslandElement): boolean {
  if (element.dataset.duetMode === "client") return false; // the server fell back
  return Array.from(element.childNodes).some(
    (node) => node.nodeType === ELEMENT_NODE || (node.nodeType === TEXT_NODE && (node.textContent ?? "").trim() !== ""),
  );
}
