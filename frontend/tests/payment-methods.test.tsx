import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AddPaymentMethodForm } from "@/components/payments/add-payment-method-form";
import { PaymentMethodList } from "@/components/payments/payment-method-list";
import { payments } from "@/lib/api";
import type { PaymentMethod } from "@/lib/api/types";
import { cardLabel, methodFor, TEST_CARDS, testCard } from "@/lib/cards";
import { ACCESS_TOKEN, fakeGateway, json, noContent, problem, type FakeGateway } from "./fake-gateway";

const METHODS = "/api/users/me/payment-methods";
const visa: PaymentMethod = { id: "9a1b2c3d-0000-4000-8000-000000000001", brand: "visa", last4: "4242", expMonth: 3, expYear: 2030, createdAt: "2026-12-03T10:00:00Z" };
const master: PaymentMethod = { id: "9a1b2c3d-0000-4000-8000-000000000002", brand: "mastercard", last4: "4444", expMonth: 11, expYear: 2031, createdAt: "2026-12-03T11:00:00Z" };
const wire = (m: PaymentMethod) => ({ id: m.id, brand: m.brand, last4: m.last4, exp_month: m.expMonth, exp_year: m.expYear, created_at: m.createdAt });

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway();
});
afterEach(() => vi.unstubAllGlobals());

/** True when `value` holds a run of 13 or more digits anywhere (what a card number would need). */
const holdsLongDigitRun = (value: unknown) => /[0-9][0-9 -]{11,}[0-9]/.test(JSON.stringify(value));

describe("the payment methods client", () => {
  it("lists the saved cards with the session's token, as the UI's types", async () => {
    gateway.answer("GET", METHODS, json(200, { items: [wire(visa), wire(master)], total: 2, page: 1, page_size: 10 }));
    expect(await payments.listMethods(ACCESS_TOKEN)).toEqual([visa, master]);
    expect(gateway.sent("GET", METHODS)[0]!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });
});

describe("the test cards", () => {
  it("are saved by token, brand, last four and a future expiry, never a card number", () => {
    const now = new Date("2026-12-03T10:00:00Z");
    for (const card of TEST_CARDS) {
      const body = methodFor(card, now);
      expect(body.token).toMatch(/^tok_[A-Za-z0-9_]+$/);
      expect(body.last4).toMatch(/^[0-9]{4}$/);
      expect(body.exp_year * 12 + body.exp_month).toBeGreaterThan(2026 * 12 + 12);
      expect(holdsLongDigitRun(body)).toBe(false);
    }
    expect(testCard("tok_visa")?.brand).toBe("visa");
    expect(testCard("4242424242424242")).toBeUndefined();
  });
});

describe("PaymentMethodList", () => {
  it("says so when there are no saved cards", () => {
    render(<PaymentMethodList methods={[]} />);
    expect(screen.getByTestId("empty-state").textContent).toMatch(/No saved cards yet/);
    expect(screen.queryByTestId("payment-method-list")).toBeNull();
  });

  it("shows each card by brand, last four and expiry, with a Delete named after it", () => {
    render(<PaymentMethodList methods={[visa, master]} />);
    const items = within(screen.getByTestId("payment-method-list")).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector("strong")!.textContent)).toEqual(["Visa •••• 4242", "Mastercard •••• 4444"]);
    expect(items[0]!.textContent).toMatch(/Expires 03\/2030/);
    expect(screen.getByRole("button", { name: "Delete Mastercard •••• 4444" })).toBeTruthy();
  });

  it("deletes a card with the session's token and says it is removed", async () => {
    gateway.answer("DELETE", `${METHODS}/${master.id}`, noContent());
    render(<PaymentMethodList methods={[visa, master]} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Delete Mastercard •••• 4444" })));
    const [sent] = gateway.sent("DELETE");
    expect(sent!.path).toBe(`${METHODS}/${master.id}`);
    expect(sent!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(screen.getByRole("status").textContent).toBe("Card removed.");
  });

  it("shows why a delete failed: the API's 404, or the gateway not answering", async () => {
    gateway.answer("DELETE", `${METHODS}/${visa.id}`, problem(404, "Payment method 9a1b… was not found."), "network");
    render(<PaymentMethodList methods={[visa]} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Delete Visa •••• 4242" })));
    expect(screen.getByRole("alert").textContent).toBe("Payment method 9a1b… was not found.");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Delete Visa •••• 4242" })));
    expect(screen.getByRole("alert").textContent).toMatch(/cannot be reached/);
  });
});

describe("AddPaymentMethodForm", () => {
  const choose = (token: string) => fireEvent.change(screen.getByLabelText(/^Test card/), { target: { value: token } });
  const save = () => act(async () => fireEvent.click(screen.getByRole("button", { name: "Save card" })));

  it("offers the simulator's test cards by what they do", () => {
    render(<AddPaymentMethodForm />);
    const options = within(screen.getByLabelText(/^Test card/)).getAllByRole("option");
    expect(options.map((o) => (o as HTMLOptionElement).value)).toEqual(TEST_CARDS.map((c) => c.token));
    expect(options[0]!.textContent).toBe("Visa •••• 4242 (succeeds)");
    expect(options[2]!.textContent).toBe("Visa •••• 0002 (is declined)");
  });

  it("saves the chosen card by its token and says which card was saved", async () => {
    gateway.answer("POST", METHODS, (request) => {
      const body = request.body as { brand: PaymentMethod["brand"]; last4: string; exp_month: number; exp_year: number };
      return json(201, { id: master.id, ...body, created_at: "2026-12-03T12:00:00Z" }, { Location: `${METHODS}/${master.id}` });
    });
    render(<AddPaymentMethodForm />);
    choose("tok_mastercard");
    await save();
    const [sent] = gateway.sent("POST", METHODS);
    expect(sent!.body).toMatchObject({ token: "tok_mastercard", brand: "mastercard", last4: "4444" });
    expect(holdsLongDigitRun(sent!.body)).toBe(false);
    expect(sent!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(screen.getByRole("status").textContent).toBe(`${cardLabel(master)} saved.`);
  });

  it("shows a 409 (ten cards already) on the card's field", async () => {
    gateway.answer("POST", METHODS, problem(409, "A user keeps at most 10 payment methods; delete one first.", {
      errors: [{ field: "token", message: "A user keeps at most 10 payment methods; delete one first." }],
    }));
    render(<AddPaymentMethodForm />);
    await save();
    expect(screen.getByRole("alert").textContent).toMatch(/at most 10/);
    expect(screen.getByLabelText(/^Test card/).getAttribute("aria-invalid")).toBe("true");
  });

  it("does not send a token that is not one of the test cards", async () => {
    render(<AddPaymentMethodForm />);
    const select = screen.getByLabelText(/^Test card/) as HTMLSelectElement;
    const stray = document.createElement("option");
    stray.value = "4242 4242 4242 4242";
    select.append(stray);
    choose(stray.value);
    await save();
    expect(gateway.sent()).toHaveLength(0);
    expect(screen.getByRole("alert").textContent).toBe("Choose one of the test cards.");
  });
});
