"""Product images shipped with the catalog: the system needs no outside host to show them."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

MEDIA_DIR = Path(__file__).resolve().parents[1] / "media"  # the image files, beside the domain
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.svg$")


@functools.lru_cache(maxsize=256)
def read_image(name: str) -> tuple[bytes, str] | None:
    """Return the image's bytes and ETag, or None if there is no such image."""
    if not _NAME.match(name):  # also keeps "..", "/" and other files out
        return None
    path = MEDIA_DIR / name
    if not path.is_file():
        return None
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]
