// The islands' entry: each {% duet_island %} element becomes a Vue app with Django's props
// (hydrated when Django rendered it: ssr=True), one per .vue file of src/islands/.
import { createApp, createSSRApp } from "vue";
import { registerVueIslands } from "django-duet/islands/vue";

registerVueIslands(import.meta.glob("./islands/*.vue"), { createApp, createSSRApp });
