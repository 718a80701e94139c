import { useEffect, type ReactNode } from 'react'

/** A page's heading, which also names the browser tab. */
export function Page({ title, intro, children }: { title: string; intro?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Shopfront`
  }, [title])
  return (
    <section className="page">
      <h1>{title}</h1>
      {intro ? <p className="intro">{intro}</p> : null}
      {children}
    </section>
  )
}
