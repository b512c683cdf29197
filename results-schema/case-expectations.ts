/** What a case expects of cloud-init's own account of the boot; recorded per cell in cell.json. */

/** The status `cloud-init status` should end in for a case to pass. */
export type ExpectedStatus = 'done' | 'error';

export interface CaseExpectations {
  readonly status: ExpectedStatus;
  /** Patterns of WARNING/ERROR lines in cloud-init.log that this case expects. */
  readonly logWarnings: readonly string[];
  /** Whether a Traceback in cloud-init.log is expected. */
  readonly traceback: boolean;
  /** Whether `cloud-init schema --system` must pass. */
  readonly schemaValid: boolean;
}
