// The browser entry of the islands page and the server-rendered page: {% duet_island %}
// elements become Svelte components (hydrated when Django rendered them), and {% duet_render %}
// containers are hydrated with the same components.
import { hydrate, mount } from "svelte";
import { registerSvelteIslands, svelteAdapter } from "django-duet/islands/svelte";
import { hydrate as hydrateContainers } from "django-duet/ssr/client";
import Article from "./pages/Article.svelte";

registerSvelteIslands(import.meta.glob("./islands/*.svelte"), { mount, hydrate });
hydrateContainers({ components: { Article }, ...svelteAdapter({ mount, hydrate }) });
