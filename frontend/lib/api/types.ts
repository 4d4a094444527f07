import type { Schemas } from "./client";
import type { operations } from "./schema";

/** The UI's own types: what the pages need, camelCase, decoupled from the wire shapes. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export interface Image {
  url: string;
  alt: string;
}

export interface CategoryRef {
  id: string;
  slug: string;
  name: string;
}

export interface Product {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string;
  price: Money;
  category: CategoryRef | null;
  images: Image[];
  inStock: boolean;
  active: boolean;
  attributes: Record<string, string | number | boolean>;
}

export interface CategoryFacet extends CategoryRef {
  parentId: string | null;
  count: number;
}

export interface ProductPage {
  items: Product[];
  total: number;
  page: number;
  pageSize: number;
  facets: CategoryFacet[];
  sort: SortOrder;
}

/** Which products an admin lists (`status`): active ones (the shop's), deactivated ones, or both. */
export type ProductStatus = NonNullable<NonNullable<operations["searchProducts"]["parameters"]["query"]>["status"]>;
export const PRODUCT_STATUSES: readonly ProductStatus[] = ["active", "inactive", "any"];

export type SortOrder = Schemas["SortOrder"];
export const SORT_ORDERS: readonly SortOrder[] = ["relevance", "price", "-price", "newest", "name"];

export interface CategoryNode extends CategoryRef {
  parentId: string | null;
  description: string;
  position: number;
  /** False once deactivated (only an admin's read shows those): hidden, with all below it, from the shop. */
  active: boolean;
  productCount: number;
  children: CategoryNode[];
}

export interface Category extends CategoryNode {
  path: CategoryRef[];
}

export type Role = Schemas["Role"];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Address {
  id: string;
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
  isDefault: boolean;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export const toMoney = (m: Schemas["Money"]): Money => ({ amountMinor: m.amount_minor, currency: m.currency });

export const toProduct = (p: Schemas["Product"]): Product => ({
  id: p.id,
  sku: p.sku,
  slug: p.slug,
  name: p.name,
  description: p.description,
  price: toMoney(p.price),
  category: p.category ? { id: p.category.id, slug: p.category.slug, name: p.category.name } : null,
  images: [...p.images].sort((a, b) => a.position - b.position).map((i) => ({ url: i.url, alt: i.alt })),
  inStock: p.in_stock,
  active: p.active,
  attributes: p.attributes,
});

export const toProductPage = (p: Schemas["ProductPage"]): ProductPage => ({
  items: p.items.map(toProduct),
  total: p.total,
  page: p.page ?? 1,
  pageSize: p.page_size,
  facets: p.facets.categories.map((f) => ({ id: f.id, slug: f.slug, name: f.name, parentId: f.parent_id, count: f.count })),
  sort: p.sort,
});

export const toCategoryNode = (c: Schemas["CategoryNode"]): CategoryNode => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  parentId: c.parent_id,
  description: c.description,
  position: c.position,
  active: c.active,
  productCount: c.product_count,
  children: c.children.map(toCategoryNode),
});

export const toCategory = (c: Schemas["Category"]): Category => ({
  ...toCategoryNode(c),
  path: c.path.map((r) => ({ id: r.id, slug: r.slug, name: r.name })),
});

export const toUser = (u: Schemas["User"]): User => ({ id: u.id, email: u.email, name: u.name, role: u.role });

export const toAddress = (a: Schemas["Address"]): Address => ({
  id: a.id,
  name: a.name,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  region: a.region,
  postalCode: a.postal_code,
  country: a.country,
  phone: a.phone,
  isDefault: a.is_default,
});

export const toTokens = (t: Schemas["TokenPair"]): Tokens => ({
  accessToken: t.access_token,
  refreshToken: t.refresh_token,
  expiresIn: t.expires_in,
});

export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Cart {
  lines: CartLine[];
  /** Units in the cart, all lines together (what the header's badge shows). */
  itemCount: number;
  /** Null for an empty cart. */
  subtotal: Money | null;
}

export type OrderStatus = Schemas["Order"]["status"];
export type CancelReason = NonNullable<Schemas["Order"]["cancel_reason"]>;

export const ORDER_STATUSES: readonly OrderStatus[] = ["pending", "awaiting_payment", "paid", "confirmed", "shipped", "cancelled", "refunded"];

export interface PaymentFailure {
  paymentId: string;
  code: string;
  message: string;
  at: string;
}

export interface OrderSummary {
  id: string;
  userId: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
  /** While awaiting payment: when the stock reservation lapses (UTC ISO 8601). */
  payableUntil: string | null;
  /** The completed payment that paid the order. */
  paymentId: string | null;
  /** While awaiting payment: the latest declined payment (the shopper may try another card). */
  lastPaymentFailure: PaymentFailure | null;
  placedAt: string;
  updatedAt: string;
}

/** A line as it was priced when the order was placed. */
export type OrderLine = CartLine;

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
}

export interface StatusChange {
  fromStatus: OrderStatus | null;
  status: OrderStatus;
  reason: string | null;
  at: string;
}

export interface Order extends OrderSummary {
  lines: OrderLine[];
  shippingAddress: ShippingAddress;
  history: StatusChange[];
}

export interface OrderPage {
  items: OrderSummary[];
  total: number;
  page: number;
  pageSize: number;
}

const toLine = (l: Schemas["CartItem"] | Schemas["OrderItem"]): CartLine => ({
  sku: l.sku,
  name: l.name,
  quantity: l.quantity,
  unitPrice: toMoney(l.unit_price),
  lineTotal: toMoney(l.line_total),
});

export const toCart = (c: Schemas["Cart"]): Cart => ({
  lines: c.items.map(toLine),
  itemCount: c.item_count,
  subtotal: c.subtotal ? toMoney(c.subtotal) : null,
});

export const toOrderSummary = (o: Schemas["OrderSummary"]): OrderSummary => ({
  id: o.id,
  userId: o.user_id,
  status: o.status,
  cancelReason: o.cancel_reason ?? null,
  subtotal: toMoney(o.subtotal),
  shipping: toMoney(o.shipping),
  tax: toMoney(o.tax),
  total: toMoney(o.total),
  payableUntil: o.payable_until ?? null,
  paymentId: o.payment_id ?? null,
  lastPaymentFailure: o.last_payment_failure
    ? { paymentId: o.last_payment_failure.payment_id, code: o.last_payment_failure.code, message: o.last_payment_failure.message, at: o.last_payment_failure.at }
    : null,
  placedAt: o.placed_at,
  updatedAt: o.updated_at,
});

export const toOrder = (o: Schemas["Order"]): Order => ({
  ...toOrderSummary(o),
  lines: o.items.map(toLine),
  shippingAddress: {
    name: o.shipping_address.name,
    line1: o.shipping_address.line1,
    line2: o.shipping_address.line2,
    city: o.shipping_address.city,
    region: o.shipping_address.region,
    postalCode: o.shipping_address.postal_code,
    country: o.shipping_address.country,
    phone: o.shipping_address.phone,
  },
  history: o.history.map((h) => ({ fromStatus: h.from_status ?? null, status: h.status, reason: h.reason ?? null, at: h.at })),
});

export const toOrderPage = (p: Schemas["OrderPage"]): OrderPage => ({
  items: p.items.map(toOrderSummary),
  total: p.total,
  page: p.page,
  pageSize: p.page_size,
});

export interface Warehouse {
  id: string;
  code: string;
  name: string;
  address: string;
  active: boolean;
}

export interface StockLevel {
  id: string;
  warehouseId: string;
  warehouseCode: string;
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  lowStock: boolean;
  updatedAt: string;
}

export type MovementCause = Schemas["Movement"]["cause"];
export const MOVEMENT_CAUSES: readonly MovementCause[] = ["receipt", "adjustment", "reservation", "release", "commit", "restock"];

export interface Movement {
  id: number;
  at: string;
  warehouseId: string;
  sku: string;
  cause: MovementCause;
  onHandDelta: number;
  reservedDelta: number;
  orderId: string | null;
  reason: string;
  actor: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Availability {
  sku: string;
  available: number;
  inStock: boolean;
}

export const toWarehouse = (w: Schemas["Warehouse"]): Warehouse => ({ id: w.id, code: w.code, name: w.name, address: w.address, active: w.active });

export const toStockLevel = (s: Schemas["StockLevel"]): StockLevel => ({
  id: s.id,
  warehouseId: s.warehouse_id,
  warehouseCode: s.warehouse_code,
  sku: s.sku,
  onHand: s.on_hand,
  reserved: s.reserved,
  available: s.available,
  lowStockThreshold: s.low_stock_threshold,
  lowStock: s.low_stock,
  updatedAt: s.updated_at,
});

export const toMovement = (m: Schemas["Movement"]): Movement => ({
  id: m.id,
  at: m.at,
  warehouseId: m.warehouse_id,
  sku: m.sku,
  cause: m.cause,
  onHandDelta: m.on_hand_delta,
  reservedDelta: m.reserved_delta,
  orderId: m.order_id ?? null,
  reason: m.reason,
  actor: m.actor ?? null,
});

export const toPage = <W, T>(p: { items: W[]; total: number; page: number; page_size: number }, map: (w: W) => T): Page<T> => ({
  items: p.items.map(map),
  total: p.total,
  page: p.page,
  pageSize: p.page_size,
});

export const toAvailability = (a: Schemas["Availability"]): Availability => ({ sku: a.sku, available: a.available, inStock: a.in_stock });

export type CardBrand = Schemas["PaymentMethod"]["brand"];

/** A saved card: the provider keeps its token; the shop shows the brand, last four and expiry. */
export interface PaymentMethod {
  id: string;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  createdAt: string;
}

export const toPaymentMethod = (m: Schemas["PaymentMethod"]): PaymentMethod => ({
  id: m.id,
  brand: m.brand,
  last4: m.last4,
  expMonth: m.exp_month,
  expYear: m.exp_year,
  createdAt: m.created_at,
});

export type PaymentStatus = Schemas["Payment"]["status"];
export const PAYMENT_STATUSES: readonly PaymentStatus[] = ["processing", "completed", "failed", "partially_refunded", "refunded"];

/** A card as the provider knows it. */
export interface Card {
  brand: CardBrand;
  last4: string;
}

/** One payment (one attempt) of an order: charged, declined, still processing, or (partly) refunded. */
export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: Money;
  refunded: Money;
  /** The saved card it was paid with; null for a one-off test card. */
  paymentMethodId: string | null;
  /** The card as the provider knows it; null until the provider answered. */
  card: Card | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: string;
  completedAt: string | null;
}

export const toPayment = (p: Schemas["Payment"]): Payment => ({
  id: p.id,
  orderId: p.order_id,
  status: p.status,
  amount: toMoney(p.amount),
  refunded: toMoney(p.refunded),
  paymentMethodId: p.payment_method_id ?? null,
  card: p.card ? { brand: p.card.brand, last4: p.card.last4 } : null,
  failureCode: p.failure?.code ?? null,
  failureMessage: p.failure?.message ?? null,
  createdAt: p.created_at,
  completedAt: p.completed_at ?? null,
});
