import { Suspense, use, useState } from "react";
import { head } from "django-duet/ssr/head";
import "./product.css";

export interface Review {
  author: string;
  text: string;
}

export interface ReviewsPageProps {
  product: { name: string; summary: string };
  reviews: Review[];
  /** How long the reviews take on the server (a slow service): the page streams meanwhile. */
  delayMs: number;
}

type Tracked<T> = Promise<T> & { status?: string; value?: T };

/**
 * The reviews, as a promise. On the server (Django's V8) they come after `delayMs`: the shell
 * leaves first, the reviews stream in when the timer fires. In the browser they are already in
 * the page (the props): a settled promise that React reads without suspending, so hydration
 * adopts the server's HTML.
 */
function loadReviews(reviews: Review[], delayMs: number): Tracked<Review[]> {
  if (typeof document !== "undefined") {
    const ready: Tracked<Review[]> = Promise.resolve(reviews);
    ready.status = "fulfilled";
    ready.value = reviews;
    return ready;
  }
  return new Promise((resolve) => setTimeout(() => resolve(reviews), delayMs));
}

function Reviews({ reviews }: { reviews: Promise<Review[]> }) {
  const list = use(reviews);
  return (
    <ul data-testid="reviews">
      {list.map((review) => (
        <li key={review.author}>
          <strong>{review.author}</strong>: {review.text}
        </li>
      ))}
    </ul>
  );
}

/** A product page streamed by Django: the product at once, its slow reviews when they come. */
export function ReviewsPage({ product, reviews, delayMs }: ReviewsPageProps) {
  head({ title: `${product.name}: reviews | django-duet shop`, meta: [{ name: "description", content: product.summary }] });
  // Once per mount, on the server and in the browser: a re-render keeps the same promise.
  const [pending] = useState(() => loadReviews(reviews, delayMs));
  const [likes, setLikes] = useState(0);
  return (
    <article className="product">
      <h1 data-testid="stream-shell">{product.name}</h1>
      <p>{product.summary}</p>
      <button type="button" data-testid="like" onClick={() => setLikes((n) => n + 1)}>
        Like ({likes})
      </button>
      <h2>Reviews</h2>
      <Suspense fallback={<p data-testid="reviews-loading">Loading the reviews…</p>}>
        <Reviews reviews={pending} />
      </Suspense>
    </article>
  );
}
