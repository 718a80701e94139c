import type { ReactNode } from 'react'

/** A form's submit button, disabled while the form is being sent, with what goes beside it. */
export function Submit({ busy = false, label, children }: { busy?: boolean; label: string; children?: ReactNode }) {
  return (
    <div className="actions">
      <button type="submit" disabled={busy}>
        {label}
      </button>
      {children}
    </div>
  )
}
