// Entry for React islands on Django-rendered pages. Components live in their own modules:
// one defined here would break Fast Refresh.
import { StrictMode, type ComponentType } from "react";
import { createRoot } from "react-dom/client";
import { Account } from "./components/Account";
import { Greeting } from "./components/Greeting";

// data-duet-island="<name>" on the page picks the component; its props come from Django.
const ISLANDS: Record<string, ComponentType<any>> = { Account, Greeting };

function readProps(element: HTMLElement): object | null {
  const id = element.dataset.props;
  const script = id ? document.getElementById(id) : null;
  if (script === null) {
    console.error(
      `django-duet island: no props element with id ${JSON.stringify(id ?? "")} for`,
      element,
      '- render the props with {% duet_props "<id>" value %} (or |json_script) and name that id in data-props.',
    );
    return null;
  }
  return JSON.parse(script.textContent ?? "null") as object;
}

for (const element of document.querySelectorAll<HTMLElement>("[data-duet-island]")) {
  const name = element.dataset.duetIsland ?? "";
  const Island = ISLANDS[name];
  if (Island === undefined) {
    console.error(
      `django-duet island: no component named ${JSON.stringify(name)}; known: ${Object.keys(ISLANDS).join(", ")}.`,
    );
    continue;
  }
  const props = readProps(element);
  if (props === null) continue;
  createRoot(element).render(
    <StrictMode>
      <Island {...props} />
    </StrictMode>,
  );
}
