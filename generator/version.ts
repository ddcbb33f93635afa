/** The sfgen version written into snapshots and generated banners. Keep in step with package.json. */
export const SFGEN_VERSION = '0.1.0';
