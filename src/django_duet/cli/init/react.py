"""The React sources init writes into the frontend: the islands entry of the Django pages and
its island, the entry of the app under /app/ and its component."""

from __future__ import annotations

from django_duet.cli.init.markers import MARKER

ISLANDS_TSX = f"""\
// {MARKER}; edit freely. The entry of the Django pages (templates/duet/base.html):
// django-duet/islands mounts every {{% duet_island "Name" props %}} with its props. Every module
// of src/islands/ is an island named after its file, imported when an island of it mounts.
import {{ registerIslands }} from "django-duet/islands";
import {{ createElement }} from "react";
import {{ createRoot, hydrateRoot }} from "react-dom/client";

registerIslands(import.meta.glob("./islands/*.tsx"), {{ createElement, createRoot, hydrateRoot }});
"""


HELLO_TSX = f"""\
// {MARKER}; edit freely. An island: {{% duet_island "Hello" props %}} on a Django page.
import {{ useState }} from "react";
import "../App.css";

export interface HelloProps {{
  name: string;
}}

export function Hello({{ name }}: HelloProps) {{
  const [count, setCount] = useState(0);
  return (
    <section className="duet-app">
      <h2 data-testid="duet-hello">Hello from React</h2>
      <p data-testid="duet-props">Props from Django: name = {{name}}</p>
      <button type="button" data-testid="duet-counter" onClick={{() => setCount(count + 1)}}>
        Clicked {{count}} times
      </button>
    </section>
  );
}}
"""


MAIN_TSX = f"""\
// {MARKER}; edit freely. The entry of the app under /app/ (index.html). It only mounts:
// components live in their own modules, so that React Fast Refresh can update them in place.
import {{ StrictMode }} from "react";
import {{ createRoot }} from "react-dom/client";
import {{ App }} from "./App";

const root = document.getElementById("root");
if (root !== null) {{
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}}
"""


APP_TSX = f"""\
// {MARKER}; edit freely.
import {{ useState }} from "react";
import "./App.css";

export function App() {{
  const [count, setCount] = useState(0);
  return (
    <section className="duet-app">
      <h2 data-testid="duet-hello">Hello from React</h2>
      <button type="button" data-testid="duet-counter" onClick={{() => setCount(count + 1)}}>
        Clicked {{count}} times
      </button>
    </section>
  );
}}
"""
