import { useState } from "react";

export interface StockProps {
  item: string;
  count: number;
}

/** Rendered by Django ({% duet_island "Stock" props ssr=True %}, from the server bundle), hydrated here. */
export function Stock({ item, count }: StockProps) {
  const [left, setLeft] = useState(count);
  return (
    <section data-testid="island-stock">
      <p data-testid="stock-left">
        {left} {item} left
      </p>
      <button type="button" data-testid="stock-reserve" disabled={left === 0} onClick={() => setLeft((n) => n - 1)}>
        Reserve one
      </button>
    </section>
  );
}
