/** The compiled entry points: `api/dist/<name>.js`. */
export declare const ENTRIES: Record<'main' | 'admin', string>;
/** Builds the server, widget and dashboard under `out` (default: the repository itself). */
export declare function buildAll(out?: string): Promise<void>;
