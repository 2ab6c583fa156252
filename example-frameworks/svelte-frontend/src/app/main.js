// The client-routed Svelte app under /svelte/app/ (app.html, served by client_routes).
import { mount } from "svelte";
import App from "./App.svelte";

mount(App, { target: document.getElementById("app") });
