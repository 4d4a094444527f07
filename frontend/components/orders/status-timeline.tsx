import type { StatusChange } from "@/lib/api/types";
import { reasonLabel, STATUS_LABELS } from "@/lib/order-status";
import { LocalTime } from "@/components/layout/local-time";

/** Every change of the order's status, oldest first. */
export function StatusTimeline({ history }: { history: StatusChange[] }) {
  return (
    <ol className="flex flex-col gap-3 border-l-2 border-slate-200 pl-4" data-testid="order-timeline">
      {history.map((change) => (
        <li key={`${change.at}-${change.status}`} className="relative text-sm">
          <span aria-hidden className="absolute -left-[1.4rem] top-1.5 h-2.5 w-2.5 rounded-full bg-slate-900" />
          <span className="font-medium">{STATUS_LABELS[change.status]}</span>
          {change.reason && <span className="text-slate-600"> ({reasonLabel(change.reason)})</span>}
          <br />
          <span className="text-slate-500"><LocalTime iso={change.at} /></span>
        </li>
      ))}
    </ol>
  );
}
