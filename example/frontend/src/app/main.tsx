// Entry of the client-routed section that Django serves under /app/.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { reloadOnChunkError } from "django-duet/client";
import { App } from "./App";
import { SessionProvider } from "./session";

// A lazy chunk gone after a deploy: reload once to get the current build (never in a loop).
reloadOnChunkError();

// Where Django serves this app: client_routes("app/") writes <meta name="duet-base"
// content="/app/"> into the page, so the prefix is written once, in urls.py
// (docs/router-under-a-prefix.md).
const basename = document.querySelector<HTMLMetaElement>('meta[name="duet-base"]')?.content ?? "/";

const container = document.getElementById("root");
if (container === null) {
  throw new Error('django-duet example: index.html has no <div id="root"> to mount the app in.');
}
createRoot(container).render(
  <StrictMode>
    <BrowserRouter basename={basename}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
