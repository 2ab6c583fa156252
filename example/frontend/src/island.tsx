// Entry for React islands on Django-rendered pages. Components live in their own modules:
// one defined here would break Fast Refresh.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Greeting, type GreetingProps } from "./components/Greeting";

function readProps(element: HTMLElement): GreetingProps | null {
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
  return JSON.parse(script.textContent ?? "null") as GreetingProps;
}

for (const element of document.querySelectorAll<HTMLElement>("[data-duet-island]")) {
  const props = readProps(element);
  if (props === null) continue;
  createRoot(element).render(
    <StrictMode>
      <Greeting {...props} />
    </StrictMode>,
  );
}
