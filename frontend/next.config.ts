import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // No "X-Powered-By: Next.js" banner, as the gateway sends no version banners either.
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
