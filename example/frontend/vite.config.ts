import react from "@vitejs/plugin-react";
import duet from "django-duet/vite";
// Relative until the lead adds "./ssr" to js/package.json's exports (then "django-duet/ssr").
import { duetSsr } from "django-duet/ssr";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    react(),
    duet({ input: ["src/island.tsx", "index.html", "src/ssr/client.tsx"] }),
    // `vite build` also builds the server bundle that Django renders /ssr/ with.
    duetSsr({ entry: "src/ssr/server.tsx" }),
  ],
});
