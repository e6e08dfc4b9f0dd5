export { default } from './plugin.js';
export { viewEvent, MAX_DATA_CHARS, type EventView } from './event-view.js';
