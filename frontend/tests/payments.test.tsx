import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OrderTracker } from "@/components/orders/order-tracker";
import { FOLLOW_EVERY_MS } from "@/components/orders/use-followed-order";
import { FOLLOW_PAYMENT_EVERY_MS } from "@/components/payments/payment-step";
import { OrderTable } from "@/components/orders/order-table";
import { OrderPayments } from "@/components/payments/order-payments";
import { PaymentList } from "@/components/payments/payment-list";
import { PaymentSummary } from "@/components/payments/payment-summary";
import { readMyOrder, cancelMyOrder } from "@/lib/actions/orders";
import { payOrder, readPayment } from "@/lib/actions/payments";
import { ApiError, payments } from "@/lib/api";
import type { Schemas } from "@/lib/api/client";
import type { Order, OrderStatus, PaymentMethod } from "@/lib/api/types";
import { toPayment } from "@/lib/api/types";
import { sendAttempt } from "@/lib/checkout-attempt";
import { choiceFromKey, choiceKey, choiceLabel, isOffered, orderPageHref, parseCarriedPayment, type CarriedPayment } from "@/lib/payment-choice";
import { createPaymentStore } from "@/lib/stores/payment-store";
import { ACCESS_TOKEN, fakeGateway, json, problem, type FakeGateway } from "./fake-gateway";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), refresh }),
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
}));

const ORDER = "0b8f6c1e-2d3a-4f5b-8c9d-0e1f2a3b4c5d";
const PAY = "/api/payments";
const ORDER_PAYMENTS = `/api/orders/${ORDER}/payments`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let n = 0;
type PaymentWire = Schemas["Payment"];
const usdWire = (amount_minor: number) => ({ amount_minor, currency: "USD" });
function paymentWire(extra: Partial<PaymentWire> = {}): PaymentWire {
  n += 1;
  return {
    id: `7c000000-0000-4000-8000-${String(n).padStart(12, "0")}`, order_id: ORDER, user_id: "u-1", status: "completed", amount: usdWire(1580),
    refunded: usdWire(0), payment_method_id: null, card: { brand: "visa", last4: "4242" }, failure: null,
    created_at: `2026-12-03T10:0${n % 10}:00Z`, completed_at: `2026-12-03T10:0${n % 10}:01Z`, ...extra,
  };
}
const declined = (paymentId: string, detail = "Your card was declined.", code = "card_declined") =>
  problem(402, detail, { type: "https://ecom.example/problems/payment-declined", code, payment_id: paymentId });

const saved: PaymentMethod = { id: "9a1b2c3d-0000-4000-8000-000000000001", brand: "mastercard", last4: "4444", expMonth: 3, expYear: 2030, createdAt: "2026-12-01T10:00:00Z" };

const usd = (amountMinor: number) => ({ amountMinor, currency: "USD" });
const placed = { fromStatus: null, status: "pending" as const, reason: null, at: "2026-12-03T10:00:00Z" };
function order(status: OrderStatus): Order {
  return {
    id: ORDER, userId: "u-1", status, cancelReason: null, subtotal: usd(1000), shipping: usd(500), tax: usd(80), total: usd(1580),
    payableUntil: status === "awaiting_payment" ? "2026-12-03T10:15:00Z" : null, paymentId: null, lastPaymentFailure: null, placedAt: placed.at, updatedAt: placed.at, lines: [],
    history: [placed, { fromStatus: "pending", status: "awaiting_payment", reason: null, at: "2026-12-03T10:00:05Z" }],
    shippingAddress: { name: "Bea", line1: "1 Market Street", line2: "", city: "Springfield", region: "", postalCode: "12345", country: "US", phone: "" },
  };
}
/** The order as the orders API answers it. */
const orderWire = (status: OrderStatus) => ({
  id: ORDER, user_id: "u-1", status, cancel_reason: null, subtotal: { amount_minor: 1000, currency: "USD" }, shipping: { amount_minor: 500, currency: "USD" },
  tax: { amount_minor: 80, currency: "USD" }, total: { amount_minor: 1580, currency: "USD" }, payable_until: null, placed_at: placed.at, updated_at: placed.at,
  payment_id: null, last_payment_failure: null, items: [], shipping_address: { name: "Bea", line1: "1 Market Street", line2: "", city: "Springfield", region: "", postal_code: "12345", country: "US", phone: "" },
  history: [{ from_status: null, status: "pending", reason: null, at: placed.at }],
});

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway();
  refresh.mockReset();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const keysSent = () => gateway.sent("POST", PAY).map((r) => r.headers["idempotency-key"]);
const noSleep = async () => {};
const store = (payments: PaymentWire[] = []) =>
  createPaymentStore(ORDER, { choice: { token: "tok_visa" }, payments: payments.map(toPayment) }, { pay: payOrder, sleep: noSleep });

describe("the payments client", () => {
  it("pays with the attempt's Idempotency-Key and the session's token", async () => {
    const wire = paymentWire({ payment_method_id: saved.id, card: { brand: "mastercard", last4: "4444" } });
    gateway.answer("POST", PAY, json(201, wire, { Location: `${PAY}/${wire.id}` }));
    const paid = await payments.pay(ACCESS_TOKEN, "key-1", { order_id: ORDER, payment_method_id: saved.id });
    expect(paid).toMatchObject({ id: wire.id, status: "completed", amount: usd(1580), refunded: usd(0), paymentMethodId: saved.id, card: { brand: "mastercard", last4: "4444" } });
    const [sent] = gateway.sent("POST", PAY);
    expect(sent!.headers["idempotency-key"]).toBe("key-1");
    expect(sent!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(sent!.body).toEqual({ order_id: ORDER, payment_method_id: saved.id });
  });

  it("reads a decline's code and payment id from its problem", async () => {
    gateway.answer("POST", PAY, declined("7c-declined", "Your card has insufficient funds.", "insufficient_funds"));
    const error = await payments.pay(ACCESS_TOKEN, "key-1", { order_id: ORDER, token: "tok_chargeDeclinedInsufficientFunds" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 402, detail: "Your card has insufficient funds.", extensions: { code: "insufficient_funds", payment_id: "7c-declined" } });
  });

  it("lists an order's payments and refunds with its own key", async () => {
    const wire = paymentWire();
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [wire], total: 1, page: 1, page_size: 20 }));
    gateway.answer("POST", `/api/admin/payments/${wire.id}/refund`, json(200, { ...wire, status: "partially_refunded", refunded: usdWire(500) }));
    expect((await payments.listForOrder(ACCESS_TOKEN, ORDER)).map((p) => p.id)).toEqual([wire.id]);
    const refunded = await payments.refund(ACCESS_TOKEN, "refund-key", wire.id, { amount_minor: 500 });
    expect(refunded.refunded).toEqual(usd(500));
    expect(gateway.sent("POST", /refund$/)[0]!.headers["idempotency-key"]).toBe("refund-key");
  });
});

describe("sending an attempt", () => {
  it("resends after each delay while the answer allows, and stops at the first definite one", async () => {
    const answers = ["lost", "retry", "done"];
    const sleeps: number[] = [];
    const send = vi.fn(async () => {
      const next = answers.shift()!;
      if (next === "lost") throw new TypeError("Failed to fetch");
      return next;
    });
    const last = await sendAttempt(send, (a) => a === "retry", () => "retry", [10, 20, 30], async (ms) => void sleeps.push(ms));
    expect(last).toBe("done");
    expect(send).toHaveBeenCalledTimes(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it("answers the last answer once the delays run out", async () => {
    const send = vi.fn(async () => "retry");
    expect(await sendAttempt(send, (a) => a === "retry", () => "retry", [1, 1], noSleep)).toBe("retry");
    expect(send).toHaveBeenCalledTimes(3);
  });
});

describe("the payment store", () => {
  it("resends one attempt with the same key after a dropped connection and a 503, and is charged once", async () => {
    gateway.answer("POST", PAY, "network", problem(503, "The payment provider did not answer."), json(201, paymentWire()));
    const s = store();
    await s.getState().pay();
    const keys = keysSent();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
    expect(gateway.sent("POST", PAY)[0]!.body).toEqual({ order_id: ORDER, token: "tok_visa" });
    expect(s.getState()).toMatchObject({ phase: "charged", notice: null, attempt: null, sends: 3 });
  });

  it("shows a decline as the API says it; the next attempt (another card, or the same) has a new key", async () => {
    const wire = paymentWire();
    gateway.answer("POST", PAY, declined("7c-d1"), declined("7c-d2", "Your card has insufficient funds.", "insufficient_funds"), json(201, wire));
    const s = store();
    s.getState().choose({ token: "tok_chargeDeclined" });
    await s.getState().pay();
    expect(s.getState()).toMatchObject({ phase: "choosing", notice: { kind: "declined", message: "Your card was declined." }, attempt: null });
    await s.getState().pay(); // the same card again: a new attempt, which the API judges afresh
    expect(s.getState().notice).toEqual({ kind: "declined", message: "Your card has insufficient funds." });
    s.getState().choose({ token: "tok_visa" });
    await s.getState().pay();
    expect(new Set(keysSent()).size).toBe(3);
    expect(gateway.sent("POST", PAY).map((r) => (r.body as { token: string }).token)).toEqual(["tok_chargeDeclined", "tok_chargeDeclined", "tok_visa"]);
    expect(s.getState().payment?.id).toBe(wire.id);
  });

  it("asks the shopper once the resends run out, and Try again still sends the same key", async () => {
    gateway.answer("POST", PAY, "network", "network", "network", json(201, paymentWire()));
    const s = store();
    await s.getState().pay();
    expect(s.getState()).toMatchObject({ phase: "choosing", notice: { kind: "retry" } });
    expect(s.getState().notice!.message).toMatch(/will not be charged twice/);
    await s.getState().pay();
    expect(keysSent()).toHaveLength(4);
    expect(new Set(keysSent()).size).toBe(1);
    expect(s.getState().phase).toBe("charged");
  });

  it("choosing another card after a lost answer is a new attempt", async () => {
    gateway.answer("POST", PAY, "network", "network", "network", json(201, paymentWire()));
    const s = store();
    await s.getState().pay();
    s.getState().choose({ methodId: saved.id });
    await s.getState().pay();
    const keys = keysSent();
    expect(keys[3]).not.toBe(keys[0]);
    expect(gateway.sent("POST", PAY)[3]!.body).toEqual({ order_id: ORDER, payment_method_id: saved.id });
  });

  it("resends with the same key while a request with it is still in progress (409)", async () => {
    gateway.answer("POST", PAY, problem(409, "A request with this Idempotency-Key is still being processed: send it again shortly.", {
      errors: [{ field: "Idempotency-Key", message: "A request with this Idempotency-Key is still being processed: send it again shortly." }],
    }), json(201, paymentWire()));
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [], total: 0, page: 1, page_size: 20 }));
    const s = store();
    await s.getState().pay();
    expect(keysSent()).toHaveLength(2);
    expect(new Set(keysSent()).size).toBe(1);
    expect(s.getState().phase).toBe("charged");
  });

  it("resends a 409 with the same key while the order's only payment is still processing", async () => {
    gateway.answer("POST", PAY, problem(409, "The order is being paid by another request."));
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [paymentWire({ status: "processing", completed_at: null })], total: 1, page: 1, page_size: 20 }));
    const s = store();
    await s.getState().pay();
    expect(keysSent()).toHaveLength(3);
    expect(new Set(keysSent()).size).toBe(1);
    expect(s.getState()).toMatchObject({ phase: "choosing", notice: { kind: "refused", message: "The order is being paid by another request." } });
    expect(s.getState().attempt?.key).toBe(keysSent()[0]); // Pay again: still the same request
  });

  it("takes a 409 for an order cancelled meanwhile as a definite no, and says it", async () => {
    gateway.answer("POST", PAY, problem(409, "The order is cancelled: it cannot be paid.", { errors: [{ field: "order_id", message: "The order is cancelled: it cannot be paid." }] }));
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [], total: 0, page: 1, page_size: 20 }));
    const s = store();
    await s.getState().pay();
    expect(keysSent()).toHaveLength(1);
    expect(s.getState()).toMatchObject({ phase: "choosing", attempt: null, notice: { kind: "refused", message: "The order is cancelled: it cannot be paid." } });
  });

  it("takes a 409 for an order already paid as the payment that paid it", async () => {
    const earlier = paymentWire({ payment_method_id: saved.id, card: { brand: "mastercard", last4: "4444" } });
    gateway.answer("POST", PAY, problem(409, "The order is already paid."));
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [paymentWire({ status: "failed", completed_at: null }), earlier], total: 2, page: 1, page_size: 20 }));
    const s = store();
    await s.getState().pay();
    expect(keysSent()).toHaveLength(1);
    expect(s.getState()).toMatchObject({ phase: "charged", payment: { id: earlier.id } });
  });

  it("shows a 422 and starts a new attempt next time", async () => {
    gateway.answer("POST", PAY, problem(422, "The request is invalid.", { errors: [{ field: "body.token", message: "is not a token the provider knows" }] }));
    const s = store();
    await s.getState().pay();
    expect(s.getState()).toMatchObject({ phase: "choosing", notice: { kind: "refused", message: "The request is invalid." }, attempt: null });
  });

  it("follows a payment the provider is still processing until it is taken or declined", async () => {
    const slow = paymentWire({ status: "processing", completed_at: null, card: null });
    gateway.answer("POST", PAY, json(201, slow));
    gateway.answer("GET", `${PAY}/${slow.id}`, json(200, slow), json(200, { ...slow, status: "completed" }));
    const s = store();
    await s.getState().pay();
    expect(s.getState().phase).toBe("processing");
    s.getState().followed(await readPayment(slow.id));
    expect(s.getState().phase).toBe("processing");
    s.getState().followed(await readPayment(slow.id));
    expect(s.getState()).toMatchObject({ phase: "charged", payment: { status: "completed" } });

    gateway.answer("POST", PAY, json(201, { ...slow, id: "7c-failing" }));
    const failing = store();
    await failing.getState().pay();
    failing.getState().followed({ ok: true, payment: toPayment({ ...slow, status: "failed", failure: { code: "card_declined", message: "Your card was declined." } }) });
    expect(failing.getState()).toMatchObject({ phase: "choosing", notice: { kind: "declined", message: "Your card was declined." } });
  });

  it("does not follow a payment an earlier visit left processing, but says so and still lets the shopper pay", () => {
    const left = paymentWire({ status: "processing", completed_at: null });
    const s = store([left]);
    expect(s.getState()).toMatchObject({ phase: "choosing", payment: null, unfinished: { id: left.id } });
  });

  it("starts charged for an order whose payment was already taken, and will not pay again", async () => {
    const s = store([paymentWire({ status: "failed" }), paymentWire()]);
    expect(s.getState().phase).toBe("charged");
    await s.getState().pay();
    expect(gateway.sent("POST", PAY)).toHaveLength(0);
  });
});

describe("the payment step on the order page", () => {
  const tick = (ms: number) => act(async () => vi.advanceTimersByTimeAsync(ms));
  const payButton = () => screen.getByRole("button", { name: /^Pay \$15\.80$|Try again/ });

  function tracker(methods: PaymentMethod[] | null = [saved]) {
    return render(<OrderTracker initial={order("awaiting_payment")} read={readMyOrder} cancel={cancelMyOrder} payments={[]} methods={methods} />);
  }

  it("pays with the preselected saved card", async () => {
    vi.useFakeTimers();
    gateway.answer("POST", PAY, json(201, paymentWire({ payment_method_id: saved.id, card: { brand: "mastercard", last4: "4444" } })));
    tracker();
    expect(screen.getByRole("radio", { name: /Mastercard •••• 4444/ })).toHaveProperty("checked", true);
    await act(async () => fireEvent.click(payButton()));
    expect(gateway.sent("POST", PAY)[0]!.body).toEqual({ order_id: ORDER, payment_method_id: saved.id });
    expect(screen.getByTestId("payment-processing").textContent).toMatch(/\$15\.80 with Mastercard •••• 4444 received/);
    expect(refresh).toHaveBeenCalled();
  });

  it("shows a decline clearly, pays with another test card, and follows the order to confirmed", async () => {
    vi.useFakeTimers();
    gateway.answer("POST", PAY, declined("7c-d1"), json(201, paymentWire()));
    gateway.answer("GET", `/api/orders/${ORDER}`, json(200, orderWire("awaiting_payment")), json(200, orderWire("paid")), json(200, orderWire("confirmed")));
    tracker([]);
    expect(screen.getByRole("radio", { name: /A test card/ })).toHaveProperty("checked", true); // no saved card: a test card
    expect(screen.getByRole("link", { name: "save one" }).getAttribute("href")).toBe("/account/payment-methods");
    fireEvent.change(screen.getByLabelText("Test card"), { target: { value: "tok_chargeDeclined" } });
    await act(async () => fireEvent.click(payButton()));
    const alert = screen.getByRole("alert");
    expect(alert.dataset.kind).toBe("declined");
    expect(alert.textContent).toMatch(/^Your card was declined\.Nothing was charged\. Choose another card/);
    expect(screen.getByTestId("payable-until")).toBeTruthy(); // still reserved, still to pay

    fireEvent.change(screen.getByLabelText("Test card"), { target: { value: "tok_visa" } });
    await act(async () => fireEvent.click(payButton()));
    const [first, second] = gateway.sent("POST", PAY);
    expect(first!.headers["idempotency-key"]).not.toBe(second!.headers["idempotency-key"]);
    expect(second!.body).toEqual({ order_id: ORDER, token: "tok_visa" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("payment-form")).toBeNull();
    expect(screen.queryByTestId("payable-until")).toBeNull();
    expect(screen.queryByRole("button", { name: "Cancel order" })).toBeNull();
    expect(screen.getByTestId("payment-processing").textContent).toMatch(/Visa •••• 4242 received\. We are confirming your order/);

    await tick(FOLLOW_EVERY_MS); // still awaiting payment: payments has not told orders yet
    expect(screen.getByTestId("order-status").dataset.status).toBe("awaiting_payment");
    await tick(FOLLOW_EVERY_MS);
    expect(screen.getByTestId("order-status").dataset.status).toBe("paid");
    expect(screen.getByTestId("payment-processing")).toBeTruthy();
    await tick(FOLLOW_EVERY_MS);
    expect(screen.getByTestId("order-status").dataset.status).toBe("confirmed");
    expect(screen.getByTestId("payment-confirmed").textContent).toBe("Paid $15.80 with Visa •••• 4242. Your order is confirmed.");
    await tick(FOLLOW_EVERY_MS * 3);
    expect(gateway.sent("GET", `/api/orders/${ORDER}`)).toHaveLength(3); // confirmed: no more reads
  });

  it("says it is trying again while it resends, then offers Try again with the same key", async () => {
    vi.useFakeTimers();
    gateway.answer("POST", PAY, problem(503, "The payment provider did not answer."));
    tracker();
    await act(async () => fireEvent.click(payButton()));
    expect(screen.getByRole("button", { name: "Paying…" })).toHaveProperty("disabled", true);
    await tick(1_000);
    expect(screen.getByRole("button", { name: "Trying again…" })).toBeTruthy();
    await tick(3_000);
    expect(screen.getByRole("alert").dataset.kind).toBe("retry");
    expect(keysSent()).toHaveLength(3);
    gateway.answer("POST", PAY, json(201, paymentWire()));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Try again" })));
    expect(new Set(keysSent()).size).toBe(1);
    expect(screen.getByTestId("payment-processing")).toBeTruthy();
  });

  it("shows a slow payment as processing and follows it", async () => {
    vi.useFakeTimers();
    const slow = paymentWire({ status: "processing", completed_at: null, card: null });
    gateway.answer("POST", PAY, json(201, slow));
    gateway.answer("GET", `${PAY}/${slow.id}`, json(200, slow), json(200, { ...slow, status: "completed", card: { brand: "visa", last4: "4242" } }));
    tracker(null);
    expect(screen.getByText(/saved cards cannot be shown right now/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Test card"), { target: { value: "tok_slow" } });
    await act(async () => fireEvent.click(payButton()));
    expect(screen.getByTestId("payment-pending").textContent).toMatch(/still processing/);
    await tick(FOLLOW_PAYMENT_EVERY_MS);
    expect(screen.getByTestId("payment-pending")).toBeTruthy();
    await tick(FOLLOW_PAYMENT_EVERY_MS);
    expect(screen.queryByTestId("payment-pending")).toBeNull();
    expect(screen.getByTestId("payment-processing")).toBeTruthy();
  });

  it("says a payment left processing by an earlier visit is still going, and still offers to pay", () => {
    const left = toPayment(paymentWire({ status: "processing", completed_at: null }));
    render(<OrderTracker initial={order("awaiting_payment")} read={readMyOrder} cancel={cancelMyOrder} payments={[left]} methods={[saved]} />);
    expect(screen.getByTestId("payment-unfinished").textContent).toMatch(/\$15\.80 for this order was still being processed/);
    expect(payButton()).toHaveProperty("disabled", false);
  });

  it("says the order's last decline when the page opens, until the next attempt", async () => {
    gateway.answer("POST", PAY, json(201, paymentWire()));
    const failure = { paymentId: "7c-d1", code: "insufficient_funds", message: "Your card has insufficient funds.", at: "2026-12-03T10:05:00Z" };
    render(<OrderTracker initial={{ ...order("awaiting_payment"), lastPaymentFailure: failure }} read={readMyOrder} cancel={cancelMyOrder} payments={[]} methods={[saved]} />);
    expect(screen.getByRole("alert").textContent).toMatch(/^Your card has insufficient funds\.Nothing was charged/);
    await act(async () => fireEvent.click(payButton()));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("offers no payment step for an order that is not awaiting payment", () => {
    render(<OrderTracker initial={order("cancelled")} read={readMyOrder} cancel={cancelMyOrder} payments={[]} methods={[saved]} />);
    expect(screen.queryByTestId("payment-form")).toBeNull();
  });
});

describe("the payment chosen at checkout", () => {
  const CHECKOUT_KEY = "3f2e1d0c-0000-4000-8000-00000000abcd";
  const carried: CarriedPayment = { choice: { methodId: saved.id }, key: CHECKOUT_KEY };

  it("goes to the order's page in its URL and comes back as it went; anything else carries nothing", () => {
    const href = orderPageHref(ORDER, carried);
    const url = new URL(href, "http://shop.test");
    expect(url.pathname).toBe(`/orders/${ORDER}`);
    expect(parseCarriedPayment(Object.fromEntries(url.searchParams))).toEqual(carried);
    expect(parseCarriedPayment({ pay: "card:tok_slow", key: CHECKOUT_KEY })).toEqual({ choice: { token: "tok_slow" }, key: CHECKOUT_KEY });
    expect(parseCarriedPayment({})).toBeNull();
    expect(parseCarriedPayment({ pay: "card:tok_visa" })).toBeNull(); // no key: no attempt to resend
    expect(parseCarriedPayment({ pay: "card:tok_visa", key: "not a key" })).toBeNull();
    expect(parseCarriedPayment({ pay: "card:4242424242424242", key: CHECKOUT_KEY })).toBeNull(); // only the simulator's tokens
    expect(parseCarriedPayment({ pay: "method:'; DROP", key: CHECKOUT_KEY })).toBeNull();
    expect(choiceFromKey(choiceKey({ token: "tok_timeout" })!)).toEqual({ token: "tok_timeout" });
    expect(choiceFromKey("tok_visa")).toBeNull();
  });

  it("is offered only when the step can show it chosen, and reads as the card it is", () => {
    expect(isOffered({ methodId: saved.id }, [saved])).toBe(true);
    expect(isOffered({ methodId: saved.id }, [])).toBe(false);
    expect(isOffered({ methodId: saved.id }, null)).toBe(false);
    expect(isOffered({ token: "tok_mastercard" }, null)).toBe(true);
    expect(choiceLabel({ methodId: saved.id }, [saved])).toBe("Mastercard •••• 4444");
    expect(choiceLabel({ token: "tok_slow" }, null)).toBe("Visa •••• 4242");
  });

  it("is the store's choice and attempt: paying sends checkout's key, another card a new one", async () => {
    gateway.answer("POST", PAY, declined("7c-d1"), json(201, paymentWire()));
    const s = createPaymentStore(ORDER, { choice: { token: "tok_visa" }, payments: [], carried }, { pay: payOrder, sleep: noSleep });
    expect(s.getState()).toMatchObject({ choice: carried.choice, attempt: { key: CHECKOUT_KEY } });
    await s.getState().pay();
    expect(keysSent()).toEqual([CHECKOUT_KEY]);
    s.getState().choose({ token: "tok_visa" });
    await s.getState().pay();
    expect(keysSent()[1]).not.toBe(CHECKOUT_KEY);
    expect(s.getState().phase).toBe("charged");
  });

  it("is not carried into an order that is paid already", () => {
    const s = createPaymentStore(ORDER, { choice: null, payments: [toPayment(paymentWire())], carried }, { pay: payOrder });
    expect(s.getState()).toMatchObject({ phase: "charged", attempt: null });
  });

  describe("on the order page", () => {
    const page = `/orders/${ORDER}`;
    beforeEach(() => window.history.replaceState(null, "", orderPageHref(ORDER, carried)));
    afterEach(() => window.history.replaceState(null, "", "/"));
    const open = (methods: PaymentMethod[] | null = [saved], what: CarriedPayment = carried) =>
      act(async () => {
        render(<OrderTracker initial={order("awaiting_payment")} read={readMyOrder} cancel={cancelMyOrder} payments={[]} methods={methods} carried={what} />);
      });

    it("pays by itself, once, with checkout's card and key, then drops them from the address bar", async () => {
      gateway.answer("POST", PAY, json(201, paymentWire({ payment_method_id: saved.id, card: { brand: "mastercard", last4: "4444" } })));
      await open();
      expect(keysSent()).toEqual([CHECKOUT_KEY]);
      expect(gateway.sent("POST", PAY)[0]!.body).toEqual({ order_id: ORDER, payment_method_id: saved.id });
      expect(screen.getByTestId("payment-processing").textContent).toMatch(/with Mastercard •••• 4444 received/);
      expect(window.location.pathname + window.location.search).toBe(page);
    });

    it("shows that it is processing while the provider takes its time", async () => {
      let answer: (response: Response) => void = () => {};
      gateway.answer("POST", PAY, () => new Promise<Response>((resolve) => (answer = resolve)));
      await open(null, { choice: { token: "tok_slow" }, key: CHECKOUT_KEY });
      const pending = screen.getByTestId("payment-pending");
      expect(pending.dataset.phase).toBe("paying");
      expect(pending.textContent).toMatch(/^Processing your payment with Visa •••• 4242…/);
      expect(screen.getByRole("button", { name: "Paying…" })).toHaveProperty("disabled", true);
      await act(async () => answer(json(201, paymentWire())));
      expect(screen.queryByTestId("payment-pending")).toBeNull();
      expect(screen.getByTestId("payment-processing")).toBeTruthy();
    });

    it("keeps checkout's key in the URL while its attempt may be resent, and resends it", async () => {
      vi.useFakeTimers();
      gateway.answer("POST", PAY, problem(503, "The payment provider did not answer."), json(201, paymentWire()));
      await open();
      expect(window.location.search).toContain(CHECKOUT_KEY); // a reload now sends the same attempt
      await act(async () => vi.advanceTimersByTimeAsync(1_000));
      expect(keysSent()).toEqual([CHECKOUT_KEY, CHECKOUT_KEY]);
      expect(window.location.search).toBe("");
      expect(screen.getByTestId("payment-processing")).toBeTruthy();
    });

    it("after a decline, lets the shopper choose another card: a new attempt with a new key", async () => {
      gateway.answer("POST", PAY, declined("7c-d1"), json(201, paymentWire()));
      await open([saved], { choice: { token: "tok_chargeDeclined" }, key: CHECKOUT_KEY });
      expect(screen.getByRole("alert").dataset.kind).toBe("declined");
      expect(window.location.search).toBe(""); // answered: a reload must not send it again
      expect((screen.getByLabelText("Test card") as HTMLSelectElement).value).toBe("tok_chargeDeclined");
      fireEvent.click(screen.getByRole("radio", { name: /Mastercard •••• 4444/ }));
      await act(async () => fireEvent.click(screen.getByRole("button", { name: /^Pay \$15\.80$/ })));
      expect(keysSent()[0]).toBe(CHECKOUT_KEY);
      expect(keysSent()[1]).not.toBe(CHECKOUT_KEY);
      expect(gateway.sent("POST", PAY)[1]!.body).toEqual({ order_id: ORDER, payment_method_id: saved.id });
    });

    it("does not pay by itself with a saved card that is no longer saved", async () => {
      await open([]);
      expect(gateway.sent("POST", PAY)).toHaveLength(0);
      expect(window.location.search).toBe("");
      expect(screen.getByRole("radio", { name: /A test card/ })).toHaveProperty("checked", true);
    });
  });
});

describe("PaymentList", () => {
  it("lists an order's payments newest first, with a decline's reason and what was refunded", () => {
    const list = [
      toPayment(paymentWire({ status: "failed", card: null, failure: { code: "card_declined", message: "Your card was declined." }, completed_at: null, created_at: "2026-12-03T10:01:00Z" })),
      toPayment(paymentWire({ status: "partially_refunded", refunded: usdWire(500), created_at: "2026-12-03T10:02:00Z" })),
    ];
    render(<PaymentList payments={list} actions={(p) => <span>actions for {p.status}</span>} />);
    const rows = screen.getAllByTestId("payment-row");
    expect(rows.map((r) => r.dataset.status)).toEqual(["partially_refunded", "failed"]);
    expect(within(rows[0]!).getByTestId("payment-status").textContent).toBe("Partly refunded");
    expect(within(rows[0]!).getByTestId("payment-refunded").textContent).toBe("Refunded $5.00");
    expect(rows[0]!.textContent).toMatch(/\$15\.80 with Visa •••• 4242/);
    expect(rows[1]!.textContent).toMatch(/with a one-off card.*Declined.*Your card was declined\./);
  });
});

describe("payments in order history and on the order page", () => {
  const other = "1c9f7d2f-3e4b-4a6c-9d0e-1f2a3b4c5d6e";

  it("reads each order's payments side by side; one that cannot be read is null, the others show", async () => {
    gateway.answer("GET", ORDER_PAYMENTS, json(200, { items: [paymentWire()], total: 1, page: 1, page_size: 1 }));
    gateway.answer("GET", `/api/orders/${other}/payments`, problem(500, "Payments is having a moment."));
    const read = await payments.listForOrders(ACCESS_TOKEN, [ORDER, other]);
    expect(read.get(ORDER)?.map((p) => p.status)).toEqual(["completed"]);
    expect(read.get(other)).toBeNull();
    expect(await payments.listForOrders(ACCESS_TOKEN, [])).toEqual(new Map());
  });

  it("sums up an order's payments in a line each, newest first: status, card, amount, refunded", () => {
    render(<PaymentSummary payments={[
      toPayment(paymentWire({ status: "failed", card: null, failure: { code: "card_declined", message: "Your card was declined." }, completed_at: null, created_at: "2026-12-03T10:01:00Z" })),
      toPayment(paymentWire({ status: "partially_refunded", payment_method_id: saved.id, card: { brand: "mastercard", last4: "4444" }, refunded: usdWire(150), created_at: "2026-12-03T10:02:00Z" })),
    ]} />);
    const lines = screen.getAllByTestId("order-payment");
    expect(lines.map((l) => l.dataset.status)).toEqual(["partially_refunded", "failed"]);
    expect(lines[0]!.textContent).toBe("Partly refundedMastercard •••• 4444$15.80refunded $1.50");
    expect(lines[1]!.textContent).toBe("Declineda one-off card$15.80");
  });

  it("says when there are none yet, none to ask about, or they cannot be read", () => {
    const { rerender } = render(<PaymentSummary payments={[]} />);
    expect(screen.getByTestId("order-payments").textContent).toBe("None yet");
    rerender(<PaymentSummary payments={null} />);
    expect(screen.getByTestId("order-payments-unavailable")).toBeTruthy();
    rerender(<PaymentSummary payments={undefined} />);
    expect(screen.queryByTestId("order-payments")).toBeNull();
  });

  it("adds a Payment column to the order table when given the payments", () => {
    const paidOrder = { ...order("confirmed"), id: ORDER };
    const pendingOrder = { ...order("pending"), id: other };
    const { rerender } = render(<OrderTable orders={[paidOrder, pendingOrder]} hrefOf={(o) => `/orders/${o.id}`} />);
    expect(screen.queryByRole("columnheader", { name: "Payment" })).toBeNull();
    rerender(<OrderTable orders={[paidOrder, pendingOrder]} hrefOf={(o) => `/orders/${o.id}`} payments={new Map([[ORDER, [toPayment(paymentWire())]]])} />);
    expect(screen.getByRole("columnheader", { name: "Payment" })).toBeTruthy();
    const [paidRow, pendingRow] = screen.getAllByTestId("order-row");
    expect(within(paidRow!).getByTestId("order-payment").textContent).toBe("PaidVisa •••• 4242$15.80");
    expect(within(pendingRow!).queryByTestId("order-payments")).toBeNull();
  });

  it("lists them on the order page, or says there are none, or that they cannot be shown", () => {
    const { rerender } = render(<OrderPayments payments={[toPayment(paymentWire())]} />);
    expect(screen.getAllByTestId("payment-row")).toHaveLength(1);
    rerender(<OrderPayments payments={[]} />);
    expect(screen.getByText("No payments yet.")).toBeTruthy();
    rerender(<OrderPayments payments={null} />);
    expect(screen.getByRole("status").textContent).toBe("The payments cannot be shown right now.");
  });
});
