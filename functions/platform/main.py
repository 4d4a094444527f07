"""The platform's functions-framework source: each Knative Service picks one target by name."""

from functions.platform.api import api_docs, api_docs_asset, api_document
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["api_docs", "api_docs_asset", "api_document"]

answer_framework_errors_as_problems()
