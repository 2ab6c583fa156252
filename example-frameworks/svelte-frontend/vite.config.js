// The Svelte 5 frontend of example-frameworks ("svelte" in DUET["FRONTENDS"]): its own build,
// manifest and dev server, under STATIC_URL + "svelte/". `manage.py duet build` / `duet dev` pass
// the prefix from Django's settings; staticPrefix here keeps a plain `npm run build` right.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import duet from "django-duet/vite";
import { duetSsr } from "django-duet/ssr";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    svelte(),
    duet({ input: ["src/main.js", "app.html"], staticPrefix: "svelte/" }),
    // `vite build` also builds the server bundle Django renders /svelte/article/ with.
    duetSsr({ entry: "src/server.js" }),
  ],
});
