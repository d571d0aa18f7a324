import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.aws-sam', 'build', 'bench-results', 'reports', 'coverage', 'vendor'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain never uses `any`: types are its first documentation.
    files: ['layers/core/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // What ships (the layer and the handlers) never reaches into the lab: the simulated world,
    // its queueing and demand model, the workloads, baselines, benchmark, CLI and bill. Headroom
    // must learn a service from its metrics, as in a real account, not read the world's physics.
    files: ['layers/core/src/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@headroom/lab', '@headroom/lab/*', '**/lab', '**/lab/*', '**/lab/**'],
              message: 'Product code (layers/core/src, functions) must not import the lab (lab/).',
            },
            {
              group: ['**/world/*', '**/queueing', '**/queueing.js', '**/sim/*'],
              message:
                "Product code must not import the simulated world's latency, queueing or demand model.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
  },
);
