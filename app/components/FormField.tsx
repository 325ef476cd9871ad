import { TextField, type TextFieldProps } from "@shopify/polaris";
import { useState } from "react";

/** A Polaris text field that posts with a plain form (it keeps its own value and carries a name). */
export function FormField(props: Omit<TextFieldProps, "value" | "onChange" | "autoComplete"> & { name: string; autoComplete: string; initial?: string }) {
  const { initial = "", ...rest } = props;
  const [value, setValue] = useState(initial);
  return <TextField {...rest} value={value} onChange={setValue} />;
}
