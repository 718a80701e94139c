import { defineConfig } from 'drizzle-kit'

// PostgreSQL migrations: `npm run db:generate:pg`. Tables are created in the
// connection's current schema (the first of its search_path), not a fixed one.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres-schema.ts',
  out: './migrations/postgres',
})
