"""Build the OpenAPI 3.1 document from the functions' declared operations and `shared.yaml`.

The domains are found (every `functions/<domain>/api.py`), not listed; each HTTP function adds
its path, with the `Endpoint` its domain's operations.py declares for that path. Schemas come
from the pydantic models (requests in validation mode, answers in serialization mode) with their
`$defs` collected as components.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from types import FunctionType
from typing import Any

import yaml
from pydantic import BaseModel

from functions.runtime.commands import Patch
from functions.runtime.openapi import EVERY_OPERATION, GATEWAY_ANSWERS, Answer, Endpoint, Operation, Param
from functions.runtime.openapi.shapes import SHARED

FUNCTIONS = Path(__file__).resolve().parents[2]
SHARED_FILE = Path(__file__).with_name("shared.yaml")
DOCUMENT_FILE = FUNCTIONS / "openapi.yaml"
REF = "#/components/schemas/"
_REQUEST_REF = "#/requests/"  # a request model's name until it is known not to collide
METHODS = ("get", "put", "post", "patch", "delete")
BODY_NOTE = "Sent as `application/json` (any `+json` media type is accepted too)."


def endpoints() -> list[Endpoint]:
    """Return every declared endpoint: domains by name, functions in the order their module defines them."""
    found = []
    for api in sorted(FUNCTIONS.glob("*/api.py")):
        domain = api.parent.name
        functions = [f for f in vars(importlib.import_module(f"functions.{domain}.api")).values()
                     if isinstance(f, FunctionType) and getattr(f, "path", None) is not None]
        declared = [e for e in vars(importlib.import_module(f"functions.{domain}.operations")).values()
                    if isinstance(e, Endpoint)]
        found += paired(functions, declared, domain)
    return found


def paired(functions: list[Any], declared: list[Endpoint], domain: str) -> list[Endpoint]:
    """Return each HTTP function's `Endpoint`, the one declared for its path with one operation
    per method it answers; refuse a function without one, or one declared for no function."""
    by_path = {endpoint.path: endpoint for endpoint in declared}
    unserved = set(by_path) - {function.path for function in functions}
    if unserved:
        raise ValueError(f"{domain}: operations declared for no function: {sorted(unserved)}")
    found = []
    for function in functions:
        endpoint = by_path.get(function.path)
        if endpoint is None:
            raise ValueError(f"{domain}: {function.__name__} ({function.path}) declares no operations")
        if endpoint.methods != set(function.methods):
            raise ValueError(f"{endpoint.path}: operations for {sorted(endpoint.methods)}, "
                             f"methods {sorted(function.methods)}")
        found.append(endpoint)
    return found


class _Schemas:
    """The components' schemas: answers by their names, requests renamed `<Name>Input` on a clash."""

    def __init__(self, shared: dict[str, Any]) -> None:
        self.shared = shared
        self.answers: dict[str, Any] = {}
        self.requests: dict[str, Any] = {}

    def add(self, model: type[BaseModel], request: bool) -> dict[str, str]:
        """Collect `model` and its definitions; return a reference to it."""
        template = (_REQUEST_REF if request else REF) + "{model}"
        schema = _clean(model.model_json_schema(ref_template=template,
                                                mode="validation" if request else "serialization"))
        if request and issubclass(model, Patch):
            _no_null_unless_allowed(schema, model.nullable)
        found = {**schema.pop("$defs", {}), model.__name__: schema}
        target = self.requests if request else self.answers
        for name, definition in found.items():
            if target.setdefault(name, definition) != definition:
                raise ValueError(f"two different schemas are called {name}")
        return {"$ref": template.format(model=model.__name__)}

    def components(self) -> dict[str, Any]:
        """Return every schema by name, request references resolved."""
        names = {name: name if name not in self.answers or self.answers[name] == schema else f"{name}Input"
                 for name, schema in self.requests.items()}
        merged = {**self.shared, **self.answers}
        for name, schema in self.requests.items():
            merged[names[name]] = schema
        clashes = set(self.shared) & (set(self.answers) | set(names.values()))
        if clashes:
            raise ValueError(f"models named like shared schemas: {sorted(clashes)}")
        self.renames = {_REQUEST_REF + old: REF + new for old, new in names.items()}
        return merged


def _clean(node: Any) -> Any:
    """Drop pydantic's generated titles; turn `shared()` markers into references."""
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _clean(schema) for name, schema in value.items()}
        elif key == SHARED:
            out["$ref"] = REF + value
        elif key != "title":
            out[key] = _clean(value)
    return out


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Return `schema` without its `null` alternative (and the `null` default that came with it)."""
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if len(options) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**options[0], **rest}


def _no_null_unless_allowed(schema: dict[str, Any], nullable: frozenset[str]) -> None:
    for name, prop in schema["properties"].items():
        if name not in nullable:
            schema["properties"][name] = _without_null(prop)


def _replace_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_replace_refs(item, renames) for item in node]
    if isinstance(node, dict):
        return {k: (renames.get(v, v) if k == "$ref" else _replace_refs(v, renames)) for k, v in node.items()}
    return node


class _Builder:
    def __init__(self, shared: dict[str, Any]) -> None:
        self.components = shared["components"]
        self.schemas = _Schemas(self.components["schemas"])
        self.parameters: dict[str, Any] = {}

    def parameter(self, param: Param) -> dict[str, str]:
        spec = {"name": param.name, "in": param.where, "required": param.where == "path",
                "description": param.description, "schema": param.schema}
        if param.example is not None:
            spec["example"] = param.example
        if self.parameters.setdefault(param.component, spec) != spec:
            raise ValueError(f"two different parameters are called {param.component}")
        return {"$ref": f"#/components/parameters/{param.component}"}

    def query(self, operation: Operation) -> list[dict[str, Any]]:
        assert operation.query is not None
        schema = _clean(operation.query.model_json_schema(ref_template=REF + "{model}"))
        assert "$defs" not in schema, f"{operation.id}: a query parameter is a model"
        required = set(schema.get("required", ()))
        params = []
        for name, prop in schema["properties"].items():
            param = {"name": name, "in": "query", "required": name in required}
            if name in operation.query_help:
                param["description"] = operation.query_help[name]
            params.append({**param, "schema": _without_null(prop)})
        unknown = set(operation.query_help) - set(schema["properties"])
        assert not unknown, f"{operation.id}: help for no parameter {sorted(unknown)}"
        return params

    def answer(self, answer: Answer) -> dict[str, Any]:
        if answer.ref is not None:
            if answer.model is not None:  # the shared response names the model's schema
                self.schemas.add(answer.model, request=False)
            return {"$ref": f"#/components/responses/{answer.ref}"}
        headers = {name: {"$ref": f"#/components/headers/{spec}"} if isinstance(spec, str) else spec
                   for name, spec in answer.headers.items()}
        out: dict[str, Any] = {"description": answer.description,
                               "headers": {**headers, "X-Request-ID": {"$ref": "#/components/headers/XRequestId"}}}
        schema = self.schemas.add(answer.model, request=False) if answer.model is not None else answer.schema
        if schema is not None:
            out["content"] = {answer.media: {"schema": schema}}
        return out

    def operation(self, operation: Operation) -> dict[str, Any]:
        out: dict[str, Any] = {"tags": [operation.tag], "operationId": operation.id,
                               "summary": operation.summary, "description": operation.description,
                               "security": operation.security}
        params = [self.parameter(p) for p in operation.params]
        params += self.query(operation) if operation.query is not None else []
        if params:
            out["parameters"] = params
        if operation.body is not None:
            out["requestBody"] = {"required": True, "description": BODY_NOTE, "content": {
                "application/json": {"schema": self.schemas.add(operation.body, request=True)}}}
        responses: dict[str, Any] = {str(s): _error(e) for s, e in GATEWAY_ANSWERS.items()}
        responses |= {str(s): self.answer(a) for s, a in sorted(operation.answers.items())}
        errors = {**EVERY_OPERATION, **operation.errors}
        responses |= {str(s): _error(errors[s]) for s in sorted(errors)}
        out["responses"] = responses
        return out


def _error(answer: str | tuple[str, str]) -> dict[str, str]:
    name, description = (answer, None) if isinstance(answer, str) else answer
    ref = {"$ref": f"#/components/responses/{name}"}
    return ref if description is None else {**ref, "description": description}


def build_document() -> dict[str, Any]:
    """Return the whole OpenAPI document."""
    doc = copy.deepcopy(yaml.safe_load(SHARED_FILE.read_text()))
    builder = _Builder(doc)
    own_paths, doc["paths"] = doc["paths"], {}
    for endpoint in endpoints():
        if endpoint.path in doc["paths"] or endpoint.path in own_paths:
            raise ValueError(f"two endpoints serve {endpoint.path}")
        item: dict[str, Any] = {"parameters": [{"$ref": "#/components/parameters/XRequestId"}]}
        for method in METHODS:
            if method.upper() in endpoint.operations:
                item[method] = builder.operation(endpoint.operations[method.upper()])
        doc["paths"][endpoint.path] = item
    doc["paths"] |= own_paths
    components = doc["components"]
    components["parameters"] |= dict(sorted(builder.parameters.items()))
    components["schemas"] = builder.schemas.components()
    return _replace_refs(doc, builder.schemas.renames)


class _Dumper(yaml.SafeDumper):
    """YAML as yamllint wants it: sequences indented under their key, text blocks literal."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render(doc: dict[str, Any]) -> str:
    """Return the document as the YAML committed in functions/openapi.yaml."""
    head = "# Generated by `make openapi` from the functions' declared operations: do not edit.\n"
    return head + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=80, allow_unicode=True)
