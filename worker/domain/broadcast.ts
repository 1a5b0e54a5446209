// What a broadcast is about (DOMAIN: launch, published update or extension, stop): the
// events every channel sends. One word, one concept — the outbox intent and what the
// channels send; a live object's message to the screens is something else (toScreens).
export const BROADCAST_EVENTS = ["alert", "update", "stop"] as const;
export type BroadcastEvent = (typeof BROADCAST_EVENTS)[number];
