import { Notice } from '../components/ErrorAlert'
import { Page } from '../components/Page'

/** Stub until POST /email/verify is in openapi.yaml; the verification mail's link lands here (?token=). */
export function VerifyEmailPage() {
  return (
    <Page title="Verify your email">
      <Notice>Email verification is not available on this server yet.</Notice>
    </Page>
  )
}
