// Debian's Chromium through playwright-core, as the browser tests launch it: headless, a fresh
// profile per browser, nothing that talks to the network on its own.
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { tempDir } from './helper.js'

type Tap = { teardown(fn: () => unknown): void; fail(message: string): void }

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Screenshots of test runs (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('artifacts/', import.meta.url))

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A browser with a profile of its own, closed at teardown; undefined (a failure) without Chromium. */
export async function launchChromium(t: Tap, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page } | undefined> {
  if (!existsSync(CHROMIUM)) {
    // A failure, not a skip: CI must run the browser tests (.ci/run installs Chromium).
    t.fail(`No Chromium at ${CHROMIUM}: \`apt-get install -y chromium\`, or set CHROMIUM_PATH.`)
    return undefined
  }
  const context = await chromium.launchPersistentContext(tempDir(t), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport })
  t.teardown(() => context.close())
  const page = context.pages()[0] ?? (await context.newPage())
  return { context, page }
}

/** Where a screenshot of `name` goes under test/artifacts/. */
export function artifact(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true })
  return `${ARTIFACTS}${name}`
}

/**
 * Console errors, uncaught exceptions and CSP violations on `page`, as they happen. The browser
 * reports each HTTP error response as a console error too ("Failed to load resource"): those are
 * kept apart, in `failedLoads`, with their URL, for the test to compare with what it expected.
 */
export function recordProblems(page: Page) {
  const problems: string[] = []
  const failedLoads: string[] = []
  page.on('console', (msg) => {
    const text = msg.text()
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) failedLoads.push(`${text} ${msg.location().url}`)
    else if (msg.type() === 'error' || /Content[- ]Security[- ]Policy|Refused to/i.test(text)) problems.push(text)
  })
  page.on('pageerror', (err) => problems.push(err.message))
  return { problems, failedLoads }
}
