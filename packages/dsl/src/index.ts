/** The spec language's package; its parser and compiler are not released yet. */
export const DSL_STATUS = 'unreleased' as const;
