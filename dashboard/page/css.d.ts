// esbuild bundles the stylesheet the page imports into dashboard.css.
declare module '*.css';
