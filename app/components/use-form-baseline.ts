// A form's values against its baseline: what was loaded, or what the last successful save sent. The form is dirty
// when the two differ once normalised (what would be submitted, keys in any order), not when a key was pressed:
// typing and undoing leaves it clean. Discard puts the baseline back.
import { useRef, useState, type Dispatch, type FormEvent, type RefObject, type SetStateAction } from "react";

/**
 * A stable text for a value: object keys sorted, undefined properties left out, NaN kept apart from null (an
 * unreadable number is not an empty one). Two values with the same snapshot submit the same thing.
 */
export function snapshotOf(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(snapshotOf).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${snapshotOf(v)}`).join(",")}}`;
}

/** Whether two form values differ once normalised (the identity when no normaliser is given). */
export function valuesDiffer<T>(a: T, b: T, normalise?: (values: T) => unknown): boolean {
  const norm = normalise ?? ((v: T) => v);
  return snapshotOf(norm(a)) !== snapshotOf(norm(b));
}

export interface FormBaselineOptions<T> {
  /** What the comparison looks at: the values as they would be submitted. */
  normalise?: (values: T) => unknown;
  /**
   * The answer of a successful save, a new object each time (a fetcher's data): the values submitted last become
   * the baseline. A save that redirects or remounts the form needs none.
   */
  saved?: unknown;
}

export interface FormBaseline<T> {
  values: T;
  setValues: Dispatch<SetStateAction<T>>;
  /** The values differ from what was loaded or last saved. */
  dirty: boolean;
  /** Back to what was loaded or last saved. */
  discard: () => void;
  /** Submits the form as its own submit button does (for the save bar). */
  submit: () => void;
  /** Spread on the form element: it is submitted by `submit`, and remembers the values it sent. */
  formProps: { ref: RefObject<HTMLFormElement>; onSubmit: (event: FormEvent<HTMLFormElement>) => void };
}

export function useFormBaseline<T>(initial: T, { normalise, saved }: FormBaselineOptions<T> = {}): FormBaseline<T> {
  const [values, setValues] = useState<T>(initial);
  const [baseline, setBaseline] = useState<T>(initial);
  const [submitted, setSubmitted] = useState<T | null>(null);
  // A new successful answer moves the baseline to what was sent (adjusted while rendering, not in an effect, so no
  // frame shows the save bar for values already saved).
  const [answered, setAnswered] = useState<unknown>(saved);
  if (saved !== answered) {
    setAnswered(saved);
    if (saved && submitted !== null) setBaseline(submitted);
  }
  const formRef = useRef<HTMLFormElement>(null);
  return {
    values,
    setValues,
    dirty: valuesDiffer(values, baseline, normalise),
    discard: () => setValues(baseline),
    submit: () => formRef.current?.requestSubmit(),
    formProps: { ref: formRef, onSubmit: () => setSubmitted(values) },
  };
}
