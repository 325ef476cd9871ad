// The rules of a Magento merchant's account that the sign-up and reset pages show as well as enforce.
export const MIN_PASSWORD_LENGTH = 12;
/** Unbounded form fields are refused before they reach the password hash. */
export const MAX_PASSWORD_LENGTH = 256;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why an address can't be an account's email, or undefined when it can. */
export function emailProblem(email: string): string | undefined {
  const normalised = normaliseEmail(email);
  if (!EMAIL.test(normalised) || normalised.length > 254) return "Enter an email address like you@example.com";
  return undefined;
}

export type FieldErrors = Partial<Record<"storeName" | "email" | "password", string>>;

export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (email && password.trim().toLowerCase() === normaliseEmail(email)) return "The password can't be your email address";
  return undefined;
}

export function signUpProblems(input: { storeName: string; email: string; password: string }): FieldErrors {
  const errors: FieldErrors = {};
  const storeName = input.storeName.trim();
  if (!storeName) errors.storeName = "Enter the store's name";
  else if (storeName.length > 100) errors.storeName = "Use at most 100 characters";
  const email = normaliseEmail(input.email);
  const problem = emailProblem(email);
  if (problem) errors.email = problem;
  const password = passwordProblem(input.password, email);
  if (password) errors.password = password;
  return errors;
}

