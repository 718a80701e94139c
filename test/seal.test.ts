import t from 'tap'
import { sealer } from '../src/seal.js'

const SECRET = 'a-secret-of-at-least-thirty-two-bytes-0123'

t.test('a sealed value opens with the same secret, purpose and context only', async (t) => {
  const mail = sealer(SECRET, 'mail')
  const sealed = mail.seal('https://example.test/app/reset-password?token=abc', 'row-1')
  t.notMatch(sealed, /token=abc|example\.test/, 'the plain text is not in the sealed value')
  t.match(sealed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  t.equal(mail.open(sealed, 'row-1'), 'https://example.test/app/reset-password?token=abc')
  t.not(mail.seal('same', 'row-1'), mail.seal('same', 'row-1'), 'a fresh IV each time')

  t.throws(() => mail.open(sealed, 'row-2'), 'another context does not open it')
  t.throws(() => sealer(SECRET, 'keys').open(sealed, 'row-1'), 'another purpose does not open it')
  t.throws(() => sealer(`${SECRET}x`, 'mail').open(sealed, 'row-1'), 'another secret does not open it')
  const parts = sealed.split('.')
  const flipped = Buffer.from(parts[2]!, 'base64url')
  flipped[0]! ^= 1
  t.throws(() => mail.open([parts[0], parts[1], flipped.toString('base64url'), parts[3]].join('.'), 'row-1'), 'an altered value does not open')
  t.throws(() => mail.open('garbage', 'row-1'), 'garbage does not open')
})
