import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each test runs a real `vite build`: quick, but slower than a unit test on a cold start.
    testTimeout: 20_000,
  },
});
