import { HarnessError } from 'cloudproof/platform';
import { CloudApiError, type SimulatedCloudApi } from './cloud-api.js';

/** The servers the simulated account may run at once. */
export const QUOTA = 4;

/** The driver's boundary: the cloud's errors become the harness's, with what to do about them. */
export async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    const hint = {
      ImageNotFound: 'name an image the region has (harness images --platform-module ...)',
      ServerNotFound: 'the server is gone: run `harness gc` to forget it',
      QuotaExceeded: `lower --concurrency to ${QUOTA} or less`,
    }[error.code];
    throw new HarnessError(error.code === 'ImageNotFound' ? 'IMAGE_NOT_FOUND' : 'PLATFORM_API', error.message, { hint, cause: error });
  }
}

/** Terminating what is already gone is what the caller wanted. */
export async function terminateIfThere(api: SimulatedCloudApi, id: string): Promise<void> {
  try {
    await api.terminate(id);
  } catch (error) {
    if (!(error instanceof CloudApiError && error.code === 'ServerNotFound')) throw error;
  }
}

