"""The one table of what differs between the frontends init writes (``--framework``): packages,
the Vite plugin, the type checker, and the framework's own sources. Everything else (the Vite
config around the plugin, index.html, the templates, the settings and URLconf blocks) is written
once, in ``files``, from a row of this table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django_duet.cli.init import react, svelte, vue
from django_duet.cli.init.project import InitError

# Shared by every frontend; the example projects' frontends ask for the same ranges.
VITE_VERSION = "~8.3.8"
TYPESCRIPT_VERSION = "^5.9.3"


@dataclass(frozen=True)
class Framework:
    name: str  # the --framework value
    label: str  # in the pages' text and init's messages: "React"
    package: str  # the framework's npm package: how init tells its own package.json's framework
    dependencies: Mapping[str, str]
    dev_dependencies: Mapping[str, str]  # besides django-duet, typescript and vite
    typecheck: str  # the package.json script; `npm run build` runs it first
    plugin_import: str  # vite.config.ts
    plugin_call: str
    entry_ext: str  # of the entries (src/islands.*, src/main.*)
    tsconfig_options: tuple[str, ...]  # extra "compilerOptions" lines of tsconfig.json
    tsconfig_include: tuple[str, ...]
    # Path in the frontend folder -> text, in this order: the islands entry, the island, the
    # app's entry, the app's component.
    sources: Mapping[str, str]

    @property
    def islands_entry(self) -> str:
        return f"src/islands.{self.entry_ext}"

    @property
    def app_entry(self) -> str:
        return f"src/main.{self.entry_ext}"


FRAMEWORKS: dict[str, Framework] = {
    framework.name: framework
    for framework in (
        Framework(
            name="react",
            label="React",
            package="react",
            dependencies={"react": "^19.3.1", "react-dom": "^19.3.1"},
            dev_dependencies={
                "@types/react": "^19.3.0",
                "@types/react-dom": "^19.3.0",
                "@vitejs/plugin-react": "~6.3.0",
            },
            typecheck="tsc --noEmit",
            plugin_import='import react from "@vitejs/plugin-react";',
            plugin_call="react()",
            entry_ext="tsx",
            tsconfig_options=('"jsx": "react-jsx",',),
            tsconfig_include=("src", "vite.config.ts"),
            sources={
                "src/islands.tsx": react.ISLANDS_TSX,
                "src/islands/Hello.tsx": react.HELLO_TSX,
                "src/main.tsx": react.MAIN_TSX,
                "src/App.tsx": react.APP_TSX,
            },
        ),
        Framework(
            name="vue",
            label="Vue",
            package="vue",
            dependencies={"vue": "~3.5.25"},
            dev_dependencies={"@vitejs/plugin-vue": "~6.0.0", "vue-tsc": "~3.3.14"},
            # vue-tsc: TypeScript that reads .vue files too (tsc cannot).
            typecheck="vue-tsc --noEmit",
            plugin_import='import vue from "@vitejs/plugin-vue";',
            plugin_call="vue()",
            entry_ext="ts",
            tsconfig_options=(),
            tsconfig_include=("src", "src/**/*.vue", "vite.config.ts"),
            sources={
                "src/islands.ts": vue.ISLANDS_TS,
                "src/islands/Hello.vue": vue.HELLO_VUE,
                "src/main.ts": vue.MAIN_TS,
                "src/App.vue": vue.APP_VUE,
            },
        ),
        Framework(
            name="svelte",
            label="Svelte",
            package="svelte",
            dependencies={"svelte": "~5.59.1"},
            dev_dependencies={"@sveltejs/vite-plugin-svelte": "~7.3.2", "svelte-check": "~4.7.8"},
            # svelte-check: the .svelte files' types and the TypeScript around them.
            typecheck="svelte-check --tsconfig ./tsconfig.json",
            plugin_import='import { svelte } from "@sveltejs/vite-plugin-svelte";',
            plugin_call="svelte()",
            entry_ext="ts",
            tsconfig_options=(),
            tsconfig_include=("src", "src/**/*.svelte", "vite.config.ts"),
            sources={
                "src/islands.ts": svelte.ISLANDS_TS,
                "src/islands/Hello.svelte": svelte.HELLO_SVELTE,
                "src/main.ts": svelte.MAIN_TS,
                "src/App.svelte": svelte.APP_SVELTE,
            },
        ),
    )
}

DEFAULT = "react"


def get(name: str) -> Framework:
    try:
        return FRAMEWORKS[name]
    except KeyError:
        choices = ", ".join(FRAMEWORKS)
        raise InitError(
            f"--framework {name!r} is not one init knows: choose one of {choices} "
            f"(default: {DEFAULT})."
        ) from None
