import { useState } from "react";
// Relative until the lead adds "./ssr/head" to js/package.json's exports; then
// `import { head } from "django-duet/ssr/head"`.
import { head } from "django-duet/ssr/head";
import "./product.css";

export interface Product {
  slug: string;
  name: string;
  summary: string;
  priceCents: number;
  features: string[];
}

export interface ProductPageProps {
  product: Product;
  canonicalUrl: string;
}

function price(cents: number): string {
  // Formatted the same way on the server (V8's Intl) and in the browser: no hydration mismatch.
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(cents / 100);
}

/** A product page rendered by Django (in V8) for crawlers, then hydrated for the cart button. */
export function ProductPage({ product, canonicalUrl }: ProductPageProps) {
  head({
    title: `${product.name} | django-duet shop`,
    meta: [
      { name: "description", content: product.summary },
      { property: "og:title", content: product.name },
      { property: "og:type", content: "product" },
    ],
    link: [{ rel: "canonical", href: canonicalUrl }],
    jsonLd: [{ "@context": "https://schema.org", "@type": "Product", name: product.name }],
  });
  const [inCart, setInCart] = useState(0);
  return (
    <article className="product">
      <h1 data-testid="product-name">{product.name}</h1>
      <p data-testid="product-summary">{product.summary}</p>
      <p className="product-price" data-testid="product-price">
        {price(product.priceCents)}
      </p>
      <ul>
        {product.features.map((feature) => (
          <li key={feature}>{feature}</li>
        ))}
      </ul>
      <button type="button" data-testid="add-to-cart" onClick={() => setInCart((n) => n + 1)}>
        Add to cart
      </button>
      <p data-testid="cart-count" aria-live="polite">
        {inCart === 0 ? "Your cart is empty" : `${inCart} in cart`}
      </p>
    </article>
  );
}
