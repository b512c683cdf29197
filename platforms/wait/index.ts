/** Readiness strategies and the restart check shared by every driver. */
export { execWorks, type ExecWorksOptions } from './exec-works.js';
export { BOOT_ID_PATH, readBootId, restartIntoNewBoot, type NewBootOptions } from './boot-id.js';
