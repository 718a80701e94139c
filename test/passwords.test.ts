// The password hashing module on its own: the dummy hash unknown users are checked against.
import t from 'tap'
import { parseOptions, verify } from '@node-rs/argon2'
import { ARGON2_OPTIONS, DUMMY_HASH, createPasswords, sameParameters } from '../src/plugins/app/passwords.js'

t.test('the dummy hash is argon2id with the parameters every password gets', async (t) => {
  t.ok(DUMMY_HASH.startsWith('$argon2id$'), 'argon2id')
  t.match(parseOptions(DUMMY_HASH), { memoryCost: ARGON2_OPTIONS.memoryCost, timeCost: ARGON2_OPTIONS.timeCost, parallelism: ARGON2_OPTIONS.parallelism })
  t.ok(sameParameters(DUMMY_HASH, ARGON2_OPTIONS), 'so an unknown user costs what a known one does')
  t.notOk(await verify(DUMMY_HASH, ''), 'it matches no likely password')
  t.notOk(await verify(DUMMY_HASH, 'password-123'))
})

t.test('sameParameters tells weaker or other hashes apart', async (t) => {
  t.notOk(sameParameters(DUMMY_HASH.replace('m=19456', 'm=4096'), ARGON2_OPTIONS), 'less memory')
  t.notOk(sameParameters(DUMMY_HASH.replace('t=2', 't=1'), ARGON2_OPTIONS), 'fewer passes')
  t.notOk(sameParameters(DUMMY_HASH.replace('$argon2id$', '$argon2i$'), ARGON2_OPTIONS), 'argon2i')
  t.notOk(sameParameters('$2b$12$abcdefghijklmnopqrstuv', ARGON2_OPTIONS), 'bcrypt')
  t.notOk(sameParameters('not a hash', ARGON2_OPTIONS), 'garbage')
})

t.test('an unknown user is verified against the dummy hash and never matches', async (t) => {
  const passwords = createPasswords()
  t.equal(await passwords.verify(undefined, 'anything-at-all'), false)
  t.equal(passwords.dummyVerifications, 1)
  const stored = await passwords.hash('password-123')
  t.equal(await passwords.verify(stored, 'password-123'), true, 'a real hash still verifies')
  t.equal(passwords.dummyVerifications, 1)
})
