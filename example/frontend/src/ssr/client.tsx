// The browser entry of server-rendered pages: hydrates what {% duet_render %} rendered.
import { createElement } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
// Relative until the lead adds "./ssr/client" to js/package.json's exports.
import { hydrate } from "django-duet/ssr/client";
import { ProductPage } from "./ProductPage";
import { ReviewsPage } from "./ReviewsPage";

hydrate({ components: { ProductPage, ReviewsPage }, createElement, hydrateRoot, createRoot });
