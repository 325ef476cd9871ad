// Dynamic pools: settings, expiry, code shape and the spec a platform creates each code from.
export * from "./settings";
export * from "./expiry";
export * from "./spec";
export * from "./describe";
export { drawDynamicCode } from "./code-shape";
