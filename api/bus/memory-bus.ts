import type { Bus, RoomEvent } from './bus';

/** The single-process bus: events go straight to the local handler, in publish order. */
export function createMemoryBus(): Bus {
  let handler: (ev: RoomEvent) => void = () => {};
  return {
    publish: (ev) => handler(ev),
    subscribe: async () => {},
    unsubscribe: () => {},
    onEvent: (h) => {
      handler = h;
    },
    // Nothing between here and the handler can drop an event.
    onReconnect: () => {},
    close: async () => {},
  };
}
