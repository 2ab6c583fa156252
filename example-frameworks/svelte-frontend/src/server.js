// The server bundle Django runs in its V8: Svelte's own server render, one call per component.
import { render } from "svelte/server";
import { createRenderer } from "django-duet/ssr/server";
import { svelteRenderer } from "django-duet/ssr/svelte";
import Counter from "./islands/Counter.svelte";
import Greeting from "./islands/Greeting.svelte";
import Article from "./pages/Article.svelte";

createRenderer({ components: { Article, Counter, Greeting }, ...svelteRenderer({ render }) });
