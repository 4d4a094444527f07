import { makeDefaultAddress, removeAddress } from "@/lib/actions/account";
import type { Address } from "@/lib/api/types";
import { EmptyState } from "@/components/layout/empty-state";

export function AddressList({ addresses }: { addresses: Address[] }) {
  if (addresses.length === 0) return <EmptyState title="No addresses yet">Add one below for faster checkout.</EmptyState>;
  return (
    <ul className="grid gap-3 sm:grid-cols-2" data-testid="address-list">
      {addresses.map((a) => (
        <li key={a.id} className="rounded border border-slate-200 p-3 text-sm">
          <address className="not-italic">
            <strong>{a.name}</strong>
            {a.isDefault && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs">Default</span>}
            <br />{a.line1}{a.line2 && <>, {a.line2}</>}
            <br />{a.postalCode} {a.city}{a.region && `, ${a.region}`}, {a.country}
            {a.phone && <><br />{a.phone}</>}
          </address>
          <div className="mt-2 flex gap-3">
            {!a.isDefault && (
              <form action={makeDefaultAddress}>
                <input type="hidden" name="id" value={a.id} />
                <button className="underline" type="submit">Make default</button>
              </form>
            )}
            <form action={removeAddress}>
              <input type="hidden" name="id" value={a.id} />
              <button className="text-red-700 underline" type="submit">Remove</button>
            </form>
          </div>
        </li>
      ))}
    </ul>
  );
}
