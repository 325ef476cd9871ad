// Any /app address no page answers (a mistyped or outdated link): a "not found" page inside the admin, with its
// navigation, answered with a 404. Matching it here, below the app layout, also keeps the browser's router from
// second-guessing the server: without it the server rendered the root error page while the browser, knowing the
// app layout matched the start of the address, hydrated the admin instead, and React logged hydration errors.
import { data } from "react-router";
import { NotFoundPage } from "../components/NotFoundPage";

export const loader = () => data(null, { status: 404 });

export default function AdminPageNotFound() {
  return (
    <NotFoundPage title="Page not found" heading="There is no page at this address" backLabel="Home" backPath="/app">
      The link may be mistyped or out of date. Use the navigation to find what you were looking for.
    </NotFoundPage>
  );
}
