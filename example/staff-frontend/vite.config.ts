// The example's second frontend ("staff" in DUET["FRONTENDS"]): its own build, manifest and
// dev server, under STATIC_URL + "staff/". `manage.py duet build` / `duet dev` pass the prefix
// from Django's settings (DUET_STATIC_PREFIX); staticPrefix here keeps a plain `npm run build` right.
import react from "@vitejs/plugin-react";
import duet from "django-duet/vite";
import { duetSsr } from "django-duet/ssr";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    react(),
    duet({ input: ["src/main.tsx", "src/ssr/client.tsx"], staticPrefix: "staff/" }),
    // Its own server bundle too: /staff/queue/ is rendered from it ({% duet_render ... frontend="staff" %}).
    duetSsr({ entry: "src/ssr/server.tsx" }),
  ],
});
