import type { Money } from "@/lib/api/types";
import { formatMoney } from "@/lib/format";

export function Price({ money, className = "" }: { money: Money; className?: string }) {
  return <span className={`tabular-nums ${className}`} data-testid="price">{formatMoney(money)}</span>;
}
