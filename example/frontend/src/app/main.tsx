// Entry of the client-routed section that Django serves under /app/.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";

const container = document.getElementById("root");
if (container === null) {
  throw new Error('django-duet example: index.html has no <div id="root"> to mount the app in.');
}
createRoot(container).render(
  <StrictMode>
    <BrowserRouter basename="/app">
      <App />
    </BrowserRouter>
  </StrictMode>,
);
