import { TEST_CARDS, testCardLabel } from "@/lib/cards";
import { FieldMessage, inputClass } from "@/components/layout/form-bits";

interface Props {
  name?: string;
  label: string;
  /** Controlled: the chosen token, and what to do when another is chosen. */
  value?: string;
  onChange?: (token: string) => void;
  hint?: string;
  error?: string;
}

/** Choose one of the payment simulator's test cards by what it does (the shop never takes a card number). */
export function TestCardSelect({ name, label, value, onChange, hint, error }: Props) {
  const controlled = value === undefined ? { defaultValue: TEST_CARDS[0]!.token } : { value, onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onChange?.(e.target.value) };
  return (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <select name={name} required aria-invalid={error ? true : undefined} className={`${inputClass} w-full min-w-0`} {...controlled}>
        {TEST_CARDS.map((card) => (
          <option key={card.token} value={card.token}>{testCardLabel(card)}</option>
        ))}
      </select>
      {hint && <span className="text-xs font-normal text-slate-500">{hint}</span>}
      <FieldMessage message={error} />
    </label>
  );
}
