/**
 * The components an entry declares, by the names templates use: given by name
 * (`{ Greeting }`, or `{ Greeting: lazyIsland(() => import("./Greeting")) }`) or as the record
 * `import.meta.glob("./islands/*.tsx")` returns (keys are module paths, names come from the file
 * names; lazy loaders, or modules with `{ eager: true }`).
 */

/** A module as `import()` gives it: the component is its default export or the export named like the island. */
export type IslandModule = Record<string, unknown>;

/** A function that imports an island's module (or returns its component) when the island mounts. */
export type IslandLoader = () => Promise<unknown>;

const LAZY = Symbol.for("django-duet.lazyIsland");

/** A component that is imported only when an island of it mounts. */
export interface LazyIsland {
  readonly [LAZY]: IslandLoader;
}

/**
 * Marks a loader, so that it is told from a component (both are functions):
 * `registerIslands({ Chart: lazyIsland(() => import("./Chart")) }, react)`.
 */
export function lazyIsland(loader: IslandLoader): LazyIsland {
  return { [LAZY]: loader };
}

/**
 * Components by name, lazy components, or the record of `import.meta.glob` (keys are module
 * paths such as `./islands/Greeting.tsx`, values loaders or, with `{ eager: true }`, modules).
 */
export type IslandComponents = Record<string, unknown>;

/** One registered island: where it came from (for messages) and how to get its component. */
export interface IslandEntry {
  readonly source: string;
  load(): Promise<unknown>;
}

export class IslandRegistryError extends Error {
  override name = "IslandRegistryError";
}

/** `./islands/Greeting.tsx` -> `Greeting`; `./islands/Greeting/index.tsx` -> `Greeting`. */
export function nameFromPath(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  let file = parts.pop() ?? "";
  let stem = file.replace(/\.[^.]*$/, "");
  if (stem === "index" && parts.length > 0) {
    file = parts.pop() ?? "";
    stem = file;
  }
  return stem;
}

function isPath(key: string): boolean {
  return key.includes("/");
}

function isLazy(value: unknown): value is LazyIsland {
  return typeof value === "object" && value !== null && LAZY in value;
}

/** A module's component: its default export, else the export named like the island. */
export function componentOf(loaded: unknown, name: string, source: string): unknown {
  // A module namespace (or an eager glob's module) is an object without React's $$typeof.
  if (typeof loaded !== "object" || loaded === null || "$$typeof" in loaded) return loaded;
  const module = loaded as IslandModule;
  const component = module.default ?? module[name];
  if (component === undefined) {
    throw new IslandRegistryError(
      `${source} has no default export and no export named "${name}" ` +
        `(its exports: ${Object.keys(module).join(", ") || "none"}). Export the component as one of them.`,
    );
  }
  return component;
}

function entryFor(name: string, key: string, value: unknown): IslandEntry {
  if (isPath(key)) {
    const source = `the module ${key}`;
    if (typeof value === "function") {
      const loader = value as IslandLoader;
      return { source, load: async () => componentOf(await loader(), name, source) };
    }
    return { source, load: () => Promise.resolve(componentOf(value, name, source)) };
  }
  if (isLazy(value)) {
    const source = `the lazy island "${name}"`;
    const loader = value[LAZY];
    return { source, load: async () => componentOf(await loader(), name, source) };
  }
  return { source: `the component "${name}"`, load: () => Promise.resolve(value) };
}

/** The entries by island name; an error names both sources when two give the same name. */
export function buildRegistry(components: IslandComponents): Map<string, IslandEntry> {
  const registry = new Map<string, IslandEntry>();
  for (const [key, value] of Object.entries(components)) {
    const name = isPath(key) ? nameFromPath(key) : key;
    if (value === undefined || value === null) {
      throw new IslandRegistryError(`the island "${name}" was registered as ${String(value)}: pass its component.`);
    }
    const entry = entryFor(name, key, value);
    const previous = registry.get(name);
    if (previous !== undefined) {
      throw new IslandRegistryError(
        `two islands are named "${name}": ${previous.source} and ${entry.source}. Rename one of them.`,
      );
    }
    registry.set(name, entry);
  }
  return registry;
}
