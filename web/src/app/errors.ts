import type { CombinedError } from 'urql';

/** The first GraphQL error with this extensions.code. */
export function findError(error: CombinedError | undefined, code: string) {
  return error?.graphQLErrors.find((e) => e.extensions?.code === code);
}
