// The scenarios, in order; each gets a fresh browser context (no cookies) and a page.
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, resultsDir, startNext } from "./harness.mjs";

const dollars = (text) => Number(text.replace(/[^0-9.]/g, ""));
const names = (page) => page.getByTestId("product-card").locator("a span").allTextContents();
const prices = async (page) => (await page.getByTestId("product-card").getByTestId("price").allTextContents()).map(dollars);
const shot = (page, name) => page.screenshot({ path: join(resultsDir("pages"), `${name}.png`), fullPage: true });

async function register(page, who, email, password) {
  await page.goto("/register");
  await page.getByLabel("Name").fill(who);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/account");
}

async function logIn(page, email, password, next = "/account") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**${next}`);
}

/** Wait until the listing on screen is the one the address bar asks for (client navigations stream). */
const listingShown = (page) =>
  page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=listing]");
    const norm = (s) => [...new URLSearchParams(s)].filter(([, v]) => v !== "").map(([k, v]) => `${k}=${v}`).sort().join("&");
    return el !== null && norm(el.dataset.search) === norm(location.search);
  });

let sharedSearch = { url: "", names: [] };

/** The page has no sideways scrolling on a 360 px screen (saved as `name`), then back to desktop. */
async function fitsNarrowScreen(page, name) {
  await page.setViewportSize({ width: 360, height: 740 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), `${name}: no sideways scrolling`);
  await shot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Two product pages to buy from (in stock, from the demo catalog). */
async function productsToBuy(page) {
  await page.goto("/products?q=tent&in_stock=1");
  const links = await page.getByTestId("product-card").locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const unique = [...new Set(links)];
  assert.ok(unique.length >= 2, "two products in stock");
  return unique.slice(0, 2);
}

/** Press "Add to cart" and wait for the header's badge to say `badge` units. */
async function addToCart(page, quantity, badge) {
  assert.equal(await page.getByTestId("quantity").inputValue(), String(quantity));
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByText("Added to your cart.").waitFor();
  await page.getByTestId("cart-badge").getByText(badge, { exact: true }).waitFor();
}

/** The order page's URL (with or without the payment checkout carried to it). */
const ORDER_PAGE = /\/orders\/[0-9a-f-]{36}(\?|$)/;
const orderIdOf = (url) => new URL(url).pathname.split("/").pop();

/**
 * At checkout, choose how to pay: `card` a test card's token ("tok_visa"), or "saved" for the
 * saved card checkout preselects (asserted to be the one labelled `saved`).
 */
async function choosePayment(page, card, saved = "") {
  const choice = page.getByTestId("checkout-payment");
  if (card === "saved") {
    assert.equal(await choice.getByRole("radio", { name: saved }).isChecked(), true, `${saved} preselected`);
    return;
  }
  await choice.getByRole("radio", { name: /A test card/ }).check();
  await choice.getByRole("combobox", { name: /^Test card/ }).selectOption(card);
}

/**
 * At checkout with no saved address: add one inline, choose how to pay (see choosePayment), then
 * place the order; resolve with the order's id, on its page (which pays by itself once it can).
 */
async function placeWithNewAddress(page, who, card, saved) {
  await page.goto("/checkout");
  const form = page.getByTestId("address-form");
  await form.getByLabel("Recipient").fill(who);
  await form.getByLabel("Address line 1").fill("3 Stock Lane");
  await form.getByLabel("City").fill("Springfield");
  await form.getByLabel("Postal code").fill("12345");
  await form.getByLabel("Country").fill("US");
  await form.getByRole("button", { name: "Add address" }).click();
  await page.getByTestId("address-choice").getByRole("radio", { checked: true }).waitFor();
  await choosePayment(page, card, saved);
  await page.getByRole("button", { name: "Place order and pay" }).click();
  await page.waitForURL(ORDER_PAGE);
  return orderIdOf(page.url());
}

/** Wait (the page polls by itself, no reload) until the order page shows `status`. */
const orderShows = (page, status) => page.locator(`[data-testid=order-status][data-status="${status}"]`).waitFor({ timeout: 20_000 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new shopper puts one product in stock in the cart (one unit), ready for checkout. */
async function newShopperWithCart(page, who, shared) {
  await register(page, who, shared.emailOf(who.split(" ")[0].toLowerCase()), shared.password);
  const [product] = await productsToBuy(page);
  await page.goto(product);
  await addToCart(page, 1, "1");
}

/** A new shopper buys one product in stock, paying with `card` at checkout; resolve with the order's id, on its page. */
async function buyOne(page, who, shared, card) {
  await newShopperWithCart(page, who, shared);
  return placeWithNewAddress(page, who, card);
}

/** The order's payments as its page lists them (reloaded: as the API has them), newest first. */
async function paymentRows(page) {
  await page.reload();
  return page.getByTestId("payment-row").evaluateAll((rows) => rows.map((r) => ({ status: r.dataset.status, text: r.textContent })));
}

/** The payOrder server action calls the page sends from now on, each as { orderId, key, choice }. */
function payCalls(page) {
  const calls = [];
  page.on("request", (request) => {
    if (request.method() !== "POST" || !request.headers()["next-action"]) return;
    let args;
    try {
      args = JSON.parse(request.postData() ?? "");
    } catch {
      return;
    }
    const [orderId, key, choice] = Array.isArray(args) ? args : [];
    if (typeof key === "string" && choice && typeof choice === "object" && ("token" in choice || "methodId" in choice)) {
      calls.push({ orderId, key, choice });
    }
  });
  return calls;
}

export const scenarios = {
  async "a shopper searches, filters, sorts and opens a product"({ page }) {
    await page.goto("/");
    await shot(page, "home");
    const search = page.getByRole("searchbox", { name: "Search products" });
    await search.fill("tent");
    await search.press("Enter"); // the keyboard submits the search
    await page.waitForURL("**/products?q=tent");
    await listingShown(page);
    const all = Number((await page.getByTestId("result-count").textContent()).split(" ")[0]);
    assert.ok(all > 0, "some tents");

    await page.getByTestId("in-stock").check();
    await page.getByTestId("max-price").fill("300");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/in_stock=1/);
    await listingShown(page);
    assert.match(page.url(), /max_price=300/);
    await page.getByLabel("Sort by").selectOption("-price");
    await page.waitForURL(/sort=-price/);
    await listingShown(page);
    const sorted = await prices(page);
    assert.ok(sorted.length > 0 && sorted.length <= all, "filtered results");
    assert.ok(sorted.every((p) => p <= 300), `all at most $300: ${sorted}`);
    assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), "highest price first");
    sharedSearch = { url: page.url(), names: await names(page) };
    await shot(page, "listing");

    const first = page.getByTestId("product-card").first().locator("a").first();
    const name = sharedSearch.names[0];
    await first.click();
    await page.waitForURL("**/products/*");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), name);
    assert.equal(await page.getByText("In stock").count(), 1);
    const image = page.locator("article img").first();
    assert.ok((await image.getAttribute("alt")).length > 0, "alt text");
    assert.equal(await image.getAttribute("width"), "400");
    assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), "image loaded through /media");
    assert.equal(await page.getByTestId("quantity").inputValue(), "1");
    await page.getByRole("button", { name: "One more" }).click();
    assert.equal(await page.getByTestId("quantity").inputValue(), "2");
    await shot(page, "product");
  },

  async "a search URL opened fresh shows the same results, with and without JavaScript"({ page, browser, baseURL }) {
    assert.ok(sharedSearch.url, "the first scenario ran");
    await page.goto(sharedSearch.url);
    assert.deepEqual(await names(page), sharedSearch.names);
    const noJs = await browser.newContext({ baseURL, javaScriptEnabled: false });
    try {
      const plain = await noJs.newPage();
      await plain.goto(sharedSearch.url);
      assert.deepEqual(await names(plain), sharedSearch.names, "server-rendered");
      assert.ok(await plain.getByTestId("product-card").last().isVisible(), "visible without scripts (not a streamed, hidden segment)");
    } finally {
      await noJs.close();
    }
  },

  async "the listing fits a 360 px screen"({ page }) {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/products?category=electronics");
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
    await shot(page, "listing-360px");
  },

  async "a shopper registers, signs in, sees the profile and adds an address"({ page, context, shared }) {
    const email = shared.emailOf("shopper");
    await register(page, "Sam Shopper", email, shared.password);
    assert.equal(await page.getByTestId("profile-email").textContent(), email);
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === "ecom_refresh");
    assert.ok(refresh && refresh.httpOnly, "the refresh token is an httpOnly cookie");
    assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes(".")), false, "no token in localStorage");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    await logIn(page, email, shared.password);
    await page.getByLabel("Name").fill("Samantha Shopper");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Profile saved.").waitFor();
    assert.equal(await page.getByTestId("account-link").textContent(), "Sam Shopper"); // header: from the login

    const form = page.getByTestId("address-form");
    await form.getByLabel("Recipient").fill("Samantha Shopper");
    await form.getByLabel("Address line 1").fill("1 Market Street");
    await form.getByLabel("City").fill("Springfield");
    await form.getByLabel("Postal code").fill("12345");
    await form.getByLabel("Country").fill("US");
    await form.getByRole("button", { name: "Add address" }).click();
    await page.getByTestId("address-list").getByText("1 Market Street").waitFor();
    assert.equal(await page.getByTestId("address-list").getByText("Default").count(), 1, "the first address is the default");
    await shot(page, "account");
    shared.customer = email;
  },

  async "a shopper saves test cards by keyboard, sees them listed, and deletes one"({ page, shared }) {
    const email = shared.emailOf("carla");
    await register(page, "Carla Card", email, shared.password);
    await page.getByRole("link", { name: "Manage saved cards" }).click();
    await page.waitForURL("**/account/payment-methods");
    await page.getByTestId("empty-state").getByText("No saved cards yet").waitFor();

    const form = page.getByTestId("add-payment-method");
    const card = form.getByLabel("Test card");
    await card.focus();
    await page.keyboard.press("ArrowDown"); // from the first test card (Visa) to the next (Mastercard)
    assert.equal(await card.inputValue(), "tok_mastercard");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Save card", "Tab reaches Save card");
    await page.keyboard.press("Enter");
    await page.getByText("Mastercard •••• 4444 saved.").waitFor();
    await page.locator('[data-testid=payment-method][data-last4="4444"]').waitFor();
    await card.selectOption("tok_visa");
    await form.getByRole("button", { name: "Save card" }).click();
    await page.getByText("Visa •••• 4242 saved.").waitFor();

    await page.reload(); // listed by the API, oldest first
    const labels = () => page.getByTestId("payment-method").locator("strong").allTextContents();
    assert.deepEqual(await labels(), ["Mastercard •••• 4444", "Visa •••• 4242"]);
    assert.match(await page.getByTestId("payment-method").first().textContent(), /Expires \d{2}\/\d{4}/);
    await shot(page, "payment-methods");
    await fitsNarrowScreen(page, "payment-methods-360px");

    await page.getByRole("button", { name: "Delete Mastercard •••• 4444" }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("Card removed.").waitFor();
    await page.locator('[data-testid=payment-method][data-last4="4444"]').waitFor({ state: "detached" });
    assert.deepEqual(await labels(), ["Visa •••• 4242"]);
    await page.getByRole("button", { name: "Delete Visa •••• 4242" }).click();
    await page.getByTestId("empty-state").getByText("No saved cards yet").waitFor();
  },

  async "a customer cannot open /admin"({ page, shared }) {
    await page.goto("/admin/products");
    assert.match(page.url(), /\/login\?next=%2Fadmin%2Fproducts$/, "anonymous: to login");
    await logIn(page, shared.customer, shared.password);
    await page.goto("/admin");
    assert.match(page.url(), /\/login\?next=%2Fadmin$/, "customer: to login");
    await page.goto("/admin/orders");
    assert.match(page.url(), /\/login\?next=%2Fadmin%2Forders$/, "customer: not the orders either");
  },

  async "a signed-out shopper adds to cart, registers, changes the cart and places the order once"({ page, shared }) {
    const products = await productsToBuy(page);
    await page.goto(products[0]);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(/\/login\?next=/); // signed out: log in first, then come back
    await page.getByRole("link", { name: "Create an account" }).click();
    const email = shared.emailOf("buyer");
    await page.getByLabel("Name").fill("Bea Buyer");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(shared.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`**${products[0]}`);
    await addToCart(page, 1, "1");
    await page.goto(products[1]);
    await page.getByRole("button", { name: "One more" }).click();
    await addToCart(page, 2, "3");

    await page.getByTestId("cart-link").click();
    await page.waitForURL("**/cart");
    await page.getByTestId("cart-lines").waitFor(); // past the loading state of a client navigation
    const lines = page.getByTestId("cart-lines").locator("li");
    assert.equal(await lines.count(), 2);
    const subtotal = async () => dollars(await page.getByTestId("cart-subtotal").getByTestId("price").textContent());
    const subtotalBefore = await subtotal();
    await lines.first().getByTestId("line-quantity").fill("3");
    await lines.first().getByRole("button", { name: "Update" }).click();
    await page.getByTestId("cart-badge").getByText("5", { exact: true }).waitFor();
    await page.getByText("Subtotal (5 items)").waitFor();
    assert.ok((await subtotal()) > subtotalBefore, "the subtotal follows the quantity");
    await shot(page, "cart");
    await fitsNarrowScreen(page, "cart-360px");

    await page.getByRole("link", { name: "Go to checkout" }).click();
    await page.waitForURL("**/checkout");
    const form = page.getByTestId("address-form"); // no saved address yet: add one inline
    await form.getByLabel("Recipient").fill("Bea Buyer");
    await form.getByLabel("Address line 1").fill("2 Harbour Road");
    await form.getByLabel("City").fill("Portsmouth");
    await form.getByLabel("Postal code").fill("03801");
    await form.getByLabel("Country").fill("US");
    await form.getByRole("button", { name: "Add address" }).click();
    await page.getByTestId("address-choice").getByRole("radio", { checked: true }).waitFor();
    await page.getByText("Shipping and tax are computed when you place the order.").waitFor();
    assert.match(await page.getByTestId("checkout-payment").textContent(), /charged as soon as they are reserved/, "paying follows placing");
    assert.equal(await page.getByTestId("checkout-payment").getByRole("radio", { name: /A test card/ }).isChecked(), true, "no saved card: a test card");
    // A card that is declined: the order stays to be paid (an admin scenario cancels it later).
    await choosePayment(page, "tok_chargeDeclined");
    await shot(page, "checkout");
    await fitsNarrowScreen(page, "checkout-360px");

    // The first answer is lost on the way back (the order IS placed): the retry sends the same
    // Idempotency-Key, gets the same order, and the shopper has one order, not two.
    let dropped = false;
    await page.route("**/checkout", async (route) => {
      if (dropped || route.request().method() !== "POST") return route.continue();
      dropped = true;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await page.getByRole("button", { name: "Place order and pay" }).click();
    await page.getByTestId("place-order-error").waitFor();
    await page.unroute("**/checkout");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.waitForURL(ORDER_PAGE);
    const orderId = orderIdOf(page.url());
    // Inventory holds the stock (the demo catalog is stocked) and the page follows it there by
    // itself, then pays with the card chosen at checkout, which is declined.
    await orderShows(page, "awaiting_payment");
    await page.locator('[data-testid=payment-notice][data-kind="declined"]').waitFor();
    assert.equal(await page.getByTestId("order-timeline").locator("li").count(), 2, "placed, then awaiting payment");
    assert.equal(await page.getByTestId("order-lines").locator("li").count(), 2);
    assert.match(await page.getByTestId("order-address").textContent(), /2 Harbour Road/);
    assert.match(await page.getByTestId("order-totals").textContent(), /Total\$[0-9,.]+/);
    assert.equal(await page.getByTestId("cart-badge").count(), 0, "the cart is empty now");
    await shot(page, "order");
    await fitsNarrowScreen(page, "order-360px");

    await page.getByRole("link", { name: "Orders", exact: true }).click();
    await page.waitForURL("**/orders");
    await page.getByTestId("order-table").waitFor();
    const rows = page.getByTestId("order-row");
    assert.equal(await rows.count(), 1, "placed once despite the retry");
    assert.equal(await rows.first().getAttribute("data-order-id"), orderId);
    shared.orderId = orderId;
  },

  async "an admin creates a product that the shop then lists"({ page, stack, shared }) {
    const email = shared.emailOf("admin");
    await register(page, "Ada Admin", email, shared.password);
    await stack.promote(email);
    await logIn(page, email, shared.password, "/admin/products"); // a new login carries the role
    await shot(page, "admin-products");
    await page.getByRole("link", { name: "New product" }).click();
    await page.waitForURL("**/admin/products/new");
    const sku = `TST-E2E-${Date.now() % 100000}`;
    const name = `Trailblazer Test Lantern ${sku}`;
    const form = page.getByTestId("product-form");
    await form.getByLabel("SKU").fill(sku);
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Price").fill("24.50");
    await form.getByLabel("Category").selectOption({ label: "Electronics" });
    await form.getByLabel("Description", { exact: true }).fill("A lantern made by the browser tests.");
    await form.getByRole("button", { name: "Create product" }).click();
    await page.getByTestId("created").waitFor();
    await page.goto(`/products?q=${encodeURIComponent(sku)}`);
    assert.deepEqual(await names(page), [name]);
    assert.deepEqual(await prices(page), [24.5]);
    shared.admin = email;
    shared.product = { sku, name, href: await page.getByTestId("product-card").locator("a").first().getAttribute("href") };
  },

  async "an admin creates a warehouse, receives stock through the pages, and sees it in the levels and the ledger"({ page, shared }) {
    assert.ok(shared.admin && shared.product, "the admin product scenario ran");
    const { sku, href } = shared.product;
    await page.goto(href);
    await page.getByTestId("availability").getByText("Out of stock").waitFor(); // nothing received yet
    assert.ok(await page.getByRole("button", { name: "Add to cart" }).isDisabled(), "nothing to add");
    await logIn(page, shared.admin, shared.password, "/admin/stock/warehouses");
    const code = `E2E-${Date.now() % 100000}`;
    const create = page.getByTestId("warehouse-form");
    await create.getByLabel("Code").fill(code);
    await create.getByLabel("Name").fill("Browser test depot");
    await create.getByRole("button", { name: "Create warehouse" }).click();
    await page.getByText(`Warehouse ${code} created.`).waitFor();
    await page.locator(`[data-testid=warehouse][data-code="${code}"]`).waitFor();

    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Stock" }).click();
    await page.waitForURL("**/admin/stock");
    const receive = page.getByTestId("receive-form");
    await receive.getByLabel("Warehouse").selectOption({ label: `${code} · Browser test depot` });
    await receive.getByLabel("SKU").fill("NOT-A-PRODUCT-1");
    await receive.getByLabel("Quantity").fill("3");
    await receive.getByLabel("Reason").fill("delivery E2E");
    await receive.getByRole("button", { name: "Receive stock" }).click();
    await receive.getByRole("alert").waitFor(); // 422: the catalog does not sell it, said on the SKU field
    assert.match(await receive.getByLabel("SKU").getAttribute("aria-invalid"), /true/);
    await receive.getByLabel("Warehouse").selectOption({ label: `${code} · Browser test depot` });
    await receive.getByLabel("SKU").fill(sku);
    await receive.getByLabel("Quantity").fill("3");
    await receive.getByLabel("Low-stock threshold").fill("1");
    await receive.getByLabel("Reason").fill("delivery E2E");
    await receive.getByRole("button", { name: "Receive stock" }).click();
    await page.getByText(`Received 3 of ${sku}: 3 available in that warehouse.`).waitFor();

    const adjust = page.getByTestId("adjust-form");
    await adjust.getByLabel("Warehouse").selectOption({ label: `${code} · Browser test depot` });
    await adjust.getByLabel("SKU").fill(sku);
    await adjust.getByLabel("Change in units").fill("-10");
    await adjust.getByLabel("Reason").fill("recount");
    await adjust.getByRole("button", { name: "Adjust stock" }).click();
    await adjust.getByRole("alert").waitFor(); // 409: never below what is reserved, said on the delta field
    assert.equal(await adjust.getByLabel("Change in units").getAttribute("aria-invalid"), "true");

    await page.getByTestId("stock-filter").getByLabel("SKU").fill(sku);
    await page.getByTestId("stock-filter").getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(new RegExp(`sku=${sku}`));
    const row = page.locator(`[data-testid=stock-row][data-sku="${sku}"][data-warehouse="${code}"]`);
    assert.equal(await row.getByTestId("available").textContent(), "3");
    await shot(page, "admin-stock");

    await row.getByRole("link", { name: sku }).click(); // to the ledger, filtered by that SKU
    await page.waitForURL(new RegExp(`/admin/stock/movements\\?sku=${sku}`));
    const moves = page.getByTestId("movement-row");
    assert.equal(await moves.count(), 1, "one receipt");
    assert.equal(await moves.first().getAttribute("data-cause"), "receipt");
    assert.match(await moves.first().textContent(), /\+3.*delivery E2E/);
    await shot(page, "admin-movements");
  },

  async "a shopper buys the stocked product and the order page shows it awaiting payment by itself"({ page, shared }) {
    assert.ok(shared.product, "the stock scenario ran");
    await register(page, "Stella Stock", shared.emailOf("stella"), shared.password);
    await page.goto(shared.product.href);
    await page.getByTestId("availability").getByText("Only 3 left").waitFor();
    await page.getByRole("button", { name: "One more" }).click();
    await addToCart(page, 2, "2");
    const orderId = await placeWithNewAddress(page, "Stella Stock", "tok_chargeDeclinedInsufficientFunds");
    await orderShows(page, "awaiting_payment");
    const notice = page.locator('[data-testid=payment-notice][data-kind="declined"]');
    await notice.waitFor(); // paid by itself once the stock was held: declined, so still reserved
    assert.match(await notice.textContent(), /^Your card has insufficient funds\./);
    const until = page.getByTestId("payable-until");
    assert.match(await until.textContent(), /reserved until .*\d/);
    assert.ok(await until.locator("time").getAttribute("datetime"), "the payable-until time");
    shared.stockedOrder = orderId;
  },

  async "a second shopper orders more than is left and sees the order cancelled out of stock"({ page, shared }) {
    assert.ok(shared.stockedOrder, "the first buyer's order holds 2 of the 3");
    await register(page, "Otto Late", shared.emailOf("otto"), shared.password);
    await page.goto(shared.product.href);
    await page.getByTestId("availability").getByText("Only 1 left").waitFor();
    await page.getByRole("button", { name: "One more" }).click();
    await addToCart(page, 2, "2");
    await placeWithNewAddress(page, "Otto Late", "tok_visa");
    await orderShows(page, "cancelled");
    await page.getByTestId("out-of-stock").waitFor();
    assert.match(await page.getByTestId("out-of-stock").textContent(), /did not have enough stock/);
  },

  async "an admin finds the order, cannot ship it unpaid, and cancels it"({ page, shared }) {
    assert.ok(shared.admin && shared.orderId, "the admin and checkout scenarios ran");
    await logIn(page, shared.admin, shared.password, "/admin/orders");
    await page.getByLabel("Status").selectOption("awaiting_payment");
    await page.waitForURL(/status=awaiting_payment/);
    await page.locator(`[data-order-id="${shared.orderId}"] a`).click();
    await page.waitForURL(`**/admin/orders/${shared.orderId}`);
    await page.getByRole("button", { name: "Ship order" }).click();
    await page.getByTestId("ship-order").getByRole("alert").waitFor(); // 409: not confirmed
    await page.getByRole("button", { name: "Cancel order" }).click();
    await page.getByText("Order cancelled.").waitFor();
    await page.locator('[data-testid=order-status][data-status="cancelled"]').waitFor();
    assert.equal(await page.getByTestId("order-timeline").locator("li").count(), 3);
    await shot(page, "admin-order");
  },

  async "a shopper pays with tok_visa chosen at checkout (the first answer lost, resent with the same key) and sees the order confirmed"({ page, shared }) {
    await newShopperWithCart(page, "Paula Payer", shared);
    const calls = payCalls(page);
    // The first answer is lost on the way back (the payment IS taken): the step resends the same
    // attempt by itself, with the same Idempotency-Key, and the API answers with the same payment.
    let dropped = false;
    const orderPage = (url) => ORDER_PAGE.test(url.href);
    await page.route(orderPage, async (route) => {
      const request = route.request();
      if (dropped || request.method() !== "POST" || !(request.postData() ?? "").includes("tok_visa")) return route.continue();
      dropped = true;
      await route.fetch();
      await route.abort("connectionreset");
    });
    const orderId = await placeWithNewAddress(page, "Paula Payer", "tok_visa");
    const carriedKey = new URL(page.url()).searchParams.get("key");
    await page.getByTestId("payment-processing").waitFor({ timeout: 20_000 }); // taken; the order is on its way to confirmed
    await page.unroute(orderPage);
    assert.ok(dropped, "the first answer was dropped");
    assert.equal(calls.length, 2, "sent, lost, resent");
    assert.equal(calls[0].key, calls[1].key, "the resend carries the same Idempotency-Key");
    assert.match(calls[0].key, UUID);
    assert.equal(calls[0].key, carriedKey, "the key checkout made for the payment");
    assert.deepEqual(calls[0].choice, { token: "tok_visa" });
    assert.equal(new URL(page.url()).search, "", "answered: the carried payment is gone from the address bar");
    assert.match(await page.getByTestId("payment-processing").textContent(), /with Visa •••• 4242 received/);
    await orderShows(page, "confirmed");
    assert.match(await page.getByTestId("payment-confirmed").textContent(), /^Paid \$[0-9,.]+ with Visa •••• 4242\. Your order is confirmed\.$/);
    const rows = await paymentRows(page); // as the API lists them: one, though it was sent twice
    assert.deepEqual(rows.map((r) => r.status), ["completed"], "charged once");
    assert.deepEqual(await page.getByTestId("order-timeline").locator("li span.font-medium").allTextContents(),
      ["Placed, checking stock", "Awaiting payment", "Paid", "Confirmed"]);
    await shot(page, "order-paid");
    await fitsNarrowScreen(page, "order-paid-360px");
    shared.paidOrder = orderId;
  },

  async "a card declined at checkout shows its error, and paying again with tok_visa succeeds"({ page, shared }) {
    await newShopperWithCart(page, "Dana Decline", shared);
    const calls = payCalls(page);
    shared.shipped = await placeWithNewAddress(page, "Dana Decline", "tok_chargeDeclined");
    const notice = page.locator('[data-testid=payment-notice][data-kind="declined"]');
    await notice.waitFor({ timeout: 20_000 }); // paid by itself once the stock was held, and declined
    assert.match(await notice.textContent(), /^Your card was declined\..*Choose another card/);
    assert.equal(await page.getByTestId("order-status").getAttribute("data-status"), "awaiting_payment", "still to pay");
    const form = page.getByTestId("payment-form");
    assert.equal(await form.getByRole("combobox", { name: /^Test card/ }).inputValue(), "tok_chargeDeclined", "the card chosen at checkout");
    await shot(page, "payment-declined");
    await fitsNarrowScreen(page, "payment-step-360px");
    await form.getByRole("combobox", { name: /^Test card/ }).selectOption("tok_visa");
    await form.getByRole("button", { name: /^Pay \$/ }).click();
    await page.getByTestId("payment-processing").waitFor();
    assert.equal(await notice.count(), 0, "the decline is gone");
    await orderShows(page, "confirmed");
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0].key, calls[1].key, "another card is another attempt: a new Idempotency-Key");
    const rows = await paymentRows(page);
    assert.deepEqual(rows.map((r) => r.status), ["completed", "failed"]);
    assert.match(rows[1].text, /Your card was declined\./);
  },

  async "a shopper pays with a saved card chosen at checkout, sees the order confirmed, and the payment in the order history"({ page, shared }) {
    await newShopperWithCart(page, "Sid Saved", shared);
    await page.goto("/account/payment-methods");
    const save = page.getByTestId("add-payment-method");
    await save.getByLabel("Test card").selectOption("tok_mastercard");
    await save.getByRole("button", { name: "Save card" }).click();
    await page.getByText("Mastercard •••• 4444 saved.").waitFor();
    const calls = payCalls(page);
    const orderId = await placeWithNewAddress(page, "Sid Saved", "saved", /Mastercard •••• 4444/);
    assert.match(new URL(page.url()).searchParams.get("pay"), /^method:[0-9a-f-]{36}$/, "the saved card, carried to the order page");
    await orderShows(page, "confirmed");
    const total = (await page.getByTestId("order-totals").getByTestId("price").last().textContent()).trim();
    assert.equal(await page.getByTestId("payment-confirmed").textContent(), `Paid ${total} with Mastercard •••• 4444. Your order is confirmed.`);
    assert.equal(calls.length, 1);
    assert.ok("methodId" in calls[0].choice, "paid with the saved card, not a token");
    const rows = await paymentRows(page);
    assert.deepEqual(rows.map((r) => r.status), ["completed"]);
    assert.ok(rows[0].text.startsWith(`${total} with Mastercard •••• 4444 Paid`), rows[0].text);

    await page.getByRole("link", { name: "All your orders" }).click();
    await page.waitForURL("**/orders");
    const payment = page.locator(`[data-testid=order-row][data-order-id="${orderId}"]`).getByTestId("order-payment");
    await payment.waitFor();
    assert.equal(await payment.getAttribute("data-status"), "completed");
    assert.equal(await payment.textContent(), `PaidMastercard •••• 4444${total}`);
    await shot(page, "order-history");
  },

  async "tok_timeout chosen at checkout is retried without the shopper noticing, and the order is confirmed"({ page, shared }) {
    const calls = payCalls(page);
    await buyOne(page, "Tim Timeout", shared, "tok_timeout");
    // The provider's first answer times out; payments asks it again with the same provider key,
    // within the one request: the shopper is asked nothing and charged once.
    await orderShows(page, "confirmed");
    assert.match(await page.getByTestId("payment-confirmed").textContent(), /with Visa •••• 4242\. Your order is confirmed\.$/);
    assert.equal(calls.length, 1, "the page sent the payment once");
    assert.deepEqual(calls[0].choice, { token: "tok_timeout" });
    assert.equal(await page.getByTestId("payment-notice").count(), 0, "nothing to retry for the shopper");
    const rows = await paymentRows(page);
    assert.deepEqual(rows.map((r) => r.status), ["completed"]);
    assert.match(rows[0].text, /with Visa •••• 4242/);
  },

  async "tok_slow chosen at checkout shows the payment processing, then the order confirmed"({ page, shared }) {
    await buyOne(page, "Sal Slow", shared, "tok_slow");
    const pending = page.locator('[data-testid=payment-pending][data-phase="paying"]');
    await pending.waitFor({ timeout: 20_000 }); // the provider takes its time (1.5 s): said while it does
    assert.match(await pending.textContent(), /^Processing your payment with Visa •••• 4242…/);
    assert.equal(await page.getByRole("button", { name: "Paying…" }).isDisabled(), true, "no second press meanwhile");
    await shot(page, "payment-processing");
    await page.getByTestId("payment-processing").waitFor(); // received
    assert.equal(await pending.count(), 0);
    await orderShows(page, "confirmed");
    assert.deepEqual((await paymentRows(page)).map((r) => r.status), ["completed"]);
  },

  async "an admin ships a confirmed order"({ page, shared }) {
    assert.ok(shared.admin && shared.shipped, "the admin and payment scenarios ran");
    await logIn(page, shared.admin, shared.password, `/admin/orders/${shared.shipped}`);
    await page.locator('[data-testid=order-status][data-status="confirmed"]').waitFor();
    await page.getByRole("button", { name: "Ship order" }).click();
    await page.locator('[data-testid=order-status][data-status="shipped"]').waitFor();
    assert.deepEqual(await page.getByTestId("order-timeline").locator("li span.font-medium").allTextContents(),
      ["Placed, checking stock", "Awaiting payment", "Paid", "Confirmed", "Shipped"]);
    await shot(page, "admin-order-shipped");
  },

  async "an admin refunds part of a payment, then the rest"({ page, shared }) {
    assert.ok(shared.admin && shared.paidOrder, "the admin and payment scenarios ran");
    await logIn(page, shared.admin, shared.password, `/admin/orders/${shared.paidOrder}`);
    const row = page.getByTestId("payment-row");
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute("data-status"), "completed");
    const paid = dollars(await row.getByTestId("price").first().textContent());
    const form = row.getByTestId("refund-form");
    await form.getByLabel("Amount to refund (USD)").fill("1000000");
    await form.getByRole("button", { name: "Refund" }).click();
    await form.getByText(/^At most \$[0-9,.]+ is left to refund\.$/).waitFor(); // refused before anything is sent
    await form.getByLabel("Amount to refund (USD)").fill("1.50");
    await form.getByLabel("Reason (optional)").fill("a dented tent peg");
    await form.getByRole("button", { name: "Refund" }).click();
    await form.getByText(/^Refunded \$1\.50 in all; \$[0-9,.]+ left to refund\.$/).waitFor();
    await page.locator('[data-testid=payment-row][data-status="partially_refunded"]').waitFor();
    assert.equal(dollars(await row.getByTestId("payment-refunded").textContent()), 1.5);
    await shot(page, "admin-refund");
    await row.getByTestId("refund-form").getByRole("button", { name: "Refund" }).click(); // empty: all that is left
    await page.locator('[data-testid=payment-row][data-status="refunded"]').waitFor();
    assert.equal(dollars(await row.getByTestId("payment-refunded").textContent()), paid, "all of it, in the end");
    assert.equal(await row.getByTestId("refund-form").count(), 0, "nothing left to refund");
  },

  async "an admin reads the sales dashboard, built from the shop's events"({ page, shared, stack }) {
    assert.ok(shared.admin && shared.stockedOrder, "the admin and the stocked order's scenarios ran");
    // A warehouse nobody has counts a SKU: inventory refuses it, the broker dead-letters it, and
    // the dashboard shows it beside the sales.
    await stack.sendEvent("com.ecom.warehouse.stock.counted", "SPO-CMP-0001",
      { warehouse_code: "NOWHERE", sku: "SPO-CMP-0001", counted: 3, counted_at: new Date().toISOString() });
    await logIn(page, shared.admin, shared.password, "/admin/dashboard");
    // The report trails the events: read it again until the orders placed so far are in it.
    for (let tries = 0; tries < 30; tries += 1) {
      const totals = await page.getByTestId("totals").textContent();
      if (!/ of 0 placed/.test(totals)) break;
      await page.waitForTimeout(1000);
      await page.reload();
    }
    assert.doesNotMatch(await page.getByTestId("totals").textContent(), / of 0 placed/);
    for (let tries = 0; tries < 30 && /no event/.test(await page.getByTestId("dead-lettered").textContent()); tries += 1) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    await page.getByRole("img", { name: "Events dead-lettered per hour" }).waitFor();
    const deadLetter = page.getByTestId("dead-letters").getByRole("row").filter({ hasText: "com.ecom.warehouse.stock.counted" });
    assert.match(await deadLetter.first().textContent(), /inventory-on-stock-counted.*400/s);
    await page.getByRole("img", { name: "Orders confirmed per hour" }).waitFor();
    await page.getByTestId("conversion").waitFor();
    await page.getByRole("link", { name: "Last 30 days" }).click();
    await page.waitForURL("**/admin/dashboard?bucket=day");
    await page.getByRole("img", { name: "Orders confirmed per day" }).waitFor();
    await shot(page, "admin-dashboard");
    await fitsNarrowScreen(page, "admin-dashboard-360px");
  },

  async "an admin edits a category and a product, deactivates both, and the shop no longer shows them"({ page, browser, baseURL, shared }) {
    assert.ok(shared.admin && shared.product, "the admin product scenario ran");
    const { sku, name, href } = shared.product;
    await logIn(page, shared.admin, shared.password, "/admin/categories");
    const stamp = Date.now() % 100000;
    const create = page.getByTestId("category-form");
    await create.getByLabel("Name").fill(`E2E Lamps ${stamp}`);
    await create.getByRole("button", { name: "Create category" }).click();
    await create.getByText("Category created.").waitFor();
    const slug = `e2e-lamps-${stamp}`;
    const category = page.locator(`[data-testid=category][data-slug="${slug}"]`);
    await category.locator("summary").click();
    await category.getByLabel("Name").fill(`E2E Lanterns ${stamp}`); // renamed: the slug stays
    await category.getByLabel("Description").fill("Lights for the trail");
    await category.getByRole("button", { name: "Save" }).click();
    await category.getByText("Category saved.").waitFor();
    await category.locator("summary").getByText(`E2E Lanterns ${stamp}`).waitFor();
    assert.equal(await category.getAttribute("data-active"), "true");
    await shot(page, "admin-categories");

    // The product, found through the admin's own search, moves into it at a new price.
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Products" }).click();
    await page.waitForURL("**/admin/products");
    await page.getByRole("searchbox", { name: "Search products by name or SKU" }).fill(sku);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/admin/products?q=${sku}&status=active`);
    await page.locator(`[data-testid=admin-product][data-sku="${sku}"]`).getByRole("link", { name }).click();
    await page.waitForURL(/\/admin\/products\/[0-9a-f-]{36}$/);
    const edit = page.url();
    const form = page.getByTestId("product-form");
    await form.getByLabel("Category").selectOption({ label: `E2E Lanterns ${stamp}` });
    await form.getByLabel("Price").fill("26.00");
    await form.getByRole("button", { name: "Save product" }).click();
    await form.getByText("Product saved.").waitFor();
    await page.goto(`/products?category=${slug}`);
    assert.deepEqual(await names(page), [name], "listed in the renamed category");
    assert.deepEqual(await prices(page), [26]);
    assert.match(await page.getByRole("heading", { level: 1 }).textContent(), new RegExp(`E2E Lanterns ${stamp}`));
    await page.getByRole("navigation", { name: "Categories" }).getByTestId(`category-${slug}`).waitFor(); // in the shop's navigation

    await page.goto(edit);
    await page.getByTestId("product-status").getByRole("button", { name: "Deactivate product" }).click();
    await page.getByText("Product deactivated: it has left the shop.").waitFor();
    await page.getByTestId("inactive").waitFor();
    await page.getByTestId("product-status").getByRole("button", { name: "Reactivate product" }).waitFor();
    for (const listing of [`/products?q=${encodeURIComponent(sku)}`, `/products?category=${slug}`]) {
      await page.goto(listing);
      await listingShown(page);
      assert.equal(await page.getByTestId("product-card").count(), 0, `${listing}: no longer listed`);
    }
    await page.goto(href);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Not found", "its page is gone from the shop");

    // The category leaves the shop too; the admin still lists it, marked Inactive.
    await page.goto("/admin/categories");
    await category.locator("summary").click();
    await category.getByRole("button", { name: "Deactivate category" }).click();
    await category.getByText(/^Category deactivated: it and the categories below it have left the shop's navigation/).waitFor();
    await category.getByRole("button", { name: "Reactivate category" }).waitFor();
    await page.reload(); // as the API has it now
    assert.equal(await category.getAttribute("data-active"), "false");
    assert.equal(await category.locator("summary").getByTestId("category-inactive").textContent(), "Inactive");
    await shot(page, "admin-categories-inactive");

    // What shoppers see: an anonymous one in a browser context of their own, and the admin's own
    // visit to the shop (the shop's catalog reads never carry the admin's token).
    const shopper = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
    const anonymous = await shopper.newPage();
    try {
      const inShop = async (view, label) => {
        await view.goto("/");
        assert.equal(await view.locator(`a[href="/products?category=${slug}"]`).count(), 0, `${label}: not among the home page's departments`);
        await view.goto(`/products?category=${slug}`);
        await listingShown(view);
        assert.equal(await view.getByRole("navigation", { name: "Categories" }).getByTestId(`category-${slug}`).count(), 0, `${label}: not in the category navigation`);
        assert.equal(await view.getByTestId("product-card").count(), 0, `${label}: its listing is empty`);
        assert.doesNotMatch(await view.getByRole("heading", { level: 1 }).textContent(), /E2E Lanterns/, `${label}: not named`);
      };
      await inShop(anonymous, "anonymous shopper");
      await inShop(page, "the admin in the shop");

      // The admin finds the deactivated product through the Inactive filter and puts it back.
      await page.goto(`/admin/products?q=${sku}`);
      assert.equal(await page.locator(`[data-testid=admin-product][data-sku="${sku}"]`).count(), 0, "not among the active products");
      await page.getByRole("combobox", { name: "Status" }).selectOption({ label: "Inactive" });
      await page.waitForURL(`**/admin/products?q=${sku}&status=inactive`);
      const row = page.locator(`[data-testid=admin-product][data-sku="${sku}"]`);
      assert.equal(await row.getAttribute("data-active"), "false");
      await row.getByRole("link", { name }).click();
      await page.waitForURL(edit);
      assert.equal((await form.getByLabel("Category").locator("option:checked").textContent()).trim(), `E2E Lanterns ${stamp} (inactive)`, "its inactive category kept");
      await page.getByTestId("product-status").getByRole("button", { name: "Reactivate product" }).click();
      await page.getByText("Product reactivated: it is in the shop again.").waitFor();

      // ...and the category: both are in the shop again.
      await page.goto("/admin/categories");
      await category.locator("summary").click();
      await category.getByRole("button", { name: "Reactivate category" }).click();
      await category.getByText("Category reactivated: it is in the shop's navigation again.").waitFor();
      await category.getByRole("button", { name: "Deactivate category" }).waitFor();
      await anonymous.goto(`/products?category=${slug}`);
      await listingShown(anonymous);
      await anonymous.getByRole("navigation", { name: "Categories" }).getByTestId(`category-${slug}`).waitFor();
      assert.deepEqual(await names(anonymous), [name], "listed in its category again");
      await anonymous.goto(`/products?q=${encodeURIComponent(sku)}`);
      assert.deepEqual(await names(anonymous), [name], "back in the shop");
    } catch (error) {
      // The runner saves the admin's page; the shopper's is saved beside it.
      await anonymous.screenshot({ path: join(resultsDir(), "admin-category-shopper.png"), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await shopper.close();
    }
  },

  async "the gateway down is a page that says so"() {
    const down = await startNext("http://127.0.0.1:9"); // the discard port: nothing answers there
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${down.url}/products?q=tent`);
      await page.getByTestId("gateway-down").waitFor();
      assert.match(await page.getByRole("heading", { level: 1 }).textContent(), /unavailable/);
    } finally {
      await browser.close();
      await down.stop();
    }
  },
};
