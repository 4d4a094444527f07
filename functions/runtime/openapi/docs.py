"""The document as JSON (`/api/openapi.json`) and a Swagger UI page (`/api/docs`), assets included.

The page's scripts and styles come from the `swagger-ui-py` wheel and are served from here: the
page names no other host. The local gateway answers these paths itself (localrun/proxy.py).
"""

from __future__ import annotations

import functools
import json
import mimetypes
from pathlib import Path

import swagger_ui
import yaml

from functions.runtime.openapi.build import DOCUMENT_FILE

DOCUMENT_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
ASSETS = Path(swagger_ui.__file__).with_name("static")
ASSET_NAMES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})
NO_STORE = {"Cache-Control": "no-cache"}
# validatorUrl null: Swagger UI would otherwise send the document to its makers' online validator.
PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Ecom Functions API</title>
  <link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{DOCS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{url: "{DOCUMENT_PATH}", dom_id: "#swagger-ui", validatorUrl: null,
                                 deepLinking: true}});
  </script>
</body>
</html>
"""


@functools.lru_cache(maxsize=4)
def _document_json(mtime_ns: int) -> bytes:
    return json.dumps(yaml.safe_load(DOCUMENT_FILE.read_text()), separators=(",", ":")).encode()


def answer(path: str) -> tuple[str, bytes, dict[str, str]] | None:
    """Return (content type, body, headers) for a GET of `path`, or None when it is not ours."""
    if path == DOCUMENT_PATH:
        return "application/json", _document_json(DOCUMENT_FILE.stat().st_mtime_ns), NO_STORE
    if path.rstrip("/") == DOCS_PATH:
        return "text/html; charset=utf-8", PAGE.encode(), NO_STORE
    name = path.removeprefix(DOCS_PATH + "/")
    if name in ASSET_NAMES:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return kind, (ASSETS / name).read_bytes(), {"Cache-Control": "public, max-age=86400"}
    return None
