// esbuild bundles the stylesheet the entry point imports into app-<hash>.css.
declare module '*.css';
