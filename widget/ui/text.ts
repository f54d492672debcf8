/** Every string the widget shows; each can be overridden through `ParleyConfig.text` or `data-text-*`. */
export const TEXT = {
  title: 'Chat',
  open: 'Open chat',
  close: 'Close chat',
  unread: '{n} unread',
  messages: 'Messages',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  online: '{n} online',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'You are offline',
  stopped: 'Chat is unavailable',
  site: "Chat isn't available on this site",
  banned: "You can't send messages in this chat",
  muted: "You can't send messages right now",
  private: 'This conversation is private',
  signedOut: 'You are signed out of chat: reload the page to continue',
  sending: 'Sending…',
  sent: 'Sent',
  seen: 'Seen',
  failed: 'Not sent',
  you: 'You',
  newMessages: 'New messages',
  loading: 'Loading…',
  empty: 'No messages yet',
  deleted: 'Message deleted',
  typing1: '{a} is typing…',
  typing2: '{a} and {b} are typing…',
  typingMany: '{n} people are typing…',
  left: '{n} characters left',
  edit: 'Edit',
  askName: 'What should we call you?',
  yourName: 'Your name',
  start: 'Start chatting',
  actions: 'Message actions',
  report: 'Report',
  delete: 'Delete',
  block: 'Block',
  mute: 'Mute for 1 hour',
  ban: 'Ban',
  cancel: 'Cancel',
  reason: 'Reason (optional)',
  reported: 'Thanks, reported',
  done: 'Done',
  unblock: 'Unblock {name}',
};

export type Text = typeof TEXT;

/** Fills `{name}` placeholders. */
export const fmt = (s: string, v: Record<string, string | number>): string =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => String(v[k] ?? ''));

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…", or ''. */
export function typingLine(t: Text, names: string[]): string {
  const [a, b] = names;
  return !a ? '' : !b ? fmt(t.typing1, { a }) : names.length === 2 ? fmt(t.typing2, { a, b }) : fmt(t.typingMany, { n: names.length });
}
