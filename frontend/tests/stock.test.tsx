import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AdjustStockForm, ReceiveStockForm } from "@/components/admin/stock-forms";
import { StockTable } from "@/components/admin/stock-tables";
import { WarehouseManager } from "@/components/admin/warehouse-manager";
import { Availability } from "@/components/catalog/availability";
import { adjustStock, receiveStock } from "@/lib/actions/inventory";
import type { StockLevel, Warehouse } from "@/lib/api/types";
import { movementsHref, parseMovementsQuery, parseStockQuery, stockHref, toStockSearch } from "@/lib/stock-query";

vi.mock("@/lib/actions/inventory", () => ({
  receiveStock: vi.fn(), adjustStock: vi.fn(), createWarehouse: vi.fn(), updateWarehouse: vi.fn(),
}));

const WH = "5d3c2b1a-0f9e-4d8c-b7a6-504132231405";
const east: Warehouse = { id: WH, code: "EAST-1", name: "East depot", address: "", active: true };
const old: Warehouse = { id: "6e4d3c2b-1a0f-4e9d-8c7b-615243342516", code: "OLD", name: "Old barn", address: "", active: false };

beforeEach(() => {
  vi.mocked(receiveStock).mockReset();
  vi.mocked(adjustStock).mockReset();
});

describe("Availability", () => {
  it("says in stock, only a few left, or out of stock from inventory's count", () => {
    const { rerender } = render(<Availability available={40} />);
    expect(screen.getByTestId("availability").textContent).toBe("In stock");
    rerender(<Availability available={3} />);
    expect(screen.getByTestId("availability").textContent).toBe("Only 3 left");
    rerender(<Availability available={0} />);
    expect(screen.getByTestId("availability").textContent).toBe("Out of stock");
  });

  it("says it could not check when inventory did not answer, and follows the catalog on cards", () => {
    const { rerender } = render(<Availability available={null} />);
    expect(screen.getByTestId("availability").dataset.state).toBe("unknown");
    rerender(<Availability inStock />);
    expect(screen.getByTestId("availability").textContent).toBe("In stock");
    rerender(<Availability inStock={false} />);
    expect(screen.getByTestId("availability").textContent).toBe("Out of stock");
  });
});

describe("ReceiveStockForm", () => {
  it("sends the form and shows a 422 on the SKU field as the API says it", async () => {
    vi.mocked(receiveStock).mockResolvedValueOnce({ ok: false, message: "The request is invalid.", fieldErrors: { sku: "is not a SKU the catalog knows" } });
    render(<ReceiveStockForm warehouses={[east]} />);
    fireEvent.change(screen.getByLabelText(/^SKU/), { target: { value: "NOPE-1" } });
    fireEvent.change(screen.getByLabelText(/^Quantity/), { target: { value: "3" } });
    fireEvent.change(screen.getByLabelText(/^Reason/), { target: { value: "delivery" } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Receive stock" })));
    const sent = vi.mocked(receiveStock).mock.calls[0]![1];
    expect(Object.fromEntries(sent)).toMatchObject({ warehouse_id: WH, sku: "NOPE-1", quantity: "3", reason: "delivery" });
    expect(screen.getByRole("alert").textContent).toBe("The request is invalid.");
    expect(screen.getByText("is not a SKU the catalog knows")).toBeTruthy();
    expect(screen.getByLabelText(/^SKU/).getAttribute("aria-invalid")).toBe("true");
  });

  it("offers the warehouses it is given by code and name", () => {
    render(<ReceiveStockForm warehouses={[east]} sku="SPO-CMP-0001" />);
    expect(within(screen.getByLabelText("Warehouse")).getAllByRole("option").map((o) => o.textContent)).toEqual(["EAST-1 · East depot"]);
    expect((screen.getByLabelText(/^SKU/) as HTMLInputElement).value).toBe("SPO-CMP-0001");
  });
});

describe("AdjustStockForm", () => {
  it("shows a 409 below what is reserved on the delta field", async () => {
    vi.mocked(adjustStock).mockResolvedValueOnce({ ok: false, message: "On hand may not drop below what is reserved.", fieldErrors: { delta: "would leave 2 on hand with 3 reserved" } });
    render(<AdjustStockForm warehouses={[east, old]} sku="A-1" />);
    fireEvent.change(screen.getByLabelText(/^Change in units/), { target: { value: "-5" } });
    fireEvent.change(screen.getByLabelText(/^Reason/), { target: { value: "recount" } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Adjust stock" })));
    expect(screen.getByRole("alert").textContent).toMatch(/below what is reserved/);
    expect(screen.getByLabelText(/^Change in units/).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("OLD · Old barn (inactive)")).toBeTruthy();
  });
});

describe("WarehouseManager", () => {
  it("lists warehouses with their state and offers to deactivate or activate", () => {
    render(<WarehouseManager warehouses={[east, old]} />);
    expect(screen.getAllByTestId("warehouse").map((li) => li.dataset.code)).toEqual(["EAST-1", "OLD"]);
    expect(screen.getByRole("button", { name: "Deactivate warehouse" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Activate warehouse" })).toBeTruthy();
  });

  it("says there are none yet", () => {
    render(<WarehouseManager warehouses={[]} />);
    expect(screen.getByTestId("empty-state").textContent).toMatch(/No warehouses yet/);
  });
});

describe("StockTable", () => {
  it("shows each level and marks low ones", () => {
    const level = (sku: string, available: number, lowStock: boolean): StockLevel => ({
      id: sku, warehouseId: WH, warehouseCode: "EAST-1", sku, onHand: available + 1, reserved: 1, available,
      lowStockThreshold: 2, lowStock, updatedAt: "2026-12-03T10:00:00Z",
    });
    render(<StockTable levels={[level("A-1", 9, false), level("B-2", 1, true)]} />);
    const rows = screen.getAllByTestId("stock-row");
    expect(rows.map((r) => within(r).getByTestId("available").textContent)).toEqual(["9", "1low"]);
    expect(within(rows[0]!).getByRole("link", { name: "A-1" }).getAttribute("href")).toBe("/admin/stock/movements?sku=A-1");
  });
});

describe("stock URLs", () => {
  it("keep the warehouse, SKU, low-stock view and page, and drop what makes no sense", () => {
    const query = parseStockQuery({ warehouse: WH, sku: "spo-cmp-0001", low: "1", page: "2" });
    expect(query).toEqual({ warehouse: WH, sku: "SPO-CMP-0001", low: true, page: 2 });
    expect(stockHref(query, { page: 1 })).toBe(`/admin/stock?warehouse=${WH}&sku=SPO-CMP-0001&low=1`);
    expect(toStockSearch(query)).toMatchObject({ warehouse_id: WH, sku: "SPO-CMP-0001", low_stock: true, page: 2 });
    expect(parseStockQuery({ warehouse: "nope", sku: "bad sku!", page: "-1" })).toEqual({ warehouse: "", sku: "", low: false, page: 1 });
  });

  it("keep the ledger's filters", () => {
    const query = parseMovementsQuery({ cause: "receipt", sku: "A-1", order: "x" });
    expect(query).toEqual({ warehouse: "", sku: "A-1", cause: "receipt", order: "", page: 1 });
    expect(movementsHref(query, { page: 3 })).toBe("/admin/stock/movements?sku=A-1&cause=receipt&page=3");
    expect(parseMovementsQuery({ cause: "theft" }).cause).toBe("");
  });
});
