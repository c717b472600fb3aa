import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The modules at the top of src/ that wire every feature in.
const ROOT = ['App', 'main'];

/** Rules by which files in `folder` import nothing from the folders `above`
 * them, nor from the root: static imports and re-exports through
 * no-restricted-imports, lazy import() through no-restricted-syntax. */
const layer = (folder, above) => {
  const source = `^(\\.\\./)+((${above.join('|')})(/.*)?|(${ROOT.join('|')}))$`;
  const message = `${folder}/ is below ${above.join(' and ')}: imports run ui <- app <- features (eslint.config.js).`;
  // esquery ends a regex at the first "/", even an escaped one.
  const selector = `ImportExpression[source.value=/${source.replaceAll('/', '\\x2F')}/]`;
  return {
    'no-restricted-imports': ['error', { patterns: [{ regex: source, message }] }],
    'no-restricted-syntax': ['error', { selector, message }],
  };
};

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/gql', 'tracker', 'demo'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Imports run one way: ui <- app <- features <- the root (src/App.tsx,
  // src/main.tsx), which alone wires every feature in. ui is the bottom:
  // components that draw what they are given and know nothing of the session,
  // the client or any domain, so each can be used and tested with plain
  // values. app (shell, sign-in, session, the urql client, navigation) draws
  // with ui and is shared by every feature, so it may not know one: a feature
  // can then change, or be dropped, without touching the shell. Features may
  // use ui, app and each other's modules. Tests may assemble layers the way
  // the root does. Every import here is relative (no path aliases), so a
  // folder name in the specifier is where it points.
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}'],
    rules: layer('ui', ['app', 'features']),
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}'],
    rules: layer('app', ['features']),
  },
  {
    files: ['scripts/**/*.mjs', '*.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.node },
  },
);
