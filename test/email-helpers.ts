// What the email tests share: an app that mails to a real SMTP server, accounts with an
// address, and looks into the outbox and link tables.
import { sql } from 'drizzle-orm'
import type { App, BuildOptions } from '../src/app.js'
import { join } from 'node:path'
import { bearer, build, login, onPostgres, postgresSchema, rawNumber, rawQuery, tempDir, type Account } from './helper.js'
import { linkIn, mailServer, type MailServer } from './mail-server.js'

type Tap = { teardown(fn: () => unknown): void }

export const PUBLIC_URL = 'https://stores.example'
export const PASSWORD = 'password-123'
export const VERIFY = /^Verify your email address/
export const RESET = /^Reset your .* password$/
export const NOTICE = /email address .* was changed$/

/** An SMTP server and an app that sends to it, with links under PUBLIC_URL. */
export async function mailApp(t: Tap, env: Record<string, string> = {}, options: BuildOptions = {}) {
  const smtp = await mailServer(t)
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL, ...env }, options)
  return { app, smtp }
}

/** A DATABASE_URL for several apps at once: a SQLite file, or a PostgreSQL schema of its own. */
export const sharedDatabase = async (t: Tap) => (onPostgres ? postgresSchema(t) : join(tempDir(t), 'shared.db'))

export const post = (app: App, url: string, payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers })

export interface Member extends Account {
  email: string
}

/** Registers `username` with `<username>@example.com` and logs in (a fresh token pair). */
export async function member(app: App, username: string, email = `${username}@example.com`): Promise<Member> {
  const reg = await post(app, '/register', { username, password: PASSWORD, email })
  if (reg.statusCode !== 201) throw new Error(`register ${username}: ${reg.statusCode} ${reg.body}`)
  const tokens = await login(app, username, PASSWORD)
  const headers = bearer(tokens.access_token)
  return { id: reg.json().id, username, password: PASSWORD, email, access: tokens.access_token, refresh: tokens.refresh_token, headers }
}

/** The token of the `n`th verification mail to `email`. */
export async function verifyToken(smtp: MailServer, email: string, n = 1) {
  return linkIn(await smtp.waitFor(email, VERIFY, n), 'verify-email').token
}

/** The token of the `n`th reset mail to `email`. */
export async function resetToken(smtp: MailServer, email: string, n = 1) {
  return linkIn(await smtp.waitFor(email, RESET, n), 'reset-password').token
}

/** Outbox rows in `status`. */
export const outboxRows = (app: App, status = 'pending') => rawNumber(app, sql`SELECT count(*) FROM outbox WHERE status = ${status}`)

/** Waits until the sender has nothing left to do: every pending row sent or dropped. */
export async function drained(app: App, ms = 30_000) {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if ((await outboxRows(app)) === 0) return
  }
  throw new Error(`the outbox still has pending rows after ${ms} ms`)
}

/** A time column as milliseconds, from either database (SQLite: integers; PostgreSQL: timestamptz text). */
export const millis = (value: unknown) => (typeof value === 'number' ? value : new Date(String(value)).getTime())

/** The email_tokens rows of a user, oldest first. */
export const linkRows = (app: App, userId: number) =>
  rawQuery(app, sql`SELECT * FROM email_tokens WHERE user_id = ${userId} ORDER BY id`)

/** Waits `ms` milliseconds: only to let a link's lifetime pass. */
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
