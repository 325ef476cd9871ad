import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// Shopify CLI passes the tunnel URL as SHOPIFY_APP_URL; HMR must go through it when embedded.
const appUrl = new URL(process.env.SHOPIFY_APP_URL ?? "http://localhost");
const hmr =
  appUrl.hostname === "localhost"
    ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
    : { protocol: "wss", host: appUrl.hostname, port: Number(process.env.FRONTEND_PORT ?? 8002), clientPort: 443 };

export default defineConfig({
  server: {
    allowedHosts: [appUrl.hostname],
    port: Number(process.env.PORT ?? 3000),
    hmr,
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [reactRouter()],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
