/** Typed reads of a submitted form's named controls, so views never hand-parse FormData. */
export function formValues(form: HTMLFormElement) {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  return {
    text,
    /** A checkbox: sent only when checked. */
    checked: (name: string) => data.has(name),
    /** A textarea of one entry per line; blank lines dropped. */
    lines: (name: string) =>
      text(name)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    /** A number, or NaN when blank, so an empty box reaches the API (as null) and is refused there, not read as 0. */
    number: (name: string) => (text(name) === '' ? NaN : Number(text(name))),
  };
}
