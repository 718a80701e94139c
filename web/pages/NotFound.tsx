import { Page } from '../components/Page'
import { Link } from '../router'

export function NotFoundPage() {
  return (
    <Page title="Page not found" intro="There is no page at this address.">
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </Page>
  )
}
