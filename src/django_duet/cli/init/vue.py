"""The Vue 3 sources init writes into the frontend (``--framework vue``): the islands entry of
the Django pages and its island, the entry of the app under /app/ and its component."""

from __future__ import annotations

from django_duet.cli.init.markers import MARKER

ISLANDS_TS = f"""\
// {MARKER}; edit freely. The entry of the Django pages (templates/duet/base.html):
// django-duet/islands/vue mounts every {{% duet_island "Name" props %}} as a Vue app with its
// props. Every .vue file of src/islands/ is an island named after its file, imported when an
// island of it mounts.
import {{ createApp, createSSRApp }} from "vue";
import {{ registerVueIslands }} from "django-duet/islands/vue";

registerVueIslands(import.meta.glob("./islands/*.vue"), {{ createApp, createSSRApp }});
"""


HELLO_VUE = f"""\
<!-- {MARKER}; edit freely. An island: {{% duet_island "Hello" props %}} on a Django page. -->
<script setup lang="ts">
import {{ ref }} from "vue";
import "../App.css";

defineProps<{{ name: string }}>();
const count = ref(0);
</script>

<template>
  <section class="duet-app">
    <h2 data-testid="duet-hello">Hello from Vue</h2>
    <p data-testid="duet-props">Props from Django: name = {{{{ name }}}}</p>
    <button type="button" data-testid="duet-counter" @click="count++">
      Clicked {{{{ count }}}} times
    </button>
  </section>
</template>
"""


MAIN_TS = f"""\
// {MARKER}; edit freely. The entry of the app under /app/ (index.html). It only mounts:
// components live in .vue files, so that Vite's hot reload can update them in place.
import {{ createApp }} from "vue";
import App from "./App.vue";

createApp(App).mount("#root");
"""


APP_VUE = f"""\
<!-- {MARKER}; edit freely. -->
<script setup lang="ts">
import {{ ref }} from "vue";
import "./App.css";

const count = ref(0);
</script>

<template>
  <section class="duet-app">
    <h2 data-testid="duet-hello">Hello from Vue</h2>
    <button type="button" data-testid="duet-counter" @click="count++">
      Clicked {{{{ count }}}} times
    </button>
  </section>
</template>
"""
