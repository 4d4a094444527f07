export const inputClass =
  "rounded border border-slate-300 px-3 py-2 text-base font-normal focus:border-slate-900 focus:outline-none focus:ring-2 focus:ring-slate-900/20";

/** A field's error message, read out with the field. */
export function FieldMessage({ message }: { message?: string }) {
  if (!message) return null;
  return <span className="text-sm font-normal text-red-700">{message}</span>;
}
