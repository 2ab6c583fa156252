import react from "@vitejs/plugin-react";
import duet from "django-duet/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react(), duet({ input: ["src/island.tsx", "index.html"] })],
});
