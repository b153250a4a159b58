/**
 * Settles like `promise`, or rejects with `onTimeout()`'s error after `timeoutMs`. The promise
 * itself is not cancelled: the caller makes whatever it was doing harmless (see lease-session.ts).
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(0, timeoutMs));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: Error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
