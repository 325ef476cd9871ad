// Drawing one dynamic code at a time from the pool's code shape, with generate.ts' CSPRNG and look-alike-free
// character sets. Drawers are kept per shape: each holds a 64 KB random buffer, refilled only when used up.
import { CodeDrawer, compileShape } from "../generate";
import type { CodeShapeSettings } from "./settings";

const drawers = new Map<string, CodeDrawer>();
const MAX_DRAWERS = 256;

export function drawDynamicCode(shape: CodeShapeSettings): string {
  const key = `${shape.charset}|${shape.length}|${shape.prefix}`;
  let drawer = drawers.get(key);
  if (!drawer) {
    if (drawers.size >= MAX_DRAWERS) drawers.clear();
    drawer = new CodeDrawer(compileShape({ charset: shape.charset, length: shape.length, prefix: shape.prefix }));
    drawers.set(key, drawer);
  }
  return drawer.next();
}
