// The browser entry of the server-rendered page: hydrates each {% duet_render %} container
// with the component Django rendered (or renders it, when the server fell back).
import { createApp, createSSRApp } from "vue";
import { vueAdapter } from "django-duet/islands/vue";
import { hydrate } from "django-duet/ssr/client";
import ProductPage from "./ProductPage.vue";
import ReviewsPage from "./ReviewsPage.vue";

hydrate({ components: { ProductPage, ReviewsPage }, ...vueAdapter({ createApp, createSSRApp }) });
