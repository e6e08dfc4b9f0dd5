export { default } from './plugin.js';
export { parseSince, viewEvent, MAX_DATA_CHARS, type EventView } from './event-view.js';
