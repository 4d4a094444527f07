import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { CartProvider } from "@/components/cart/cart-provider";
import { SiteHeader } from "@/components/layout/site-header";
import { SessionProvider } from "@/components/session/session-provider";
import { getSession } from "@/lib/session/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Ecom", template: "%s · Ecom" },
  description: "Shop the Ecom catalog.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <SessionProvider user={session?.user ?? null} expiresAt={session?.expiresAt ?? null}>
          <CartProvider>
            <SiteHeader />
            <main id="main" className="mx-auto max-w-6xl px-4 py-6">{children}</main>
          </CartProvider>
        </SessionProvider>
      </body>
    </html>
  );
}
