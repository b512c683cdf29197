export { SshTransport, type FileCallOptions } from './ssh-transport.js';
export type { SshTarget } from './connection.js';
export { shellQuote } from '../../core/host/shell-quote.js';
