import Link from "next/link";
import { CartLink } from "@/components/cart/cart-link";
import { AccountNav } from "@/components/session/account-nav";
import { SearchBox } from "./search-box";

/** The header on every page: home link, search, the cart and the account links. */
export function SiteHeader() {
  return (
    <header className="border-b border-slate-200">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:m-2 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-3">
        <Link href="/" className="text-lg font-bold tracking-tight">Ecom</Link>
        <Link href="/products" className="text-sm hover:underline">Shop</Link>
        <div className="order-last w-full sm:order-none sm:w-auto sm:flex-1">
          <SearchBox />
        </div>
        <div className="ml-auto flex flex-wrap items-center justify-end gap-3 sm:ml-0">
          <CartLink />
          <AccountNav />
        </div>
      </div>
    </header>
  );
}
