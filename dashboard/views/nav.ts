/** Where a tenant card is: which panel is open, and the room or user it shows. */
export type Place =
  | { panel: null | 'edit' | 'members' | 'moderation' | 'audit' | 'webhooks' }
  | { panel: 'rooms'; room?: string }
  | { panel: 'search'; user?: string }
  | { panel: 'user'; user: string };

/** Moves a tenant card to another place (a user view from a report, a room from a search result). */
export type Go = (to: Place) => void;
