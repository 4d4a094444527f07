import { FieldMessage, inputClass } from "@/components/layout/form-bits";

interface Props {
  label: string;
  name: string;
  error?: string;
  defaultValue?: string;
  required?: boolean;
  autoComplete?: string;
  type?: string;
  hint?: string;
}

/** A labelled input with its error message. */
export function Field({ label, name, error, hint, ...input }: Props) {
  return (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <input name={name} aria-invalid={error ? true : undefined} className={inputClass} {...input} />
      {hint && <span className="text-xs font-normal text-slate-500">{hint}</span>}
      <FieldMessage message={error} />
    </label>
  );
}
