import { Field } from '../components/Field'
import { NotYet } from '../components/NotYet'
import { Page } from '../components/Page'

/** Stub until POST /password/reset is in openapi.yaml; the reset mail's link lands here (?token=). */
export function ResetPasswordPage() {
  return (
    <Page title="Set a new password">
      <div className="narrow">
        <NotYet title="Choose a new password" id="reset" action="Set new password" what="Password reset by email">
          <Field label="New password" name="new_password" type="password" autoComplete="new-password" minLength={8} maxLength={128} required autoFocus />
        </NotYet>
      </div>
    </Page>
  )
}
