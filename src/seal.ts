import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** What a sealed value starts with: the format's version, so that it can change later. */
const VERSION = 'v1'

/**
 * AES-256-GCM for what the database keeps encrypted (mail links, private signing keys), with
 * a key derived from `secret` (JWT_SECRET_KEY) by HKDF-SHA256 for one `purpose`: a value sealed
 * for one purpose cannot be opened for another. `context` (a row id, say) is authenticated
 * too, so a sealed value copied to another row does not open there.
 */
export function sealer(secret: string, purpose: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `stores-api ${purpose}`, 32))
  return {
    seal(plain: string, context = ''): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context))
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, data, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
    },
    /** Throws when the value was not sealed by this sealer and context, or was altered. */
    open(sealed: string, context = ''): string {
      const [version, iv, data, tag] = sealed.split('.')
      if (version !== VERSION || !iv || data === undefined || !tag) throw new Error('not a sealed value')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
    },
  }
}
export type Sealer = ReturnType<typeof sealer>
