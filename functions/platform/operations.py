"""The platform's operations as the OpenAPI document shows them."""

from __future__ import annotations

from functions.runtime.openapi import ANONYMOUS, NOT_FOUND, Answer, Endpoint, Operation, Param

ASSET = Param("DocsAsset", "asset", "A file of the docs page (its script, style sheet or icons).",
              {"type": "string", "enum": ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png",
                                          "favicon-16x16.png"]})

DOCUMENT = Endpoint("/api/openapi.json", {
    "GET": Operation(
        "getApiDocument", "api", "This document", (
            "The OpenAPI 3.1 document of the whole API (as JSON), generated from the operations "
            "each function declares (`make openapi`)."
        ), ANONYMOUS, {200: Answer("The document.", schema={"type": "object"})}),
})

DOCS = Endpoint("/api/docs", {
    "GET": Operation(
        "getApiDocs", "api", "A browsable page of this document", (
            "Swagger UI for `/api/openapi.json`; its scripts and styles are served from here too "
            "(no other host is named)."
        ), ANONYMOUS, {200: Answer("The page.", media="text/html", schema={"type": "string"})}),
})

DOCS_ASSET = Endpoint("/api/docs/{asset}", {
    "GET": Operation(
        "getApiDocsAsset", "api", "A file of the docs page", "The page's script, style sheet and icons.",
        ANONYMOUS, {200: Answer("The file (CSS, JavaScript or PNG).", media="*/*",
                                schema={"type": "string", "format": "binary"})},
        NOT_FOUND, params=(ASSET,)),
})
