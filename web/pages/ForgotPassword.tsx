import { Field } from '../components/Field'
import { NotYet } from '../components/NotYet'
import { Page } from '../components/Page'

/** Stub until POST /password/forgot is in openapi.yaml. */
export function ForgotPasswordPage() {
  return (
    <Page title="Forgot your password?" intro="Give the email address of your account and we will send you a link to set a new password.">
      <div className="narrow">
        <NotYet title="Send a reset link" id="forgot" action="Send reset link" what="Password reset by email">
          <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
        </NotYet>
      </div>
    </Page>
  )
}
