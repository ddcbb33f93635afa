import { AbortedError } from '../errors.js';

/** Waits `ms`; an abort signal cancels the wait with `AbortedError`. */
export function sleep(ms: number, signal?: AbortSignal, request?: { method: string; path: string }): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError({ message: 'aborted while waiting', request, cause: signal.reason, sent: false }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError({ message: 'aborted while waiting', request, cause: signal?.reason, sent: false }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
