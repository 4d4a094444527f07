"""The payments' operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.payments import responses as answers
from functions.payments.commands import AddPaymentMethod
from functions.runtime.openapi import (
                  BODY_ERRORS,
                  NO_CONTENT,
                  NOT_FOUND,
                  SIGNED_IN,
                  Answer,
                  Endpoint,
                  Operation,
                  Param,
)

ERRORS = {401: "Unauthorized", 503: "ServiceUnavailable"}
METHOD_ID = Param("PaymentMethodId", "id",
                  "The payment method's id; anything but a UUID is 422 (field `id`).",
                  {"type": "string", "format": "uuid"})
NO_CARD_NUMBERS = (
    " A full card number is never accepted: any field (or query parameter) holding 13 to 19 digits "
    "that pass the Luhn check, spaces or dashes allowed between them, is 422 naming that field, "
    "before anything else is looked at. Cards are saved by the payment provider's token."
)

PAYMENT_METHODS = Endpoint("/api/users/me/payment-methods", {
    "GET": Operation(
        "listMyPaymentMethods", "payments", "The caller's saved payment methods", (
            "Any signed-in user; only their own methods, oldest first. The whole list is one page: "
            "`page` is 1, `page_size` 10 (the most a user keeps)." + NO_CARD_NUMBERS
        ), SIGNED_IN, {200: Answer("The saved methods.", answers.PaymentMethodList)},
        ERRORS | {422: "ValidationFailed"}),
    "POST": Operation(
        "addMyPaymentMethod", "payments", "Save a payment method", (
            "Any signed-in user. Saves a card by the provider's `token` (`tok_` and up to 64 letters, "
            "digits or `_`), with its `brand`, `last4` and expiry, which may not be past (422 naming "
            "`exp_year`). A user keeps at most 10 methods (409 naming `token`). The token is kept "
            "for charging and never shown back." + NO_CARD_NUMBERS
        ), SIGNED_IN, {201: Answer("Saved.", answers.PaymentMethod, {"Location": "Location"})},
        ERRORS | BODY_ERRORS | {409: "Conflict"}, body=AddPaymentMethod),
})

PAYMENT_METHOD = Endpoint("/api/users/me/payment-methods/{id}", {"DELETE": Operation(
    "deleteMyPaymentMethod", "payments", "Delete one of the caller's payment methods", (
        "Any signed-in user; another user's method is 404, like one that does not exist." + NO_CARD_NUMBERS
    ), SIGNED_IN, {204: NO_CONTENT}, ERRORS | NOT_FOUND, params=(METHOD_ID,))})
