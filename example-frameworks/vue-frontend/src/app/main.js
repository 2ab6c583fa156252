// The vue-router app Django serves at /vue/app/... (client_routes("app/") in frameworks/vue.py).
import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import App from "./App.vue";
import Home from "./Home.vue";
import Item from "./Item.vue";

// Where Django serves this app: client_routes() writes <meta name="duet-base" content="/vue/app/">
// into the page, so the routes below are written from the app's root.
const base = document.querySelector('meta[name="duet-base"]')?.content ?? "/";

const router = createRouter({
  history: createWebHistory(base),
  routes: [
    { path: "/", component: Home },
    { path: "/items/:id", component: Item, props: true },
    // A lazy route: its own chunk, fetched on the first visit.
    { path: "/about", component: () => import("./About.vue") },
  ],
});

createApp(App).use(router).mount("#app");
