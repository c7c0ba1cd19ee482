/** `rtio-hil/protocol` as an ES module: the CommonJS build's exports. */
export * from './index.js';
