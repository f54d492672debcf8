/** A moment as a `<time>` in the reader's locale. */
export const Time = ({ ms }: { ms: number }) => <time dateTime={new Date(ms).toISOString()}>{new Date(ms).toLocaleString()}</time>;

/** An error the screen reader announces; nothing when there is none. */
export const Alert = ({ message }: { message: string }) =>
  message ? (
    <p role="alert" class="error">
      {message}
    </p>
  ) : null;
