/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The NATS URL, stream names and credentials are read at request time (see
  // lib/config/server-config.ts), never baked into the build.
};

export default nextConfig;
