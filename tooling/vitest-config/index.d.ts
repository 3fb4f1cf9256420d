import type { UserWorkspaceConfig } from 'vitest/config';
export declare const trisignalAliases: { find: RegExp; replacement: string }[];
export declare function defineProject(name: string): UserWorkspaceConfig;
