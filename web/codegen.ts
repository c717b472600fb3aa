import type { CodegenConfig } from '@graphql-codegen/cli';

// Types and typed document nodes for every graphql() call under src/, and the
// object types the cache stores inside their parent, from the API's SDL.
// `npm run codegen:check` regenerates into a temporary folder (CODEGEN_OUT)
// and fails when the checked-in src/gql/ differs.
const out = process.env.CODEGEN_OUT ?? 'src/gql/';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*', '!src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: true,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
      },
    },
    [out + 'embedded.ts']: { plugins: ['./scripts/codegen-embedded.mjs'] },
  },
};

export default config;
