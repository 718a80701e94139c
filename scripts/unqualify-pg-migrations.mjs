// drizzle-kit names the `public` schema in foreign keys ("public"."users"). The service
// migrates whichever schema the connection's search_path selects (each test app has its
// own), so the generated SQL must leave tables unqualified.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'

const dir = new URL('../migrations/postgres/', import.meta.url)
for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
  const path = new URL(file, dir)
  const sql = readFileSync(path, 'utf8')
  const unqualified = sql.replaceAll('"public".', '')
  if (unqualified !== sql) writeFileSync(path, unqualified)
}
