// What server/app-server.ts hands every loader and action besides the request.
export {};

declare module "react-router" {
  interface AppLoadContext {
    /** The client's address (app/domain/client-address.ts), or undefined when it is unknown (dev server, tests). */
    clientAddress?: string;
  }
}
