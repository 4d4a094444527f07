"""`python -m functions.runtime.openapi`: write functions/openapi.yaml (`--check`: only compare)."""

from __future__ import annotations

import sys

from functions.runtime.openapi.build import DOCUMENT_FILE, build_document, render


def main(argv: list[str]) -> int:
    text = render(build_document())
    if "--check" in argv:
        if DOCUMENT_FILE.read_text() != text:
            print(f"{DOCUMENT_FILE} is not what the code declares: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    DOCUMENT_FILE.write_text(text)
    print(f"wrote {DOCUMENT_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
