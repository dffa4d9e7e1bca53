/**
 * Keeping passwords out of `util.inspect` and `JSON.stringify`: objects of ours that hold one
 * show `***` in its place.
 *
 * @module
 */
import { inspect } from 'node:util';

/** What a hidden password shows as. */
export const REDACTED = '***';

/** A shallow copy of `value` with its `password` (when it has one) replaced by {@link REDACTED}. */
export function withoutPassword<T extends object>(value: T): T {
  return 'password' in value && value.password !== undefined ? { ...value, password: REDACTED } : { ...value };
}

/**
 * Gives `target` a `toJSON` and a `util.inspect.custom` that show it without its password. Both
 * are non-enumerable: a spread (`{ ...config.esl }`) copies the data, not them. Returns `target`.
 */
export function hidePassword<T extends object>(target: T, label: string): T {
  Object.defineProperty(target, 'toJSON', { value: () => withoutPassword(target), enumerable: false });
  Object.defineProperty(target, inspect.custom, {
    value: (_depth: number, options: object) => `${label} ${inspect(withoutPassword(target), options)}`,
    enumerable: false,
  });
  return target;
}
