"""What init writes around the framework's own sources: package.json, the Vite config,
index.html, the base templates (the settings and URLconf blocks: ``blocks``). Each is written
once, from the frontend's row of ``frameworks.FRAMEWORKS``.

Every file carries ``MARKER``: init overwrites nothing, and on a second run tells its own files
(unchanged, or edited since) from files of yours (which make it refuse).
"""

from __future__ import annotations

import json

from django_duet.cli.init.frameworks import TYPESCRIPT_VERSION, VITE_VERSION, Framework

# Re-exported: the markers' long-standing import path.
from django_duet.cli.init.markers import BLOCK_END as BLOCK_END
from django_duet.cli.init.markers import BLOCK_START as BLOCK_START
from django_duet.cli.init.markers import MARKER as MARKER


def package_json(framework: Framework, name: str, js_package: str) -> str:
    dev_dependencies = {
        **framework.dev_dependencies,
        "django-duet": js_package,
        "typescript": TYPESCRIPT_VERSION,
        "vite": VITE_VERSION,
    }
    data = {
        "//": f"{MARKER}; edit freely",
        "name": name,
        "private": True,
        "version": "0.0.0",
        "type": "module",
        "scripts": {
            "dev": "vite",
            "build": f"{framework.typecheck} && vite build",
            "typecheck": framework.typecheck,
        },
        "dependencies": dict(framework.dependencies),
        "devDependencies": dict(sorted(dev_dependencies.items())),  # npm's order
    }
    return json.dumps(data, indent=2) + "\n"


def vite_config(framework: Framework) -> str:
    entry = framework.islands_entry
    return f"""\
// {MARKER}; edit freely.
{framework.plugin_import}
import duet from "django-duet/vite";
import {{ defineConfig }} from "vite";

export default defineConfig({{
  plugins: [
    {framework.plugin_call},
    // {entry}: {{% duet_entry %}} on Django pages; index.html: the app under /app/.
    duet({{ input: ["{entry}", "index.html"] }}),
  ],
}});
"""


def tsconfig(framework: Framework) -> str:
    options = "".join(f"\n    {line}" for line in framework.tsconfig_options)
    include = ", ".join(json.dumps(pattern) for pattern in framework.tsconfig_include)
    return f"""\
// {MARKER}; edit freely.
{{
  "compilerOptions": {{
    "target": "ES2022",
    "lib": ["ES2022", "DOM", "DOM.Iterable"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "types": ["vite/client"],{options}
    "strict": true,
    "isolatedModules": true,
    "moduleDetection": "force",
    "skipLibCheck": true,
    "noEmit": true
  }},
  "include": [{include}]
}}
"""


GITIGNORE = f"""\
# {MARKER}
node_modules/
dist/
.duet-hot
"""


def index_html(framework: Framework) -> str:
    return f"""\
<!doctype html>
<!-- {MARKER}; served by Django for every URL under /app/ (client_routes). -->
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>App</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/{framework.app_entry}"></script>
  </body>
</html>
"""


APP_CSS = f"""\
/* {MARKER}; edit freely. */
.duet-app {{
  border: 1px solid #8884;
  border-radius: 8px;
  padding: 1rem;
}}
"""


def base_html(framework: Framework) -> str:
    return f"""\
{{% load duet %}}{{# {MARKER}; edit freely. #}}<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{% block title %}}Django + {framework.label}{{% endblock %}}</title>
  <link rel="icon" href="data:,">{{# no favicon yet: nothing to fetch #}}
  {{% block duet_entries %}}{{% duet_entry "{framework.islands_entry}" %}}{{% endblock %}}
</head>
<body>
  {{% block content %}}{{% endblock %}}
</body>
</html>
"""


def home_html(framework: Framework) -> str:
    label = framework.label
    return f"""\
{{% extends "duet/base.html" %}}{{% load duet %}}{{# {MARKER}; edit freely. #}}
{{% block content %}}
<main>
  <h1 data-testid="django-title">A Django page</h1>
  <p>Django rendered this page; {label} renders the box below. <a href="/app/">Open the app</a>.</p>
  {{% duet_island "Hello" hello %}}
</main>
{{% endblock %}}
"""
