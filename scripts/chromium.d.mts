// Types of chromium.mjs, for the TypeScript scripts and tests that launch Chromium.
export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: readonly string[];
