// The app's web pixel (extensions/promo-pixel): created once per shop, updated when its settings change. Shopify
// allows one pixel per app per shop and validates `settings` against the extension's settings definition.
import { gql } from "../gql";

export interface WebPixelShape {
  id: string;
  /** The settings as Shopify stores them: a JSON document (returned as a string). */
  settings: unknown;
}

export interface WebPixelUserError {
  field: string[] | null;
  message: string;
  /** BLANK, INVALID_SETTINGS, NOT_FOUND, NO_EXTENSION, TAKEN, ... (ErrorsWebPixelUserErrorCode). */
  code: string | null;
}

export const WEB_PIXEL_CREATE = gql<
  { webPixelCreate: { webPixel: WebPixelShape | null; userErrors: WebPixelUserError[] } },
  { settings: string }
>(`#graphql
  mutation WebPixelCreate($settings: JSON!) {
    webPixelCreate(webPixel: { settings: $settings }) {
      webPixel { id settings }
      userErrors { field message code }
    }
  }
`);

export const WEB_PIXEL_UPDATE = gql<
  { webPixelUpdate: { webPixel: WebPixelShape | null; userErrors: WebPixelUserError[] } },
  { id: string; settings: string }
>(`#graphql
  mutation WebPixelUpdate($id: ID!, $settings: JSON!) {
    webPixelUpdate(id: $id, webPixel: { settings: $settings }) {
      webPixel { id settings }
      userErrors { field message code }
    }
  }
`);

/** The app's pixel on this shop, when webPixelCreate answered TAKEN (an earlier attempt's response was lost). */
export const CURRENT_WEB_PIXEL = gql<{ webPixel: WebPixelShape | null }>(`#graphql
  query CurrentWebPixel {
    webPixel { id settings }
  }
`);
