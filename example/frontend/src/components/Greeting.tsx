import { useState } from "react";
import { Badge } from "./Badge";
import "./greeting.css";
// ?no-inline: Vite would inline an asset this small as a data: URL, leaving it out of the
// manifest (so {% duet_asset %} could not find it) and out of reach of a strict CSP img-src.
import logoUrl from "./logo.svg?no-inline";

export interface GreetingProps {
  name: string;
  items: string[];
}

export function Greeting({ name, items }: GreetingProps) {
  const [count, setCount] = useState(0);
  return (
    <section className="greeting">
      <img data-testid="island-logo" className="greeting-logo" alt="logo" src={logoUrl} />
      <h2 data-testid="island-greeting">Hello, {name}!</h2>
      <Badge>React island</Badge>
      <ul data-testid="island-items">
        {items.map((item, index) => (
          <li key={index}>{item}</li>
        ))}
      </ul>
      <button type="button" data-testid="island-counter" onClick={() => setCount((n) => n + 1)}>
        Clicked {count} times
      </button>
    </section>
  );
}
