// The server bundle Django runs in its V8 (duetSsr({ entry }) in vite.config.js): the
// components {% duet_render %} and {% duet_island ... ssr=True %} may name, rendered by Vue's
// server renderer made synchronous.
import { createSSRApp, createVNode, ssrContextKey } from "vue";
import { renderToWebStream, ssrRenderVNode } from "vue/server-renderer";
import { createRenderer } from "django-duet/ssr/server";
import { vueRenderer } from "django-duet/ssr/vue";
import Counter from "../islands/Counter.vue";
import Greeting from "../islands/Greeting.vue";
import ProductPage from "./ProductPage.vue";
import ReviewsPage from "./ReviewsPage.vue";
import * as fallbacks from "./fallbacks.js"; // tests/ssr: components that fall back

createRenderer({
  components: { Counter, Greeting, ProductPage, ReviewsPage, ...fallbacks },
  // renderToWebStream: for StreamingPage (/vue/ssr/stream/), Vue's stream sent as it comes.
  ...vueRenderer({ createSSRApp, createVNode, ssrContextKey, ssrRenderVNode, renderToWebStream }),
});
