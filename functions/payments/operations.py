"""The payments' operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.payments import responses as answers
from functions.payments.commands import AddPaymentMethod, MakePayment, RefundPayment
from functions.runtime.openapi import (
    ADMIN,
    ADMIN_ERRORS,
    BODY_ERRORS,
    IDEMPOTENCY_KEY,
    NO_CONTENT,
    NOT_FOUND,
    REPLAYED,
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
PAYMENT_ID = Param("PaymentId", "id", "The payment's id; anything but a UUID is 422 (field `id`).",
                   {"type": "string", "format": "uuid"})
ORDER_ID = Param("OrderId", "id", "The order's id; anything but a UUID is 422 (field `id`).",
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

PAYMENTS = Endpoint("/api/payments", {"POST": Operation(
    "payMyOrder", "payments", "Pay one of the caller's orders", (
        "Any signed-in user, for their own order while it is `awaiting_payment`, with one of their "
        "saved methods (`payment_method_id`) or a one-off provider `token` (exactly one of them: "
        "422 naming the other). The amount is the order's total, as orders has it; the client "
        "never says it. The provider authorizes and captures; `com.ecom.payments.payment.completed` "
        "then moves the order to `paid` and `confirmed`. A decline is 402 (the order stays payable: "
        "try another card, with a new key). 409 when the order is not awaiting payment, is paid "
        "already, is being paid by another request, or was cancelled while it was paid (then the "
        "payment was refunded in full). 503 when orders or the provider did not answer: send the "
        "same request with the same key, which is never charged twice. The same key with the same "
        "body replays the first answer (a decline too); with another body it is 422; while the first "
        "request runs it is 409." + NO_CARD_NUMBERS
    ), SIGNED_IN, {201: Answer("Paid (or the replayed answer to the same key).", answers.Payment, REPLAYED)},
    ERRORS | BODY_ERRORS | NOT_FOUND | {402: "PaymentDeclined", 409: "Conflict"}, body=MakePayment,
    params=(IDEMPOTENCY_KEY,))})

PAYMENT = Endpoint("/api/payments/{id}", {"GET": Operation(
    "getMyPayment", "payments", "One payment", (
        "Its payer, or an admin; anyone else's payment is 404, like one that does not exist." + NO_CARD_NUMBERS
    ), SIGNED_IN, {200: Answer("The payment.", answers.Payment)}, ERRORS | NOT_FOUND, params=(PAYMENT_ID,))})

ORDER_PAYMENTS = Endpoint("/api/orders/{id}/payments", {"GET": Operation(
    "listOrderPayments", "payments", "An order's payments", (
        "The order's payer, or an admin: every attempt to pay it, oldest first (a declined one "
        "too), as one page. Another user's order with payments is 404." + NO_CARD_NUMBERS
    ), SIGNED_IN, {200: Answer("The order's payments.", answers.PaymentList)}, ERRORS | NOT_FOUND,
    params=(ORDER_ID,))})

ADMIN_PAYMENT_REFUND = Endpoint("/api/admin/payments/{id}/refund", {"POST": Operation(
    "refundPayment", "payments", "Refund a payment", (
        "Admins only. Gives back `amount_minor` of a completed payment through the provider (all "
        "that is left when left out; more than is left is 422 naming `amount_minor`; a payment not "
        "completed is 409) and emits `com.ecom.payments.payment.refunded`: refunded in full, the "
        "order becomes `refunded` (and its stock goes back unless it was shipped). Idempotency-Key "
        "required: the same request again is the same refund, never a second one." + NO_CARD_NUMBERS
    ), ADMIN, {200: Answer("The payment after the refund (or the replayed answer).", answers.Payment,
                          {"Idempotent-Replayed": REPLAYED["Idempotent-Replayed"]})},
    ADMIN_ERRORS | BODY_ERRORS | NOT_FOUND | {409: "Conflict"}, body=RefundPayment,
    params=(PAYMENT_ID, IDEMPOTENCY_KEY))})
