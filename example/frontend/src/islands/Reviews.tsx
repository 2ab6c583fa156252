export interface ReviewsProps {
  reviews: { author: string; text: string }[];
}

/** Imported and mounted when scrolled into view ({% duet_island "Reviews" props load="visible" %}). */
export function Reviews({ reviews }: ReviewsProps) {
  return (
    <ul data-testid="island-reviews">
      {reviews.map((review) => (
        <li key={review.author}>
          {review.author}: {review.text}
        </li>
      ))}
    </ul>
  );
}
