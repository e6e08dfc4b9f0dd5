import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

/** The kernel's semver version; plugins declare the range they work with in `kernel`. */
export const KERNEL_VERSION: string = pkg.version;
