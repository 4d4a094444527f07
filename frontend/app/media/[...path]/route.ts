import { gatewayUrl } from "@/lib/api";

// The catalog's images live behind the gateway; serve them from this origin so pages need no
// second host (and no CORS). The gateway URL is read at run time, not baked into the build.
export async function GET(_request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  try {
    const upstream = await fetch(`${gatewayUrl()}/media/${path.map(encodeURIComponent).join("/")}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const headers = new Headers();
    for (const name of ["content-type", "cache-control", "etag", "last-modified"]) {
      const value = upstream.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers });
  } catch {
    return new Response("image unavailable", { status: 503 });
  }
}
