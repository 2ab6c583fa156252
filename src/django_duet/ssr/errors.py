"""Why a server render did not happen. Each one makes the page fall back to client rendering."""

from __future__ import annotations

from pathlib import Path

from django_duet.exceptions import DuetError


class SsrError(DuetError):
    """Base of the SSR failures: the caller renders the component in the browser instead."""

    reason = "failed"
    js_stack = ""  # the JS stack, when the failure came from the bundle's code


class SsrUnavailable(SsrError):
    reason = "unavailable"

    def __init__(self) -> None:
        super().__init__(
            "Server-side rendering needs the mini-racer package (an embedded V8), which is not "
            'installed: `pip install "django-duet[ssr]"`, or set DUET["SSR_ENABLED"] = False.'
        )


class SsrForkedAfterV8(SsrError):
    reason = "V8 started before this process was forked"

    def __init__(self, parent: int) -> None:
        super().__init__(
            f"V8 was started in process {parent} before it forked this one; V8's threads do not "
            "survive a fork, so a render here would hang. Server rendering is off in this "
            "process (pages render in the browser). Do not render in gunicorn's master (at "
            "import time with --preload); django_duet.ssr.preload.preload_library() maps the "
            "library there without starting V8 (docs/ssr.md)."
        )


class SsrBundleNotFound(SsrError):
    reason = "no server bundle"

    def __init__(self, path: Path, what: str = "server bundle record") -> None:
        self.path = path
        super().__init__(
            f"No {what} at {path}. Add duetSsr({{ entry: 'src/ssr/server.tsx' }}) from "
            "django-duet/ssr to the Vite plugins and build the frontend (`npm run build`), or "
            'point DUET["SSR_BUNDLE"] at a server bundle.'
        )


class SsrBundleInvalid(SsrError):
    reason = "invalid server bundle"

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(
            f"The server bundle {path} cannot be used: {problem}. Rebuild the frontend; the "
            "bundle must come from duetSsr() (or call createRenderer() from "
            "django-duet/ssr/server)."
        )


class SsrComponentNotFound(SsrError):
    reason = "unknown component"

    def __init__(self, name: str, known: list[str], path: Path) -> None:
        self.name = name
        self.known = known
        listing = ", ".join(repr(k) for k in known) or "none"
        super().__init__(
            f"The server bundle {path} has no component {name!r} (it has: {listing}). Add it to "
            "createRenderer({ components }) in the server entry and rebuild, or fix the name."
        )


class SsrRenderError(SsrError):
    reason = "the component threw"

    def __init__(self, name: str, message: str, js_stack: str) -> None:
        self.name = name
        self.js_stack = js_stack
        super().__init__(f"{name} threw during the server render: {message}")


class SsrTimeout(SsrError):
    reason = "over the time budget"

    def __init__(self, name: str, timeout_ms: float) -> None:
        self.name = name
        super().__init__(
            f"Rendering {name} took more than {timeout_ms:g} ms (DUET['SSR_TIMEOUT_MS']): it was "
            "interrupted and its V8 context replaced. Look for a loop that never ends, or raise "
            "the budget."
        )


class SsrHeapExceeded(SsrError):
    reason = "over the heap budget"

    def __init__(self, name: str, heap_mb: int) -> None:
        self.name = name
        super().__init__(
            f"Rendering {name} used more than {heap_mb} MB of V8 heap (DUET['SSR_HEAP_MB']): it "
            "was interrupted and its V8 context replaced. Pass smaller props, or raise the budget."
        )


class SsrPropsTooLarge(SsrError):
    reason = "props over the size limit"

    def __init__(self, name: str, size: int, limit: int) -> None:
        self.name = name
        super().__init__(
            f"The props of {name} are {size:,} bytes of JSON, over DUET['SSR_MAX_PROPS_BYTES'] "
            f"({limit:,}): it was not rendered on the server (V8 needs many times their size, "
            "beyond SSR_HEAP_MB's reach). Pass less data (a page of rows), or raise the limit."
        )


class SsrEngineError(SsrError):
    reason = "V8 error"

    def __init__(self, message: str, js_stack: str = "") -> None:
        self.js_stack = js_stack
        super().__init__(message)
