export function findBinary(name: string, extraDirs?: string[]): string | undefined;
export function findNatsServer(): string | undefined;
export function findChromium(): string | undefined;
export const NATS_SERVER_HELP: string;
export const CHROMIUM_HELP: string;
export const CHROMIUM_ARGS: string[];
