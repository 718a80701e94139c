// Creates a user from the command line (the first admin of a fresh install, typically):
//   npm run user:create -- --username NAME [--email E] [--admin]
// The password comes from the PASSWORD variable or a prompt that does not echo, never from
// argv: command lines end up in shell history and `ps` output.
import { AjvCompiler } from '@fastify/ajv-compiler'
import { parseArgs } from 'node:util'
import { UserCreate } from '../schemas/user.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'
import { createPasswords } from '../src/plugins/app/passwords.js'
import { ConflictError } from '../src/repositories/errors.js'
import { repositoriesFor } from '../src/repositories/index.js'
import { publicUser } from '../src/repositories/mapping.js'

const USAGE = 'Usage: npm run user:create -- --username NAME [--email EMAIL] [--admin]  (password: PASSWORD env or prompt)'

class UsageError extends Error {}

function parse(argv: string[]) {
  if (argv.some((arg) => /^--?(password|pass|p)(=|$)/.test(arg))) {
    throw new UsageError('Refusing a password on the command line (it would stay in shell history and `ps`). Set PASSWORD or answer the prompt.')
  }
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        username: { type: 'string' },
        email: { type: 'string' },
        admin: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    })
    return values
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process
  if (!stdin.isTTY) throw new UsageError('No PASSWORD set and no terminal to prompt on.')
  // Raw mode before the prompt shows, so nothing typed after it is echoed.
  stdin.setRawMode(true)
  stderr.write(question)
  stdin.resume()
  stdin.setEncoding('utf8')
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = ''
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData)
            return resolve(value)
          }
          if (ch === '\u0003') {
            stdin.off('data', onData)
            return reject(new UsageError('Cancelled.'))
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
          else value += ch
        }
      }
      stdin.on('data', onData)
    })
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    stderr.write('\n')
  }
}

async function readPassword(): Promise<string> {
  if (process.env.PASSWORD !== undefined) return process.env.PASSWORD
  const first = await promptHidden('Password: ')
  const again = await promptHidden('Repeat password: ')
  if (first !== again) throw new UsageError('The passwords do not match.')
  return first
}

/** The same checks as `POST /register` (Fastify's Ajv, formats included), with every problem listed. */
function validate(input: UserCreate) {
  const compile = AjvCompiler()({}, { customOptions: { coerceTypes: false, allErrors: true } })
  const check = compile({ schema: UserCreate, method: 'POST', url: '/register', httpPart: 'body' })
  if (check(input)) return
  const problems = (check.errors ?? []).map((e) => `${e.instancePath.slice(1) || 'input'} ${e.message ?? 'is invalid'}`)
  throw new UsageError(`Invalid user: ${problems.join('; ')}.`)
}

async function main() {
  const args = parse(process.argv.slice(2))
  if (args.help) {
    console.log(USAGE)
    return
  }
  if (!args.username) throw new UsageError(`--username is required.\n${USAGE}`)
  try {
    process.loadEnvFile()
  } catch {
    // no .env
  }
  const config = loadConfig(process.env)
  const password = await readPassword()
  const input: UserCreate = { username: args.username, password, ...(args.email === undefined ? {} : { email: args.email }) }
  validate(input)

  const passwords = createPasswords()
  const handle = await connect(config)
  try {
    const { users } = await repositoriesFor(handle)
    const row = await users.create({
      ...input,
      passwordHash: await passwords.hash(password),
      firstUserIsAdmin: config.firstUserIsAdmin,
      ...(args.admin ? { roles: ['admin', 'user'] } : {}),
    })
    console.log(JSON.stringify(publicUser(row), null, 2))
  } finally {
    await handle.close()
  }
}

try {
  await main()
} catch (err) {
  if (err instanceof UsageError || err instanceof ConflictError) console.error(`user:create: ${err.message}`)
  else if (err instanceof ConfigError) console.error(`Invalid configuration: ${err.message}`)
  else console.error(err)
  process.exit(err instanceof UsageError ? 2 : 1)
}
