"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useSession } from "./session-provider";

/** The header's account links: sign in / register, or the user's name, orders, admin and sign out. */
export function AccountNav() {
  const user = useSession((s) => s.user);
  const signedOut = useSession((s) => s.signedOut);
  const router = useRouter();

  if (!user) {
    return (
      <nav aria-label="Account" className="flex items-center gap-3 text-sm">
        <Link href="/login" className="hover:underline">Sign in</Link>
        <Link href="/register" className="rounded bg-slate-900 px-3 py-1.5 text-white hover:bg-slate-700">Register</Link>
      </nav>
    );
  }
  return (
    <nav aria-label="Account" className="flex flex-wrap items-center gap-3 text-sm">
      {user.role === "admin" && <Link href="/admin" className="hover:underline">Admin</Link>}
      <Link href="/account" className="hover:underline" data-testid="account-link">{user.name}</Link>
      <Link href="/orders" className="hover:underline">Orders</Link>
      <form
        action="/api/session/logout"
        method="post"
        onSubmit={async (event) => {
          event.preventDefault();
          await fetch("/api/session/logout", { method: "POST" });
          signedOut();
          router.push("/");
          router.refresh();
        }}
      >
        <button type="submit" className="hover:underline">Sign out</button>
      </form>
    </nav>
  );
}
