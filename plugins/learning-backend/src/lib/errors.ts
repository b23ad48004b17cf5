import { ConflictError } from '@backstage/errors';

/** Thrown when an update names a version that is no longer current; carries the current record. */
export class StaleVersionError<T = unknown> extends ConflictError {
  readonly current: T;
  constructor(
    recordType: string,
    id: string,
    expected: number,
    current: T & { version: number },
  ) {
    super(
      `The ${recordType} ${id} was changed by someone else: your edit was based on version ${expected}, the current version is ${current.version}. Reload it and apply your change again.`,
    );
    this.current = current;
  }
}
