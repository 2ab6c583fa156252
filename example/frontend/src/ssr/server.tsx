// The server entry: built by duetSsr() into one script that Django runs in V8 (mini-racer).
// Declare here every component that templates render with {% duet_render %} or
// {% duet_island ... ssr=True %}.
import { createElement } from "react";
import { renderToReadableStream, renderToString } from "react-dom/server";
// Relative until the lead adds "./ssr/server" to js/package.json's exports.
import { createRenderer } from "django-duet/ssr/server";
import { Stock } from "../islands/Stock";
import { ProductPage } from "./ProductPage";
import { ReviewsPage } from "./ReviewsPage";

// renderToReadableStream: pages that Django streams (StreamingPage, /ssr/stream/).
createRenderer({
  components: { ProductPage, ReviewsPage, Stock },
  createElement,
  renderToString,
  renderToReadableStream,
});
