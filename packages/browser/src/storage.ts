/** First-party storage: localStorage, or a cookie when a domain is set for subdomains; nothing in cookieless mode. */
export interface Store {
  get(k: string): string | null
  set(k: string, v: string): void
  del(k: string): void
}

const memory = (): Store => {
  const m: Record<string, string> = {}
  return {
    get: (k) => m[k] ?? null,
    set: (k, v) => {
      m[k] = v
    },
    del: (k) => {
      delete m[k]
    },
  }
}

const local = (): Store => {
  try {
    const s = localStorage
    return { get: (k) => s.getItem(k), set: (k, v) => s.setItem(k, v), del: (k) => s.removeItem(k) }
  } catch {
    return memory()
  }
}

const cookie = (domain: string): Store => {
  const write = (k: string, v: string, age: number) => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing from Safari and Firefox
    document.cookie = `${k}=${encodeURIComponent(v)};path=/;domain=${domain};max-age=${age};SameSite=Lax${location.protocol === 'https:' ? ';Secure' : ''}`
  }
  return {
    get: (k) => {
      const m = document.cookie.match(`(?:^|; )${k}=([^;]*)`)
      return m ? decodeURIComponent(m[1] as string) : null
    },
    set: (k, v) => write(k, v, 31536000),
    del: (k) => write(k, '', 0),
  }
}

export const stores = { memory, local, cookie }
