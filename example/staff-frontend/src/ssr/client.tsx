// Hydrates what the staff frontend's server bundle rendered.
import { createElement } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { hydrate } from "django-duet/ssr/client";
import { QueueSummary } from "./QueueSummary";

hydrate({ components: { QueueSummary }, createElement, hydrateRoot, createRoot });
