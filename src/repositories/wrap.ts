/**
 * `repo` with every method's rejection handed to `onError`, with a way to run the same call
 * again: how each dialect turns lock waits into retries or 503s without touching each method.
 */
export function onErrors<R extends object>(repo: R, onError: (err: unknown, again: () => Promise<unknown>) => Promise<unknown>): R {
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(repo)) {
    const run = method as (...args: unknown[]) => Promise<unknown>
    wrapped[name] = (...args: unknown[]) => run(...args).catch((err: unknown) => onError(err, () => run(...args)))
  }
  return wrapped as R
}
