import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // No "X-Powered-By: Next.js" banner, as the gateway sends no version banners either.
  poweredByHeader: false,
  reactStrictMode: true,
  // Send every browser the whole page in its first HTML (metadata resolved first), not a shell
  // whose content scripts reveal: the catalog must read right with JavaScript off, and crawlers
  // that run no scripts get the same page.
  htmlLimitedBots: /.*/,
};

export default nextConfig;
