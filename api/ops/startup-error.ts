/**
 * A reason the server must not start that the operator can fix, said in one line without any
 * secret: `npm start` prints the message alone (no stack) and exits 1. Other start checks
 * (configuration, ports) can throw it too.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
