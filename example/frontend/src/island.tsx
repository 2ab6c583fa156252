// Entry of the Django pages' React islands: django-duet/islands mounts every element that
// {% duet_island "Name" props %} writes, with its props. Components live in their own modules:
// one defined here would break Fast Refresh.
import { registerIslands } from "django-duet/islands";
import { createElement } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { Account } from "./components/Account";
import { Greeting } from "./components/Greeting";
import "./island.css";

registerIslands(
  {
    // By name: in this entry's bundle, ready at once (the islands of "/").
    Account,
    Greeting,
    // Every module of src/islands/, named after its file, each imported when its island mounts.
    ...import.meta.glob("./islands/*.tsx"),
  },
  { createElement, createRoot, hydrateRoot },
);
