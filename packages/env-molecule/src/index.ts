/** The molecule envs' package; its environments are not released yet. */
export const ENV_MOLECULE_STATUS = 'unreleased' as const;
