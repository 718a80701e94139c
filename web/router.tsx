// Client-side routes under /app: the History API and a link that uses it. The server answers
// every /app/... path with the app, so a reload or a shared link lands on the same page.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

export const BASE = '/app'
const listeners = new Set<() => void>()

function subscribe(listener: () => void) {
  listeners.add(listener)
  window.addEventListener('popstate', listener)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('popstate', listener)
  }
}

/** The path below /app, with its query: `/stores/3`, `/login?next=%2Fme`. */
export function currentPath() {
  const path = window.location.pathname.slice(BASE.length) || '/'
  return path + window.location.search
}

export interface Place {
  /** The path below /app, without the query. */
  path: string
  query: URLSearchParams
  /** A message for the page to show once (after registering, logging out...). */
  notice: string | undefined
}

let cached: { key: string; place: Place } | undefined
function place(): Place {
  const state = window.history.state as { notice?: string } | null
  const key = `${window.location.href} ${state?.notice ?? ''}`
  if (cached?.key !== key) {
    const path = window.location.pathname.slice(BASE.length).replace(/\/+$/, '') || '/'
    cached = { key, place: { path, query: new URLSearchParams(window.location.search), notice: state?.notice } }
  }
  return cached.place
}

/** The current place; re-renders on every navigation. */
export function usePlace(): Place {
  return useSyncExternalStore(subscribe, place)
}

export function navigate(to: string, options: { replace?: boolean; notice?: string } = {}) {
  const state = options.notice ? { notice: options.notice } : null
  if (options.replace) window.history.replaceState(state, '', BASE + to)
  else window.history.pushState(state, '', BASE + to)
  window.scrollTo(0, 0)
  listeners.forEach((listener) => listener())
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }

/** A link within the app: a real href (open in a new tab works), followed without a reload. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return <a href={BASE + to} onClick={follow} {...rest} />
}
