// A staff page rendered on the server from the staff frontend's own server bundle
// ({% duet_render "QueueSummary" props frontend="staff" %}), then hydrated in the browser.
import { useState } from "react";

export interface QueueSummaryProps {
  queue: string;
  items: { id: number; title: string }[];
}

export function QueueSummary({ queue, items }: QueueSummaryProps) {
  const [done, setDone] = useState<number[]>([]);
  return (
    <section>
      <h1>{queue}</h1>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            {item.title}{" "}
            <button
              type="button"
              data-testid={`review-${item.id}`}
              disabled={done.includes(item.id)}
              onClick={() => setDone([...done, item.id])}
            >
              {done.includes(item.id) ? "Reviewed" : "Review"}
            </button>
          </li>
        ))}
      </ul>
      <p data-testid="reviewed">
        {done.length} of {items.length} reviewed
      </p>
    </section>
  );
}
