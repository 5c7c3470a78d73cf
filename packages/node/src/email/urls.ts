/**
 * The collector's email routes, shared by the tracker (which builds the URLs) and the collector (which serves
 * them): GET /e/o/{project}/{token}.gif is the open pixel, GET|HEAD /e/c/{project}/{token} the click redirect.
 */
export const EMAIL_ROUTES = {
  open: '/e/o',
  click: '/e/c',
} as const

/** The query parameter a click redirect adds to its target, carrying the signed hand-off for the browser SDK. */
export const HANDOFF_PARAM = '_tph'

/** The link id instrumentHtml gives its hidden honeypot link: no person clicks it, scanners do. */
export const HONEYPOT_LINK_ID = '_hp'
