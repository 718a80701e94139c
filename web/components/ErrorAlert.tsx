import type { ApiError } from '../api'

/** An error from the API, as people read it: its message, and what failed validation. */
export function ErrorAlert({ error }: { error: ApiError | undefined }) {
  if (!error) return null
  return (
    <div role="alert" className="alert">
      <p>{error.message}</p>
      {error.details?.length ? (
        <ul>
          {error.details.map((d) => (
            <li key={d.path + d.message}>
              {d.path ? `${d.path.replace(/^\//, '')}: ` : ''}
              {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** A confirmation that something worked (announced, not alarming). */
export function Notice({ children }: { children: string | undefined }) {
  return children ? (
    <p role="status" className="notice">
      {children}
    </p>
  ) : null
}
