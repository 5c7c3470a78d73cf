/** First-party storage: localStorage, or a cookie when a domain is set for subdomains; nothing in cookieless mode. */
export interface Store {
  /** the value, or null or undefined when there is none */
  get(k: string): string | null | undefined
  set(k: string, v: string): void
  delete(k: string): void
}

// a Map is a store as it is
export const memory = (): Store => new Map<string, string>()

// localStorage, or memory where it cannot be had (blocked storage); a value it refuses to take (full, or a quota
// of nothing) is kept in memory for the page instead: the tag must never fail for want of storage
export const local = (): Store => {
  const m = memory()
  try {
    const s = localStorage
    return {
      get: (k) => m.get(k) ?? s.getItem(k),
      set: (k, v) => {
        try {
          s.setItem(k, v)
          m.delete(k)
        } catch {
          m.set(k, v)
        }
      },
      delete: (k) => {
        m.delete(k)
        s.removeItem(k)
      },
    }
  } catch {
    return m
  }
}

// a cookie for the site's subdomains; where a page may not read its cookies (a sandboxed iframe), localStorage or memory
export const cookie = (domain: string): Store => {
  try {
    document.cookie
  } catch {
    return local()
  }
  const write = (k: string, v: string, age: number) => {
    // Secure on an https page (a secure context: also localhost, where the domain's cookie cannot be set anyway)
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing from Safari and Firefox
    document.cookie = `${k}=${encodeURIComponent(v)};path=/;domain=${domain};max-age=${age};SameSite=Lax${isSecureContext ? ';Secure' : ''}`
  }
  return {
    get: (k) => {
      const m = document.cookie.match(`(?:^|; )${k}=([^;]*)`)
      return m && decodeURIComponent(m[1] as string)
    },
    set: (k, v) => write(k, v, 31536000),
    delete: (k) => write(k, '', 0),
  }
}
