import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

// One entry per browser bundle; the dashboard will add its own. Each is one minified IIFE.
const bundle = (input, file, name) => ({
  input,
  output: { file, format: 'iife', name, sourcemap: false },
  plugins: [
    nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
    esbuild({ target: 'es2020', jsx: 'automatic', jsxImportSource: 'preact', minify: false }),
    terser({
      ecma: 2020,
      compress: { passes: 3, pure_getters: true },
      // Our internals are `_`-prefixed; Preact's own mangled `__x` names are left alone.
      mangle: { properties: { regex: /^_[^_]/ } },
      format: { comments: false },
    }),
  ],
});

export default [bundle('widget/index.ts', 'widget/dist/widget.js'), bundle('dashboard/index.tsx', 'dashboard/dist/dashboard.js')];
