import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * House lint rules (see docs/architecture.md, "Conventions"): typed linting, no floating promises,
 * type-only imports, no console, no `export *`, no reaching into another package's src/internal.
 * @param {{ tsconfigRootDir: string }} options
 */
export function trisignalConfig({ tsconfigRootDir }) {
  return tseslint.config(
    {
      ignores: ['dist/**', 'coverage/**', 'node_modules/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.d.ts'],
    },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
        '@typescript-eslint/consistent-type-exports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        'no-console': 'error',
        'no-restricted-syntax': [
          'error',
          {
            selector: 'ExportAllDeclaration',
            message: 'List exports by name: index.ts is a table of contents.',
          },
        ],
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['@trisignal/*/src', '@trisignal/*/src/*'],
                message: "Import a package's public entry, never its src.",
              },
              {
                group: ['@trisignal/*/internal', '@trisignal/*/internal/*', '**/../*/internal/*'],
                message: 'internal/ is private to its package.',
              },
            ],
          },
        ],
        '@typescript-eslint/naming-convention': [
          'error',
          {
            selector: 'typeParameter',
            format: ['PascalCase'],
            custom: { regex: '^T([A-Z]|$)', match: true },
          },
        ],
      },
    },
    {
      files: ['**/*.test.ts', '**/*.bench.ts', 'test/**', 'bench/**'],
      rules: {
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/no-unsafe-argument': 'off',
        '@typescript-eslint/no-unsafe-call': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/unbound-method': 'off',
        'no-console': 'off',
      },
    },
  );
}
