// Browser tests drive a production build; build it once per run (skipped when build/ is up to date).
import { ensureBuild } from "../../server/stack";

export default function setup() {
  ensureBuild((line) => console.log(line));
}
