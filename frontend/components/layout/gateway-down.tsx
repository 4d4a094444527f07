/** What a page shows when the gateway cannot be reached: a page that says so, not a blank screen. */
export function GatewayDown() {
  return (
    <section role="alert" className="mx-auto max-w-xl py-16 text-center" data-testid="gateway-down">
      <h1 className="text-2xl font-semibold">The shop is unavailable right now</h1>
      <p className="mt-3 text-slate-600">
        We cannot reach the shop&apos;s server. Nothing is lost: try again in a moment.
      </p>
      <a href="" className="mt-6 inline-block rounded bg-slate-900 px-4 py-2 text-white">Try again</a>
    </section>
  );
}
