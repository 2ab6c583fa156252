// The server entry: built by duetSsr() into one script that Django runs in V8 (mini-racer).
// Declare here every component that templates render with {% duet_render %} or
// {% duet_island ... ssr=True %}.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
// Relative until the lead adds "./ssr/server" to js/package.json's exports.
import { createRenderer } from "django-duet/ssr/server";
import { Stock } from "../islands/Stock";
import { ProductPage } from "./ProductPage";

createRenderer({ components: { ProductPage, Stock }, createElement, renderToString });
