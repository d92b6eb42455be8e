import { MultiStreamAppendUnsupportedError, type EventStore } from './port.js';

/**
 * The same store with its atomic multi-stream append switched off: every call is delegated but
 * `appendToStreams`, which rejects, and the capability flag says so. Runs the code paths meant
 * for a store that cannot append to several streams atomically against one that can.
 */
export function withoutMultiStreamAppend(store: EventStore): EventStore {
  return {
    supportsMultiStreamAppend: false,
    append: (streamId, events, expected, options) =>
      store.append(streamId, events, expected, options),
    appendToStreams: () =>
      Promise.reject(new MultiStreamAppendUnsupportedError('this event store (switched off)')),
    recordRefusal: (outcome) => store.recordRefusal(outcome),
    readOutcome: (commandId) => store.readOutcome(commandId),
    purgeOutcomes: (before) => store.purgeOutcomes(before),
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}
