/** The publication's name and series, compiled in by `lib/console/build-console.ts` from cdk.json `context.dispatch`. */
export interface ConsoleSettings {
  name: string;
  series: { id: string; name: string }[];
}

declare const DISPATCH_CONSOLE_SETTINGS: ConsoleSettings;

export const SETTINGS: ConsoleSettings = DISPATCH_CONSOLE_SETTINGS;
