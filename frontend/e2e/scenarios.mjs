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

  async "a customer cannot open /admin"({ page, shared }) {
    await page.goto("/admin/products");
    assert.match(page.url(), /\/login\?next=%2Fadmin%2Fproducts$/, "anonymous: to login");
    await logIn(page, shared.customer, shared.password);
    await page.goto("/admin");
    assert.match(page.url(), /\/login\?next=%2Fadmin$/, "customer: to login");
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
