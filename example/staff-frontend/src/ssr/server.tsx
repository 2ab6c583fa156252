// The staff frontend's server entry: built by duetSsr() into its own server bundle, which
// Django runs in V8 for {% duet_render ... frontend="staff" %}.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createRenderer } from "django-duet/ssr/server";
import { QueueSummary } from "./QueueSummary";

createRenderer({ components: { QueueSummary }, createElement, renderToString });
