import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OrderTracker } from "@/components/orders/order-tracker";
import { FOLLOW_EVERY_MS } from "@/components/orders/use-followed-order";
import type { OrderRead } from "@/lib/actions/orders";
import type { Order, OrderStatus } from "@/lib/api/types";
import { ordersHref, parseOrdersQuery } from "@/lib/orders-query";

const usd = (amountMinor: number) => ({ amountMinor, currency: "USD" });
const placed = { fromStatus: null, status: "pending" as const, reason: null, at: "2026-12-03T10:00:00Z" };

function order(status: OrderStatus, extra: Partial<Order> = {}): Order {
  return {
    id: "0b8f6c1e-2d3a-4f5b-8c9d-0e1f2a3b4c5d", userId: "u1", status, cancelReason: null,
    subtotal: usd(1000), shipping: usd(500), tax: usd(80), total: usd(1580), payableUntil: null, paymentId: null, lastPaymentFailure: null,
    placedAt: placed.at, updatedAt: placed.at, lines: [], history: [placed],
    shippingAddress: { name: "Bea", line1: "1 Market Street", line2: "", city: "Springfield", region: "", postalCode: "12345", country: "US", phone: "" },
    ...extra,
  };
}

const reserved = order("awaiting_payment", {
  payableUntil: "2026-12-03T10:15:00Z",
  history: [placed, { fromStatus: "pending", status: "awaiting_payment", reason: null, at: "2026-12-03T10:00:05Z" }],
});

const tick = () => act(async () => vi.advanceTimersByTimeAsync(FOLLOW_EVERY_MS));

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("OrderTracker", () => {
  it("reads a pending order every few seconds, shows it move on, and then stops", async () => {
    const read = vi.fn<(id: string) => Promise<OrderRead>>()
      .mockResolvedValueOnce({ ok: true, order: order("pending") })
      .mockResolvedValueOnce({ ok: true, order: reserved });
    render(<OrderTracker initial={order("pending")} read={read} cancel={vi.fn()} />);
    expect(screen.getByTestId("order-status").dataset.status).toBe("pending");
    expect(read).not.toHaveBeenCalled();
    await tick();
    expect(read).toHaveBeenCalledTimes(1);
    await tick();
    expect(screen.getByTestId("order-status").dataset.status).toBe("awaiting_payment");
    expect(screen.getByTestId("order-timeline").querySelectorAll("li")).toHaveLength(2);
    expect(screen.getByTestId("payable-until").querySelector("time")!.getAttribute("datetime")).toBe("2026-12-03T10:15:00Z");
    await tick();
    await tick();
    expect(read).toHaveBeenCalledTimes(2); // awaiting payment: no more polling
  });

  it("keeps trying after a failed read and says so", async () => {
    const read = vi.fn<(id: string) => Promise<OrderRead>>()
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce({ ok: true, order: order("cancelled", { cancelReason: "out_of_stock" }) });
    render(<OrderTracker initial={order("pending")} read={read} cancel={vi.fn()} />);
    await tick();
    expect(screen.getByRole("status").textContent).toMatch(/cannot be reached/);
    await tick();
    expect(screen.getByTestId("order-status").dataset.status).toBe("cancelled");
    expect(screen.getByText("(an item was out of stock)")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Cancel order" })).toBeNull();
  });

  it("does not poll an order that is not pending", async () => {
    const read = vi.fn<(id: string) => Promise<OrderRead>>();
    render(<OrderTracker initial={order("confirmed")} read={read} cancel={vi.fn()} />);
    await tick();
    expect(read).not.toHaveBeenCalled();
  });

  it("cancels, or shows why the API refused (409)", async () => {
    const cancel = vi.fn<(id: string) => Promise<OrderRead>>()
      .mockResolvedValueOnce({ ok: false, message: "An order that is paid cannot become cancelled." })
      .mockResolvedValueOnce({ ok: true, order: order("cancelled", { cancelReason: "customer" }) });
    render(<OrderTracker initial={reserved} read={vi.fn()} cancel={cancel} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Cancel order" })));
    expect(screen.getByRole("alert").textContent).toBe("An order that is paid cannot become cancelled.");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Cancel order" })));
    expect(cancel).toHaveBeenCalledWith(reserved.id);
    expect(screen.getByTestId("order-status").dataset.status).toBe("cancelled");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("order list URLs", () => {
  it("keep the status and page, and ignore what makes no sense", () => {
    const query = parseOrdersQuery({ status: "pending", page: "3" });
    expect(query).toEqual({ status: "pending", page: 3 });
    expect(ordersHref("/admin/orders", query, { page: 1 })).toBe("/admin/orders?status=pending");
    expect(parseOrdersQuery({ status: "lost", page: "-2" })).toEqual({ status: "", page: 1 });
  });
});

describe("OrderTracker after inventory answered", () => {
  it("says plainly that an out-of-stock order was cancelled, and offers no cancel", () => {
    render(<OrderTracker initial={order("cancelled", { cancelReason: "out_of_stock" })} read={vi.fn()} cancel={vi.fn()} />);
    expect(screen.getByTestId("out-of-stock").textContent).toMatch(/did not have enough stock/);
    expect(screen.queryByRole("button", { name: "Cancel order" })).toBeNull();
  });

  it("shows when an order awaiting payment must be paid by, without the out-of-stock message", () => {
    render(<OrderTracker initial={reserved} read={vi.fn()} cancel={vi.fn()} />);
    expect(screen.getByTestId("payable-until").textContent).toMatch(/reserved until/);
    expect(screen.queryByTestId("out-of-stock")).toBeNull();
  });
});
