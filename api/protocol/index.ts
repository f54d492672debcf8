// The shared wire contract. Imports nothing outside this folder and no Node or DOM API, so the
// widget and the dashboard can bundle it.
export * from './codes';
export * from './frames';
export * from './limits';
export * from './decode';
export * from './text';
export * from './admin';
export * from './frame-table';
export * from './json-schema';
