"""The payments' HTTP functions, one per route: parse, call the use case, shape the answer.

Every function first refuses a card number anywhere in the query or the JSON body
(`_refuse_card_numbers`), before authentication or parsing: a PAN must not reach any further
code, storage or log line, not even as an echoed validation error.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING
from uuid import UUID

from flask import Request, Response

from functions.runtime.auth import signed_in_user
from functions.runtime.web import created_response, http_function, id_from_path, json_response, no_content

if TYPE_CHECKING:
    from functions.runtime.auth import Claims
    from functions.runtime.db import UnitOfWork
    from functions.runtime.idempotency import Replay


def _shown_path(path: str) -> str:
    from functions.payments.model import mask_card_numbers

    return mask_card_numbers(path)


def _work(actor: str) -> AbstractContextManager[UnitOfWork]:
    from functions.runtime.db import unit_of_work

    return unit_of_work(actor=actor)


def _refuse_card_numbers(request: Request) -> None:
    """Raise a 422 naming every query parameter, body field (at any depth) or path id holding a PAN."""
    import json

    from functions.payments.model import CARD_NUMBER_MESSAGE, card_number_fields, contains_card_number
    from functions.runtime.exceptions import FieldError, InvalidInput

    found: list[str] = []
    if contains_card_number(request.path):
        found.append("id")
    for key in request.args:
        if contains_card_number(key):
            found.append("query")  # never name a key that is itself the card number
        elif any(contains_card_number(value) for value in request.args.getlist(key)):
            found.append(key)
    raw = request.get_data(cache=True)
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            # Not JSON (parse_body answers 400 or 415 later): a PAN in it is still refused first.
            body = raw.decode("utf-8", "replace")
        found += card_number_fields(body)
    if found:
        raise InvalidInput([FieldError(name, CARD_NUMBER_MESSAGE) for name in dict.fromkeys(found)])



@http_function("/api/users/me/payment-methods", methods=("GET", "POST"), shown_path=_shown_path)
def payment_methods(request: Request) -> Response:
    """GET the caller's saved payment methods; POST saves one by its provider token."""
    from functions.payments import methods

    _refuse_card_numbers(request)
    claims, user_id = signed_in_user(request)
    if request.method == "GET":
        from functions.runtime.db import read_only

        with read_only() as conn:
            return json_response(methods.list_methods(conn, user_id))
    from functions.payments.commands import AddPaymentMethod
    from functions.runtime.validation import parse_body

    command = parse_body(request, AddPaymentMethod)
    with _work(claims.sub) as uow:
        created = methods.add_method(uow, user_id, command)
    return created_response(created, f"/api/users/me/payment-methods/{created['id']}")


@http_function("/api/users/me/payment-methods/{id}", methods=("DELETE",), shown_path=_shown_path)
def payment_method(request: Request) -> Response:
    """DELETE one of the caller's payment methods (another user's is a 404)."""
    from functions.payments import methods

    _refuse_card_numbers(request)
    claims, user_id = signed_in_user(request)
    method_id = id_from_path(request, "payment method")
    with _work(claims.sub) as uow:
        methods.delete_method(uow, user_id, method_id)
    return no_content()


def _answer(answer: Replay, replayed: bool) -> Response:
    """The first answer to an Idempotency-Key, or its replay (a decline is a problem document)."""
    headers = {"Location": answer.location} if answer.location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    response = json_response(answer.body, answer.status, headers)
    if answer.status >= 400:
        response.content_type = "application/problem+json"
    return response


def _owner_unless_admin(claims: Claims, user_id: UUID) -> UUID | None:
    from functions.runtime.auth import ADMIN

    return None if claims.role == ADMIN else user_id


@http_function("/api/payments", methods=("POST",), shown_path=_shown_path)
def payments(request: Request) -> Response:
    """POST pays one of the caller's orders, awaiting payment, for its total (Idempotency-Key required)."""
    from functions.payments import charges
    from functions.payments.adapters.provider import configured
    from functions.payments.commands import MakePayment
    from functions.runtime import idempotency
    from functions.runtime.validation import parse_body

    _refuse_card_numbers(request)
    _, user_id = signed_in_user(request)
    key = idempotency.request_key(request)
    command = parse_body(request, MakePayment)
    return _answer(*charges.pay(user_id, request.headers["Authorization"], command, key, configured()))


@http_function("/api/payments/{id}", methods=("GET",), shown_path=_shown_path)
def payment(request: Request) -> Response:
    """GET one of the caller's payments (an admin: any)."""
    from functions.payments import charges
    from functions.runtime.db import read_only

    _refuse_card_numbers(request)
    claims, user_id = signed_in_user(request)
    payment_id = id_from_path(request, "payment")
    with read_only() as conn:
        return json_response(charges.payment_detail(conn, payment_id, _owner_unless_admin(claims, user_id)))


@http_function("/api/orders/{id}/payments", methods=("GET",), shown_path=_shown_path)
def order_payments(request: Request) -> Response:
    """GET the payments of one of the caller's orders (an admin: any order's)."""
    from functions.payments import charges
    from functions.runtime.db import read_only

    _refuse_card_numbers(request)
    claims, user_id = signed_in_user(request)
    order_id = id_from_path(request, "order", segment=-2)
    with read_only() as conn:
        return json_response(charges.order_payments(conn, order_id, _owner_unless_admin(claims, user_id)))


@http_function("/api/admin/payments/{id}/refund", methods=("POST",), shown_path=_shown_path)
def admin_payment_refund(request: Request) -> Response:
    """POST: an admin gives back all or part of a completed payment (Idempotency-Key required)."""
    from functions.payments import charges
    from functions.payments.adapters.provider import configured
    from functions.payments.commands import RefundPayment
    from functions.runtime import idempotency
    from functions.runtime.auth import ADMIN
    from functions.runtime.errors import forbidden
    from functions.runtime.validation import parse_body

    _refuse_card_numbers(request)
    admin, admin_id = signed_in_user(request)
    if admin.role != ADMIN:
        raise forbidden("This action needs the admin role.")
    payment_id = id_from_path(request, "payment", segment=-2)
    key = idempotency.request_key(request)
    command = parse_body(request, RefundPayment) if request.get_data(cache=True) else RefundPayment()
    return _answer(*charges.refund_by_admin(admin_id, payment_id, command, key, configured()))
