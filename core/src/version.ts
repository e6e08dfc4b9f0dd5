import { CORE_PACKAGE } from './core-root.js';

/** The kernel's semver version; plugins declare the range they work with in `kernel`. */
export const KERNEL_VERSION: string = CORE_PACKAGE.version;
