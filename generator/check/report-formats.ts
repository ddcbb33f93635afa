/** Output formats of `sfgen check --format` (apart from the renderer, so the CLI starts without it). */
export type ReportFormat = 'text' | 'json' | 'github' | 'markdown';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'github', 'markdown'];
