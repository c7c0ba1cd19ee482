/** `rtio-hil/testing` as an ES module: the CommonJS build's exports (one instance of each module, whichever way it is loaded). */
export * from './index.js';
