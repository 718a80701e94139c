// GET /item and GET /item/{id} send JSON that the database writes (SQLite) or the repository
// stringifies (PostgreSQL): it must be exactly what the schema-serialized POST answer says.
import t from 'tap'
import { account, build, createStore } from './helper.js'

const PRICES = [0, 0.01, 0.07, 0.1, 0.3, 1, 1.5, 19.99, 100, 1234567.89, 999999999.99, 999999999]
const NAMES = ['Chair', 'say "hi" \\ back', 'Ünïcödé ✓', '😀 emoji', '<b>tag</b>', "l'apostrophe", 'tab\there', 'line\nbreak']

t.test('the JSON text of items equals what the schema serializer writes, byte for byte', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = await createStore(app, admin.headers, 'Corner Shop')
  const created: string[] = []
  for (const [i, price] of PRICES.entries()) {
    const res = await app.inject({ method: 'POST', url: '/item', headers: admin.headers, payload: { name: NAMES[i % NAMES.length]! + i, price, store_id: store.id } })
    t.equal(res.statusCode, 201, `created at ${price}`)
    created.push(res.body)
  }
  for (const body of created) {
    const { id } = JSON.parse(body) as { id: number }
    const one = await app.inject({ url: `/item/${id}`, headers: admin.headers })
    t.equal(one.body, body, `GET /item/${id} is the same text as the POST answer`)
    t.match(one.headers['content-type'], /^application\/json; charset=utf-8$/)
  }
  const page = await app.inject({ url: '/item?limit=100', headers: admin.headers })
  t.equal(page.body, `{"data":[${created.join(',')}],"total":${created.length},"limit":100,"offset":0}`, 'the full page is the created items in order')
  const anonymous = (await app.inject({ url: `/item?limit=5&offset=2&store_id=${store.id}` })).json()
  t.same(
    anonymous.data,
    created.slice(2, 7).map((b) => ({ id: JSON.parse(b).id, name: JSON.parse(b).name })),
    'the anonymous page: id and name, paged',
  )
  t.same([anonymous.total, anonymous.limit, anonymous.offset, anonymous.message], [created.length, 5, 2, 'Log in to see prices and stores.'])
  const past = await app.inject({ url: '/item?offset=1000', headers: admin.headers })
  t.same(past.json(), { data: [], total: created.length, limit: 20, offset: 1000 }, 'a page past the end still has the total')
  const filtered = await app.inject({ url: `/item?store_id=${store.id}&name=chair&offset=50`, headers: admin.headers })
  const chairs = created.filter((b) => (JSON.parse(b).name as string).toLowerCase().includes('chair')).length
  t.same(filtered.json(), { data: [], total: chairs, limit: 20, offset: 50 }, 'and so does a filtered one')
  const empty = await app.inject({ url: '/item?name=nothing-like-this' })
  t.same(empty.json(), { data: [], total: 0, limit: 20, offset: 0, message: 'Log in to see prices and stores.' }, 'an empty page')
})
