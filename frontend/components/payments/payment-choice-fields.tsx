"use client";

import Link from "next/link";
import { useState } from "react";
import type { PaymentChoice } from "@/lib/actions/payments";
import type { PaymentMethod } from "@/lib/api/types";
import { cardLabel, expiryLabel, TEST_CARDS } from "@/lib/cards";
import { TestCardSelect } from "./test-card-select";

interface Props {
  /** The shopper's saved cards; null when they could not be read (a test card still pays). */
  methods: PaymentMethod[] | null;
  choice: PaymentChoice | null;
  onChoose: (choice: PaymentChoice) => void;
  disabled?: boolean;
}

/** "Pay with": one of the saved cards, or one of the simulator's test cards this time only (checkout and the payment step). */
export function PaymentChoiceFields({ methods, choice, onChoose, disabled = false }: Props) {
  // The test card last picked, kept while a saved card is chosen, so switching back finds it again.
  const [cardToken, setCardToken] = useState(() => (choice && "token" in choice ? choice.token : TEST_CARDS[0]!.token));
  const chooseCard = (token: string) => {
    setCardToken(token);
    onChoose({ token });
  };
  const usingCard = choice !== null && "token" in choice;
  return (
    <fieldset className="flex min-w-0 flex-col gap-2" disabled={disabled} data-testid="payment-choice">
      <legend className="mb-1 text-sm font-medium">Pay with</legend>
      {(methods ?? []).map((m) => (
        <label key={m.id} className="flex cursor-pointer items-center gap-3 rounded border border-slate-200 p-3 text-sm has-[:checked]:border-slate-900">
          <input type="radio" name="pay_with" value={m.id} checked={choice !== null && "methodId" in choice && choice.methodId === m.id}
            onChange={() => onChoose({ methodId: m.id })} className="h-4 w-4" />
          <span><strong>{cardLabel(m)}</strong> <span className="text-slate-600">expires {expiryLabel(m)}</span></span>
        </label>
      ))}
      <div className="flex flex-col gap-3 rounded border border-slate-200 p-3 text-sm has-[:checked]:border-slate-900">
        <label className="flex cursor-pointer items-center gap-3">
          <input type="radio" name="pay_with" value="card" checked={usingCard} onChange={() => chooseCard(cardToken)} className="h-4 w-4" />
          <span className="font-medium">A test card, this time only</span>
        </label>
        {usingCard && <TestCardSelect label="Test card" value={cardToken} onChange={chooseCard} />}
      </div>
      {methods === null && <p className="text-sm text-amber-800">Your saved cards cannot be shown right now; a test card still pays.</p>}
      {methods !== null && methods.length === 0 && (
        <p className="text-sm text-slate-600">No saved cards yet: <Link href="/account/payment-methods" className="underline">save one</Link> to pay in one step next time.</p>
      )}
    </fieldset>
  );
}
