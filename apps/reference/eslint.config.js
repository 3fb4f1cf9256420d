import { trisignalConfig } from '@trisignal/eslint-config';

export default trisignalConfig({ tsconfigRootDir: import.meta.dirname });
