"""The Svelte 5 sources init writes into the frontend (``--framework svelte``): the islands entry
of the Django pages and its island, the entry of the app under /app/ and its component."""

from __future__ import annotations

from django_duet.cli.init.markers import MARKER

ISLANDS_TS = f"""\
// {MARKER}; edit freely. The entry of the Django pages (templates/duet/base.html):
// django-duet/islands/svelte mounts every {{% duet_island "Name" props %}} as a Svelte component
// with its props. Every .svelte file of src/islands/ is an island named after its file, imported
// when an island of it mounts.
import {{ hydrate, mount }} from "svelte";
import {{ registerSvelteIslands }} from "django-duet/islands/svelte";

registerSvelteIslands(import.meta.glob("./islands/*.svelte"), {{ mount, hydrate }});
"""


HELLO_SVELTE = f"""\
<!-- {MARKER}; edit freely. An island: {{% duet_island "Hello" props %}} on a Django page. -->
<script lang="ts">
  import "../App.css";

  let {{ name }}: {{ name: string }} = $props();
  let count = $state(0);
</script>

<section class="duet-app">
  <h2 data-testid="duet-hello">Hello from Svelte</h2>
  <p data-testid="duet-props">Props from Django: name = {{name}}</p>
  <button type="button" data-testid="duet-counter" onclick={{() => (count += 1)}}>
    Clicked {{count}} times
  </button>
</section>
"""


MAIN_TS = f"""\
// {MARKER}; edit freely. The entry of the app under /app/ (index.html). It only mounts:
// components live in .svelte files, so that Vite's hot reload can update them in place.
import {{ mount }} from "svelte";
import App from "./App.svelte";

const target = document.getElementById("root");
if (target !== null) {{
  mount(App, {{ target }});
}}
"""


APP_SVELTE = f"""\
<!-- {MARKER}; edit freely. -->
<script lang="ts">
  import "./App.css";

  let count = $state(0);
</script>

<section class="duet-app">
  <h2 data-testid="duet-hello">Hello from Svelte</h2>
  <button type="button" data-testid="duet-counter" onclick={{() => (count += 1)}}>
    Clicked {{count}} times
  </button>
</section>
"""
