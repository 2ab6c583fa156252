import vue from "@vitejs/plugin-vue";
import duet from "django-duet/vite";
import duetSsr from "django-duet/ssr";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    vue(),
    // The islands, the server-rendered page, and the vue-router app (index.html).
    duet({ input: ["src/islands.js", "src/ssr/client.js", "index.html"] }),
    // `vite build` also builds the server bundle Django renders {% duet_render %} with.
    duetSsr({ entry: "src/ssr/server.js" }),
  ],
});
